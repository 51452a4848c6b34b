// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: the flight recorder (GOTRACE_START_FLIGHT) and its snapshots.
 *
 * As Go's runtime/trace.FlightRecorder, a flight trace keeps the most
 * recent generations in memory and nobody reads the stream.  The probes
 * are those of any trace: they fill their CPU's batches and queue full
 * ones on the trace's llist, with the deferred wakeup (for every batch:
 * no watermark, see gt_queue_batch()).  The wakeup (and
 * the flush work, every flush period) queues gt_flight_work, which under
 * gt.lock moves the queued batches into the ring: one FIFO of batches,
 * oldest first, each tagged with the generation it went into.  The ring
 * is global rather than per CPU because a generation spans the CPUs and
 * is overwritten whole; its memory is still per CPU, since its batches
 * are the CPUs' own pools (buffer_size each): the ring gives the oldest
 * generation's batches back to their CPUs whenever a CPU holds more than
 * three quarters of its pool in the ring, so each CPU keeps a quarter
 * free for the probes to fill until the work runs again.  No probe ever
 * waits for the ring or takes a lock: a CPU that finds no free batch
 * loses events and counts them, as in a streaming trace.
 *
 * A generation closes after a flush period (as the stream's) or once a
 * CPU put a third of what the ring keeps of it into it, so that the ring
 * holds several generations and overwrites a fraction of its window at a
 * time.  At each close (at most every 10 ms), the pids named so far are
 * forgotten, so each generation names again (COMM) the tasks it mentions:
 * a window that starts after a task's first COMM still names it.
 *
 * A snapshot (GOTRACE_IOC_SNAPSHOT) flushes the CPUs' partial batches (an
 * IPI: the flush timer's work, done now), moves them into the ring,
 * closes the open generation and pins the ring: until the snapshot is
 * copied the ring overwrites nothing (gt_flight_collect() still adds to
 * it).  The copy runs without gt.lock; gt.snapshotting keeps START from
 * freeing the batches meanwhile (gotrace_main.c).  The file is built in
 * memory charged to the caller, and read through a descriptor of its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/cpu.h>
#include <linux/smp.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/anon_inodes.h>
#include <linux/uaccess.h>
#include <linux/bitmap.h>
#include <linux/threads.h>
#include "gotrace_write.h"

#define GT_FLIGHT_NAMES_NS	(10 * NSEC_PER_MSEC)

struct gt_flight {
	struct llist_node *head;	/* the ring, oldest first */
	struct llist_node *tail;
	u32 batches;			/* in the ring */
	u64 bytes;
	u32 gen;			/* the open generation, from 1 */
	u64 gen_open_ns;
	u32 gen_first;			/* the oldest generation in the ring */
	u64 names_ns;			/* when the pids named were forgotten */
	bool pinned;			/* a snapshot is copying the ring */
	u64 ow_batches;			/* overwritten */
	u64 ow_events;
	u64 ow_lost;
	u64 ow_gens;
	u32 *first_seq;			/* by CPU: seq of its oldest batch */
};

/* A snapshot being built, then the file read through its descriptor. */
struct gt_snap {
	struct gt_buf **bufs;		/* the ring at the snapshot, oldest first */
	u32 nr;
	u32 gens;
	u64 snap_ns;
	u64 gen_last_close_ns;
	struct gotrace_window win;
	u32 *first_seq;
	void *cgroups;			/* CGROUP records, read under gt.lock */
	size_t cgroups_len;
	u32 nr_cgroups;
	void *triggers;			/* TRIGGERS record, or NULL */
	size_t triggers_len;
	u8 *data;			/* the file */
	size_t len;
};

int gt_flight_alloc(struct gt_trace *t)
{
	struct gt_flight *f;

	if (!(t->params.flags & GOTRACE_START_FLIGHT))
		return 0;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	t->flight = f;
	f->first_seq = kvcalloc(nr_cpu_ids, sizeof(*f->first_seq), GFP_KERNEL);
	if (!f->first_seq)
		return -ENOMEM;
	f->gen = 1;
	f->gen_first = 1;
	f->gen_open_ns = ktime_get_mono_fast_ns();
	return 0;
}

/* With the trace's buffers: the ring only points at them. */
void gt_flight_free(struct gt_trace *t)
{
	struct gt_flight *f = t->flight;

	if (!f)
		return;
	kvfree(f->first_seq);
	kfree(f);
	t->flight = NULL;
}

/* Batches a CPU may have in the ring: its pool but a quarter. */
static unsigned int gt_flight_keep(const struct gt_cpu *c)
{
	unsigned int nr = READ_ONCE(c->nr_bufs);

	return nr - max(1U, nr / 4);
}

static void gt_flight_gen_close(struct gt_trace *t)
{
	struct gt_flight *f = t->flight;
	unsigned int cpu;

	f->gen++;
	f->gen_open_ns = ktime_get_mono_fast_ns();
	for_each_possible_cpu(cpu)
		per_cpu_ptr(t->cpu, cpu)->flight_gen_held = 0;
	/*
	 * Name the tasks again in the next generation (see the top): a
	 * bitmap of PID_MAX_LIMIT bits, so not more often than every
	 * GT_FLIGHT_NAMES_NS when a small ring closes generations fast.
	 */
	if (f->gen_open_ns - f->names_ns >= GT_FLIGHT_NAMES_NS) {
		bitmap_zero(t->comm_seen, PID_MAX_LIMIT);
		/* And give their cgroups again. */
		if (t->cgroup_seen)
			bitmap_zero(t->cgroup_seen, PID_MAX_LIMIT);
		f->names_ns = f->gen_open_ns;
	}
}

/* Gives the oldest generation's batches back to their CPUs. */
static void gt_flight_drop_oldest(struct gt_trace *t)
{
	struct gt_flight *f = t->flight;
	struct llist_node *n;
	u32 gen;

	if (!f->head)
		return;
	gen = llist_entry(f->head, struct gt_buf, node)->gen;
	if (gen == f->gen)
		gt_flight_gen_close(t);
	while ((n = f->head)) {
		struct gt_buf *b = llist_entry(n, struct gt_buf, node);
		struct gotrace_batch *bh = (struct gotrace_batch *)b->data;
		struct gt_cpu *c = per_cpu_ptr(t->cpu, b->cpu);

		if (b->gen != gen)
			break;
		f->head = n->next;
		if (!f->head)
			f->tail = NULL;
		f->batches--;
		f->bytes -= bh->rec.len;
		f->ow_batches++;
		f->ow_events += bh->nr_events;
		f->ow_lost += bh->lost;
		f->first_seq[b->cpu] = bh->seq + 1;
		c->flight_held--;
		gt_buf_give_back(t, b);
	}
	f->ow_gens++;
	f->gen_first = gen + 1;
}

static bool gt_flight_over(struct gt_trace *t)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);

		if (c->flight_held > gt_flight_keep(c))
			return true;
	}
	return false;
}

