// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: /dev/gotrace, its ioctls and read(), with the semantics of Go's
 * runtime.ReadTrace: the header first, then batches as they fill (blocking
 * while none is ready), then the end-of-trace records once the trace was
 * stopped, then end of file.  One reader at a time.
 *
 * Locking: gt.lock (a mutex) serialises the ioctls, read(), poll() and
 * release() against each other; the probes never take it.  A trace is
 * freed only under gt.lock, after its probes were unregistered.  It is
 * never held across a user copy or a long loop: read() copies with
 * gt.copying set instead (only START --discard, which frees what the
 * reader copies from, waits for that, killably), and BENCH runs with
 * gt.bench set.  The ioctls and poll() take it killably; release() can't
 * fail, and nothing holds the lock for long.
 *
 * Each open file reads one trace per stream (struct gt_file): a file whose
 * trace was thrown away by START --discard gets end of file, and only its
 * next read() starts the next trace, from its magic.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/timekeeping.h>
#include <linux/cpumask.h>
#include <linux/wait.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/security.h>
#include <linux/string.h>
#include "gotrace.h"

static struct {
	struct mutex lock;		/* serialises all but the probes */
	wait_queue_head_t readq;	/* read() and poll() wait here */
	wait_queue_head_t drainq;	/* STOP with GOTRACE_STOP_WAIT */
	atomic_t wake_gen;		/* bumped at every wakeup of readq */
	struct gt_trace *trace;		/* current or last trace, or NULL */
	u64 last_id;			/* id of the last trace started */
	u64 done_id;			/* traces up to this one are read */
	struct file *reader;		/* file that holds the stream */
	bool copying;			/* reader copying from gt.trace */
	wait_queue_head_t copyq;	/* copying went false */
	bool bench;			/* GOTRACE_IOC_BENCH running */
	bool snapshotting;		/* a snapshot copies gt.trace's ring */
	bool flight;			/* gt.trace is a flight recorder, tracing */
} gt;

/* An open /dev/gotrace. */
struct gt_file {
	struct mutex read_lock;		/* one read() of the file at a time */
	u64 trace_id;			/* trace of the stream being read, 0: none */
	/*
	 * Fired triggers this file took (GOTRACE_IOC_TRIGGERS), under
	 * gt.lock: every seq up to trig_taken of trace trig_trace_id.
	 */
	u64 trig_trace_id;
	u64 trig_taken;
};

/* The seq up to which f took t's fired triggers.  Under gt.lock. */
static u64 gt_file_trig_taken(const struct gt_file *gf,
			      const struct gt_trace *t)
{
	return gf->trig_trace_id == t->id ? gf->trig_taken : 0;
}

/* A flight recorder's ring takes the queued batches (gotrace_flight.c). */
static void gt_flight_work_fn(struct work_struct *work)
{
	struct gt_trace *t;

	mutex_lock(&gt.lock);
	t = gt.trace;
	if (t && t->flight && !t->stopped)
		gt_flight_collect(t, false);
	mutex_unlock(&gt.lock);
}

static DECLARE_WORK(gt_flight_work, gt_flight_work_fn);

/* From any context but NMI; the probes call it through an irq_work. */
void gt_wake_reader(void)
{
	if (READ_ONCE(gt.flight))
		queue_work(system_wq, &gt_flight_work);
	atomic_inc(&gt.wake_gen);
	wake_up_interruptible_all(&gt.readq);
}

static u32 gt_state(const struct gt_trace *t)
{
	if (!t || t->drained)
		return GOTRACE_STATE_IDLE;
	return t->stopped ? GOTRACE_STATE_STOPPED : GOTRACE_STATE_TRACING;
}

/* The trace is read to its end, or thrown away: let STOP waiters go. */
static void gt_trace_done(struct gt_trace *t)
{
	t->drained = true;
	if (gt.done_id < t->id)
		WRITE_ONCE(gt.done_id, t->id);
	gt.reader = NULL;
	gt_trace_free_buffers(t);
	wake_up_all(&gt.drainq);
}

/* Unregisters the probes and queues every partial buffer. */
static void gt_trace_stop(struct gt_trace *t)
{
	WRITE_ONCE(gt.flight, false);
	gt_probes_unregister(t);
	/* Nothing more to write: a CPU that comes online needs no buffers. */
	gt_trace_hotplug_detach(t);
	cancel_delayed_work_sync(&t->flush_work);
	gt_trace_flush_stop(t);
	gt_trace_flush_all(t);
	t->stop_ns = ktime_get_mono_fast_ns();
	/* No reference to a cgroup outlives the tracing. */
	gt_cgroups_read_paths(t);
	gt_trace_build_end(t);
	t->stopped = true;
	/* A flight recorder keeps its window, every generation closed. */
	if (t->flight)
		gt_flight_collect(t, true);
	gt_wake_reader();
}

/*
 * The reader went away mid-stream: the next one starts over with the
 * header and the batch that was being copied; batches it had read in full
 * are gone, and END says how many.
 */
