// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace convert --format=go: a Go execution trace in the format of Go
 * 1.11-1.21 (header "go 1.19 trace"), which `go tool trace` opens.
 *
 * CPUs are Ps, tasks are goroutines (goroutine id = pid; a reused pid gets
 * a new id), named by a one-frame creation stack whose function is the
 * last comm the task has in the trace (a first pass reads the names, so a
 * forked child that execs is named after what it ran); each run is a
 * GoStartLabel whose label is the comm at that time.  sched_switch stops
 * the previous goroutine (GoPreempt when preempted, GoSched when it
 * yielded while runnable, GoBlockSync when in D state, GoBlock otherwise,
 * GoEnd after its exit) and starts the next (GoStart); wakeups are
 * GoUnblock, forks GoCreate, the pages allocated and not freed (bytes) the
 * HeapAlloc counter, and each trigger a flight snapshot says fired a user
 * log on its event's P (trigger_logs()).
 *
 * Go's parser checks every transition (a goroutine must be runnable to
 * start, a P runs one goroutine at a time...), so this converter keeps the
 * state of every goroutine and P and makes up the events a kernel trace
 * does not have: a goroutine is created when its task is first seen; a
 * task that was running when the trace started is started on its CPU at
 * its first event there; a task switched in while we think it waits (its
 * wakeup was lost or predates the trace) is unblocked first; one that runs
 * on another P (lost switch) is preempted there first; the tasks still
 * running at the end are preempted there (go tool trace's viewer wants an
 * end for every start).  These made-up events are counted and reported.
 *
 * Wire format (Go 1.19 runtime/trace.go, internal/trace/parser.go): each
 * event is a byte (type | (nargs - 1) << 6) then unsigned LEB128 arguments,
 * the first one the timestamp delta from the previous event of the batch;
 * events with 4 or more arguments have nargs field 3 and a byte length
 * before their arguments.  A batch (EvBatch: P, absolute ticks) starts
 * whenever the P changes.  Ticks are ns (EvFrequency 1e9).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "convert.h"

/* Event types of the Go 1.19 trace format. */
enum {
	EV_BATCH	= 1,
	EV_FREQUENCY	= 2,
	EV_STACK	= 3,
	EV_GOMAXPROCS	= 4,
	EV_PROC_START	= 5,
	EV_GO_CREATE	= 13,
	EV_GO_START	= 14,
	EV_GO_END	= 15,
	EV_GO_SCHED	= 17,
	EV_GO_PREEMPT	= 18,
	EV_GO_BLOCK	= 20,
	EV_GO_UNBLOCK	= 21,
	EV_GO_BLOCK_SYNC = 25,
	EV_HEAP_ALLOC	= 33,
	EV_STRING	= 37,
	EV_GO_START_LABEL = 41,
	EV_USER_LOG	= 48,
};

#define GO_HEADER	"go 1.19 trace\0\0\0"
#define GO_PID_GEN	(1ULL << 22)	/* above pid_max: ids of reused pids */
#define TASK_D		0x2		/* TASK_UNINTERRUPTIBLE */
#define TASK_X		0x10		/* EXIT_DEAD */
#define TASK_Z		0x20		/* EXIT_ZOMBIE */

enum g_state {
	G_NONE,		/* no goroutine yet */
	G_RUNNABLE,
	G_RUNNING,
	G_WAITING,
	G_DEAD,
};

struct g_task {
	uint32_t pid;
	uint32_t gen;		/* incarnations of this pid */
	uint64_t gid;
	int state;		/* enum g_state */
	uint32_t p;		/* of G_RUNNING */
	uint64_t seq;		/* next sequence number (GoStart, GoUnblock) */
	uint64_t stk;		/* creation stack: the comm */
	int exited;
};

struct g_proc {
	uint32_t cur;		/* pid running, 0: none */
	int started;		/* ProcStart written */
	int switched;		/* a sched_switch was seen on this CPU */
};

struct g_comm {
	char name[GOTRACE_COMM_LEN + 8];
	uint64_t stk;
	uint64_t str;		/* string id of the name */
};

