// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace convert --format=perfetto: the Chrome trace event format (JSON
 * object form), which ui.perfetto.dev and chrome://tracing open.
 *
 * Tracks:
 *   process "CPUs" (pid CPUS_PID), one thread per CPU: a slice "comm pid"
 *     for each stretch a task ran, flow arrows wakeup -> run;
 *   one thread per task (pid tgid, tid pid): spans Running / Runnable /
 *     Blocked (state), instants fork/exec/exit/migrate, page allocations
 *     (with their stack), async slices of direct reclaim and compaction;
 *   process "Memory": counters of pages allocated/freed per interval,
 *     outstanding pages (total and per order), lost events.
 *
 * Events are written in timestamp order while the trace is read (B/E
 * pairs, never X), so memory is bounded by the task and stack tables and
 * every track is ordered.  Spans still open at the end (or at the end of
 * the --from/--to window) are closed there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "convert.h"
#include "json.h"

#define CPUS_PID	1000000000U
#define MEM_PID		1000001000U
#define MEM_TID		1000001000U
#define NR_ORDERS	16

enum pf_state {
	PF_NONE,
	PF_RUNNING,
	PF_RUNNABLE,
	PF_BLOCKED,
};

struct pf_task {
	uint32_t pid;
	uint32_t tgid;
	int state;		/* enum pf_state */
	uint64_t prev_state;	/* of PF_BLOCKED */
	uint32_t cpu;		/* of PF_RUNNING */
	uint64_t flow;		/* pending wakeup flow id, 0: none */
	int exited;
	int named;
	int reclaim;		/* in direct reclaim */
	int compact;		/* in compaction */
};

struct pf_cpu {
	uint32_t cur;		/* pid running, 0: idle */
	int seen;
};

struct pf {
	struct jw w;
	struct gt_reader *r;
	const struct convert_opts *o;
	struct convert_stats *st;
	uint64_t base;		/* trace start (ts 0 of the output) */
	uint64_t from, to;	/* absolute window */
	int emit;		/* inside the window */
	int done;		/* past the window */
	uint32_t nr_cpus;
	struct pf_cpu *cpus;
	struct cv_map tasks;	/* pid -> struct pf_task */
	struct cv_map procs;	/* tgid -> (void *)1: process named */
	struct cv_map stacks;	/* stack id -> JSON array text */
	struct gt_page_map pages;	/* pages alive */
	uint64_t flow_id;
	uint64_t last_ts;
	int allocs;
	uint64_t alloc_n;
	/* counters */
	uint64_t ivl_start;
	uint64_t ivl_alloc, ivl_free;
	uint64_t last_alloc, last_free;
	int rate_emitted;
	int64_t outstanding;
	int64_t by_order[NR_ORDERS];
	unsigned int orders_seen;	/* bitmap */
	int64_t last_out;
	int out_emitted;
	const struct gt_loss *losses;
	long nr_losses, next_loss;
	uint64_t lost;
	int err;
};

/*
 * Start an event object, one a line: {"ph":..,"ts":..,"pid":..,"tid":..
 * The caller adds its members and closes it (jw_obj_end).
 */
static void head(struct pf *p, const char *ph, uint64_t ts, uint32_t pid,
		 uint32_t tid)
{
	jw_next_line(&p->w);
	jw_obj_begin(&p->w);
	jw_kv_str(&p->w, "ph", ph);
	jw_key(&p->w, "ts");
	jw_ns_as_us(&p->w, (int64_t)(ts - p->base));
	jw_kv_u64(&p->w, "pid", pid);
	jw_kv_u64(&p->w, "tid", tid);
	p->st->events_out++;
}

/* Start a metadata event: {"ph":"M","pid":..,"tid":..,"name":what,"args":{ */
static void meta_head(struct pf *p, const char *what, uint32_t pid,
		      uint32_t tid)
{
	jw_next_line(&p->w);
	jw_obj_begin(&p->w);
	jw_kv_str(&p->w, "ph", "M");
	jw_kv_u64(&p->w, "pid", pid);
	jw_kv_u64(&p->w, "tid", tid);
	jw_kv_str(&p->w, "name", what);
	jw_key(&p->w, "args");
	jw_obj_begin(&p->w);
}

