// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_faults: the module under abuse - hundreds of start/stop cycles,
 * unload/reload with a trace running and readers in every state, readers
 * killed mid-stream, storms of concurrent ioctls, CPU hotplug during a
 * trace, allocation failure at START, and `gotrace record` losing its disk
 * or its life.  Bounded: GTT_SCALE multiplies the cycle counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_rel.h"

#define GTT_TIMEOUT	600
#define GOTRACE_BIN	"/bin/gotrace"

/* `gotrace_faults --workload MS`: the command that `gotrace record` runs. */
__attribute__((constructor))
static void workload_mode(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--workload")) {
		rel_workload(atoi(argv[2]));
		_exit(0);
	}
}

FIXTURE(faults) {
	int fd;
	struct rel_pin pin;
};

FIXTURE_SETUP(faults)
{
	ASSERT_EQ(0, rel_ensure_loaded());
	rel_pin_if_mttcg(&self->pin);
	GTT_DEVICE_SETUP(0);
}

FIXTURE_TEARDOWN(faults)
{
	/* A hotplug test that failed half-way leaves cpu1 online again. */
	if (!access(REL_CPU1_ONLINE, W_OK))
		rel_cpu1_set(1);
	rel_unpin_tracepoints(&self->pin);
	if (self->fd >= 0)
		close(self->fd);
	rel_ensure_loaded();
	gtt_make_idle();
}

/* ---- start/stop cycles ---- */

/*
 * The cycles below must attach each tracepoint's first probe and detach its
 * last (text patching, the irq_work's lifetime): no other tracer may hold
 * the tracepoints unless the guest runs multi-threaded TCG (GTT_PIN=1).
 */
TEST_F(faults, cycles_are_unpinned)
{
	const char *pin = getenv("GTT_PIN");
	char path[256], buf[8];
	unsigned int i, held = 0;
	int fd;
	ssize_t n;

	if (pin && *pin == '1')
		SKIP(return, "GTT_PIN=1: multi-threaded TCG, tracepoints pinned");
	for (i = 0; i < REL_NR_TPS; i++) {
		snprintf(path, sizeof(path), REL_EVENTS "%s/enable", rel_tps[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n > 0 && buf[0] != '0') {
			TH_LOG("%s: ftrace event enabled", rel_tps[i]);
			held++;
		}
	}
	EXPECT_EQ(0, held);
	EXPECT_EQ(0, self->pin.pinned);
}

TEST_F_TIMEOUT(faults, start_stop_cycles, GTT_TIMEOUT)
{
	static const uint32_t sizes[] = {
		GOTRACE_MIN_BUFFER_SIZE, 64 << 10, 1 << 20, 0,
	};
	static const uint64_t groups[] = {
		GOTRACE_GROUP_SCHED, GOTRACE_GROUP_PAGE, 0,
		GOTRACE_GROUP_SCHED | GOTRACE_GROUP_RECLAIM,
	};
	unsigned int n = 200 * rel_scale(), i, seed = 1;
	unsigned int modes[4] = { 0 };
	struct gotrace_status st0, st;
	uint64_t starts = 0;

	ASSERT_EQ(0, gtt_status(self->fd, &st0, NULL, 0));
	for (i = 0; i < n; i++) {
		struct gtt_buf b = { 0 };
		unsigned int mode = i % 4;
		uint32_t flags = rand_r(&seed) % 7 ? 0 : GOTRACE_START_STACKS;
		uint32_t size = sizes[rand_r(&seed) % 4];
		uint64_t grp = groups[rand_r(&seed) % 4];
		struct gtt_bg bg;
		int fd2;

		ASSERT_EQ(0, gtt_start(self->fd, flags, grp, size, 10 + i % 50)) {
			TH_LOG("cycle %u: START failed", i);
		}
		starts++;
		if (i % 3 == 0)
			gtt_touch_pages(8);	/* leaked on purpose: tiny */
		switch (mode) {
		case 0:	/* stop, read it all */
			ASSERT_EQ(0, gtt_stop(self->fd, 0));
			ASSERT_EQ(0, gtt_read_all(self->fd, &b, 0));
			CHECK_STREAM(&b, true);
			break;
		case 1:	/* stop, throw it away unread with the next START */
			ASSERT_EQ(0, gtt_stop(self->fd, 0));
			ASSERT_EQ(-EBUSY, gtt_start(self->fd, 0, 0, size, 0));
			ASSERT_EQ(0, gtt_start(self->fd, GOTRACE_START_DISCARD,
					       grp, size, 0));
			starts++;
			ASSERT_EQ(0, gtt_stop(self->fd, 0));
			ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
			CHECK_STREAM(&b, true);
			break;
		case 2:	/* a reader leaves half-way, another reads the rest */
			ASSERT_LE(0, gtt_read_once(self->fd, &b, 100));
			ASSERT_EQ(0, gtt_stop(self->fd, 0));
			fd2 = gtt_open(0);
			ASSERT_LE(0, fd2);
			close(self->fd);
			self->fd = fd2;
			gtt_buf_free(&b);
			ASSERT_EQ(0, gtt_read_all(self->fd, &b, 4096));
			CHECK_STREAM(&b, false);
			break;
		case 3:	/* STOP_WAIT returns once a reader thread read it all */
			ASSERT_EQ(0, gtt_bg_start(&bg, self->fd, 0));
			ASSERT_EQ(0, gtt_stop(self->fd, GOTRACE_STOP_WAIT));
			ASSERT_EQ(0, gtt_bg_join(&bg));
			CHECK_STREAM(&bg.buf, true);
			gtt_buf_free(&bg.buf);
			break;
		}
		modes[mode]++;
		ASSERT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));
		gtt_buf_free(&b);
	}
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(st0.trace_id + starts, st.trace_id);
	TH_LOG("RELIABILITY start_stop_cycles=%u starts=%llu (read %u, discarded %u, reader-left %u, stop-wait %u)",
	       n, (unsigned long long)starts, modes[0], modes[1], modes[2],
	       modes[3]);
}

