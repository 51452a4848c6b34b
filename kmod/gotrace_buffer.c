// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: per-CPU batch buffers of a trace, their queue to the reader,
 * and the periodic flush of partial buffers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/smp.h>
#include <linux/overflow.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/module.h>
#include <linux/log2.h>
#include "gotrace_write.h"
#include "gotrace_compat.h"

#define GT_MIN_BATCH	4096U
#define GT_MAX_BATCH	(64U << 10)

/*
 * For the selftests only: a batch size (a power of two from 512 bytes to
 * 64 KiB) that fills a batch every few dozen events, so that the paths of
 * a full batch are taken often.  0: the size follows the per-CPU size.
 */
static unsigned int test_batch_size;
module_param(test_batch_size, uint, 0600);
MODULE_PARM_DESC(test_batch_size,
		 "for the selftests: batch size of the next traces (512..65536, a power of two; 0: a quarter of the per-CPU size)");

#define GT_TEST_MIN_BATCH	512U
/* The largest event (exec, with a COMM before it) fits in an empty batch. */
static_assert(sizeof(struct gotrace_batch) + GT_COMM_MAX + GT_EV_MAX(3) +
	      GOTRACE_FILENAME_MAX <= GT_TEST_MIN_BATCH);

/* Batches are a quarter of the per-CPU size, between 4 and 64 KiB. */
u32 gt_batch_size(u32 buffer_size)
{
	u32 size = clamp(buffer_size / 4, GT_MIN_BATCH, GT_MAX_BATCH);
	u32 forced = READ_ONCE(test_batch_size);

	if (forced >= GT_TEST_MIN_BATCH && forced <= GT_MAX_BATCH &&
	    is_power_of_2(forced))
		return forced;

	return rounddown_pow_of_two(size);
}

int gt_validate_start(struct gotrace_start *p)
{
	if (p->flags & ~GOTRACE_START_FLAGS)
		return -EINVAL;
	if (p->groups & ~GOTRACE_GROUP_ALL)
		return -EINVAL;
	if (!p->groups)
		p->groups = GOTRACE_GROUP_ALL;
	if (!p->buffer_size)
		p->buffer_size = GOTRACE_DEFAULT_BUFFER_SIZE;
	if (p->buffer_size < GOTRACE_MIN_BUFFER_SIZE ||
	    p->buffer_size > GOTRACE_MAX_BUFFER_SIZE)
		return -EINVAL;
	if (!p->flush_ms)
		p->flush_ms = GOTRACE_DEFAULT_FLUSH_MS;
	if (p->flush_ms < GOTRACE_MIN_FLUSH_MS ||
	    p->flush_ms > GOTRACE_MAX_FLUSH_MS)
		return -EINVAL;
	if (p->__reserved)
		return -EINVAL;
	if (!(p->flags & GOTRACE_START_STACKS)) {
		if (p->stack_depth || p->stack_entries || p->stack_events)
			return -EINVAL;
	} else {
		if (!p->stack_depth)
			p->stack_depth = GOTRACE_DEFAULT_STACK_DEPTH;
		if (!p->stack_entries)
			p->stack_entries = GOTRACE_DEFAULT_STACK_ENTRIES;
		if (!p->stack_events)
			p->stack_events = 1ULL << GOTRACE_EV_MM_PAGE_ALLOC;
		if (p->stack_depth > GOTRACE_MAX_STACK_DEPTH ||
		    p->stack_entries > GOTRACE_MAX_STACK_ENTRIES ||
		    p->stack_events & ~GT_STACK_EVENTS)
			return -EINVAL;
	}
	if (p->filter_flags & ~GOTRACE_FILTER_FLAGS ||
	    (p->filter_flags && !p->filter_pid) ||
	    p->filter_pid >= PID_MAX_LIMIT)
		return -EINVAL;
	if (!p->cpu_mask != !p->cpu_mask_size)
		return -EINVAL;
	return 0;
}

static void gt_wake_work_fn(struct irq_work *work)
{
	gt_wake_reader();
}

/*
 * One wakeup for every trace: it outlives them, so stopping or freeing a
 * trace never waits for it, and only module exit does.
 */
static DEFINE_IRQ_WORK(gt_wake_work, gt_wake_work_fn);

