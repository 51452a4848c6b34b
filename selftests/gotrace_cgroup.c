// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_cgroup: cgroup v2 membership (issue 14, item 4).  A child is
 * moved into a fresh cgroup while traced and allocates a known number of
 * pages there: the trace has the move (CGROUP_ATTACH_TASK: the child, the
 * cgroup's id, threadgroup), the cgroup's CGROUP record with the id the
 * kernel gives its directory (inode number and name_to_handle_at()) and
 * its path as /proc/PID/cgroup says it, and the analysis of "gotrace
 * stats" puts the pages in that cgroup.  A cgroup removed before the
 * trace is read still has its path; the tracer's own cgroup comes from a
 * TASK_CGROUP event.  cgroup2 is mounted on a private directory when
 * /sys/fs/cgroup is not cgroup2.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"
#include "../userspace/analysis.h"

#define GC_TIMEOUT	300
#define GC_PAGES	512

static int cg_write(const char *dir, const char *file, long v)
{
	char path[256], buf[32];
	int fd, n, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld", v);
	if (write(fd, buf, n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

/* The cgroup id of dir: its inode number, and its file handle. */
static uint64_t cg_id(const char *dir, uint64_t *handle_id)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[16];
	} h;
	struct stat st;
	int mnt;

	*handle_id = 0;
	h.fh.handle_bytes = sizeof(h.bytes);
	if (!name_to_handle_at(AT_FDCWD, dir, &h.fh, &mnt, 0) &&
	    h.fh.handle_bytes == 8)
		memcpy(handle_id, h.fh.f_handle, 8);
	if (stat(dir, &st))
		return 0;
	return st.st_ino;
}

/* This task's cgroup v2 path, from /proc/self/cgroup ("0::PATH"). */
static int self_cgroup(char *buf, size_t size)
{
	char line[512];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s", line + 3);
		ret = 0;
	}
	fclose(f);
	return ret;
}

/*
 * A child that waits for a byte on go, touches GC_PAGES pages, reports
 * on done, and keeps them until killed.
 */
static pid_t spawn_toucher(int go[2], int done[2])
{
	pid_t pid;

	if (pipe(go) || pipe(done))
		return -1;
	pid = fork();
	if (pid)
		return pid;
	close(go[1]);
	close(done[0]);
	{
		char c;

		if (read(go[0], &c, 1) != 1 || !gtt_touch_pages(GC_PAGES))
			_exit(1);
		if (write(done[1], "d", 1) != 1)
			_exit(1);
		pause();
	}
	_exit(0);
}

struct moved {
	pid_t child;
	uint64_t id, handle_id;
	char path[128];		/* relative to the cgroup2 root */
	char dir[256];
};

/*
 * Traces (page and cgroup groups) a child moved into a new cgroup where
 * it touches GC_PAGES pages; with remove, the child goes back to the
 * root and the cgroup is removed before the trace stops.
 */
static int trace_moved(struct __test_metadata *_metadata, struct moved *m,
		       bool remove, struct gtt_buf *buf, struct gt_reader **rd)
{
	struct gotrace_start s = {
		.groups = GOTRACE_GROUP_PAGE | GOTRACE_GROUP_SCHED |
			  GOTRACE_GROUP_CGROUP,
	};
	int go[2], done[2], fd, status;
	struct gtt_raw raw;
	struct gtt_bg bg;
	char err[256], c;

	snprintf(m->path, sizeof(m->path), "/gotrace-test-%d%s", getpid(),
		 remove ? "-gone" : "");
	snprintf(m->dir, sizeof(m->dir), "%s%s", gtt_cg_root, m->path);
	if (mkdir(m->dir, 0755) && errno != EEXIST)
		return -errno;
	m->id = cg_id(m->dir, &m->handle_id);
	fd = gtt_open(0);
	if (fd < 0)
		return fd;
	if (gtt_trace_start(fd, &s, &bg))
		return -1;
	m->child = spawn_toucher(go, done);
	if (m->child < 0)
		return -1;
	close(go[0]);
	close(done[1]);
	EXPECT_EQ(0, cg_write(m->dir, "cgroup.procs", m->child));
	EXPECT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(1, read(done[0], &c, 1));
	if (remove) {
		EXPECT_EQ(0, cg_write(gtt_cg_root, "cgroup.procs", m->child));
		EXPECT_EQ(0, rmdir(m->dir));
	}
	/* a flush period: the batches of the child's CPU are read */
	gtt_msleep(200);
	if (gtt_trace_stop(fd, &bg, buf, &raw, rd, err, sizeof(err))) {
		TH_LOG("%s", err);
		kill(m->child, SIGKILL);
		waitpid(m->child, &status, 0);
		return -1;
	}
	gtt_raw_free(&raw);
	kill(m->child, SIGKILL);
	waitpid(m->child, &status, 0);
	close(go[1]);
	close(done[0]);
	close(fd);
	if (!remove)
		rmdir(m->dir);
	return 0;
}

FIXTURE(cgv2) {
	int ok;
};

FIXTURE_SETUP(cgv2)
{
	int err;

	ASSERT_EQ(0, gtt_make_idle());
	err = gtt_cg2_mount();
	if (err)
		SKIP(return, "no cgroup2: %s", strerror(-err));
	self->ok = 1;
}

FIXTURE_TEARDOWN(cgv2)
{
	gtt_cg2_umount();
}

/*
 * The move, the record, the pages: the cgroup gets the child's GC_PAGES
 * pages (allocated and outstanding, as stats shows them), and its id is
 * the kernel's.
 */
TEST_F_TIMEOUT(cgv2, attach_and_pages, GC_TIMEOUT)
{
	const struct ga_cgroup *row = NULL, *root = NULL;
	const struct gt_cgroup *rec;
	const struct ga_result *res;
	struct gtt_buf buf = { 0 };
	unsigned int attaches = 0, named = 0;
	uint64_t child_pages = 0, before_move = 0;
	struct gt_reader *r;
	struct gt_event ev;
	struct moved m;
	struct ga *a;
	size_t i;
	int moved = 0;

	ASSERT_EQ(0, trace_moved(_metadata, &m, false, &buf, &r));
	ASSERT_NE(0, m.id);
	TH_LOG("cgroup %s: id %llu (handle %llu), child %d", m.path,
	       (unsigned long long)m.id, (unsigned long long)m.handle_id,
	       m.child);
	if (m.handle_id)
		EXPECT_EQ(m.id, m.handle_id);

	rec = gt_cgroup(r, m.id);
	ASSERT_NE(NULL, rec);
	EXPECT_STREQ(m.path, rec->path);
	EXPECT_EQ(0, rec->flags);

	while (gt_next(r, &ev) > 0) {
		if (ev.type == GOTRACE_EV_CGROUP_ATTACH_TASK &&
		    ev.args[2] == (uint64_t)m.child) {
			attaches++;
			EXPECT_EQ(m.id, ev.args[0]);
			EXPECT_EQ(1, ev.args[1]);	/* level */
			EXPECT_EQ(1, ev.args[3]);	/* cgroup.procs */
			moved = 1;
		}
		if (ev.type == GOTRACE_EV_TASK_CGROUP &&
		    ev.args[0] == (uint64_t)m.child && ev.args[1] == m.id)
			named++;
		if (ev.type == GOTRACE_EV_MM_PAGE_ALLOC &&
		    ev.args[4] == (uint64_t)m.child && ev.args[0] != ~0ULL) {
			if (moved)
				child_pages += 1ULL << ev.args[1];
			else
				before_move += 1ULL << ev.args[1];
			EXPECT_EQ(moved ? m.id : gt_task_cgroup(r, m.child),
				  gt_task_cgroup(r, m.child));
		}
	}
	EXPECT_EQ(1, attaches);
	TH_LOG("%u TASK_CGROUP events of the child in it; %llu pages allocated there, %llu before the move",
	       named, (unsigned long long)child_pages,
	       (unsigned long long)before_move);
	EXPECT_LE(GC_PAGES, child_pages);
	gt_close(r);

	/* What stats says: the cgroup's row. */
	ASSERT_EQ(0, gt_open_mem(buf.data, buf.len, &r));
	a = ga_new(r, NULL);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, ga_run(a));
	res = ga_result(a);
	ASSERT_TRUE(res->cg.traced);
	for (i = 0; i < res->cg.nr; i++) {
		if (res->cg.rows[i].id == m.id)
			row = &res->cg.rows[i];
		if (res->cg.rows[i].path &&
		    !strcmp(res->cg.rows[i].path, "/"))
			root = &res->cg.rows[i];
	}
	ASSERT_NE(NULL, row);
	TH_LOG("stats: %s: %llu allocs, %llu pages, %llu outstanding, %llu freed",
	       row->path, (unsigned long long)row->allocs,
	       (unsigned long long)row->alloc_pages,
	       (unsigned long long)row->outstanding_pages,
	       (unsigned long long)row->freed_pages);
	EXPECT_STREQ(m.path, row->path);
	EXPECT_EQ(child_pages, row->alloc_pages);
	/* the touched pages stayed mapped until the trace stopped */
	EXPECT_LE(GC_PAGES, row->outstanding_pages);
	/* the child's page tables and stack besides them: a few */
	EXPECT_GE(GC_PAGES + 64, row->alloc_pages);
	if (root)
		TH_LOG("root cgroup: %llu pages allocated",
		       (unsigned long long)root->alloc_pages);
	ga_free(a);
	gt_close(r);
	gtt_buf_free(&buf);
}

