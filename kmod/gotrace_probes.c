// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: the tracepoint probes and their registration.
 *
 * Tracepoints are not exported to modules; like lttng-modules we find them
 * by name with for_each_kernel_tracepoint() and attach with
 * tracepoint_probe_register().  The trace is the probes' data argument, so
 * it is freed only after tracepoint_synchronize_unregister().
 */
#include <linux/module.h>
#include <linux/tracepoint.h>
#include <linux/sched.h>
#include <linux/mm.h>
#include <linux/binfmts.h>
#include <linux/string.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/cred.h>
#include <linux/uidgid.h>
#include <linux/rcupdate.h>
#include "gotrace_write.h"
#include "gotrace_compat.h"

/*
 * The kernel's own declarations of the tracepoints, for the type checks
 * of gotrace_compat.h (nothing here is defined: no CREATE_TRACE_POINTS).
 * Types that only mm/ defines appear in them as pointers.
 */
struct compact_control;
struct mem_cgroup;
#include <trace/events/sched.h>
#include <trace/events/kmem.h>
#include <trace/events/vmscan.h>
#include <trace/events/compaction.h>
#include <trace/events/cgroup.h>
#include <trace/events/oom.h>

static_assert(GOTRACE_STATE_PREEMPTED == TASK_REPORT_MAX);

/* A COMM record for task at p: see gt_put_comm(). */
noinline u8 *gt_put_comm_at(u8 *p, u8 ctx, u64 ts_delta,
			    struct task_struct *task)
{
	char comm[GOTRACE_COMM_LEN];
	size_t len;

	/* comm can change under us (prctl); copy once, then measure. */
	memcpy(comm, task->comm, sizeof(comm));
	comm[sizeof(comm) - 1] = '\0';
	len = strnlen(comm, sizeof(comm));
	*p++ = GOTRACE_EV_COMM | (ctx << GOTRACE_EV_CTX_SHIFT);
	p = gt_put_u64(p, ts_delta);
	p = gt_put_u64(p, task->pid);
	p = gt_put_u64(p, len);
	memcpy(p, comm, len);
	return p + len;
}

/* ftrace's prev_state: a one-bit task state, or "preempted". */
static __always_inline u32 gt_switch_state(bool preempt, unsigned int state,
					   struct task_struct *prev)
{
	unsigned int idx;

	if (preempt)
		return TASK_REPORT_MAX;
	idx = __task_state_index(state, prev->exit_state);
	return idx ? 1U << (idx - 1) : 0;
}

static void gt_probe_sched_switch(void *data, bool preempt,
				  struct task_struct *prev,
				  struct task_struct *next,
				  unsigned int prev_state)
{
	struct gt_trace *t = data;
	struct gt_writer w __uninitialized;
	bool cprev, cnext, gprev, gnext;
	u32 state;

	if (!gt_write_begin(t, &w))
		return;
	if (!gt_follows(t, prev) && !gt_follows(t, next)) {
		gt_write_filtered(&w);
		return;
	}
	cprev = gt_comm_claim(t, prev->pid);
	cnext = gt_comm_claim(t, next->pid);
	gprev = gt_cgroup_claim(t, prev->pid);
	gnext = gt_cgroup_claim(t, next->pid);
	if (!gt_reserve(&w, 2 * (GT_COMM_MAX + GT_TASK_CGROUP_MAX) +
			GT_EV_MAX(5))) {
		if (cprev)
			gt_comm_unclaim(t, prev->pid);
		if (cnext)
			gt_comm_unclaim(t, next->pid);
		if (gprev)
			gt_cgroup_unclaim(t, prev->pid);
		if (gnext)
			gt_cgroup_unclaim(t, next->pid);
		gt_write_drop(&w);
		gt_trig_check_lost(&w, GOTRACE_EV_SCHED_SWITCH, next->pid,
				   preempt || !prev_state ? prev->pid : 0);
		return;
	}
	if (cprev)
		gt_put_comm(&w, prev);
	if (cnext)
		gt_put_comm(&w, next);
	if (gprev)
		gt_put_task_cgroup(&w, prev);
	if (gnext)
		gt_put_task_cgroup(&w, next);
	state = gt_switch_state(preempt, prev_state, prev);
	gt_put_type(&w, GOTRACE_EV_SCHED_SWITCH);
	gt_put_prev_pid(&w, prev->pid, next->pid);
	gt_put(&w, (u32)prev->prio);
	gt_put(&w, state);
	gt_put(&w, next->pid);
	gt_put(&w, (u32)next->prio);
	/* Where prev blocked: the stack of a task going to sleep. */
	gt_put_stack(&w, GOTRACE_EV_SCHED_SWITCH, state && !preempt);
	/* prev stays runnable: a wakeup noted while it ran is void. */
	gt_trig_check(&w, GOTRACE_EV_SCHED_SWITCH, next->pid,
		      state && !preempt ? 0 : prev->pid);
	gt_write_commit(&w);
}

