// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_flight: generations and the flight recorder (issue 13).
 *
 * - ring: a flight recorder of 64 KiB per CPU under a workload that
 *   writes megabytes: it overwrites, its window stays bounded, and a
 *   snapshot decodes whole (records, seq numbers from the WINDOW record,
 *   stacks, names) with the most recent work (a marker process run just
 *   before) and not the start; a second snapshot holds the work done
 *   after the first.  After STOP a snapshot still works; a read() ends
 *   the trace.
 * - snapshot_args: the ioctl's argument rules and errors.
 * - hotplug: cpu1 goes offline and online under load while the recorder
 *   runs; snapshots taken with it offline and online decode whole.
 * - cli: gotrace start --flight, status, snapshot; dump, stats, convert
 *   and report read the file without a warning.
 *
 * - cut_stream: a trace with stacks, its generations closed every 10 ms
 *   while page allocations run on every CPU, is cut at many offsets (as
 *   head -c would); every cut decodes, counts the GENERATION records it
 *   holds whole, and every stack id of its complete generations resolves.
 * - cut_file: the same through "gotrace record --stacks" (PACKED records
 *   and SYMBOLS) and head -c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"
#include "gotrace_rel.h"

#define GTF_TIMEOUT	300
#define GOTRACE_BIN	"/bin/gotrace"
#define NR_CUTS		64