static void meta(struct pf *p, const char *what, uint32_t pid, uint32_t tid,
		 const char *name)
{
	meta_head(p, what, pid, tid);
	jw_kv_str(&p->w, "name", name);
	jw_obj_end(&p->w);
	jw_obj_end(&p->w);
}

static void meta_sort(struct pf *p, const char *what, uint32_t pid,
		      uint32_t tid, int idx)
{
	meta_head(p, what, pid, tid);
	jw_kv_s64(&p->w, "sort_index", idx);
	jw_obj_end(&p->w);
	jw_obj_end(&p->w);
}

/* Close an event's "args" and the event */
static void args_end(struct pf *p)
{
	jw_obj_end(&p->w);
	jw_obj_end(&p->w);
}

static const char *comm_of(struct pf *p, uint32_t pid, char *buf, size_t n)
{
	const char *c = gt_comm(p->r, pid);

	if (!pid) {
		snprintf(buf, n, "swapper");
		return buf;
	}
	return c ? c : "<...>";
}

static void name_task(struct pf *p, struct pf_task *t)
{
	char b[32];

	if (!cv_map_get(&p->procs, t->tgid)) {
		const char *pc = gt_comm(p->r, t->tgid);

		if (cv_map_put(&p->procs, t->tgid, (void *)1))
			p->err = -ENOMEM;
		meta(p, "process_name", t->tgid, t->tgid,
		     pc ? pc : comm_of(p, t->pid, b, sizeof(b)));
	}
	meta(p, "thread_name", t->tgid, t->pid, comm_of(p, t->pid, b, sizeof(b)));
	t->named = 1;
}

static struct pf_task *task_get(struct pf *p, uint32_t pid)
{
	struct pf_task *t = cv_map_get(&p->tasks, pid);
	const struct gotrace_task *ti;

	if (t || !pid)
		return t;
	t = cv_map_add_zeroed(&p->tasks, pid, sizeof(*t));
	if (!t) {
		p->err = -ENOMEM;
		return NULL;
	}
	t->pid = pid;
	ti = gt_task(p->r, pid);
	t->tgid = ti && ti->tgid ? ti->tgid : pid;
	p->st->tasks++;
	return t;
}

/* A task's track, named on first use. */
static void task_head(struct pf *p, struct pf_task *t, const char *ph,
		      uint64_t ts)
{
	if (!t->named)
		name_task(p, t);
	head(p, ph, ts, t->tgid, t->pid);
}

static void span_begin(struct pf *p, struct pf_task *t, uint64_t ts)
{
	char s[64];

	char name[80];

	task_head(p, t, "B", ts);
	switch (t->state) {
	case PF_RUNNING:
		jw_kv_str(&p->w, "name", "Running");
		jw_key(&p->w, "args");
		jw_obj_begin(&p->w);
		jw_kv_u64(&p->w, "cpu", t->cpu);
		jw_obj_end(&p->w);
		break;
	case PF_RUNNABLE:
		jw_kv_str(&p->w, "name", "Runnable");
		break;
	default:
		gt_state_str(t->prev_state, s, sizeof(s));
		snprintf(name, sizeof(name), "Blocked (%s)", s);
		jw_kv_str(&p->w, "name", name);
		break;
	}
	jw_obj_end(&p->w);
}

static void span_end(struct pf *p, struct pf_task *t, uint64_t ts)
{
	task_head(p, t, "E", ts);
	jw_obj_end(&p->w);
}

static void task_state(struct pf *p, struct pf_task *t, int state,
		       uint64_t ts)
{
	if (p->emit && t->state != PF_NONE)
		span_end(p, t, ts);
	t->state = state;
	if (p->emit && state != PF_NONE)
		span_begin(p, t, ts);
}

