// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only LD_PRELOAD stand-in for /dev/gotrace, to run "gotrace record",
 * "start", "stop" and "status" on a machine without the module.
 *
 * open("/dev/gotrace") returns the read end of a pipe.  START makes a thread
 * write a magic, a HEADER and then a BATCH every 5 ms, alternating between
 * two CPUs; STOP makes it write the CPU_END and END records and close the
 * pipe, so the reader sees EOF.  Environment:
 *   FAKEDEV_LOST=n   report n lost events (in a batch, CPU_END and END)
 *   FAKEDEV_BUSY=1   START fails with EBUSY unless GOTRACE_START_DISCARD
 *   FAKEDEV_NOEND=1  close the stream without CPU_END/END records; STATUS
 *                    then reports no lost events (as a device whose trace
 *                    another START --discard replaced would), so only the
 *                    stream's batches tell the losses
 *
 * A flight recorder (GOTRACE_START_FLIGHT) writes no stream.  Its
 * triggers fire as FAKEDEV_FIRE says: "MS:I,MS:I..." fires trigger I at
 * MS ms after START (an oom trigger on a mark_victim event, any other on
 * a direct reclaim end, CPU 0, pid 4242).  ppoll() on the device reports
 * POLLPRI while fired triggers are not taken; GOTRACE_IOC_TRIGGERS takes
 * them (FAKEDEV_MISSED=n: the first take reports n missed);
 * GOTRACE_IOC_SNAPSHOT returns a memfd with a trace of the events fired so
 * far and a TRIGGERS record of those fired.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/gotrace.h>

#define FAKE_CPUS	2

static int fake_rd = -1;
static int fake_wr = -1;
static pthread_t writer;
static int started;
static int stop_req;	/* __atomic */
static uint64_t lost_env;
static struct gotrace_start params;
static uint64_t events[FAKE_CPUS], batches[FAKE_CPUS], bytes[FAKE_CPUS];

/* flight recorder: fired triggers, a byte in fire_pipe for each untaken */
static int fire_pipe[2] = { -1, -1 };
static pthread_t firer;
static pthread_mutex_t fire_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gotrace_trigger fake_trigs[GOTRACE_MAX_TRIGGERS];
static struct gotrace_fired fake_fired[GOTRACE_FIRED_MAX];
static uint32_t nr_fired, nr_taken;
static uint64_t start_ns, missed_env;

static void put(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fake_wr, b, n);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		b += w;
		n -= w;
	}
}

static size_t varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static void put_batch(uint32_t cpu, uint64_t lost)
{
	uint8_t buf[4096];
	struct gotrace_batch b;
	size_t n = sizeof(b);
	uint64_t ts = now_ns();
	int i;

	memset(&b, 0, sizeof(b));
	b.rec.type = GOTRACE_REC_BATCH;
	b.cpu = cpu;
	b.seq = (uint32_t)batches[cpu];
	b.base_ts = ts;
	b.lost = lost;
	for (i = 0; i < 20; i++) {
		buf[n++] = GOTRACE_EV_SCHED_WAKEUP;
		n += varint(buf + n, i ? 7 : 0);
		n += varint(buf + n, 1000 + i);
		n += varint(buf + n, 120);
		n += varint(buf + n, cpu);
		if (params.flags & GOTRACE_START_STACKS)
			n += varint(buf + n, i % 3);	/* ids 0, 1, 2 */
	}
	while (n % 8)
		buf[n++] = 0;
	b.rec.len = (uint32_t)n;
	b.nr_events = 20;
	memcpy(buf, &b, sizeof(b));
	put(buf, n);
	events[cpu] += 20;
	batches[cpu]++;
	bytes[cpu] += n;
}