/* Page allocations with stacks on every CPU for ms milliseconds. */
static void alloc_load(unsigned int ms)
{
	int cpus[64], n = gtt_online_cpus(cpus, 64), i;
	pid_t pids[64];

	if (n < 1)
		n = 1;
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct timespec t0, t;

			gtt_pin_cpu(0, cpus[i]);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			do {
				void *p = gtt_touch_pages(64);

				if (p)
					munmap(p, 64 * 4096);
				clock_gettime(CLOCK_MONOTONIC, &t);
			} while ((t.tv_sec - t0.tv_sec) * 1000 +
				 (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
			_exit(0);
		}
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

/* Offsets just past each GENERATION record of a whole stream. */
static size_t gen_ends(const uint8_t *buf, size_t len, size_t *ends,
		       size_t max)
{
	size_t off = GOTRACE_MAGIC_LEN, n = 0;
	struct gotrace_record rec;

	while (len - off >= sizeof(rec)) {
		memcpy(&rec, buf + off, sizeof(rec));
		if (rec.len < sizeof(rec) || rec.len > len - off)
			break;
		off += rec.len;
		if (rec.type == GOTRACE_REC_GENERATION && n < max)
			ends[n++] = off;
	}
	return n;
}

/* What a cut decodes to. */
struct cut_result {
	int open_err;
	int next_err;
	uint32_t generations;
	size_t checked;		/* stack ids in complete generations */
	size_t unresolved;
	uint32_t first_bad;
};

static void decode_cut(const void *buf, size_t len, struct cut_result *c)
{
	const uint64_t *frames;
	struct gt_reader *r;
	struct gt_event ev;
	int ret;

	memset(c, 0, sizeof(*c));
	c->open_err = gt_open_mem(buf, len, &r);
	if (c->open_err)
		return;
	c->generations = gt_summary(r)->generations;
	while ((ret = gt_next(r, &ev)) > 0) {
		if (!ev.stack_id || ev.gen > c->generations)
			continue;
		c->checked++;
		if (gt_stack(r, ev.stack_id, &frames) <= 0 &&
		    !c->unresolved++)
			c->first_bad = ev.stack_id;
	}
	c->next_err = ret;
	gt_close(r);
}

/* Cuts buf at NR_CUTS offsets and at both sides of every generation. */
static void check_cuts(struct __test_metadata *_metadata, const uint8_t *buf,
		       size_t len, const size_t *ends, size_t nr_ends)
{
	size_t i, k, checked = 0, cuts = 0;

	for (i = 0; i < NR_CUTS + 2 * nr_ends; i++) {
		struct cut_result c;
		uint32_t want = 0;
		size_t cut;

		if (i < NR_CUTS)
			cut = GTT_HDR_BYTES + (len - GTT_HDR_BYTES) * i /
			      (NR_CUTS - 1);
		else if ((i - NR_CUTS) % 2)
			cut = ends[(i - NR_CUTS) / 2];
		else
			cut = ends[(i - NR_CUTS) / 2] - 1;
		for (k = 0; k < nr_ends; k++)
			want += ends[k] <= cut;
		decode_cut(buf, cut, &c);
		ASSERT_EQ(0, c.open_err) TH_LOG("cut at %zu: %s", cut,
						gt_error(NULL));
		EXPECT_EQ(0, c.next_err) TH_LOG("cut at %zu", cut);
		EXPECT_EQ(want, c.generations) TH_LOG("cut at %zu", cut);
		EXPECT_EQ(0, c.unresolved)
			TH_LOG("cut at %zu: %zu of %zu stack ids of complete generations unresolved (first %u)",
			       cut, c.unresolved, c.checked, c.first_bad);
		checked += c.checked;
		cuts++;
	}
	TH_LOG("%zu cuts, %zu stack ids of complete generations resolved",
	       cuts, checked);
	EXPECT_LT(0, checked);
}

FIXTURE(fl) {
	int fd;
	struct gtt_bg bg;
	struct gtt_buf buf;
	struct gtt_raw raw;
	struct gt_reader *rd;
	char err[256];
};

FIXTURE_SETUP(fl)
{
	ASSERT_EQ(0, gtt_make_idle());
	self->fd = gtt_open(0);
	ASSERT_LE(0, self->fd);
	memset(&self->raw, 0, sizeof(self->raw));
	memset(&self->buf, 0, sizeof(self->buf));
	self->rd = NULL;
}

FIXTURE_TEARDOWN(fl)
{
	if (self->rd)
		gt_close(self->rd);
	gtt_raw_free(&self->raw);
	gtt_buf_free(&self->buf);
	if (self->fd >= 0)
		close(self->fd);
	gtt_make_idle();
}

TEST_F_TIMEOUT(fl, cut_stream, GTF_TIMEOUT)
{
	struct gotrace_start s = {
		.flags = GOTRACE_START_STACKS,
		.groups = GOTRACE_GROUP_PAGE | GOTRACE_GROUP_SCHED,
		.buffer_size = 1 << 20,
		.flush_ms = GOTRACE_MIN_FLUSH_MS,
	};
	size_t ends[4096], nr;

	GTT_TRACE_START(&s);
	alloc_load(1500);
	GTT_TRACE_STOP();
	nr = gen_ends(self->buf.data, self->buf.len, ends, 4096);
	TH_LOG("%zu bytes, %u batches, %u generations, %u stacks, %llu lost",
	       self->buf.len, self->raw.batches, self->raw.generations,
	       self->raw.stacks, (unsigned long long)self->raw.end.lost);
	EXPECT_EQ(self->raw.generations, nr);
	/* 10 ms generations over 1.5 s of load: many of them. */
	ASSERT_LE(3, nr);
	EXPECT_LT(0, self->raw.stacks);
	check_cuts(_metadata, self->buf.data, self->buf.len, ends, nr);
}

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST_F_TIMEOUT(fl, cut_file, GTF_TIMEOUT)
{
	const char *path = "/tmp/gtf-cut.trace";
	size_t ends[4096], nr;
	struct gtt_buf f = { 0 };
	struct stat sb;
	char cmd[512];
	int fd, rc;

	if (access(GOTRACE_BIN, X_OK))
		SKIP(return, "no %s in this VM", GOTRACE_BIN);
	close(self->fd);
	self->fd = -1;
	snprintf(cmd, sizeof(cmd),
		 "%s record --stacks --flush-ms 10 -b 1M -o %s -- /bin/sh -c 'i=0; while [ $i -lt 40 ]; do dd if=/dev/zero of=/tmp/gtf-f bs=64k count=8 2>/dev/null; rm /tmp/gtf-f; i=$((i+1)); done' >/dev/null 2>&1",
		 GOTRACE_BIN, path);
	rc = run(cmd);
	ASSERT_TRUE(rc == 0 || rc == 2) TH_LOG("gotrace record: exit %d", rc);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &sb));
	f.len = sb.st_size;
	f.data = malloc(f.len);
	ASSERT_NE(NULL, f.data);
	ASSERT_EQ((ssize_t)f.len, read(fd, f.data, f.len));
	close(fd);
	nr = gen_ends(f.data, f.len, ends, 4096);
	TH_LOG("%zu bytes, %zu generations", f.len, nr);
	EXPECT_LE(2, nr);
	check_cuts(_metadata, f.data, f.len, ends, nr);
	/*
	 * head -c, then the tool itself: decodes, says it was cut (inside a
	 * record: "truncated"; on a record boundary: "no END record").
	 */
	snprintf(cmd, sizeof(cmd),
		 "head -c %zu %s >/tmp/gtf-cut2.trace && %s dump /tmp/gtf-cut2.trace >/dev/null 2>/tmp/gtf-dump.err && grep -Eq 'truncated|no END record' /tmp/gtf-dump.err",
		 f.len / 2, path, GOTRACE_BIN);
	EXPECT_EQ(0, run(cmd));
	free(f.data);
	unlink(path);
	unlink("/tmp/gtf-cut2.trace");
}