static void cpu_begin(struct pf *p, uint32_t cpu, uint64_t ts)
{
	struct pf_task *t = task_get(p, p->cpus[cpu].cur);
	char b[32], name[64];

	snprintf(name, sizeof(name), "%s %u",
		 comm_of(p, p->cpus[cpu].cur, b, sizeof(b)), p->cpus[cpu].cur);
	head(p, "B", ts, CPUS_PID, CPUS_PID + cpu);
	jw_kv_str(&p->w, "name", name);
	jw_key(&p->w, "args");
	jw_obj_begin(&p->w);
	jw_kv_u64(&p->w, "pid", t ? t->pid : 0);
	jw_kv_u64(&p->w, "tgid", t ? t->tgid : 0);
	args_end(p);
}

static void cpu_end(struct pf *p, uint32_t cpu, uint64_t ts)
{
	head(p, "E", ts, CPUS_PID, CPUS_PID + cpu);
	jw_obj_end(&p->w);
}

static void stall(struct pf *p, struct pf_task *t, int compact, int begin,
		  uint64_t ts)
{
	task_head(p, t, begin ? "b" : "e", ts);
	jw_kv_str(&p->w, "cat", "stall");
	jw_key(&p->w, "id");
	jw_hex(&p->w, (uint64_t)t->pid * 2 + (compact ? 1 : 0));
	jw_kv_str(&p->w, "name", compact ? "compaction" : "direct reclaim");
	jw_obj_end(&p->w);
}

/* The "lost events" counter at ts */
static void lost_counter(struct pf *p, uint64_t ts, uint64_t total)
{
	head(p, "C", ts, MEM_PID, MEM_TID);
	jw_kv_str(&p->w, "name", "lost events");
	jw_key(&p->w, "args");
	jw_obj_begin(&p->w);
	jw_kv_u64(&p->w, "total", total);
	args_end(p);
}

/* Emit the state of everything at the window start. */
static void window_open_task(void *v, void *arg)
{
	struct pf_task *t = v;
	struct pf *p = arg;

	if (t->state != PF_NONE)
		span_begin(p, t, p->from);
	if (t->reclaim)
		stall(p, t, 0, 1, p->from);
	if (t->compact)
		stall(p, t, 1, 1, p->from);
}

static void window_close_task(void *v, void *arg)
{
	struct pf_task *t = v;
	struct pf *p = arg;

	if (t->state != PF_NONE)
		span_end(p, t, p->to);
	if (t->reclaim)
		stall(p, t, 0, 0, p->to);
	if (t->compact)
		stall(p, t, 1, 0, p->to);
}

static void window_open(struct pf *p)
{
	uint32_t c;

	p->emit = 1;
	for (c = 0; c < p->nr_cpus; c++) {
		if (p->cpus[c].cur)
			cpu_begin(p, c, p->from);
	}
	cv_map_each(&p->tasks, window_open_task, p);
	p->ivl_start = p->from;
	lost_counter(p, p->from, p->lost);
}

static void counters_flush(struct pf *p, uint64_t end);

static void window_close(struct pf *p, uint64_t ts)
{
	uint32_t c;

	if (!p->emit)
		return;
	p->to = ts;
	counters_flush(p, ts);
	for (c = 0; c < p->nr_cpus; c++) {
		if (p->cpus[c].cur)
			cpu_end(p, c, ts);
	}
	cv_map_each(&p->tasks, window_close_task, p);
	p->emit = 0;
	p->done = 1;
}

/* ---- counters ------------------------------------------------------------ */