/* ---- unload/reload ---- */

static int unload_busy(void)
{
	int ret = rel_unload();

	return ret == -EAGAIN || ret == -EBUSY ? 0 : ret ? ret : -EEXIST;
}

/* A child blocked in read() on the stream; returns its pid. */
static pid_t blocked_reader(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct gtt_buf b = { 0 };
		int fd = gtt_open(0);

		close(p[0]);
		if (fd < 0 || gtt_start(fd, 0, 0, 0, GOTRACE_MAX_FLUSH_MS) ||
		    gtt_read_ready(fd, &b) <= 0)
			_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		/* No batch is due for a minute: this read blocks. */
		gtt_read_once(fd, &b, 1 << 20);
		_exit(2);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return pid;
}

TEST_F_TIMEOUT(faults, unload_reload_cycles, GTT_TIMEOUT)
{
	unsigned int n = 12 * rel_scale(), i, k[3] = { 0 };
	struct gotrace_status st;
	struct gtt_buf b = { 0 };
	int status, ret, fd;

	if (access(REL_MODULE_PATH, R_OK))
		SKIP(return, "no %s", REL_MODULE_PATH);
	close(self->fd);
	self->fd = -1;

	for (i = 0; i < n; i++) {
		struct gtt_buf b = { 0 };
		pid_t pid;

		switch (i % 3) {
		case 0:	/* tracing, no fd open: unload stops and frees */
			fd = gtt_open(0);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, gtt_start(fd, 0, 0, 0, 20));
			close(fd);
			rel_workload(30);
			break;
		case 1:	/* a reader blocked in read(): unload refused */
			pid = blocked_reader();
			ASSERT_LT(0, pid);
			gtt_msleep(50);
			ASSERT_EQ(0, unload_busy());
			fd = gtt_open(0);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, gtt_status(fd, &st, NULL, 0));
			EXPECT_EQ(GOTRACE_STATE_TRACING, st.state);
			EXPECT_EQ(1, st.reader);
			close(fd);
			kill(pid, SIGKILL);
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
			EXPECT_TRUE(WIFSIGNALED(status));
			break;
		case 2:	/* a reader half-way through the stream */
			fd = gtt_open(0);
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, gtt_start(fd, 0, 0, 64 << 10, 10));
			rel_workload(50);
			ASSERT_LT(0, gtt_read_once(fd, &b, GTT_HDR_BYTES + 100));
			ASSERT_EQ(0, unload_busy());
			ASSERT_EQ(0, gtt_stop(fd, 0));
			ASSERT_EQ(0, unload_busy());
			ASSERT_EQ(0, gtt_read_all(fd, &b, 1 << 20));
			CHECK_STREAM(&b, true);
			gtt_buf_free(&b);
			close(fd);
			break;
		}
		/* The last fd is released: unload must work now. */
		ret = -EAGAIN;
		for (int t = 0; t < 100 && (ret == -EAGAIN || ret == -EBUSY); t++) {
			ret = rel_unload();
			if (ret == -EAGAIN || ret == -EBUSY)
				gtt_msleep(20);
		}
		ASSERT_EQ(0, ret) {
			TH_LOG("cycle %u: unload: %s", i, strerror(-ret));
		}
		ASSERT_EQ(0, rel_load());
		fd = gtt_open(0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, gtt_status(fd, &st, NULL, 0));
		EXPECT_EQ(GOTRACE_STATE_IDLE, st.state);
		EXPECT_EQ(0, st.trace_id);
		close(fd);
		k[i % 3]++;
	}
	/* The reloaded module traces. */
	self->fd = gtt_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	rel_workload(20);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(&b, true);
	gtt_buf_free(&b);
	TH_LOG("RELIABILITY unload_reload_cycles=%u (tracing %u, blocked reader %u, half-way reader %u)",
	       n, k[0], k[1], k[2]);
}

