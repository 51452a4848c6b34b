// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_device: the rules of /dev/gotrace - ioctl arguments and states,
 * the stream that read() returns, blocking, signals, poll, one reader at a
 * time, privilege, module unload.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"

#define GTT_TIMEOUT	120
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

#define MODULE_PATH	"/gotrace.ko"
#define MODULE_NAME	"gotrace"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	GTT_DEVICE_SETUP(0);
}

FIXTURE_TEARDOWN(dev)
{
	GTT_DEVICE_TEARDOWN();
}

/* A little of everything: a fork, page faults, a sleep. */
static void small_workload(void)
{
	long psize = sysconf(_SC_PAGESIZE);
	void *p;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	p = gtt_touch_pages(16);
	if (p)
		munmap(p, 16 * psize);
	gtt_msleep(30);
}

/* Parses a complete stream with both parsers; 0 or fails the test. */
#define CHECK_STREAM(buf, len, raw) do {				\
	const void *__buf = (buf);					\
	size_t __len = (len);						\
	struct gtt_raw *__raw = (raw);					\
	char __err[256];						\
									\
	ASSERT_EQ(0, gtt_raw_parse(__buf, __len, __raw)) {		\
		TH_LOG("raw stream: %s", __raw->err);			\
	}								\
	ASSERT_LE(0, gtt_lib_check(__buf, __len, __err, sizeof(__err))) { \
		TH_LOG("libgotrace: %s", __err);			\
	}								\
} while (0)

#define CHECK_TOTALS(raw) do {						\
	struct gtt_raw *__raw = (raw);					\
									\
	ASSERT_EQ(0, gtt_raw_check_totals(__raw)) {			\
		TH_LOG("totals: %s", __raw->err);			\
	}								\
} while (0)

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* SIGALRM after ms, with a handler that does not restart syscalls. */
static void arm_alarm(unsigned int ms)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_alarm(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_IGN);
}

/* Stops the trace from another thread after a delay. */
struct delayed_stop {
	pthread_t thread;
	int fd;
	unsigned int ms;
	unsigned long flags;
	uint64_t at;		/* when STOP was issued */
	int ret;
};

static void *delayed_stop_fn(void *arg)
{
	struct delayed_stop *ds = arg;

	gtt_msleep(ds->ms);
	ds->at = gtt_now_ns();
	ds->ret = gtt_stop(ds->fd, ds->flags);
	return NULL;
}

TEST_F_TIMEOUT(dev, header_first, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	struct gotrace_header h;
	struct gotrace_status st;
	struct gtt_raw raw;
	struct utsname u;
	struct timespec rt;
	uint64_t t0, t1, t2, t3, real;

	ASSERT_EQ(0, uname(&u));
	t0 = gtt_now_ns();
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	t1 = gtt_now_ns();
	clock_gettime(CLOCK_REALTIME, &rt);
	real = (uint64_t)rt.tv_sec * NSEC_PER_SEC + rt.tv_nsec;
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	small_workload();
	t2 = gtt_now_ns();
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	t3 = gtt_now_ns();
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));

	ASSERT_GE(b.len, GTT_HDR_BYTES);
	ASSERT_EQ(0, memcmp(b.data, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN));
	memcpy(&h, b.data + GOTRACE_MAGIC_LEN, sizeof(h));
	EXPECT_EQ(GOTRACE_REC_HEADER, h.rec.type);
	EXPECT_EQ(sizeof(h), h.rec.len);
	EXPECT_EQ(GOTRACE_VERSION, h.version);
	EXPECT_GE(h.nr_cpus, (uint32_t)sysconf(_SC_NPROCESSORS_CONF));
	EXPECT_EQ(st.nr_cpus, h.nr_cpus);
	EXPECT_EQ(GOTRACE_CLOCK_MONO, h.clock);
	EXPECT_EQ((uint32_t)sysconf(_SC_PAGESIZE), h.page_size);
	EXPECT_GE(h.start_ns, t0);
	EXPECT_LE(h.start_ns, t1);
	/* Realtime may be stepped, but not by a minute during the test. */
	EXPECT_LT(h.start_realtime_ns, real + 60 * NSEC_PER_SEC);
	EXPECT_GT(h.start_realtime_ns + 60 * NSEC_PER_SEC, real);
	EXPECT_EQ(st.trace_id, h.trace_id);
	EXPECT_NE(0, h.trace_id);
	EXPECT_EQ(GOTRACE_GROUP_ALL, h.groups);
	EXPECT_EQ(GOTRACE_DEFAULT_BUFFER_SIZE, h.buffer_size);
	EXPECT_EQ(GOTRACE_DEFAULT_FLUSH_MS, h.flush_ms);
	EXPECT_EQ(0, h.start_flags);
	EXPECT_EQ(0, h.missing);
	EXPECT_NE(0, h.batch_size);
	EXPECT_EQ(0, h.batch_size & (h.batch_size - 1));
	EXPECT_LE(h.batch_size, h.buffer_size);
	ASSERT_NE(NULL, memchr(h.release, 0, sizeof(h.release)));
	ASSERT_NE(NULL, memchr(h.machine, 0, sizeof(h.machine)));
	EXPECT_STREQ(u.release, h.release);
	EXPECT_STREQ(u.machine, h.machine);

	CHECK_STREAM(b.data, b.len, &raw);
	CHECK_TOTALS(&raw);
	EXPECT_GE(raw.end.stop_ns, t2);
	EXPECT_LE(raw.end.stop_ns, t3);
	EXPECT_EQ(h.nr_cpus, raw.end.nr_cpus);
	EXPECT_EQ(0, raw.end.reader_skipped);
	EXPECT_LT(0, raw.batches);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

