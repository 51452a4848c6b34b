// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_loss: events dropped for want of a free buffer are counted
 * exactly - per batch (lost just before it), per CPU (CPU_END) and in
 * STATUS - and what was written plus what was lost accounts for the
 * workload.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"

#define GTT_TIMEOUT	300
#define NR_PAGES	20000
#define NR_ROUNDS	1000

FIXTURE(loss) {
	int fd;
	int cpu;
};

FIXTURE_SETUP(loss)
{
	int cpus[1];

	GTT_DEVICE_SETUP(0);
	ASSERT_EQ(1, gtt_online_cpus(cpus, 1));
	self->cpu = cpus[0];
	/* The workload runs on one known CPU. */
	ASSERT_EQ(0, gtt_pin_cpu(0, self->cpu));
}

FIXTURE_TEARDOWN(loss)
{
	GTT_DEVICE_TEARDOWN();
}

/* Page faults and round trips on the current (pinned) CPU. */
static int workload(size_t pages, int rounds, int cpu)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t t0, t1;
	pid_t child;
	void *p;
	int ret = 0;

	if (pages) {
		p = gtt_touch_pages(pages);
		if (!p)
			return -ENOMEM;
		munmap(p, pages * psize);
	}
	if (rounds)
		ret = gtt_pingpong(rounds, cpu, &child, &t0, &t1);
	return ret;
}

/* mm_page_alloc events of pid in a stream; -1 on a decoding error. */
static long count_allocs(const struct gtt_buf *b, pid_t pid)
{
	struct gt_reader *r;
	struct gt_event e;
	long n = 0;
	int ret;

	if (gt_open_mem(b->data, b->len, &r))
		return -1;
	while ((ret = gt_next(r, &e)) > 0)
		if (e.type == GOTRACE_EV_MM_PAGE_ALLOC &&
		    e.args[4] == (uint64_t)pid && e.args[0] != ~0ULL)
			n++;
	gt_close(r);
	return ret < 0 ? -1 : n;
}

#define CHECK_STREAM(buf, raw) do {					\
	const struct gtt_buf *__buf = (buf);				\
	struct gtt_raw *__raw = (raw);					\
	char __err[256];						\
									\
	ASSERT_EQ(0, gtt_raw_parse(__buf->data, __buf->len, __raw)) {	\
		TH_LOG("raw stream: %s", __raw->err);			\
	}								\
	ASSERT_EQ(0, gtt_raw_check_totals(__raw)) {			\
		TH_LOG("totals: %s", __raw->err);			\
	}								\
	ASSERT_LE(0, gtt_lib_check(__buf->data, __buf->len, __err,	\
				   sizeof(__err))) {			\
		TH_LOG("libgotrace: %s", __err);			\
	}								\
} while (0)

TEST_F_TIMEOUT(loss, tiny_buffer_counts_loss, GTT_TIMEOUT)
{
	struct gotrace_cpu_stats *cs;
	struct gotrace_status st;
	struct gtt_buf tiny = { 0 };
	struct gtt_raw raw, ref;
	struct gtt_bg bg;
	uint64_t tiny_total, ref_total, max_batches;
	long seen, ref_seen;
	pid_t me = getpid();
	uint32_t c;
	int cpu = self->cpu;

	/* 1. Smallest buffers, nobody reading: most events are lost. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_ALL,
			       GOTRACE_MIN_BUFFER_SIZE, 0));
	ASSERT_EQ(0, workload(NR_PAGES, NR_ROUNDS, cpu));
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	cs = calloc(st.nr_cpus, sizeof(*cs));
	ASSERT_NE(NULL, cs);
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, st.nr_cpus));
	ASSERT_EQ(0, gtt_read_all(self->fd, &tiny, 1 << 20));
	CHECK_STREAM(&tiny, &raw);

	EXPECT_LT(0, raw.cpu[cpu].end.lost);
	EXPECT_LT(0, raw.end.lost);
	EXPECT_EQ(st.events, raw.end.events);
	EXPECT_EQ(st.lost, raw.end.lost);
	max_batches = raw.hdr.buffer_size / raw.hdr.batch_size;
	for (c = 0; c < raw.nr_cpus; c++) {
		EXPECT_EQ(cs[c].events, raw.cpu[c].end.events);
		EXPECT_EQ(cs[c].lost, raw.cpu[c].end.lost);
		EXPECT_EQ(cs[c].batches, raw.cpu[c].end.batches);
		/* No reader gave a buffer back: each was filled once. */
		EXPECT_LE(raw.cpu[c].end.batches, max_batches) {
			TH_LOG("cpu %u: %u batches from %llu buffers", c,
			       raw.cpu[c].end.batches,
			       (unsigned long long)max_batches);
		}
	}
	/*
	 * Every one of the NR_PAGES faults ran on cpu and fired
	 * mm_page_alloc there: written, or counted in that CPU's lost.
	 */
	seen = count_allocs(&tiny, me);
	ASSERT_LE(0, seen);
	EXPECT_LT(seen, NR_PAGES);
	EXPECT_GE(seen + raw.cpu[cpu].end.lost, NR_PAGES) {
		TH_LOG("%ld allocs seen + %llu lost < %d pages", seen,
		       (unsigned long long)raw.cpu[cpu].end.lost, NR_PAGES);
	}
	tiny_total = raw.cpu[cpu].end.events + raw.cpu[cpu].end.lost;
	gtt_raw_free(&raw);
	gtt_buf_free(&tiny);

	/* 2. The same workload with room and a reader: nothing is lost. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_ALL, 0, 50));
	ASSERT_EQ(0, gtt_bg_start(&bg, self->fd, 1 << 20));
	EXPECT_EQ(0, workload(NR_PAGES, NR_ROUNDS, cpu));
	EXPECT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_bg_join(&bg));
	CHECK_STREAM(&bg.buf, &ref);
	EXPECT_EQ(0, ref.cpu[cpu].end.lost);
	ref_seen = count_allocs(&bg.buf, me);
	/*
	 * One alloc per touched page, plus a few page-table pages and
	 * whatever else this task allocates (pipe buffers, stacks).
	 */
	EXPECT_GE(ref_seen, NR_PAGES);
	EXPECT_LE(ref_seen, NR_PAGES + NR_PAGES / 8 + 256);
	ref_total = ref.cpu[cpu].end.events + ref.cpu[cpu].end.lost;
	/*
	 * Written + lost is what the CPU produced.  Both runs did the same
	 * work on that CPU; other tasks (the reader thread in run 2,
	 * kworkers, the harness) add some noise, but the workload's ~60000
	 * events (allocs, frees, switches, wakeups) dominate both counts:
	 * within a quarter of each other, both ways, so that losses counted
	 * twice (or not at all) fail.
	 */
	TH_LOG("cpu %d: tiny run %llu events+lost, reference %llu, allocs %ld/%ld",
	       cpu, (unsigned long long)tiny_total,
	       (unsigned long long)ref_total, seen, ref_seen);
	EXPECT_GE(5 * tiny_total, 4 * ref_total);
	EXPECT_LE(4 * tiny_total, 5 * ref_total);
	gtt_raw_free(&ref);
	gtt_buf_free(&bg.buf);
	free(cs);
}