/* ---- a reader killed with SIGKILL mid-stream ---- */

/* Complete BATCH records after the header in buf[0..len). */
static unsigned int count_batches(const uint8_t *buf, size_t len)
{
	uint64_t ev;
	size_t good;
	long n = rel_walk_prefix(buf, len, &ev, &good);

	return n < 0 ? 0 : (unsigned int)n;
}

TEST_F_TIMEOUT(faults, reader_sigkill, GTT_TIMEOUT)
{
	unsigned int n = 10 * rel_scale(), i;
	uint64_t skipped = 0;

	close(self->fd);
	self->fd = -1;
	for (i = 0; i < n; i++) {
		uint8_t hdr[GTT_HDR_BYTES];
		struct gtt_buf b = { 0 };
		struct gtt_raw raw;
		uint32_t k = 0, c, missing = 0;
		int p[2], status, fd;
		pid_t pid, wl;

		ASSERT_EQ(0, pipe(p));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct gtt_buf cb = { 0 };
			int cfd = gtt_open(0);
			bool sent = false;

			close(p[0]);
			if (cfd < 0 || gtt_start(cfd, 0, 0, 64 << 10, 10))
				_exit(1);
			for (;;) {
				if (gtt_read_once(cfd, &cb, 1000) < 0)
					_exit(1);
				k = count_batches(cb.data, cb.len);
				if (!sent && cb.len >= GTT_HDR_BYTES) {
					if (write(p[1], cb.data, GTT_HDR_BYTES) < 0)
						_exit(1);
					sent = true;
				}
				/* Tell the parent how far we are. */
				if (sent && write(p[1], &k, sizeof(k)) < 0)
					_exit(1);
			}
		}
		close(p[1]);
		wl = fork();
		if (wl == 0) {
			rel_workload(5000);
			_exit(0);
		}
		ASSERT_EQ(sizeof(hdr), read(p[0], hdr, sizeof(hdr)));
		/* Kill it once it read a few batches and is inside one. */
		do {
			ASSERT_EQ(sizeof(c), read(p[0], &c, sizeof(c)));
			k = c;
		} while (k < 2 + i % 3);
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		close(p[0]);

		fd = gtt_open(0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(GOTRACE_STATE_TRACING, gtt_state(fd));
		kill(wl, SIGKILL);
		waitpid(wl, NULL, 0);
		rel_workload(20);
		ASSERT_EQ(0, gtt_stop(fd, 0));
		ASSERT_EQ(0, gtt_read_all(fd, &b, 0));
		close(fd);
		/* The header again, then a stream that decodes. */
		ASSERT_LE(sizeof(hdr), b.len);
		EXPECT_EQ(0, memcmp(hdr, b.data, sizeof(hdr)));
		CHECK_STREAM(&b, false);
		ASSERT_EQ(0, gtt_raw_parse(b.data, b.len, &raw));
		/* Every batch is read or counted as skipped. */
		for (c = 0; c < raw.nr_cpus; c++)
			missing += raw.cpu[c].end.batches - raw.cpu[c].batches;
		EXPECT_EQ(missing, raw.end.reader_skipped);
		EXPECT_LE(k, raw.end.reader_skipped);
		skipped += raw.end.reader_skipped;
		gtt_raw_free(&raw);
		gtt_buf_free(&b);
	}
	TH_LOG("RELIABILITY reader_sigkill=%u batches_skipped=%llu", n,
	       (unsigned long long)skipped);
}

