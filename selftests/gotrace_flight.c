// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_flight: generations and the flight recorder (issue 13).
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"

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

	ASSERT_EQ(0, gtt_trace_start(self->fd, &s, &self->bg));
	alloc_load(1500);
	ASSERT_EQ(0, gtt_trace_stop(self->fd, &self->bg, &self->buf,
				    &self->raw, &self->rd, self->err,
				    sizeof(self->err))) {
		TH_LOG("%s", self->err);
	}
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
	ASSERT_TRUE(f.data != NULL);
	ASSERT_EQ((ssize_t)f.len, read(fd, f.data, f.len));
	close(fd);
	nr = gen_ends(f.data, f.len, ends, 4096);
	TH_LOG("%zu bytes, %zu generations", f.len, nr);
	EXPECT_LE(2, nr);
	check_cuts(_metadata, f.data, f.len, ends, nr);
	/* head -c, then the tool itself: decodes, says it was cut */
	snprintf(cmd, sizeof(cmd),
		 "head -c %zu %s >/tmp/gtf-cut2.trace && %s dump /tmp/gtf-cut2.trace >/dev/null 2>/tmp/gtf-dump.err && grep -q truncated /tmp/gtf-dump.err",
		 f.len / 2, path, GOTRACE_BIN);
	EXPECT_EQ(0, run(cmd));
	free(f.data);
	unlink(path);
	unlink("/tmp/gtf-cut2.trace");
}

TEST_HARNESS_MAIN