TEST_F_TIMEOUT(dev, idle_read_eof, GTT_TIMEOUT)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	char buf[64];
	int nfd;

	ASSERT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	nfd = gtt_open(O_NONBLOCK);
	ASSERT_LE(0, nfd);
	EXPECT_EQ(0, read(nfd, buf, sizeof(buf)));
	close(nfd);
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);
	/* A STOP with nothing to stop. */
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, 0));
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, GOTRACE_STOP_WAIT));
}

TEST_F_TIMEOUT(dev, blocking_read_woken_by_flush, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	struct gotrace_record rec;
	struct gtt_raw raw;
	uint64_t t0, t1;
	ssize_t n;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 100));
	ASSERT_LE((ssize_t)GTT_HDR_BYTES, gtt_read_ready(self->fd, &b));
	/*
	 * Nothing fills a 64 KiB batch here: only the periodic flush of
	 * partial buffers (this task's own sched_switch is one event) can
	 * end this read while the trace runs.
	 */
	t0 = gtt_now_ns();
	n = gtt_read_once(self->fd, &b, 1 << 20);
	t1 = gtt_now_ns();
	ASSERT_LT(0, n);
	EXPECT_LT(t1 - t0, 10 * NSEC_PER_SEC);
	EXPECT_EQ(GOTRACE_STATE_TRACING, gtt_state(self->fd));
	/* What the read returned starts a batch. */
	ASSERT_GE(n, (ssize_t)sizeof(rec));
	memcpy(&rec, b.data + b.len - n, sizeof(rec));
	EXPECT_EQ(GOTRACE_REC_BATCH, rec.type);

	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(b.data, b.len, &raw);
	CHECK_TOTALS(&raw);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

TEST_F_TIMEOUT(dev, blocking_read_woken_by_stop, GTT_TIMEOUT)
{
	struct delayed_stop ds = { .ms = 300 };
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	uint64_t t0, t1;

	/* The longest flush period: only STOP can end the read soon. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, GOTRACE_MAX_FLUSH_MS));
	ASSERT_EQ((ssize_t)GTT_HDR_BYTES,
		  gtt_read_once(self->fd, &b, GTT_HDR_BYTES));
	ds.fd = gtt_open(0);
	ASSERT_LE(0, ds.fd);
	ASSERT_EQ(0, pthread_create(&ds.thread, NULL, delayed_stop_fn, &ds));
	t0 = gtt_now_ns();
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	t1 = gtt_now_ns();
	pthread_join(ds.thread, NULL);
	close(ds.fd);
	ASSERT_EQ(0, ds.ret);
	EXPECT_LT(t1 - t0, 20 * NSEC_PER_SEC);
	EXPECT_GE(t1, ds.at);
	EXPECT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));
	CHECK_STREAM(b.data, b.len, &raw);
	CHECK_TOTALS(&raw);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

TEST_F_TIMEOUT(dev, eof_after_stop_and_next_trace, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	struct gotrace_status st;
	struct gtt_raw raw;
	uint64_t id;
	char c;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	id = st.trace_id;
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 4096));
	EXPECT_EQ(0, read(self->fd, &c, 1));
	EXPECT_EQ(0, read(self->fd, &c, 1));
	EXPECT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, 0));
	CHECK_STREAM(b.data, b.len, &raw);
	EXPECT_EQ(id, raw.hdr.trace_id);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);

	/* The same fd reads the next trace from its magic. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 4096));
	CHECK_STREAM(b.data, b.len, &raw);
	EXPECT_EQ(id + 1, raw.hdr.trace_id);
	EXPECT_EQ(0, read(self->fd, &c, 1));
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

/* One trace of small_workload() read by a thread with read()s of chunk. */
static int record_small(int fd, size_t chunk, struct gtt_buf *out)
{
	struct gtt_bg bg;
	int ret;

	ret = gtt_start(fd, 0, 0, 0, 20);
	if (ret)
		return ret;
	ret = gtt_bg_start(&bg, fd, chunk);
	if (ret) {
		gtt_stop(fd, 0);
		return ret;
	}
	small_workload();
	small_workload();
	ret = gtt_stop(fd, 0);
	if (gtt_bg_join(&bg) && !ret)
		ret = bg.err;
	*out = bg.buf;
	return ret;
}

TEST_F_TIMEOUT(dev, read_sizes, GTT_TIMEOUT)
{
	static const size_t chunks[] = { 1, 7, 4096, 1 << 20, 0 };
	struct gtt_buf b;
	struct gtt_raw raw;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(chunks); i++) {
		TH_LOG("read() size %zu%s", chunks[i],
		       chunks[i] ? "" : " (random mix)");
		memset(&b, 0, sizeof(b));
		ASSERT_EQ(0, record_small(self->fd, chunks[i], &b));
		CHECK_STREAM(b.data, b.len, &raw);
		CHECK_TOTALS(&raw);
		EXPECT_LT(0, raw.batches);
		EXPECT_EQ(0, raw.end.reader_skipped);
		gtt_raw_free(&raw);
		gtt_buf_free(&b);
	}
}

