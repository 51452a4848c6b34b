// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_harden: what users' machines do to a tracer that its own
 * workloads don't - CPUs going offline under a trace (suspend does it to
 * every secondary CPU), binaries built against an older ABI, readers of a
 * trace that was replaced, containers, other tracers on the same
 * tracepoints.  Each test is one finding of the hardening review.
 * Bounded: GTT_SCALE multiplies the cycle counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/userfaultfd.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <pthread.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_rel.h"

#define GTT_TIMEOUT	900
#define REL_TEST_BATCH_SIZE	"/sys/module/gotrace/parameters/test_batch_size"

FIXTURE(harden) {
	int fd;
	struct rel_pin pin;
};

FIXTURE_SETUP(harden)
{
	ASSERT_EQ(0, rel_ensure_loaded());
	rel_pin_tracepoints(&self->pin);
	GTT_DEVICE_SETUP(0);
}

FIXTURE_TEARDOWN(harden)
{
	rel_tfs_put(REL_TEST_BATCH_SIZE, "0");
	if (!access(REL_CPU1_ONLINE, W_OK))
		rel_cpu1_set(1);
	rel_unpin_tracepoints(&self->pin);
	if (self->fd >= 0)
		close(self->fd);
	rel_ensure_loaded();
	gtt_make_idle();
}

/* ---- 1. CPU offline under a trace ---- */

/*
 * A CPU going offline runs the scheduler after its last irq_work_run()
 * (CPUHP_AP_SMPCFD_DYING): the stopper thread switches to idle there.  If
 * that sched_switch fills the CPU's batch, the batch is queued from a CPU
 * that will never run an irq_work again.  Nothing may be left waiting on
 * it: STOP must return with the CPU still offline, and the trace must
 * reach its END.  A ping-pong pinned to cpu1 keeps its batch filling; a
 * reader keeps giving buffers back so that batches keep being queued.
 */
static void pingpong_cpu1_forever(void)
{
	uint64_t t0, t1;
	pid_t child;

	for (;;) {
		if (gtt_pingpong(200, 1, &child, &t0, &t1))
			gtt_msleep(5);	/* cpu1 offline: try again */
	}
}

/* STOP in a child, so that a hang is seen rather than suffered. */
static int stop_within(int fd, unsigned int ms)
{
	unsigned int waited;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(gtt_stop(fd, 0) ? 1 : 0);
	for (waited = 0; waited < ms; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && !WEXITSTATUS(status) ?
			       0 : -EIO;
		gtt_msleep(10);
	}
	return -ETIMEDOUT;
}

TEST_F_TIMEOUT(harden, offline_stop_cycles, GTT_TIMEOUT)
{
	unsigned int n = 100 * rel_scale(), i;
	uint64_t events = 0, lost = 0, t0 = gtt_now_ns();
	struct gtt_raw raw;
	struct gtt_bg bg;
	pid_t wl;
	int ret;

	if (access(REL_CPU1_ONLINE, W_OK))
		SKIP(return, "%s not writable", REL_CPU1_ONLINE);
	ASSERT_EQ(0, rel_cpu1_set(1));
	/* A batch fills every few dozen events: often at the dying switch. */
	ASSERT_EQ(0, rel_tfs_put(REL_TEST_BATCH_SIZE, "512"));
	wl = fork();
	ASSERT_LE(0, wl);
	if (wl == 0)
		pingpong_cpu1_forever();
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_SCHED,
				       GOTRACE_MIN_BUFFER_SIZE,
				       GOTRACE_MAX_FLUSH_MS)) {
			TH_LOG("START (cycle %u)", i);
			kill(wl, SIGKILL);
		}
		ASSERT_EQ(0, gtt_bg_start(&bg, self->fd, 4096));
		gtt_msleep(50);
		ASSERT_EQ(0, rel_cpu1_set(0)) {
			TH_LOG("offline cpu1 (cycle %u)", i);
			kill(wl, SIGKILL);
		}
		ret = stop_within(self->fd, 20000);
		ASSERT_EQ(0, ret) {
			TH_LOG("STOP with cpu1 offline, cycle %u: %s", i,
			       strerror(-ret));
			kill(wl, SIGKILL);
		}
		ASSERT_EQ(0, rel_cpu1_set(1)) {
			TH_LOG("online cpu1 (cycle %u)", i);
			kill(wl, SIGKILL);
		}
		ASSERT_EQ(0, gtt_bg_join(&bg)) kill(wl, SIGKILL);
		CHECK_STREAM(&bg.buf, true);
		ASSERT_EQ(0, gtt_raw_parse(bg.buf.data, bg.buf.len, &raw));
		events += raw.end.events;
		lost += raw.end.lost;
		gtt_raw_free(&raw);
		gtt_buf_free(&bg.buf);
	}
	kill(wl, SIGKILL);
	waitpid(wl, NULL, 0);
	TH_LOG("RELIABILITY offline_stop_cycles cycles=%u hangs=0 events=%llu lost=%llu secs=%.1f",
	       n, (unsigned long long)events, (unsigned long long)lost,
	       (gtt_now_ns() - t0) / 1e9);
}