/*
 * Wakes the reader and the pollers soon, from a probe: never directly
 * (we may hold a runqueue lock), and never on a CPU going down: on
 * PREEMPT_RT the wakeup would be run by the CPU's irq_work thread, which
 * is parked (CPUHP_AP_SMPBOOT_THREADS) while the CPU still runs probes,
 * and it would wait there until the CPU comes back.  (Without PREEMPT_RT
 * the last irq_work_run(), at CPUHP_AP_SMPCFD_DYING, follows
 * __cpu_disable(), after which tracepoints no longer fire.)  A CPU stops
 * being active, then waits for the probes that saw it active
 * (synchronize_rcu() in sched_cpu_deactivate()), then for the wakeup
 * (gt_cpu_down()).  What is left without one is seen at the flush work's
 * next wakeup.  Probes run with interrupts off; the stop path anywhere.
 */
void gt_wake_deferred(void)
{
	if (likely(cpu_active(raw_smp_processor_id())))
		irq_work_queue(&gt_wake_work);
}

/*
 * The reader's wakeup watermark, as ftrace's buffer_percent (default 50)
 * and LTTng's read timer: waking the reader costs an irq_work, a wakeup,
 * two context switches, a poll() and a read or splice, so a CPU's full
 * batch wakes it only once that CPU has half its pool out of its hands.
 *
 *   c->unreturned: batches of c queued (on t->full, on the reader's list,
 *   being read, in pipes, or retired by splice) and not back on c->free.
 *   Incremented by c's writer in gt_queue_batch() (interrupts off; or
 *   the flush work for an offline c, the stop path with no probe left),
 *   before the batch is published on t->full; decremented by whoever puts a batch back on c->free
 *   (gt_buf_give_back(): the reader under gt.lock, a pipe's release, the
 *   flight work, BENCH), after it is there, so it is never below the
 *   batches c cannot take.  Atomic: written from two CPUs.  Reset with
 *   the pool (gt_cpu_alloc(), gt_trace_free_buffers()).
 *
 *   c->wake_mark: max(1, buffers allocated / 2), written before the CPU
 *   can write (gt_cpu_alloc()), constant after.
 *
 * A queue that leaves unreturned at or above the mark wakes the reader
 * (gt_wake_deferred()), and so does every queue after it while it stays
 * there.  One below the mark does not: the reader then sleeps until the
 * flush work's wakeup (each flush period), a flush timer's partial
 * batch, STOP, or a queue at the mark, so a queued batch waits at most about one flush period (the
 * flush work is deferrable: an idle system may run it later).  What c
 * can lose for it: c drops events only once c->free is empty, that is
 * with every allocated batch unreturned, and the queue that reached the
 * mark woke the reader while the other half of the pool (less cur) was
 * still free.  A reader that wakes and drains within the time c takes to
 * fill that half loses nothing; the per-batch wakeup gave it the whole
 * pool but one batch.  The decision reads the count after its own
 * increment: a concurrent give-back only lowers it (more batches free).
 * A wakeup never races the sleep: the reader samples gt.wake_gen before
 * it looks at t->full, the wakeup bumps it after the batch is on t->full.
 *
 * A flight recorder keeps one wakeup per batch: its ring holds up to
 * three quarters of each pool, and only the work that each wakeup queues
 * gives batches back (gotrace_flight.c); a later wakeup would leave its
 * CPUs fewer free batches than the per-batch one does.
 */
static bool gt_queue_batch(struct gt_trace *t, struct gt_cpu *c)
{
	struct gt_buf *b = c->cur;
	struct gotrace_batch *bh = (struct gotrace_batch *)b->data;
	u32 len = ALIGN(b->len, 8);
	unsigned int unreturned;

	memset(b->data + b->len, 0, len - b->len);
	bh->rec.len = len;
	bh->nr_events = b->nr_events;
	b->last_ts = c->last_ts;
	c->cur = NULL;
	local64_inc(&c->batches);
	local64_add(len, &c->bytes);
	atomic64_add(len, &t->queued_bytes);
	unreturned = atomic_inc_return(&c->unreturned);
	llist_add(&b->node, &t->full);
	return t->flight || unreturned >= c->wake_mark;
}

/* Hands c's current buffer to the reader's queue.  Writer context. */
void gt_queue_buf(struct gt_trace *t, struct gt_cpu *c)
{
	if (gt_queue_batch(t, c))
		gt_wake_deferred();
}