TEST_F_TIMEOUT(dev, nonblock_eagain, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	ssize_t n = 0;
	int i, nfd;

	nfd = gtt_open(O_NONBLOCK);
	ASSERT_LE(0, nfd);
	ASSERT_EQ(0, gtt_start(nfd, 0, 0, 0, GOTRACE_MAX_FLUSH_MS));
	for (i = 0; i < 1000; i++) {
		n = gtt_read_once(nfd, &b, 1 << 20);
		if (n <= 0)
			break;
	}
	EXPECT_EQ(-EAGAIN, n);
	EXPECT_GE(b.len, GTT_HDR_BYTES);
	ASSERT_EQ(0, gtt_stop(nfd, 0));
	/* Stopped: everything is ready, no EAGAIN until EOF. */
	ASSERT_EQ(0, gtt_read_all(nfd, &b, 1 << 20));
	EXPECT_EQ(0, read(nfd, &i, 1));
	close(nfd);
	CHECK_STREAM(b.data, b.len, &raw);
	CHECK_TOTALS(&raw);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

TEST_F_TIMEOUT(dev, second_reader_ebusy, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 }, b2 = { 0 };
	struct gotrace_status st;
	struct gtt_raw raw;
	char c;
	int fd2;

	fd2 = gtt_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, GOTRACE_MAX_FLUSH_MS));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(0, st.reader);
	ASSERT_EQ((ssize_t)GTT_HDR_BYTES,
		  gtt_read_once(self->fd, &b, GTT_HDR_BYTES));
	ASSERT_EQ(0, gtt_status(fd2, &st, NULL, 0));
	EXPECT_EQ(1, st.reader);
	EXPECT_EQ(-1, read(fd2, &c, 1));
	EXPECT_EQ(EBUSY, errno);
	/* Still busy after the trace stopped, the owner is open. */
	ASSERT_EQ(0, gtt_stop(fd2, 0));
	EXPECT_EQ(-1, read(fd2, &c, 1));
	EXPECT_EQ(EBUSY, errno);

	/* The owner goes away: fd2 gets the whole stream, from its magic. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, gtt_status(fd2, &st, NULL, 0));
	EXPECT_EQ(0, st.reader);
	ASSERT_EQ(0, gtt_read_all(fd2, &b2, 1 << 20));
	CHECK_STREAM(b2.data, b2.len, &raw);
	CHECK_TOTALS(&raw);
	EXPECT_EQ(0, raw.end.reader_skipped);
	EXPECT_EQ(0, memcmp(b.data, b2.data, GTT_HDR_BYTES));
	close(fd2);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
	gtt_buf_free(&b2);
}

TEST_F_TIMEOUT(dev, start_twice_ebusy, GTT_TIMEOUT)
{
	struct gotrace_status st, st2;
	int fd2;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(-EBUSY, gtt_start(self->fd, 0, 0, 0, 0));
	EXPECT_EQ(-EBUSY, gtt_start(self->fd, GOTRACE_START_DISCARD,
				    GOTRACE_GROUP_SCHED,
				    GOTRACE_MIN_BUFFER_SIZE, 100));
	fd2 = gtt_open(0);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EBUSY, gtt_start(fd2, 0, 0, 0, 0));
	close(fd2);
	ASSERT_EQ(0, gtt_status(self->fd, &st2, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_TRACING, st2.state);
	EXPECT_EQ(st.trace_id, st2.trace_id);
	EXPECT_EQ(GOTRACE_GROUP_ALL, st2.groups);
	EXPECT_EQ(GOTRACE_DEFAULT_BUFFER_SIZE, st2.buffer_size);
	EXPECT_EQ(GOTRACE_DEFAULT_FLUSH_MS, st2.flush_ms);
	EXPECT_EQ(0, gtt_stop(self->fd, 0));
}

TEST_F_TIMEOUT(dev, start_after_unread_trace, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	struct gotrace_status st;
	struct gtt_raw raw;
	uint64_t id;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	id = st.trace_id;
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	EXPECT_EQ(GOTRACE_STATE_STOPPED, gtt_state(self->fd));
	EXPECT_EQ(-EBUSY, gtt_start(self->fd, 0, 0, 0, 0));
	/* Partly read is still unread. */
	ASSERT_EQ((ssize_t)GTT_HDR_BYTES,
		  gtt_read_once(self->fd, &b, GTT_HDR_BYTES));
	EXPECT_EQ(-EBUSY, gtt_start(self->fd, 0, 0, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_STOPPED, st.state);
	EXPECT_EQ(id, st.trace_id);

	ASSERT_EQ(0, gtt_start(self->fd, GOTRACE_START_DISCARD, 0, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_TRACING, st.state);
	EXPECT_EQ(id + 1, st.trace_id);
	EXPECT_EQ(GOTRACE_START_DISCARD, st.start_flags);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	/*
	 * The fd's stream of the discarded trace ends (one trace per
	 * stream), then the same fd reads the new trace from its start.
	 */
	EXPECT_EQ(0, gtt_read_once(self->fd, &b, 4096));
	gtt_buf_free(&b);
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(b.data, b.len, &raw);
	EXPECT_EQ(id + 1, raw.hdr.trace_id);
	EXPECT_EQ(GOTRACE_START_DISCARD, raw.hdr.start_flags);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);

	/* DISCARD with nothing to discard is a normal start. */
	ASSERT_EQ(0, gtt_start(self->fd, GOTRACE_START_DISCARD, 0, 0, 0));
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
}

struct bad_start {
	const char *what;
	uint32_t flags;
	uint64_t groups;
	uint32_t buffer_size;
	uint32_t flush_ms;
};