static void counters_emit(struct pf *p, uint64_t start, uint64_t end)
{
	unsigned int o;

	if (!p->rate_emitted || p->ivl_alloc != p->last_alloc ||
	    p->ivl_free != p->last_free) {
		head(p, "C", start, MEM_PID, MEM_TID);
		jw_kv_str(&p->w, "name", "pages per interval");
		jw_key(&p->w, "args");
		jw_obj_begin(&p->w);
		jw_kv_u64(&p->w, "allocated", p->ivl_alloc);
		jw_kv_u64(&p->w, "freed", p->ivl_free);
		args_end(p);
		p->last_alloc = p->ivl_alloc;
		p->last_free = p->ivl_free;
		p->rate_emitted = 1;
	}
	if (!p->out_emitted || p->outstanding != p->last_out) {
		head(p, "C", end, MEM_PID, MEM_TID);
		jw_kv_str(&p->w, "name", "outstanding pages");
		jw_key(&p->w, "args");
		jw_obj_begin(&p->w);
		jw_kv_s64(&p->w, "total", p->outstanding);
		args_end(p);
		if (p->orders_seen) {
			head(p, "C", end, MEM_PID, MEM_TID);
			jw_kv_str(&p->w, "name", "outstanding pages by order");
			jw_key(&p->w, "args");
			jw_obj_begin(&p->w);
			for (o = 0; o < NR_ORDERS; o++) {
				char key[16];

				if (!(p->orders_seen & (1U << o)))
					continue;
				snprintf(key, sizeof(key), "order %u", o);
				jw_kv_s64(&p->w, key, p->by_order[o]);
			}
			args_end(p);
		}
		p->last_out = p->outstanding;
		p->out_emitted = 1;
	}
}

/* Close the intervals that end at or before ts. */
static void counters_advance(struct pf *p, uint64_t ts)
{
	uint64_t iv = p->o->interval_ns;

	while (ts >= p->ivl_start + iv) {
		if (p->emit)
			counters_emit(p, p->ivl_start, p->ivl_start + iv);
		p->ivl_alloc = 0;
		p->ivl_free = 0;
		p->ivl_start += iv;
		/* skip empty stretches in one step */
		if (ts >= p->ivl_start + iv && p->rate_emitted &&
		    !p->last_alloc && !p->last_free && p->outstanding == p->last_out)
			p->ivl_start += (ts - p->ivl_start) / iv * iv;
	}
}

static void counters_flush(struct pf *p, uint64_t end)
{
	if (end > p->ivl_start)
		counters_emit(p, p->ivl_start, end);
}

static void pages_add(struct pf *p, uint64_t order, int64_t sign,
		      int live)
{
	uint64_t n = cv_order_pages(order);

	if (sign > 0)
		p->ivl_alloc += n;
	else if (live >= 0)
		p->ivl_free += n;
	if (!live)
		return;
	p->outstanding += sign * (int64_t)n;
	if (order < NR_ORDERS) {
		p->by_order[order] += sign * (int64_t)n;
		p->orders_seen |= 1U << order;
	}
}

/* Outstanding pages: allocated in the trace, not freed yet (as stats). */
static void page_alloc(struct pf *p, uint64_t pfn, uint64_t order)
{
	unsigned int old;

	pages_add(p, order, 1, 1);
	if (cv_page_alloc(&p->pages, pfn, order, &old))
		pages_add(p, old, -1, -1);	/* its free was lost */
}

static void page_free(struct pf *p, uint64_t pfn, uint64_t order)
{
	unsigned int o;

	if (cv_page_free(&p->pages, pfn, &o))
		pages_add(p, o, -1, 1);
	else
		pages_add(p, order, -1, 0);
}

/* Losses (BATCH records) up to ts on the "lost events" counter. */
static void losses_advance(struct pf *p, uint64_t ts)
{
	while (p->next_loss < p->nr_losses &&
	       p->losses[p->next_loss].ts <= ts) {
		p->lost += p->losses[p->next_loss].lost;
		if (p->emit)
			lost_counter(p, p->losses[p->next_loss].ts, p->lost);
		p->next_loss++;
	}
}

/* ---- page allocation instants ------------------------------------------- */