/* ---- 2. sched_process_exit's group_dead ---- */

static void *exit_thread(void *arg)
{
	*(pid_t *)arg = gettid();
	return NULL;
}

/*
 * A process whose second thread exits first (group_dead false), then its
 * main thread (group_dead true).  Kernels from 6.16 pass group_dead to the
 * tracepoint and the trace carries it; before, the tracepoint does not
 * have it and the trace says "unknown" (ftrace's format has no such
 * field there either), never a guess.
 */
TEST_F_TIMEOUT(harden, exit_records_group_dead, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	struct gt_reader *r;
	struct gt_event ev;
	uint64_t want_thread, want_main;
	int pfd[2], found = 0, ret;
	pid_t child, tid = 0;
	struct utsname u;
	unsigned int maj = 0, min = 0;

	ASSERT_EQ(0, uname(&u));
	ret = sscanf(u.release, "%u.%u", &maj, &min);
	ASSERT_EQ(2, ret);
	if (maj > 6 || (maj == 6 && min >= 16)) {
		want_thread = GOTRACE_GROUP_DEAD_FALSE;
		want_main = GOTRACE_GROUP_DEAD_TRUE;
	} else {
		want_thread = GOTRACE_GROUP_DEAD_UNKNOWN;
		want_main = GOTRACE_GROUP_DEAD_UNKNOWN;
	}
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_SCHED, 0, 0));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pthread_t th;

		if (pthread_create(&th, NULL, exit_thread, &tid) ||
		    pthread_join(th, NULL))
			_exit(1);
		if (write(pfd[1], &tid, sizeof(tid)) != sizeof(tid))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(sizeof(tid), read(pfd[0], &tid, sizeof(tid)));
	waitpid(child, NULL, 0);
	close(pfd[0]);
	close(pfd[1]);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(&b, true);
	ASSERT_EQ(0, gt_open_mem(b.data, b.len, &r));
	while ((ret = gt_next(r, &ev)) > 0) {
		if (ev.type != GOTRACE_EV_SCHED_PROCESS_EXIT)
			continue;
		if (ev.args[0] != (uint64_t)tid &&
		    ev.args[0] != (uint64_t)child)
			continue;
		found++;
		ASSERT_EQ(3, ev.nargs) TH_LOG("exit of %llu: no group_dead",
					      (unsigned long long)ev.args[0]);
		EXPECT_EQ(ev.args[0] == (uint64_t)tid ? want_thread : want_main,
			  ev.args[2]) {
			TH_LOG("%s %s: exit of %s: group_dead %llu", u.release,
			       u.version,
			       ev.args[0] == (uint64_t)tid ? "thread" : "main",
			       (unsigned long long)ev.args[2]);
		}
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(2, found);
	gt_close(r);
	gtt_buf_free(&b);
}

/* ---- 3. ioctl versioning ---- */

/* The command number with another struct size in its size bits. */
static unsigned long ioc_resize(unsigned long cmd, unsigned int size)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/*
 * A binary built against an older, shorter struct (or a newer, longer one)
 * encodes that size in the command number: the command is the same, and
 * the size that counts is the struct's own.
 */
TEST_F(harden, ioctl_other_struct_sizes)
{
	struct { struct gotrace_start s; uint8_t tail[64]; } big;
	struct { struct gotrace_status s; uint8_t tail[64]; } bst;
	struct gotrace_start s;

	memset(&s, 0, sizeof(s));
	s.size = GOTRACE_START_SIZE_VER0;
	s.groups = GOTRACE_GROUP_SCHED;
	EXPECT_EQ(0, xioctl(self->fd, ioc_resize(GOTRACE_IOC_START,
						 GOTRACE_START_SIZE_VER0), &s));
	EXPECT_EQ(GOTRACE_STATE_TRACING, gtt_state(self->fd));
	EXPECT_EQ(0, gtt_make_idle());

	/* A newer binary: its fields past ours are zero. */
	memset(&big, 0, sizeof(big));
	big.s.size = sizeof(big);
	EXPECT_EQ(0, xioctl(self->fd, ioc_resize(GOTRACE_IOC_START,
						 sizeof(big)), &big));
	EXPECT_EQ(0, gtt_make_idle());
	big.tail[10] = 1;
	EXPECT_EQ(-E2BIG, xioctl(self->fd, ioc_resize(GOTRACE_IOC_START,
						      sizeof(big)), &big));

	memset(&bst, 0, sizeof(bst));
	bst.s.size = sizeof(bst);
	EXPECT_EQ(0, xioctl(self->fd, ioc_resize(GOTRACE_IOC_STATUS,
						 sizeof(bst)), &bst));
	EXPECT_EQ(sizeof(struct gotrace_status), bst.s.size);
	EXPECT_EQ(0, bst.tail[0]);

	/* Direction and number still count. */
	EXPECT_EQ(-ENOTTY, xioctl(self->fd, _IOR(GOTRACE_IOC_MAGIC, 1,
						 struct gotrace_start), &s));
	EXPECT_EQ(-ENOTTY, xioctl(self->fd, _IOW(GOTRACE_IOC_MAGIC, 9,
						 struct gotrace_start), &s));
}