/*
 * Starts an event about task p (and filtered on p): names p first if the
 * trace has not yet, or always with force_comm, and gives its cgroup if
 * the trace has not since it last moved.  1: write the event; 0: left out
 * (filters, NMI); -1: dropped for want of a buffer, counted lost.
 */
static __always_inline int gt_begin_task_r(struct gt_trace *t,
					   struct gt_writer *w,
					   struct task_struct *p,
					   unsigned int type, unsigned int need,
					   bool force_comm)
{
	bool comm, cgroup;

	if (!gt_write_begin(t, w))
		return 0;
	if (!gt_follows(t, p)) {
		gt_write_filtered(w);
		return 0;
	}
	comm = gt_comm_claim(t, p->pid);
	if (force_comm && !comm) {
		comm = p->pid > 0;
		if (comm && p->pid < PID_MAX_LIMIT)
			set_bit(p->pid, t->comm_seen);
	}
	cgroup = gt_cgroup_claim(t, p->pid);
	if (!gt_reserve(w, GT_COMM_MAX + GT_TASK_CGROUP_MAX + need)) {
		if (comm)
			gt_comm_unclaim(t, p->pid);
		if (cgroup)
			gt_cgroup_unclaim(t, p->pid);
		gt_write_drop(w);
		return -1;
	}
	if (comm)
		gt_put_comm(w, p);
	if (cgroup)
		gt_put_task_cgroup(w, p);
	gt_put_type(w, type);
	return 1;
}

static __always_inline bool gt_begin_task(struct gt_trace *t,
					  struct gt_writer *w,
					  struct task_struct *p,
					  unsigned int type, unsigned int need,
					  bool force_comm)
{
	return gt_begin_task_r(t, w, p, type, need, force_comm) > 0;
}

static __always_inline void gt_commit_stack(struct gt_writer *w,
					    unsigned int type)
{
	gt_put_stack(w, type, true);
	gt_write_commit(w);
}

static void gt_wakeup(struct gt_trace *t, struct task_struct *p,
		      unsigned int type)
{
	struct gt_writer w __uninitialized;
	int r = gt_begin_task_r(t, &w, p, type, GT_EV_MAX(3), false);

	if (r <= 0) {
		if (r < 0)
			gt_trig_check_lost(&w, type, p->pid, 0);
		return;
	}
	gt_put(&w, p->pid);
	gt_put(&w, (u32)p->prio);
	gt_put(&w, task_cpu(p));
	/* sched_waking begins a wakeup trigger's measurement. */
	gt_trig_check(&w, type, p->pid, 0);
	gt_commit_stack(&w, type);
}

static void gt_probe_sched_wakeup(void *data, struct task_struct *p)
{
	gt_wakeup(data, p, GOTRACE_EV_SCHED_WAKEUP);
}

static void gt_probe_sched_wakeup_new(void *data, struct task_struct *p)
{
	gt_wakeup(data, p, GOTRACE_EV_SCHED_WAKEUP_NEW);
}

static void gt_probe_sched_waking(void *data, struct task_struct *p)
{
	gt_wakeup(data, p, GOTRACE_EV_SCHED_WAKING);
}

/*
 * The filter follows a followed task's children (and new threads).  Every
 * other new task is unfollowed: its pid may be that of a followed task
 * that exited.  (Threads created without a fork event, io_uring's workers,
 * are followed through their process: gt_follows().)
 */
static __always_inline void gt_follow_fork(struct gt_trace *t,
					   struct task_struct *parent,
					   struct task_struct *child)
{
	u32 ff = t->params.filter_flags;

