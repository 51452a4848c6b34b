// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_events: the events of known workloads are in the stream with
 * the right arguments, names, CPUs and timestamps, and the totals of the
 * stream agree with STATUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"

#define GTT_TIMEOUT	120

/* One decoded event, with its string kept. */
struct tev {
	struct gt_event e;
	char str[GOTRACE_FILENAME_MAX + 1];
};

/* A recorded trace, decoded. */
struct rec {
	struct gtt_buf buf;
	struct gtt_raw raw;
	struct gotrace_status st;	/* after stop */
	struct gotrace_cpu_stats *cs;	/* st.nr_cpus entries */
	struct tev *ev;
	size_t nr;
	pid_t *unnamed;			/* pids mentioned before named */
	size_t nr_unnamed;
	uint64_t before, after;		/* around the workload */
	char err[320];
};

FIXTURE(ev) {
	int fd;
	struct rec rec;
};

FIXTURE_SETUP(ev)
{
	GTT_DEVICE_SETUP(0);
}

static void rec_free(struct rec *r)
{
	gtt_buf_free(&r->buf);
	gtt_raw_free(&r->raw);
	free(r->cs);
	free(r->ev);
	free(r->unnamed);
	memset(r, 0, sizeof(*r));
}

FIXTURE_TEARDOWN(ev)
{
	rec_free(&self->rec);
	GTT_DEVICE_TEARDOWN();
}

/* The pids an event mentions (0: none). */
static unsigned int ev_pids(const struct gt_event *e, uint64_t pids[2])
{
	switch (e->type) {
	case GOTRACE_EV_SCHED_SWITCH:
		pids[0] = e->args[0];
		pids[1] = e->args[3];
		return 2;
	case GOTRACE_EV_SCHED_PROCESS_FORK:
		pids[0] = e->args[0];
		pids[1] = e->args[1];
		return 2;
	case GOTRACE_EV_SCHED_WAKING:
	case GOTRACE_EV_SCHED_WAKEUP:
	case GOTRACE_EV_SCHED_WAKEUP_NEW:
	case GOTRACE_EV_SCHED_PROCESS_EXIT:
	case GOTRACE_EV_SCHED_PROCESS_EXEC:
	case GOTRACE_EV_SCHED_MIGRATE_TASK:
		pids[0] = e->args[0];
		return 1;
	case GOTRACE_EV_MM_PAGE_ALLOC:
		pids[0] = e->args[4];
		return 1;
	case GOTRACE_EV_MM_PAGE_FREE:
		pids[0] = e->args[2];
		return 1;
	case GOTRACE_EV_MM_PAGE_FREE_BATCHED:
		pids[0] = e->args[1];
		return 1;
	default:
		return 0;
	}
}

static bool is_unnamed(const struct rec *r, pid_t pid)
{
	size_t i;

	for (i = 0; i < r->nr_unnamed; i++)
		if (r->unnamed[i] == pid)
			return true;
	return false;
}

/* Decodes the whole stream into r->ev; 0 or -1 with r->err. */
static int rec_decode(struct rec *r)
{
	struct gt_reader *rd;
	struct gt_event e;
	size_t cap = 0;
	uint64_t pids[2];
	unsigned int i, n;
	int ret;

	if (gtt_raw_parse(r->buf.data, r->buf.len, &r->raw)) {
		snprintf(r->err, sizeof(r->err), "raw: %s", r->raw.err);
		return -1;
	}
	if (gtt_lib_check(r->buf.data, r->buf.len, r->err, sizeof(r->err)) < 0)
		return -1;
	ret = gt_open_mem(r->buf.data, r->buf.len, &rd);
	if (ret) {
		snprintf(r->err, sizeof(r->err), "gt_open_mem %d", ret);
		return -1;
	}
	while ((ret = gt_next(rd, &e)) > 0) {
		struct tev *t;

		n = ev_pids(&e, pids);
		for (i = 0; i < n; i++) {
			pid_t *u;

			if (!pids[i] || gt_comm(rd, pids[i]) ||
			    is_unnamed(r, pids[i]))
				continue;
			u = realloc(r->unnamed,
				    (r->nr_unnamed + 1) * sizeof(*u));
			if (!u)
				break;
			r->unnamed = u;
			r->unnamed[r->nr_unnamed++] = pids[i];
		}
		if (r->nr == cap) {
			cap = cap ? 2 * cap : 4096;
			t = realloc(r->ev, cap * sizeof(*t));
			if (!t) {
				snprintf(r->err, sizeof(r->err), "no memory");
				ret = -ENOMEM;
				break;
			}
			r->ev = t;
		}
		t = &r->ev[r->nr++];
		t->e = e;
		t->str[0] = 0;
		if (e.str)
			snprintf(t->str, sizeof(t->str), "%s", e.str);
		t->e.str = NULL;
	}
	if (ret < 0 && !r->err[0])
		snprintf(r->err, sizeof(r->err), "gt_next: %s", gt_error(rd));
	gt_close(rd);
	return ret < 0 ? -1 : 0;
}