static const struct bad_start bad_starts[] = {
	{ "the first unknown flag bit",
	  (GOTRACE_START_FLAGS + 1) & ~GOTRACE_START_FLAGS, 0, 0, 0 },
	{ "flag bit 31", 1U << 31, 0, 0, 0 },
	{ "the first unknown group bit", 0,
	  (GOTRACE_GROUP_ALL + 1) & ~GOTRACE_GROUP_ALL, 0, 0 },
	{ "group bit 63", 0, 1ULL << 63, 0, 0 },
	{ "group bits all", 0, ~0ULL, 0, 0 },
	{ "buffer 1", 0, 0, 1, 0 },
	{ "buffer min-1", 0, 0, GOTRACE_MIN_BUFFER_SIZE - 1, 0 },
	{ "buffer max+1", 0, 0, GOTRACE_MAX_BUFFER_SIZE + 1, 0 },
	{ "buffer ~0", 0, 0, ~0U, 0 },
	{ "flush 1", 0, 0, 0, 1 },
	{ "flush min-1", 0, 0, 0, GOTRACE_MIN_FLUSH_MS - 1 },
	{ "flush max+1", 0, 0, 0, GOTRACE_MAX_FLUSH_MS + 1 },
	{ "flush ~0", 0, 0, 0, ~0U },
};

TEST_F_TIMEOUT(dev, start_bad_args, GTT_TIMEOUT)
{
	long psize = sysconf(_SC_PAGESIZE);
	struct gotrace_status st, st2;
	struct gotrace_start s;
	uint8_t big[128];
	unsigned int i;
	uint8_t *map;
	uint32_t size;

	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	for (i = 0; i < ARRAY_SIZE(bad_starts); i++) {
		const struct bad_start *bs = &bad_starts[i];

		EXPECT_EQ(-EINVAL, gtt_start(self->fd, bs->flags, bs->groups,
					     bs->buffer_size, bs->flush_ms)) {
			TH_LOG("%s accepted", bs->what);
		}
	}
	/* Sizes below the first version. */
	memset(&s, 0, sizeof(s));
	for (size = 0; size < GOTRACE_START_SIZE_VER0; size += 4) {
		s.size = size;
		EXPECT_EQ(-EINVAL, gtt_start_raw(self->fd, &s)) {
			TH_LOG("size %u accepted", size);
		}
	}
	s.size = GOTRACE_START_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, gtt_start_raw(self->fd, &s));

	/* A newer, longer struct with a field this kernel does not know. */
	memset(big, 0, sizeof(big));
	s.size = sizeof(big);
	memcpy(big, &s, sizeof(s));
	big[sizeof(s) + 5] = 1;
	EXPECT_EQ(-E2BIG, gtt_start_raw(self->fd, big));
	big[sizeof(s) + 5] = 0;
	big[sizeof(big) - 1] = 0x80;
	EXPECT_EQ(-E2BIG, gtt_start_raw(self->fd, big));

	/* Bad pointers. */
	EXPECT_EQ(-EFAULT, gtt_start_raw(self->fd, NULL));
	EXPECT_EQ(-EFAULT, gtt_start_raw(self->fd, (void *)1));
	map = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + psize, psize, PROT_NONE));
	EXPECT_EQ(-EFAULT, gtt_start_raw(self->fd, map + psize));
	/* The tail a longer struct claims lies in the unmapped page. */
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s) + 8;
	memcpy(map + psize - sizeof(s), &s, sizeof(s));
	EXPECT_EQ(-EFAULT, gtt_start_raw(self->fd, map + psize - sizeof(s)));

	/* Nothing of the above started a trace. */
	ASSERT_EQ(0, gtt_status(self->fd, &st2, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_IDLE, st2.state);
	EXPECT_EQ(st.trace_id, st2.trace_id);

	/* Unknown ioctl. */
	EXPECT_EQ(-1, ioctl(self->fd, _IO(GOTRACE_IOC_MAGIC, 99), 0));
	EXPECT_EQ(ENOTTY, errno);

	/* The exact struct in the last bytes of a page is fine. */
	s.size = sizeof(s);
	memcpy(map + psize - sizeof(s), &s, sizeof(s));
	EXPECT_EQ(0, gtt_start_raw(self->fd, map + psize - sizeof(s)));
	EXPECT_EQ(0, gtt_stop(self->fd, 0));
	EXPECT_EQ(0, gtt_make_idle());
	/*
	 * So is the first version's struct, right before the unmapped page:
	 * the kernel reads no byte past size and defaults the rest.
	 */
	memset(&s, 0, sizeof(s));
	s.size = GOTRACE_START_SIZE_VER0;
	s.flush_ms = 200;
	memcpy(map + psize - GOTRACE_START_SIZE_VER0, &s,
	       GOTRACE_START_SIZE_VER0);
	EXPECT_EQ(0, gtt_start_raw(self->fd,
				   map + psize - GOTRACE_START_SIZE_VER0));
	ASSERT_EQ(0, gtt_status(self->fd, &st2, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_TRACING, st2.state);
	EXPECT_EQ(200, st2.flush_ms);
	EXPECT_EQ(GOTRACE_DEFAULT_BUFFER_SIZE, st2.buffer_size);
	EXPECT_EQ(0, gtt_stop(self->fd, 0));
	EXPECT_EQ(0, gtt_make_idle());
	munmap(map, 2 * psize);

	/* Longer with a zero tail: accepted, defaults in force. */
	memset(&s, 0, sizeof(s));
	memset(big, 0, sizeof(big));
	s.size = sizeof(big);
	memcpy(big, &s, sizeof(s));
	ASSERT_EQ(0, gtt_start_raw(self->fd, big));
	ASSERT_EQ(0, gtt_status(self->fd, &st2, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_TRACING, st2.state);
	EXPECT_EQ(st.trace_id + 3, st2.trace_id);
	EXPECT_EQ(GOTRACE_GROUP_ALL, st2.groups);
	EXPECT_EQ(GOTRACE_DEFAULT_BUFFER_SIZE, st2.buffer_size);
	EXPECT_EQ(GOTRACE_DEFAULT_FLUSH_MS, st2.flush_ms);
	EXPECT_EQ(0, gtt_stop(self->fd, 0));
	EXPECT_EQ(0, gtt_make_idle());

	/* The limits themselves are valid. */
	EXPECT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_PAGE,
			       GOTRACE_MIN_BUFFER_SIZE, GOTRACE_MIN_FLUSH_MS));
	ASSERT_EQ(0, gtt_status(self->fd, &st2, NULL, 0));
	EXPECT_EQ(GOTRACE_GROUP_PAGE, st2.groups);
	EXPECT_EQ(GOTRACE_MIN_BUFFER_SIZE, st2.buffer_size);
	EXPECT_EQ(GOTRACE_MIN_FLUSH_MS, st2.flush_ms);
	EXPECT_EQ(0, gtt_stop(self->fd, 0));
	EXPECT_EQ(0, gtt_make_idle());
	EXPECT_EQ(0, gtt_start(self->fd, 0, 0, 0, GOTRACE_MAX_FLUSH_MS));
	EXPECT_EQ(0, gtt_stop(self->fd, 0));
}

