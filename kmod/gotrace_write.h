/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gotrace: the per-CPU write path used by the probes.
 *
 * A probe runs in any context, possibly with a runqueue or zone lock held.
 * The write path therefore never sleeps, allocates, takes a lock or wakes
 * a task: it disables interrupts on its CPU for the few dozen instructions
 * of an event, so an interrupt's probe runs entirely before or after it,
 * takes a free buffer from an llist only this CPU removes from, and hands a
 * full buffer to the reader through an llist and an irq_work.  NMI context
 * is refused (none of the attached tracepoints fires there) and counted.
 */
#ifndef _GOTRACE_WRITE_H
#define _GOTRACE_WRITE_H

#include <linux/irqflags.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/timekeeping.h>
#include <linux/bitops.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/threads.h>
#include "gotrace.h"

/* Worst case bytes of an event: type, ts delta, n varints, stack id. */
#define GT_EV_MAX(nargs)	(1 + 10 + 10 * (nargs) + 5)

/* Events that may carry a stack id (not GOTRACE_EV_IS_META). */
#define GT_STACK_EVENTS \
	(GENMASK_ULL(GOTRACE_EV_COUNT - 1, 0) & \
	 ~(BIT_ULL(GOTRACE_EV_NONE) | BIT_ULL(GOTRACE_EV_COMM) | \
	   BIT_ULL(GOTRACE_EV_TASK_CGROUP)))
#define GT_COMM_MAX		(GT_EV_MAX(2) + GOTRACE_COMM_LEN)
#define GT_TASK_CGROUP_MAX	GT_EV_MAX(2)

/*
 * A probe's writer state.  Probes declare it __uninitialized: every field
 * is set before it is read (gt_write_begin(), gt_reserve()), and with
 * CONFIG_INIT_STACK_ALL_ZERO (Debian's) the compiler would otherwise clear
 * it on every event.
 */
#ifndef __uninitialized
#define __uninitialized
#endif

struct gt_writer {
	struct gt_trace *t;
	struct gt_cpu *c;
	struct gt_buf *b;
	unsigned long irqflags;
	u64 ts;
	u8 ctx;
	u8 *p;
};

static __always_inline u8 *gt_put_u64(u8 *p, u64 v)
{
	while (v >= 0x80) {
		*p++ = (u8)v | 0x80;
		v >>= 7;
	}
	*p++ = (u8)v;
	return p;
}

static __always_inline u8 gt_ctx(void)
{
	if (in_hardirq())
		return GOTRACE_CTX_HARDIRQ;
	if (in_serving_softirq())
		return GOTRACE_CTX_SOFTIRQ;
	return GOTRACE_CTX_TASK;
}

/* Disables interrupts and takes the timestamp; false: write nothing. */
static __always_inline bool gt_write_begin(struct gt_trace *t,
					   struct gt_writer *w)
{
	if (unlikely(in_nmi())) {
		atomic64_inc(&t->nmi_lost);
		return false;
	}
	local_irq_save(w->irqflags);
	w->t = t;
	w->c = this_cpu_ptr(t->cpu);
	if (unlikely(t->cpus) &&
	    !cpumask_test_cpu(smp_processor_id(), t->cpus)) {
		local64_inc(&w->c->filtered);
		local_irq_restore(w->irqflags);
		return false;
	}
	w->ts = ktime_get_mono_fast_ns();
	/* The fast clock may step back across an update; keep order. */
	if (unlikely(w->ts < w->c->last_ts))
		w->ts = w->c->last_ts;
	w->ctx = gt_ctx();
	return true;
}

struct gt_buf *gt_reserve_slow(struct gt_trace *t, struct gt_cpu *c, u64 ts);

/*
 * Interrupts-off time of the write path, for tests (gotrace_stack.c);
 * a static key: off, it costs the write path one no-op.
 */
DECLARE_STATIC_KEY_FALSE(gt_irqsoff_measure);
void gt_irqsoff_note(u64 start);

static __always_inline void gt_irqsoff_end(struct gt_writer *w)
{
	if (static_branch_unlikely(&gt_irqsoff_measure))
		gt_irqsoff_note(w->ts);
}