static void gt_reader_leave(struct gt_trace *t)
{
	gt.reader = NULL;
	if (!t || t->drained || !t->hdr_off)
		return;
	t->reader_skipped += t->rd_batches;
	t->rd_batches = 0;
	t->hdr_off = 0;
	t->rd_off = 0;
	t->end_off = 0;
	/* The next stream's generations start over, with every stack. */
	t->gen = 1;
	t->gen_state = GT_GEN_OPEN;
	t->gen_batches = 0;
	t->gen_bytes = 0;
	t->gen_open_ns = ktime_get_mono_fast_ns();
	t->stacks_sent = 0;
	t->cgroups_sent = 0;
	gt_stacks_restart(t);
	gt_cgroups_restart(t);
}

/* Moves the queue of full buffers, oldest first, to the reader's list. */
static void gt_take_full(struct gt_trace *t)
{
	struct llist_node *n = llist_del_all(&t->full);

	if (!n)
		return;
	n = llist_reverse_order(n);
	if (t->rd_tail)
		t->rd_tail->next = n;
	else
		t->rd_head = n;
	while (n->next)
		n = n->next;
	t->rd_tail = n;
}

static struct gt_buf *gt_next_buf(struct gt_trace *t)
{
	struct llist_node *n;

	if (!t->rd_head)
		gt_take_full(t);
	n = t->rd_head;
	if (!n)
		return NULL;
	t->rd_head = n->next;
	if (!t->rd_head)
		t->rd_tail = NULL;
	return llist_entry(n, struct gt_buf, node);
}

/*
 * The open generation is due to close before its next batch: it has one,
 * and it is a flush period old or holds a per-CPU buffer's worth.
 */
static bool gt_gen_due(const struct gt_trace *t)
{
	u64 period = (u64)t->params.flush_ms * NSEC_PER_MSEC;

	return t->gen_batches &&
	       (t->gen_bytes >= t->params.buffer_size ||
		ktime_get_mono_fast_ns() - t->gen_open_ns >= period);
}

/* The next record of the closing generation into gen_rec. */
static void gt_gen_next_rec(struct gt_trace *t)
{
	struct gotrace_generation *g = (struct gotrace_generation *)t->gen_rec;
	size_t len = 0;

	t->gen_off = 0;
	if (t->gen_state == GT_GEN_STACKS) {
		len = gt_stacks_gen_next(t, t->gen_rec);
		if (len) {
			t->gen_len = len;
			t->gen_stacks++;
			t->stacks_sent++;
			return;
		}
		t->gen_state = GT_GEN_CGROUPS;
	}
	if (t->gen_state == GT_GEN_CGROUPS) {
		len = gt_cgroups_gen_next(t, t->gen_rec);
		if (len) {
			t->gen_len = len;
			t->gen_cgroups++;
			t->cgroups_sent++;
			return;
		}
	}
	t->gen_state = GT_GEN_RECORD;
	memset(g, 0, sizeof(*g));
	g->rec.type = GOTRACE_REC_GENERATION;
	g->rec.len = sizeof(*g);
	g->gen = t->gen;
	g->batches = t->gen_batches;
	g->stacks = t->gen_stacks;
	g->open_ns = t->gen_open_ns;
	g->close_ns = ktime_get_mono_fast_ns();
	g->bytes = t->gen_bytes;
	g->cgroups = t->gen_cgroups;
	t->gen_len = sizeof(*g);
}

/*
 * Closes the open generation: the batches handed out so far are all of
 * it, so the stacks and cgroups they use are on the fresh lists
 * (gotrace_stack.c, gotrace_cgroup.c).
 */
static void gt_gen_close(struct gt_trace *t)
{
	t->gen_state = GT_GEN_STACKS;
	t->gen_stacks = 0;
	t->gen_cgroups = 0;
	gt_stacks_gen_take(t);
	gt_cgroups_gen_take(t);
	gt_gen_next_rec(t);
}

/* The GENERATION record was read: the next generation opens. */
static void gt_gen_open(struct gt_trace *t)
{
	t->gen_state = GT_GEN_OPEN;
	t->gen++;
	t->gen_batches = 0;
	t->gen_bytes = 0;
	t->gen_open_ns = ktime_get_mono_fast_ns();
}