/*
 * A size above a page is refused at once with E2BIG, as clone3, openat2
 * and perf_event_open do, instead of checking gigabytes for zeros.  The
 * struct sits at the start of 256 MiB of zero pages.
 */
TEST_F(harden, ioctl_huge_size)
{
	size_t len = 256UL << 20;
	uint64_t t0, ns;
	uint32_t *p;
	int ret;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0xffffffffU;
	t0 = gtt_now_ns();
	ret = xioctl(self->fd, GOTRACE_IOC_START, p);
	ns = gtt_now_ns() - t0;
	EXPECT_EQ(-E2BIG, ret) TH_LOG("START, size 0xffffffff: %s",
				      strerror(-ret));
	EXPECT_GT(100 * REL_NS_PER_MS, ns) TH_LOG("took %.3f s", ns / 1e9);
	p[0] = getpagesize() + 8;
	EXPECT_EQ(-E2BIG, xioctl(self->fd, GOTRACE_IOC_START, p));
	EXPECT_EQ(-E2BIG, xioctl(self->fd, GOTRACE_IOC_STATUS, p));
	p[0] = 0xffffffffU;
	t0 = gtt_now_ns();
	ret = xioctl(self->fd, GOTRACE_IOC_STATUS, p);
	ns = gtt_now_ns() - t0;
	EXPECT_EQ(-E2BIG, ret);
	EXPECT_GT(100 * REL_NS_PER_MS, ns) TH_LOG("took %.3f s", ns / 1e9);
	munmap(p, len);
	EXPECT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));
}

/* ---- 4. one trace per stream ---- */

/* Occurrences of the magic in a stream: one per trace in it. */
static unsigned int count_magic(const struct gtt_buf *b)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i + GOTRACE_MAGIC_LEN <= b->len; i++)
		if (!memcmp(b->data + i, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN))
			n++;
	return n;
}

/*
 * A reader half-way through a stopped trace when START --discard throws
 * that trace away: its stream ends there (EOF), and the next trace's
 * header never follows in the same stream.  The same fd then reads the
 * next trace from its magic, as after any EOF.
 */
TEST_F_TIMEOUT(harden, discard_ends_the_readers_stream, GTT_TIMEOUT)
{
	struct gtt_buf a = { 0 }, b = { 0 };
	struct gtt_raw raw;
	ssize_t n;
	int other;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	rel_workload(200);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	/* Half-way: the header and some of the batches. */
	ASSERT_LT(0, gtt_read_once(self->fd, &a, GTT_HDR_BYTES + 100));
	other = gtt_open(0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, gtt_start(other, GOTRACE_START_DISCARD,
			       GOTRACE_GROUP_SCHED, 0, 0));
	ASSERT_EQ(0, gtt_stop(other, 0));
	close(other);
	/* The rest of the first reader's stream. */
	do {
		n = gtt_read_once(self->fd, &a, 4096);
		ASSERT_LE(0, n);
	} while (n > 0 && a.len < (64 << 20));
	EXPECT_EQ(1, count_magic(&a)) {
		TH_LOG("the discarded trace's stream (%zu bytes) holds %u traces",
		       a.len, count_magic(&a));
	}
	/* The next read starts the new trace, complete. */
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 4096));
	EXPECT_EQ(1, count_magic(&b));
	CHECK_STREAM(&b, true);
	ASSERT_EQ(0, gtt_raw_parse(b.data, b.len, &raw));
	EXPECT_EQ(GOTRACE_START_DISCARD, raw.hdr.start_flags);
	gtt_raw_free(&raw);
	gtt_buf_free(&a);
	gtt_buf_free(&b);
}

/* ---- 5. no lock held across a user copy ---- */

struct stuck_read {
	pthread_t thread;
	int fd;
	void *dst;
	ssize_t ret;
};

static void *stuck_read_fn(void *arg)
{
	struct stuck_read *r = arg;

	r->ret = read(r->fd, r->dst, 4096);
	return NULL;
}

