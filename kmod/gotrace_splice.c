// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: splice_read() of /dev/gotrace, the stream of read() without
 * the copy: a batch's pages go into the pipe as they are.
 *
 * The bytes are those read() gives, in the same order, through the same
 * reader steps (gt_reader_next(), gt_reader_advance()): header first,
 * generations, STACK and GENERATION records, CPU_ENDs and END, one reader,
 * end of file after END.  A reader may mix read() and splice(): both take
 * the stream where the other left it.
 *
 * A batch page in a pipe must not be written again until the pipe lets go
 * of it, so a batch with pages in a pipe gets a struct gt_spliced, which
 * counts the pipe buffers holding its pages (tee() adds some) and whether
 * the reader is still inside it.  When both are done the batch goes back
 * to its CPU's free list; until then its CPU can't fill it, and drops and
 * counts events if it runs out of buffers, as with a slow read().  If the
 * trace is freed first (START --discard after STOP, module exit is held
 * off), the batch's memory becomes the gt_spliced's and is freed with it.
 *
 * The records built apart from the batches (head, STACK, GENERATION,
 * CPU_END, END) are copied into pages of their own.  So is a batch in
 * slab memory (batches smaller than 16 KiB): a slab page can't be handed
 * on with its own reference count (the network stack refuses it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/splice.h>
#include <linux/vmalloc.h>
#include "gotrace.h"
#include "gotrace_compat.h"

/* A batch with pages in pipes. */
struct gt_spliced {
	struct list_head node;	/* on gt_spliced_list */
	struct gt_trace *t;
	struct gt_buf *b;	/* NULL: the trace is gone, data is ours */
	u8 *data;		/* b->data */
	unsigned int pipe_refs;	/* pipe buffers holding its pages */
	bool reader_in;		/* the reader has not left the batch */
};

/* Guards every gt_spliced and b->spliced against the pipes' releases. */
static DEFINE_SPINLOCK(gt_spliced_lock);
static LIST_HEAD(gt_spliced_list);

/*
 * Does anyone besides the batch's own allocation hold one of its pages?
 * A socket does: the splice-to-socket paths get_page() each page and send
 * it after the pipe buffer is released (TCP may send it again later).
 * Such a batch is never filled again; it stays out of the free list until
 * the trace's buffers are freed, which drops only the pool's reference.
 */
static bool gt_batch_pages_shared(const u8 *data, u32 size)
{
	u32 off;

	if (!is_vmalloc_addr(data))	/* one compound page: one count */
		return page_count(virt_to_page(data)) > 1;
	for (off = 0; off < size; off += PAGE_SIZE)
		if (page_count(vmalloc_to_page(data + off)) > 1)
			return true;
	return false;
}

/* Under gt_spliced_lock: s is done with, if no one holds it any more. */
static bool gt_spliced_unused(struct gt_spliced *s)
{
	struct gt_buf *b = s->b;

	if (s->pipe_refs || s->reader_in)
		return false;
	list_del(&s->node);
	if (b) {
		b->spliced = NULL;
		s->data = NULL;
		if (gt_batch_pages_shared(b->data, s->t->batch_size))
			s->t->splice_retired++;
		else
			gt_buf_give_back(s->t, b);
	}
	return true;
}

/* After gt_spliced_unused(): outside the lock. */
static void gt_spliced_free(struct gt_spliced *s)
{
	kvfree(s->data);
	kfree(s);
	/* The pipe buffer ops are ours: the module stays while s lives. */
	module_put(THIS_MODULE);
}

/* The reader finished batch b (gt_advance()).  Under gt.lock. */
void gt_buf_reader_done(struct gt_trace *t, struct gt_buf *b)
{
	struct gt_spliced *s;
	bool unused;

	spin_lock(&gt_spliced_lock);
	s = b->spliced;
	if (!s) {
		spin_unlock(&gt_spliced_lock);
		gt_buf_give_back(t, b);
		return;
	}
	s->reader_in = false;
	unused = gt_spliced_unused(s);
	spin_unlock(&gt_spliced_lock);
	if (unused)
		gt_spliced_free(s);
}

/*
 * t's buffers are about to be freed: the batches pipes still hold keep
 * their memory (b->data is cleared, so it is not freed with the pool).
 * Under gt.lock, or with no reader possible.
 */
void gt_splice_detach(struct gt_trace *t)
{
	struct gt_spliced *s, *tmp;
	LIST_HEAD(unused);

	spin_lock(&gt_spliced_lock);
	list_for_each_entry_safe(s, tmp, &gt_spliced_list, node) {
		if (s->t != t)
			continue;
		if (s->b) {
			s->b->spliced = NULL;
			s->b->data = NULL;
			s->b = NULL;
		}
		s->reader_in = false;
		if (gt_spliced_unused(s))
			list_add(&s->node, &unused);
	}
	spin_unlock(&gt_spliced_lock);
	list_for_each_entry_safe(s, tmp, &unused, node)
		gt_spliced_free(s);
}

static void gt_spliced_buf_release(struct pipe_inode_info *pipe,
				   struct pipe_buffer *buf)
{
	struct gt_spliced *s = (struct gt_spliced *)buf->private;
	bool unused;

	spin_lock(&gt_spliced_lock);
	s->pipe_refs--;
	unused = gt_spliced_unused(s);
	spin_unlock(&gt_spliced_lock);
	if (unused)
		gt_spliced_free(s);
}

/* tee(): one more pipe buffer on the same pages. */
static bool gt_spliced_buf_get(struct pipe_inode_info *pipe,
			       struct pipe_buffer *buf)
{
	struct gt_spliced *s = (struct gt_spliced *)buf->private;

	spin_lock(&gt_spliced_lock);
	s->pipe_refs++;
	spin_unlock(&gt_spliced_lock);
	return true;
}

/* Not stealable (no try_steal): the page goes back to the pool. */
static const struct pipe_buf_operations gt_spliced_buf_ops = {
	.release	= gt_spliced_buf_release,
	.get		= gt_spliced_buf_get,
};

/* The gt_spliced of the batch being read, made on its first splice. */
static struct gt_spliced *gt_spliced_get(struct gt_trace *t, struct gt_buf *b,
					 struct gt_spliced **spare)
{
	struct gt_spliced *s = b->spliced;

	if (s)
		return s;
	s = *spare;
	*spare = NULL;
	s->t = t;
	s->b = b;
	s->data = b->data;
	s->pipe_refs = 0;
	s->reader_in = true;
	__module_get(THIS_MODULE);
	spin_lock(&gt_spliced_lock);
	list_add(&s->node, &gt_spliced_list);
	b->spliced = s;
	spin_unlock(&gt_spliced_lock);
	return s;
}

static struct page *gt_data_page(const u8 *p)
{
	return is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);
}

