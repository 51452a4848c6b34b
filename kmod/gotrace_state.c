// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: what the trace says before its first event: the header, the
 * traced kernel's gfp flag names, its nodes and zones, and the tasks
 * alive at start (like
 * LTTng's statedump and Go's initial goroutine states), plus the pid/tgid
 * filter's initial set of followed tasks.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/rcupdate.h>
#include <linux/utsname.h>
#include <linux/gfp.h>
#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>
#include "gotrace_write.h"

static const struct {
	unsigned long value;
	const char *name;
} gt_gfp_names[] = { __def_gfpflag_names };

/* Tasks appearing while we walk the list: room for this many more. */
#define GT_TASKS_SLACK	256

static u32 gt_count_threads(void)
{
	struct task_struct *g, *p;
	u32 n = 0;

	rcu_read_lock();
	for_each_process_thread(g, p)
		n++;
	rcu_read_unlock();
	return n;
}

/* Is p the filtered task, of its process, or (CHILDREN) a descendant? */
static bool gt_filter_match(const struct gotrace_start *prm,
			    struct task_struct *p)
{
	struct task_struct *a;
	unsigned int depth = 0;
	u32 want = prm->filter_pid;

	if (prm->filter_flags & GOTRACE_FILTER_TGID ? p->tgid == want :
	    p->pid == want)
		return true;
	if (!(prm->filter_flags & GOTRACE_FILTER_CHILDREN))
		return false;
	for (a = rcu_dereference(p->real_parent); a->pid && depth < 4096;
	     a = rcu_dereference(a->real_parent), depth++)
		if (a->pid == want || a->tgid == want)
			return true;
	return false;
}

