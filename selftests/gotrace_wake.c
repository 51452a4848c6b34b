// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_wake: when the reader of /dev/gotrace is woken.  Full batches
 * do not wake it one by one: a CPU's queued batches wake it once they
 * reach half of that CPU's pool, and otherwise the flush work does, once
 * a flush period, as do STOP and the rest.  So a reader blocked in read()
 * or poll() sleeps through a few full batches, is woken with half the
 * pool still free, and loses nothing.
 *
 * Small batches (the module's test_batch_size) make a pool of POOL_BATCHES
 * batches per CPU that a pinned ping-pong fills in a fraction of a second,
 * even under TCG.  The flush period is long (FLUSH_MS) so that only the
 * watermark or STOP can wake the reader within the test's windows: each
 * "not woken" window (QUIET_MS) and each "woken" deadline (WAKE_MS) is
 * far shorter than the flush period, and the whole fill is checked to
 * finish well before it (see fill_cpu()).  Under TCG (2 vCPUs, Debian
 * 6.12) the six cases took 7.6 s together, their four 1 s quiet windows
 * included: each fill is a small fraction of FLUSH_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"

#define GTT_TIMEOUT	180
#define NSEC_PER_MSEC	1000000ULL
#define BATCH_PARAM	"/sys/module/gotrace/parameters/test_batch_size"
#define BATCH_SIZE	4096U
#define POOL_BATCHES	32U
#define MARK		(POOL_BATCHES / 2)	/* the documented watermark */
/* Longer than the whole test: only the watermark or STOP wakes the reader. */
#define FLUSH_MS	30000U
#define QUIET_MS	1000U	/* a reader below the mark stays asleep this long */
#define WAKE_MS		5000U	/* a reader at the mark is woken within this */
#define MAX_CPUS	1024

/* A reader thread, blocked in read() or in poll() then read(). */
struct waiter {
	pthread_t thread;
	int fd;
	int cpu;			/* pinned there; -1: not pinned */
	bool use_poll;
	struct gtt_buf buf;
	pthread_mutex_t lock;
	uint64_t woken_ns;		/* its first read with data returned */
	size_t first_off, first_len;	/* what that read returned */
	int err;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
	bool first = true;

	if (w->cpu >= 0 && gtt_pin_cpu(0, w->cpu)) {
		w->err = -errno;
		return NULL;
	}
	for (;;) {
		size_t off = w->buf.len;
		ssize_t n;

		if (w->use_poll && poll(&pfd, 1, -1) < 0) {
			w->err = -errno;
			break;
		}
		n = gtt_read_once(w->fd, &w->buf, 1 << 20);
		if (n < 0) {
			w->err = (int)n;
			break;
		}
		if (n == 0)
			break;
		if (first) {
			pthread_mutex_lock(&w->lock);
			w->woken_ns = gtt_now_ns();
			w->first_off = off;
			w->first_len = n;
			pthread_mutex_unlock(&w->lock);
			first = false;
		}
	}
	return NULL;
}

static uint64_t waiter_woken(struct waiter *w)
{
	uint64_t ns;

	pthread_mutex_lock(&w->lock);
	ns = w->woken_ns;
	pthread_mutex_unlock(&w->lock);
	return ns;
}

/* Waits up to ms for the reader's first data; its time, or 0. */
static uint64_t waiter_wait(struct waiter *w, unsigned int ms)
{
	uint64_t end = gtt_now_ns() + ms * NSEC_PER_MSEC, ns;

	while (!(ns = waiter_woken(w)) && gtt_now_ns() < end)
		gtt_msleep(10);
	return ns;
}

/* BATCH records of cpu in len bytes of whole records at p. */
static unsigned int batches_of(const uint8_t *p, size_t len, uint32_t cpu)
{
	unsigned int n = 0;
	size_t off = 0;

	while (off + sizeof(struct gotrace_record) <= len) {
		struct gotrace_record rec;
		struct gotrace_batch bh;

		memcpy(&rec, p + off, sizeof(rec));
		if (rec.len < sizeof(rec) || rec.len > len - off)
			break;
		if (rec.type == GOTRACE_REC_BATCH && rec.len >= sizeof(bh)) {
			memcpy(&bh, p + off, sizeof(bh));
			n += bh.cpu == cpu;
		}
		off += rec.len;
	}
	return n;
}

/* Batches cpu has queued so far (STATUS), or -errno. */
static long cpu_batches(int fd, int cpu)
{
	static struct gotrace_cpu_stats cs[MAX_CPUS];
	struct gotrace_status st;
	int err = gtt_status(fd, &st, cs, MAX_CPUS);

	if (err)
		return err;
	if ((uint32_t)cpu >= st.nr_cpus || cpu >= MAX_CPUS)
		return -ERANGE;
	return cs[cpu].batches;
}

/*
 * Ping-pong on cpu (this thread is pinned there) until cpu has queued at
 * least target batches.  Each step is a few dozen round trips, a fraction
 * of a batch, so the fill stops within a batch or two of target.  0 or
 * -errno.
 */
static int fill_cpu(int fd, int cpu, unsigned int target)
{
	for (;;) {
		uint64_t t0, t1;
		pid_t child;
		long n = cpu_batches(fd, cpu);
		int err;

		if (n < 0)
			return (int)n;
		if (n >= target)
			return 0;
		err = gtt_pingpong(20, cpu, &child, &t0, &t1);
		if (err)
			return err;
	}
}

FIXTURE(wake) {
	int fd;
	int cpu;		/* filled */
	int other;		/* the reader's, or -1 with one CPU */
	struct waiter w;
	uint64_t start_ns;
};

FIXTURE_VARIANT(wake) {
	bool use_poll;
};

FIXTURE_VARIANT_ADD(wake, read) {
	.use_poll = false,
};

FIXTURE_VARIANT_ADD(wake, poll) {
	.use_poll = true,
};

FIXTURE_SETUP(wake)
{
	int cpus[MAX_CPUS], n;

	ASSERT_EQ(0, gtt_write_str(BATCH_PARAM, "4096")) {
		TH_LOG("cannot set %s", BATCH_PARAM);
	}
	GTT_DEVICE_SETUP(0);
	n = gtt_online_cpus(cpus, MAX_CPUS);
	ASSERT_LE(1, n);
	self->cpu = cpus[0];
	self->other = n > 1 ? cpus[1] : -1;
	memset(&self->w, 0, sizeof(self->w));
	pthread_mutex_init(&self->w.lock, NULL);
	self->w.fd = -1;
}

FIXTURE_TEARDOWN(wake)
{
	if (self->fd >= 0)
		close(self->fd);
	gtt_make_idle();
	gtt_write_str(BATCH_PARAM, "0");
	gtt_buf_free(&self->w.buf);
}

/*
 * START with POOL_BATCHES batches per CPU and flush period flush_ms, the
 * sched events only; reads what is ready (the header) and starts the
 * reader thread blocked on the first batch.
 */
static int start_waiter(struct waiter *w, int fd, int other, bool use_poll,
			uint32_t flush_ms, uint64_t *start_ns)
{
	int err;

	err = gtt_start(fd, 0, GOTRACE_GROUP_SCHED,
			POOL_BATCHES * BATCH_SIZE, flush_ms);
	if (err)
		return err;
	*start_ns = gtt_now_ns();
	if (gtt_read_ready(fd, &w->buf) < (ssize_t)GTT_HDR_BYTES)
		return -EIO;
	w->fd = fd;
	w->cpu = other;
	w->use_poll = use_poll;
	return -pthread_create(&w->thread, NULL, waiter_fn, w);
}

/* STOP, the reader reads to the end; the stream is complete, nothing lost. */
#define STOP_AND_CHECK() do {						\
	struct gotrace_status __st;					\
	struct gtt_raw __raw;						\
	char __err[256];						\
									\
	ASSERT_EQ(0, gtt_stop(self->fd, 0));				\
	pthread_join(self->w.thread, NULL);				\
	ASSERT_EQ(0, self->w.err);					\
	ASSERT_EQ(0, gtt_status(self->fd, &__st, NULL, 0));		\
	EXPECT_EQ(0, __st.lost);					\
	ASSERT_EQ(0, gtt_raw_parse(self->w.buf.data,			\
				   self->w.buf.len, &__raw)) {		\
		TH_LOG("raw stream: %s", __raw.err);			\
	}								\
	/* Every batch of every CPU, in seq order, none lost. */	\
	EXPECT_EQ(0, gtt_raw_check_totals(&__raw)) {			\
		TH_LOG("totals: %s", __raw.err);			\
	}								\
	EXPECT_EQ(0, __raw.end.lost);					\
	EXPECT_LE(0, gtt_lib_check(self->w.buf.data,			\
				   self->w.buf.len, __err,		\
				   sizeof(__err))) {			\
		TH_LOG("libgotrace: %s", __err);			\
	}								\
	gtt_raw_free(&__raw);						\
} while (0)