/* Batch b goes back on its CPU's free list, from the reader's side. */
void gt_buf_give_back(struct gt_trace *t, struct gt_buf *b)
{
	struct gt_cpu *c = per_cpu_ptr(t->cpu, b->cpu);

	llist_add(&b->node, &c->free);
	atomic_dec(&c->unreturned);
}

/* Current buffer full or absent: queue it and start a free one. */
struct gt_buf *gt_reserve_slow(struct gt_trace *t, struct gt_cpu *c, u64 ts)
{
	struct llist_node *n;
	struct gotrace_batch *bh;
	struct gt_buf *b;

	if (c->cur)
		gt_queue_buf(t, c);
	n = llist_del_first(&c->free);
	if (!n)
		return NULL;
	b = llist_entry(n, struct gt_buf, node);
	bh = (struct gotrace_batch *)b->data;
	bh->rec.type = GOTRACE_REC_BATCH;
	bh->cpu = b->cpu;
	bh->seq = c->seq++;
	bh->base_ts = ts;
	bh->lost = c->lost_pending;
	bh->flags = c->lost_pending ? GOTRACE_BATCH_LOST : 0;
	c->lost_pending = 0;
	c->last_ts = ts;
	c->last_pfn = 0;
	c->last_next_pid = -1;
	b->len = sizeof(*bh);
	b->nr_events = 0;
	c->cur = b;
	return b;
}

/*
 * Partial batches are flushed where they are written, with no IPI: each
 * traced CPU has a pinned, deferrable timer (as LTTng's switch timer), so
 * a CPU that sleeps is not woken for it and a nohz_full CPU is not
 * interrupted; it flushes when the CPU runs anyway.  A batch is queued
 * once its first event is a flush period old, so data waits less than
 * two periods.  The timer runs on online CPUs only: gt_cpu_up() arms it,
 * gt_cpu_down() stops it; an offline CPU's partial batch is queued by the
 * flush work.
 */
static void gt_flush_timer_fn(struct timer_list *tm)
{
	struct gt_cpu *c = timer_container_of(c, tm, flush_timer);
	struct gt_trace *t = c->t;
	u64 period = (u64)t->params.flush_ms * NSEC_PER_MSEC;
	unsigned long flags;
	struct gt_buf *b;

	if (READ_ONCE(t->flush_stop) || c != this_cpu_ptr(t->cpu))
		return;
	local_irq_save(flags);
	b = c->cur;
	/*
	 * Not when no buffer is free: the next event would find none and
	 * be lost for a batch queued nearly empty.  The batch fills instead,
	 * and goes when full or at the next tick that finds a free buffer.
	 */
	if (b && !llist_empty(&c->free) &&
	    ktime_get_mono_fast_ns() -
	    ((struct gotrace_batch *)b->data)->base_ts >= period) {
		/*
		 * Waits no longer for the reader: the batch is already up
		 * to two periods old.  One wakeup per CPU and period.
		 */
		gt_queue_batch(t, c);
		gt_wake_deferred();
	}
	local_irq_restore(flags);
	mod_timer(tm, jiffies + msecs_to_jiffies(t->params.flush_ms));
}

static void gt_flush_timer_start(struct gt_trace *t, unsigned int cpu)
{
	struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);

	if (c->bufs && !READ_ONCE(t->flush_stop) &&
	    !timer_pending(&c->flush_timer)) {
		c->flush_timer.expires = jiffies +
					 msecs_to_jiffies(t->params.flush_ms);
		add_timer_on(&c->flush_timer, cpu);
	}
}

/* Arms the online CPUs' flush timers; CPUs coming online arm theirs. */
void gt_trace_flush_start(struct gt_trace *t)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		gt_flush_timer_start(t, cpu);
	cpus_read_unlock();
}

/* Stops the flush timers for good.  Process context. */
void gt_trace_flush_stop(struct gt_trace *t)
{
	unsigned int cpu;

	WRITE_ONCE(t->flush_stop, true);
	for_each_possible_cpu(cpu)
		timer_delete_sync(&per_cpu_ptr(t->cpu, cpu)->flush_timer);
}

/*
 * Offline CPUs' partial batches, and a wakeup for the reader: the one
 * that delivers the batches queued below the watermark (gt_queue_batch()).
 */