	if (!t->follow || child->pid <= 0 || child->pid >= PID_MAX_LIMIT)
		return;
	if (gt_follows(t, parent) &&
	    ((ff & GOTRACE_FILTER_CHILDREN) ||
	     ((ff & GOTRACE_FILTER_TGID) && child->tgid == parent->tgid)))
		set_bit(child->pid, t->follow);
	else
		clear_bit(child->pid, t->follow);
}

static void gt_probe_sched_process_fork(void *data, struct task_struct *parent,
					struct task_struct *child)
{
	struct gt_trace *t = data;
	struct gt_writer w __uninitialized;
	bool cparent;

	/* On every CPU, also those the CPU filter leaves out. */
	gt_follow_fork(t, parent, child);
	/*
	 * A new task (its pid maybe that of a task that exited): its first
	 * event gives its cgroup (CLONE_INTO_CGROUP: not its parent's).
	 */
	if (t->cgroup_seen && child->pid > 0 && child->pid < PID_MAX_LIMIT)
		clear_bit(child->pid, t->cgroup_seen);
	/* Attached for the pid filter or cgroups only (gt_probes_register()). */
	if (!(t->params.groups & GOTRACE_GROUP_SCHED))
		return;
	if (!gt_write_begin(t, &w))
		return;
	if (!gt_follows(t, parent) && !gt_follows(t, child)) {
		gt_write_filtered(&w);
		return;
	}
	/* A new pid (maybe reused): always name the child. */
	cparent = gt_comm_claim(t, parent->pid);
	if (!gt_reserve(&w, 2 * GT_COMM_MAX + GT_EV_MAX(3))) {
		if (cparent)
			gt_comm_unclaim(t, parent->pid);
		gt_write_drop(&w);
		return;
	}
	if (child->pid > 0 && child->pid < PID_MAX_LIMIT)
		set_bit(child->pid, t->comm_seen);
	if (cparent)
		gt_put_comm(&w, parent);
	gt_put_comm(&w, child);
	gt_put_type(&w, GOTRACE_EV_SCHED_PROCESS_FORK);
	gt_put(&w, parent->pid);
	gt_put(&w, child->pid);
	gt_put(&w, child->tgid);
	gt_commit_stack(&w, GOTRACE_EV_SCHED_PROCESS_FORK);
}

static void gt_process_exit(void *data, struct task_struct *p,
			    enum gotrace_group_dead group_dead)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_task(data, &w, p, GOTRACE_EV_SCHED_PROCESS_EXIT,
			   GT_EV_MAX(3), false))
		return;
	gt_put(&w, p->pid);
	gt_put(&w, (u32)p->prio);
	gt_put(&w, group_dead);
	gt_commit_stack(&w, GOTRACE_EV_SCHED_PROCESS_EXIT);
}

/*
 * Up to 6.15: no group_dead.  p->signal->live is already decremented here,
 * but another thread of the group can decrement it to 0 between this
 * thread's decrement and its tracepoint, so reading it would be a guess.
 */
static void gt_probe_sched_process_exit_p(void *data, struct task_struct *p)
{
	gt_process_exit(data, p, GOTRACE_GROUP_DEAD_UNKNOWN);
}

/* 6.16 on. */
static void gt_probe_sched_process_exit_p_gd(void *data, struct task_struct *p,
					     bool group_dead)
{
	gt_process_exit(data, p, group_dead ? GOTRACE_GROUP_DEAD_TRUE :
				 GOTRACE_GROUP_DEAD_FALSE);
}

#define gt_probe_sched_process_exit					\
	GT_PICK_PROBE(sched_process_exit, gt_probe_sched_process_exit_p_gd, \
		      gt_probe_sched_process_exit_p)

static void gt_probe_sched_process_exec(void *data, struct task_struct *p,
					pid_t old_pid,
					struct linux_binprm *bprm)
{
	size_t len = strnlen(bprm->filename, GOTRACE_FILENAME_MAX);
	struct gt_writer w __uninitialized;

