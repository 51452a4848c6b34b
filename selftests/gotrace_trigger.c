// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_trigger: triggers decided in the probes (issue 13, item 3).
 *
 * - start_args: START's trigger fields: every EINVAL and E2BIG case
 *   (clone3 rules for trigger_size), a refused START leaves the device
 *   idle; STATUS's nr_triggers and triggers_fired; a flight snapshot
 *   without triggers has no TRIGGERS record.
 * - take: a wakeup:0 trigger on a pid-filtered ping-pong: poll() reports
 *   POLLPRI, GOTRACE_IOC_TRIGGERS with len 0 only counts, taken entries
 *   are not reported again, two files take independently, more than
 *   GOTRACE_FIRED_MAX fired are counted missed; the ioctl's argument
 *   rules.
 * - alloc_fail: order-9 allocations forced to fail (vm.nr_hugepages far
 *   beyond the VM's memory, restored after): an alloc-fail:9 trigger
 *   fires for the writer, a direct reclaim trigger with a small
 *   threshold fires too, and a compaction one (vm.compact_memory); the
 *   snapshot's TRIGGERS record names events the snapshot holds, at (cpu,
 *   ts, type).
 * - oom: a memory hog in a memory cgroup of 32 MiB is OOM-killed: the
 *   oom trigger fires within seconds, for the hog; the snapshot holds
 *   the mark_victim event it names and the hog's page allocations with
 *   their stacks.  The OOM report's stack dump is taken out of the
 *   kernel log (the suite fails a test whose log has a "Call Trace"); the
 *   rest of the log goes back.
 *
 * The TRIGGERS record is read with libgotrace (gt_triggers, gt_fired).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"

#define GTR_TIMEOUT	300
#define HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define COMPACT		"/proc/sys/vm/compact_memory"

/* ---- helpers ---- */

static int start_trig(int fd, uint32_t flags, uint64_t groups,
		      const struct gotrace_trigger *tr, uint32_t nr,
		      pid_t filter_pid)
{
	struct gotrace_start s = {
		.size = sizeof(s),
		.flags = GOTRACE_START_FLIGHT | flags,
		.groups = groups,
		.buffer_size = 4 << 20,
		.flush_ms = 50,
		.triggers = (uintptr_t)tr,
		.nr_triggers = nr,
		.trigger_size = sizeof(*tr),
	};

	if (filter_pid) {
		s.filter_pid = filter_pid;
		s.filter_flags = GOTRACE_FILTER_CHILDREN;
	}
	/* Stacks of the allocations, and of the OOM kill. */
	if (flags & GOTRACE_START_STACKS)
		s.stack_events = 1ULL << GOTRACE_EV_MM_PAGE_ALLOC |
				 (groups & GOTRACE_GROUP_OOM ?
				  1ULL << GOTRACE_EV_MARK_VICTIM : 0);
	return gtt_start_raw(fd, &s);
}

/* GOTRACE_IOC_TRIGGERS: nr, or -errno. */
static int take(int fd, struct gotrace_fired *buf, uint32_t len,
		struct gotrace_triggers *tg)
{
	memset(tg, 0, sizeof(*tg));
	tg->size = sizeof(*tg);
	tg->buf = (uintptr_t)buf;
	tg->len = len;
	if (ioctl(fd, GOTRACE_IOC_TRIGGERS, tg))
		return -errno;
	return tg->nr;
}

static short poll_pri(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLPRI };

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

static int take_snapshot(int fd, struct gtt_buf *b)
{
	struct gotrace_snapshot sn = { .size = sizeof(sn) };
	int sfd, ret;

	sfd = ioctl(fd, GOTRACE_IOC_SNAPSHOT, &sn);
	if (sfd < 0)
		return -errno;
	ret = gtt_read_all(sfd, b, 1 << 16);
	close(sfd);
	return ret;
}

/*
 * A snapshot's TRIGGERS record as libgotrace reads it, and what the
 * library does not say: how many there are, and where the first one is
 * (after WINDOW, before any batch), by the library's record scanner.
 */
struct trig_rec {
	struct gt_stream scan;
	struct gt_reader *r;
	int found;		/* records of type 16 */
	int after_window;
	const struct gotrace_trigger *spec;
	size_t nr_triggers;
	const struct gotrace_fired *fired;
	size_t nr_fired;
	char err[256];
};