/* ---- ioctl storm ---- */

struct storm {
	atomic_bool stop;
	atomic_ulong calls;
	atomic_ulong bad;
	char bad_what[128];
};

struct storm_thread {
	pthread_t th;
	struct storm *s;
	unsigned int id;
};

static void storm_bad(struct storm *s, const char *op, int err)
{
	if (atomic_fetch_add(&s->bad, 1) == 0)
		snprintf(s->bad_what, sizeof(s->bad_what), "%s: %s", op,
			 strerror(err));
}

static void *storm_fn(void *arg)
{
	struct storm_thread *st = arg;
	struct storm *s = st->s;
	unsigned int seed = st->id * 7919 + 1;
	struct gotrace_cpu_stats cs[8];
	struct gotrace_status status;
	int fd = gtt_open(O_NONBLOCK);
	char buf[8192];

	while (!atomic_load(&s->stop)) {
		struct pollfd pfd;
		unsigned int op = rand_r(&seed) % 9;
		int ret;

		if (fd < 0) {
			fd = gtt_open(O_NONBLOCK);
			continue;
		}
		atomic_fetch_add(&s->calls, 1);
		switch (op) {
		case 0:
		case 1:
			ret = gtt_start(fd, rand_r(&seed) % 2 ?
					GOTRACE_START_DISCARD : 0, 0,
					(16 << 10) << (rand_r(&seed) % 5),
					10 + rand_r(&seed) % 100);
			if (ret && ret != -EBUSY)
				storm_bad(s, "START", -ret);
			break;
		case 2:
			ret = gtt_stop(fd, 0);
			if (ret && ret != -EINVAL)
				storm_bad(s, "STOP", -ret);
			break;
		case 3:
			ret = gtt_status(fd, &status, cs, 1 + rand_r(&seed) % 8);
			if (ret)
				storm_bad(s, "STATUS", -ret);
			break;
		case 4:
		case 5:
			ret = read(fd, buf, 1 + rand_r(&seed) % sizeof(buf));
			if (ret < 0 && errno != EAGAIN && errno != EBUSY)
				storm_bad(s, "read", errno);
			break;
		case 6:
			pfd.fd = fd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, rand_r(&seed) % 3) < 0)
				storm_bad(s, "poll", errno);
			break;
		case 7: {
			struct gotrace_bench bb = {
				.size = sizeof(bb), .nr_events = 2000,
				.buffer_size = 64 << 10,
			};

			ret = ioctl(fd, GOTRACE_IOC_BENCH, &bb) ? errno : 0;
			if (ret && ret != EBUSY)
				storm_bad(s, "BENCH", ret);
			break;
		}
		case 8:
			if (rand_r(&seed) % 4 == 0) {
				close(fd);
				fd = gtt_open(rand_r(&seed) % 2 ? O_NONBLOCK : 0);
				if (fd >= 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK))
					fcntl(fd, F_SETFL, O_NONBLOCK);
			}
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

TEST_F_TIMEOUT(faults, ioctl_storm, GTT_TIMEOUT)
{
	unsigned int secs = 4 * rel_scale(), i;
	struct storm_thread th[12];
	struct storm s = { 0 };
	struct gtt_buf b = { 0 };
	pid_t wl;

	wl = fork();
	ASSERT_LE(0, wl);
	if (wl == 0) {
		rel_workload(secs * 1000);
		_exit(0);
	}
	for (i = 0; i < 12; i++) {
		th[i].s = &s;
		th[i].id = i;
		ASSERT_EQ(0, pthread_create(&th[i].th, NULL, storm_fn, &th[i]));
	}
	gtt_msleep(secs * 1000);
	atomic_store(&s.stop, true);
	for (i = 0; i < 12; i++)
		pthread_join(th[i].th, NULL);
	waitpid(wl, NULL, 0);
	EXPECT_EQ(0, atomic_load(&s.bad)) {
		TH_LOG("unexpected result: %s", s.bad_what);
	}
	/* Still a working device. */
	ASSERT_EQ(0, gtt_make_idle());
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	rel_workload(20);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(&b, true);
	gtt_buf_free(&b);
	TH_LOG("RELIABILITY ioctl_storm threads=12 secs=%u calls=%lu", secs,
	       atomic_load(&s.calls));
}

/* ---- CPU hotplug ---- */