	/* exec renamed the task: name it again, before the event. */
	if (!gt_begin_task(data, &w, p, GOTRACE_EV_SCHED_PROCESS_EXEC,
			   GT_EV_MAX(3) + GOTRACE_FILENAME_MAX, true))
		return;
	gt_put(&w, p->pid);
	gt_put(&w, old_pid);
	gt_put_bytes(&w, bprm->filename, len);
	gt_commit_stack(&w, GOTRACE_EV_SCHED_PROCESS_EXEC);
}

static void gt_probe_sched_migrate_task(void *data, struct task_struct *p,
					int dest_cpu)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_task(data, &w, p, GOTRACE_EV_SCHED_MIGRATE_TASK,
			   GT_EV_MAX(4), false))
		return;
	gt_put(&w, p->pid);
	gt_put(&w, (u32)p->prio);
	gt_put(&w, task_cpu(p));
	gt_put(&w, (u32)dest_cpu);
	gt_commit_stack(&w, GOTRACE_EV_SCHED_MIGRATE_TASK);
}

/* Memory events name the current task (ftrace's common_pid). */
static __always_inline bool gt_begin_mm(struct gt_trace *t,
					struct gt_writer *w,
					unsigned int type, unsigned int nargs)
{
	return gt_begin_task(t, w, current, type,
			     GT_EV_MAX(nargs), false);
}

/*
 * The same for an event a trigger may look at (trig; arg: see
 * gt_trig_event()): if it is dropped, the trigger still sees it.
 */
static __always_inline bool gt_begin_mm_trig(struct gt_trace *t,
					     struct gt_writer *w,
					     unsigned int type,
					     unsigned int nargs, bool trig,
					     u64 arg)
{
	int r = gt_begin_task_r(t, w, current, type, GT_EV_MAX(nargs), false);

	if (r < 0 && trig)
		gt_trig_check_lost(w, type, current->pid, arg);
	return r > 0;
}

/* An mm event a trigger may look at: hand it over, then commit. */
static __always_inline void gt_commit_stack_trig(struct gt_writer *w,
						 unsigned int type, u64 arg)
{
	gt_trig_check(w, type, current->pid, arg);
	gt_commit_stack(w, type);
}

static __always_inline u64 gt_pfn(struct page *page)
{
	return page ? page_to_pfn(page) : ~0ULL;
}

static void gt_probe_mm_page_alloc(void *data, struct page *page,
				   unsigned int order, gfp_t gfp_flags,
				   int migratetype)
{
	struct gt_writer w __uninitialized;

	/* A failed allocation (no page) is what alloc-fail triggers see. */
	if (!gt_begin_mm_trig(data, &w, GOTRACE_EV_MM_PAGE_ALLOC, 5, !page,
			      order))
		return;
	gt_put_pfn(&w, gt_pfn(page));
	gt_put(&w, order);
	gt_put(&w, (__force u32)gfp_flags);
	gt_put(&w, (u32)migratetype);
	gt_put(&w, current->pid);
	if (!page)
		gt_trig_check(&w, GOTRACE_EV_MM_PAGE_ALLOC, current->pid,
			      order);
	gt_commit_stack(&w, GOTRACE_EV_MM_PAGE_ALLOC);
}

static void gt_probe_mm_page_free(void *data, struct page *page,
				  unsigned int order)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm(data, &w, GOTRACE_EV_MM_PAGE_FREE, 3))
		return;
	gt_put_pfn(&w, gt_pfn(page));
	gt_put(&w, order);
	gt_put(&w, current->pid);
	gt_commit_stack(&w, GOTRACE_EV_MM_PAGE_FREE);
}

static void gt_probe_mm_page_free_batched(void *data, struct page *page)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm(data, &w, GOTRACE_EV_MM_PAGE_FREE_BATCHED, 2))
		return;
	gt_put_pfn(&w, gt_pfn(page));
	gt_put(&w, current->pid);
	gt_commit_stack(&w, GOTRACE_EV_MM_PAGE_FREE_BATCHED);
}

static void gt_probe_mm_page_pcpu_drain(void *data, struct page *page,
					unsigned int order, int migratetype)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm(data, &w, GOTRACE_EV_MM_PAGE_PCPU_DRAIN, 4))
		return;
	gt_put_pfn(&w, gt_pfn(page));
	gt_put(&w, order);
	gt_put(&w, (u32)migratetype);
	gt_put(&w, current->pid);
	gt_commit_stack(&w, GOTRACE_EV_MM_PAGE_PCPU_DRAIN);
}