static int trig_piece(void *arg, const struct gt_piece *pc)
{
	struct trig_rec *tr = arg;

	if ((pc->kind == GT_PIECE_RECORD || pc->kind == GT_PIECE_HEAD) &&
	    pc->type == GOTRACE_REC_TRIGGERS && !tr->found++) {
		tr->after_window =
			gt_stream_seen(&tr->scan, GOTRACE_REC_WINDOW) &&
			!gt_stream_seen(&tr->scan, GOTRACE_REC_BATCH);
	}
	return 0;
}

/* 0, or -1 with tr->err set; trig_rec_close() in either case. */
static int trig_rec_open(const struct gtt_buf *b, struct trig_rec *tr)
{
	memset(tr, 0, sizeof(*tr));
	if (gt_stream_init(&tr->scan, trig_piece, NULL, tr)) {
		snprintf(tr->err, sizeof(tr->err), "no memory");
		return -1;
	}
	gt_stream_feed(&tr->scan, b->data, b->len);
	if (tr->scan.bad) {
		snprintf(tr->err, sizeof(tr->err), "%s", tr->scan.err);
		return -1;
	}
	if (gt_open_mem(b->data, b->len, &tr->r)) {
		snprintf(tr->err, sizeof(tr->err), "open: %s", gt_error(NULL));
		return -1;
	}
	if (gt_triggers_error(tr->r)) {
		snprintf(tr->err, sizeof(tr->err), "%s",
			 gt_triggers_error(tr->r));
		return -1;
	}
	tr->spec = gt_triggers(tr->r, &tr->nr_triggers);
	tr->fired = gt_fired(tr->r, &tr->nr_fired, NULL);
	/*
	 * The module's bounds (the library sets aside a record whose length
	 * is not exactly its entries').
	 */
	if (tr->nr_triggers > GOTRACE_MAX_TRIGGERS ||
	    tr->nr_fired > GOTRACE_FIRED_MAX) {
		snprintf(tr->err, sizeof(tr->err),
			 "TRIGGERS: %zu triggers, %zu fired",
			 tr->nr_triggers, tr->nr_fired);
		return -1;
	}
	return 0;
}

static void trig_rec_close(struct trig_rec *tr)
{
	gt_stream_free(&tr->scan);
	if (tr->r)
		gt_close(tr->r);
	tr->r = NULL;
}

/*
 * Each fired entry of the record (not lost) names an event of the
 * snapshot at (cpu, ts, type); returns how many do, -1 on a decode error
 * (tr->err says what).  *ev gets the event of the first entry of kind
 * (0: any).  Reads tr's events: once.
 */
static int named_events(struct trig_rec *tr, uint32_t kind,
			struct gt_event *ev)
{
	int found[GOTRACE_FIRED_MAX] = { 0 }, n = 0, ret;
	int first = -1;
	struct gt_event e;
	size_t i;

	for (i = 0; i < tr->nr_fired; i++)
		if (first < 0 && (!kind || tr->fired[i].kind == kind))
			first = i;
	while ((ret = gt_next(tr->r, &e)) > 0) {
		for (i = 0; i < tr->nr_fired; i++) {
			const struct gotrace_fired *f = &tr->fired[i];

			if (found[i] || f->cpu != e.cpu || f->ts != e.ts ||
			    f->event != e.type)
				continue;
			found[i] = 1;
			n++;
			if ((int)i == first && ev)
				*ev = e;
		}
	}
	if (ret < 0) {
		snprintf(tr->err, sizeof(tr->err), "decode: %s",
			 gt_error(tr->r));
		return -1;
	}
	for (i = 0; i < tr->nr_fired; i++)
		if (!found[i] && !(tr->fired[i].flags & GOTRACE_FIRED_LOST)) {
			snprintf(tr->err, sizeof(tr->err),
				 "entry seq %llu (cpu %u ts %llu event %u) names no event",
				 (unsigned long long)tr->fired[i].seq,
				 tr->fired[i].cpu,
				 (unsigned long long)tr->fired[i].ts,
				 tr->fired[i].event);
			break;
		}
	return n;
}

/* Waits up to ms for POLLPRI on fd: 1 seen, 0 not. */
static int wait_pri(int fd, int ms)
{
	short rev = poll_pri(fd, ms);

	return rev > 0 && (rev & POLLPRI);
}