typedef void (*workload_fn)(void *arg);

/*
 * Records one trace of fn(arg) with a reader thread draining the stream,
 * then decodes it.  0 or -errno / -1 with r->err.
 */
static int record(int fd, uint64_t groups, workload_fn fn, void *arg,
		  struct rec *r)
{
	struct gtt_bg bg;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = gtt_start(fd, 0, groups, 0, 50);
	if (ret) {
		snprintf(r->err, sizeof(r->err), "start: %d", ret);
		return ret;
	}
	ret = gtt_bg_start(&bg, fd, 1 << 20);
	if (ret) {
		gtt_stop(fd, 0);
		return ret;
	}
	r->before = gtt_now_ns();
	fn(arg);
	r->after = gtt_now_ns();
	ret = gtt_stop(fd, 0);
	if (gtt_bg_join(&bg) && !ret)
		ret = bg.err;
	r->buf = bg.buf;
	if (ret) {
		snprintf(r->err, sizeof(r->err), "stop/read: %d", ret);
		return ret;
	}
	/* Counters are final once the stream was read. */
	ret = gtt_status(fd, &r->st, NULL, 0);
	if (!ret) {
		r->cs = calloc(r->st.nr_cpus, sizeof(*r->cs));
		ret = r->cs ? gtt_status(fd, &r->st, r->cs, r->st.nr_cpus) :
			-ENOMEM;
	}
	if (ret) {
		snprintf(r->err, sizeof(r->err), "status: %d", ret);
		return ret;
	}
	return rec_decode(r);
}

#define RECORD(groups, fn, arg) do {					\
	struct rec *__rec = &self->rec;					\
									\
	ASSERT_EQ(0, record(self->fd, (groups), (fn), (arg), __rec)) {	\
		TH_LOG("%s", __rec->err);				\
	}								\
} while (0)

/* ---- ping-pong ---- */

struct pingpong {
	int n;
	int cpu;
	pid_t child;
	uint64_t t0, t1;
	int ret;
};

static void pingpong_fn(void *arg)
{
	struct pingpong *pp = arg;

	pp->ret = gtt_pingpong(pp->n, pp->cpu, &pp->child, &pp->t0, &pp->t1);
}

/* Record a 200-round ping-pong pinned to the first allowed CPU into rec. */
#define RECORD_PINGPONG(groups, pp) do {				\
	struct pingpong *pp_ = (pp);					\
	int cpus_[2];							\
									\
	pp_->n = 200;							\
	ASSERT_LE(1, gtt_online_cpus(cpus_, 2));			\
	pp_->cpu = cpus_[0];						\
	RECORD((groups), pingpong_fn, pp_);				\
	ASSERT_EQ(0, pp_->ret);						\
} while (0)