/*
 * Makes room for need bytes in the current buffer; false: event dropped.
 * w's address is not passed out of line, here or anywhere on the write
 * path: the compiler then keeps the writer (w->p above all) in registers,
 * where it would otherwise store and reload it around every byte written.
 */
static __always_inline bool gt_reserve(struct gt_writer *w, unsigned int need)
{
	struct gt_buf *b = w->c->cur;

	if (unlikely(!b || b->len + need > w->t->batch_size)) {
		b = gt_reserve_slow(w->t, w->c, w->ts);
		if (!b)
			return false;
	}
	w->b = b;
	w->p = b->data + b->len;
	return true;
}

static __always_inline void gt_put_type(struct gt_writer *w, unsigned int type)
{
	*w->p++ = type | (w->ctx << GOTRACE_EV_CTX_SHIFT);
	w->p = gt_put_u64(w->p, w->ts - w->c->last_ts);
	w->c->last_ts = w->ts;
}

static __always_inline void gt_put(struct gt_writer *w, u64 v)
{
	w->p = gt_put_u64(w->p, v);
}

static __always_inline void gt_put_bytes(struct gt_writer *w, const char *s,
					 size_t len)
{
	w->p = gt_put_u64(w->p, len);
	memcpy(w->p, s, len);
	w->p += len;
}

/* pfn as a zigzag delta from the previous pfn of the batch. */
static __always_inline void gt_put_pfn(struct gt_writer *w, u64 pfn)
{
	s64 d = (s64)(pfn - w->c->last_pfn);

	w->c->last_pfn = pfn;
	w->p = gt_put_u64(w->p, ((u64)d << 1) ^ (u64)(d >> 63));
}

/*
 * sched_switch's prev_pid: on a CPU, the task a switch leaves is the one
 * the previous switch entered, so it is elided when it is the previous
 * written switch's next_pid (GOTRACE_PREV_PID_SAME); a batch start resets
 * last_next_pid, so that the first switch of a batch carries its pid.
 */
static __always_inline void gt_put_prev_pid(struct gt_writer *w, pid_t prev,
					    pid_t next)
{
	if (prev == w->c->last_next_pid)
		*w->p++ = GOTRACE_PREV_PID_SAME;
	else
		w->p = gt_put_u64(w->p, (u32)prev + 1);
	w->c->last_next_pid = next;
}

static __always_inline bool gt_follow_bit(struct gt_trace *t, pid_t pid)
{
	return pid >= 0 && pid < PID_MAX_LIMIT && test_bit(pid, t->follow);
}

/*
 * Task p passes the pid filter (or there is none): it is followed, or
 * (TGID or CHILDREN) its process is: threads that have no fork event,
 * io_uring's workers, are followed with their process.
 */
static __always_inline bool gt_follows(struct gt_trace *t,
				       struct task_struct *p)
{
	if (!t->follow || gt_follow_bit(t, p->pid))
		return true;
	return (t->params.filter_flags &
		(GOTRACE_FILTER_TGID | GOTRACE_FILTER_CHILDREN)) &&
	       gt_follow_bit(t, p->tgid);
}

/* The event is left out by the pid filter. */
static __always_inline void gt_write_filtered(struct gt_writer *w)
{
	local64_inc(&w->c->filtered);
	gt_irqsoff_end(w);
	local_irq_restore(w->irqflags);
}

/* The trailing stack id of events that carry one. */
static __always_inline void gt_put_stack(struct gt_writer *w,
					 unsigned int type, bool capture)
{
	if (likely(!(w->t->stack_events & BIT_ULL(type))))
		return;
	gt_put(w, capture ? gt_stack_id(w->t) : 0);
}

/* Ends an event written since gt_reserve(). */
static __always_inline void gt_write_commit(struct gt_writer *w)
{
	w->b->len = w->p - w->b->data;
	w->b->nr_events++;
	local64_inc(&w->c->events);
	gt_irqsoff_end(w);
	local_irq_restore(w->irqflags);
}

/* The event could not be written: count it and re-enable interrupts. */
static __always_inline void gt_write_drop(struct gt_writer *w)
{
	local64_inc(&w->c->lost);
	w->c->lost_pending++;
	gt_irqsoff_end(w);
	local_irq_restore(w->irqflags);
}