static void gt_flush_work_fn(struct work_struct *work)
{
	struct gt_trace *t = container_of(to_delayed_work(work),
					  struct gt_trace, flush_work);
	unsigned int cpu;

	cpus_read_lock();
	for_each_possible_cpu(cpu) {
		struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);

		/* Hotplug is held off: an offline CPU writes nothing. */
		if (!cpu_online(cpu) && c->cur)
			gt_queue_buf(t, c);
	}
	cpus_read_unlock();
	gt_wake_reader();
	schedule_delayed_work(&t->flush_work,
			      msecs_to_jiffies(t->params.flush_ms));
}

/* After the probes are gone and the flush work cancelled. */
void gt_trace_flush_all(struct gt_trace *t)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);

		if (c->cur)
			gt_queue_buf(t, c);
	}
}

/*
 * The trace whose buffers a CPU coming online gets, or NULL.  Written with
 * cpus_read_lock() held, read by gt_cpu_prepare() under the hotplug write
 * lock: the two exclude each other.
 */
static struct gt_trace *gt_hp_trace;
static enum cpuhp_state gt_hp_state, gt_hp_online_state;

static bool gt_cpu_traced(const struct gt_trace *t, unsigned int cpu)
{
	return !t->cpus || cpumask_test_cpu(cpu, t->cpus);
}

/*
 * Fills cpu's pool.  On failure the buffers already allocated stay in the
 * pool (gt_trace_free_buffers() frees them); a CPU with too few buffers
 * drops events and counts them.
 */
static int gt_cpu_alloc(struct gt_trace *t, unsigned int cpu)
{
	struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);
	int node = cpu_to_node(cpu);
	unsigned int i, nr = t->params.buffer_size / t->batch_size;
	struct gt_buf *bufs;

	init_llist_head(&c->free);
	atomic_set(&c->unreturned, 0);
	c->wake_mark = 1;
	/* Up to 64k entries: not necessarily physically contiguous. */
	bufs = kvmalloc_node(array_size(nr, sizeof(*bufs)),
			     GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, node);
	if (!bufs)
		return -ENOMEM;
	c->bufs = bufs;
	/* Stays when the buffers are freed: STATUS's GOTRACE_CPU_TRACED. */
	WRITE_ONCE(c->nr_bufs, nr);
	for (i = 0; i < nr; i++) {
		struct gt_buf *b = &bufs[i];

		b->cpu = cpu;
		b->data = kvmalloc_node(t->batch_size, GFP_KERNEL |
					__GFP_NOWARN | __GFP_RETRY_MAYFAIL,
					node);
		if (!b->data)
			return -ENOMEM;
		llist_add(&b->node, &c->free);
		/*
		 * Half of what is allocated so far: a CPU brought up with
		 * an incomplete pool (gt_cpu_prepare()) keeps that.
		 */
		c->wake_mark = max(1U, (i + 1) / 2);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * CPUHP_BP_PREPARE_DYN: runs on a control CPU before cpu starts, so no
 * probe can run on cpu yet.  A CPU that was offline at START gets its pool
 * here; one that was online before keeps the pool it had.  Never fails the
 * bring-up: without buffers the CPU's events are counted as lost.
 */
static int gt_cpu_prepare(unsigned int cpu)
{
	struct gt_trace *t = gt_hp_trace;
	int err;

	if (!t || !gt_cpu_traced(t, cpu) || per_cpu_ptr(t->cpu, cpu)->bufs)
		return 0;
	err = gt_cpu_alloc(t, cpu);
	if (err)
		pr_warn("cpu %u: buffers incomplete (%d); its events may be lost\n",
			cpu, err);
	return 0;
}

/* CPUHP_AP_ONLINE_DYN startup, on the CPU coming up: its flush timer. */
static int gt_cpu_up(unsigned int cpu)
{
	struct gt_trace *t = gt_hp_trace;

	if (t && gt_cpu_traced(t, cpu))
		gt_flush_timer_start(t, cpu);
	return 0;
}

/*
 * CPUHP_AP_ONLINE_DYN teardown, on the CPU going down: it is no longer
 * active, so no probe queues the wakeup here any more (gt_queue_buf());
 * one queued before has run once this returns.  Its irq_work thread
 * (PREEMPT_RT) is not parked yet: that comes later, at
 * CPUHP_AP_SMPBOOT_THREADS.  So the CPU goes down holding none of ours.
 * Its flush timer stops too (the flush work takes over its batch).
 */
static int gt_cpu_down(unsigned int cpu)
{
	struct gt_trace *t = gt_hp_trace;

	if (t)
		timer_delete_sync(&per_cpu_ptr(t->cpu, cpu)->flush_timer);
	irq_work_sync(&gt_wake_work);
	return 0;
}

int gt_hotplug_init(void)
{
	int ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					    "gotrace:prepare", gt_cpu_prepare,
					    NULL);

	if (ret < 0)
		return ret;
	gt_hp_state = ret;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "gotrace:online",
					gt_cpu_up, gt_cpu_down);
	if (ret < 0) {
		cpuhp_remove_state_nocalls(gt_hp_state);
		return ret;
	}
	gt_hp_online_state = ret;
	return 0;
}