/* ---- flight recorder ---- */

#define FL_SIZE		(64U << 10)

static int flight_start(int fd, uint32_t size, uint32_t flags)
{
	struct gotrace_start s = {
		.size = sizeof(s),
		.flags = GOTRACE_START_FLIGHT | flags,
		.groups = GOTRACE_GROUP_PAGE | GOTRACE_GROUP_SCHED,
		.buffer_size = size,
		.flush_ms = 50,
	};

	return gtt_start_raw(fd, &s);
}

/* GOTRACE_IOC_SNAPSHOT, read to its end into b: 0 or -errno. */
static int take_snapshot(int fd, struct gotrace_snapshot *sn,
			 struct gtt_buf *b)
{
	int sfd, ret;

	memset(sn, 0, sizeof(*sn));
	sn->size = sizeof(*sn);
	sfd = ioctl(fd, GOTRACE_IOC_SNAPSHOT, sn);
	if (sfd < 0)
		return -errno;
	ret = gtt_read_all(sfd, b, 1 << 16);
	close(sfd);
	return ret;
}

/*
 * A task named comm from its fork on (a COMM names a pid at its first
 * mention; a rename without exec is not followed) faults pages in and
 * exits: its pid, or -1.
 */
static pid_t marker(const char *comm, size_t pages)
{
	pid_t pid, gc = -1;
	int fds[2];

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, comm);
		gc = fork();
		if (gc == 0) {
			void *p = gtt_touch_pages(pages);

			if (p)
				munmap(p, pages * 4096);
			_exit(0);
		}
		if (write(fds[1], &gc, sizeof(gc)) != sizeof(gc))
			_exit(1);
		if (gc > 0)
			waitpid(gc, NULL, 0);
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0) {
		if (read(fds[0], &gc, sizeof(gc)) != sizeof(gc))
			gc = -1;
		waitpid(pid, NULL, 0);
	}
	close(fds[0]);
	return gc;
}

struct snap_seen {
	long events;
	long of_pid;		/* events about the marker */
	const char *comm;	/* its name at the end */
	size_t with_stack;
	size_t unresolved;
	uint64_t seq_gaps;
	int snapshot;
	uint64_t overwritten;
};

/* Decodes a snapshot with libgotrace and looks for pid. */
static void snap_decode(struct __test_metadata *_metadata,
			const struct gtt_buf *b, uint32_t pid,
			struct snap_seen *s)
{
	const struct gt_summary *sum;
	const uint64_t *frames;
	struct gt_reader *r;
	struct gt_event ev;
	uint64_t pids[8];
	unsigned int i, n;
	int ret;