/*
 * Two full batches on one CPU, far below the mark, don't wake the reader;
 * filling half the pool does, well before the flush period, and the
 * first read then holds at least MARK batches of that CPU.
 */
TEST_F_TIMEOUT(wake, half_pool_wakes_reader, GTT_TIMEOUT)
{
	struct waiter *w = &self->w;
	uint64_t marked, woken;
	long queued;

	ASSERT_EQ(0, start_waiter(&self->w, self->fd, self->other,
				  variant->use_poll, FLUSH_MS, &self->start_ns));
	ASSERT_EQ(0, fill_cpu(self->fd, self->cpu, 2));
	queued = cpu_batches(self->fd, self->cpu);
	ASSERT_LE(2, queued);
	ASSERT_GT(MARK, queued);
	gtt_msleep(QUIET_MS);
	EXPECT_EQ(0, waiter_woken(w)) {
		TH_LOG("woken with %ld batches of cpu %d queued, mark %u",
		       queued, self->cpu, MARK);
	}

	ASSERT_EQ(0, fill_cpu(self->fd, self->cpu, MARK));
	marked = gtt_now_ns();
	woken = waiter_wait(w, WAKE_MS);
	EXPECT_NE(0, woken);
	if (woken) {
		EXPECT_GT(marked + WAKE_MS * NSEC_PER_MSEC, woken);
		pthread_mutex_lock(&w->lock);
		EXPECT_LE(MARK, batches_of(w->buf.data + w->first_off,
					   w->first_len, self->cpu));
		pthread_mutex_unlock(&w->lock);
	}
	/* All of it well inside the flush period: no flush woke it. */
	EXPECT_GT(self->start_ns + FLUSH_MS / 2 * NSEC_PER_MSEC, gtt_now_ns());
	STOP_AND_CHECK();
}