/* After the last trace is freed: no probe is registered. */
void gt_hotplug_exit(void)
{
	cpuhp_remove_state_nocalls(gt_hp_online_state);
	cpuhp_remove_state_nocalls(gt_hp_state);
	/* Its function is module text. */
	irq_work_sync(&gt_wake_work);
}

/* No CPU coming online gets buffers of t from here on.  Not in a probe. */
void gt_trace_hotplug_detach(struct gt_trace *t)
{
	cpus_read_lock();
	if (gt_hp_trace == t)
		gt_hp_trace = NULL;
	cpus_read_unlock();
}

/*
 * Refuses a trace that may take more than half of RAM, up front, rather
 * than OOM the box later: the pools of the traced CPUs that are present
 * (online now or able to come online) and the stack table.
 */
static int gt_trace_admit(struct gt_trace *t)
{
	size_t total, ram = (size_t)totalram_pages() << PAGE_SHIFT;
	unsigned int cpu, n = 0;

	for_each_present_cpu(cpu)
		n += gt_cpu_traced(t, cpu);
	if (check_mul_overflow((size_t)t->params.buffer_size, (size_t)n,
			       &total) ||
	    check_add_overflow(total, gt_stacks_mem(&t->params), &total) ||
	    total > ram / 2)
		return -ENOMEM;
	return 0;
}

/* Pools for the online CPUs traced; CPUs that come online get theirs later. */
static int gt_trace_alloc_cpus(struct gt_trace *t)
{
	unsigned int cpu;
	int err = 0;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		if (!err && gt_cpu_traced(t, cpu))
			err = gt_cpu_alloc(t, cpu);
	}
	if (!err) {
		/* One trace has buffers at a time (gt.lock, gt_trace_done()). */
		WARN_ON_ONCE(gt_hp_trace);
		gt_hp_trace = t;
	}
	cpus_read_unlock();
	return err;
}

struct gt_trace *gt_trace_alloc(const struct gotrace_start *p, u64 id,
				struct cpumask *cpus)
{
	struct gt_trace *t;
	unsigned int cpu;
	int err = -ENOMEM;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t) {
		kfree(cpus);
		return ERR_PTR(-ENOMEM);
	}
	t->cpus = cpus;
	t->id = id;
	t->params = *p;
	/* A flight ring overwrites a few batches at a time: smaller ones. */
	t->batch_size = gt_batch_size(p->flags & GOTRACE_START_FLIGHT ?
				      p->buffer_size / 4 : p->buffer_size);
	init_llist_head(&t->full);
	atomic64_set(&t->queued_bytes, 0);
	atomic64_set(&t->nmi_lost, 0);
	INIT_DEFERRABLE_WORK(&t->flush_work, gt_flush_work_fn);

	err = gt_trace_admit(t);
	if (err)
		goto fail;
	err = -ENOMEM;
	t->cpu = alloc_percpu(struct gt_cpu);
	if (!t->cpu)
		goto fail;
	for_each_possible_cpu(cpu) {
		struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);

		c->t = t;
		timer_setup(&c->flush_timer, gt_flush_timer_fn,
			    TIMER_DEFERRABLE | TIMER_PINNED);
	}
	t->comm_seen = kvcalloc(BITS_TO_LONGS(PID_MAX_LIMIT), sizeof(long),
				GFP_KERNEL);
	if (!t->comm_seen)
		goto fail;
	if (p->filter_pid) {
		t->follow = kvcalloc(BITS_TO_LONGS(PID_MAX_LIMIT), sizeof(long),
				     GFP_KERNEL);
		if (!t->follow)
			goto fail;
	}
	if (p->flags & GOTRACE_START_STACKS) {
		t->stack_events = p->stack_events;
		err = gt_stacks_alloc(t);
		if (err)
			goto fail;
		err = -ENOMEM;
	}
	t->end_len = nr_cpu_ids * sizeof(struct gotrace_cpu_end) +
		     sizeof(struct gotrace_end);
	/* nr_cpu_ids records: 384 KiB with 8192 CPU ids. */
	t->end = kvzalloc(t->end_len, GFP_KERNEL | __GFP_NOWARN);
	if (!t->end)
		goto fail;
	if (p->groups & GOTRACE_GROUP_CGROUP) {
		err = gt_cgroups_alloc(t);
		if (err)
			goto fail;
		err = -ENOMEM;
	}
	t->gen_rec = kzalloc(max3(sizeof(struct gotrace_generation),
				  (p->flags & GOTRACE_START_STACKS) ?
				  gt_stack_rec_max(p) : 0,
				  t->cgroups ? gt_cgroup_rec_max() : 0),
			     GFP_KERNEL);
	if (!t->gen_rec)
		goto fail;
	t->gen = 1;
	t->gen_open_ns = ktime_get_mono_fast_ns();
	err = gt_flight_alloc(t);
	if (err)
		goto fail;
	err = gt_trace_alloc_cpus(t);
	if (err)
		goto fail;
	return t;