/* ---- fixture ---- */

FIXTURE(tr) {
	int fd;
	struct gtt_buf buf;
};

FIXTURE_SETUP(tr)
{
	ASSERT_EQ(0, gtt_make_idle());
	self->fd = gtt_open(0);
	ASSERT_LE(0, self->fd);
	memset(&self->buf, 0, sizeof(self->buf));
}

FIXTURE_TEARDOWN(tr)
{
	gtt_buf_free(&self->buf);
	if (self->fd >= 0)
		close(self->fd);
	gtt_make_idle();
}

static int start_one(int fd, uint32_t flags, uint64_t groups, uint32_t kind,
		     uint32_t tflags, uint64_t value)
{
	struct gotrace_trigger t = {
		.kind = kind, .flags = tflags, .value = value,
	};

	return start_trig(fd, flags, groups, &t, 1, 0);
}

TEST_F_TIMEOUT(tr, start_args, GTR_TIMEOUT)
{
	const uint64_t all = GOTRACE_GROUP_ALL;
	struct gotrace_trigger many[GOTRACE_MAX_TRIGGERS + 1];
	struct gotrace_status st;
	struct trig_rec rec;
	struct {
		struct gotrace_trigger t;
		uint64_t more;
	} big;
	struct gotrace_start s;
	int i;

	/* Each case is refused, and the device stays idle. */
#define REFUSED(err, call) do {						\
		EXPECT_EQ(-(err), call);				\
		EXPECT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));	\
	} while (0)

	/* Not a flight recorder. */
	{
		struct gotrace_trigger t = { .kind = GOTRACE_TRIGGER_OOM };
		struct gotrace_start s0 = {
			.size = sizeof(s0), .groups = all,
			.triggers = (uintptr_t)&t, .nr_triggers = 1,
			.trigger_size = sizeof(t),
		};

		REFUSED(EINVAL, gtt_start_raw(self->fd, &s0));
	}
	/* Unknown kinds, flags, values out of range. */
	REFUSED(EINVAL, start_one(self->fd, 0, all, 0, 0, 0));
	REFUSED(EINVAL, start_one(self->fd, 0, all, GOTRACE_TRIGGER_WAKEUP + 1, 0, 0));
	REFUSED(EINVAL, start_one(self->fd, 0, all, GOTRACE_TRIGGER_OOM, 1, 0));
	REFUSED(EINVAL, start_one(self->fd, 0, all, GOTRACE_TRIGGER_OOM, 0, 1));
	REFUSED(EINVAL, start_one(self->fd, 0, all, GOTRACE_TRIGGER_ALLOC_FAIL, 0,
				  GOTRACE_MAX_TRIGGER_ORDER + 1));
	REFUSED(EINVAL, start_one(self->fd, 0, all, GOTRACE_TRIGGER_RECLAIM, 0,
				  GOTRACE_MAX_TRIGGER_NS + 1));
	REFUSED(EINVAL, start_one(self->fd, 0, all, GOTRACE_TRIGGER_COMPACTION, 0,
				  GOTRACE_MAX_TRIGGER_NS + 1));
	REFUSED(EINVAL, start_one(self->fd, 0, all, GOTRACE_TRIGGER_WAKEUP, 0,
				  GOTRACE_MAX_TRIGGER_NS + 1));
	/* Each trigger needs its events' group. */
	REFUSED(EINVAL, start_one(self->fd, 0, all & ~GOTRACE_GROUP_OOM,
				  GOTRACE_TRIGGER_OOM, 0, 0));
	REFUSED(EINVAL, start_one(self->fd, 0, all & ~GOTRACE_GROUP_PAGE,
				  GOTRACE_TRIGGER_ALLOC_FAIL, 0, 0));
	REFUSED(EINVAL, start_one(self->fd, 0, all & ~GOTRACE_GROUP_RECLAIM,
				  GOTRACE_TRIGGER_RECLAIM, 0, 1000));
	REFUSED(EINVAL, start_one(self->fd, 0, all & ~GOTRACE_GROUP_RECLAIM,
				  GOTRACE_TRIGGER_COMPACTION, 0, 1000));
	REFUSED(EINVAL, start_one(self->fd, 0, all & ~GOTRACE_GROUP_SCHED,
				  GOTRACE_TRIGGER_WAKEUP, 0, 1000));
	/* Too many; a pointer without entries; entries without a pointer. */
	memset(many, 0, sizeof(many));
	for (i = 0; i <= GOTRACE_MAX_TRIGGERS; i++)
		many[i].kind = GOTRACE_TRIGGER_OOM;
	REFUSED(EINVAL, start_trig(self->fd, 0, all, many,
				   GOTRACE_MAX_TRIGGERS + 1, 0));
	REFUSED(EINVAL, start_trig(self->fd, 0, all, many, 0, 0));
	REFUSED(EINVAL, start_trig(self->fd, 0, all, NULL, 1, 0));
	/* trigger_size: clone3's rules. */
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.flags = GOTRACE_START_FLIGHT;
	s.buffer_size = 1 << 20;
	s.triggers = (uintptr_t)many;
	s.nr_triggers = 1;
	s.trigger_size = GOTRACE_TRIGGER_SIZE_VER0 - 8;
	REFUSED(EINVAL, gtt_start_raw(self->fd, &s));
	s.trigger_size = 0;
	REFUSED(EINVAL, gtt_start_raw(self->fd, &s));
	s.trigger_size = 4096 + 8;
	REFUSED(E2BIG, gtt_start_raw(self->fd, &s));
	memset(&big, 0, sizeof(big));
	big.t.kind = GOTRACE_TRIGGER_OOM;
	big.more = 1;
	s.triggers = (uintptr_t)&big;
	s.trigger_size = sizeof(big);
	REFUSED(E2BIG, gtt_start_raw(self->fd, &s));
	s.triggers = 8;
	REFUSED(EFAULT, gtt_start_raw(self->fd, &s));
	/* A larger entry whose tail is zero is fine. */
	big.more = 0;
	s.triggers = (uintptr_t)&big;
	ASSERT_EQ(0, gtt_start_raw(self->fd, &s));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(1, st.nr_triggers);
	EXPECT_EQ(0, st.triggers_fired);
	EXPECT_EQ(GOTRACE_STATE_TRACING, st.state);
	/* STATUS of the previous size: still works, without them. */
	memset(&st, 0, sizeof(st));
	st.size = GOTRACE_STATUS_SIZE_VER1;
	ASSERT_EQ(0, ioctl(self->fd, GOTRACE_IOC_STATUS, &st));
	EXPECT_EQ(0, st.nr_triggers);
	ASSERT_EQ(0, gtt_make_idle());

	/* 16 triggers of every kind at once. */
	for (i = 0; i < GOTRACE_MAX_TRIGGERS; i++) {
		many[i].kind = GOTRACE_TRIGGER_OOM + i % 5;
		many[i].value = many[i].kind == GOTRACE_TRIGGER_OOM ? 0 :
				many[i].kind == GOTRACE_TRIGGER_ALLOC_FAIL ? 10 :
				GOTRACE_MAX_TRIGGER_NS;
	}
	ASSERT_EQ(0, start_trig(self->fd, 0, all, many, GOTRACE_MAX_TRIGGERS, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(GOTRACE_MAX_TRIGGERS, st.nr_triggers);
	gtt_msleep(200);
	ASSERT_EQ(0, take_snapshot(self->fd, &self->buf));
	ASSERT_EQ(0, trig_rec_open(&self->buf, &rec)) TH_LOG("%s", rec.err);
	EXPECT_EQ(1, rec.found);
	EXPECT_TRUE(rec.after_window);
	ASSERT_EQ(GOTRACE_MAX_TRIGGERS, rec.nr_triggers);
	EXPECT_EQ(0, memcmp(rec.spec, many,
			    GOTRACE_MAX_TRIGGERS * sizeof(many[0])));
	trig_rec_close(&rec);
	ASSERT_EQ(0, gtt_make_idle());

	/* A flight recorder without triggers: no TRIGGERS record. */
	ASSERT_EQ(0, start_trig(self->fd, 0, all, NULL, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(0, st.nr_triggers);
	gtt_msleep(100);
	gtt_buf_free(&self->buf);
	ASSERT_EQ(0, take_snapshot(self->fd, &self->buf));
	ASSERT_EQ(0, trig_rec_open(&self->buf, &rec)) TH_LOG("%s", rec.err);
	EXPECT_EQ(0, rec.found);
	EXPECT_FALSE(gt_has_triggers(rec.r));
	trig_rec_close(&rec);
#undef REFUSED
}

TEST_F_TIMEOUT(tr, take, GTR_TIMEOUT)
{
	struct gotrace_trigger t = { .kind = GOTRACE_TRIGGER_WAKEUP };
	struct gotrace_fired f[GOTRACE_FIRED_MAX + 1];
	struct gotrace_triggers tg;
	struct gotrace_status st;
	uint64_t t0, t1, fired, first;
	int fd2, n, i, cpus[2];
	pid_t child;

	/* No trace; a streaming trace: errors. */
	EXPECT_EQ(-ENODATA, take(self->fd, f, 1, &tg));
	ASSERT_EQ(0, gtt_start(self->fd, 0, GOTRACE_GROUP_SCHED, 0, 0));
	EXPECT_EQ(-EINVAL, take(self->fd, f, 1, &tg));
	ASSERT_EQ(0, gtt_make_idle());

	/* wakeup:0 on this process and its children only. */
	ASSERT_EQ(0, start_trig(self->fd, 0, GOTRACE_GROUP_SCHED, &t, 1,
				getpid()));
	fd2 = gtt_open(0);
	ASSERT_LE(0, fd2);

	/* The argument's rules. */
	memset(&tg, 0, sizeof(tg));
	tg.size = 8;
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_TRIGGERS, &tg));
	EXPECT_EQ(EINVAL, errno);
	tg.size = 4096 + 8;
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_TRIGGERS, &tg));
	EXPECT_EQ(E2BIG, errno);
	tg.size = sizeof(tg);
	tg.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_TRIGGERS, &tg));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_TRIGGERS, (void *)8));
	EXPECT_EQ(EFAULT, errno);

	/* 100 round trips on one CPU: two wakeups each. */
	n = gtt_online_cpus(cpus, 2);
	ASSERT_LE(1, n);
	ASSERT_EQ(0, gtt_pingpong(100, cpus[0], &child, &t0, &t1));
	/* Pollers are woken through the irq_work. */
	EXPECT_TRUE(wait_pri(self->fd, 2000));
	/* Stopped: the list stays, and no more fire. */
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	fired = st.triggers_fired;
	TH_LOG("%llu fired", (unsigned long long)fired);
	ASSERT_LT(GOTRACE_FIRED_MAX + 2, fired);
	EXPECT_EQ(1, st.nr_triggers);
	first = fired - GOTRACE_FIRED_MAX + 1;
	EXPECT_TRUE(poll_pri(self->fd, 0) & POLLPRI);
	EXPECT_TRUE(poll_pri(fd2, 0) & POLLPRI);

	/* len 0 counts, and takes nothing. */
	EXPECT_EQ(GOTRACE_FIRED_MAX, take(self->fd, NULL, 0, &tg));
	EXPECT_EQ(fired, tg.fired);
	EXPECT_EQ(fired - GOTRACE_FIRED_MAX, tg.missed);
	EXPECT_EQ(GOTRACE_FIRED_MAX, take(self->fd, NULL, 0, &tg));
	/* A bad buffer takes nothing either. */
	EXPECT_EQ(-EFAULT, take(self->fd, (void *)8, 1, &tg));

	/* One, then the next: taken entries are not reported again. */
	memset(f, 0, sizeof(f));
	EXPECT_EQ(1, take(self->fd, f, 1, &tg));
	EXPECT_EQ(first, f[0].seq);
	EXPECT_EQ(fired - GOTRACE_FIRED_MAX, tg.missed);
	EXPECT_EQ(GOTRACE_TRIGGER_WAKEUP, f[0].kind);
	EXPECT_EQ(0, f[0].index);
	EXPECT_EQ(GOTRACE_EV_SCHED_SWITCH, f[0].event);
	EXPECT_EQ(0, f[0].flags);
	EXPECT_TRUE(f[0].pid == (uint32_t)getpid() || f[0].pid == (uint32_t)child)
		TH_LOG("pid %u, test %d, child %d", f[0].pid, getpid(), child);
	EXPECT_TRUE(f[0].ts >= t0 && f[0].ts <= t1 + 1000000000ULL);
	EXPECT_EQ(1, take(self->fd, f, 1, &tg));
	EXPECT_EQ(first + 1, f[0].seq);
	EXPECT_EQ(0, tg.missed);
	EXPECT_EQ(GOTRACE_FIRED_MAX - 2, take(self->fd, NULL, 0, &tg));
	/* The rest, in order; more room than entries. */
	EXPECT_EQ(GOTRACE_FIRED_MAX - 2, take(self->fd, f, GOTRACE_FIRED_MAX + 1, &tg));
	for (i = 0; i < GOTRACE_FIRED_MAX - 2; i++) {
		EXPECT_EQ(first + 2 + i, f[i].seq);
		if (i)
			EXPECT_LE(f[i - 1].ts, f[i].ts + 1000000);
	}
	EXPECT_EQ(0, take(self->fd, f, GOTRACE_FIRED_MAX, &tg));
	EXPECT_EQ(0, tg.missed);
	EXPECT_FALSE(poll_pri(self->fd, 0) & POLLPRI);

	/* The other file took none: all of them, with the missed. */
	EXPECT_TRUE(poll_pri(fd2, 0) & POLLPRI);
	EXPECT_EQ(GOTRACE_FIRED_MAX, take(fd2, f, GOTRACE_FIRED_MAX, &tg));
	EXPECT_EQ(fired - GOTRACE_FIRED_MAX, tg.missed);
	EXPECT_EQ(first, f[0].seq);
	EXPECT_EQ(fired, f[GOTRACE_FIRED_MAX - 1].seq);
	EXPECT_FALSE(poll_pri(fd2, 0) & POLLPRI);
	close(fd2);

	/* A new trace starts over for every file. */
	ASSERT_EQ(0, gtt_make_idle());
	ASSERT_EQ(0, start_trig(self->fd, 0, GOTRACE_GROUP_SCHED, &t, 1,
				getpid()));
	ASSERT_EQ(0, gtt_pingpong(2, cpus[0], &child, &t0, &t1));
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_LE(1, take(self->fd, f, 1, &tg));
	EXPECT_EQ(1, f[0].seq);
	EXPECT_EQ(0, tg.missed);
}