/* Runs op in a child: 0 if it finished within ms, -ETIMEDOUT if not. */
#define WITHIN(ms, op) ({						\
	pid_t __pid = fork();						\
	int __ret = -ETIMEDOUT, __st;					\
	unsigned int __w;						\
									\
	if (__pid == 0)							\
		_exit((op) ? 1 : 0);					\
	for (__w = 0; __pid > 0 && __w < (ms); __w += 5) {		\
		if (waitpid(__pid, &__st, WNOHANG) == __pid) {		\
			__ret = WIFEXITED(__st) ? WEXITSTATUS(__st) : -EINTR; \
			__pid = 0;					\
			break;						\
		}							\
		gtt_msleep(5);						\
	}								\
	if (__pid > 0) {						\
		kill(__pid, SIGKILL);					\
		waitpid(__pid, NULL, 0);				\
	}								\
	__ret;								\
})

static int status_ok(void)
{
	struct gotrace_status st;
	int fd = gtt_open(0), ret;

	if (fd < 0)
		return fd;
	ret = gtt_status(fd, &st, NULL, 0);
	close(fd);
	return ret;
}

static int stop_ok(void)
{
	int fd = gtt_open(0), ret;

	if (fd < 0)
		return fd;
	ret = gtt_stop(fd, 0);
	close(fd);
	return ret;
}

/*
 * A reader whose buffer faults slowly (here: a userfaultfd page nobody
 * serves) must not hold up STATUS, STOP or close(): they return at once.
 * START --discard, which would free what the reader copies from, may wait
 * for it, but can be killed.
 */
TEST_F_TIMEOUT(harden, slow_user_copy_blocks_nothing, GTT_TIMEOUT)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_zeropage zp;
	struct stuck_read r;
	long page = getpagesize();
	int uffd, fd2, ret;
	void *area;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	area = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	reg.range.start = (uintptr_t)area;
	reg.range.len = page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	r.fd = self->fd;
	r.dst = area;
	r.ret = -2;
	ASSERT_EQ(0, pthread_create(&r.thread, NULL, stuck_read_fn, &r));
	gtt_msleep(300);	/* the reader is in its copy of the header */

	ret = WITHIN(2000, status_ok());
	EXPECT_EQ(0, ret) TH_LOG("STATUS with a reader stuck in its copy: %d",
				 ret);
	fd2 = gtt_open(0);
	ASSERT_LE(0, fd2);
	ret = WITHIN(2000, (close(fd2), 0));
	EXPECT_EQ(0, ret) TH_LOG("close() with a reader stuck: %d", ret);
	close(fd2);
	ret = WITHIN(5000, stop_ok());
	EXPECT_EQ(0, ret) TH_LOG("STOP with a reader stuck in its copy: %d",
				 ret);
	/* START --discard waits for the copy, and a kill ends the wait. */
	ret = WITHIN(1000, gtt_start(self->fd, GOTRACE_START_DISCARD, 0, 0, 0));
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_EQ(0, WITHIN(2000, status_ok()))
		TH_LOG("after a START --discard was killed while waiting");

	/* Serve the page: the reader finishes its read. */
	zp.range.start = (uintptr_t)area;
	zp.range.len = page;
	zp.mode = 0;
	EXPECT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zp));
	ASSERT_EQ(0, pthread_join(r.thread, NULL));
	EXPECT_LT(0, r.ret);
	EXPECT_EQ(0, memcmp(area, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN));
	close(uffd);
	munmap(area, page);
}

/* ---- 6, 7. the pid filter ---- */

/* Does a sched event (or COMM) name pid as one of its tasks? */
static bool ev_names(const struct gt_event *ev, uint64_t pid)
{
	switch (ev->type) {
	case GOTRACE_EV_SCHED_SWITCH:
		return ev->args[0] == pid || ev->args[3] == pid;
	case GOTRACE_EV_SCHED_PROCESS_FORK:
		return ev->args[0] == pid || ev->args[1] == pid;
	case GOTRACE_EV_COMM:
	case GOTRACE_EV_TASK_CGROUP:
	case GOTRACE_EV_SCHED_WAKEUP:
	case GOTRACE_EV_SCHED_WAKEUP_NEW:
	case GOTRACE_EV_SCHED_PROCESS_EXIT:
	case GOTRACE_EV_SCHED_PROCESS_EXEC:
	case GOTRACE_EV_SCHED_MIGRATE_TASK:
		return ev->args[0] == pid;
	}
	return false;
}

/*
 * Events of a stream of type (< 0: any) whose naming of pid is as asked:
 * others false, events that name pid; true, events whose first task is
 * another.  -1 on error.
 */
static long count_naming(const struct gtt_buf *b, uint64_t pid, int type,
			 bool others)
{
	struct gt_reader *r;
	struct gt_event ev;
	long n = 0;
	int ret;

	if (gt_open_mem(b->data, b->len, &r))
		return -1;
	while ((ret = gt_next(r, &ev)) > 0) {
		if (type >= 0 && ev.type != type)
			continue;
		if (others ? ev.args[0] != pid : ev_names(&ev, pid))
			n++;
	}
	gt_close(r);
	return ret < 0 ? -1 : n;
}