static void gt_probe_mm_page_alloc_extfrag(void *data, struct page *page,
					   int alloc_order, int fallback_order,
					   int alloc_migratetype,
					   int fallback_migratetype)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm(data, &w, GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG, 6))
		return;
	gt_put_pfn(&w, gt_pfn(page));
	gt_put(&w, (u32)alloc_order);
	gt_put(&w, (u32)fallback_order);
	gt_put(&w, (u32)alloc_migratetype);
	gt_put(&w, (u32)fallback_migratetype);
	gt_put(&w, current->pid);
	gt_commit_stack(&w, GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG);
}

static void gt_direct_reclaim_begin(void *data, int order, gfp_t gfp_flags)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm_trig(data, &w,
			      GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 3,
			      true, 0))
		return;
	gt_put(&w, (u32)order);
	gt_put(&w, (__force u32)gfp_flags);
	gt_put(&w, current->pid);
	gt_commit_stack_trig(&w, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0);
}

/* Up to 7.0. */
static void gt_probe_direct_reclaim_begin_order_gfp(void *data, int order,
						    gfp_t gfp_flags)
{
	gt_direct_reclaim_begin(data, order, gfp_flags);
}

/* 7.1 on. */
static void gt_probe_direct_reclaim_begin_gfp_order_memcg(void *data,
							  gfp_t gfp_flags,
							  int order,
							  struct mem_cgroup *memcg)
{
	gt_direct_reclaim_begin(data, order, gfp_flags);
}

#define gt_probe_mm_vmscan_direct_reclaim_begin				\
	GT_PICK_PROBE(mm_vmscan_direct_reclaim_begin,			\
		      gt_probe_direct_reclaim_begin_gfp_order_memcg,	\
		      gt_probe_direct_reclaim_begin_order_gfp)

static void gt_direct_reclaim_end(void *data, unsigned long nr_reclaimed)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm_trig(data, &w, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END,
			      2, true, 0))
		return;
	gt_put(&w, nr_reclaimed);
	gt_put(&w, current->pid);
	gt_commit_stack_trig(&w, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 0);
}

/* Up to 7.0. */
static void gt_probe_direct_reclaim_end_nr(void *data,
					   unsigned long nr_reclaimed)
{
	gt_direct_reclaim_end(data, nr_reclaimed);
}

/* 7.1 on. */
static void gt_probe_direct_reclaim_end_nr_memcg(void *data,
						 unsigned long nr_reclaimed,
						 struct mem_cgroup *memcg)
{
	gt_direct_reclaim_end(data, nr_reclaimed);
}

#define gt_probe_mm_vmscan_direct_reclaim_end				\
	GT_PICK_PROBE(mm_vmscan_direct_reclaim_end,			\
		      gt_probe_direct_reclaim_end_nr_memcg,		\
		      gt_probe_direct_reclaim_end_nr)

static void gt_probe_mm_vmscan_kswapd_wake(void *data, int nid, int zid,
					   int order)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm(data, &w, GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE, 3))
		return;
	gt_put(&w, (u32)nid);
	gt_put(&w, (u32)zid);
	gt_put(&w, (u32)order);
	gt_commit_stack(&w, GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE);
}

static void gt_probe_mm_vmscan_kswapd_sleep(void *data, int nid)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm(data, &w, GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP, 1))
		return;
	gt_put(&w, (u32)nid);
	gt_commit_stack(&w, GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP);
}

/* struct compact_control is private to mm/: only the plain arguments. */
static void gt_probe_mm_compaction_begin(void *data,
					 struct compact_control *cc,
					 unsigned long zone_start,
					 unsigned long zone_end, bool sync)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm_trig(data, &w, GOTRACE_EV_MM_COMPACTION_BEGIN, 4, true,
			      0))
		return;
	gt_put(&w, zone_start);
	gt_put(&w, zone_end);
	gt_put(&w, sync);
	gt_put(&w, current->pid);
	gt_commit_stack_trig(&w, GOTRACE_EV_MM_COMPACTION_BEGIN, 0);
}