TEST_F_TIMEOUT(loss, batch_reports_loss, GTT_TIMEOUT)
{
	struct gotrace_status st;
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	int cpu = self->cpu, nfd, i;
	ssize_t n = 0;

	nfd = gtt_open(O_NONBLOCK);
	ASSERT_LE(0, nfd);
	ASSERT_EQ(0, gtt_start(nfd, 0, GOTRACE_GROUP_ALL,
			       GOTRACE_MIN_BUFFER_SIZE, GOTRACE_MAX_FLUSH_MS));
	/* Fill every buffer of cpu and lose more. */
	ASSERT_EQ(0, workload(4000, 0, cpu));
	ASSERT_EQ(0, gtt_status(nfd, &st, NULL, 0));
	EXPECT_LT(0, st.lost);
	/* Take the full buffers: they become free again. */
	for (i = 0; i < 1000; i++) {
		n = gtt_read_once(nfd, &b, 1 << 20);
		if (n <= 0)
			break;
	}
	EXPECT_EQ(-EAGAIN, n);
	/* The next batch of cpu starts with the count of the lost. */
	ASSERT_EQ(0, workload(200, 0, cpu));
	ASSERT_EQ(0, gtt_stop(nfd, 0));
	ASSERT_EQ(0, gtt_status(nfd, &st, NULL, 0));
	ASSERT_EQ(0, gtt_read_all(nfd, &b, 1 << 20));
	close(nfd);
	CHECK_STREAM(&b, &raw);
	EXPECT_LE(1, raw.cpu[cpu].lost_batches);
	EXPECT_LT(0, raw.cpu[cpu].lost);
	EXPECT_LE(raw.cpu[cpu].lost, raw.cpu[cpu].end.lost);
	EXPECT_EQ(st.lost, raw.end.lost);
	EXPECT_EQ(st.events, raw.end.events);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

TEST_F_TIMEOUT(loss, status_counts_while_tracing, GTT_TIMEOUT)
{
	struct gotrace_cpu_stats *cs;
	struct gotrace_status st, st2;
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	uint64_t lost;
	uint32_t c;

	ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_PAGE,
			       GOTRACE_MIN_BUFFER_SIZE, 0));
	ASSERT_EQ(0, workload(4000, 0, self->cpu));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	cs = calloc(st.nr_cpus, sizeof(*cs));
	ASSERT_NE(NULL, cs);
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, st.nr_cpus));
	EXPECT_EQ(GOTRACE_STATE_TRACING, st.state);
	lost = 0;
	for (c = 0; c < st.nr_cpus; c++)
		lost += cs[c].lost;
	EXPECT_EQ(lost, st.lost);
	EXPECT_LE(4000 / 2, cs[self->cpu].lost);
	/* Counters only grow. */
	ASSERT_EQ(0, workload(100, 0, self->cpu));
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st2, NULL, 0));
	EXPECT_LE(st.lost, st2.lost);
	EXPECT_LE(st.events, st2.events);
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(&b, &raw);
	EXPECT_EQ(st2.lost, raw.end.lost);
	EXPECT_EQ(st2.events, raw.end.events);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
	free(cs);
}

TEST_HARNESS_MAIN