static long count_events(const struct gtt_buf *b, uint64_t pid, int type)
{
	return count_naming(b, pid, type, false);
}

static int start_filter(int fd, uint32_t pid, uint32_t filter_flags)
{
	struct gotrace_start s;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.groups = GOTRACE_GROUP_SCHED;
	s.flush_ms = 20;
	s.filter_pid = pid;
	s.filter_flags = filter_flags;
	return gtt_start_raw(fd, &s);
}

/* Reads the header's filter_pid of a stream. */
static uint32_t stream_filter_pid(const struct gtt_buf *b)
{
	const struct gotrace_header *h;

	if (b->len < GTT_HDR_BYTES)
		return 0;
	h = (const void *)(b->data + GOTRACE_MAGIC_LEN);
	return h->filter_pid;
}

/*
 * `gotrace record -p PID` inside a container: PID is in the caller's pid
 * namespace.  A process that is pid 1 of a new namespace filters on its
 * own pid: the trace must follow it (its host pid), not the host's init,
 * and a pid the caller can't see is ESRCH.
 */
TEST_F_TIMEOUT(harden, filter_pid_in_pid_namespace, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	int sync[2], status;
	pid_t child;
	char c;

	if (unshare(CLONE_NEWPID))
		SKIP(return, "unshare(CLONE_NEWPID): %s", strerror(errno));
	ASSERT_EQ(0, pipe(sync));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		/* pid 1 of the new namespace */
		int fd = gtt_open(0), ret;
		uint64_t t0, t1;
		pid_t pp;

		if (fd < 0 || getpid() != 1)
			_exit(10);
		ret = start_filter(fd, getpid(), GOTRACE_FILTER_TGID |
				   GOTRACE_FILTER_CHILDREN);
		if (ret)
			_exit(12);
		if (gtt_pingpong(200, -1, &pp, &t0, &t1))
			_exit(13);
		if (gtt_stop(fd, 0))
			_exit(14);
		/* Not a pid of this namespace. */
		ret = start_filter(fd, 99999, 0);
		close(fd);
		_exit(ret == -ESRCH ? 0 : 11);
	}
	/* Back in the caller's namespace for the rest of the test. */
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_TRUE(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 11) {
		TH_LOG("child step %d failed", WEXITSTATUS(status));
	}
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("START with a pid the caller can't see was not ESRCH");
	}
	close(sync[0]);
	close(sync[1]);
	(void)c;
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(&b, true);
	EXPECT_EQ((uint32_t)child, stream_filter_pid(&b));
	EXPECT_LT(10, count_events(&b, child, -1)) {
		TH_LOG("the namespace's pid 1 (host pid %d) has %ld events, host init %ld",
		       child, count_events(&b, child, -1),
		       count_events(&b, 1, -1));
	}
	EXPECT_EQ(0, count_events(&b, 1, GOTRACE_EV_SCHED_SWITCH));
	/* The caller, a host task that waited meanwhile, is not followed. */
	EXPECT_EQ(0, count_events(&b, getpid(), GOTRACE_EV_SCHED_SWITCH));
	gtt_buf_free(&b);
}

/*
 * A followed task exits and its pid is reused by an unrelated task: the
 * new task must not be traced.  pid_max is made small so that pids come
 * round within a few hundred forks.
 */
TEST_F_TIMEOUT(harden, filter_pid_reuse, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	char old_max[32] = "";
	int fdm, i, found = 0;
	pid_t target, p;
	ssize_t n;

	fdm = open("/proc/sys/kernel/pid_max", O_RDWR | O_CLOEXEC);
	if (fdm < 0)
		SKIP(return, "pid_max: %s", strerror(errno));
	n = read(fdm, old_max, sizeof(old_max) - 1);
	ASSERT_LT(0, n);
	old_max[n] = '\0';
	ASSERT_EQ(3, pwrite(fdm, "600", 3, 0));

	target = fork();
	ASSERT_LE(0, target);
	if (target == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, start_filter(self->fd, target, GOTRACE_FILTER_CHILDREN));
	gtt_msleep(50);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	/* Fork until the pid comes round; that process then does work. */
	for (i = 0; i < 5000 && !found; i++) {
		p = fork();
		ASSERT_LE(0, p);
		if (p == 0) {
			if (getpid() == target) {
				uint64_t t0, t1;
				pid_t pp;

				gtt_pingpong(100, -1, &pp, &t0, &t1);
				_exit(0);
			}
			_exit(1);
		}
		found = p == target;
		waitpid(p, NULL, 0);
	}
	pwrite(fdm, old_max, strlen(old_max), 0);
	close(fdm);
	ASSERT_TRUE(found) TH_LOG("pid %d did not come round", target);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(&b, true);
	/* Only the first life of the pid: its exit, and nothing after. */
	EXPECT_EQ(1, count_events(&b, target, GOTRACE_EV_SCHED_PROCESS_EXIT));
	EXPECT_GT(20, count_events(&b, target, GOTRACE_EV_SCHED_SWITCH)) {
		TH_LOG("pid %d: %ld switches (its second life was traced)",
		       target, count_events(&b, target,
					    GOTRACE_EV_SCHED_SWITCH));
	}
	gtt_buf_free(&b);
}