static const char *stack_json(struct pf *p, uint32_t id)
{
	const uint64_t *frames;
	char *s = NULL, *old;
	size_t len = 0;
	struct jw mw;
	FILE *m;
	int n, i;

	old = cv_map_get(&p->stacks, id);
	if (old)
		return old;
	n = gt_stack(p->r, id, &frames);
	if (n < 0)
		return NULL;
	m = open_memstream(&s, &len);
	if (!m)
		return NULL;
	/* rendered once, kept as JSON text: stacks repeat */
	jw_init(&mw, m, false);
	jw_arr_begin(&mw);
	for (i = 0; i < n; i++) {
		const char *mod = NULL;
		uint64_t off = 0;
		const char *sym = gt_symbol(p->r, frames[i], &off, &mod);
		char buf[256];

		if (sym)
			snprintf(buf, sizeof(buf), "%s+0x%" PRIx64 "%s%s%s", sym,
				 off, mod ? " [" : "", mod ? mod : "",
				 mod ? "]" : "");
		else
			snprintf(buf, sizeof(buf), "0x%" PRIx64, frames[i]);
		jw_str(&mw, buf);
	}
	jw_arr_end(&mw);
	if (fclose(m) || !s)
		return NULL;
	if (cv_map_put(&p->stacks, id, s)) {
		free(s);
		return NULL;
	}
	return s;
}

static void alloc_instant(struct pf *p, const struct gt_event *ev)
{
	uint32_t pid = (uint32_t)ev->args[4];
	struct pf_task *t = NULL;
	const char *stk = NULL;
	char gfp[256];

	if (p->o->sample > 1 && p->alloc_n++ % p->o->sample)
		return;
	if (ev->ctx == GOTRACE_CTX_TASK && pid)
		t = task_get(p, pid);
	if (t)
		task_head(p, t, "i", ev->ts);
	else
		head(p, "i", ev->ts, CPUS_PID, CPUS_PID + ev->cpu);
	jw_kv_str(&p->w, "s", "t");
	jw_kv_str(&p->w, "name",
		  ev->args[0] == ~0ULL ? "page_alloc failed" : "page_alloc");
	jw_key(&p->w, "args");
	jw_obj_begin(&p->w);
	jw_kv_u64(&p->w, "order", ev->args[1]);
	if (ev->args[0] != ~0ULL) {
		jw_key(&p->w, "pfn");
		jw_hex(&p->w, ev->args[0]);
	}
	jw_kv_str(&p->w, "gfp_flags",
		  gt_gfp_str(p->r, ev->args[2], gfp, sizeof(gfp)));
	jw_kv_s64(&p->w, "migratetype", (int32_t)ev->args[3]);
	if (ev->stack_id)
		stk = stack_json(p, ev->stack_id);
	if (stk) {
		jw_key(&p->w, "stack");
		jw_raw(&p->w, stk);
	}
	args_end(p);
}

/* ---- events ---------------------------------------------------------------- */

static void task_instant(struct pf *p, struct pf_task *t, uint64_t ts,
			 const char *name)
{
	task_head(p, t, "i", ts);
	jw_kv_str(&p->w, "s", "t");
	jw_kv_str(&p->w, "name", name);
}

/* After task_instant(): "args":{ */
static void args_begin(struct pf *p)
{
	jw_key(&p->w, "args");
	jw_obj_begin(&p->w);
}

static void on_switch(struct pf *p, const struct gt_event *ev)
{
	uint32_t prev = (uint32_t)ev->args[0], next = (uint32_t)ev->args[3];
	uint64_t state = ev->args[2];
	struct pf_cpu *c = &p->cpus[ev->cpu];
	struct pf_task *t;

	if (p->emit && c->cur)
		cpu_end(p, ev->cpu, ev->ts);
	c->cur = 0;
	c->seen = 1;
	t = task_get(p, prev);
	if (t) {
		if (!state || (state & GOTRACE_STATE_PREEMPTED)) {
			task_state(p, t, PF_RUNNABLE, ev->ts);
		} else if (t->exited) {
			task_state(p, t, PF_NONE, ev->ts);
		} else {
			if (p->emit && t->state != PF_NONE)
				span_end(p, t, ev->ts);
			t->state = PF_BLOCKED;
			t->prev_state = state;
			if (p->emit)
				span_begin(p, t, ev->ts);
		}
	}
	t = task_get(p, next);
	c->cur = next;
	if (!t)
		return;
	t->cpu = ev->cpu;
	task_state(p, t, PF_RUNNING, ev->ts);
	if (p->emit) {
		cpu_begin(p, ev->cpu, ev->ts);
		if (t->flow) {
			head(p, "f", ev->ts, CPUS_PID, CPUS_PID + ev->cpu);
			jw_kv_str(&p->w, "bp", "e");
			jw_kv_str(&p->w, "cat", "wakeup");
			jw_kv_str(&p->w, "name", "wakeup");
			jw_kv_u64(&p->w, "id", t->flow);
			jw_obj_end(&p->w);
		}
	}
	t->flow = 0;
}

