// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: the cgroup v2 membership of the traced tasks.
 *
 * The probes write ids only: a TASK_CGROUP event (pid, cgroup id) before
 * the first event that mentions a task whose cgroup the stream has not
 * given (a bit per pid, cleared at fork and when cgroup_attach_task moves
 * the task), and the CGROUP_ATTACH_TASK event.  Reading the id is two
 * dependent loads under RCU: task->cgroups (a css_set freed after a grace
 * period), its dfl_cgrp, and the cgroup's kernfs node, all freed only a
 * grace period after the last reference goes (css_free_rwork_fn).
 *
 * Paths are not read in the probes.  kernfs_path_from_node() takes
 * kernfs_rename_lock, a spinlock (an rwlock on 6.12) that any CPU can
 * hold and that sleeps on PREEMPT_RT, and the probes run with a runqueue
 * lock held (sched_switch) or in interrupts; cgroup_path_ns() also takes
 * cgroup_mutex.  So each distinct cgroup gets a slot of a preallocated
 * table, claimed without locks as in gotrace_stack.c and sent once a
 * stream as its stacks are (gotrace_fresh.h), holding a
 * reference to the cgroup taken with cgroup_tryget() (a percpu_ref: any
 * context); the reader reads the path in process context when it closes
 * the generation that first names the cgroup, keeps a copy for a later
 * stream (a reader that left mid-stream), and drops the reference.  A
 * cgroup removed before that still has its kernfs node, so its path.
 * The trace keeps dying cgroups alive for at most a generation (or until
 * stop, which reads every path left).  A full table, or a cgroup already
 * dying when first seen, leaves the id without a path: counted in END's
 * cgroups_lost, or a CGROUP record flagged NO_PATH.
 *
 * Paths are relative to the cgroup namespace of the task that started
 * the trace, as its /proc/PID/cgroup shows them: a tracer in a container
 * sees its own cgroups as it names them, and others with "/..".  It sees
 * them all: a tracer already sees every task of the machine (pids and
 * names, as the group grant documents), and a cgroup path says no more.
 */
#include <linux/cgroup.h>
#include <linux/kernfs.h>
#include <linux/nsproxy.h>
#include <linux/hash.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/vmalloc.h>
#include "gotrace_write.h"
#include "gotrace_fresh.h"

#define GT_CGROUP_SLOTS		4096	/* distinct cgroups per trace */
#define GT_CGROUP_PROBES	32	/* slots tried before giving up */
#define GT_CGROUP_SPIN		1000	/* waits for a slot being filled */

struct gt_cgroup_slot {
	u64 id;				/* 0: free (kernfs ids start at 1) */
	struct cgroup *cgrp;		/* referenced until its path is read */
	struct gt_fresh_slot fs;
	/* Reader side, under gt.lock. */
	char *path;			/* NULL: not read yet */
	u32 path_len;
	u32 flags;			/* GOTRACE_CGROUP_* */
};

struct gt_cgroups {
	struct gt_cgroup_slot *slots;	/* GT_CGROUP_SLOTS */
	atomic64_t lost;		/* ids that found no slot */
	struct gt_fresh fresh;		/* slots the stream lacks */
	struct cgroup_namespace *ns;	/* of the task that started it */
};

int gt_cgroups_alloc(struct gt_trace *t)
{
	struct gt_cgroups *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	t->cgroups = s;
	s->slots = kvcalloc(GT_CGROUP_SLOTS, sizeof(*s->slots), GFP_KERNEL);
	t->cgroup_seen = kvcalloc(BITS_TO_LONGS(PID_MAX_LIMIT), sizeof(long),
				  GFP_KERNEL);
	if (!s->slots || !t->cgroup_seen)
		return -ENOMEM;
	gt_fresh_init(&s->fresh, &s->slots[0].fs, sizeof(*s->slots),
		      GT_CGROUP_SLOTS);
	s->ns = current->nsproxy->cgroup_ns;
	get_cgroup_ns(s->ns);
	return 0;
}

/* Process context; no probe may run. */
void gt_cgroups_free(struct gt_trace *t)
{
	struct gt_cgroups *s = t->cgroups;
	u32 i;

	kvfree(t->cgroup_seen);
	t->cgroup_seen = NULL;
	if (!s)
		return;
	if (s->slots) {
		for (i = 0; i < GT_CGROUP_SLOTS; i++) {
			if (s->slots[i].cgrp)
				cgroup_put(s->slots[i].cgrp);
			kfree(s->slots[i].path);
		}
		kvfree(s->slots);
	}
	put_cgroup_ns(s->ns);
	kfree(s);
	t->cgroups = NULL;
}