/* The next bytes of the stream ready to be read.  Under gt.lock. */
static enum gt_part gt_next_part(struct gt_trace *t, const u8 **src,
				 size_t *len)
{
	struct gt_buf *b;

	if (t->hdr_off < t->head_len) {
		if (!t->hdr_off)
			t->rd_batches = 0;
		*src = t->head + t->hdr_off;
		*len = t->head_len - t->hdr_off;
		return GT_PART_HEAD;
	}
	if (t->gen_state == GT_GEN_OPEN && !t->rd_buf) {
		if (gt_gen_due(t)) {
			gt_gen_close(t);
		} else {
			t->rd_buf = gt_next_buf(t);
			t->rd_off = 0;
			/* Idle, or stopped and all read: close it now. */
			if (!t->rd_buf && t->gen_batches &&
			    (t->stopped || gt_gen_due(t)))
				gt_gen_close(t);
		}
	}
	if (t->gen_state != GT_GEN_OPEN) {
		*src = t->gen_rec + t->gen_off;
		*len = t->gen_len - t->gen_off;
		return GT_PART_GEN;
	}
	b = t->rd_buf;
	if (b) {
		*src = b->data + t->rd_off;
		*len = ((struct gotrace_batch *)b->data)->rec.len - t->rd_off;
		return GT_PART_BATCH;
	}
	if (!t->stopped)
		return GT_PART_NONE;
	if (!t->end_off) {
		struct gotrace_end *e = (void *)(t->end + t->end_len -
						 sizeof(*e));

		e->reader_skipped = t->reader_skipped;
		e->stacks = t->stacks_sent;
		e->generations = t->gen - 1;
		e->cgroups = t->cgroups_sent;
	}
	*src = t->end + t->end_off;
	*len = t->end_len - t->end_off;
	return GT_PART_END;
}

/* n more bytes of part were read.  Under gt.lock. */
static void gt_advance(struct gt_trace *t, enum gt_part part, size_t n)
{
	struct gt_buf *b = t->rd_buf;
	size_t len;

	t->bytes_read += n;
	switch (part) {
	case GT_PART_HEAD:
		t->hdr_off += n;
		break;
	case GT_PART_BATCH:
		t->rd_off += n;
		len = ((struct gotrace_batch *)b->data)->rec.len;
		if (t->rd_off < len)
			break;
		atomic64_sub(len, &t->queued_bytes);
		t->rd_buf = NULL;
		t->rd_batches++;
		t->gen_batches++;
		t->gen_bytes += len;
		gt_buf_reader_done(t, b);
		break;
	case GT_PART_GEN:
		t->gen_off += n;
		if (t->gen_off < t->gen_len)
			break;
		if (t->gen_state == GT_GEN_RECORD)
			gt_gen_open(t);
		else
			gt_gen_next_rec(t);
		break;
	case GT_PART_END:
		t->end_off += n;
		if (t->end_off == t->end_len)
			gt_trace_done(t);
		break;
	case GT_PART_NONE:
		break;
	}
}

/*
 * The next part of f's stream, for read() and splice_read(): returns 1
 * with gt.lock held and *tp, *part, *src and *len set (call
 * gt_reader_advance() next), 0 at end of file, or an error: EBUSY another
 * file reads, EAGAIN nothing ready and nonblock (or some read already,
 * have_read, then 0 is returned as well), ERESTARTSYS a signal.
 */
int gt_reader_next(struct file *f, bool nonblock, bool have_read,
		   struct gt_trace **tp, enum gt_part *part, const u8 **src,
		   size_t *len)
{
	struct gt_file *gf = f->private_data;

	for (;;) {
		struct gt_trace *t;
		int gen;

		if (mutex_lock_interruptible(&gt.lock))
			return -ERESTARTSYS;
		t = gt.trace;
		if (gt.reader && gt.reader != f) {
			mutex_unlock(&gt.lock);
			return -EBUSY;
		}
		if (gf->trace_id && (!t || t->id != gf->trace_id)) {
			/* Its trace was thrown away: the stream ends here. */
			gf->trace_id = 0;
			mutex_unlock(&gt.lock);
			return 0;
		}
		if (!t || t->drained) {
			mutex_unlock(&gt.lock);
			return 0;	/* end of file */
		}
		if (t->flight) {
			/*
			 * Nobody reads or splices a flight recorder (SNAPSHOT
			 * does); stopped, a read ends it: end of file, window
			 * freed.
			 */
			int ret = 0;

			if (t->stopped && !READ_ONCE(gt.snapshotting))
				gt_trace_done(t);
			else
				ret = -EBUSY;
			mutex_unlock(&gt.lock);
			return ret;
		}
		gt.reader = f;
		gf->trace_id = t->id;
		gen = atomic_read(&gt.wake_gen);
		*part = gt_next_part(t, src, len);
		if (*part != GT_PART_NONE) {
			*tp = t;
			return 1;
		}
		mutex_unlock(&gt.lock);
		if (have_read)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(gt.readq,
					     atomic_read(&gt.wake_gen) != gen))
			return -ERESTARTSYS;
	}
}

/* n bytes of part were consumed; drops gt.lock. */
void gt_reader_advance(struct file *f, struct gt_trace *t,
		       enum gt_part part, size_t n)
{
	struct gt_file *gf = f->private_data;

	gt_advance(t, part, n);
	if (t->drained)
		gf->trace_id = 0;	/* read to its end */
	mutex_unlock(&gt.lock);
}

/* One read() or splice_read() of the file at a time. */
int gt_reader_lock(struct file *f)
{
	struct gt_file *gf = f->private_data;

	return mutex_lock_interruptible(&gf->read_lock) ? -ERESTARTSYS : 0;
}

void gt_reader_unlock(struct file *f)
{
	struct gt_file *gf = f->private_data;

	mutex_unlock(&gf->read_lock);
}

