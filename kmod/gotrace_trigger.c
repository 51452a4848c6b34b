// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: triggers, decided in the probes (see the uapi header).
 *
 * A flight trace started with triggers has a struct gt_triggers: the specs
 * as START got them, the fired list and, for each duration kind that has
 * a trigger, a table of begin timestamps.  t->trigger_events tells the
 * probes which events to hand over (gt_trig_check()); everything below
 * runs in probe context with interrupts off, so it takes no lock, never
 * allocates and never waits for another CPU: a probe it would have to
 * wait for could be the one it interrupted.
 *
 * Begin timestamps: a task's direct reclaim, compaction or pending wakeup
 * is noted at its begin event (mm_vmscan_direct_reclaim_begin,
 * mm_compaction_begin, sched_waking of the task) in a fixed table of
 * GT_BEGIN_SLOTS u64, by hash of the pid: the pid in the low 22 bits
 * (PID_MAX_LIMIT is 2^22), the timestamp's low 42 bits above it, so a
 * cmpxchg sets or takes both at once; durations are computed modulo
 * 2^42 ns (73 minutes, more than GOTRACE_MAX_TRIGGER_NS).  The end event
 * (..._end, or the sched_switch to the woken task) takes the slot of its
 * pid; a sched_switch from a task that stays runnable also clears a
 * wakeup noted for it, so a task woken while it still ran (its state
 * reset before it slept) is not measured at its next switch in.  A begin
 * that finds its slot held by another pid's pending begin loses its
 * measurement and counts it in the module parameter trigger_collisions
 * (read-only, reset at every START with a duration trigger); a slot
 * left behind by an end the filters or an NMI never showed is reused
 * once it is older than GOTRACE_MAX_TRIGGER_NS.
 *
 * The fired list keeps the last GOTRACE_FIRED_MAX entries in a ring of
 * slots, by seq (from the atomic counter fired) modulo its size.  Each
 * slot's stamp says what it holds (see gt_fire() and gt_fired_read()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/hash.h>
#include <linux/atomic.h>
#include <linux/moduleparam.h>
#include <linux/threads.h>
#include <linux/overflow.h>
#include <linux/minmax.h>
#include "gotrace_write.h"

#define GT_BEGIN_BITS		12
#define GT_BEGIN_SLOTS		BIT(GT_BEGIN_BITS)
#define GT_PID_BITS		22
#define GT_PID_MASK		GENMASK_ULL(GT_PID_BITS - 1, 0)
#define GT_TS_BITS		(64 - GT_PID_BITS)
#define GT_TS_MASK		GENMASK_ULL(GT_TS_BITS - 1, 0)
static_assert(PID_MAX_LIMIT <= (1 << GT_PID_BITS));
/* A begin stamped up to this much after its end: another CPU's clock. */
#define GT_BEGIN_SKEW_NS	NSEC_PER_SEC
static_assert(GT_TS_MASK - GT_BEGIN_SKEW_NS > GOTRACE_MAX_TRIGGER_NS);

/* A writer owns the slot (the rest of the stamp: see gt_fire()). */
#define GT_FIRED_BUSY		BIT_ULL(63)

enum gt_dur {
	GT_DUR_RECLAIM,
	GT_DUR_COMPACTION,
	GT_DUR_WAKEUP,
	GT_DUR_COUNT,
};

struct gt_fired_slot {
	atomic64_t stamp;
	struct gotrace_fired f;
};

struct gt_triggers {
	u32 nr;
	struct gotrace_trigger spec[GOTRACE_MAX_TRIGGERS];
	atomic64_t fired;		/* seq of the last one fired */
	atomic64_t *begin[GT_DUR_COUNT];	/* GT_BEGIN_SLOTS, or NULL */
	struct gt_fired_slot ring[GOTRACE_FIRED_MAX];
};

static atomic64_t gt_collisions = ATOMIC64_INIT(0);

static int gt_collisions_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%lld\n",
			 (long long)atomic64_read(&gt_collisions));
}