static void on_wakeup(struct pf *p, const struct gt_event *ev)
{
	struct pf_task *t = task_get(p, (uint32_t)ev->args[0]);

	if (!t)
		return;
	if (t->state != PF_RUNNING && t->state != PF_RUNNABLE)
		task_state(p, t, PF_RUNNABLE, ev->ts);
	if (t->state != PF_RUNNABLE)
		return;
	t->flow = 0;
	if (!p->emit)
		return;
	t->flow = ++p->flow_id;
	/*
	 * From the waker's run on its CPU; from an idle CPU (an interrupt),
	 * from the woken task's Runnable span.
	 */
	if (p->cpus[ev->cpu].cur)
		head(p, "s", ev->ts, CPUS_PID, CPUS_PID + ev->cpu);
	else
		task_head(p, t, "s", ev->ts);
	jw_kv_str(&p->w, "cat", "wakeup");
	jw_kv_str(&p->w, "name", "wakeup");
	jw_kv_u64(&p->w, "id", t->flow);
	args_begin(p);
	jw_kv_u64(&p->w, "woken", t->pid);
	jw_kv_u64(&p->w, "cpu", ev->cpu);
	args_end(p);
}

/* An event that fired triggers (a flight snapshot): an instant each. */
static void trigger_instants(struct pf *p, const struct gt_event *ev)
{
	const struct gotrace_fired *f;
	size_t i, n;
	char name[64], buf[48];
	struct pf_task *t;

	n = gt_fired_at(p->r, ev->cpu, ev->ts, ev->type, &f);
	if (!n)
		return;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "trigger %s",
			 gt_fired_trigger_str(p->r, &f[i], buf, sizeof(buf)));
		t = task_get(p, f[i].pid);
		if (t) {
			task_instant(p, t, ev->ts, name);
		} else {
			head(p, "i", ev->ts, MEM_PID, MEM_TID);
			jw_kv_str(&p->w, "s", "g");
			jw_kv_str(&p->w, "name", name);
		}
		args_begin(p);
		jw_kv_u64(&p->w, "cpu", f[i].cpu);
		jw_kv_u64(&p->w, "pid", f[i].pid);
		jw_kv_str(&p->w, "event", gt_event_name(f[i].event));
		jw_kv_str(&p->w, "measured",
			  gt_fired_value_str(&f[i], buf, sizeof(buf)));
		args_end(p);
	}
}