/* io_uring, by its system calls (no liburing in the VM). */
static int uring_nop_async(void)
{
	struct io_uring_params par;
	struct io_uring_sqe *sqes;
	unsigned int *sq_tail, *sq_array, *cq_head, *cq_tail, mask;
	size_t sq_len, cq_len;
	void *sq, *cq;
	int fd, i, ret = -1;

	memset(&par, 0, sizeof(par));
	fd = syscall(__NR_io_uring_setup, 8, &par);
	if (fd < 0)
		return -errno;
	sq_len = par.sq_off.array + par.sq_entries * sizeof(unsigned int);
	cq_len = par.cq_off.cqes + par.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  IORING_OFF_CQ_RING);
	sqes = mmap(NULL, par.sq_entries * sizeof(*sqes),
		    PROT_READ | PROT_WRITE, MAP_SHARED, fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		goto out;
	sq_tail = (unsigned int *)((char *)sq + par.sq_off.tail);
	sq_array = (unsigned int *)((char *)sq + par.sq_off.array);
	cq_head = (unsigned int *)((char *)cq + par.cq_off.head);
	cq_tail = (unsigned int *)((char *)cq + par.cq_off.tail);
	mask = *(unsigned int *)((char *)sq + par.sq_off.ring_mask);
	for (i = 0; i < 20; i++) {
		unsigned int tail = *sq_tail;

		memset(&sqes[tail & mask], 0, sizeof(*sqes));
		sqes[tail & mask].opcode = IORING_OP_NOP;
		/* Run by an io-wq worker thread, not inline. */
		sqes[tail & mask].flags = IOSQE_ASYNC;
		sq_array[tail & mask] = tail & mask;
		__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
		if (syscall(__NR_io_uring_enter, fd, 1, 1,
			    IORING_ENTER_GETEVENTS, NULL, 0) < 0)
			goto out;
		__atomic_store_n(cq_head,
				 __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
		gtt_msleep(5);
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/*
 * io_uring's worker threads (iou-wrk-*) are threads of the process but
 * have no fork event: in TGID mode they are traced all the same.
 */
TEST_F_TIMEOUT(harden, filter_tgid_io_uring_workers, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	int go[2], status;
	pid_t p;
	char c = 0;
	long workers;

	ASSERT_EQ(0, pipe(go));
	p = fork();
	ASSERT_LE(0, p);
	if (p == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(uring_nop_async() ? 3 : 0);
	}
	close(go[0]);
	ASSERT_EQ(0, start_filter(self->fd, p, GOTRACE_FILTER_TGID));
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(p, waitpid(p, &status, 0));
	close(go[1]);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	if (WEXITSTATUS(status) == 3)
		SKIP(goto out, "io_uring not available");
	ASSERT_EQ(0, WEXITSTATUS(status));
	CHECK_STREAM(&b, true);
	/* The process forks nothing: every new task of it is a worker. */
	workers = count_naming(&b, p, GOTRACE_EV_SCHED_WAKEUP_NEW, true);
	EXPECT_LT(0, workers) TH_LOG("no event of an io_uring worker");
	TH_LOG("io_uring workers started: %ld", workers);
out:
	gtt_buf_free(&b);
}

/* ---- 8. memory admission ---- */

/*
 * START admits a trace by all the memory it may take (at most half of
 * RAM): the buffers of every CPU that may come online, the stack table,
 * and the copy of the stacks made at STOP.  A table of 2^20 stacks of 64
 * frames (512 MiB, and as much again at STOP) can't be had in the VM's
 * 1 GiB: START says so at once, instead of taking 512 MiB and dropping the
 * stacks at STOP.
 */
TEST_F_TIMEOUT(harden, admission_counts_the_stack_table, GTT_TIMEOUT)
{
	struct gotrace_start s = {
		.size = sizeof(s), .flags = GOTRACE_START_STACKS,
		.groups = GOTRACE_GROUP_SCHED,
		.buffer_size = GOTRACE_MIN_BUFFER_SIZE,
		.stack_depth = GOTRACE_MAX_STACK_DEPTH,
		.stack_entries = GOTRACE_MAX_STACK_ENTRIES,
	};
	long ram_mb = sysconf(_SC_PHYS_PAGES) / 256;
	int ret;

	if (ram_mb > 1800)
		SKIP(return, "%ld MiB of RAM: the table fits", ram_mb);
	ret = gtt_start_raw(self->fd, &s);
	EXPECT_EQ(-ENOMEM, ret) TH_LOG("START: %s", strerror(-ret));
	/* Nothing was taken: a small trace starts. */
	s.stack_entries = 1024;
	s.stack_depth = 16;
	EXPECT_EQ(0, gtt_start_raw(self->fd, &s));
	EXPECT_EQ(0, gtt_make_idle());
}

/* ---- 12. flushing without waking CPUs ---- */

/* An interrupt count of one CPU from /proc/interrupts ("CAL", "LOC"). */
static long irq_count(const char *name, int cpu)
{
	char line[1024], *p, *end;
	long v = -1;
	FILE *f = fopen("/proc/interrupts", "r");
	int i;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (strncmp(p, name, strlen(name)) || p[strlen(name)] != ':')
			continue;
		p += strlen(name) + 1;
		for (i = 0; i <= cpu; i++) {
			v = strtol(p, &end, 10);
			if (end == p) {
				v = -1;
				break;
			}
			p = end;
		}
		break;
	}
	fclose(f);
	return v;
}

/* A task on cpu1 that wakes every 30 ms for a moment, for ms. */
static pid_t sleeper_cpu1(unsigned int ms)
{
	pid_t p = fork();

	if (p == 0) {
		uint64_t end = gtt_now_ns() + ms * REL_NS_PER_MS;

		gtt_pin_cpu(0, 1);
		while (gtt_now_ns() < end)
			gtt_msleep(30);
		_exit(0);
	}
	return p;
}

/* Function-call IPIs cpu1 takes in 2 s with the sleeper on it. */
static long cpu1_ipis(void)
{
	long c0 = irq_count("CAL", 1), c1;
	pid_t p;

	gtt_pin_cpu(0, 0);
	p = sleeper_cpu1(2000);
	waitpid(p, NULL, 0);
	c1 = irq_count("CAL", 1);
	return c0 < 0 || c1 < 0 ? -1 : c1 - c0;
}

/*
 * Partial batches are flushed every flush period, without an IPI: a CPU
 * that sleeps between its events is not interrupted by the tracer, and
 * its batches still reach the reader while tracing.
 */
TEST_F_TIMEOUT(harden, flush_without_ipis, GTT_TIMEOUT)
{
	struct gotrace_cpu_stats cs[2];
	struct gotrace_status st;
	long base, traced;
	struct gtt_bg bg;

	if (access(REL_CPU1_ONLINE, F_OK))
		SKIP(return, "no cpu1");
	ASSERT_EQ(0, rel_cpu1_set(1));
	/*
	 * The reader too stays on cpu0: waking it on cpu1 would take an IPI
	 * there (a remote wakeup), which is not the flush's.
	 */
	ASSERT_EQ(0, gtt_pin_cpu(0, 0));
	base = cpu1_ipis();
	ASSERT_LE(0, base);
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 20));
	ASSERT_EQ(0, gtt_bg_start(&bg, self->fd, 0));
	traced = cpu1_ipis();
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, 2));
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_bg_join(&bg));
	CHECK_STREAM(&bg.buf, true);
	TH_LOG("RELIABILITY flush_ipis cpu1 function-call IPIs in 2 s: %ld untraced, %ld traced (flush 20 ms); cpu1 %u batches, %llu events, %.0f bytes/batch while tracing",
	       base, traced, cs[1].batches,
	       (unsigned long long)cs[1].events,
	       cs[1].batches ? (double)cs[1].bytes / cs[1].batches : 0.0);
	EXPECT_GT(base + 10, traced);
	/* Flushed while tracing, not only at STOP. */
	EXPECT_LT(10, cs[1].batches);
	gtt_buf_free(&bg.buf);
}