/*
 * Moves the queued batches into the ring, closes the open generation when
 * due (or now: close), and overwrites the oldest generations while a CPU
 * holds too much of its pool (not while a snapshot copies).  Under gt.lock.
 */
void gt_flight_collect(struct gt_trace *t, bool close)
{
	struct gt_flight *f = t->flight;
	u64 period = (u64)t->params.flush_ms * NSEC_PER_MSEC;
	struct llist_node *n = llist_del_all(&t->full);
	bool due = false;

	n = llist_reverse_order(n);
	while (n) {
		struct llist_node *next = n->next;
		struct gt_buf *b = llist_entry(n, struct gt_buf, node);
		struct gt_cpu *c = per_cpu_ptr(t->cpu, b->cpu);
		u32 len = ((struct gotrace_batch *)b->data)->rec.len;

		atomic64_sub(len, &t->queued_bytes);
		b->gen = f->gen;
		b->gen_open_ns = f->gen_open_ns;
		n->next = NULL;
		if (f->tail)
			f->tail->next = n;
		else
			f->head = n;
		f->tail = n;
		f->batches++;
		f->bytes += len;
		c->flight_held++;
		if (++c->flight_gen_held >= max(1U, gt_flight_keep(c) / 3))
			due = true;
		n = next;
	}
	if (f->tail && llist_entry(f->tail, struct gt_buf, node)->gen == f->gen &&
	    (close || due ||
	     ktime_get_mono_fast_ns() - f->gen_open_ns >= period))
		gt_flight_gen_close(t);
	while (!f->pinned && f->head && gt_flight_over(t))
		gt_flight_drop_oldest(t);
}