TEST_F_TIMEOUT(dev, stop_bad_flags, GTT_TIMEOUT)
{
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, 1UL << 1));
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, GOTRACE_STOP_WAIT | (1UL << 7)));
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, ~0UL));
	EXPECT_EQ(GOTRACE_STATE_TRACING, gtt_state(self->fd));
	EXPECT_EQ(0, gtt_stop(self->fd, 0));
	EXPECT_EQ(GOTRACE_STATE_STOPPED, gtt_state(self->fd));
	/* Already stopped. */
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, 0));
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, GOTRACE_STOP_WAIT));
	EXPECT_EQ(0, gtt_make_idle());
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, 0));
}

/* Reads the stream to EOF after a delay. */
struct late_reader {
	pthread_t thread;
	int fd;
	unsigned int ms;
	uint64_t begin, eof;
	struct gtt_buf buf;
	int ret;
};

static void *late_reader_fn(void *arg)
{
	struct late_reader *lr = arg;

	gtt_msleep(lr->ms);
	lr->begin = gtt_now_ns();
	lr->ret = gtt_read_all(lr->fd, &lr->buf, 4096);
	lr->eof = gtt_now_ns();
	return NULL;
}

TEST_F_TIMEOUT(dev, stop_wait_drains, GTT_TIMEOUT)
{
	struct late_reader lr = { .ms = 300 };
	struct gotrace_status st;
	struct gtt_raw raw;
	uint64_t t0, t1;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	lr.fd = gtt_open(0);
	ASSERT_LE(0, lr.fd);
	ASSERT_EQ(0, pthread_create(&lr.thread, NULL, late_reader_fn, &lr));
	small_workload();
	t0 = gtt_now_ns();
	EXPECT_EQ(0, gtt_stop(self->fd, GOTRACE_STOP_WAIT));
	t1 = gtt_now_ns();
	/* Returned only once the reader had everything. */
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_IDLE, st.state);
	pthread_join(lr.thread, NULL);
	close(lr.fd);
	ASSERT_EQ(0, lr.ret);
	EXPECT_GE(t1, lr.begin);
	EXPECT_GE(t1 - t0, 200 * NSEC_PER_MSEC);
	EXPECT_EQ(lr.buf.len, st.bytes_read);
	CHECK_STREAM(lr.buf.data, lr.buf.len, &raw);
	CHECK_TOTALS(&raw);
	gtt_raw_free(&raw);
	gtt_buf_free(&lr.buf);

	/* No reader at all: STOP_WAIT is interruptible. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	alarms = 0;
	arm_alarm(200);
	t0 = gtt_now_ns();
	EXPECT_EQ(-EINTR, gtt_stop(self->fd, GOTRACE_STOP_WAIT));
	t1 = gtt_now_ns();
	disarm_alarm();
	EXPECT_EQ(1, alarms);
	EXPECT_GE(t1 - t0, 150 * NSEC_PER_MSEC);
	/* The trace was stopped nevertheless. */
	EXPECT_EQ(GOTRACE_STATE_STOPPED, gtt_state(self->fd));
	EXPECT_EQ(-EINVAL, gtt_stop(self->fd, 0));
}

static int cpu_in_affinity(int cpu)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	return CPU_ISSET(cpu, &set);
}