static void on_event(struct pf *p, const struct gt_event *ev)
{
	const uint64_t *a = ev->args;
	struct pf_task *t;

	if (p->emit)
		trigger_instants(p, ev);
	switch (ev->type) {
	case GOTRACE_EV_SCHED_SWITCH:
		on_switch(p, ev);
		break;
	case GOTRACE_EV_SCHED_WAKEUP:
	case GOTRACE_EV_SCHED_WAKEUP_NEW:
		on_wakeup(p, ev);
		break;
	case GOTRACE_EV_SCHED_PROCESS_FORK: {
		struct pf_task *c = task_get(p, (uint32_t)a[1]);

		if (c) {
			if (!c->named && a[2])
				c->tgid = (uint32_t)a[2];
			c->exited = 0;
		}
		t = task_get(p, (uint32_t)a[0]);
		if (t && p->emit) {
			task_instant(p, t, ev->ts, "fork");
			args_begin(p);
			jw_kv_u64(&p->w, "child_pid", a[1]);
			jw_kv_u64(&p->w, "child_tgid", a[2]);
			args_end(p);
		}
		break;
	}
	case GOTRACE_EV_SCHED_PROCESS_EXIT:
		t = task_get(p, (uint32_t)a[0]);
		if (!t)
			break;
		t->exited = 1;
		if (p->emit) {
			task_instant(p, t, ev->ts, "exit");
			jw_obj_end(&p->w);
		}
		break;
	case GOTRACE_EV_SCHED_PROCESS_EXEC:
		t = task_get(p, (uint32_t)a[0]);
		if (!t)
			break;
		if (p->emit) {
			task_instant(p, t, ev->ts, "exec");
			args_begin(p);
			jw_kv_str(&p->w, "filename", ev->str ? ev->str : "");
			args_end(p);
		}
		/* the comm changed: rename the thread */
		t->named = 0;
		break;
	case GOTRACE_EV_SCHED_MIGRATE_TASK:
		t = task_get(p, (uint32_t)a[0]);
		if (t && p->emit) {
			task_instant(p, t, ev->ts, "migrate");
			args_begin(p);
			jw_kv_u64(&p->w, "orig_cpu", a[2]);
			jw_kv_s64(&p->w, "dest_cpu", (int32_t)a[3]);
			args_end(p);
		}
		break;
	case GOTRACE_EV_MM_PAGE_ALLOC:
		if (a[0] != ~0ULL)
			page_alloc(p, a[0], a[1]);
		if (p->emit && p->allocs)
			alloc_instant(p, ev);
		break;
	case GOTRACE_EV_MM_PAGE_FREE:
		page_free(p, a[0], a[1]);
		break;
	case GOTRACE_EV_MM_PAGE_FREE_BATCHED:
		page_free(p, a[0], 0);
		break;
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN:
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END:
	case GOTRACE_EV_MM_COMPACTION_BEGIN:
	case GOTRACE_EV_MM_COMPACTION_END: {
		int compact = ev->type == GOTRACE_EV_MM_COMPACTION_BEGIN ||
			      ev->type == GOTRACE_EV_MM_COMPACTION_END;
		int begin = ev->type == GOTRACE_EV_MM_COMPACTION_BEGIN ||
			    ev->type == GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN;
		int *flag;

		t = task_get(p, (uint32_t)a[ev->nargs - 1]);
		if (!t)
			break;
		flag = compact ? &t->compact : &t->reclaim;
		if (begin == *flag)
			break;	/* unmatched (lost events or trace start) */
		*flag = begin;
		if (p->emit)
			stall(p, t, compact, begin, ev->ts);
		break;
	}
	case GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE:
	case GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP:
		if (p->emit) {
			head(p, "i", ev->ts, MEM_PID, MEM_TID);
			jw_kv_str(&p->w, "s", "p");
			jw_kv_str(&p->w, "name", gt_event_name(ev->type));
			args_begin(p);
			jw_kv_u64(&p->w, "nid", a[0]);
			args_end(p);
		}
		break;
	case GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG:
		t = task_get(p, (uint32_t)a[5]);
		if (t && p->emit) {
			task_instant(p, t, ev->ts, "page_alloc_extfrag");
			args_begin(p);
			jw_kv_s64(&p->w, "alloc_order", (int32_t)a[1]);
			jw_kv_s64(&p->w, "fallback_order", (int32_t)a[2]);
			args_end(p);
		}
		break;
	default:
		break;
	}
}