static ssize_t gt_read(struct file *f, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	size_t done = 0;
	int err = 0;

	if (!count)
		return 0;
	err = gt_reader_lock(f);
	if (err)
		return err;
	while (done < count) {
		struct gt_trace *t;
		enum gt_part part;
		const u8 *src;
		size_t len, left;

		err = gt_reader_next(f, f->f_flags & O_NONBLOCK, done, &t,
				     &part, &src, &len);
		if (err <= 0)
			break;
		err = 0;
		/*
		 * Copy without the lock: the user's buffer may fault slowly.
		 * What src points to stays until gt.copying is cleared: the
		 * head and end don't change, the batch is off the queue, and
		 * only START --discard would free them, and it waits.
		 */
		len = min(len, count - done);
		WRITE_ONCE(gt.copying, true);
		mutex_unlock(&gt.lock);
		left = copy_to_user(ubuf + done, src, len);
		mutex_lock(&gt.lock);
		WRITE_ONCE(gt.copying, false);
		wake_up_all(&gt.copyq);
		gt_reader_advance(f, t, part, len - left);
		done += len - left;
		if (left) {
			err = -EFAULT;
			break;
		}
	}
	gt_reader_unlock(f);
	return done ? done : err;
}

/*
 * EPOLLIN: read() has something (data, or end of file); EPOLLERR: another
 * file holds the stream.  A flight recorder that runs has nothing to
 * read (SNAPSHOT copies it).  EPOLLPRI: this file has fired triggers it
 * has not taken (GOTRACE_IOC_TRIGGERS); the probes wake the pollers
 * through the deferred path (gt_wake_deferred()).
 */
static __poll_t gt_poll(struct file *f, poll_table *pt)
{
	struct gt_file *gf = f->private_data;
	struct gt_trace *t;
	__poll_t mask = 0;

	poll_wait(f, &gt.readq, pt);
	if (mutex_lock_killable(&gt.lock))
		return EPOLLERR;
	t = gt.trace;
	if (gt.reader && gt.reader != f)
		mask = EPOLLERR;
	else if (t && t->flight && !t->drained && !t->stopped)
		mask = 0;
	else if (!t || t->drained || t->stopped || t->rd_buf || t->rd_head ||
		 t->hdr_off < t->head_len || !llist_empty(&t->full) ||
		 t->gen_state != GT_GEN_OPEN || gt_gen_due(t))
		mask = EPOLLIN | EPOLLRDNORM;
	if (t && !t->drained &&
	    gt_triggers_fired(t) > gt_file_trig_taken(gf, t))
		mask |= EPOLLPRI;
	mutex_unlock(&gt.lock);
	return mask;
}

/*
 * An ioctl's struct from the caller into k (ksize bytes).  Every one
 * begins with its __u32 size: the size of the struct as the caller's
 * binary knows it (*usize, to copy back no more than that).  As clone3,
 * openat2 and perf_event_open do, a size above a page is refused at once
 * (E2BIG) rather than checked for zeros up to 4 GiB, and one below the
 * first version is EINVAL; copy_struct_from_user() zero-fills a shorter
 * struct and refuses a longer one whose tail is not zero (E2BIG).
 */