TEST_F_TIMEOUT(dev, status_fields, GTT_TIMEOUT)
{
	struct gotrace_cpu_stats *cs;
	struct gotrace_status st;
	struct gtt_buf b = { 0 };
	struct gt_reader *r;
	struct gt_event ev;
	struct gtt_raw raw;
	uint64_t id, t0, t1, t2, t3, sum_ev, sum_lost;
	uint32_t i, nr;
	int ret;

	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_IDLE, st.state);
	EXPECT_EQ(0, st.reader);
	EXPECT_GE(st.nr_cpus, (uint32_t)sysconf(_SC_NPROCESSORS_CONF));
	nr = st.nr_cpus;
	id = st.trace_id;
	EXPECT_EQ(-EFAULT, ioctl(self->fd, GOTRACE_IOC_STATUS, NULL) ? -errno : 0);
	st.size = 8;
	EXPECT_EQ(-EINVAL, ioctl(self->fd, GOTRACE_IOC_STATUS, &st) ? -errno : 0);

	cs = malloc((nr + 1) * sizeof(*cs));
	ASSERT_NE(NULL, cs);
	t0 = gtt_now_ns();
	ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_SCHED,
			       4 * GOTRACE_MIN_BUFFER_SIZE, 100));
	t1 = gtt_now_ns();
	small_workload();

	memset(cs, 0xaa, (nr + 1) * sizeof(*cs));
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, nr + 1));
	EXPECT_EQ(GOTRACE_STATE_TRACING, st.state);
	EXPECT_EQ(id + 1, st.trace_id);
	EXPECT_EQ(GOTRACE_GROUP_SCHED, st.groups);
	EXPECT_EQ(4 * GOTRACE_MIN_BUFFER_SIZE, st.buffer_size);
	EXPECT_EQ(100, st.flush_ms);
	EXPECT_EQ(0, st.start_flags);
	EXPECT_EQ(nr, st.nr_cpus);
	/* All tracepoints exist on the kernels under test. */
	EXPECT_EQ(0, st.missing);
	EXPECT_EQ(gtt_tp_mask(GOTRACE_GROUP_SCHED), st.attached);
	EXPECT_GE(st.start_ns, t0);
	EXPECT_LE(st.start_ns, t1);
	EXPECT_EQ(0, st.stop_ns);
	EXPECT_EQ(0, st.reader);
	EXPECT_EQ(0, st.bytes_read);
	EXPECT_LT(0, st.events);
	sum_ev = 0;
	sum_lost = 0;
	for (i = 0; i < nr; i++) {
		sum_ev += cs[i].events;
		sum_lost += cs[i].lost;
		if (cpu_in_affinity(i))
			EXPECT_TRUE(cs[i].flags & GOTRACE_CPU_ONLINE) {
				TH_LOG("cpu %u not online", i);
			}
	}
	EXPECT_EQ(sum_ev, st.events);
	EXPECT_EQ(sum_lost, st.lost);
	/* The entry past nr_cpus is left alone. */
	EXPECT_EQ(0xaaaaaaaaaaaaaaaaULL, cs[nr].events);
	EXPECT_EQ(0xaaaaaaaa, cs[nr].flags);

	/* A short array gets only its entries. */
	memset(cs, 0xaa, (nr + 1) * sizeof(*cs));
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, 1));
	EXPECT_NE(0xaaaaaaaaaaaaaaaaULL, cs[0].events);
	EXPECT_EQ(0xaaaaaaaaaaaaaaaaULL, cs[1].events);
	EXPECT_EQ(0xaaaaaaaa, cs[1].flags);

	ASSERT_EQ((ssize_t)GTT_HDR_BYTES,
		  gtt_read_once(self->fd, &b, GTT_HDR_BYTES));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(1, st.reader);
	EXPECT_EQ(GTT_HDR_BYTES, st.bytes_read);

	t2 = gtt_now_ns();
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	t3 = gtt_now_ns();
	memset(cs, 0, (nr + 1) * sizeof(*cs));
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, nr));
	EXPECT_EQ(GOTRACE_STATE_STOPPED, st.state);
	EXPECT_GE(st.stop_ns, t2);
	EXPECT_LE(st.stop_ns, t3);
	EXPECT_EQ(1, st.reader);

	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(b.data, b.len, &raw);
	CHECK_TOTALS(&raw);
	/* Counters are final after stop: the stream says the same. */
	EXPECT_EQ(st.events, raw.end.events);
	EXPECT_EQ(st.lost, raw.end.lost);
	EXPECT_EQ(st.stop_ns, raw.end.stop_ns);
	EXPECT_EQ(st.start_ns, raw.hdr.start_ns);
	sum_ev = 0;
	for (i = 0; i < nr; i++) {
		EXPECT_EQ(cs[i].events, raw.cpu[i].end.events);
		EXPECT_EQ(cs[i].lost, raw.cpu[i].end.lost);
		EXPECT_EQ(cs[i].bytes, raw.cpu[i].end.bytes);
		EXPECT_EQ(cs[i].batches, raw.cpu[i].end.batches);
		sum_ev += raw.cpu[i].bytes;
	}
	/* Everything but the header was queued at stop. */
	EXPECT_EQ(sum_ev, st.bytes_queued);

	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_IDLE, st.state);
	EXPECT_EQ(0, st.reader);
	EXPECT_EQ(b.len, st.bytes_read);
	EXPECT_EQ(0, st.bytes_queued);
	EXPECT_EQ(id + 1, st.trace_id);

	/* groups = SCHED: no page event in the stream. */
	ASSERT_EQ(0, gt_open_mem(b.data, b.len, &r));
	while ((ret = gt_next(r, &ev)) > 0)
		EXPECT_EQ(GOTRACE_GROUP_SCHED,
			  ev.type == GOTRACE_EV_COMM ? GOTRACE_GROUP_SCHED :
			  gt_event_desc(ev.type)->group) {
			TH_LOG("%s with groups = SCHED",
			       gt_event_name(ev.type));
			break;
		}
	EXPECT_EQ(0, ret);
	gt_close(r);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);

	/* PAGE alone attaches the page tracepoints only. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_PAGE, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(gtt_tp_mask(GOTRACE_GROUP_PAGE), st.attached);
	EXPECT_EQ(0, st.missing);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_make_idle());
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(GTT_TP_ALL_MASK, st.attached);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	free(cs);
}

/* ---- privilege ---- */