TEST_F_TIMEOUT(ev, pingpong_switches, GTT_TIMEOUT)
{
	struct pingpong pp = { 0 };
	struct rec *r = &self->rec;
	pid_t me = getpid(), other;
	unsigned int in_p = 0, in_c = 0, alternations = 0, wakeups = 0;
	unsigned int sleeps = 0, bad_state = 0, wrong_cpu = 0;
	pid_t last = 0;
	size_t i;

	RECORD_PINGPONG(GOTRACE_GROUP_ALL, &pp);
	other = pp.child;

	for (i = 0; i < r->nr; i++) {
		const struct gt_event *e = &r->ev[i].e;

		if (e->ts < pp.t0 || e->ts > pp.t1)
			continue;
		if (e->type == GOTRACE_EV_SCHED_SWITCH) {
			pid_t prev = e->args[0], next = e->args[3];
			uint64_t state = e->args[2];

			if (prev == me || prev == other) {
				if (e->cpu != (uint32_t)pp.cpu)
					wrong_cpu++;
				/* ftrace's encoding: 0, one bit, or R+ */
				if (state == 1) {
					sleeps++;
				} else if (state != GOTRACE_STATE_PREEMPTED &&
					   (state & (state - 1) ||
					    state > GOTRACE_STATE_PREEMPTED)) {
					bad_state++;
					TH_LOG("prev_state %#llx of %llu",
					       (unsigned long long)state,
					       (unsigned long long)prev);
				}
			}
			if (next != me && next != other)
				continue;
			if (e->cpu != (uint32_t)pp.cpu)
				wrong_cpu++;
			if (next == me)
				in_p++;
			else
				in_c++;
			if (last && last != next)
				alternations++;
			last = next;
		} else if (e->type == GOTRACE_EV_SCHED_WAKEUP &&
			   (e->args[0] == (uint64_t)me ||
			    e->args[0] == (uint64_t)other)) {
			wakeups++;
			if (e->args[2] != (uint64_t)pp.cpu)
				wrong_cpu++;
		}
	}
	TH_LOG("cpu %d: %u switches to %d, %u to %d, %u alternations, %u sleeps, %u wakeups",
	       pp.cpu, in_p, me, in_c, other, alternations, sleeps, wakeups);
	/*
	 * Both tasks share one CPU: every round trip runs the child, then
	 * the parent again, so each is switched in at least once per round
	 * and the switch-ins of the two alternate.
	 */
	EXPECT_GE(in_p, pp.n - 1);
	EXPECT_GE(in_c, pp.n - 1);
	EXPECT_GE(alternations, 2 * (pp.n - 1));
	/* A round without any sleep and wakeup would need two preemptions. */
	EXPECT_GE(wakeups, pp.n);
	EXPECT_LT(0, sleeps);
	EXPECT_EQ(0, bad_state);
	EXPECT_EQ(0, wrong_cpu);
	/* The child was named before its first mention, as its parent. */
	EXPECT_FALSE(is_unnamed(r, other));
	EXPECT_FALSE(is_unnamed(r, me));
	EXPECT_EQ(0, r->nr_unnamed) {
		TH_LOG("pid %d mentioned before its name", r->unnamed[0]);
	}
}

/*
 * sched_waking fires in try_to_wake_up() before the wakeup proper: every
 * sched_wakeup of the ping-pong tasks has the same task's sched_waking
 * before it, with the same prio.
 */
TEST_F_TIMEOUT(ev, waking_before_wakeup, GTT_TIMEOUT)
{
	struct pingpong pp = { 0 };
	struct rec *r = &self->rec;
	pid_t me = getpid(), other;
	unsigned int wakings = 0, wakeups = 0, unmatched = 0;
	uint64_t pending[2] = { 0, 0 };	/* prio + 1 of a waking not yet woken */
	size_t i;

	RECORD_PINGPONG(GOTRACE_GROUP_SCHED, &pp);
	other = pp.child;
	for (i = 0; i < r->nr; i++) {
		const struct gt_event *e = &r->ev[i].e;
		int k = e->args[0] == (uint64_t)me ? 0 :
			e->args[0] == (uint64_t)other ? 1 : -1;

		if (k < 0 || e->ts < pp.t0 || e->ts > pp.t1)
			continue;
		if (e->type == GOTRACE_EV_SCHED_WAKING) {
			ASSERT_EQ(3, e->nargs);
			wakings++;
			pending[k] = e->args[1] + 1;
		} else if (e->type == GOTRACE_EV_SCHED_WAKEUP) {
			wakeups++;
			if (pending[k] != e->args[1] + 1)
				unmatched++;
			pending[k] = 0;
		}
	}
	TH_LOG("%u sched_waking, %u sched_wakeup, %u wakeups without a waking",
	       wakings, wakeups, unmatched);
	EXPECT_GE(wakeups, pp.n);
	EXPECT_GE(wakings, wakeups);
	EXPECT_EQ(0, unmatched);
}

/* ---- fork, exit, exec ---- */

#define NR_FORKS	20
#define FORKER_COMM	"gtt-forker"

struct forks {
	pid_t child[NR_FORKS];
	int ret;
};

static void forks_fn(void *arg)
{
	struct forks *f = arg;
	int i, status;

	for (i = 0; i < NR_FORKS; i++) {
		f->child[i] = fork();
		if (f->child[i] < 0) {
			f->ret = -errno;
			return;
		}
		if (f->child[i] == 0)
			_exit(0);
		if (waitpid(f->child[i], &status, 0) != f->child[i])
			f->ret = -ECHILD;
	}
}