fail:
	gt_trace_free(t);
	return ERR_PTR(err);
}

/* Frees the buffers; the counters stay for STATUS.  No probe may run. */
void gt_trace_free_buffers(struct gt_trace *t)
{
	unsigned int cpu, i;

	gt_trace_hotplug_detach(t);
	/* Batches that pipes still hold are theirs to free. */
	gt_splice_detach(t);
	if (t->cpu) {
		gt_trace_flush_stop(t);
		for_each_possible_cpu(cpu) {
			struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);

			if (!c->bufs)
				continue;
			for (i = 0; i < c->nr_bufs; i++)
				kvfree(c->bufs[i].data);
			kvfree(c->bufs);
			c->bufs = NULL;
			c->cur = NULL;
			init_llist_head(&c->free);
			atomic_set(&c->unreturned, 0);
		}
	}
	init_llist_head(&t->full);
	t->rd_head = NULL;
	t->rd_tail = NULL;
	t->rd_buf = NULL;
	atomic64_set(&t->queued_bytes, 0);
	kvfree(t->comm_seen);
	t->comm_seen = NULL;
	kvfree(t->follow);
	t->follow = NULL;
	gt_stacks_free(t);
	gt_cgroups_free(t);
	kvfree(t->end);
	t->end = NULL;
	kfree(t->gen_rec);
	t->gen_rec = NULL;
	kvfree(t->head);
	t->head = NULL;
	gt_flight_free(t);
}

void gt_trace_free(struct gt_trace *t)
{
	if (!t)
		return;
	gt_trace_free_buffers(t);
	gt_triggers_free(t);
	free_percpu(t->cpu);
	kfree(t->cpus);
	kfree(t);
}

/*
 * The records after the last generation: one CPU_END per CPU id, then
 * END (whose stacks, generations and reader_skipped are filled when the
 * reader reaches it).  Allocated at start: stop can't fail.
 */
void gt_trace_build_end(struct gt_trace *t)
{
	struct gotrace_cpu_end *ce = (struct gotrace_cpu_end *)t->end;
	struct gotrace_end *e = (struct gotrace_end *)(ce + nr_cpu_ids);
	unsigned int cpu;

	memset(ce, 0, t->end_len);
	e->rec.type = GOTRACE_REC_END;
	e->rec.len = sizeof(*e);
	e->nr_cpus = nr_cpu_ids;
	e->stop_ns = t->stop_ns;
	e->stacks_lost = gt_stacks_lost(t);
	e->cgroups_lost = gt_cgroups_lost(t);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++, ce++) {
		struct gt_cpu *c;

		ce->rec.type = GOTRACE_REC_CPU_END;
		ce->rec.len = sizeof(*ce);
		ce->cpu = cpu;
		if (!cpu_possible(cpu))
			continue;
		c = per_cpu_ptr(t->cpu, cpu);
		ce->batches = local64_read(&c->batches);
		ce->events = local64_read(&c->events);
		ce->lost = local64_read(&c->lost);
		ce->bytes = local64_read(&c->bytes);
		e->events += ce->events;
		e->lost += ce->lost;
		e->filtered += local64_read(&c->filtered);
	}
	e->lost += atomic64_read(&t->nmi_lost);
}