static int set_caps(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = (uint32_t)caps;
	data[0].permitted = (uint32_t)caps;
	data[1].effective = (uint32_t)(caps >> 32);
	data[1].permitted = (uint32_t)(caps >> 32);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

enum priv_mode {
	PRIV_ROOT_NO_CAPS,	/* uid 0, every capability dropped */
	PRIV_NOBODY,		/* uid 65534, no capability */
	PRIV_NOBODY_DAC,	/* uid 65534, CAP_DAC_OVERRIDE only */
	PRIV_NOBODY_PERFMON,	/* uid 65534, DAC_OVERRIDE + PERFMON */
	PRIV_NOBODY_SYSADMIN,	/* uid 65534, DAC_OVERRIDE + SYS_ADMIN */
};

#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif

/* In a child: drop privilege as told, open; exit code = errno (0: ok). */
static int open_as(enum priv_mode mode)
{
	uint64_t caps = 0;
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (mode != PRIV_ROOT_NO_CAPS) {
			if (mode != PRIV_NOBODY &&
			    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
				_exit(100);
			if (setgroups(0, NULL) ||
			    setresgid(65534, 65534, 65534) ||
			    setresuid(65534, 65534, 65534))
				_exit(101);
		}
		if (mode >= PRIV_NOBODY_DAC)
			caps |= 1ULL << CAP_DAC_OVERRIDE;
		if (mode == PRIV_NOBODY_PERFMON)
			caps |= 1ULL << CAP_PERFMON;
		if (mode == PRIV_NOBODY_SYSADMIN)
			caps |= 1ULL << CAP_SYS_ADMIN;
		if (mode != PRIV_NOBODY && set_caps(caps))
			_exit(102);
		fd = open(GOTRACE_DEVICE, O_RDWR);
		if (fd < 0)
			_exit(errno);
		close(fd);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F_TIMEOUT(dev, open_needs_privilege, GTT_TIMEOUT)
{
	struct stat sb;
	int ret;

	ASSERT_EQ(0, stat(GOTRACE_DEVICE, &sb));
	EXPECT_TRUE(S_ISCHR(sb.st_mode));
	EXPECT_EQ(0600, sb.st_mode & 07777);
	EXPECT_EQ(0, sb.st_uid);

	EXPECT_EQ(EPERM, open_as(PRIV_ROOT_NO_CAPS));
	ret = open_as(PRIV_NOBODY);
	EXPECT_TRUE(ret == EACCES || ret == EPERM) {
		TH_LOG("nobody: open gave %d", ret);
	}
	EXPECT_EQ(EPERM, open_as(PRIV_NOBODY_DAC));
	EXPECT_EQ(0, open_as(PRIV_NOBODY_PERFMON));
	EXPECT_EQ(0, open_as(PRIV_NOBODY_SYSADMIN));
}

/* ---- module unload ---- */

static int wait_for_device(int present)
{
	int i;

	for (i = 0; i < 200; i++) {
		if ((access(GOTRACE_DEVICE, F_OK) == 0) == present)
			return 0;
		gtt_msleep(10);
	}
	return -ETIMEDOUT;
}

TEST_F_TIMEOUT(dev, rmmod_while_tracing, 300)
{
	struct gotrace_status st;
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	int fd, mfd, ret;

	if (access(MODULE_PATH, R_OK))
		SKIP(return, "no %s", MODULE_PATH);

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	/* An open fd pins the module. */
	ret = syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK);
	EXPECT_EQ(-1, ret);
	EXPECT_TRUE(errno == EBUSY || errno == EAGAIN) {
		TH_LOG("delete_module with an open fd: %s", strerror(errno));
	}
	EXPECT_EQ(GOTRACE_STATE_TRACING, gtt_state(self->fd));

	/* Tracing, no fd open: unload must stop and free the trace. */
	close(self->fd);
	self->fd = -1;
	small_workload();
	ret = syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK);
	ASSERT_EQ(0, ret) {
		TH_LOG("delete_module while tracing: %s", strerror(errno));
	}
	EXPECT_EQ(0, wait_for_device(0));

	/* Load it again for the tests that follow. */
	mfd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, mfd);
	ret = syscall(SYS_finit_module, mfd, "", 0);
	close(mfd);
	if (ret)
		ret = system("insmod " MODULE_PATH);
	ASSERT_EQ(0, ret) {
		TH_LOG("cannot load %s again: %s", MODULE_PATH,
		       strerror(errno));
	}
	ASSERT_EQ(0, wait_for_device(1));

	fd = gtt_open(0);
	ASSERT_LE(0, fd);
	self->fd = fd;
	ASSERT_EQ(0, gtt_status(fd, &st, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_IDLE, st.state);
	EXPECT_EQ(0, st.trace_id);
	ASSERT_EQ(0, gtt_start(fd, 0, 0, 0, 0));
	ASSERT_EQ(0, gtt_stop(fd, 0));
	ASSERT_EQ(0, gtt_read_all(fd, &b, 1 << 20));
	CHECK_STREAM(b.data, b.len, &raw);
	EXPECT_EQ(1, raw.hdr.trace_id);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

/* ---- signals, poll ---- */

TEST_F_TIMEOUT(dev, signal_interrupts_read, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	ssize_t n;
	size_t len;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, GOTRACE_MAX_FLUSH_MS));
	ASSERT_LE((ssize_t)GTT_HDR_BYTES, gtt_read_ready(self->fd, &b));
	len = b.len;
	alarms = 0;
	arm_alarm(200);
	n = gtt_read_once(self->fd, &b, 1 << 20);
	disarm_alarm();
	EXPECT_EQ(-EINTR, n);
	EXPECT_EQ(1, alarms);
	EXPECT_EQ(len, b.len);

	/* Nothing was lost by the interrupted read. */
	small_workload();
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(b.data, b.len, &raw);
	CHECK_TOTALS(&raw);
	EXPECT_LT(0, raw.batches);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

TEST_F_TIMEOUT(dev, poll, GTT_TIMEOUT)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	struct delayed_stop ds = { .ms = 300 };
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	uint64_t t0, t1;

	/* Idle: EOF is readable. */
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & POLLIN);

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, GOTRACE_MAX_FLUSH_MS));
	ASSERT_EQ(1, poll(&pfd, 1, 0));		/* the header */
	EXPECT_TRUE(pfd.revents & POLLIN);
	ASSERT_LE((ssize_t)GTT_HDR_BYTES, gtt_read_ready(self->fd, &b));
	/* No batch is full and no flush is due for a minute. */
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	ds.fd = gtt_open(0);
	ASSERT_LE(0, ds.fd);
	ASSERT_EQ(0, pthread_create(&ds.thread, NULL, delayed_stop_fn, &ds));
	t0 = gtt_now_ns();
	EXPECT_EQ(1, poll(&pfd, 1, 20000));
	t1 = gtt_now_ns();
	pthread_join(ds.thread, NULL);
	close(ds.fd);
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_GE(t1, ds.at);
	EXPECT_LT(t1 - t0, 15 * NSEC_PER_SEC);
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	ASSERT_EQ(1, poll(&pfd, 1, 0));		/* EOF again */
	CHECK_STREAM(b.data, b.len, &raw);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);

	/* A flush makes the fd readable while tracing. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 50));
	ASSERT_LE((ssize_t)GTT_HDR_BYTES, gtt_read_ready(self->fd, &b));
	small_workload();
	EXPECT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(pfd.revents & POLLIN);
	EXPECT_EQ(GOTRACE_STATE_TRACING, gtt_state(self->fd));
	EXPECT_LT(0, gtt_read_once(self->fd, &b, 1 << 20));
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(b.data, b.len, &raw);
	CHECK_TOTALS(&raw);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

/* ---- a reader that goes away ---- */