/* Sets vm.nr_hugepages far beyond memory in a child, then back: its pid. */
static pid_t hugepages_child(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(gtt_write_str(HUGEPAGES, "100000") ? 1 : 0);
	return pid;
}

TEST_F_TIMEOUT(tr, alloc_fail, GTR_TIMEOUT)
{
	struct gotrace_trigger t[] = {
		{ .kind = GOTRACE_TRIGGER_ALLOC_FAIL, .value = 9 },
		{ .kind = GOTRACE_TRIGGER_RECLAIM, .value = 1000 },
		{ .kind = GOTRACE_TRIGGER_COMPACTION, .value = 1000 },
		/* Never: an order above what fails here. */
		{ .kind = GOTRACE_TRIGGER_ALLOC_FAIL, .value = 10 },
	};
	struct gotrace_fired f[GOTRACE_FIRED_MAX];
	int kinds[GOTRACE_TRIGGER_WAKEUP + 1] = { 0 }, n, i, st, named;
	struct gotrace_triggers tg;
	struct trig_rec rec;
	struct gt_event ev;
	pid_t pid;

	if (access(HUGEPAGES, W_OK))
		SKIP(return, "%s not writable", HUGEPAGES);
	ASSERT_EQ(0, start_trig(self->fd, GOTRACE_START_STACKS,
				GOTRACE_GROUP_PAGE | GOTRACE_GROUP_RECLAIM,
				t, 4, 0));
	pid = hugepages_child();
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, gtt_write_str(HUGEPAGES, "0"));
	/*
	 * The failing allocations need not compact (too little free memory
	 * for it to be worth it): compact every zone by hand, in this task.
	 */
	EXPECT_EQ(0, gtt_write_str(COMPACT, "1"));
	EXPECT_TRUE(wait_pri(self->fd, 5000));
	gtt_msleep(100);
	ASSERT_EQ(0, take_snapshot(self->fd, &self->buf));
	n = take(self->fd, f, GOTRACE_FIRED_MAX, &tg);
	ASSERT_LT(0, n);
	TH_LOG("%llu fired, %d taken, %llu missed", (unsigned long long)tg.fired,
	       n, (unsigned long long)tg.missed);
	for (i = 0; i < n; i++) {
		EXPECT_NE(3, f[i].index);
		if (f[i].kind <= GOTRACE_TRIGGER_WAKEUP)
			kinds[f[i].kind]++;
		if (f[i].kind == GOTRACE_TRIGGER_ALLOC_FAIL) {
			EXPECT_LE(9, f[i].value);
			EXPECT_EQ(GOTRACE_EV_MM_PAGE_ALLOC, f[i].event);
		}
		if (f[i].kind == GOTRACE_TRIGGER_RECLAIM) {
			EXPECT_LE(1000, f[i].value);
			EXPECT_EQ(GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END,
				  f[i].event);
		}
		if (f[i].kind == GOTRACE_TRIGGER_COMPACTION) {
			EXPECT_LE(1000, f[i].value);
			EXPECT_EQ(GOTRACE_EV_MM_COMPACTION_END, f[i].event);
		}
	}
	TH_LOG("alloc-fail %d, reclaim %d, compaction %d", kinds[2], kinds[3],
	       kinds[4]);
	EXPECT_LT(0, kinds[GOTRACE_TRIGGER_ALLOC_FAIL]);
	EXPECT_LT(0, kinds[GOTRACE_TRIGGER_RECLAIM]);
	EXPECT_LT(0, kinds[GOTRACE_TRIGGER_COMPACTION]);

	/* The snapshot names events it holds. */
	ASSERT_EQ(0, trig_rec_open(&self->buf, &rec)) TH_LOG("%s", rec.err);
	ASSERT_EQ(1, rec.found);
	EXPECT_EQ(4, rec.nr_triggers);
	ASSERT_LT(0, rec.nr_fired);
	memset(&ev, 0, sizeof(ev));
	named = named_events(&rec, GOTRACE_TRIGGER_ALLOC_FAIL, &ev);
	EXPECT_EQ((int)rec.nr_fired, named) TH_LOG("%s", rec.err);
	trig_rec_close(&rec);
	/* The failed allocation: no page, order 9, by the writer. */
	EXPECT_EQ(GOTRACE_EV_MM_PAGE_ALLOC, ev.type);
	EXPECT_EQ(~0ULL, ev.args[0]);
	EXPECT_LE(9, ev.args[1]);
	EXPECT_EQ((uint64_t)pid, ev.args[4]);
}