static int gt_copy_arg(void *k, size_t ksize, const void __user *uarg,
		       u32 ver0, u32 *usize)
{
	if (get_user(*usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (*usize > PAGE_SIZE)
		return -E2BIG;
	if (*usize < ver0)
		return -EINVAL;
	return copy_struct_from_user(k, ksize, uarg, *usize);
}

/*
 * The filter's pid is in the caller's pid namespace (a container's); the
 * trace's events, and so its header, name tasks by their pid in the
 * initial namespace.  ESRCH: no such task in the caller's namespace.
 */
static int gt_filter_pid_from_ns(struct gotrace_start *p)
{
	struct pid *pid;
	pid_t nr = 0;

	if (!p->filter_pid)
		return 0;
	rcu_read_lock();
	pid = find_vpid(p->filter_pid);
	if (pid && pid_task(pid, PIDTYPE_PID))
		nr = pid_nr(pid);
	rcu_read_unlock();
	if (!nr)
		return -ESRCH;
	p->filter_pid = nr;
	return 0;
}

/*
 * May the caller have kernel addresses (STACK records)?  The same rule as
 * /proc/kallsyms and %pK: kptr_restrict 0, yes (a tracer has CAP_PERFMON
 * already, which is what perf asks for kernel callchains); 1, only with
 * CAP_SYSLOG; 2, no.  vsprintf applies it: kptr_restrict itself is not
 * exported.  Process context only (%pK refuses to decide in interrupts).
 */
static bool gt_kernel_addresses_allowed(void)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%pK", (void *)gt_kernel_addresses_allowed);
	return strspn(buf, "0") != strlen(buf);
}

static long gt_ioctl_start(struct gotrace_start __user *uarg)
{
	struct gt_trigger_set trig;
	struct cpumask *cpus = NULL;
	struct gotrace_start p;
	struct gt_trace *t, *old;
	bool kernel_addresses;
	u32 usize;
	int err;

	err = gt_copy_arg(&p, sizeof(p), uarg, GOTRACE_START_SIZE_VER0, &usize);
	if (err)
		return err;
	err = gt_validate_start(&p);
	if (err)
		return err;
	err = gt_triggers_copy(&p, &trig);
	if (err)
		return err;
	err = gt_filter_pid_from_ns(&p);
	if (err)
		return err;
	/* Kernel addresses: not for a tracer by group grant alone. */
	kernel_addresses = perfmon_capable() && gt_kernel_addresses_allowed();
	if ((p.flags & GOTRACE_START_STACKS) && !kernel_addresses)
		return -EPERM;
	if (p.cpu_mask) {
		cpus = kzalloc(cpumask_size(), GFP_KERNEL);
		if (!cpus)
			return -ENOMEM;
		if (copy_from_user(cpus, u64_to_user_ptr(p.cpu_mask),
				   min_t(size_t, p.cpu_mask_size,
					 cpumask_size()))) {
			kfree(cpus);
			return -EFAULT;
		}
		if (cpumask_empty(cpus)) {
			kfree(cpus);
			return -EINVAL;
		}
	}

	if (mutex_lock_killable(&gt.lock)) {
		kfree(cpus);
		return -EINTR;
	}
	old = gt.trace;
	while (old && !old->drained &&
	       (READ_ONCE(gt.copying) || READ_ONCE(gt.snapshotting))) {
		/* Discarding frees what a reader is copying: wait for it. */
		mutex_unlock(&gt.lock);
		if (wait_event_killable(gt.copyq, !READ_ONCE(gt.copying) &&
					!READ_ONCE(gt.snapshotting)) ||
		    mutex_lock_killable(&gt.lock)) {
			kfree(cpus);
			return -EINTR;
		}
		old = gt.trace;
	}
	/* A stopped flight recorder is nobody's unread stream. */
	if (gt.bench ||
	    (old && !old->drained &&
	     (!old->stopped ||
	      !(p.flags & GOTRACE_START_DISCARD || old->flight)))) {
		err = -EBUSY;
		goto out;
	}
	/*
	 * Stopped and to be discarded: no probe uses it, free its buffers
	 * now.  Its counters stay for STATUS until the new trace exists.
	 */
	if (old && !old->drained)
		gt_trace_done(old);
	gt.reader = NULL;

	t = gt_trace_alloc(&p, gt.last_id + 1, cpus);
	cpus = NULL;
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		goto out;
	}
	/* Only stacks need the text addresses in the header (symbols). */
	t->kernel_addresses = kernel_addresses &&
			      (p.flags & GOTRACE_START_STACKS);
	t->start_ns = ktime_get_mono_fast_ns();
	t->start_real_ns = ktime_get_real_ns();
	err = gt_triggers_alloc(t, &trig);
	/* Dump, attach, follow again: see gt_trace_follow_init(). */
	if (!err)
		err = gt_trace_build_head(t);
	if (!err)
		err = gt_probes_register(t);
	if (err) {
		gt_trace_free(t);
		goto out;
	}
	gt_trace_follow_init(t);
	gt_trace_head_set_missing(t);
	gt.last_id = t->id;
	gt.trace = t;
	gt_trace_free(old);
	gt_trace_flush_start(t);
	schedule_delayed_work(&t->flush_work,
			      msecs_to_jiffies(t->params.flush_ms));
	WRITE_ONCE(gt.flight, !!t->flight);
	gt_wake_reader();
out:
	mutex_unlock(&gt.lock);
	kfree(cpus);
	return err;
}

static long gt_ioctl_stop(unsigned long flags)
{
	struct gt_trace *t;
	bool flight;
	u64 id;

	if (flags & ~(unsigned long)GOTRACE_STOP_FLAGS)
		return -EINVAL;
	if (mutex_lock_killable(&gt.lock))
		return -EINTR;
	t = gt.trace;
	if (!t || t->stopped) {
		mutex_unlock(&gt.lock);
		return -EINVAL;
	}
	gt_trace_stop(t);
	id = t->id;
	flight = t->flight;
	mutex_unlock(&gt.lock);
	/* Nothing to wait for: a flight recorder is not read. */
	if (flight)
		return 0;

	/* Like Go's StopTrace: wait until the reader has read it all. */
	if ((flags & GOTRACE_STOP_WAIT) &&
	    wait_event_interruptible(gt.drainq, READ_ONCE(gt.done_id) >= id))
		return -EINTR;
	return 0;
}

/* Sums the CPUs' counters into st, the first n CPUs' into csv[].  Under gt.lock. */
static void gt_status_cpus(struct gt_trace *t, struct gotrace_status *st,
			   struct gotrace_cpu_stats *csv, u32 n)
{
	struct gotrace_cpu_stats cs;
	unsigned int cpu;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		memset(&cs, 0, sizeof(cs));
		if (cpu_online(cpu))
			cs.flags |= GOTRACE_CPU_ONLINE;
		if (t && cpu_possible(cpu)) {
			struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);