/*
 * Puts up to a page of part at src into the pipe: the batch's own page,
 * or a copy.  Returns the bytes put in, or an error.  Under gt.lock.
 */
static ssize_t gt_splice_one(struct pipe_inode_info *pipe,
			     struct gt_trace *t, enum gt_part part,
			     const u8 *src, size_t len,
			     struct gt_spliced **spare)
{
	struct pipe_buffer buf = { };
	struct page *page = NULL;
	size_t off = offset_in_page(src);

	if (part == GT_PART_BATCH) {
		page = gt_data_page(src);
		if (PageSlab(page))
			page = NULL;
	}
	if (page) {
		struct gt_spliced *s = gt_spliced_get(t, t->rd_buf, spare);

		len = min_t(size_t, len, PAGE_SIZE - off);
		spin_lock(&gt_spliced_lock);
		s->pipe_refs++;
		spin_unlock(&gt_spliced_lock);
		buf.page = page;
		buf.offset = off;
		buf.ops = &gt_spliced_buf_ops;
		buf.private = (unsigned long)s;
	} else {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			return -ENOMEM;
		len = min_t(size_t, len, PAGE_SIZE);
		memcpy(page_address(page), src, len);
		buf.page = page;
		buf.ops = &nosteal_pipe_buf_ops;
	}
	buf.len = len;
	/* Releases buf when the pipe has no reader (EPIPE, with SIGPIPE). */
	return add_to_pipe(pipe, &buf);
}

ssize_t gt_splice_read(struct file *f, loff_t *ppos,
		       struct pipe_inode_info *pipe, size_t len,
		       unsigned int flags)
{
	bool nonblock = (flags & SPLICE_F_NONBLOCK) ||
			(f->f_flags & O_NONBLOCK);
	struct gt_spliced *spare = NULL;
	size_t done = 0;
	ssize_t err;

	if (!len)
		return 0;
	err = gt_reader_lock(f);
	if (err)
		return err;
	while (done < len) {
		struct gt_trace *t;
		enum gt_part part;
		const u8 *src;
		size_t n;

		if (pipe_full(pipe->head, pipe->tail, pipe->max_usage)) {
			err = done ? 0 : -EAGAIN;
			break;
		}
		if (!spare) {
			spare = kzalloc(sizeof(*spare), GFP_KERNEL);
			if (!spare) {
				err = -ENOMEM;
				break;
			}
		}
		err = gt_reader_next(f, nonblock, done, &t, &part, &src, &n);
		if (err <= 0)
			break;
		err = gt_splice_one(pipe, t, part, src, min(n, len - done),
				    &spare);
		/* On error, advancing by nothing just lets go of the lock. */
		gt_reader_advance(f, t, part, max_t(ssize_t, err, 0));
		if (err < 0)
			break;
		done += err;
		err = 0;
	}
	gt_reader_unlock(f);
	kfree(spare);
	return done ? done : err;
}