	memset(s, 0, sizeof(*s));
	ASSERT_EQ(0, gt_open_mem(b->data, b->len, &r)) {
		TH_LOG("%s", gt_error(NULL));
	}
	while ((ret = gt_next(r, &ev)) > 0) {
		s->events++;
		n = gt_event_pids(&ev, pids, 8);
		for (i = 0; i < n; i++)
			if (pids[i] == pid) {
				s->of_pid++;
				break;
			}
		if (ev.stack_id) {
			s->with_stack++;
			if (gt_stack(r, ev.stack_id, &frames) <= 0)
				s->unresolved++;
		}
	}
	EXPECT_EQ(0, ret) TH_LOG("%s", gt_error(r));
	sum = gt_summary(r);
	EXPECT_TRUE(sum->complete);
	EXPECT_FALSE(sum->truncated);
	for (i = 0; i < sum->nr_cpus; i++)
		s->seq_gaps += sum->cpus[i].seq_gaps;
	s->snapshot = sum->snapshot;
	s->overwritten = sum->overwritten_batches;
	s->comm = gt_comm(r, pid) ? strdup(gt_comm(r, pid)) : NULL;
	gt_close(r);
}

/* Records, totals and decoding of a snapshot: the stream checks. */
static void snap_check(struct __test_metadata *_metadata,
		       const struct gtt_buf *b, struct gtt_raw *raw)
{
	char err[256];

	gtt_raw_free(raw);
	ASSERT_EQ(0, gtt_raw_parse(b->data, b->len, raw)) {
		TH_LOG("%s", raw->err);
	}
	EXPECT_TRUE(raw->snapshot);
	/* The cgroups its tasks are in: CGROUP records of the file itself. */
	if (raw->batches && (raw->hdr.groups & GOTRACE_GROUP_CGROUP))
		EXPECT_LT(0, raw->cgroups);
	EXPECT_EQ(0, gtt_raw_check_totals(raw)) TH_LOG("%s", raw->err);
	EXPECT_LE(0, gtt_lib_check(b->data, b->len, err, sizeof(err)))
		TH_LOG("%s", err);
}

/* Bytes the trace's CPUs wrote so far, and how many CPUs it traces. */
static uint64_t bytes_written(int fd, unsigned int *traced)
{
	struct gotrace_cpu_stats cs[256];
	struct gotrace_status st;
	uint64_t written = 0;
	unsigned int i;

	*traced = 0;
	if (gtt_status(fd, &st, cs, 256))
		return 0;
	for (i = 0; i < st.nr_cpus && i < 256; i++) {
		*traced += !!(cs[i].flags & GOTRACE_CPU_TRACED);
		written += cs[i].bytes;
	}
	return written;
}

/*
 * alloc_load() for at least ms, and on until the CPUs wrote rings more
 * bytes than when it began (a slow host writes less per second), or 60 s.
 */
static void alloc_load_rings(int fd, unsigned int ms, unsigned int rings)
{
	unsigned int traced, waited;
	uint64_t from = bytes_written(fd, &traced);

	alloc_load(ms);
	for (waited = 0; waited < 60000; waited += 200) {
		if (bytes_written(fd, &traced) - from >=
		    (uint64_t)rings * FL_SIZE * traced)
			break;
		alloc_load(200);
	}
}