struct gconv {
	FILE *f;
	struct gt_reader *r;
	struct gt_reader *names;	/* read to its end: last comm of each pid */
	const struct convert_opts *o;
	struct convert_stats *st;
	uint64_t base;
	int have_base;
	uint32_t nr_ps;
	struct g_proc *ps;
	struct cv_map tasks;	/* pid -> struct g_task */
	struct gt_page_map pages;	/* pages alive */
	struct g_comm *comms;
	size_t nr_comms, cap_comms;
	uint64_t next_str, next_stk;
	uint64_t trig_key;	/* string id of "trigger", 0: not written yet */
	int64_t out_p;		/* P of the current batch, -1: none */
	uint64_t last;		/* ticks of the previous event */
	/* heap */
	int64_t heap_pages;
	int64_t heap_out;	/* last written */
	uint64_t heap_ts;
	uint32_t page_size;
	/* made-up events */
	uint64_t s_start, s_unblock, s_preempt, s_idle, s_end;
	int err;
};

/* ---- wire format ------------------------------------------------------------ */

static int put_uv(uint8_t *b, uint64_t v)
{
	int n = 0;

	do {
		b[n] = v & 0x7f;
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

/* A raw event: type and all its arguments (timestamp first if any). */
static void raw(struct gconv *g, uint8_t type, const uint64_t *a, int n)
{
	uint8_t b[16 * 10 + 16];
	int i, len = 0;

	for (i = 0; i < n; i++)
		len += put_uv(b + len, a[i]);
	if (n < 4) {
		putc(type | (n - 1) << 6, g->f);
	} else {
		uint8_t l[10];

		putc(type | 3 << 6, g->f);
		fwrite(l, 1, put_uv(l, len), g->f);
	}
	fwrite(b, 1, len, g->f);
	g->st->events_out++;
}

static uint64_t ticks(struct gconv *g, uint64_t ts)
{
	return ts - g->base;
}

/* An event of P p at ts: args after the timestamp (at most 8). */
static void ev(struct gconv *g, uint32_t p, uint8_t type, uint64_t ts,
	       const uint64_t *args, int n)
{
	uint64_t a[9];
	uint64_t t = ticks(g, ts);

	if (g->out_p != p) {
		uint64_t b[2] = { p, t };

		raw(g, EV_BATCH, b, 2);
		g->st->events_out--;
		g->out_p = p;
		g->last = t;
	}
	a[0] = t >= g->last ? t - g->last : 0;
	if (t > g->last)
		g->last = t;
	memcpy(a + 1, args, n * sizeof(*a));
	raw(g, type, a, n + 1);
}

static uint64_t string(struct gconv *g, const char *s)
{
	uint8_t l[10];
	size_t n = strlen(s);
	uint64_t id = ++g->next_str;

	putc(EV_STRING, g->f);
	fwrite(l, 1, put_uv(l, id), g->f);
	fwrite(l, 1, put_uv(l, n ? n : 1), g->f);
	fwrite(n ? s : "?", 1, n ? n : 1, g->f);
	return id;
}

/* The creation stack of a comm: one frame, function = comm. */
static struct g_comm *comm_get(struct gconv *g, const char *comm)
{
	uint64_t a[6];
	size_t i;

	for (i = 0; i < g->nr_comms; i++) {
		if (!strcmp(g->comms[i].name, comm))
			return &g->comms[i];
	}
	if (g->nr_comms == g->cap_comms) {
		size_t cap = g->cap_comms ? g->cap_comms * 2 : 64;
		struct g_comm *c = realloc(g->comms, cap * sizeof(*c));

		if (!c) {
			g->err = -ENOMEM;
			return NULL;
		}
		g->comms = c;
		g->cap_comms = cap;
	}
	snprintf(g->comms[g->nr_comms].name, sizeof(g->comms[0].name), "%s",
		 comm);
	a[0] = ++g->next_stk;
	a[1] = 1;
	a[2] = 0x1000 + a[0] * 0x10;	/* pc: one per function */
	a[3] = string(g, comm);
	a[4] = string(g, "kernel");
	a[5] = 0;
	raw(g, EV_STACK, a, 6);
	g->st->events_out--;
	g->comms[g->nr_comms].stk = a[0];
	g->comms[g->nr_comms].str = a[3];
	return &g->comms[g->nr_comms++];
}

/* The current comm of a task (labels), or its last one (names). */
static struct g_comm *task_comm(struct gconv *g, uint32_t pid, int last)
{
	const char *c = last && g->names ? gt_comm(g->names, pid) : NULL;

	if (!c)
		c = gt_comm(g->r, pid);
	char name[GOTRACE_COMM_LEN + 8];

	snprintf(name, sizeof(name), "%s", c && *c ? c : "task");
	return comm_get(g, name);
}

/* ---- state machine --------------------------------------------------------- */

static void proc_start(struct gconv *g, uint32_t p, uint64_t ts)
{
	uint64_t a[1] = { p };

	if (g->ps[p].started)
		return;
	g->ps[p].started = 1;
	ev(g, p, EV_PROC_START, ts, a, 1);
}

static struct g_task *task(struct gconv *g, uint32_t pid)
{
	struct g_task *t;

	if (!pid)
		return NULL;
	t = cv_map_get(&g->tasks, pid);
	if (t)
		return t;
	t = cv_map_add_zeroed(&g->tasks, pid, sizeof(*t));
	if (!t) {
		g->err = -ENOMEM;
		return NULL;
	}
	t->pid = pid;
	return t;
}

/* GoCreate on P p (by whatever runs there): the goroutine is runnable. */
static void create(struct gconv *g, struct g_task *t, uint32_t p, uint64_t ts)
{
	struct g_task *cur = task(g, g->ps[p].cur);
	struct g_comm *c = task_comm(g, t->pid, 1);
	uint64_t a[3];

	if (t->state == G_DEAD)
		t->gen++;
	t->stk = c ? c->stk : 0;
	t->gid = t->pid + t->gen * GO_PID_GEN;
	t->state = G_RUNNABLE;
	t->seq = 1;
	t->exited = 0;
	proc_start(g, p, ts);
	a[0] = t->gid;
	a[1] = t->stk;
	a[2] = cur ? cur->stk : 0;
	ev(g, p, EV_GO_CREATE, ts, a, 3);
	g->st->tasks++;
}

/* A task mentioned by an event: it exists from now on. */
static struct g_task *touch(struct gconv *g, uint32_t pid, uint32_t p,
			    uint64_t ts)
{
	struct g_task *t = task(g, pid);

	if (t && t->state == G_NONE)
		create(g, t, p, ts);
	return t;
}

static void stop(struct gconv *g, struct g_task *t, uint8_t type, uint64_t ts)
{
	uint32_t p = t->p;
	uint64_t a[1] = { t->stk };

	ev(g, p, type, ts, a, type == EV_GO_END ? 0 : 1);
	g->ps[p].cur = 0;
	switch (type) {
	case EV_GO_END:
		t->state = G_DEAD;
		break;
	case EV_GO_SCHED:
	case EV_GO_PREEMPT:
		t->state = G_RUNNABLE;
		break;
	default:
		t->state = G_WAITING;
		break;
	}
}

static void unblock(struct gconv *g, struct g_task *t, uint32_t p, uint64_t ts)
{
	uint64_t a[3] = { t->gid, t->seq, t->stk };

	proc_start(g, p, ts);
	ev(g, p, EV_GO_UNBLOCK, ts, a, 3);
	t->seq++;
	t->state = G_RUNNABLE;
}

/* Make t runnable so that P p can start it. */
static void make_runnable(struct gconv *g, struct g_task *t, uint32_t p,
			  uint64_t ts)
{
	switch (t->state) {
	case G_NONE:
	case G_DEAD:
		create(g, t, p, ts);
		break;
	case G_WAITING:
		g->s_unblock++;
		g->st->synth++;
		unblock(g, t, p, ts);
		break;
	case G_RUNNING:
		if (t->p != p) {
			g->s_preempt++;
			g->st->synth++;
			stop(g, t, EV_GO_PREEMPT, ts);
		}
		break;
	default:
		break;
	}
}

static void start(struct gconv *g, struct g_task *t, uint32_t p, uint64_t ts)
{
	struct g_comm *c;
	uint64_t a[3];

	proc_start(g, p, ts);
	if (g->ps[p].cur) {
		struct g_task *o = task(g, g->ps[p].cur);

		g->s_preempt++;
		g->st->synth++;
		if (o)
			stop(g, o, EV_GO_PREEMPT, ts);
		g->ps[p].cur = 0;
	}
	make_runnable(g, t, p, ts);
	if (t->state == G_RUNNING)
		return;
	/* labelled with the comm it has now (after an exec, say) */
	c = task_comm(g, t->pid, 0);
	a[0] = t->gid;
	a[1] = t->seq++;
	a[2] = c ? c->str : 0;
	if (c)
		ev(g, p, EV_GO_START_LABEL, ts, a, 3);
	else
		ev(g, p, EV_GO_START, ts, a, 2);
	t->state = G_RUNNING;
	t->p = p;
	g->ps[p].cur = t->pid;
}

/* P p runs pid (per the kernel); make it so. */
static struct g_task *make_current(struct gconv *g, uint32_t pid, uint32_t p,
				   uint64_t ts, uint64_t *counter)
{
	struct g_task *t = task(g, pid);

	if (!t || (g->ps[p].cur == pid && t->state == G_RUNNING))
		return t;
	if (t->state == G_DEAD && t->exited)
		return NULL;	/* after its GoEnd */
	(*counter)++;
	g->st->synth++;
	start(g, t, p, ts);
	return t;
}

static void heap(struct gconv *g, uint64_t ts, int force)
{
	int64_t v = g->heap_pages;
	uint64_t a[1];

	if (v == g->heap_out ||
	    (!force && ts - g->heap_ts < g->o->interval_ns / 100))
		return;
	a[0] = (uint64_t)v * g->page_size;
	ev(g, g->out_p >= 0 ? (uint32_t)g->out_p : 0, EV_HEAP_ALLOC, ts, a, 1);
	g->heap_out = v;
	g->heap_ts = ts;
}

static void on_switch(struct gconv *g, const struct gt_event *e)
{
	uint32_t p = e->cpu, prev = (uint32_t)e->args[0];
	uint32_t next = (uint32_t)e->args[3];
	uint64_t state = e->args[2];
	struct g_task *t;

	if (prev) {
		t = make_current(g, prev, p, e->ts,
				 g->ps[p].switched ? &g->s_preempt : &g->s_start);
		if (t && t->state == G_RUNNING) {
			uint8_t type;

			if (state & GOTRACE_STATE_PREEMPTED)
				type = EV_GO_PREEMPT;
			else if (!state)
				type = EV_GO_SCHED;
			else if (t->exited && (state & (TASK_X | TASK_Z)))
				type = EV_GO_END;	/* gone for good */
			else if (state & TASK_D)
				type = EV_GO_BLOCK_SYNC;
			else
				type = EV_GO_BLOCK;
			stop(g, t, type, e->ts);
		}
	} else if (g->ps[p].cur) {
		t = task(g, g->ps[p].cur);
		g->s_idle++;
		g->st->synth++;
		if (t)
			stop(g, t, EV_GO_PREEMPT, e->ts);
		g->ps[p].cur = 0;
	}
	g->ps[p].switched = 1;
	t = task(g, next);
	if (t)
		start(g, t, p, e->ts);
}

static void on_wakeup(struct gconv *g, const struct gt_event *e)
{
	struct g_task *t = task(g, (uint32_t)e->args[0]);

	if (!t)
		return;
	if (t->state == G_NONE || t->state == G_DEAD)
		create(g, t, e->cpu, e->ts);
	else if (t->state == G_WAITING)
		unblock(g, t, e->cpu, e->ts);
}

/* An event in task context names the task running on its CPU. */
static void on_current(struct gconv *g, const struct gt_event *e, uint32_t pid)
{
	if (e->ctx != GOTRACE_CTX_TASK || !pid || g->ps[e->cpu].switched)
		touch(g, pid, e->cpu, e->ts);
	else
		make_current(g, pid, e->cpu, e->ts, &g->s_start);
}

/*
 * The triggers an event fired (a flight snapshot): a user log each, of
 * category "trigger" ("reclaim:10ms (12.3ms) pid 42"), on the event's P
 * at its time, which go tool trace shows as an instant there.  Its
 * arguments: task 0 (none), the category's string, stack 0; the message
 * follows them inline.
 */
static void trigger_logs(struct gconv *g, const struct gt_event *e)
{
	const struct gotrace_fired *f;
	char msg[128], spec[48], val[32];
	size_t i, n;
	uint8_t l[10];
	uint64_t a[3];
	int len;

	n = gt_fired_at(g->r, e->cpu, e->ts, e->type, &f);
	if (!n)
		return;
	if (!g->trig_key)
		g->trig_key = string(g, "trigger");
	proc_start(g, e->cpu, e->ts);
	for (i = 0; i < n; i++) {
		gt_fired_trigger_str(g->r, &f[i], spec, sizeof(spec));
		gt_fired_value_str(&f[i], val, sizeof(val));
		if (*val)
			len = snprintf(msg, sizeof(msg), "%s (%s) pid %u", spec,
				       val, f[i].pid);
		else
			len = snprintf(msg, sizeof(msg), "%s pid %u", spec,
				       f[i].pid);
		if (len >= (int)sizeof(msg))
			len = sizeof(msg) - 1;
		a[0] = 0;
		a[1] = g->trig_key;
		a[2] = 0;
		ev(g, e->cpu, EV_USER_LOG, e->ts, a, 3);
		fwrite(l, 1, put_uv(l, len), g->f);
		fwrite(msg, 1, len, g->f);
	}
}

static void on_event(struct gconv *g, const struct gt_event *e)
{
	const uint64_t *a = e->args;
	struct g_task *t;
	unsigned int o;

	switch (e->type) {
	case GOTRACE_EV_SCHED_SWITCH:
		on_switch(g, e);
		break;
	case GOTRACE_EV_SCHED_WAKEUP:
	case GOTRACE_EV_SCHED_WAKEUP_NEW:
		on_wakeup(g, e);
		break;
	case GOTRACE_EV_SCHED_PROCESS_FORK:
		on_current(g, e, (uint32_t)a[0]);
		t = task(g, (uint32_t)a[1]);
		if (t && (t->state == G_NONE || t->state == G_DEAD))
			create(g, t, e->cpu, e->ts);
		break;
	case GOTRACE_EV_SCHED_PROCESS_EXIT:
		t = touch(g, (uint32_t)a[0], e->cpu, e->ts);
		if (t && t->state != G_DEAD)
			t->exited = 1;
		break;
	case GOTRACE_EV_SCHED_PROCESS_EXEC:
		on_current(g, e, (uint32_t)a[0]);
		break;
	case GOTRACE_EV_SCHED_MIGRATE_TASK:
	case GOTRACE_EV_SCHED_WAKING:	/* its wakeup, if any, comes next */
		touch(g, (uint32_t)a[0], e->cpu, e->ts);
		break;
	case GOTRACE_EV_MM_PAGE_ALLOC:
		on_current(g, e, (uint32_t)a[4]);
		if (a[0] != ~0ULL) {
			g->heap_pages += cv_order_pages(a[1]);
			g->heap_pages -= cv_page_alloc(&g->pages, a[0], a[1], &o);
		}
		heap(g, e->ts, 0);
		break;
	case GOTRACE_EV_MM_PAGE_FREE:
	case GOTRACE_EV_MM_PAGE_FREE_BATCHED:
		on_current(g, e, (uint32_t)a[e->nargs - 1]);
		g->heap_pages -= cv_page_free(&g->pages, a[0], &o);
		heap(g, e->ts, 0);
		break;
	case GOTRACE_EV_MM_PAGE_PCPU_DRAIN:
	case GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG:
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN:
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END:
	case GOTRACE_EV_MM_COMPACTION_BEGIN:
	case GOTRACE_EV_MM_COMPACTION_END:
		on_current(g, e, (uint32_t)a[e->nargs - 1]);
		break;
	default:
		break;
	}
}

int convert_go(struct gt_reader *r, FILE *out, const struct convert_opts *o,
	       struct convert_stats *st)
{
	const struct gotrace_header *h = gt_header(r);
	uint64_t from, to, last_ts = 0;
	struct gt_filter sel;
	struct gt_event e;
	struct gconv g;
	uint64_t a[2];
	int ret;

	memset(&g, 0, sizeof(g));
	g.f = out;
	g.r = r;
	g.o = o;
	g.st = st;
	g.out_p = -1;
	g.page_size = h->page_size ? h->page_size : 4096;
	g.nr_ps = h->nr_cpus ? h->nr_cpus : 1;
	g.ps = calloc(g.nr_ps, sizeof(*g.ps));
	if (!g.ps)
		return -ENOMEM;
	cv_map_init(&g.tasks);
	from = h->start_ns + o->filter.from_ns;
	to = o->filter.to_ns == ~0ULL ? ~0ULL : h->start_ns + o->filter.to_ns;
	sel = o->filter;
	sel.threads = NULL;

	/* a first pass for the names the tasks end with (after exec) */
	if (o->path && !gt_open_file(o->path, &g.names)) {
		while (gt_next(g.names, &e) > 0)
			;
	}
	fwrite(GO_HEADER, 1, 16, out);
	a[0] = 1000000000;	/* ticks per second: ns */
	raw(&g, EV_FREQUENCY, a, 1);
	st->events_out--;
	while (!g.err && (ret = gt_next(r, &e)) > 0) {
		if (GOTRACE_EV_IS_META(e.type))
			continue;
		st->events_in++;
		if (e.ts < from || e.cpu >= g.nr_ps)
			continue;
		if (e.ts > to)
			break;
		ret = gt_filter_select(&sel, r, &e);
		if (ret < 0)
			break;
		if (!ret)
			continue;
		if (!g.have_base) {
			g.base = e.ts;
			g.have_base = 1;
			a[0] = g.nr_ps;
			a[1] = 0;
			ev(&g, 0, EV_GOMAXPROCS, e.ts, a, 2);
		}
		last_ts = e.ts;
		on_event(&g, &e);
		trigger_logs(&g, &e);
	}
	if (g.err)
		ret = g.err;
	if (ret >= 0 && !g.have_base) {
		/* no events: one P so that the trace is not empty */
		a[0] = g.nr_ps;
		a[1] = 0;
		ev(&g, 0, EV_GOMAXPROCS, g.base, a, 2);
		proc_start(&g, 0, g.base);
	} else if (ret >= 0) {
		uint32_t p;

		heap(&g, last_ts, 1);
		/*
		 * Stop what still runs: go tool trace's viewer wants an end
		 * for every GoStart.
		 */
		for (p = 0; p < g.nr_ps; p++) {
			struct g_task *t = task(&g, g.ps[p].cur);

			if (t && t->state == G_RUNNING) {
				stop(&g, t, EV_GO_PREEMPT, last_ts);
				g.s_end++;
				st->synth++;
			}
		}
	}
	if (ret >= 0 && !o->quiet)
		fprintf(stderr, "gotrace: convert: go: made up %llu starts of tasks running at the trace start, %llu unblocks without a wakeup, %llu preemptions of tasks on another P, %llu of tasks on a CPU that switched from idle, %llu stops of tasks running at the end\n",
			(unsigned long long)g.s_start,
			(unsigned long long)g.s_unblock,
			(unsigned long long)g.s_preempt,
			(unsigned long long)g.s_idle,
			(unsigned long long)g.s_end);
	cv_map_free(&g.tasks, 1);
	gt_page_map_free(&g.pages);
	if (g.names)
		gt_close(g.names);
	free(g.comms);
	free(g.ps);
	gt_filter_release(&sel);
	return ret < 0 ? ret : 0;
}