static void gt_fill_task(struct gotrace_task *e, struct task_struct *p)
{
	unsigned int idx = __task_state_index(READ_ONCE(p->__state),
					      READ_ONCE(p->exit_state));

	e->pid = p->pid;
	e->tgid = p->tgid;
	e->ppid = rcu_dereference(p->real_parent)->tgid;
	e->state = idx ? 1U << (idx - 1) : 0;
	e->prio = p->prio;
	e->flags = 0;
	if (p->flags & PF_KTHREAD)
		e->flags |= GOTRACE_TASK_KTHREAD;
	if (READ_ONCE(p->on_cpu))
		e->flags |= GOTRACE_TASK_RUNNING;
	memcpy(e->comm, p->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = '\0';
}

/*
 * Follows the tasks alive now that pass the pid filter.  Runs twice: in
 * the TASKS dump, before the probes are attached, so that a followed
 * task's children forked once they are attached are followed from their
 * fork event; and again once they are attached, for the tasks forked in
 * between, which have neither a TASKS entry nor a fork event (they are
 * named by their first event, as any task missing from TASKS).  The dump
 * stays before the attach so that no task has both a TASKS entry and a
 * fork event.
 */
static void gt_follow_matching(struct gt_trace *t, struct task_struct *p)
{
	if (t->follow && gt_filter_match(&t->params, p) &&
	    p->pid > 0 && p->pid < PID_MAX_LIMIT)
		set_bit(p->pid, t->follow);
}

void gt_trace_follow_init(struct gt_trace *t)
{
	struct task_struct *g, *p;

	if (!t->follow)
		return;
	rcu_read_lock();
	for_each_process_thread(g, p)
		gt_follow_matching(t, p);
	rcu_read_unlock();
}

/*
 * Fills the TASKS record; with t, marks the dumped pids named and
 * followed (a snapshot's TASKS, t NULL, changes nothing).
 */
static void gt_dump_tasks(struct gt_trace *t, struct gotrace_tasks *rec,
			  u32 cap)
{
	struct gotrace_task *e = (struct gotrace_task *)(rec + 1);
	struct task_struct *g, *p;
	u32 n = 0;

	rcu_read_lock();
	for_each_process_thread(g, p) {
		if (t)
			gt_follow_matching(t, p);
		if (n == cap) {
			rec->flags |= GOTRACE_TASKS_TRUNCATED;
			continue;
		}
		gt_fill_task(&e[n], p);
		if (t && p->pid > 0 && p->pid < PID_MAX_LIMIT)
			set_bit(p->pid, t->comm_seen);
		n++;
	}
	rcu_read_unlock();
	rec->nr = n;
	rec->rec.type = GOTRACE_REC_TASKS;
	rec->rec.len = sizeof(*rec) + n * sizeof(*e);
}

static void gt_fill_header(struct gt_trace *t, struct gotrace_header *h)
{
	h->rec.type = GOTRACE_REC_HEADER;
	h->rec.len = sizeof(*h);
	h->version = GOTRACE_VERSION;
	h->nr_cpus = nr_cpu_ids;
	h->clock = GOTRACE_CLOCK_MONO;
	h->page_size = PAGE_SIZE;
	h->start_ns = t->start_ns;
	h->start_realtime_ns = t->start_real_ns;
	h->trace_id = t->id;
	h->groups = t->params.groups;
	h->buffer_size = t->params.buffer_size;
	h->batch_size = t->batch_size;
	h->flush_ms = t->params.flush_ms;
	h->start_flags = t->params.flags;
	h->missing = t->missing;
	strscpy(h->release, init_utsname()->release, sizeof(h->release));
	strscpy(h->machine, init_utsname()->machine, sizeof(h->machine));
	h->stack_events = t->stack_events;
	if (t->stacks) {
		h->stack_depth = t->params.stack_depth;
		h->stack_entries = t->params.stack_entries;
	}
	h->filter_pid = t->params.filter_pid;
	h->filter_flags = t->params.filter_flags;
	h->cpu_filter = !!t->cpus;
	gt_fill_kernel_info(h, t->kernel_addresses);
}

/*
 * Builds the head of the stream: magic, HEADER, GFP_NAMES, ZONES and
 * TASKS.  The task dump happens here, before the probes are attached;
 * tasks forked after it are named by their first event.  missing is
 * patched in later.
 */
int gt_trace_build_head(struct gt_trace *t)
{
	size_t n_gfp = ARRAY_SIZE(gt_gfp_names);
	size_t gfp_len = sizeof(struct gotrace_gfp_names) +
			 n_gfp * sizeof(struct gotrace_gfp_name);
	u32 cap = gt_count_threads() + GT_TASKS_SLACK;
	struct gotrace_gfp_names *gn;
	struct gotrace_gfp_name *ge;
	size_t len, i;
	u8 *p;

	len = GOTRACE_MAGIC_LEN + sizeof(struct gotrace_header) + gfp_len +
	      gt_zones_len() + sizeof(struct gotrace_tasks) +
	      cap * sizeof(struct gotrace_task);
	t->head = kvzalloc(len, GFP_KERNEL | __GFP_NOWARN);
	if (!t->head)
		return -ENOMEM;
	p = t->head;
	memcpy(p, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN);
	p += GOTRACE_MAGIC_LEN;
	gt_fill_header(t, (struct gotrace_header *)p);
	p += sizeof(struct gotrace_header);

	gn = (struct gotrace_gfp_names *)p;
	gn->rec.type = GOTRACE_REC_GFP_NAMES;
	gn->rec.len = gfp_len;
	gn->nr = n_gfp;
	ge = (struct gotrace_gfp_name *)(gn + 1);
	for (i = 0; i < n_gfp; i++) {
		ge[i].value = gt_gfp_names[i].value;
		strscpy(ge[i].name, gt_gfp_names[i].name, sizeof(ge[i].name));
	}
	p += gfp_len;

	gt_fill_zones((struct gotrace_zones *)p);
	p += ((struct gotrace_record *)p)->len;

	gt_dump_tasks(t, (struct gotrace_tasks *)p, cap);
	p += ((struct gotrace_record *)p)->len;
	t->head_len = p - t->head;
	return 0;
}

/*
 * A snapshot's TASKS record (GOTRACE_TASKS_SNAPSHOT): the tasks alive
 * now.  kvfree() it; NULL: no memory.
 */
void *gt_tasks_record(size_t *len)
{
	u32 cap = gt_count_threads() + GT_TASKS_SLACK;
	struct gotrace_tasks *rec;

	rec = kvzalloc(sizeof(*rec) + cap * sizeof(struct gotrace_task),
		       GFP_KERNEL | __GFP_NOWARN);
	if (!rec)
		return NULL;
	gt_dump_tasks(NULL, rec, cap);
	rec->flags |= GOTRACE_TASKS_SNAPSHOT;
	*len = rec->rec.len;
	return rec;
}

/* The probes are attached: record which tracepoints were missing. */
void gt_trace_head_set_missing(struct gt_trace *t)
{
	struct gotrace_header *h = (void *)(t->head + GOTRACE_MAGIC_LEN);

	h->missing = t->missing;
}