TEST_F_TIMEOUT(fl, ring, GTF_TIMEOUT)
{
	struct gotrace_cpu_stats cs[256];
	struct gotrace_status st;
	struct gotrace_snapshot sn1, sn2;
	struct gtt_buf b1 = { 0 }, b2 = { 0 };
	struct snap_seen s1, s2;
	uint64_t batch_bytes = 0, written = 0;
	unsigned int traced = 0, i;
	pid_t m1, m2;
	char buf[8];

	ASSERT_EQ(0, flight_start(self->fd, FL_SIZE, GOTRACE_START_STACKS));
	alloc_load_rings(self->fd, 1500, 5);
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, 256));
	for (i = 0; i < st.nr_cpus && i < 256; i++) {
		traced += !!(cs[i].flags & GOTRACE_CPU_TRACED);
		written += cs[i].bytes;
	}
	TH_LOG("%llu events, %llu lost, %llu bytes written; ring: %llu bytes, %u batches, %u generations, %llu batches overwritten, %.3f s",
	       (unsigned long long)st.events, (unsigned long long)st.lost,
	       (unsigned long long)written,
	       (unsigned long long)st.flight_bytes, st.flight_batches,
	       st.flight_generations,
	       (unsigned long long)st.flight_overwritten,
	       (st.flight_end_ns - st.flight_start_ns) / 1e9);
	EXPECT_EQ(GOTRACE_STATE_TRACING, st.state);
	EXPECT_LT(0, st.flight_overwritten);
	EXPECT_LE(1, st.flight_generations);
	EXPECT_GE((uint64_t)FL_SIZE * traced, st.flight_bytes);
	EXPECT_LT(0, st.flight_bytes);
	/* The workload wrote many times the ring. */
	EXPECT_LT(st.flight_bytes * 4, written);
	EXPECT_LT(st.flight_start_ns, st.flight_end_ns);
	/* Nobody reads a running flight recorder. */
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EBUSY, errno);

	m1 = marker("gtf-mark1", 64);
	ASSERT_LT(0, m1);
	ASSERT_EQ(0, take_snapshot(self->fd, &sn1, &b1));
	EXPECT_EQ(sn1.bytes, b1.len);
	snap_check(_metadata, &b1, &self->raw);
	for (i = 0; i < self->raw.nr_cpus; i++)
		batch_bytes += self->raw.cpu[i].bytes;
	TH_LOG("snapshot 1: %zu bytes (%llu of batches), %u generations, %u batches, %u stacks, window %.3f s, %llu batches overwritten before it",
	       b1.len, (unsigned long long)batch_bytes, sn1.generations,
	       sn1.batches, self->raw.stacks,
	       (sn1.end_ns - sn1.start_ns) / 1e9,
	       (unsigned long long)self->raw.window.overwritten_batches);
	/* Bounded by the ring; the start of the load was overwritten. */
	EXPECT_GE((uint64_t)FL_SIZE * traced, batch_bytes);
	EXPECT_LT(0, self->raw.window.overwritten_batches);
	EXPECT_LT(self->raw.hdr.start_ns + 500000000ULL, sn1.start_ns);
	EXPECT_EQ(sn1.generations, self->raw.generations);
	snap_decode(_metadata, &b1, m1, &s1);
	TH_LOG("snapshot 1: %ld events, %ld of the marker (%s), %zu stacks, %zu unresolved",
	       s1.events, s1.of_pid, s1.comm ? s1.comm : "unnamed",
	       s1.with_stack, s1.unresolved);
	EXPECT_TRUE(s1.snapshot);
	EXPECT_EQ(0, s1.seq_gaps);
	EXPECT_LT(0, s1.of_pid);
	ASSERT_NE(NULL, s1.comm);
	EXPECT_STREQ("gtf-mark1", s1.comm);
	EXPECT_LT(0, s1.with_stack);
	EXPECT_EQ(0, s1.unresolved);

	/* Tracing went on: a second snapshot holds the work since. */
	alloc_load_rings(self->fd, 300, 2);
	m2 = marker("gtf-mark2", 64);
	ASSERT_LT(0, m2);
	ASSERT_EQ(0, take_snapshot(self->fd, &sn2, &b2));
	snap_check(_metadata, &b2, &self->raw);
	snap_decode(_metadata, &b2, m2, &s2);
	TH_LOG("snapshot 2: %zu bytes, %ld events, %ld of marker 2, window %.3f s",
	       b2.len, s2.events, s2.of_pid,
	       (sn2.end_ns - sn2.start_ns) / 1e9);
	EXPECT_LT(sn1.end_ns, sn2.start_ns);
	EXPECT_LT(0, s2.of_pid);
	ASSERT_NE(NULL, s2.comm);
	EXPECT_STREQ("gtf-mark2", s2.comm);
	EXPECT_EQ(0, s2.unresolved);
	EXPECT_EQ(0, s2.seq_gaps);

	/* Stopped: the window stays for a snapshot; a read() ends it. */
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	EXPECT_EQ(GOTRACE_STATE_STOPPED, gtt_state(self->fd));
	gtt_buf_free(&b2);
	EXPECT_EQ(0, take_snapshot(self->fd, &sn2, &b2));
	snap_check(_metadata, &b2, &self->raw);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));
	EXPECT_EQ(-ENODATA, take_snapshot(self->fd, &sn2, &b2));
	free((void *)s1.comm);
	free((void *)s2.comm);
	gtt_buf_free(&b1);
	gtt_buf_free(&b2);
}