size_t gt_cgroup_rec_max(void)
{
	return sizeof(struct gotrace_cgroup) +
	       ALIGN(GOTRACE_CGROUP_PATH_MAX, 8);
}

u64 gt_cgroups_lost(struct gt_trace *t)
{
	return t->cgroups ? atomic64_read(&t->cgroups->lost) : 0;
}

/*
 * cgrp has a slot, claimed now if it had none (with a reference).  Write
 * path, under RCU: cgrp may be dying, hence the tryget.
 */
static void gt_cgroup_note(struct gt_cgroups *s, struct cgroup *cgrp, u64 id)
{
	u32 mask = GT_CGROUP_SLOTS - 1, i, n, spin;

	for (n = 0, i = hash_64(id, 32) & mask; n < GT_CGROUP_PROBES;
	     n++, i = (i + 1) & mask) {
		struct gt_cgroup_slot *slot = &s->slots[i];
		u64 old = READ_ONCE(slot->id);

		if (!old) {
			old = cmpxchg64(&slot->id, 0, id);
			if (!old) {
				slot->cgrp = cgroup_tryget(cgrp) ? cgrp : NULL;
				/* cgrp before ready (acquire in the reader). */
				gt_fresh_publish(&s->fresh, &slot->fs);
				return;
			}
		}
		if (old != id)
			continue;
		/*
		 * Another CPU is filling it, interrupts off: wait, so that
		 * our event can't reach a generation closed before the slot
		 * is on the fresh list.  Bounded (that CPU may be a vCPU the
		 * host does not run): after that, the CGROUP record may
		 * come a generation after the event's, never missing.
		 */
		for (spin = 0; !gt_fresh_ready(&slot->fs) &&
		     spin < GT_CGROUP_SPIN; spin++)
			cpu_relax();
		return;
	}
	atomic64_inc(&s->lost);
}

/* The TASK_CGROUP event of task at p: see gt_put_task_cgroup(). */
noinline u8 *gt_put_task_cgroup_at(struct gt_trace *t, u8 *p, u8 ctx,
				   u64 ts_delta, struct task_struct *task)
{
	struct cgroup *cgrp;
	u64 id;

	rcu_read_lock();
	cgrp = task_dfl_cgroup(task);
	id = cgroup_id(cgrp);
	gt_cgroup_note(t->cgroups, cgrp, id);
	rcu_read_unlock();
	*p++ = GOTRACE_EV_TASK_CGROUP | (ctx << GOTRACE_EV_CTX_SHIFT);
	p = gt_put_u64(p, ts_delta);
	p = gt_put_u64(p, task->pid);
	return gt_put_u64(p, id);
}

/*
 * cgroup_attach_task is moving task (with its threads: threadgroup) to
 * dst, which its caller holds: their next events give their cgroup
 * again.  Returns dst's id, or 0 if dst is not of the default hierarchy
 * (cgroup v1: not traced).  The clear is ordered after the move (done
 * under css_set_lock before the tracepoint), so that a probe claiming
 * the bit after it reads the new cgroup.
 */
u64 gt_cgroup_attach(struct gt_trace *t, struct cgroup *dst,
		     struct task_struct *task, bool threadgroup)
{
	struct task_struct *th;
	u64 id;

	if (dst->root != &cgrp_dfl_root)
		return 0;
	id = cgroup_id(dst);
	rcu_read_lock();
	gt_cgroup_note(t->cgroups, dst, id);
	/* The move (css_set_lock released) before the clears. */
	smp_mb__before_atomic();
	if (threadgroup) {
		for_each_thread(task, th)
			if (th->pid > 0 && th->pid < PID_MAX_LIMIT)
				clear_bit(th->pid, t->cgroup_seen);
	} else if (task->pid > 0 && task->pid < PID_MAX_LIMIT) {
		clear_bit(task->pid, t->cgroup_seen);
	}
	rcu_read_unlock();
	return id;
}

/*
 * The path of slot's cgroup into buf (GOTRACE_CGROUP_PATH_MAX bytes):
 * its length, or -1 if it has none (slot->flags say why).  The first
 * time, it is read and a copy kept, and the reference dropped.  Reader
 * side, process context.
 */