static void *writer_fn(void *arg)
{
	struct gotrace_header h;
	uint32_t cpu = 0, c;
	sigset_t pipe_set;
	int first = 1;

	(void)arg;
	/*
	 * A device does not kill the process that closed it: with SIGPIPE
	 * blocked in this thread, a write after the tool closed the read end
	 * fails with EPIPE (put() gives up) instead of killing the tool.
	 */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	put(GOTRACE_MAGIC, GOTRACE_MAGIC_LEN);
	memset(&h, 0, sizeof(h));
	h.rec.type = GOTRACE_REC_HEADER;
	h.rec.len = sizeof(h);
	h.version = GOTRACE_VERSION;
	h.nr_cpus = FAKE_CPUS;
	h.clock = GOTRACE_CLOCK_MONO;
	h.page_size = 4096;
	h.start_ns = now_ns();
	h.groups = params.groups ? params.groups : GOTRACE_GROUP_ALL;
	h.filter_pid = params.filter_pid;
	h.filter_flags = params.filter_flags;
	h.start_flags = params.flags;
	if (params.flags & GOTRACE_START_STACKS)
		h.stack_events = 1ULL << GOTRACE_EV_SCHED_WAKEUP;
	strcpy(h.release, "fake");
	strcpy(h.machine, "x86_64");
	put(&h, sizeof(h));
	/* one batch at least, as a device that traced anything before STOP */
	do {
		put_batch(cpu, first ? lost_env : 0);
		first = 0;
		cpu = (cpu + 1) % FAKE_CPUS;
		usleep(5000);
	} while (!__atomic_load_n(&stop_req, __ATOMIC_ACQUIRE));
	if (!getenv("FAKEDEV_NOEND")) {
		struct gotrace_cpu_end ce;
		struct gotrace_end e;

		memset(&e, 0, sizeof(e));
		if (params.flags & GOTRACE_START_STACKS) {
			static const uint64_t s1[] = {
				4, 0x0000000200000001ULL,
				0xffffffff81000110ULL, 0xffffffff81000220ULL,
			};
			static const uint64_t s2[] = {
				4, 0x0000000100000002ULL,
				0xffffffffc0001008ULL,
			};
			uint64_t r1[4], r2[3];

			/* struct gotrace_stack: rec {type 7, len}, id, nr */
			memcpy(r1, s1, sizeof(s1));
			memcpy(r2, s2, sizeof(s2));
			r1[0] = GOTRACE_REC_STACK | (uint64_t)sizeof(r1) << 32;
			r2[0] = GOTRACE_REC_STACK | (uint64_t)sizeof(r2) << 32;
			put(r1, sizeof(r1));
			put(r2, sizeof(r2));
			e.stacks = 2;
		}
		for (c = 0; c < FAKE_CPUS; c++) {
			memset(&ce, 0, sizeof(ce));
			ce.rec.type = GOTRACE_REC_CPU_END;
			ce.rec.len = sizeof(ce);
			ce.cpu = c;
			ce.batches = (uint32_t)batches[c];
			ce.events = events[c];
			ce.lost = c ? 0 : lost_env;
			ce.bytes = bytes[c];
			put(&ce, sizeof(ce));
			e.events += events[c];
		}
		e.rec.type = GOTRACE_REC_END;
		e.rec.len = sizeof(e);
		e.nr_cpus = FAKE_CPUS;
		e.stop_ns = now_ns();
		e.lost = lost_env;
		put(&e, sizeof(e));
	}
	close(fake_wr);
	fake_wr = -1;
	return NULL;
}