			cs.events = local64_read(&c->events);
			cs.lost = local64_read(&c->lost);
			cs.bytes = local64_read(&c->bytes);
			cs.batches = local64_read(&c->batches);
			if (READ_ONCE(c->nr_bufs))
				cs.flags |= GOTRACE_CPU_TRACED;
			st->events += cs.events;
			st->lost += cs.lost;
		}
		if (cpu < n)
			csv[cpu] = cs;
	}
	if (t)
		st->lost += atomic64_read(&t->nmi_lost);
}

static long gt_ioctl_status(struct gotrace_status __user *uarg)
{
	struct gotrace_cpu_stats __user *ucpu;
	struct gotrace_cpu_stats *csv = NULL;
	struct gotrace_status st;
	struct gt_trace *t;
	u32 usize, cpu_len, n;
	int err;

	err = gt_copy_arg(&st, sizeof(st), uarg, GOTRACE_STATUS_SIZE_VER0,
			  &usize);
	if (err)
		return err;
	ucpu = u64_to_user_ptr(st.cpu_stats);
	cpu_len = st.cpu_len;
	if (cpu_len && !ucpu)
		return -EFAULT;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.cpu_len = cpu_len;
	st.cpu_stats = (uintptr_t)ucpu;
	st.nr_cpus = nr_cpu_ids;
	/* Filled under the lock, copied out after it. */
	n = min_t(u32, cpu_len, nr_cpu_ids);
	if (n) {
		csv = kvcalloc(n, sizeof(*csv), GFP_KERNEL);
		if (!csv)
			return -ENOMEM;
	}

	if (mutex_lock_killable(&gt.lock)) {
		kvfree(csv);
		return -EINTR;
	}
	t = gt.trace;
	st.state = gt_state(t);
	st.reader = !!gt.reader;
	if (t) {
		st.trace_id = t->id;
		st.groups = t->params.groups;
		st.buffer_size = t->params.buffer_size;
		st.flush_ms = t->params.flush_ms;
		st.start_flags = t->params.flags;
		st.missing = t->missing;
		st.attached = t->attached;
		st.bytes_queued = atomic64_read(&t->queued_bytes);
		st.bytes_read = t->bytes_read;
		st.start_ns = t->start_ns;
		st.stop_ns = t->stop_ns;
		gt_flight_status(t, &st);
		gt_triggers_status(t, &st);
	}
	gt_status_cpus(t, &st, csv, n);
	mutex_unlock(&gt.lock);
	err = n && copy_to_user(ucpu, csv, n * sizeof(*csv)) ? -EFAULT : 0;
	kvfree(csv);
	if (!err && copy_to_user(uarg, &st, min_t(size_t, usize, sizeof(st))))
		err = -EFAULT;
	return err;
}

/*
 * The window of the flight recorder as a trace file, read through a new
 * descriptor (the ioctl's return value): see the uapi header.  The copy
 * is built without gt.lock; gt.snapshotting keeps the trace's buffers
 * until it is done, and makes a second snapshot wait its turn (EBUSY).
 */
static long gt_ioctl_snapshot(struct gotrace_snapshot __user *uarg)
{
	struct gotrace_snapshot sn;
	struct gt_trace *t;
	struct gt_snap *s;
	bool addresses;
	u32 usize;
	int err;

	err = gt_copy_arg(&sn, sizeof(sn), uarg, GOTRACE_SNAPSHOT_SIZE_VER0,
			  &usize);
	if (err)
		return err;
	if (sn.flags || sn.bytes || sn.start_ns || sn.end_ns ||
	    sn.generations || sn.batches)
		return -EINVAL;
	addresses = perfmon_capable() && gt_kernel_addresses_allowed();

	if (mutex_lock_killable(&gt.lock))
		return -EINTR;
	t = gt.trace;
	if (!t || t->drained)
		err = -ENODATA;
	else if (!t->flight)
		err = -EINVAL;
	else if (t->stacks && !addresses)
		err = -EPERM;
	else if (gt.snapshotting)
		err = -EBUSY;
	if (err) {
		mutex_unlock(&gt.lock);
		return err;
	}
	s = gt_flight_snap_begin(t);
	if (IS_ERR(s)) {
		mutex_unlock(&gt.lock);
		return PTR_ERR(s);
	}
	WRITE_ONCE(gt.snapshotting, true);
	mutex_unlock(&gt.lock);

	err = gt_flight_snap_build(t, s);

	/* Not killable: the ring must be unpinned. */
	mutex_lock(&gt.lock);
	gt_flight_snap_end(t, s);
	WRITE_ONCE(gt.snapshotting, false);
	wake_up_all(&gt.copyq);
	mutex_unlock(&gt.lock);
	if (err) {
		gt_flight_snap_free(s);
		return err;
	}
	memset(&sn, 0, sizeof(sn));
	sn.size = sizeof(sn);
	return gt_flight_snap_fd(s, &sn, uarg, usize);
}