static void gt_probe_mm_compaction_end(void *data,
				       struct compact_control *cc,
				       unsigned long zone_start,
				       unsigned long zone_end, bool sync,
				       int status)
{
	struct gt_writer w __uninitialized;

	if (!gt_begin_mm_trig(data, &w, GOTRACE_EV_MM_COMPACTION_END, 5, true,
			      0))
		return;
	gt_put(&w, zone_start);
	gt_put(&w, zone_end);
	gt_put(&w, sync);
	gt_put(&w, (u32)status);
	gt_put(&w, current->pid);
	gt_commit_stack_trig(&w, GOTRACE_EV_MM_COMPACTION_END, 0);
}

/*
 * A task moved to dst_cgrp (with its threads: threadgroup), in process
 * context under cgroup_mutex.  path is the kernel's, from the root of the
 * hierarchy: the CGROUP record gives dst's path from the tracer's cgroup
 * namespace instead (gotrace_cgroup.c).  cgroup v1 hierarchies are not
 * traced.
 */
static void gt_probe_cgroup_attach_task(void *data, struct cgroup *dst_cgrp,
					const char *path,
					struct task_struct *task,
					bool threadgroup)
{
	struct gt_trace *t = data;
	struct gt_writer w __uninitialized;
	u64 id = gt_cgroup_attach(t, dst_cgrp, task, threadgroup);

	if (!id)
		return;
	if (!gt_begin_task(t, &w, task, GOTRACE_EV_CGROUP_ATTACH_TASK,
			   GT_EV_MAX(4), false))
		return;
	gt_put(&w, id);
	gt_put(&w, (u32)dst_cgrp->level);
	gt_put(&w, task->pid);
	gt_put(&w, threadgroup);
	gt_commit_stack(&w, GOTRACE_EV_CGROUP_ATTACH_TASK);
}

/* Pages to kB, as the kernel's mark_victim tracepoint reports them. */
static __always_inline u64 gt_kb(unsigned long pages)
{
	return (u64)pages << (PAGE_SHIFT - 10);
}

/*
 * An OOM kill: task is the victim, marked with task_lock(task) held, so
 * its mm stays (the kernel's own tracepoint reads it the same way).  The
 * fields are tracefs's, in kB; the stack is that of the task whose
 * allocation invoked the OOM killer.
 */
static void gt_mark_victim(struct gt_trace *t, struct task_struct *task,
			   uid_t uid)
{
	struct gt_writer w __uninitialized;
	struct mm_struct *mm = task->mm;
	int r = gt_begin_task_r(t, &w, task, GOTRACE_EV_MARK_VICTIM,
				GT_EV_MAX(8), false);

	if (r <= 0) {
		if (r < 0)
			gt_trig_check_lost(&w, GOTRACE_EV_MARK_VICTIM,
					   task->pid, 0);
		return;
	}
	gt_put(&w, task->pid);
	gt_put(&w, mm ? gt_kb(mm->total_vm) : 0);
	gt_put(&w, mm ? gt_kb(get_mm_counter(mm, MM_ANONPAGES)) : 0);
	gt_put(&w, mm ? gt_kb(get_mm_counter(mm, MM_FILEPAGES)) : 0);
	gt_put(&w, mm ? gt_kb(get_mm_counter(mm, MM_SHMEMPAGES)) : 0);
	gt_put(&w, uid);
	gt_put(&w, mm ? mm_pgtables_bytes(mm) >> 10 : 0);
	gt_put(&w, (u32)(s32)task->signal->oom_score_adj);
	gt_trig_check(&w, GOTRACE_EV_MARK_VICTIM, task->pid, 0);
	gt_commit_stack(&w, GOTRACE_EV_MARK_VICTIM);
}

/* 6.9 on, and 6.1.130 on (gotrace_compat.h). */
static void gt_probe_mark_victim_task_uid(void *data, struct task_struct *task,
					  uid_t uid)
{
	gt_mark_victim(data, task, uid);
}

/*
 * Before: only the victim's pid, in the initial namespace; the victim is
 * found by it (under task_lock(), it has not exited) to give the same
 * fields.
 */