static int gt_cgroup_path(struct gt_cgroups *s, struct gt_cgroup_slot *slot,
			  char *buf)
{
	struct kernfs_node *root = s->ns->root_cset->dfl_cgrp->kn;
	int len;

	if (slot->path) {
		memcpy(buf, slot->path, slot->path_len);
		return slot->path_len;
	}
	if (!slot->cgrp) {
		/* Dying when first seen: no reference, no path. */
		slot->flags |= GOTRACE_CGROUP_NO_PATH;
		return -1;
	}
	len = kernfs_path_from_node(slot->cgrp->kn, root, buf,
				    GOTRACE_CGROUP_PATH_MAX);
	if (len < 0) {
		slot->flags |= GOTRACE_CGROUP_NO_PATH;
		if (len == -E2BIG)
			slot->flags |= GOTRACE_CGROUP_PATH_CUT;
	} else if (len >= GOTRACE_CGROUP_PATH_MAX) {
		slot->flags |= GOTRACE_CGROUP_PATH_CUT;
		len = strnlen(buf, GOTRACE_CGROUP_PATH_MAX - 1);
	}
	if (len >= 0) {
		slot->path = kmemdup(buf, len, GFP_KERNEL);
		if (!slot->path)
			return len;	/* keep the reference: next time */
		slot->path_len = len;
	}
	cgroup_put(slot->cgrp);
	slot->cgrp = NULL;
	return len;
}

/* Slot i's CGROUP record into buf (gt_cgroup_rec_max() bytes). */
static size_t gt_cgroup_rec(struct gt_cgroups *s, u32 i, u8 *buf)
{
	struct gt_cgroup_slot *slot = &s->slots[i];
	struct gotrace_cgroup *rec = (struct gotrace_cgroup *)buf;
	char *path = (char *)(rec + 1);
	int len = gt_cgroup_path(s, slot, path);

	if (len < 0)
		len = 0;
	memset(path + len, 0, ALIGN(len, 8) - len);
	memset(rec, 0, sizeof(*rec));
	rec->rec.type = GOTRACE_REC_CGROUP;
	rec->rec.len = sizeof(*rec) + ALIGN(len, 8);
	rec->id = slot->id;
	rec->flags = slot->flags;
	rec->path_len = len;
	return rec->rec.len;
}

/*
 * A flight recorder snapshot's CGROUP records: every cgroup of the table
 * that is ready now, which includes every cgroup a batch queued before
 * now names (a probe sees its slot ready before it queues the batch).
 * The stream's bookkeeping (fresh list, epochs) is left alone.  Under
 * gt.lock, which keeps gt_cgroup_path() to one caller.  kvfree() the
 * result; NULL with *len 0: none; NULL with *len 1: no memory.
 */
void *gt_cgroups_snapshot(struct gt_trace *t, size_t *len, u32 *nr)
{
	struct gt_cgroups *s = t->cgroups;
	size_t max = gt_cgroup_rec_max(), off = 0;
	u32 i, n = 0;
	u8 *buf;

	*len = 0;
	*nr = 0;
	if (!s)
		return NULL;
	for (i = 0; i < GT_CGROUP_SLOTS; i++)
		if (gt_fresh_ready(&s->slots[i].fs))
			n++;
	if (!n)
		return NULL;
	buf = kvmalloc(array_size(n, max), GFP_KERNEL | __GFP_NOWARN);
	if (!buf) {
		*len = 1;
		return NULL;
	}
	/* Slots made ready since the count wait for the next snapshot. */
	for (i = 0; i < GT_CGROUP_SLOTS && *nr < n; i++) {
		if (!gt_fresh_ready(&s->slots[i].fs))
			continue;
		off += gt_cgroup_rec(s, i, buf + off);
		(*nr)++;
		if (!(i & 255))
			cond_resched();
	}
	*len = off;
	return buf;
}

/* Reads every path still unread and drops the references: at stop. */
void gt_cgroups_read_paths(struct gt_trace *t)
{
	struct gt_cgroups *s = t->cgroups;
	char *buf;
	u32 i;

	if (!s)
		return;
	buf = kmalloc(GOTRACE_CGROUP_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return;
	for (i = 0; i < GT_CGROUP_SLOTS; i++)
		if (gt_fresh_ready(&s->slots[i].fs))
			gt_cgroup_path(s, &s->slots[i], buf);
	kfree(buf);
}

/* A generation closes: see gt_fresh_gen_take().  Under gt.lock. */
void gt_cgroups_gen_take(struct gt_trace *t)
{
	if (t->cgroups)
		gt_fresh_gen_take(&t->cgroups->fresh);
}

/*
 * The closing generation's next CGROUP record into buf
 * (gt_cgroup_rec_max() bytes); 0: none left.
 */
size_t gt_cgroups_gen_next(struct gt_trace *t, u8 *buf)
{
	struct gt_cgroups *s = t->cgroups;
	u32 i;

	if (!s || !gt_fresh_gen_next(&s->fresh, &i))
		return 0;
	return gt_cgroup_rec(s, i, buf);
}

/* The reader left mid-stream: the next stream carries every cgroup. */
void gt_cgroups_restart(struct gt_trace *t)
{
	if (t->cgroups)
		gt_fresh_restart(&t->cgroups->fresh);
}