static bool gt_may_trace(struct inode *inode);

/*
 * The fired triggers f has not taken, copied out after gt.lock is
 * dropped; they count as taken only once copied, so a fault loses none.
 */
static long gt_ioctl_triggers(struct file *f,
			      struct gotrace_triggers __user *uarg)
{
	struct gt_file *gf = f->private_data;
	struct gotrace_fired *buf = NULL;
	struct gotrace_triggers tg;
	u64 taken, new_taken, id;
	struct gt_trace *t;
	u32 usize, n, nr;
	int err;

	if (!gt_may_trace(file_inode(f)))
		return -EPERM;
	err = gt_copy_arg(&tg, sizeof(tg), uarg, GOTRACE_TRIGGERS_SIZE_VER0,
			  &usize);
	if (err)
		return err;
	if (tg.flags)
		return -EINVAL;
	if (tg.len && !tg.buf)
		return -EFAULT;
	n = min_t(u32, tg.len, GOTRACE_FIRED_MAX);
	if (n) {
		buf = kcalloc(n, sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}

	if (mutex_lock_killable(&gt.lock)) {
		kfree(buf);
		return -EINTR;
	}
	t = gt.trace;
	if (!t || t->drained)
		err = -ENODATA;
	else if (!t->flight)
		err = -EINVAL;
	if (err) {
		mutex_unlock(&gt.lock);
		kfree(buf);
		return err;
	}
	id = t->id;
	taken = gt_file_trig_taken(gf, t);
	nr = gt_triggers_take(t, taken, buf, n, &tg.fired, &tg.missed,
			      &new_taken);
	mutex_unlock(&gt.lock);

	if (nr && n && copy_to_user(u64_to_user_ptr(tg.buf), buf,
				    nr * sizeof(*buf))) {
		kfree(buf);
		return -EFAULT;
	}
	kfree(buf);
	if (new_taken != taken) {
		if (mutex_lock_killable(&gt.lock))
			return -EINTR;
		if (gf->trig_trace_id != id) {
			gf->trig_trace_id = id;
			gf->trig_taken = 0;
		}
		gf->trig_taken = max(gf->trig_taken, new_taken);
		mutex_unlock(&gt.lock);
	}
	tg.nr = nr;
	tg.size = sizeof(tg);
	if (copy_to_user(uarg, &tg, min_t(size_t, usize, sizeof(tg))))
		return -EFAULT;
	return 0;
}

/* Gives every queued batch back to its CPU, as a reader would. */
static void gt_bench_recycle(struct gt_trace *t)
{
	struct llist_node *n = llist_del_all(&t->full);
	struct gt_buf *b, *tmp;

	llist_for_each_entry_safe(b, tmp, n, node)
		gt_buf_give_back(t, b);
}

static long gt_ioctl_bench(struct gotrace_bench __user *uarg)
{
	struct gotrace_start p = { .size = sizeof(p) };
	struct gotrace_bench b;
	struct gt_trace *t;
	unsigned int cpu, k;
	u64 done, start;
	u32 usize;
	int err;

	err = gt_copy_arg(&b, sizeof(b), uarg, sizeof(b), &usize);
	if (err)
		return err;
	if (b.flags & ~GOTRACE_BENCH_FLAGS || b.__reserved ||
	    b.nr_events > GOTRACE_BENCH_MAX_EVENTS)
		return -EINVAL;
	if (!b.nr_events)
		b.nr_events = GOTRACE_BENCH_DEFAULT_EVENTS;
	p.buffer_size = b.buffer_size;
	/*
	 * The sched group alone, not the default "all": the path measured
	 * stays that of a `-e sched` trace when groups are added (cgroup
	 * added a per-task check to sched_switch).
	 */
	p.groups = GOTRACE_GROUP_SCHED;
	if (b.flags & GOTRACE_BENCH_STACKS) {
		p.flags = GOTRACE_START_STACKS;
		p.stack_events = 1ULL << GOTRACE_EV_SCHED_SWITCH;
	}
	err = gt_validate_start(&p);
	if (err)
		return err;

	if (mutex_lock_killable(&gt.lock))
		return -EINTR;
	if (gt.bench || (gt.trace && !gt.trace->drained)) {
		mutex_unlock(&gt.lock);
		return -EBUSY;
	}
	/* START is refused while it runs: no lock held for the whole run. */
	gt.bench = true;
	mutex_unlock(&gt.lock);
	t = gt_trace_alloc(&p, 0, NULL);
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		goto out;
	}
	start = ktime_get_ns();
	for (done = 0; done < b.nr_events; ) {
		preempt_disable();
		for (k = 0; k < 1024 && done < b.nr_events; k++, done++)
			gt_bench_event(t);
		preempt_enable();
		gt_bench_recycle(t);
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	b.ns = ktime_get_ns() - start;
	gt_trace_flush_all(t);
	for_each_possible_cpu(cpu) {
		struct gt_cpu *c = per_cpu_ptr(t->cpu, cpu);

		b.written += local64_read(&c->events);
		b.lost += local64_read(&c->lost);
		b.bytes += local64_read(&c->bytes);
	}
	gt_trace_free(t);
	err = copy_to_user(uarg, &b, sizeof(b)) ? -EFAULT : 0;
out:
	mutex_lock(&gt.lock);
	gt.bench = false;
	mutex_unlock(&gt.lock);
	return err;
}

/*
 * A command without its size bits.  The size in the number is that of the
 * struct the caller was built with; the struct's own size field says the
 * same and is what counts, so an older or newer binary reaches the same
 * command.  Type, number and direction must match.
 */
#define GT_IOC_SIZELESS(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

static long gt_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	switch (GT_IOC_SIZELESS(cmd)) {
	case GT_IOC_SIZELESS(GOTRACE_IOC_START):
		return gt_ioctl_start((void __user *)arg);
	case GT_IOC_SIZELESS(GOTRACE_IOC_STOP):
		return gt_ioctl_stop(arg);
	case GT_IOC_SIZELESS(GOTRACE_IOC_STATUS):
		return gt_ioctl_status((void __user *)arg);
	case GT_IOC_SIZELESS(GOTRACE_IOC_BENCH):
		return gt_ioctl_bench((void __user *)arg);
	case GT_IOC_SIZELESS(GOTRACE_IOC_SNAPSHOT):
		return gt_ioctl_snapshot((void __user *)arg);
	case GT_IOC_SIZELESS(GOTRACE_IOC_TRIGGERS):
		return gt_ioctl_triggers(f, (void __user *)arg);
	}
	return -ENOTTY;
}