static void *firer_fn(void *arg)
{
	const char *spec = getenv("FAKEDEV_FIRE");
	unsigned long ms, idx;
	char *end;

	(void)arg;
	while (spec && *spec) {
		ms = strtoul(spec, &end, 10);
		if (*end != ':')
			break;
		idx = strtoul(end + 1, &end, 10);
		spec = *end == ',' ? end + 1 : end;
		while (now_ns() < start_ns + ms * 1000000ULL &&
		       !__atomic_load_n(&stop_req, __ATOMIC_ACQUIRE))
			usleep(1000);
		if (__atomic_load_n(&stop_req, __ATOMIC_ACQUIRE))
			break;
		if (idx >= params.nr_triggers || nr_fired == GOTRACE_FIRED_MAX)
			continue;
		pthread_mutex_lock(&fire_lock);
		{
			struct gotrace_fired *f = &fake_fired[nr_fired];
			uint32_t kind = fake_trigs[idx].kind;

			memset(f, 0, sizeof(*f));
			f->seq = nr_fired + 1;
			f->ts = now_ns();
			f->kind = kind;
			f->index = (uint32_t)idx;
			f->pid = 4242;
			f->event = kind == GOTRACE_TRIGGER_OOM ?
				   GOTRACE_EV_MARK_VICTIM :
				   GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END;
			f->value = kind == GOTRACE_TRIGGER_OOM ? 0 :
				   fake_trigs[idx].value + 1000;
			nr_fired++;
		}
		pthread_mutex_unlock(&fire_lock);
		if (write(fire_pipe[1], "", 1) != 1)
			break;
	}
	return NULL;
}

static void start_flight(void)
{
	uint32_t n = params.nr_triggers;

	if (n > GOTRACE_MAX_TRIGGERS)
		n = GOTRACE_MAX_TRIGGERS;
	memcpy(fake_trigs, (void *)(uintptr_t)params.triggers,
	       n * sizeof(*fake_trigs));
	params.nr_triggers = n;
	missed_env = getenv("FAKEDEV_MISSED") ?
		     strtoull(getenv("FAKEDEV_MISSED"), NULL, 0) : 0;
	start_ns = now_ns();
	if (pipe2(fire_pipe, O_CLOEXEC | O_NONBLOCK) == 0)
		pthread_create(&firer, NULL, firer_fn, NULL);
}

static int take_fired(struct gotrace_triggers *tr)
{
	struct gotrace_fired *buf = (void *)(uintptr_t)tr->buf;
	char drain[GOTRACE_FIRED_MAX];
	uint32_t n = 0;

	pthread_mutex_lock(&fire_lock);
	while (nr_taken < nr_fired && n < tr->len)
		buf[n++] = fake_fired[nr_taken++];
	tr->nr = n;
	tr->fired = nr_fired;
	tr->missed = missed_env;
	missed_env = 0;
	pthread_mutex_unlock(&fire_lock);
	if (n && read(fire_pipe[0], drain, n) < 0)
		return -1;
	return 0;
}

static void mput(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n)
		abort();
}