TEST_F(fl, snapshot_args)
{
	struct {
		struct gotrace_snapshot sn;
		uint64_t more;
	} big;
	struct gotrace_snapshot sn;
	struct gtt_buf b = { 0 };
	int sfd;

	EXPECT_EQ(-ENODATA, take_snapshot(self->fd, &sn, &b));
	/* A streaming trace has no window. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_SCHED, 0, 0));
	EXPECT_EQ(-EINVAL, take_snapshot(self->fd, &sn, &b));
	ASSERT_EQ(0, gtt_make_idle());
	ASSERT_EQ(0, flight_start(self->fd, FL_SIZE, 0));
	/* The tracer is busy: a second START fails. */
	EXPECT_EQ(-EBUSY, gtt_start(self->fd, 0, 0, 0, 0));

	memset(&sn, 0, sizeof(sn));
	sn.size = 8;
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_SNAPSHOT, &sn));
	EXPECT_EQ(EINVAL, errno);
	sn.size = 4096 + 8;
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_SNAPSHOT, &sn));
	EXPECT_EQ(E2BIG, errno);
	memset(&sn, 0, sizeof(sn));
	sn.size = sizeof(sn);
	sn.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_SNAPSHOT, &sn));
	EXPECT_EQ(EINVAL, errno);
	sn.flags = 0;
	sn.bytes = 1;		/* an output field: 0 in */
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_SNAPSHOT, &sn));
	EXPECT_EQ(EINVAL, errno);
	/* A newer, longer struct: its unknown tail must be zero. */
	memset(&big, 0, sizeof(big));
	big.sn.size = sizeof(big);
	big.more = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_SNAPSHOT, &big));
	EXPECT_EQ(E2BIG, errno);
	big.more = 0;
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_SNAPSHOT, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* A longer zero one and one of the first size work. */
	sfd = ioctl(self->fd, GOTRACE_IOC_SNAPSHOT, &big);
	EXPECT_LE(0, sfd);
	EXPECT_EQ(big.sn.bytes, (uint64_t)lseek(sfd, 0, SEEK_END));
	if (sfd >= 0)
		close(sfd);
	memset(&sn, 0, sizeof(sn));
	sn.size = GOTRACE_SNAPSHOT_SIZE_VER0;
	sfd = ioctl(self->fd, GOTRACE_IOC_SNAPSHOT, &sn);
	EXPECT_LE(0, sfd);
	if (sfd >= 0)
		close(sfd);
	gtt_buf_free(&b);
}