TEST_F_TIMEOUT(ev, fork_exit, GTT_TIMEOUT)
{
	struct rec *r = &self->rec;
	struct forks f = { 0 };
	unsigned int forked[NR_FORKS] = { 0 }, exited[NR_FORKS] = { 0 };
	unsigned int woken[NR_FORKS] = { 0 }, named[NR_FORKS] = { 0 };
	uint64_t fork_ts[NR_FORKS] = { 0 };
	pid_t me = getpid();
	size_t i;
	int k;

	ASSERT_EQ(0, prctl(PR_SET_NAME, FORKER_COMM, 0, 0, 0));
	RECORD(GOTRACE_GROUP_SCHED, forks_fn, &f);
	ASSERT_EQ(0, f.ret);

	for (i = 0; i < r->nr; i++) {
		const struct gt_event *e = &r->ev[i].e;

		for (k = 0; k < NR_FORKS; k++) {
			uint64_t c = f.child[k];

			switch (e->type) {
			case GOTRACE_EV_SCHED_PROCESS_FORK:
				if (e->args[1] != c)
					break;
				forked[k]++;
				fork_ts[k] = e->ts;
				EXPECT_EQ((uint64_t)me, e->args[0]);
				EXPECT_EQ(c, e->args[2]);
				EXPECT_GE(e->ts, r->before);
				EXPECT_LE(e->ts, r->after);
				break;
			case GOTRACE_EV_SCHED_PROCESS_EXIT:
				if (e->args[0] != c)
					break;
				exited[k]++;
				EXPECT_NE(0, fork_ts[k]);
				EXPECT_LE(e->ts, r->after);
				break;
			case GOTRACE_EV_SCHED_WAKEUP_NEW:
				if (e->args[0] == c)
					woken[k]++;
				break;
			case GOTRACE_EV_COMM:
				if (e->args[0] != c)
					break;
				named[k]++;
				EXPECT_STREQ(FORKER_COMM, r->ev[i].str);
				break;
			}
		}
	}
	for (k = 0; k < NR_FORKS; k++) {
		EXPECT_EQ(1, forked[k]) {
			TH_LOG("child %d: %u fork events", f.child[k],
			       forked[k]);
		}
		EXPECT_LE(1, exited[k]) {
			TH_LOG("child %d: no exit event", f.child[k]);
		}
		EXPECT_EQ(1, woken[k]);
		/* One name per pid, at its first mention (the fork). */
		EXPECT_EQ(1, named[k]) {
			TH_LOG("child %d: %u COMM events", f.child[k],
			       named[k]);
		}
		EXPECT_FALSE(is_unnamed(r, f.child[k]));
	}
}

#define EXEC_PATH	"/bin/true"

struct execer {
	pid_t child;
	int status;
};

static void exec_fn(void *arg)
{
	struct execer *x = arg;

	x->child = fork();
	if (x->child == 0) {
		execl(EXEC_PATH, "true", (char *)NULL);
		_exit(127);
	}
	if (x->child > 0)
		waitpid(x->child, &x->status, 0);
}

TEST_F_TIMEOUT(ev, exec, GTT_TIMEOUT)
{
	struct rec *r = &self->rec;
	struct execer x = { 0 };
	unsigned int execs = 0, names = 0;
	size_t i;

	if (access(EXEC_PATH, X_OK))
		SKIP(return, "no %s", EXEC_PATH);
	RECORD(GOTRACE_GROUP_SCHED, exec_fn, &x);
	ASSERT_LT(0, x.child);
	ASSERT_TRUE(WIFEXITED(x.status) && WEXITSTATUS(x.status) == 0);

	for (i = 0; i < r->nr; i++) {
		const struct gt_event *e = &r->ev[i].e;

		if (e->type == GOTRACE_EV_SCHED_PROCESS_EXEC &&
		    e->args[0] == (uint64_t)x.child) {
			execs++;
			EXPECT_EQ((uint64_t)x.child, e->args[1]);
			EXPECT_STREQ(EXEC_PATH, r->ev[i].str);
			EXPECT_GE(e->ts, r->before);
			EXPECT_LE(e->ts, r->after);
		}
		if (e->type == GOTRACE_EV_COMM &&
		    e->args[0] == (uint64_t)x.child &&
		    !strcmp(r->ev[i].str, "true"))
			names++;
	}
	EXPECT_EQ(1, execs);
	EXPECT_LE(1, names) {
		TH_LOG("no COMM \"true\" for %d after exec", x.child);
	}
}