/*
 * The group grant, off by default: with group_access set, a process in the
 * group of the device node (the udev rule gives it one, and a mode that
 * lets the group open it) may trace without CAP_PERFMON, as the kernel's
 * perf-security document lets a perf_users group run perf.  That group
 * sees physical frame numbers and the tasks of the whole machine; kernel
 * addresses (STACK records) still need CAP_PERFMON, see gt_ioctl_start().
 */
static bool group_access;
module_param(group_access, bool, 0644);
MODULE_PARM_DESC(group_access,
		 "let the device node's group trace without CAP_PERFMON (default: N)");

static bool gt_may_trace(struct inode *inode)
{
	return perfmon_capable() ||
	       (READ_ONCE(group_access) && in_group_p(inode->i_gid));
}

static int gt_open(struct inode *inode, struct file *f)
{
	struct gt_file *gf;
	int err;

	/* Events carry physical frame numbers: tracers and the granted group. */
	if (!gt_may_trace(inode))
		return -EPERM;
	/* Lockdown in confidentiality mode closes tracefs; this too. */
	err = security_locked_down(LOCKDOWN_TRACEFS);
	if (err)
		return err;
	gf = kzalloc(sizeof(*gf), GFP_KERNEL);
	if (!gf)
		return -ENOMEM;
	mutex_init(&gf->read_lock);
	f->private_data = gf;
	return stream_open(inode, f);
}

static int gt_release(struct inode *inode, struct file *f)
{
	/* Not killable: it can't fail, and nobody holds the lock for long. */
	mutex_lock(&gt.lock);
	if (gt.reader == f)
		gt_reader_leave(gt.trace);
	mutex_unlock(&gt.lock);
	kfree(f->private_data);
	return 0;
}

static const struct file_operations gt_fops = {
	.owner		= THIS_MODULE,
	.open		= gt_open,
	.release	= gt_release,
	.read		= gt_read,
	.splice_read	= gt_splice_read,
	.poll		= gt_poll,
	.unlocked_ioctl	= gt_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice gt_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "gotrace",
	.fops	= &gt_fops,
	.mode	= 0600,
};

static int __init gt_init(void)
{
	int err;

	mutex_init(&gt.lock);
	init_waitqueue_head(&gt.readq);
	init_waitqueue_head(&gt.drainq);
	init_waitqueue_head(&gt.copyq);
	atomic_set(&gt.wake_gen, 0);
	err = gt_probes_init();
	if (err)
		return err;
	err = gt_hotplug_init();
	if (err)
		return err;
	err = misc_register(&gt_misc);
	if (err) {
		pr_err("cannot register /dev/gotrace: %d\n", err);
		gt_hotplug_exit();
	}
	return err;
}

static void __exit gt_exit(void)
{
	misc_deregister(&gt_misc);
	/* No file is open (each holds a module reference): just tear down. */
	mutex_lock(&gt.lock);
	if (gt.trace && !gt.trace->stopped)
		gt_trace_stop(gt.trace);
	gt_trace_free(gt.trace);
	gt.trace = NULL;
	mutex_unlock(&gt.lock);
	gt_hotplug_exit();
	/* Queued by the last wakeups; finds no trace. */
	cancel_work_sync(&gt_flight_work);
}

module_init(gt_init);
module_exit(gt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gotrace: Go-style execution tracer for the scheduler and page allocator");
MODULE_AUTHOR("The gotrace developers");
MODULE_VERSION("0.1");