TEST_F_TIMEOUT(faults, cpu_hotplug, GTT_TIMEOUT)
{
	unsigned int n = 4 * rel_scale(), i, c;
	struct gotrace_cpu_stats cs[64];
	struct gotrace_status st;
	struct gtt_raw raw;
	struct gtt_bg bg;
	uint64_t total = 0;
	pid_t wl;

	if (access(REL_CPU1_ONLINE, W_OK))
		SKIP(return, "%s not writable", REL_CPU1_ONLINE);
	ASSERT_EQ(0, rel_cpu1_set(1));
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 4 << 20, 20));
	ASSERT_EQ(0, gtt_bg_start(&bg, self->fd, 0));
	wl = fork();
	ASSERT_LE(0, wl);
	if (wl == 0) {
		rel_workload(100000);
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		gtt_msleep(150);
		ASSERT_EQ(0, rel_cpu1_set(0)) {
			TH_LOG("offline cpu1 (cycle %u)", i);
		}
		gtt_msleep(150);
		ASSERT_EQ(0, rel_cpu1_set(1)) {
			TH_LOG("online cpu1 (cycle %u)", i);
		}
	}
	gtt_msleep(150);
	kill(wl, SIGKILL);
	waitpid(wl, NULL, 0);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_bg_join(&bg));
	CHECK_STREAM(&bg.buf, true);
	ASSERT_EQ(0, gtt_raw_parse(bg.buf.data, bg.buf.len, &raw));
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, 64));
	ASSERT_LE(2, raw.nr_cpus);
	for (c = 0; c < raw.nr_cpus && c < 64; c++) {
		/* Nothing lost: every event written is in a batch. */
		EXPECT_EQ(raw.cpu[c].end.events, raw.cpu[c].events) {
			TH_LOG("cpu %u: CPU_END %llu events, batches %llu", c,
			       (unsigned long long)raw.cpu[c].end.events,
			       (unsigned long long)raw.cpu[c].events);
		}
		EXPECT_EQ(0, raw.cpu[c].end.lost);
		EXPECT_EQ(0, raw.cpu[c].seq_gaps);
		EXPECT_EQ(cs[c].events, raw.cpu[c].end.events);
		total += raw.cpu[c].events;
	}
	EXPECT_LT(0, raw.cpu[1].events);
	EXPECT_EQ(0, raw.end.lost);
	gtt_raw_free(&raw);
	gtt_buf_free(&bg.buf);
	TH_LOG("RELIABILITY cpu_hotplug cycles=%u events=%llu lost=0", n,
	       (unsigned long long)total);
}

/*
 * A CPU offline at START has no buffers; it gets them when it comes online
 * (before it runs), and its events are in the trace with nothing lost.
 */
TEST_F_TIMEOUT(faults, cpu_online_after_start, GTT_TIMEOUT)
{
	struct gotrace_cpu_stats cs[2];
	struct gotrace_status st;
	struct gtt_raw raw;
	struct gtt_bg bg;
	unsigned int c;
	pid_t wl;
	int ret;

	if (access(REL_CPU1_ONLINE, W_OK))
		SKIP(return, "%s not writable", REL_CPU1_ONLINE);
	ASSERT_EQ(0, rel_cpu1_set(0));
	ret = gtt_start(self->fd, 0, 0, 0, 20);
	ASSERT_EQ(0, ret) TH_LOG("START with cpu1 offline: %s", strerror(-ret));
	ASSERT_EQ(0, gtt_bg_start(&bg, self->fd, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, 2));
	EXPECT_TRUE(cs[0].flags & GOTRACE_CPU_TRACED);
	EXPECT_FALSE(cs[1].flags & (GOTRACE_CPU_TRACED | GOTRACE_CPU_ONLINE));
	ASSERT_EQ(0, rel_cpu1_set(1));
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, 2));
	EXPECT_TRUE(cs[1].flags & GOTRACE_CPU_TRACED);
	EXPECT_TRUE(cs[1].flags & GOTRACE_CPU_ONLINE);
	wl = fork();
	ASSERT_LE(0, wl);
	if (wl == 0) {
		gtt_pin_cpu(0, 1);
		rel_workload(300);
		_exit(0);
	}
	ASSERT_EQ(wl, waitpid(wl, NULL, 0));
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_bg_join(&bg));
	/* Read to the end, buffers freed: STATUS still says who was traced. */
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, 2));
	EXPECT_EQ(GOTRACE_STATE_IDLE, st.state);
	EXPECT_TRUE(cs[0].flags & cs[1].flags & GOTRACE_CPU_TRACED);
	CHECK_STREAM(&bg.buf, true);
	ASSERT_EQ(0, gtt_raw_parse(bg.buf.data, bg.buf.len, &raw));
	ASSERT_LE(2, raw.nr_cpus);
	for (c = 0; c < 2; c++) {
		EXPECT_EQ(raw.cpu[c].end.events, raw.cpu[c].events);
		EXPECT_EQ(0, raw.cpu[c].end.lost);
		EXPECT_EQ(0, raw.cpu[c].seq_gaps);
	}
	EXPECT_LT(0, raw.cpu[1].events);
	TH_LOG("cpu0 %llu events, cpu1 (onlined during the trace) %llu events",
	       (unsigned long long)raw.cpu[0].events,
	       (unsigned long long)raw.cpu[1].events);
	gtt_raw_free(&raw);
	gtt_buf_free(&bg.buf);
}