TEST_F_TIMEOUT(tr, wakeup, GTR_TIMEOUT)
{
	struct gotrace_trigger t = { .kind = GOTRACE_TRIGGER_WAKEUP, .value = 1000 };
	struct gotrace_fired f[GOTRACE_FIRED_MAX];
	struct gotrace_triggers tg;
	struct trig_rec rec;
	uint64_t t0, t1;
	int n, i, named, cpus[2];
	pid_t child;

	ASSERT_EQ(0, start_trig(self->fd, 0, GOTRACE_GROUP_SCHED, &t, 1, 0));
	ASSERT_LE(1, gtt_online_cpus(cpus, 2));
	ASSERT_EQ(0, gtt_pingpong(200, cpus[0], &child, &t0, &t1));
	EXPECT_TRUE(wait_pri(self->fd, 2000));
	ASSERT_EQ(0, take_snapshot(self->fd, &self->buf));
	n = take(self->fd, f, GOTRACE_FIRED_MAX, &tg);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(GOTRACE_TRIGGER_WAKEUP, f[i].kind);
		EXPECT_LE(1000, f[i].value);
		EXPECT_EQ(GOTRACE_EV_SCHED_SWITCH, f[i].event);
	}
	ASSERT_EQ(0, trig_rec_open(&self->buf, &rec)) TH_LOG("%s", rec.err);
	ASSERT_EQ(1, rec.found);
	ASSERT_LT(0, rec.nr_fired);
	named = named_events(&rec, 0, NULL);
	EXPECT_EQ((int)rec.nr_fired, named) TH_LOG("%s", rec.err);
	trig_rec_close(&rec);
}