/*
 * The filter's tasks forked while START runs: each is followed.  A parent
 * forks a child every 2 ms (each lives 20 ms); every child forked after
 * the trace's start and reaped before its stop must have its exit in the
 * trace.  Children forked between the TASKS dump and the probes' attach
 * used to be in neither and never followed.
 */
struct child_rec {
	uint64_t fork_ns, reap_ns;
	int32_t pid;
};

#define FORKER_MAX	4096

static void forker(struct child_rec *rec, int *stop)
{
	unsigned int n = 0;

	while (!__atomic_load_n(stop, __ATOMIC_RELAXED) && n < FORKER_MAX) {
		pid_t c = fork();

		if (c == 0) {
			gtt_msleep(20);
			_exit(0);
		}
		if (c < 0)
			break;
		rec[n].fork_ns = gtt_now_ns();
		rec[n].pid = c;
		n++;
		gtt_msleep(2);
		/* Reap whoever is done, noting when. */
		for (;;) {
			pid_t w = waitpid(-1, NULL, WNOHANG);
			unsigned int i;

			if (w <= 0)
				break;
			for (i = 0; i < n; i++)
				if (rec[i].pid == w)
					rec[i].reap_ns = gtt_now_ns();
		}
	}
	_exit(0);
}

TEST_F_TIMEOUT(harden, filter_follows_children_forked_during_start,
	       GTT_TIMEOUT)
{
	size_t len = FORKER_MAX * sizeof(struct child_rec) + 64;
	unsigned int round, i, checked = 0, missing = 0;
	struct child_rec *rec;
	int *stop;
	void *shm;
	pid_t p;

	shm = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shm);
	for (round = 0; round < 5; round++) {
		struct gtt_buf b = { 0 };
		const struct gotrace_header *h;
		uint64_t stop_ns;

		memset(shm, 0, len);
		stop = shm;
		rec = (struct child_rec *)((char *)shm + 64);
		p = fork();
		ASSERT_LE(0, p);
		if (p == 0)
			forker(rec, stop);
		gtt_msleep(50);
		ASSERT_EQ(0, start_filter(self->fd, p, GOTRACE_FILTER_CHILDREN));
		gtt_msleep(300);
		stop_ns = gtt_now_ns();
		ASSERT_EQ(0, gtt_stop(self->fd, 0));
		__atomic_store_n(stop, 1, __ATOMIC_RELAXED);
		waitpid(p, NULL, 0);
		ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
		CHECK_STREAM(&b, true);
		h = (const void *)(b.data + GOTRACE_MAGIC_LEN);
		for (i = 0; i < FORKER_MAX && rec[i].pid; i++) {
			if (rec[i].fork_ns <= h->start_ns || !rec[i].reap_ns ||
			    rec[i].reap_ns >= stop_ns)
				continue;
			checked++;
			if (count_events(&b, rec[i].pid,
					 GOTRACE_EV_SCHED_PROCESS_EXIT) != 1) {
				if (missing++ < 5)
					TH_LOG("round %u: child %d forked %.1f ms after the start has no exit",
					       round, rec[i].pid,
					       (rec[i].fork_ns - h->start_ns) / 1e6);
			}
		}
		gtt_buf_free(&b);
	}
	munmap(shm, len);
	TH_LOG("RELIABILITY filter_children_during_start rounds=5 children=%u missing=%u",
	       checked, missing);
	EXPECT_LT(50, checked);
	EXPECT_EQ(0, missing);
}