/* The window's first and last event times: walks the ring. */
static void gt_flight_span(struct gt_flight *f, u64 *start, u64 *end)
{
	struct llist_node *n;

	*start = 0;
	*end = 0;
	for (n = f->head; n; n = n->next) {
		struct gt_buf *b = llist_entry(n, struct gt_buf, node);
		u64 base = ((struct gotrace_batch *)b->data)->base_ts;

		if (!*start || base < *start)
			*start = base;
		if (b->last_ts > *end)
			*end = b->last_ts;
	}
}

/* STATUS's flight fields.  Under gt.lock. */
void gt_flight_status(struct gt_trace *t, struct gotrace_status *st)
{
	struct gt_flight *f = t->flight;
	u32 gens = 0;

	if (!f)
		return;
	gt_flight_span(f, &st->flight_start_ns, &st->flight_end_ns);
	if (f->head)
		gens = f->gen - f->gen_first;
	st->flight_bytes = f->bytes;
	st->flight_batches = f->batches;
	st->flight_generations = gens;
	st->flight_overwritten = f->ow_batches;
}

/* IPI: the flush timer's work, now (interrupts are off). */
static void gt_flight_flush_cpu(void *arg)
{
	struct gt_trace *t = arg;
	struct gt_cpu *c = this_cpu_ptr(t->cpu);

	if (c->bufs && c->cur && c->cur->len > sizeof(struct gotrace_batch) &&
	    !llist_empty(&c->free))
		gt_queue_buf(t, c);
}

void gt_flight_snap_free(struct gt_snap *s)
{
	if (!s)
		return;
	kvfree(s->bufs);
	kvfree(s->first_seq);
	kvfree(s->cgroups);
	kvfree(s->triggers);
	kvfree(s->data);
	kfree(s);
}

/*
 * Takes the window: every batch written so far into the ring, the open
 * generation closed, the ring pinned.  Under gt.lock.
 */
struct gt_snap *gt_flight_snap_begin(struct gt_trace *t)
{
	struct gt_flight *f = t->flight;
	struct llist_node *n;
	struct gt_snap *s;
	unsigned int cpu;
	u64 end;
	u32 i = 0;

	if (!t->stopped) {
		cpus_read_lock();
		on_each_cpu(gt_flight_flush_cpu, t, 1);
		/* An offline CPU writes nothing: the flush work's job. */
		for_each_possible_cpu(cpu) {
			struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);

			if (!cpu_online(cpu) && c->cur)
				gt_queue_buf(t, c);
		}
		cpus_read_unlock();
	}
	gt_flight_collect(t, true);

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->bufs = kvmalloc_array(max(f->batches, 1U), sizeof(*s->bufs),
				 GFP_KERNEL | __GFP_NOWARN);
	s->first_seq = kvmalloc_array(nr_cpu_ids, sizeof(*s->first_seq),
				      GFP_KERNEL);
	/* Paths are read here: under gt.lock, as the stream's reader does. */
	s->cgroups = gt_cgroups_snapshot(t, &s->cgroups_len, &s->nr_cgroups);
	if (!s->bufs || !s->first_seq || (!s->cgroups && s->cgroups_len)) {
		gt_flight_snap_free(s);
		return ERR_PTR(-ENOMEM);
	}
	for (n = f->head; n; n = n->next)
		s->bufs[i++] = llist_entry(n, struct gt_buf, node);
	s->nr = i;
	/* The fired triggers whose events the ring holds, as it is now. */
	s->triggers = gt_triggers_record(t, s->bufs, s->nr, &s->triggers_len);
	if (IS_ERR(s->triggers)) {
		s->triggers = NULL;
		gt_flight_snap_free(s);
		return ERR_PTR(-ENOMEM);
	}
	s->gens = i ? f->gen - f->gen_first : 0;
	s->snap_ns = ktime_get_mono_fast_ns();
	s->gen_last_close_ns = f->gen_open_ns;
	memcpy(s->first_seq, f->first_seq, nr_cpu_ids * sizeof(*s->first_seq));
	s->win.rec.type = GOTRACE_REC_WINDOW;
	s->win.nr_cpus = nr_cpu_ids;
	s->win.snapshot_ns = s->snap_ns;
	s->win.overwritten_batches = f->ow_batches;
	s->win.overwritten_events = f->ow_events;
	s->win.overwritten_lost = f->ow_lost;
	s->win.overwritten_generations = f->ow_gens;
	s->win.gen_first = f->gen_first;
	gt_flight_span(f, &s->win.start_ns, &end);
	f->pinned = true;
	return s;
}