TEST_F_TIMEOUT(tr, oom, GTR_TIMEOUT)
{
	struct gotrace_trigger t = { .kind = GOTRACE_TRIGGER_OOM };
	const size_t limit = 32 << 20;
	struct gotrace_fired f[GOTRACE_FIRED_MAX];
	struct gotrace_triggers tg;
	char dir[128], path[192];
	uint64_t hog_allocs = 0, hog_stacks = 0, t0;
	int st, n, named, reports, pri;
	struct trig_rec rec;
	struct gt_reader *r;
	struct gt_event ev, e;
	pid_t hog;

	ASSERT_EQ(0, gtt_cg2_mount());
	if (gtt_write_str(strcat(strcpy(path, gtt_cg_root), "/cgroup.subtree_control"),
			  "+memory")) {
		gtt_cg2_umount();
		SKIP(return, "no memory controller");
	}
	snprintf(dir, sizeof(dir), "%s/gotrace-oom", gtt_cg_root);
	rmdir(dir);
	ASSERT_EQ(0, mkdir(dir, 0755));
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	ASSERT_EQ(0, gtt_write_str(path, "33554432"));

	ASSERT_EQ(0, start_trig(self->fd, GOTRACE_START_STACKS,
				GOTRACE_GROUP_OOM | GOTRACE_GROUP_PAGE |
				GOTRACE_GROUP_SCHED, &t, 1, 0));
	t0 = gtt_now_ns();
	hog = gtt_oom_hog(dir, limit);
	ASSERT_LT(0, hog);
	pri = wait_pri(self->fd, 10000);
	TH_LOG("POLLPRI after %llu ms", (unsigned long long)((gtt_now_ns() - t0) / 1000000));
	ASSERT_EQ(hog, waitpid(hog, &st, 0));
	reports = gtt_klog_drop_oom_traces();
	rmdir(dir);
	gtt_cg2_umount();
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("hog status %#x", st);
	EXPECT_LE(1, reports);
	EXPECT_TRUE(pri);
	/* "Within seconds". */
	EXPECT_GT(10000000000ULL, gtt_now_ns() - t0);

	gtt_msleep(100);
	ASSERT_EQ(0, take_snapshot(self->fd, &self->buf));
	n = take(self->fd, f, GOTRACE_FIRED_MAX, &tg);
	ASSERT_LE(1, n);
	EXPECT_EQ(GOTRACE_TRIGGER_OOM, f[0].kind);
	EXPECT_EQ(GOTRACE_EV_MARK_VICTIM, f[0].event);
	EXPECT_EQ((uint32_t)hog, f[0].pid);
	EXPECT_EQ(0, f[0].flags);

	ASSERT_EQ(0, trig_rec_open(&self->buf, &rec)) TH_LOG("%s", rec.err);
	ASSERT_EQ(1, rec.found);
	ASSERT_LE(1, rec.nr_fired);
	memset(&ev, 0, sizeof(ev));
	named = named_events(&rec, GOTRACE_TRIGGER_OOM, &ev);
	EXPECT_EQ((int)rec.nr_fired, named) TH_LOG("%s", rec.err);
	trig_rec_close(&rec);
	/* mark_victim: the hog, its memory in kB, its oom_score_adj. */
	EXPECT_EQ(GOTRACE_EV_MARK_VICTIM, ev.type);
	EXPECT_EQ((uint64_t)hog, ev.args[0]);
	EXPECT_LE(limit / 1024, ev.args[1]);		/* total_vm */
	EXPECT_LE(limit / 1024 / 2, ev.args[2]);	/* anon_rss */
	EXPECT_EQ(1000, (int32_t)ev.args[7]);
	EXPECT_NE(0, ev.stack_id);

	/* The hog's allocations that led to it, with their stacks. */
	ASSERT_EQ(0, gt_open_mem(self->buf.data, self->buf.len, &r))
		TH_LOG("%s", gt_error(NULL));
	while (gt_next(r, &e) > 0) {
		const uint64_t *frames;

		if (e.type != GOTRACE_EV_MM_PAGE_ALLOC || e.args[4] != (uint64_t)hog)
			continue;
		hog_allocs++;
		if (e.stack_id && gt_stack(r, e.stack_id, &frames) > 0)
			hog_stacks++;
	}
	gt_close(r);
	TH_LOG("hog: %llu allocations in the snapshot, %llu with a stack",
	       (unsigned long long)hog_allocs, (unsigned long long)hog_stacks);
	EXPECT_LT(256, hog_allocs);
	EXPECT_EQ(hog_allocs, hog_stacks);
}

TEST_HARNESS_MAIN