static void gt_probe_mark_victim_pid(void *data, int pid)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(find_pid_ns(pid, &init_pid_ns), PIDTYPE_PID);
	if (task)
		gt_mark_victim(data, task,
			       from_kuid(&init_user_ns, task_uid(task)));
	rcu_read_unlock();
}

#define gt_probe_mark_victim						\
	GT_PICK_PROBE(mark_victim, gt_probe_mark_victim_task_uid,	\
		      gt_probe_mark_victim_pid)

/* One event through the sched_switch probe, for GOTRACE_IOC_BENCH. */
void gt_bench_event(struct gt_trace *t)
{
	/* A "blocking" switch so that --stacks captures a stack. */
	gt_probe_sched_switch(t, false, current, current, TASK_INTERRUPTIBLE);
}

struct gt_tracepoint {
	const char *name;
	void *probe;
	u64 group;
	struct tracepoint *tp;
};

/*
 * gt_probe_<tp>, checked against the kernel's declaration of tp (see
 * gotrace_compat.h): a prototype that changed fails the build here.
 */
#define GT_CHECKED_PROBE(tp)						\
	__builtin_choose_expr(sizeof(struct {				\
		static_assert(GT_PROBE_MATCHES(tp, gt_probe_##tp),	\
			      "gt_probe_" #tp " does not match the kernel's " #tp); \
		int checked;						\
	}), gt_probe_##tp, NULL)

/* One entry per row of the uapi schema (GOTRACE_EVENTS). */
#define GT_TP(N, n, type, sys, grp, args)				\
	[GOTRACE_TP_##N] = { .name = #n, .probe = GT_CHECKED_PROBE(n),	\
			     .group = GOTRACE_GROUP_##grp },

static struct gt_tracepoint gt_tracepoints[GOTRACE_TP_COUNT] = {
	GOTRACE_EVENTS(GT_TP, GOTRACE_ARG_IGNORE_)
};

static void gt_find_tracepoint(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < GOTRACE_TP_COUNT; i++)
		if (!strcmp(tp->name, gt_tracepoints[i].name))
			gt_tracepoints[i].tp = tp;
}

/* The kernel's tracepoint id (GOTRACE_TP_*), NULL if it has none. */
struct tracepoint *gt_probes_tp(unsigned int id)
{
	return gt_tracepoints[id].tp;
}

/* Core kernel tracepoints never go away: look them up once at load. */
int gt_probes_init(void)
{
	unsigned int i;

	for_each_kernel_tracepoint(gt_find_tracepoint, NULL);
	for (i = 0; i < GOTRACE_TP_COUNT; i++)
		if (!gt_tracepoints[i].tp)
			pr_info("tracepoint %s not found; its events will be missing\n",
				gt_tracepoints[i].name);
	return 0;
}

/*
 * Sets t->missing and t->attached; on error nothing stays registered.  A
 * pid filter also needs sched_process_fork (to follow new tasks), and so
 * do cgroups (a new task's cgroup), which then writes no event unless the
 * sched group is traced.
 */
int gt_probes_register(struct gt_trace *t)
{
	unsigned int i;
	int err;

	for (i = 0; i < GOTRACE_TP_COUNT; i++) {
		struct gt_tracepoint *g = &gt_tracepoints[i];
		bool traced = t->params.groups & g->group;
		bool fork = i == GOTRACE_TP_SCHED_PROCESS_FORK &&
			    (t->follow || t->cgroup_seen);

		if (!traced && !fork)
			continue;
		if (!g->tp) {
			if (traced)
				t->missing |= 1ULL << i;
			continue;
		}
		err = tracepoint_probe_register(g->tp, g->probe, t);
		if (err) {
			pr_warn("cannot attach to %s: %d\n", g->name, err);
			gt_probes_unregister(t);
			return err;
		}
		t->registered |= 1ULL << i;
		if (traced)
			t->attached |= 1ULL << i;
	}
	return 0;
}

/* Returns once no probe can be running with t.  Called once per trace. */
void gt_probes_unregister(struct gt_trace *t)
{
	unsigned int i;

	for (i = 0; i < GOTRACE_TP_COUNT; i++)
		if (t->registered & (1ULL << i))
			tracepoint_probe_unregister(gt_tracepoints[i].tp,
						    gt_tracepoints[i].probe, t);
	tracepoint_synchronize_unregister();
}