static const struct kernel_param_ops gt_collisions_ops = {
	.get = gt_collisions_get,
};

module_param_cb(trigger_collisions, &gt_collisions_ops, NULL, 0444);
MODULE_PARM_DESC(trigger_collisions,
		 "duration triggers: measurements lost because another task's begin held the slot (since the last START with one)");

/* By kind (GOTRACE_TRIGGER_KINDS): its events' group, what its value is. */
static const struct {
	u64 group;
	u32 value;
} gt_trigger_kinds[] = {
#define GT_TRIGGER_KIND_(N, n, kind, group, value) \
	[kind] = { GOTRACE_GROUP_##group, GOTRACE_TRIGGER_VALUE_##value },
	GOTRACE_TRIGGER_KINDS(GT_TRIGGER_KIND_)
#undef GT_TRIGGER_KIND_
};

/* The group a trigger's events belong to, 0: unknown kind. */
static u64 gt_trigger_group(u32 kind)
{
	return kind < ARRAY_SIZE(gt_trigger_kinds) ?
	       gt_trigger_kinds[kind].group : 0;
}

static int gt_trigger_check(const struct gotrace_start *p,
			    const struct gotrace_trigger *g)
{
	u64 group = gt_trigger_group(g->kind);

	if (!group || g->flags || !(p->groups & group))
		return -EINVAL;
	switch (gt_trigger_kinds[g->kind].value) {
	case GOTRACE_TRIGGER_VALUE_NONE:
		return g->value ? -EINVAL : 0;
	case GOTRACE_TRIGGER_VALUE_ORDER:
		return g->value > GOTRACE_MAX_TRIGGER_ORDER ? -EINVAL : 0;
	}
	return g->value > GOTRACE_MAX_TRIGGER_NS ? -EINVAL : 0;
}

/*
 * START's triggers into set, validated (p after gt_validate_start()):
 * entries of trigger_size bytes by the clone3 rules (a larger entry's
 * unknown tail must be zero: E2BIG), before anything is allocated.
 */
int gt_triggers_copy(const struct gotrace_start *p, struct gt_trigger_set *set)
{
	const u8 __user *u = u64_to_user_ptr(p->triggers);
	u32 i;
	int err;

	set->nr = 0;
	if (!p->nr_triggers) {
		/* As clone3's set_tid: a pointer without entries is a mistake. */
		return p->triggers ? -EINVAL : 0;
	}
	if (!p->triggers || p->nr_triggers > GOTRACE_MAX_TRIGGERS ||
	    !(p->flags & GOTRACE_START_FLIGHT))
		return -EINVAL;
	if (p->trigger_size > PAGE_SIZE)
		return -E2BIG;
	if (p->trigger_size < GOTRACE_TRIGGER_SIZE_VER0)
		return -EINVAL;
	for (i = 0; i < p->nr_triggers; i++) {
		err = copy_struct_from_user(&set->spec[i],
					    sizeof(set->spec[i]),
					    u + (size_t)i * p->trigger_size,
					    p->trigger_size);
		if (err)
			return err;
		err = gt_trigger_check(p, &set->spec[i]);
		if (err)
			return err;
	}
	set->nr = p->nr_triggers;
	return 0;
}

/* The events each kind looks at. */
static u64 gt_trigger_events(u32 kind)
{
	switch (kind) {
	case GOTRACE_TRIGGER_OOM:
		return BIT_ULL(GOTRACE_EV_MARK_VICTIM);
	case GOTRACE_TRIGGER_ALLOC_FAIL:
		return BIT_ULL(GOTRACE_EV_MM_PAGE_ALLOC);
	case GOTRACE_TRIGGER_RECLAIM:
		return BIT_ULL(GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN) |
		       BIT_ULL(GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END);
	case GOTRACE_TRIGGER_COMPACTION:
		return BIT_ULL(GOTRACE_EV_MM_COMPACTION_BEGIN) |
		       BIT_ULL(GOTRACE_EV_MM_COMPACTION_END);
	case GOTRACE_TRIGGER_WAKEUP:
		return BIT_ULL(GOTRACE_EV_SCHED_WAKING) |
		       BIT_ULL(GOTRACE_EV_SCHED_SWITCH);
	}
	return 0;
}

static int gt_trigger_dur(u32 kind)
{
	switch (kind) {
	case GOTRACE_TRIGGER_RECLAIM:
		return GT_DUR_RECLAIM;
	case GOTRACE_TRIGGER_COMPACTION:
		return GT_DUR_COMPACTION;
	case GOTRACE_TRIGGER_WAKEUP:
		return GT_DUR_WAKEUP;
	}
	return -1;
}

/* Before the probes are registered; gt_trace_free() frees it. */
int gt_triggers_alloc(struct gt_trace *t, const struct gt_trigger_set *set)
{
	struct gt_triggers *tr;
	bool durations = false;
	u64 events = 0;
	u32 i;

	if (!set->nr)
		return 0;
	tr = kzalloc(sizeof(*tr), GFP_KERNEL);
	if (!tr)
		return -ENOMEM;
	t->trig = tr;
	tr->nr = set->nr;
	memcpy(tr->spec, set->spec, set->nr * sizeof(set->spec[0]));
	atomic64_set(&tr->fired, 0);
	for (i = 0; i < ARRAY_SIZE(tr->ring); i++)
		atomic64_set(&tr->ring[i].stamp, 0);
	for (i = 0; i < tr->nr; i++) {
		int d = gt_trigger_dur(tr->spec[i].kind);

		events |= gt_trigger_events(tr->spec[i].kind);
		if (d < 0 || tr->begin[d])
			continue;
		/* Zeroed: an empty slot is 0 (pid 0, the idle task, never begins). */
		tr->begin[d] = kvcalloc(GT_BEGIN_SLOTS, sizeof(atomic64_t),
					GFP_KERNEL);
		if (!tr->begin[d])
			return -ENOMEM;
		durations = true;
	}
	if (durations)
		atomic64_set(&gt_collisions, 0);
	/* Read by the probes once they are registered (which orders it). */
	t->trigger_events = events;
	return 0;
}

/* After tracepoint_synchronize_unregister(). */
void gt_triggers_free(struct gt_trace *t)
{
	struct gt_triggers *tr = t->trig;
	int d;

	if (!tr)
		return;
	for (d = 0; d < GT_DUR_COUNT; d++)
		kvfree(tr->begin[d]);
	kfree(tr);
	t->trig = NULL;
	t->trigger_events = 0;
}

static atomic64_t *gt_begin_slot(struct gt_triggers *tr, enum gt_dur d,
				 pid_t pid)
{
	if (!tr->begin[d] || pid <= 0 || pid >= PID_MAX_LIMIT)
		return NULL;
	return &tr->begin[d][hash_32(pid, GT_BEGIN_BITS)];
}

/* ns from the begin in slot value v to ts, modulo 2^42. */
static u64 gt_begin_age(u64 v, u64 ts)
{
	return (ts - (v >> GT_PID_BITS)) & GT_TS_MASK;
}

/* pid begins at ts. */
static void gt_begin_note(struct gt_triggers *tr, enum gt_dur d, pid_t pid,
			  u64 ts)
{
	atomic64_t *slot = gt_begin_slot(tr, d, pid);
	s64 old;
	u64 v;

	if (!slot)
		return;
	v = (ts & GT_TS_MASK) << GT_PID_BITS | (u64)pid;
	old = atomic64_read(slot);
	do {
		/* Another task's begin, pending (not stale): keep it. */
		if (old && ((u64)old & GT_PID_MASK) != (u64)pid &&
		    gt_begin_age(old, ts) <= GOTRACE_MAX_TRIGGER_NS) {
			atomic64_inc(&gt_collisions);
			return;
		}
	} while (!atomic64_try_cmpxchg(slot, &old, v));
}

/* pid ends at ts: true with *ns since its begin, which is taken. */
static bool gt_begin_take(struct gt_triggers *tr, enum gt_dur d, pid_t pid,
			  u64 ts, u64 *ns)
{
	atomic64_t *slot = gt_begin_slot(tr, d, pid);
	s64 old;

	if (!slot)
		return false;
	old = atomic64_read(slot);
	do {
		if (!old || ((u64)old & GT_PID_MASK) != (u64)pid)
			return false;
	} while (!atomic64_try_cmpxchg(slot, &old, 0));
	*ns = gt_begin_age(old, ts);
	/* A begin stamped a hair later on another CPU: no time passed. */
	if (*ns > GT_TS_MASK - GT_BEGIN_SKEW_NS)
		*ns = 0;
	return true;
}

/*
 * Notes one fired trigger as entry seq of the ring.  The stamp of a slot
 * is the seq of the entry it holds, GT_FIRED_BUSY set while a writer
 * writes it.  Invariant: only the writer whose cmpxchg set BUSY (from a
 * stamp without it, and older than its seq) writes the entry, and it
 * clears BUSY last, with release ordering; nobody else changes the entry.
 * A writer that finds the slot BUSY (an older writer, a whole ring behind,
 * still at it: a vCPU preempted, an interrupt) cannot wait for it, which
 * may be the probe it interrupted: it raises the stamp's seq to its own
 * and gives up, so the slot ends up stamped with the newer seq over the
 * older entry, whose own seq field differs: a reader of either seq then
 * counts it missed (gt_fired_read()).  The stamp's seq never decreases.
 */
static void gt_fire(struct gt_triggers *tr, u32 index, u32 type, u64 ts,
		    u32 cpu, pid_t pid, u64 value, u32 flags)
{
	u64 seq = atomic64_inc_return(&tr->fired);
	struct gt_fired_slot *s = &tr->ring[seq % GOTRACE_FIRED_MAX];
	s64 old = atomic64_read(&s->stamp);

	for (;;) {
		if (((u64)old & ~GT_FIRED_BUSY) >= seq)
			goto wake;		/* a newer entry has it */
		if (atomic64_try_cmpxchg(&s->stamp, &old, seq | GT_FIRED_BUSY)) {
			if ((u64)old & GT_FIRED_BUSY)
				goto wake;	/* raised: this one is lost */
			break;
		}
	}
	s->f.seq = seq;
	s->f.ts = ts;
	s->f.value = value;
	s->f.kind = tr->spec[index].kind;
	s->f.index = index;
	s->f.cpu = cpu;
	s->f.pid = pid;
	s->f.event = type;
	s->f.flags = flags;
	atomic64_fetch_andnot_release(GT_FIRED_BUSY, &s->stamp);
wake:
	/* Pollers: through the irq_work, never from here. */
	gt_wake_deferred();
}

/*
 * Entry seq of the ring into *out: 1 copied; 0 not written yet (its
 * writer has not reached the slot: ask again); -1 gone (overwritten by a
 * newer one, or lost, see gt_fire()).  Any context: a seqcount read.
 */
static int gt_fired_read(struct gt_triggers *tr, u64 seq,
			 struct gotrace_fired *out)
{
	struct gt_fired_slot *s = &tr->ring[seq % GOTRACE_FIRED_MAX];
	s64 stamp = atomic64_read_acquire(&s->stamp);
	u64 v = (u64)stamp & ~GT_FIRED_BUSY;

	if (v > seq)
		return -1;
	if (v < seq || ((u64)stamp & GT_FIRED_BUSY))
		return 0;
	/* A writer may start over it meanwhile: checked below. */
	data_race(memcpy(out, &s->f, sizeof(*out)));
	/* The copy before the second look at the stamp (gt_fire()'s release). */
	smp_rmb();
	if (atomic64_read(&s->stamp) != stamp || out->seq != seq)
		return -1;
	return 1;
}

static void gt_trig_fire_all(struct gt_triggers *tr, u32 kind, u32 type,
			     u64 ts, pid_t pid, u64 value, u32 flags)
{
	u32 cpu = smp_processor_id(), i;

	for (i = 0; i < tr->nr; i++)
		if (tr->spec[i].kind == kind && value >= tr->spec[i].value)
			gt_fire(tr, i, type, ts, cpu, pid, value, flags);
}

/*
 * An event of type (one of t->trigger_events) at ts, about pid; arg: the
 * order of a failed allocation, a switch's prev pid.  Interrupts off.
 */
void gt_trig_event(struct gt_trace *t, unsigned int type, u64 ts, pid_t pid,
		   u64 arg, u32 flags)
{
	struct gt_triggers *tr = t->trig;
	u32 kind;
	u64 ns;

	switch (type) {
	case GOTRACE_EV_MARK_VICTIM:
		gt_trig_fire_all(tr, GOTRACE_TRIGGER_OOM, type, ts, pid, 0,
				 flags);
		return;
	case GOTRACE_EV_MM_PAGE_ALLOC:
		gt_trig_fire_all(tr, GOTRACE_TRIGGER_ALLOC_FAIL, type, ts, pid,
				 arg, flags);
		return;
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN:
		gt_begin_note(tr, GT_DUR_RECLAIM, pid, ts);
		return;
	case GOTRACE_EV_MM_COMPACTION_BEGIN:
		gt_begin_note(tr, GT_DUR_COMPACTION, pid, ts);
		return;
	case GOTRACE_EV_SCHED_WAKING:
		gt_begin_note(tr, GT_DUR_WAKEUP, pid, ts);
		return;
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END:
		if (!gt_begin_take(tr, GT_DUR_RECLAIM, pid, ts, &ns))
			return;
		kind = GOTRACE_TRIGGER_RECLAIM;
		break;
	case GOTRACE_EV_MM_COMPACTION_END:
		if (!gt_begin_take(tr, GT_DUR_COMPACTION, pid, ts, &ns))
			return;
		kind = GOTRACE_TRIGGER_COMPACTION;
		break;
	case GOTRACE_EV_SCHED_SWITCH:
		/*
		 * arg: prev if it stays runnable (preempted, or its state
		 * was reset by a wakeup before it slept), else 0: a wakeup
		 * noted while it ran is void.  One noted for a prev that
		 * goes to sleep is kept: ttwu() traces sched_waking before
		 * it waits for the task to be off its CPU.
		 */
		gt_begin_take(tr, GT_DUR_WAKEUP, (pid_t)arg, ts, &ns);
		if (!gt_begin_take(tr, GT_DUR_WAKEUP, pid, ts, &ns))
			return;
		kind = GOTRACE_TRIGGER_WAKEUP;
		break;
	default:
		return;
	}
	gt_trig_fire_all(tr, kind, type, ts, pid, ns, flags);
}

void gt_trig_lost(struct gt_trace *t, unsigned int type, u64 ts, pid_t pid,
		  u64 arg)
{
	unsigned long irqflags;

	local_irq_save(irqflags);
	gt_trig_event(t, type, ts, pid, arg, GOTRACE_FIRED_LOST);
	local_irq_restore(irqflags);
}

u64 gt_triggers_fired(struct gt_trace *t)
{
	return t->trig ? atomic64_read(&t->trig->fired) : 0;
}

void gt_triggers_status(struct gt_trace *t, struct gotrace_status *st)
{
	if (!t->trig)
		return;
	st->triggers_fired = atomic64_read(&t->trig->fired);
	st->nr_triggers = t->trig->nr;
}

/*
 * GOTRACE_IOC_TRIGGERS for a file that took every entry up to seq taken:
 * the next ones, oldest first, up to len into buf; returns how many, and
 * *new_taken the seq it took up to (len 0: the count a call would return,
 * nothing taken).  *missed: entries after taken the ring lost.
 */
u32 gt_triggers_take(struct gt_trace *t, u64 taken, struct gotrace_fired *buf,
		     u32 len, u64 *fired, u64 *missed, u64 *new_taken)
{
	struct gt_triggers *tr = t->trig;
	struct gotrace_fired e;
	u64 first, q, last;
	u32 nr = 0;

	*fired = 0;
	*missed = 0;
	*new_taken = taken;
	if (!tr)
		return 0;
	*fired = atomic64_read(&tr->fired);
	first = taken + 1;
	if (*fired > GOTRACE_FIRED_MAX &&
	    first < *fired - GOTRACE_FIRED_MAX + 1) {
		*missed = *fired - GOTRACE_FIRED_MAX + 1 - first;
		first = *fired - GOTRACE_FIRED_MAX + 1;
	}
	last = first - 1;
	for (q = first; q <= *fired; q++) {
		int r = gt_fired_read(tr, q, &e);

		if (!r)
			break;
		if (r < 0) {
			(*missed)++;
		} else if (!len) {
			nr++;
			continue;
		} else {
			if (nr == len)
				break;
			buf[nr++] = e;
		}
		last = q;
	}
	if (len)
		*new_taken = last;
	return nr;
}

/*
 * The TRIGGERS record of a snapshot whose ring holds bufs (oldest first):
 * the specs and the fired entries whose event is in the window: on its
 * CPU, from the base of that CPU's first batch to its last event (an
 * event dropped, GOTRACE_FIRED_LOST, is in no batch: from the window's
 * start to its end).  NULL without triggers; ERR_PTR on failure.  Under
 * gt.lock, the ring pinned.
 */
void *gt_triggers_record(struct gt_trace *t, struct gt_buf **bufs, u32 nr,
			 size_t *len)
{
	struct gt_triggers *tr = t->trig;
	struct gotrace_triggers_rec *rec;
	struct gotrace_fired *out;
	u64 *first, *last, fired, q, start = U64_MAX, end = 0;
	u32 i, n = 0;

	*len = 0;
	if (!tr)
		return NULL;
	first = kvcalloc(2 * nr_cpu_ids, sizeof(u64), GFP_KERNEL);
	if (!first)
		return ERR_PTR(-ENOMEM);
	last = first + nr_cpu_ids;
	for (i = 0; i < nr; i++) {
		struct gt_buf *b = bufs[i];
		u64 base = ((struct gotrace_batch *)b->data)->base_ts;

		if (!first[b->cpu] || base < first[b->cpu])
			first[b->cpu] = base;
		last[b->cpu] = max(last[b->cpu], b->last_ts);
		start = min(start, base);
		end = max(end, b->last_ts);
	}
	*len = sizeof(*rec) + tr->nr * sizeof(tr->spec[0]) +
	       GOTRACE_FIRED_MAX * sizeof(*out);
	rec = kvzalloc(*len, GFP_KERNEL);
	if (!rec) {
		kvfree(first);
		return ERR_PTR(-ENOMEM);
	}
	memcpy(rec + 1, tr->spec, tr->nr * sizeof(tr->spec[0]));
	out = (struct gotrace_fired *)((u8 *)(rec + 1) +
				       tr->nr * sizeof(tr->spec[0]));
	fired = atomic64_read(&tr->fired);
	q = fired > GOTRACE_FIRED_MAX ? fired - GOTRACE_FIRED_MAX + 1 : 1;
	for (; q <= fired; q++) {
		struct gotrace_fired *e = &out[n];
		bool in;

		if (gt_fired_read(tr, q, e) <= 0)
			continue;
		if (e->flags & GOTRACE_FIRED_LOST)
			in = nr && e->ts >= start && e->ts <= end;
		else
			in = e->cpu < nr_cpu_ids && first[e->cpu] &&
			     e->ts >= first[e->cpu] && e->ts <= last[e->cpu];
		n += in;
	}
	kvfree(first);
	*len = sizeof(*rec) + tr->nr * sizeof(tr->spec[0]) + n * sizeof(*out);
	rec->rec.type = GOTRACE_REC_TRIGGERS;
	rec->rec.len = *len;
	rec->nr_triggers = tr->nr;
	rec->nr_fired = n;
	rec->fired = fired;
	return rec;
}