/* ---- pages ---- */

#define NR_PAGES	256

struct toucher {
	uint64_t pfn[NR_PAGES];
	uint64_t t0, t1, unmap_ts;
	pid_t pid;
	int ret;
};

static void touch_fn(void *arg)
{
	struct toucher *t = arg;
	long psize = sysconf(_SC_PAGESIZE);
	char *p;
	int fd, i;

	t->pid = gettid();
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0) {
		t->ret = -errno;
		return;
	}
	t->t0 = gtt_now_ns();
	p = gtt_touch_pages(NR_PAGES);
	t->t1 = gtt_now_ns();
	if (!p) {
		t->ret = -ENOMEM;
		close(fd);
		return;
	}
	for (i = 0; i < NR_PAGES; i++)
		t->pfn[i] = gtt_pagemap_pfn(fd, p + i * psize);
	close(fd);
	t->unmap_ts = gtt_now_ns();
	munmap(p, NR_PAGES * psize);
	gtt_drain_lru();
}

/* Is pfn inside one of the [pfn, pfn + 2^order) ranges of type? */
static bool pfn_covered(const struct rec *r, uint64_t pfn, unsigned int type,
			pid_t pid, uint64_t from, uint64_t to)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		const struct gt_event *e = &r->ev[i].e;
		uint64_t order = 0;

		if (e->type != type || e->ts < from || e->ts > to)
			continue;
		if (type == GOTRACE_EV_MM_PAGE_ALLOC) {
			order = e->args[1];
			if (pid && e->args[4] != (uint64_t)pid)
				continue;
		} else if (type == GOTRACE_EV_MM_PAGE_FREE) {
			order = e->args[1];
		}
		if (order > 20 || e->args[0] == ~0ULL)
			continue;
		if (pfn >= e->args[0] && pfn < e->args[0] + (1ULL << order))
			return true;
	}
	return false;
}

TEST_F_TIMEOUT(ev, page_alloc_free, GTT_TIMEOUT)
{
	struct rec *r = &self->rec;
	struct toucher *t;
	unsigned int no_alloc = 0, no_free = 0, i;

	t = calloc(1, sizeof(*t));
	ASSERT_NE(NULL, t);
	RECORD(GOTRACE_GROUP_PAGE, touch_fn, t);
	ASSERT_EQ(0, t->ret);
	if (!t->pfn[0]) {
		free(t);
		SKIP(return, "pagemap shows no pfn");
	}
	for (i = 0; i < NR_PAGES; i++) {
		ASSERT_NE(0, t->pfn[i]);
		if (!pfn_covered(r, t->pfn[i], GOTRACE_EV_MM_PAGE_ALLOC,
				 t->pid, t->t0, t->t1))
			no_alloc++;
		if (!pfn_covered(r, t->pfn[i], GOTRACE_EV_MM_PAGE_FREE, 0,
				 t->unmap_ts, r->after) &&
		    !pfn_covered(r, t->pfn[i], GOTRACE_EV_MM_PAGE_FREE_BATCHED,
				 0, t->unmap_ts, r->after))
			no_free++;
	}
	EXPECT_EQ(0, self->rec.st.lost);
	EXPECT_EQ(0, no_alloc) {
		TH_LOG("%u of %u pages without an mm_page_alloc of pid %d",
		       no_alloc, NR_PAGES, t->pid);
	}
	EXPECT_EQ(0, no_free) {
		TH_LOG("%u of %u pages without a free after munmap",
		       no_free, NR_PAGES);
	}
	/* groups = PAGE: no scheduler event. */
	for (i = 0; i < r->nr; i++) {
		uint8_t type = r->ev[i].e.type;

		EXPECT_TRUE(type == GOTRACE_EV_COMM ||
			    gt_event_desc(type)->group == GOTRACE_GROUP_PAGE) {
			TH_LOG("%s with groups = PAGE", gt_event_name(type));
			break;
		}
	}
	free(t);
}

/* ---- migration ---- */

struct migrate {
	int from, to;
	pid_t child;
	int ret;
};

static void migrate_fn(void *arg)
{
	struct migrate *m = arg;

	m->child = fork();
	if (m->child == 0) {
		if (gtt_pin_cpu(0, m->from))
			_exit(1);
		for (;;)
			;
	}
	if (m->child < 0) {
		m->ret = -errno;
		return;
	}
	gtt_msleep(100);
	m->ret = gtt_pin_cpu(m->child, m->to);
	gtt_msleep(100);
	kill(m->child, SIGKILL);
	waitpid(m->child, NULL, 0);
}

