/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gotrace: which slots of a table filled by the probes (stacks, cgroups)
 * the stream still lacks, so that each goes into the stream once, with
 * the first generation that may use it (see the uapi header).
 *
 * A probe that claims a slot pushes it on the table's fresh list (an
 * llist: any context, any CPU) before it publishes it as ready
 * (gt_fresh_publish()); the reader, closing a generation, takes the fresh
 * list after the generation's last batch was taken off the queue
 * (gt_fresh_gen_take()).  An event that refers to a slot saw it ready
 * before its batch was queued, so every slot the generation uses was
 * pushed before the reader took the list, and is ready when the reader
 * looks: a slot found not yet ready is used by no batch taken so far and
 * goes back on the list for the next generation.  Which slots a stream
 * already carries is an epoch per slot: a reader that leaves mid-stream
 * bumps the table's epoch (gt_fresh_restart()), and the next stream's
 * first generation carries the whole table.
 */
#ifndef _GOTRACE_FRESH_H
#define _GOTRACE_FRESH_H

#include <linux/llist.h>
#include <linux/types.h>
#include <asm/barrier.h>

/* Embedded in each slot of the table. */
struct gt_fresh_slot {
	u32 ready;			/* the slot's content is valid */
	u32 sent;			/* epoch of the stream that has it */
	struct llist_node node;		/* on gt_fresh.list */
};

struct gt_fresh {
	struct llist_head list;		/* claimed slots not yet sent */
	/* Slot i's gt_fresh_slot is at base + i * stride. */
	void *base;
	size_t stride;
	u32 size;			/* slots in the table */
	/* Reader side, under gt.lock. */
	struct llist_node *pending;	/* taken off list, oldest first */
	u32 epoch;			/* of the stream being read */
	u32 scan;			/* next slot of a full resend */
	bool resend;			/* next generation: the whole table */
};

/*
 * The table is an array of size elements of stride bytes, the first one's
 * gt_fresh_slot at first.
 */
void gt_fresh_init(struct gt_fresh *f, struct gt_fresh_slot *first,
		   size_t stride, u32 size);
void gt_fresh_gen_take(struct gt_fresh *f);
bool gt_fresh_gen_next(struct gt_fresh *f, u32 *i);
void gt_fresh_restart(struct gt_fresh *f);

/*
 * Write path, once per slot, after the slot's content: on the list
 * before ready (see above), the content before ready (acquire in
 * gt_fresh_ready()).
 */
static inline void gt_fresh_publish(struct gt_fresh *f,
				    struct gt_fresh_slot *fs)
{
	llist_add(&fs->node, &f->list);
	/* The content and the list before ready: gt_fresh_ready(). */
	smp_store_release(&fs->ready, 1);
}

/* The slot's content is valid (pairs with gt_fresh_publish()). */
static inline bool gt_fresh_ready(struct gt_fresh_slot *fs)
{
	/* Pairs with the release in gt_fresh_publish(). */
	return smp_load_acquire(&fs->ready);
}

#endif /* _GOTRACE_FRESH_H */