/* A snapshot: HEADER, WINDOW, TRIGGERS, a batch of the fired events. */
static int fake_snapshot(struct gotrace_snapshot *sn)
{
	struct gotrace_header h;
	struct {
		struct gotrace_window w;
		uint32_t first_seq[FAKE_CPUS];
	} win;
	struct gotrace_triggers_rec tr;
	struct gotrace_batch b;
	struct gotrace_cpu_end ce;
	struct gotrace_end e;
	uint8_t buf[4096];
	size_t n = sizeof(b);
	uint64_t ts, end = now_ns();
	uint32_t i, c, nf;
	int fd = memfd_create("gotrace-snapshot", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	pthread_mutex_lock(&fire_lock);
	nf = nr_fired;
	memset(&h, 0, sizeof(h));
	h.rec.type = GOTRACE_REC_HEADER;
	h.rec.len = sizeof(h);
	h.version = GOTRACE_VERSION;
	h.nr_cpus = FAKE_CPUS;
	h.clock = GOTRACE_CLOCK_MONO;
	h.page_size = 4096;
	h.start_ns = start_ns;
	h.groups = params.groups ? params.groups : GOTRACE_GROUP_ALL;
	h.start_flags = params.flags;
	strcpy(h.release, "fake");
	strcpy(h.machine, "x86_64");
	memset(&win, 0, sizeof(win));
	win.w.rec.type = GOTRACE_REC_WINDOW;
	win.w.rec.len = sizeof(win);
	win.w.nr_cpus = FAKE_CPUS;
	win.w.start_ns = start_ns;
	win.w.snapshot_ns = end;
	memset(&tr, 0, sizeof(tr));
	tr.rec.type = GOTRACE_REC_TRIGGERS;
	tr.rec.len = sizeof(tr) + params.nr_triggers * sizeof(fake_trigs[0]) +
		     nf * sizeof(fake_fired[0]);
	tr.nr_triggers = params.nr_triggers;
	tr.nr_fired = nf;
	tr.fired = nf;
	/* one batch on CPU 0: the events that fired, in ts order */
	memset(&b, 0, sizeof(b));
	b.rec.type = GOTRACE_REC_BATCH;
	b.base_ts = start_ns;
	ts = start_ns;
	for (i = 0; i < nf; i++) {
		const struct gotrace_fired *f = &fake_fired[i];

		buf[n++] = (uint8_t)f->event;
		n += varint(buf + n, f->ts - ts);
		ts = f->ts;
		if (f->event == GOTRACE_EV_MARK_VICTIM) {
			static const uint64_t a[] = {
				4242, 100000, 90000, 10, 0, 0, 50, 0,
			};

			for (c = 0; c < 8; c++)
				n += varint(buf + n, a[c]);
		} else {
			n += varint(buf + n, 17);
			n += varint(buf + n, f->pid);
		}
		b.nr_events++;
	}
	while (n % 8)
		buf[n++] = 0;
	b.rec.len = (uint32_t)n;
	memcpy(buf, &b, sizeof(b));
	mput(fd, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN);
	mput(fd, &h, sizeof(h));
	mput(fd, &win, sizeof(win));
	mput(fd, &tr, sizeof(tr));
	mput(fd, fake_trigs, params.nr_triggers * sizeof(fake_trigs[0]));
	mput(fd, fake_fired, nf * sizeof(fake_fired[0]));
	mput(fd, buf, n);
	pthread_mutex_unlock(&fire_lock);
	for (c = 0; c < FAKE_CPUS; c++) {
		memset(&ce, 0, sizeof(ce));
		ce.rec.type = GOTRACE_REC_CPU_END;
		ce.rec.len = sizeof(ce);
		ce.cpu = c;
		ce.batches = !c;
		ce.events = c ? 0 : nf;
		mput(fd, &ce, sizeof(ce));
	}
	memset(&e, 0, sizeof(e));
	e.rec.type = GOTRACE_REC_END;
	e.rec.len = sizeof(e);
	e.nr_cpus = FAKE_CPUS;
	e.stop_ns = end;
	e.events = nf;
	mput(fd, &e, sizeof(e));
	lseek(fd, 0, SEEK_SET);
	sn->bytes = (uint64_t)lseek(fd, 0, SEEK_END);
	lseek(fd, 0, SEEK_SET);
	sn->start_ns = start_ns;
	sn->end_ns = end;
	sn->generations = 1;
	sn->batches = 1;
	return fd;
}

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *tmo,
	  const sigset_t *mask)
{
	static int (*fn)(struct pollfd *, nfds_t, const struct timespec *,
			 const sigset_t *);
	struct pollfd p;
	int ret;

	if (!fn)
		fn = (int (*)(struct pollfd *, nfds_t, const struct timespec *,
			      const sigset_t *))dlsym(RTLD_NEXT, "ppoll");
	if (nfds != 1 || fds[0].fd != fake_rd || fake_rd < 0 ||
	    fire_pipe[0] < 0)
		return fn(fds, nfds, tmo, mask);
	p.fd = fire_pipe[0];
	p.events = POLLIN;
	p.revents = 0;
	ret = fn(&p, 1, tmo, mask);
	fds[0].revents = p.revents & POLLIN ? POLLPRI : p.revents;
	return ret;
}

static int real_open(const char *path, int flags, mode_t mode)
{
	static int (*fn)(const char *, int, ...);

	if (!fn)
		fn = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	return fn(path, flags, mode);
}