/* The snapshot is copied: the ring may overwrite again.  Under gt.lock. */
void gt_flight_snap_end(struct gt_trace *t, struct gt_snap *s)
{
	t->flight->pinned = false;
	kvfree(s->bufs);
	s->bufs = NULL;
	gt_flight_collect(t, false);
}

/* The length of the head's records before TASKS (magic to ZONES). */
static size_t gt_flight_head_prefix(const struct gt_trace *t)
{
	size_t off = GOTRACE_MAGIC_LEN;

	while (off < t->head_len) {
		const struct gotrace_record *r = (void *)(t->head + off);

		if (r->type == GOTRACE_REC_TASKS)
			break;
		off += r->len;
	}
	return off;
}

static u8 *gt_snap_put_gen(u8 *p, u32 gen, u32 batches, u32 stacks,
			   u32 cgroups, u64 open_ns, u64 close_ns, u64 bytes)
{
	struct gotrace_generation *g = (struct gotrace_generation *)p;

	g->rec.type = GOTRACE_REC_GENERATION;
	g->rec.len = sizeof(*g);
	g->gen = gen;
	g->batches = batches;
	g->stacks = stacks;
	g->cgroups = cgroups;
	g->open_ns = open_ns;
	g->close_ns = close_ns;
	g->bytes = bytes;
	return p + sizeof(*g);
}

/*
 * Builds the file from the pinned ring.  No lock held: gt.snapshotting
 * keeps the batches and the head alive, and a pinned ring gives none back.
 */