/* ---- allocation failure at START ---- */

static long meminfo_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

TEST_F_TIMEOUT(faults, enomem_real_allocation, GTT_TIMEOUT)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF), avail, before, after;
	struct gtt_buf b = { 0 };
	struct sysinfo si;
	uint64_t ram, want, hog;
	uint32_t size;
	int p[2], status, ret;
	pid_t pid;
	char c;

	ASSERT_EQ(0, sysinfo(&si));
	ram = (uint64_t)si.totalram * si.mem_unit;
	/* The largest size the up-front check lets through... */
	want = ram / 2 / ncpu;
	if (want > GOTRACE_MAX_BUFFER_SIZE)
		SKIP(return, "too much RAM to exhaust (%llu MiB)",
		     (unsigned long long)(ram >> 20));
	size = (uint32_t)(want & ~((64ULL << 10) - 1));
	/* ...with most of the free memory taken by another process. */
	avail = meminfo_kb("MemAvailable");
	ASSERT_LT(0, avail);
	hog = (uint64_t)avail * 1024 - (uint64_t)size * ncpu / 4;
	if ((int64_t)hog < (64 << 20))
		SKIP(return, "not enough memory to arrange the failure");
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *m = mmap(NULL, hog, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (m == MAP_FAILED)
			_exit(1);
		if (write(p[1], "h", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	close(p[0]);

	before = meminfo_kb("MemFree");
	ret = gtt_start(self->fd, 0, 0, size, 0);
	after = meminfo_kb("MemFree");
	if (waitpid(pid, &status, WNOHANG) == pid) {
		if (!ret) {
			gtt_stop(self->fd, 0);
			gtt_make_idle();
		}
		SKIP(return, "the memory hog died (OOM killer?)");
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	EXPECT_EQ(-ENOMEM, ret) {
		TH_LOG("START of %u bytes x %ld CPUs with %ld KiB free: %s",
		       size, ncpu, before, strerror(-ret));
	}
	if (!ret) {
		gtt_stop(self->fd, 0);
		gtt_make_idle();
	}
	/* Nothing left half-allocated (a few MiB of slack for the rest). */
	EXPECT_LT(before - after, 8 * 1024) {
		TH_LOG("MemFree went from %ld to %ld KiB", before, after);
	}
	EXPECT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	rel_workload(20);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	CHECK_STREAM(&b, true);
	gtt_buf_free(&b);
	TH_LOG("RELIABILITY enomem buffer_size=%u x %ld cpus, MemFree before %ld after %ld KiB",
	       size, ncpu, before, after);
}

/* ---- gotrace record: disk full, SIGKILL ---- */

#define FULL_DIR	"/tmp/gtfull"

static char self_exe[256];

static const char *self_path(void)
{
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	self_exe[n > 0 ? n : 0] = '\0';
	return self_exe;
}

TEST_F_TIMEOUT(faults, record_disk_full, GTT_TIMEOUT)
{
	char *const argv[] = {
		GOTRACE_BIN, "record", "--no-pack", "-o", FULL_DIR "/t.trace",
		"-b", "64k",
		"--flush-ms", "20", "--", (char *)self_path(), "--workload", "6000",
		NULL,
	};
	struct gtt_buf b = { 0 }, msg = { 0 };
	uint64_t events, lib_events;
	char err[256], *at;
	size_t good;
	long batches;
	int status;

	if (access(GOTRACE_BIN, X_OK))
		SKIP(return, "no %s", GOTRACE_BIN);
	close(self->fd);
	self->fd = -1;
	mkdir(FULL_DIR, 0755);
	ASSERT_EQ(0, mount("tmpfs", FULL_DIR, "tmpfs", 0, "size=256k"));
	status = rel_run(argv, "/tmp/gtfull.err");
	ASSERT_EQ(0, rel_read_file(FULL_DIR "/t.trace", &b));
	ASSERT_EQ(0, rel_read_file("/tmp/gtfull.err", &msg));
	umount(FULL_DIR);
	msg.data = realloc(msg.data, msg.len + 1);
	ASSERT_NE(NULL, msg.data);
	msg.data[msg.len] = '\0';

	/* A clear error and a failed exit. */
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) {
		TH_LOG("gotrace record: status 0x%x", status);
	}
	EXPECT_NE(NULL, strstr((char *)msg.data, strerror(ENOSPC))) {
		TH_LOG("stderr: %s", (char *)msg.data);
	}
	/* The file is what it says it is: valid up to byte N = its size. */
	at = strstr((char *)msg.data, "valid up to byte ");
	ASSERT_NE(NULL, at);
	EXPECT_EQ(b.len, strtoull(at + 17, NULL, 10));
	EXPECT_LT(200 << 10, b.len);

	/* It decodes up to its last complete batch. */
	batches = rel_walk_prefix(b.data, b.len, &events, &good);
	ASSERT_LT(0, batches);
	ASSERT_EQ(0, rel_lib_events(b.data, b.len, &lib_events, err,
				    sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(events, lib_events);
	/* The trace was stopped and drained: the module is idle. */
	self->fd = gtt_open(0);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));
	TH_LOG("RELIABILITY record_disk_full file=%zu bytes, %ld complete batches, %llu events decoded",
	       b.len, batches, (unsigned long long)lib_events);
	gtt_buf_free(&b);
	gtt_buf_free(&msg);
}

TEST_F_TIMEOUT(faults, record_sigkill, GTT_TIMEOUT)
{
	char *const argv[] = {
		GOTRACE_BIN, "record", "--no-pack", "-o", "/tmp/killed.trace",
		"-b", "256k",
		"--flush-ms", "20", "--", (char *)self_path(), "--workload", "3000",
		NULL,
	};
	struct gtt_buf b = { 0 }, b2 = { 0 };
	uint64_t events, lib_events;
	unsigned int i, n = 3 * rel_scale();
	struct stat sb;
	char err[256];
	size_t good;
	long batches;
	int status;
	pid_t pid;

	if (access(GOTRACE_BIN, X_OK))
		SKIP(return, "no %s", GOTRACE_BIN);
	close(self->fd);
	self->fd = -1;
	for (i = 0; i < n; i++) {
		unlink("/tmp/killed.trace");
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
			dup2(fd, 2);
			execv(argv[0], argv);
			_exit(127);
		}
		/* Kill it once batches are streaming into the file. */
		for (int t = 0; t < 300; t++) {
			gtt_msleep(10);
			if (!stat("/tmp/killed.trace", &sb) &&
			    sb.st_size > (16 << 10) * (i + 1))
				break;
		}
		kill(pid, SIGKILL);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
		ASSERT_EQ(0, rel_read_file("/tmp/killed.trace", &b));
		batches = rel_walk_prefix(b.data, b.len, &events, &good);
		ASSERT_LE(0, batches) {
			TH_LOG("not a stream: %zu bytes", b.len);
		}
		ASSERT_EQ(0, rel_lib_events(b.data, b.len, &lib_events, err,
					    sizeof(err))) {
			TH_LOG("%s", err);
		}
		EXPECT_EQ(events, lib_events);
		/* The trace outlives its recorder; a new reader finishes it. */
		self->fd = gtt_open(0);
		ASSERT_LE(0, self->fd);
		gtt_stop(self->fd, 0);
		ASSERT_EQ(0, gtt_read_all(self->fd, &b2, 1 << 20));
		CHECK_STREAM(&b2, false);
		close(self->fd);
		self->fd = -1;
		TH_LOG("RELIABILITY record_sigkill cycle %u: file %zu bytes, %ld complete batches, %llu events decoded",
		       i, b.len, batches, (unsigned long long)lib_events);
		gtt_buf_free(&b);
		gtt_buf_free(&b2);
	}
}

TEST_HARNESS_MAIN
