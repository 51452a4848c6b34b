// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: the table of distinct kernel stacks.
 *
 * Like Go's traceStackTable and the kernel's stackdepot, each distinct
 * stack is stored once and events refer to it by id.  The table is
 * preallocated at start and filled from the probes without locks: a slot
 * is claimed by cmpxchg on its hash, filled, then published.  A probe that
 * meets a slot another CPU is still filling waits for it (a few dozen
 * stores with interrupts off on that CPU); a probe can't meet its own CPU's
 * half-filled slot because the write path runs with interrupts disabled.
 * The stacks are written once each, at the end of the trace, as Go does.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/jhash.h>
#include <linux/stacktrace.h>
#include <linux/module.h>
#include <linux/log2.h>
#include "gotrace_write.h"

#define GT_STACK_PROBES		32	/* slots tried before giving up */
#define GT_STACK_EXTRA		8	/* room for the probe's own frames */

struct gt_stack_slot {
	u32 hash;			/* 0: free */
	u32 nr;				/* frames, valid once ready */
	u32 ready;
};

struct gt_stacks {
	u32 entries;			/* a power of two */
	u32 depth;
	struct gt_stack_slot *slots;
	unsigned long *frames;		/* entries x depth */
	unsigned long __percpu *scratch;	/* depth + GT_STACK_EXTRA */
	atomic_t used;
	atomic64_t lost;
};

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
	return 0;
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

/*
 * The most memory a stack table of p's size takes, with the copy of its
 * STACK records made at STOP (START admits a trace by it).
 */
size_t gt_stacks_mem(const struct gotrace_start *p)
{
	size_t entries, depth = p->stack_depth;

	if (!(p->flags & GOTRACE_START_STACKS))
		return 0;
	entries = roundup_pow_of_two(p->stack_entries);
	return entries * (sizeof(struct gt_stack_slot) +
			  depth * sizeof(unsigned long)) +
	       entries * (sizeof(struct gotrace_stack) + depth * sizeof(u64));
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
	u32 mask = s->entries - 1, i, n;

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
				smp_store_release(&slot->ready, 1);
				atomic_inc(&s->used);
				return i + 1;
			}
		}
		if (h != hash)
			continue;
		/* Another CPU is filling it, interrupts off: short. */
		while (!smp_load_acquire(&slot->ready))
			cpu_relax();
		if (slot->nr == nr && !memcmp(frames, f, nr * sizeof(*f)))
			return i + 1;
	}
	atomic64_inc(&s->lost);
	return 0;
}

/* The current stack's id, 0 if it did not fit.  Write path only. */
u32 gt_stack_id(struct gt_trace *t)
{
	struct gt_stacks *s = t->stacks;
	unsigned long *f = this_cpu_ptr(s->scratch);
	unsigned int nr, skip = 0;

	nr = stack_trace_save(f, s->depth + GT_STACK_EXTRA, 0);
	/* Drop the frames of gotrace itself: the probe and its helpers. */
	while (skip < nr && within_module(f[skip], THIS_MODULE))
		skip++;
	nr = min(nr - skip, s->depth);
	if (!nr)
		return 0;
	return gt_stack_insert(s, f + skip, nr);
}

/* Bytes of the STACK records; the table no longer changes. */
size_t gt_stacks_size(struct gt_trace *t)
{
	struct gt_stacks *s = t->stacks;
	size_t len = 0;
	u32 i;

	if (!s)
		return 0;
	for (i = 0; i < s->entries; i++)
		if (s->slots[i].ready)
			len += sizeof(struct gotrace_stack) +
			       s->slots[i].nr * sizeof(u64);
	return len;
}

/* Writes the STACK records to buf (gt_stacks_size() bytes). */
u64 gt_stacks_write(struct gt_trace *t, u8 *buf)
{
	struct gt_stacks *s = t->stacks;
	u64 count = 0;
	u32 i, j;

	if (!s)
		return 0;
	for (i = 0; i < s->entries; i++) {
		struct gt_stack_slot *slot = &s->slots[i];
		struct gotrace_stack *st = (struct gotrace_stack *)buf;
		u64 *out = (u64 *)(st + 1);

		if (!slot->ready)
			continue;
		st->rec.type = GOTRACE_REC_STACK;
		st->rec.len = sizeof(*st) + slot->nr * sizeof(u64);
		st->id = i + 1;
		st->nr = slot->nr;
		for (j = 0; j < slot->nr; j++)
			out[j] = s->frames[(size_t)i * s->depth + j];
		buf += st->rec.len;
		count++;
	}
	return count;
}
