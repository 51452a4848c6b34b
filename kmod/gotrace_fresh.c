// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: the reader side of a table's fresh list (see gotrace_fresh.h).
 * Under gt.lock.
 */
#include "gotrace_fresh.h"

static struct gt_fresh_slot *gt_fresh_slot(struct gt_fresh *f, u32 i)
{
	return f->base + (size_t)i * f->stride;
}

static u32 gt_fresh_index(struct gt_fresh *f, struct gt_fresh_slot *fs)
{
	return ((void *)fs - f->base) / f->stride;
}

void gt_fresh_init(struct gt_fresh *f, struct gt_fresh_slot *first,
		   size_t stride, u32 size)
{
	init_llist_head(&f->list);
	f->base = first;
	f->stride = stride;
	f->size = size;
	f->pending = NULL;
	f->epoch = 1;
	f->scan = size;
	f->resend = false;
}

/*
 * A generation closes: the slots it may use are those pushed on the list
 * so far (after a reader left, the whole table).  After the generation's
 * last batch was taken.
 */
void gt_fresh_gen_take(struct gt_fresh *f)
{
	f->pending = llist_reverse_order(llist_del_all(&f->list));
	f->scan = f->resend ? 0 : f->size;
	f->resend = false;
}

/* Slot i for the stream, if it is ready and the stream lacks it. */
static bool gt_fresh_to_send(struct gt_fresh *f, struct gt_fresh_slot *fs)
{
	if (!gt_fresh_ready(fs) || fs->sent == f->epoch)
		return false;
	fs->sent = f->epoch;
	return true;
}

/*
 * The closing generation's next slot for the stream into *i, counted as
 * sent; false: none left.  A pending slot not ready yet goes back on the
 * list: no batch taken so far uses it.
 */
bool gt_fresh_gen_next(struct gt_fresh *f, u32 *i)
{
	struct llist_node *n;

	while ((n = f->pending)) {
		struct gt_fresh_slot *fs;

		f->pending = n->next;
		fs = llist_entry(n, struct gt_fresh_slot, node);
		if (!gt_fresh_ready(fs)) {
			llist_add(&fs->node, &f->list);
			continue;
		}
		if (gt_fresh_to_send(f, fs)) {
			*i = gt_fresh_index(f, fs);
			return true;
		}
	}
	while (f->scan < f->size) {
		*i = f->scan++;
		if (gt_fresh_to_send(f, gt_fresh_slot(f, *i)))
			return true;
	}
	return false;
}

/*
 * The reader left mid-stream: the next stream starts over, so its first
 * generation carries the whole table.  Slots still pending go back on
 * the list (one not ready may be used by a later batch).
 */
void gt_fresh_restart(struct gt_fresh *f)
{
	struct llist_node *n;

	while ((n = f->pending)) {
		f->pending = n->next;
		llist_add(n, &f->list);
	}
	f->epoch++;
	f->resend = true;
	f->scan = f->size;
}
