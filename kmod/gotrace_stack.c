// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: the table of distinct kernel stacks.
 *
 * Like Go's traceStackTable and the kernel's stackdepot, each distinct
 * stack is stored once and events refer to it by id.  The table is
 * preallocated at start and filled from the probes without locks: a slot
 * is claimed by cmpxchg on its hash, filled, then published.  A probe that
 * meets a slot another CPU is still filling waits for it (a few dozen
 * stores with interrupts off on that CPU), but only GT_STACK_SPIN times:
 * it waits with interrupts off too, and that CPU may be a vCPU the host
 * does not run; the stack is then counted as lost.  A probe can't meet its
 * own CPU's half-filled slot because the write path runs with interrupts
 * disabled.
 *
 * Each stack goes into the stream once, with the first generation that
 * may use it: the table's fresh list (gotrace_fresh.h).
 *
 * A stack starts at the code that hit the tracepoint, whatever the other
 * tracers of the tracepoint: with gotrace's probe alone the tracepoint
 * calls it directly (a static call), with perf or ftrace attached too it
 * calls __traceiter_<name>, which calls each probe.  That frame is left
 * out like the module's own, so that one call site has one stack id.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/jhash.h>
#include <linux/stacktrace.h>
#include <linux/module.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>
#include <linux/kallsyms.h>
#include <linux/tracepoint.h>
#include "gotrace_write.h"
#include "gotrace_fresh.h"

#define GT_STACK_PROBES		32	/* slots tried before giving up */
#define GT_STACK_EXTRA		8	/* room for the probe's own frames */
#define GT_STACK_SPIN		1000	/* waits for a slot being filled */

struct gt_stack_slot {
	u32 hash;			/* 0: free */
	u32 nr;				/* frames, valid once ready */
	struct gt_fresh_slot fs;
};

/* The text of a tracepoint iterator: [start, start + size). */
struct gt_stack_skip {
	unsigned long start;
	unsigned long size;
};

struct gt_stacks {
	u32 entries;			/* a power of two */
	u32 depth;
	struct gt_stack_slot *slots;
	unsigned long *frames;		/* entries x depth */
	unsigned long __percpu *scratch;	/* depth + GT_STACK_EXTRA */
	atomic_t used;
	atomic64_t lost;
	struct gt_fresh fresh;		/* slots the stream lacks */
	u32 nr_skip;
	struct gt_stack_skip skip[GOTRACE_TP_COUNT];
};

/*
 * The extents of the __traceiter_<name> of gotrace's tracepoints, from
 * kallsyms ("__traceiter_<name>+0x0/0x<size>"), in process context at
 * START: the probes only compare addresses.
 */
static int gt_stacks_find_iterators(struct gt_stacks *s)
{
	unsigned long off, size;
	unsigned int i;
	char *sym, *p;

	sym = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!sym)
		return -ENOMEM;
	for (i = 0; i < GOTRACE_TP_COUNT; i++) {
		struct tracepoint *tp = gt_probes_tp(i);

		if (!tp || !tp->iterator)
			continue;
		sprint_symbol(sym, (unsigned long)tp->iterator);
		p = strrchr(sym, '+');
		if (!p || sscanf(p, "+%lx/%lx", &off, &size) != 2 || off ||
		    !size) {
			pr_warn_once("no extent of %s's iterator (%s): its stacks may differ with other tracers\n",
				     tp->name, sym);
			continue;
		}
		s->skip[s->nr_skip].start = (unsigned long)tp->iterator;
		s->skip[s->nr_skip].size = size;
		s->nr_skip++;
	}
	kfree(sym);
	return 0;
}