TEST_F_TIMEOUT(fl, hotplug, GTF_TIMEOUT)
{
	struct gotrace_snapshot sn;
	unsigned int i;
	pid_t wl;

	if (access(REL_CPU1_ONLINE, W_OK))
		SKIP(return, "%s not writable", REL_CPU1_ONLINE);
	ASSERT_EQ(0, rel_cpu1_set(1));
	ASSERT_EQ(0, flight_start(self->fd, 256 << 10, GOTRACE_START_STACKS));
	wl = fork();
	ASSERT_LE(0, wl);
	if (wl == 0) {
		rel_workload(100000);
		_exit(0);
	}
	for (i = 0; i < 6; i++) {
		gtt_msleep(150);
		ASSERT_EQ(0, rel_cpu1_set(i % 2 ? 1 : 0)) {
			TH_LOG("cpu1 %s (cycle %u)", i % 2 ? "online" : "offline", i);
		}
		gtt_msleep(100);
		gtt_buf_free(&self->buf);
		ASSERT_EQ(0, take_snapshot(self->fd, &sn, &self->buf));
		snap_check(_metadata, &self->buf, &self->raw);
		TH_LOG("cpu1 %s: snapshot of %zu bytes, %u generations, cpu1 %u batches",
		       i % 2 ? "online" : "offline", self->buf.len,
		       sn.generations, self->raw.cpu[1].batches);
	}
	kill(wl, SIGKILL);
	waitpid(wl, NULL, 0);
	ASSERT_EQ(0, rel_cpu1_set(1));
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	gtt_buf_free(&self->buf);
	ASSERT_EQ(0, take_snapshot(self->fd, &sn, &self->buf));
	snap_check(_metadata, &self->buf, &self->raw);
}

TEST_F_TIMEOUT(fl, cli, GTF_TIMEOUT)
{
	const char *f = "/tmp/gtf-snap.trace";
	char cmd[1024];

	if (access(GOTRACE_BIN, X_OK))
		SKIP(return, "no %s in this VM", GOTRACE_BIN);
	close(self->fd);
	self->fd = -1;
	snprintf(cmd, sizeof(cmd), "%s start --flight 1M -s --flush-ms 20",
		 GOTRACE_BIN);
	ASSERT_EQ(0, run(cmd));
	alloc_load(500);
	snprintf(cmd, sizeof(cmd), "%s status | grep -q '^flight: .*generations'",
		 GOTRACE_BIN);
	EXPECT_EQ(0, run(cmd));
	snprintf(cmd, sizeof(cmd), "%s snapshot -q -o %s", GOTRACE_BIN, f);
	EXPECT_EQ(0, run(cmd));
	/* Every reader takes it, without a warning. */
	snprintf(cmd, sizeof(cmd),
		 "%1$s dump -s %2$s >/dev/null 2>/tmp/gtf.err && "
		 "%1$s stats %2$s >/dev/null 2>>/tmp/gtf.err && "
		 "%1$s convert -f perfetto -o /tmp/gtf.json %2$s 2>>/tmp/gtf.err && "
		 "%1$s report -o /tmp/gtf.html %2$s 2>>/tmp/gtf.err && "
		 "! grep 'warning' /tmp/gtf.err",
		 GOTRACE_BIN, f);
	EXPECT_EQ(0, run(cmd)) {
		run("cat /tmp/gtf.err >&2");
	}
	/* A second one, then stop: the saved files stay readable. */
	snprintf(cmd, sizeof(cmd), "%s snapshot -q -o %s.2 && %s stop && %s stats %s.2 >/dev/null",
		 GOTRACE_BIN, f, GOTRACE_BIN, GOTRACE_BIN, f);
	EXPECT_EQ(0, run(cmd));
	/* No trace, nothing to snapshot: one clear line. */
	ASSERT_EQ(0, gtt_make_idle());
	snprintf(cmd, sizeof(cmd), "%s snapshot -o %s.3 2>/tmp/gtf.err; test $? = 1 && test $(wc -l </tmp/gtf.err) = 1",
		 GOTRACE_BIN, f);
	EXPECT_EQ(0, run(cmd));
	unlink(f);
	snprintf(cmd, sizeof(cmd), "%s.2", f);
	unlink(cmd);
}

TEST_HARNESS_MAIN