/* A reader that reads 64 KiB every 300 ms until EOF. */
static void *slow_reader_fn(void *arg)
{
	struct gtt_bg *bg = arg;
	ssize_t n;

	do {
		n = gtt_read_once(bg->fd, &bg->buf, 64 << 10);
		if (n > 0)
			gtt_msleep(300);
	} while (n > 0);
	bg->err = n < 0 ? (int)n : 0;
	return NULL;
}

/*
 * A flush never takes a CPU's last free buffer: with a small pool (16 KiB,
 * 4 batches) and a reader that comes every 300 ms, a CPU with a few
 * events every 30 ms must lose none of them to batches flushed nearly
 * empty.
 */
TEST_F_TIMEOUT(harden, flush_keeps_a_free_buffer, GTT_TIMEOUT)
{
	struct gtt_raw raw;
	struct gtt_bg bg;
	pid_t p;

	if (access(REL_CPU1_ONLINE, F_OK))
		SKIP(return, "no cpu1");
	ASSERT_EQ(0, rel_cpu1_set(1));
	gtt_pin_cpu(0, 0);
	ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_SCHED,
			       GOTRACE_MIN_BUFFER_SIZE, 20));
	memset(&bg, 0, sizeof(bg));
	bg.fd = self->fd;
	ASSERT_EQ(0, pthread_create(&bg.thread, NULL, slow_reader_fn, &bg));
	p = sleeper_cpu1(2000);
	ASSERT_LT(0, p);
	waitpid(p, NULL, 0);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, pthread_join(bg.thread, NULL));
	ASSERT_EQ(0, bg.err);
	CHECK_STREAM(&bg.buf, true);
	ASSERT_EQ(0, gtt_raw_parse(bg.buf.data, bg.buf.len, &raw));
	ASSERT_LE(2, raw.nr_cpus);
	TH_LOG("RELIABILITY flush_small_pool cpu1: %u batches, %llu events, %llu lost",
	       raw.cpu[1].batches, (unsigned long long)raw.cpu[1].end.events,
	       (unsigned long long)raw.cpu[1].end.lost);
	EXPECT_EQ(0, raw.cpu[1].end.lost);
	EXPECT_LT(100, raw.cpu[1].end.events);
	gtt_raw_free(&raw);
	gtt_buf_free(&bg.buf);
}

TEST_HARNESS_MAIN