int gt_stacks_alloc(struct gt_trace *t)
{
	struct gt_stacks *s;
	size_t nframes;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	t->stacks = s;
	s->entries = roundup_pow_of_two(t->params.stack_entries);
	s->depth = t->params.stack_depth;
	if (check_mul_overflow((size_t)s->entries, (size_t)s->depth, &nframes))
		return -ENOMEM;
	s->slots = kvcalloc(s->entries, sizeof(*s->slots),
			    GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	s->frames = kvcalloc(nframes, sizeof(*s->frames),
			     GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	s->scratch = __alloc_percpu((s->depth + GT_STACK_EXTRA) *
				    sizeof(unsigned long), sizeof(long));
	if (!s->slots || !s->frames || !s->scratch)
		return -ENOMEM;
	gt_fresh_init(&s->fresh, &s->slots[0].fs, sizeof(*s->slots),
		      s->entries);
	return gt_stacks_find_iterators(s);
}

void gt_stacks_free(struct gt_trace *t)
{
	struct gt_stacks *s = t->stacks;

	if (!s)
		return;
	kvfree(s->slots);
	kvfree(s->frames);
	free_percpu(s->scratch);
	kfree(s);
	t->stacks = NULL;
}

/* The memory a stack table of p's size takes (START admits a trace by it). */
size_t gt_stacks_mem(const struct gotrace_start *p)
{
	size_t entries, depth = p->stack_depth;

	if (!(p->flags & GOTRACE_START_STACKS))
		return 0;
	entries = roundup_pow_of_two(p->stack_entries);
	return entries * (sizeof(struct gt_stack_slot) +
			  depth * sizeof(unsigned long));
}

/* Bytes of the largest STACK record of t. */
size_t gt_stack_rec_max(const struct gotrace_start *p)
{
	return sizeof(struct gotrace_stack) + p->stack_depth * sizeof(u64);
}

u64 gt_stacks_lost(struct gt_trace *t)
{
	return t->stacks ? atomic64_read(&t->stacks->lost) : 0;
}

static u32 gt_stack_insert(struct gt_stacks *s, const unsigned long *f,
			   u32 nr)
{
	u32 hash = jhash2((const u32 *)f, nr * (sizeof(*f) / sizeof(u32)),
			  nr) | 1;
	u32 mask = s->entries - 1, i, n, spin;

	for (n = 0, i = hash & mask; n < GT_STACK_PROBES; n++,
	     i = (i + 1) & mask) {
		struct gt_stack_slot *slot = &s->slots[i];
		unsigned long *frames = &s->frames[(size_t)i * s->depth];
		u32 h = READ_ONCE(slot->hash);

		if (!h) {
			h = cmpxchg(&slot->hash, 0, hash);
			if (!h) {
				memcpy(frames, f, nr * sizeof(*f));
				slot->nr = nr;
				/* Frames and nr before ready (acquire below). */
				gt_fresh_publish(&s->fresh, &slot->fs);
				atomic_inc(&s->used);
				return i + 1;
			}
		}
		if (h != hash)
			continue;
		/* Another CPU is filling it, interrupts off: short, bounded. */
		for (spin = 0; !gt_fresh_ready(&slot->fs); spin++) {
			if (spin == GT_STACK_SPIN)
				goto lost;
			cpu_relax();
		}
		if (slot->nr == nr && !memcmp(frames, f, nr * sizeof(*f)))
			return i + 1;
	}
lost:
	atomic64_inc(&s->lost);
	return 0;
}

/* A frame of gotrace or of the tracepoint's iterator: not the caller's. */
static bool gt_stack_skip(const struct gt_stacks *s, unsigned long ip)
{
	u32 i;

	if (within_module(ip, THIS_MODULE))
		return true;
	for (i = 0; i < s->nr_skip; i++)
		if (ip - s->skip[i].start < s->skip[i].size)
			return true;
	return false;
}

/* The current stack's id, 0 if it did not fit.  Write path only. */
u32 gt_stack_id(struct gt_trace *t)
{
	struct gt_stacks *s = t->stacks;
	unsigned long *f = this_cpu_ptr(s->scratch);
	unsigned int nr, skip = 0;

	nr = stack_trace_save(f, s->depth + GT_STACK_EXTRA, 0);
	/* Drop the probe, its helpers and the tracepoint's iterator. */
	while (skip < nr && gt_stack_skip(s, f[skip]))
		skip++;
	nr = min(nr - skip, s->depth);
	if (!nr)
		return 0;
	return gt_stack_insert(s, f + skip, nr);
}

/*
 * The longest interrupts-off section of the write path, for the tests
 * (the Debian kernels have no irqsoff tracer).  Off by default; when off
 * the write path only passes the gt_irqsoff_measure static key.  Setting
 * irqsoff_measure clears the maxima, clearing it keeps them; irqsoff_max_ns is the largest
 * over the CPUs, from the event's timestamp (just after local_irq_save) to
 * the restore.  irqsoff_hist counts the sections by duration: under 1 us,
 * then [2^(i-1), 2^i) us, the last one 2^(GT_IRQSOFF_BUCKETS-2) us and more
 * (in a VM the maximum is often the host not running the vCPU).
 */
#define GT_IRQSOFF_BUCKETS	16

struct gt_irqsoff {
	u64 max;
	u64 hist[GT_IRQSOFF_BUCKETS];
};

DEFINE_STATIC_KEY_FALSE(gt_irqsoff_measure);
static DEFINE_PER_CPU(struct gt_irqsoff, gt_irqsoff);

/* Write path, interrupts off. */
void gt_irqsoff_note(u64 start)
{
	struct gt_irqsoff *m = this_cpu_ptr(&gt_irqsoff);
	s64 d = ktime_get_mono_fast_ns() - start;

	if (d <= 0)
		return;
	if (d > m->max)
		m->max = d;
	m->hist[min(fls64(d >> 10), GT_IRQSOFF_BUCKETS - 1)]++;
}

static int gt_irqsoff_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int cpu, err = kstrtobool(val, &on);

	if (err)
		return err;
	static_branch_disable(&gt_irqsoff_measure);
	if (on) {
		for_each_possible_cpu(cpu)
			memset(per_cpu_ptr(&gt_irqsoff, cpu), 0,
			       sizeof(struct gt_irqsoff));
		static_branch_enable(&gt_irqsoff_measure);
	}
	return 0;
}

static int gt_irqsoff_get_max(char *buf, const struct kernel_param *kp)
{
	u64 max = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		max = max(max, READ_ONCE(per_cpu_ptr(&gt_irqsoff, cpu)->max));
	return scnprintf(buf, PAGE_SIZE, "%llu\n", max);
}

static int gt_irqsoff_get_hist(char *buf, const struct kernel_param *kp)
{
	int cpu, i, len = 0;

	for (i = 0; i < GT_IRQSOFF_BUCKETS; i++) {
		u64 n = 0;

		for_each_possible_cpu(cpu)
			n += READ_ONCE(per_cpu_ptr(&gt_irqsoff, cpu)->hist[i]);
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s%llu",
				 i ? " " : "", n);
	}
	return len + scnprintf(buf + len, PAGE_SIZE - len, "\n");
}