/* Below the mark, STOP wakes the reader at once, with those batches. */
TEST_F_TIMEOUT(wake, below_mark_until_stop, GTT_TIMEOUT)
{
	struct waiter *w = &self->w;
	uint64_t stopped, woken;

	ASSERT_EQ(0, start_waiter(&self->w, self->fd, self->other,
				  variant->use_poll, FLUSH_MS, &self->start_ns));
	ASSERT_EQ(0, fill_cpu(self->fd, self->cpu, 2));
	gtt_msleep(QUIET_MS);
	EXPECT_EQ(0, waiter_woken(w));
	EXPECT_GT(self->start_ns + FLUSH_MS / 2 * NSEC_PER_MSEC, gtt_now_ns());
	stopped = gtt_now_ns();
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	woken = waiter_wait(w, WAKE_MS);
	EXPECT_NE(0, woken);
	EXPECT_GT(stopped + WAKE_MS * NSEC_PER_MSEC, woken);
	pthread_join(w->thread, NULL);
	ASSERT_EQ(0, w->err);
	EXPECT_LE(2, batches_of(w->buf.data + w->first_off, w->first_len,
				self->cpu));
	{
		struct gtt_raw raw;

		ASSERT_EQ(0, gtt_raw_parse(w->buf.data, w->buf.len, &raw)) {
			TH_LOG("raw stream: %s", raw.err);
		}
		EXPECT_EQ(0, gtt_raw_check_totals(&raw)) {
			TH_LOG("totals: %s", raw.err);
		}
		EXPECT_EQ(0, raw.end.lost);
		gtt_raw_free(&raw);
	}
}

/*
 * Below the mark, full batches still reach a blocked reader within about
 * a flush period: the flush work wakes it.  The period (1 s) is the
 * default; the deadline leaves room for a deferrable work under TCG.
 */
TEST_F_TIMEOUT(wake, below_mark_within_flush_period, GTT_TIMEOUT)
{
	struct waiter *w = &self->w;
	uint64_t filled, woken;

	ASSERT_EQ(0, start_waiter(&self->w, self->fd, self->other,
				  variant->use_poll, 1000, &self->start_ns));
	ASSERT_EQ(0, fill_cpu(self->fd, self->cpu, 2));
	filled = gtt_now_ns();
	woken = waiter_wait(w, 10000);
	EXPECT_NE(0, woken);
	EXPECT_GT(filled + 10000 * NSEC_PER_MSEC, woken);
	if (woken) {
		pthread_mutex_lock(&w->lock);
		EXPECT_LE(1, batches_of(w->buf.data + w->first_off,
					w->first_len, self->cpu));
		pthread_mutex_unlock(&w->lock);
	}
	STOP_AND_CHECK();
}

TEST_HARNESS_MAIN