static int fake_open(void)
{
	int p[2];

	if (fake_rd >= 0) {
		errno = EBUSY;
		return -1;
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fake_rd = p[0];
	fake_wr = p[1];
	return fake_rd;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (!strcmp(path, GOTRACE_DEVICE))
		return fake_open();
	return real_open(path, flags, mode);
}

__attribute__((alias("open")))
int open64(const char *path, int flags, ...);

int ioctl(int fd, unsigned long req, ...)
{
	static int (*fn)(int, unsigned long, ...);
	struct gotrace_status *st;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != fake_rd || fd < 0) {
		if (!fn)
			fn = (int (*)(int, unsigned long, ...))
				dlsym(RTLD_NEXT, "ioctl");
		return fn(fd, req, arg);
	}
	switch (req) {
	case GOTRACE_IOC_START:
		memcpy(&params, arg, sizeof(params));
		if (getenv("FAKEDEV_BUSY") &&
		    !(params.flags & GOTRACE_START_DISCARD)) {
			errno = EBUSY;
			return -1;
		}
		if (started) {
			errno = EBUSY;
			return -1;
		}
		lost_env = getenv("FAKEDEV_LOST") ?
			   strtoull(getenv("FAKEDEV_LOST"), NULL, 0) : 0;
		started = 1;
		if (params.flags & GOTRACE_START_FLIGHT) {
			start_flight();
			return 0;
		}
		return pthread_create(&writer, NULL, writer_fn, NULL) ? -1 : 0;
	case GOTRACE_IOC_TRIGGERS:
		if (!(params.flags & GOTRACE_START_FLIGHT)) {
			errno = EINVAL;
			return -1;
		}
		return take_fired(arg);
	case GOTRACE_IOC_SNAPSHOT:
		if (!(params.flags & GOTRACE_START_FLIGHT)) {
			errno = started ? EINVAL : ENODATA;
			return -1;
		}
		return fake_snapshot(arg);
	case GOTRACE_IOC_STOP:
		if (!started) {
			errno = EINVAL;
			return -1;
		}
		__atomic_store_n(&stop_req, 1, __ATOMIC_RELEASE);
		if (getenv("FAKEDEV_STOPPED"))	/* the test sees the STOP */
			close(real_open(getenv("FAKEDEV_STOPPED"),
					O_WRONLY | O_CREAT, 0644));
		return 0;
	case GOTRACE_IOC_STATUS:
		st = arg;
		if (!started)
			st->state = GOTRACE_STATE_IDLE;
		else if (__atomic_load_n(&stop_req, __ATOMIC_ACQUIRE))
			st->state = GOTRACE_STATE_STOPPED;
		else
			st->state = GOTRACE_STATE_TRACING;
		st->nr_cpus = FAKE_CPUS;
		st->trace_id = 1;
		st->groups = GOTRACE_GROUP_ALL;
		st->buffer_size = GOTRACE_DEFAULT_BUFFER_SIZE;
		st->flush_ms = GOTRACE_DEFAULT_FLUSH_MS;
		st->missing = 1ULL << GOTRACE_TP_MM_PAGE_ALLOC_EXTFRAG;
		st->attached = (1ULL << GOTRACE_TP_COUNT) - 1 - st->missing;
		st->lost = getenv("FAKEDEV_NOEND") ? 0 : lost_env;
		if (started && params.flags & GOTRACE_START_FLIGHT)
			st->start_flags = params.flags;
		if (st->cpu_stats && st->cpu_len) {
			struct gotrace_cpu_stats *cs =
				(void *)(uintptr_t)st->cpu_stats;
			uint32_t i;

			for (i = 0; i < st->cpu_len && i < FAKE_CPUS; i++) {
				cs[i].events = 10 * (i + 1);
				cs[i].flags = GOTRACE_CPU_ONLINE |
					      GOTRACE_CPU_TRACED;
			}
		}
		return 0;
	}
	errno = ENOTTY;
	return -1;
}