int gt_flight_snap_build(struct gt_trace *t, struct gt_snap *s)
{
	size_t prefix = gt_flight_head_prefix(t), tasks_len, stacks_len;
	size_t win_len, end_len, total;
	struct gotrace_cpu_end *ce;
	struct gotrace_end *e;
	void *tasks, *stacks;
	u32 nstacks, i, gen = 0, first = 0, gbatches = 0, cpu;
	u64 gbytes = 0, filtered = 0;
	u8 *p;
	int err = -ENOMEM;

	tasks = gt_tasks_record(&tasks_len);
	stacks = gt_stacks_snapshot(t, &stacks_len, &nstacks);
	if (!tasks || (!stacks && stacks_len))
		goto out;
	win_len = ALIGN(sizeof(s->win) + nr_cpu_ids * sizeof(u32), 8);
	end_len = nr_cpu_ids * sizeof(*ce) + sizeof(*e);
	/* The tables go in the first generation: there is none without batches. */
	if (!s->nr) {
		stacks_len = 0;
		nstacks = 0;
		s->cgroups_len = 0;
		s->nr_cgroups = 0;
	}
	total = prefix + tasks_len + win_len + s->triggers_len +
		s->cgroups_len + stacks_len + end_len +
		s->gens * sizeof(struct gotrace_generation);
	for (i = 0; i < s->nr; i++)
		total += ((struct gotrace_batch *)s->bufs[i]->data)->rec.len;
	/* The caller's memory, until it closes the descriptor. */
	s->data = kvzalloc(total, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!s->data)
		goto out;

	p = s->data;
	memcpy(p, t->head, prefix);
	p += prefix;
	memcpy(p, tasks, tasks_len);
	p += tasks_len;
	s->win.rec.len = win_len;
	memcpy(p, &s->win, sizeof(s->win));
	memcpy(p + sizeof(s->win), s->first_seq, nr_cpu_ids * sizeof(u32));
	p += win_len;
	/* TRIGGERS after WINDOW, before the first batch (uapi header). */
	if (s->triggers) {
		memcpy(p, s->triggers, s->triggers_len);
		p += s->triggers_len;
	}

	/* CPU_END and END go last; counted while the batches are copied. */
	ce = (struct gotrace_cpu_end *)(s->data + total - end_len);
	e = (struct gotrace_end *)(ce + nr_cpu_ids);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		ce[cpu].rec.type = GOTRACE_REC_CPU_END;
		ce[cpu].rec.len = sizeof(*ce);
		ce[cpu].cpu = cpu;
		ce[cpu].batches = s->first_seq[cpu];
	}
	for (i = 0; i <= s->nr; i++) {
		struct gt_buf *b = i < s->nr ? s->bufs[i] : NULL;
		struct gotrace_batch *bh;

		if (i && (!b || b->gen != s->bufs[first]->gen)) {
			/*
			 * The first generation carries the whole stack and
			 * cgroup tables (in the stream's order).
			 */
			if (!gen) {
				memcpy(p, stacks, stacks_len);
				p += stacks_len;
				memcpy(p, s->cgroups, s->cgroups_len);
				p += s->cgroups_len;
			}
			gen++;
			p = gt_snap_put_gen(p, gen, gbatches,
					    gen == 1 ? nstacks : 0,
					    gen == 1 ? s->nr_cgroups : 0,
					    s->bufs[first]->gen_open_ns,
					    b ? b->gen_open_ns :
					    s->gen_last_close_ns, gbytes);
			first = i;
			gbatches = 0;
			gbytes = 0;
		}
		if (!b)
			break;
		bh = (struct gotrace_batch *)b->data;
		memcpy(p, bh, bh->rec.len);
		p += bh->rec.len;
		gbatches++;
		gbytes += bh->rec.len;
		ce[b->cpu].batches++;
		ce[b->cpu].events += bh->nr_events;
		ce[b->cpu].lost += bh->lost;
		ce[b->cpu].bytes += bh->rec.len;
		e->events += bh->nr_events;
		e->lost += bh->lost;
		if (!(i & 255))
			cond_resched();
	}
	if (WARN_ON_ONCE(p != (u8 *)ce || gen != s->gens)) {
		err = -EIO;
		goto out;
	}
	for_each_possible_cpu(cpu)
		filtered += local64_read(&per_cpu_ptr(t->cpu, cpu)->filtered);
	e->rec.type = GOTRACE_REC_END;
	e->rec.len = sizeof(*e);
	e->nr_cpus = nr_cpu_ids;
	e->stop_ns = s->snap_ns;
	e->stacks = nstacks;
	e->stacks_lost = gt_stacks_lost(t);
	e->cgroups = s->nr_cgroups;
	e->cgroups_lost = gt_cgroups_lost(t);
	e->filtered = filtered;
	e->generations = gen;
	s->len = total;
	err = 0;
out:
	kvfree(tasks);
	kvfree(stacks);
	return err;
}

static ssize_t gt_snap_read(struct file *f, char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	struct gt_snap *s = f->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, s->data, s->len);
}

static loff_t gt_snap_llseek(struct file *f, loff_t off, int whence)
{
	struct gt_snap *s = f->private_data;

	return fixed_size_llseek(f, off, whence, s->len);
}

static int gt_snap_release(struct inode *inode, struct file *f)
{
	gt_flight_snap_free(f->private_data);
	return 0;
}

static const struct file_operations gt_snap_fops = {
	.owner		= THIS_MODULE,
	.read		= gt_snap_read,
	.llseek		= gt_snap_llseek,
	.release	= gt_snap_release,
};

/*
 * The descriptor of a built snapshot, out filled; it owns s from here on
 * (on failure too).  Returns the fd or a negative errno.
 */
int gt_flight_snap_fd(struct gt_snap *s, struct gotrace_snapshot *out,
		      struct gotrace_snapshot __user *uarg, u32 usize)
{
	struct file *file;
	int fd;

	out->bytes = s->len;
	out->start_ns = s->win.start_ns;
	out->end_ns = s->snap_ns;
	out->generations = s->gens;
	out->batches = s->nr;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		gt_flight_snap_free(s);
		return fd;
	}
	file = anon_inode_getfile("[gotrace-snapshot]", &gt_snap_fops, s,
				  O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		gt_flight_snap_free(s);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD;
	if (copy_to_user(uarg, out, min_t(size_t, usize, sizeof(*out)))) {
		put_unused_fd(fd);
		fput(file);		/* frees s */
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;
}