TEST_F_TIMEOUT(dev, reader_leaves_midstream, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 }, b2 = { 0 };
	struct gotrace_batch part;
	struct gtt_raw raw;
	uint64_t missing = 0, deadline;
	unsigned int k, i;
	size_t end;
	int fd2;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, GOTRACE_MIN_BUFFER_SIZE * 4,
			       20));
	deadline = gtt_now_ns() + 30 * NSEC_PER_SEC;
	do {
		small_workload();
		ASSERT_LE(0, gtt_read_once(self->fd, &b, 4096));
		k = gtt_complete_recs(&b, GOTRACE_REC_BATCH, &end);
	} while (k < 2 && gtt_now_ns() < deadline);
	ASSERT_LE(2, k);
	/*
	 * Take the first 16 bytes of the next batch too: cpu and seq.  A
	 * generation's STACK and GENERATION records between batches are
	 * read whole first, so that the reader leaves inside a batch.
	 */
	for (;;) {
		while (b.len - end < 16) {
			small_workload();
			ASSERT_LT(0, gtt_read_once(self->fd, &b,
						   end + 16 - b.len));
		}
		memcpy(&part, b.data + end, 16);
		if (part.rec.type == GOTRACE_REC_BATCH)
			break;
		ASSERT_LE(16, part.rec.len);
		while (b.len - end < part.rec.len)
			ASSERT_LT(0, gtt_read_once(self->fd, &b,
						   end + part.rec.len - b.len));
		end += part.rec.len;
	}

	close(self->fd);
	self->fd = -1;
	fd2 = gtt_open(0);
	ASSERT_LE(0, fd2);
	small_workload();
	ASSERT_EQ(0, gtt_stop(fd2, 0));
	ASSERT_EQ(0, gtt_read_all(fd2, &b2, 1 << 20));
	close(fd2);

	/* A fresh stream start with the same header... */
	ASSERT_GE(b2.len, GTT_HDR_BYTES);
	EXPECT_EQ(0, memcmp(b.data, b2.data, GTT_HDR_BYTES));
	/* ...then whole records from a batch boundary on. */
	CHECK_STREAM(b2.data, b2.len, &raw);
	EXPECT_EQ(k, raw.end.reader_skipped);
	for (i = 0; i < raw.nr_cpus; i++) {
		ASSERT_GE(raw.cpu[i].end.batches, raw.cpu[i].batches);
		missing += raw.cpu[i].end.batches - raw.cpu[i].batches;
	}
	EXPECT_EQ(k, missing);
	/* The batch that was being read is sent again, whole. */
	ASSERT_LT(part.cpu, raw.nr_cpus);
	EXPECT_EQ(part.seq, raw.cpu[part.cpu].first_seq);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
	gtt_buf_free(&b2);
}

/* ---- allocation failure ---- */

TEST_F_TIMEOUT(dev, enomem_then_start, GTT_TIMEOUT)
{
	struct gotrace_status st, st2;
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	struct sysinfo si;

	ASSERT_EQ(0, sysinfo(&si));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	if ((uint64_t)si.totalram * si.mem_unit >
	    (uint64_t)GOTRACE_MAX_BUFFER_SIZE * sysconf(_SC_NPROCESSORS_CONF))
		SKIP(return, "enough RAM for the largest buffers");

	EXPECT_EQ(-ENOMEM, gtt_start(self->fd, 0, 0,
				     GOTRACE_MAX_BUFFER_SIZE, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st2, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_IDLE, st2.state);
	/* A failed start is no start: the last id stays (not 0, "never"). */
	EXPECT_EQ(st.trace_id, st2.trace_id);

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st2, NULL, 0));
	EXPECT_EQ(st.trace_id + 1, st2.trace_id);
	small_workload();
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(b.data, b.len, &raw);
	CHECK_TOTALS(&raw);
	EXPECT_EQ(GOTRACE_DEFAULT_BUFFER_SIZE, raw.hdr.buffer_size);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

TEST_HARNESS_MAIN