/* As param_get_bool() prints a bool. */
static int gt_irqsoff_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%c\n",
		       static_key_enabled(&gt_irqsoff_measure) ? 'Y' : 'N');
}

static const struct kernel_param_ops gt_irqsoff_ops = {
	.set = gt_irqsoff_set,
	.get = gt_irqsoff_get,
};

static const struct kernel_param_ops gt_irqsoff_max_ops = {
	.get = gt_irqsoff_get_max,
};

static const struct kernel_param_ops gt_irqsoff_hist_ops = {
	.get = gt_irqsoff_get_hist,
};

module_param_cb(irqsoff_measure, &gt_irqsoff_ops, NULL, 0600);
MODULE_PARM_DESC(irqsoff_measure,
		 "Record the longest interrupts-off time of the write path (tests)");
module_param_cb(irqsoff_max_ns, &gt_irqsoff_max_ops, NULL, 0400);
MODULE_PARM_DESC(irqsoff_max_ns,
		 "Longest interrupts-off time of the write path since irqsoff_measure was set");
module_param_cb(irqsoff_hist, &gt_irqsoff_hist_ops, NULL, 0400);
MODULE_PARM_DESC(irqsoff_hist,
		 "Interrupts-off sections of the write path: <1us, then power-of-two us buckets");

/* A generation closes: see gt_fresh_gen_take().  Under gt.lock. */
void gt_stacks_gen_take(struct gt_trace *t)
{
	if (t->stacks)
		gt_fresh_gen_take(&t->stacks->fresh);
}

static size_t gt_stack_rec(struct gt_stacks *s, u32 i, u8 *buf)
{
	struct gotrace_stack *st = (struct gotrace_stack *)buf;
	const unsigned long *frames = &s->frames[(size_t)i * s->depth];
	u64 *out = (u64 *)(st + 1);
	u32 j;

	st->rec.type = GOTRACE_REC_STACK;
	st->rec.len = sizeof(*st) + s->slots[i].nr * sizeof(u64);
	st->id = i + 1;
	st->nr = s->slots[i].nr;
	for (j = 0; j < st->nr; j++)
		out[j] = frames[j];
	return st->rec.len;
}

/*
 * Writes the closing generation's next STACK record into buf
 * (gt_stack_rec_max() bytes) and returns its length; 0: none left.
 */
size_t gt_stacks_gen_next(struct gt_trace *t, u8 *buf)
{
	struct gt_stacks *s = t->stacks;
	u32 i;

	if (!s || !gt_fresh_gen_next(&s->fresh, &i))
		return 0;
	return gt_stack_rec(s, i, buf);
}

/* The reader left mid-stream: see gt_fresh_restart(). */
void gt_stacks_restart(struct gt_trace *t)
{
	if (t->stacks)
		gt_fresh_restart(&t->stacks->fresh);
}

/* Distinct stacks in the table. */
u64 gt_stacks_count(struct gt_trace *t)
{
	return t->stacks ? atomic_read(&t->stacks->used) : 0;
}

/*
 * A snapshot's STACK records: every stack of the table that is ready now,
 * which includes every stack a batch queued before now refers to (a probe
 * sees its stack ready before it queues the batch).  Leaves the stream's
 * bookkeeping (fresh list, epochs) alone.  kvfree() the result; NULL with
 * *len 0: no stacks; NULL with *len 1: no memory.
 */
void *gt_stacks_snapshot(struct gt_trace *t, size_t *len, u32 *nr)
{
	struct gt_stacks *s = t->stacks;
	size_t total = 0, off = 0;
	u32 i, k, n = 0, *idx;
	u8 *buf;

	*len = 0;
	*nr = 0;
	if (!s)
		return NULL;
	*len = 1;
	idx = kvmalloc_array(s->entries, sizeof(*idx), GFP_KERNEL | __GFP_NOWARN);
	if (!idx)
		return NULL;
	for (i = 0; i < s->entries; i++) {
		if (!gt_fresh_ready(&s->slots[i].fs))
			continue;
		idx[n++] = i;
		total += sizeof(struct gotrace_stack) +
			 s->slots[i].nr * sizeof(u64);
		if (!(i & 1023))
			cond_resched();
	}
	buf = total ? kvmalloc(total, GFP_KERNEL | __GFP_NOWARN) : NULL;
	if (!buf) {
		kvfree(idx);
		if (!total)
			*len = 0;
		return NULL;
	}
	for (k = 0; k < n; k++)
		off += gt_stack_rec(s, idx[k], buf + off);
	kvfree(idx);
	*len = off;
	*nr = n;
	return buf;
}