/* A cgroup removed before the trace was read keeps its path. */
TEST_F_TIMEOUT(cgv2, removed_cgroup_has_path, GC_TIMEOUT)
{
	const struct gt_cgroup *rec;
	struct gtt_buf buf = { 0 };
	struct gt_reader *r;
	struct gt_event ev;
	struct moved m;
	unsigned int back = 0;
	uint64_t root_id, h;

	ASSERT_EQ(0, trace_moved(_metadata, &m, true, &buf, &r));
	root_id = cg_id(gtt_cg_root, &h);
	rec = gt_cgroup(r, m.id);
	ASSERT_NE(NULL, rec);
	EXPECT_STREQ(m.path, rec->path);
	/* moved back to the root: a second attach, to the root's id */
	while (gt_next(r, &ev) > 0)
		if (ev.type == GOTRACE_EV_CGROUP_ATTACH_TASK &&
		    ev.args[2] == (uint64_t)m.child && ev.args[0] == root_id)
			back++;
	EXPECT_EQ(1, back);
	EXPECT_EQ(root_id, gt_task_cgroup(r, m.child));
	rec = gt_cgroup(r, root_id);
	ASSERT_NE(NULL, rec);
	EXPECT_STREQ("/", rec->path);
	gt_close(r);
	gtt_buf_free(&buf);
}