/*
 * Triggers (gotrace_trigger.c): a probe whose event a trigger may look at
 * hands it over before its commit, interrupts still off, with the event's
 * timestamp.  A trace without triggers has trigger_events 0: the cost is
 * one test of a field of the trace (beside stack_events, which
 * gt_put_stack() reads anyway) and a branch never taken.
 */
void gt_trig_event(struct gt_trace *t, unsigned int type, u64 ts, pid_t pid,
		   u64 arg, u32 flags);

static __always_inline void gt_trig_check(struct gt_writer *w,
					  unsigned int type, pid_t pid,
					  u64 arg)
{
	if (unlikely(w->t->trigger_events & BIT_ULL(type)))
		gt_trig_event(w->t, type, w->ts, pid, arg, 0);
}

/*
 * The same for an event dropped for want of a buffer (gt_write_drop()
 * re-enabled interrupts): its triggers still fire, GOTRACE_FIRED_LOST.
 */
void gt_trig_lost(struct gt_trace *t, unsigned int type, u64 ts, pid_t pid,
		  u64 arg);

static __always_inline void gt_trig_check_lost(struct gt_writer *w,
					       unsigned int type, pid_t pid,
					       u64 arg)
{
	if (unlikely(w->t->trigger_events & BIT_ULL(type)))
		gt_trig_lost(w->t, type, w->ts, pid, arg);
}

/*
 * Task names: the first event that mentions a pid writes a COMM record for
 * it just before itself.  claim decides (atomically across CPUs) who writes
 * it; a writer whose event is then dropped gives the claim back.
 */
static __always_inline bool gt_comm_claim(struct gt_trace *t, pid_t pid)
{
	if (unlikely(pid <= 0 || pid >= PID_MAX_LIMIT))
		return false;
	if (test_bit(pid, t->comm_seen))
		return false;
	return !test_and_set_bit(pid, t->comm_seen);
}

static __always_inline void gt_comm_unclaim(struct gt_trace *t, pid_t pid)
{
	clear_bit(pid, t->comm_seen);
}

u8 *gt_put_comm_at(u8 *p, u8 ctx, u64 ts_delta, struct task_struct *task);

/*
 * Out of line (gotrace_probes.c): a COMM is written once per pid, and its
 * copy of the name is a stack array, which would otherwise bring stack
 * zeroing and the stack protector into every probe for every event.
 */
static __always_inline void gt_put_comm(struct gt_writer *w,
					struct task_struct *task)
{
	w->p = gt_put_comm_at(w->p, w->ctx, w->ts - w->c->last_ts, task);
	w->c->last_ts = w->ts;
}

/*
 * Cgroups (GOTRACE_GROUP_CGROUP): the first event that mentions a task
 * whose cgroup the stream has not given writes a TASK_CGROUP event just
 * before itself, claimed like COMM (gotrace_cgroup.c clears the bit when
 * the task moves).  Without the group, cgroup_seen is NULL.
 */
static __always_inline bool gt_cgroup_claim(struct gt_trace *t, pid_t pid)
{
	if (likely(!t->cgroup_seen) ||
	    unlikely(pid <= 0 || pid >= PID_MAX_LIMIT))
		return false;
	if (test_bit(pid, t->cgroup_seen))
		return false;
	return !test_and_set_bit(pid, t->cgroup_seen);
}

static __always_inline void gt_cgroup_unclaim(struct gt_trace *t, pid_t pid)
{
	clear_bit(pid, t->cgroup_seen);
}

u8 *gt_put_task_cgroup_at(struct gt_trace *t, u8 *p, u8 ctx, u64 ts_delta,
			  struct task_struct *task);

/* Out of line (gotrace_cgroup.c): once per task and move. */
static __always_inline void gt_put_task_cgroup(struct gt_writer *w,
					       struct task_struct *task)
{
	w->p = gt_put_task_cgroup_at(w->t, w->p, w->ctx,
				     w->ts - w->c->last_ts, task);
	w->c->last_ts = w->ts;
}

#endif /* _GOTRACE_WRITE_H */