int convert_perfetto(struct gt_reader *r, FILE *out,
		     const struct convert_opts *o, struct convert_stats *st)
{
	const struct gotrace_header *h = gt_header(r);
	const struct gt_summary *sum;
	struct gt_event ev;
	struct gt_filter sel;
	struct pf p;
	uint32_t c;
	int ret;

	memset(&p, 0, sizeof(p));
	jw_init(&p.w, out, false);
	p.r = r;
	p.o = o;
	p.st = st;
	p.base = h->start_ns;
	p.from = p.base + o->filter.from_ns;
	p.to = o->filter.to_ns == ~0ULL ? ~0ULL : p.base + o->filter.to_ns;
	sel = o->filter;
	sel.threads = NULL;
	p.nr_cpus = h->nr_cpus ? h->nr_cpus : 1;
	p.ivl_start = p.base;
	p.allocs = o->allocs < 0 ?
		!!((h->start_flags & GOTRACE_START_STACKS) ||
		   (h->stack_events & (1ULL << GOTRACE_EV_MM_PAGE_ALLOC))) :
		o->allocs;
	p.cpus = calloc(p.nr_cpus, sizeof(*p.cpus));
	if (!p.cpus)
		return -ENOMEM;
	cv_map_init(&p.tasks);
	cv_map_init(&p.procs);
	cv_map_init(&p.stacks);
	p.nr_losses = gt_losses(r, &p.losses);
	if (p.nr_losses < 0) {
		free(p.cpus);
		return (int)p.nr_losses;
	}

	jw_obj_begin(&p.w);
	jw_kv_str(&p.w, "displayTimeUnit", "ns");
	jw_key(&p.w, "otherData");
	jw_obj_begin(&p.w);
	jw_kv_str(&p.w, "source", "gotrace");
	jw_key(&p.w, "kernel");
	jw_strn(&p.w, h->release, sizeof(h->release));
	jw_kv_u64(&p.w, "start_realtime_ns", h->start_realtime_ns);
	jw_obj_end(&p.w);
	jw_key(&p.w, "traceEvents");
	jw_arr_begin(&p.w);
	meta(&p, "process_name", CPUS_PID, CPUS_PID, "CPUs");
	meta_sort(&p, "process_sort_index", CPUS_PID, CPUS_PID, -2);
	for (c = 0; c < p.nr_cpus; c++) {
		char name[32];

		snprintf(name, sizeof(name), "CPU %u", c);
		meta(&p, "thread_name", CPUS_PID, CPUS_PID + c, name);
		meta_sort(&p, "thread_sort_index", CPUS_PID, CPUS_PID + c, c);
	}
	meta(&p, "process_name", MEM_PID, MEM_TID, "Memory");
	meta_sort(&p, "process_sort_index", MEM_PID, MEM_TID, -1);
	meta(&p, "thread_name", MEM_PID, MEM_TID, "page allocator");

	if (p.from <= p.base)
		window_open(&p);
	while (!p.err && (ret = gt_next(r, &ev)) > 0) {
		if (GOTRACE_EV_IS_META(ev.type))
			continue;
		st->events_in++;
		if (ev.ts >= p.to) {
			losses_advance(&p, p.to);
			window_close(&p, p.to);
			break;
		}
		if (!p.emit && !p.done && ev.ts >= p.from)
			window_open(&p);
		if (ev.cpu >= p.nr_cpus)
			continue;
		ret = gt_filter_select(&sel, r, &ev);
		if (ret < 0)
			break;
		if (!ret)
			continue;
		counters_advance(&p, ev.ts);
		losses_advance(&p, ev.ts);
		p.last_ts = ev.ts;
		on_event(&p, &ev);
	}
	if (p.err)
		ret = p.err;
	if (ret >= 0) {
		uint64_t end = p.last_ts;

		if (!p.done && !p.emit && p.from > p.last_ts)
			end = p.from;
		if (!p.done) {
			if (!p.emit)
				window_open(&p);
			losses_advance(&p, end);
			window_close(&p, end > p.from ? end : p.from);
		}
		sum = gt_summary(r);
		if (sum->lost > p.lost && o->filter.to_ns == ~0ULL) {
			/* lost where no batch says (CPU_END/END totals) */
			lost_counter(&p, p.to, sum->lost);
		}
		ret = 0;
	}
	putc('\n', out);
	jw_arr_end(&p.w);
	jw_obj_end(&p.w);
	putc('\n', out);
	cv_map_free(&p.tasks, 1);
	cv_map_free(&p.procs, 0);
	cv_map_free(&p.stacks, 1);
	gt_page_map_free(&p.pages);
	free(p.cpus);
	gt_filter_release(&sel);
	return ret;
}