/*
 * The tracer's own cgroup, never moved: a TASK_CGROUP event names it,
 * with the path /proc/self/cgroup shows.
 */
TEST_F_TIMEOUT(cgv2, task_cgroup_of_self, GC_TIMEOUT)
{
	struct gotrace_start s = { .groups = GOTRACE_GROUP_CGROUP |
					     GOTRACE_GROUP_PAGE };
	const struct gt_cgroup *rec;
	struct gtt_buf buf = { 0 };
	struct gt_reader *r;
	struct gtt_raw raw;
	struct gtt_bg bg;
	char err[256], path[512];
	void *p;
	int fd;

	ASSERT_EQ(0, self_cgroup(path, sizeof(path)));
	fd = gtt_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gtt_trace_start(fd, &s, &bg));
	p = gtt_touch_pages(16);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, gtt_trace_stop(fd, &bg, &buf, &raw, &r, err,
				    sizeof(err))) {
		TH_LOG("%s", err);
	}
	gtt_raw_free(&raw);
	close(fd);
	munmap(p, 16 * sysconf(_SC_PAGESIZE));
	{
		struct gt_event ev;

		while (gt_next(r, &ev) > 0)
			;
	}
	ASSERT_NE(0, gt_task_cgroup(r, getpid()));
	rec = gt_cgroup(r, gt_task_cgroup(r, getpid()));
	ASSERT_NE(NULL, rec);
	TH_LOG("self: %s, trace: %s", path, rec->path);
	EXPECT_STREQ(path, rec->path);
	gt_close(r);
	gtt_buf_free(&buf);
}

TEST_HARNESS_MAIN