TEST_F_TIMEOUT(ev, migrate_task, GTT_TIMEOUT)
{
	struct rec *r = &self->rec;
	struct migrate m = { 0 };
	unsigned int found = 0;
	int cpus[2];
	size_t i;

	if (gtt_online_cpus(cpus, 2) < 2)
		SKIP(return, "needs two CPUs");
	m.from = cpus[0];
	m.to = cpus[1];
	RECORD(GOTRACE_GROUP_SCHED, migrate_fn, &m);
	ASSERT_EQ(0, m.ret);
	for (i = 0; i < r->nr; i++) {
		const struct gt_event *e = &r->ev[i].e;

		if (e->type == GOTRACE_EV_SCHED_MIGRATE_TASK &&
		    e->args[0] == (uint64_t)m.child &&
		    (int32_t)e->args[2] == m.from &&
		    (int32_t)e->args[3] == m.to)
			found++;
	}
	EXPECT_LE(1, found) {
		TH_LOG("no sched_migrate_task of %d from cpu %d to %d",
		       m.child, m.from, m.to);
	}
}

/* ---- order, bounds and totals ---- */

static void mixed_fn(void *arg)
{
	struct pingpong pp = { .n = 50, .cpu = -1 };
	struct forks f = { 0 };
	struct toucher *t = arg;

	forks_fn(&f);
	touch_fn(t);
	pingpong_fn(&pp);
}

TEST_F_TIMEOUT(ev, timestamps_and_totals, GTT_TIMEOUT)
{
	struct rec *r = &self->rec;
	struct toucher *t;
	uint64_t last = 0, events = 0, lost = 0;
	pid_t me = getpid();
	unsigned int early = 0, late = 0, mine = 0;
	uint32_t c;
	size_t i;

	t = calloc(1, sizeof(*t));
	ASSERT_NE(NULL, t);
	RECORD(GOTRACE_GROUP_ALL, mixed_fn, t);
	free(t);
	ASSERT_EQ(0, gtt_raw_check_totals(&r->raw)) {
		TH_LOG("%s", r->raw.err);
	}
	for (i = 0; i < r->nr; i++) {
		const struct gt_event *e = &r->ev[i].e;
		uint64_t pids[2];
		unsigned int n;

		EXPECT_GE(e->ts, last);
		last = e->ts;
		if (e->ts < r->raw.hdr.start_ns)
			early++;
		if (e->ts > r->raw.end.stop_ns)
			late++;
		/* This task's own events happen during the workload. */
		n = ev_pids(e, pids);
		/* (The reader thread's clone is a fork of ours too.) */
		if (e->type == GOTRACE_EV_SCHED_PROCESS_FORK && n &&
		    pids[0] == (uint64_t)me && e->args[2] != (uint64_t)me) {
			mine++;
			EXPECT_GE(e->ts, r->before);
			EXPECT_LE(e->ts, r->after);
		}
	}
	EXPECT_EQ(0, early);
	EXPECT_EQ(0, late);
	EXPECT_EQ(NR_FORKS + 1, mine);
	/* STATUS after the read agrees with the stream. */
	EXPECT_EQ(r->raw.end.events, r->st.events);
	EXPECT_EQ(r->raw.end.lost, r->st.lost);
	EXPECT_EQ(r->raw.end.stop_ns, r->st.stop_ns);
	for (c = 0; c < r->raw.nr_cpus && c < r->st.nr_cpus; c++) {
		EXPECT_EQ(r->cs[c].events, r->raw.cpu[c].end.events);
		EXPECT_EQ(r->cs[c].lost, r->raw.cpu[c].end.lost);
		EXPECT_EQ(r->cs[c].batches, r->raw.cpu[c].end.batches);
		EXPECT_EQ(r->raw.cpu[c].events, r->raw.cpu[c].end.events);
		events += r->raw.cpu[c].end.events;
		lost += r->raw.cpu[c].end.lost;
	}
	EXPECT_EQ(events, r->raw.end.events);
	EXPECT_LE(lost, r->raw.end.lost);
	/* Every event decoded: the tracepoint ones count to END.events. */
	events = 0;
	for (i = 0; i < r->nr; i++)
		events += !GOTRACE_EV_IS_META(r->ev[i].e.type);
	EXPECT_EQ(r->raw.end.events, events);
}

TEST_HARNESS_MAIN
