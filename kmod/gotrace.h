/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gotrace: internal definitions shared by the module's files.
 *
 * One trace (struct gt_trace) owns, per traced CPU, a pool of batch
 * buffers: allocated at START for the CPUs online then, and for a CPU that
 * comes online later before it runs.  A CPU fills one buffer at a time
 * (gt_cpu.cur) with interrupts off, so a probe that interrupts nothing on
 * its CPU can't see a half-written buffer; a full or flushed buffer goes
 * on the trace's queue of full buffers (an llist, safe to push from any
 * context), the reader takes buffers from that queue in order and gives
 * them back to their CPU's free list.  When a CPU has no free buffer it
 * drops events and counts them.  This is Go's
 * traceBuf / traceFullQueue design with a fixed pool instead of malloc.
 * The reader is not woken for every full buffer: only once a CPU has half
 * its pool queued and not given back, and otherwise by the flush work once
 * a flush period (as ftrace's buffer_percent and LTTng's read timer; see
 * gt_queue_batch()).
 */
#ifndef _GOTRACE_H
#define _GOTRACE_H

#include <linux/types.h>
#include <linux/build_bug.h>
#include <linux/cache.h>
#include <linux/stddef.h>
#include <linux/llist.h>
#include <linux/irq_work.h>
#include <linux/workqueue.h>
#include <linux/timer.h>
#include <linux/atomic.h>
#include <asm/local64.h>
#include <linux/gotrace.h>

struct gt_buf {
	struct llist_node node;	/* on a CPU's free list or the full queue */
	unsigned int cpu;
	u32 len;		/* bytes used, batch header included */
	u32 nr_events;		/* tracepoint events (COMM not counted) */
	u64 last_ts;		/* its last event's timestamp, once queued */
	/* Flight recorder: the generation the ring put it in, and when it opened. */
	u32 gen;
	u64 gen_open_ns;
	u8 *data;		/* batch_size bytes, a struct gotrace_batch first */
	struct gt_spliced *spliced;	/* pages in pipes (gotrace_splice.c) */
};

/*
 * Per-CPU writer state.  The writer fields are touched only by the owning
 * CPU with interrupts disabled, or by the stop path once no probe can run.
 * The counters are written the same way and read by STATUS from other
 * CPUs: local64_t, as ring_buffer.c keeps its per-CPU counts, so a write
 * is one instruction and every access is marked (KCSAN).  What an event
 * touches (cur to events) is the first 64 bytes, one cache line: the
 * struct is cache-line aligned, which alloc_percpu() honours.
 */
struct gt_cpu {
	struct gt_buf *cur;	/* buffer being filled, NULL: take a free one */
	u64 last_ts;		/* timestamp of the last event written */
	u64 last_pfn;		/* pfn of the last page event of cur */
	u64 lost_pending;	/* lost since cur was started (next batch) */
	u32 seq;		/* next batch sequence number */
	s32 last_next_pid;	/* of cur's last sched_switch; -1: none */
	local64_t batches;	/* batches queued */
	local64_t events;	/* events written */
	local64_t lost;		/* events dropped */
	local64_t bytes;	/* bytes queued */
	local64_t filtered;	/* events the filters left out */
	struct llist_head free;	/* buffers to fill; reader gives back here */
	/*
	 * Batches queued and not yet back on free (gt_queue_batch() adds,
	 * gt_buf_give_back() takes away: the reader's CPU), and the count at
	 * which a queue wakes the reader: half of the buffers allocated.
	 * Next to free, whose line the reader writes anyway.
	 */
	atomic_t unreturned;
	unsigned int wake_mark;
	struct gt_buf *bufs;	/* the pool, nr_bufs of them */
	unsigned int nr_bufs;
	struct gt_trace *t;
	/* Flushes cur on this CPU, deferred while the CPU is idle. */
	struct timer_list flush_timer;
	/* Flight recorder, under gt.lock: batches in the ring, in its open gen. */
	unsigned int flight_held;
	unsigned int flight_gen_held;
} ____cacheline_aligned;
static_assert(offsetofend(struct gt_cpu, events) <= SMP_CACHE_BYTES);

struct gt_trace {
	u64 id;
	struct gotrace_start params;	/* after defaults */
	u32 batch_size;
	u64 start_ns;
	u64 start_real_ns;
	u64 stop_ns;
	u64 missing;		/* 1 << GOTRACE_TP_*: not in this kernel */
	u64 attached;		/* 1 << GOTRACE_TP_*: probe registered */
	u64 registered;		/* attached, and fork for the pid filter */
	bool kernel_addresses;	/* header shows text addresses: has stacks */

	struct gt_cpu __percpu *cpu;
	unsigned long *comm_seen;	/* by pid: COMM already written */
	unsigned long *follow;		/* by pid: passes the pid filter */
	unsigned long *cgroup_seen;	/* by pid: TASK_CGROUP written */
	struct gt_cgroups *cgroups;	/* GOTRACE_GROUP_CGROUP */
	struct cpumask *cpus;		/* CPUs traced; NULL: all */
	u64 stack_events;		/* 1 << GOTRACE_EV_*: with a stack */
	/* 1 << GOTRACE_EV_*: a trigger looks at it (gotrace_trigger.c) */
	u64 trigger_events;
	struct gt_triggers *trig;	/* NULL: no triggers */
	struct gt_stacks *stacks;
	atomic64_t nmi_lost;		/* events refused in NMI context */
	/* Batches a socket still held when spliced out: never refilled. */
	unsigned int splice_retired;	/* under gt_spliced_lock */

	struct llist_head full;		/* queue of full buffers, newest first */
	atomic64_t queued_bytes;	/* bytes on the queue, not yet read */
	struct delayed_work flush_work;	/* offline CPUs' buffers; wakeups */
	bool flush_stop;		/* flush timers: don't re-arm */

	/* Reader side, under gt_dev.lock. */
	bool stopped;
	bool drained;			/* END read: stream finished */
	struct llist_node *rd_head;	/* buffers taken off the queue, FIFO */
	struct llist_node *rd_tail;
	struct gt_buf *rd_buf;		/* buffer being copied out */
	size_t rd_off;			/* bytes of rd_buf already copied */
	size_t hdr_off;			/* bytes of hdr already copied */
	size_t end_off;			/* bytes of end already copied */
	u64 bytes_read;
	u64 rd_batches;			/* batches fully read in this session */
	/* Generations of the stream being read (see the uapi header). */
	u32 gen;			/* the open one, from 1 */
	u32 gen_batches;		/* batches handed out in it */
	u32 gen_stacks;			/* STACK records sent while closing it */
	u32 gen_cgroups;		/* CGROUP records sent while closing it */
	u8 gen_state;			/* enum gt_gen_state */
	u64 gen_open_ns;
	u64 gen_bytes;			/* bytes of its batches */
	u8 *gen_rec;			/* STACK or GENERATION being copied */
	size_t gen_len;
	size_t gen_off;			/* bytes of gen_rec already copied */
	u64 stacks_sent;		/* STACK records in this stream */
	u64 cgroups_sent;		/* CGROUP records in this stream */
	u64 reader_skipped;		/* batches read by readers that left */

	struct gt_flight *flight;	/* GOTRACE_START_FLIGHT, else NULL */

	u8 *head;		/* magic, HEADER, GFP_NAMES, ZONES, TASKS */
	size_t head_len;
	u8 *end;			/* CPU_ENDs and END, built at stop */
	size_t end_len;
};

enum gt_gen_state {
	GT_GEN_OPEN,		/* batches go into the open generation */
	GT_GEN_STACKS,		/* closing: gen_rec is a STACK record */
	GT_GEN_CGROUPS,		/* closing: gen_rec is a CGROUP record */
	GT_GEN_RECORD,		/* closing: gen_rec is the GENERATION record */
};

/* What part of the stream gt_next_part() found ready. */
enum gt_part {
	GT_PART_NONE,		/* nothing ready yet */
	GT_PART_HEAD,		/* magic, HEADER, GFP_NAMES, TASKS */
	GT_PART_BATCH,		/* the batch being read, rd_buf */
	GT_PART_GEN,		/* a generation's STACK or GENERATION record */
	GT_PART_END,		/* CPU_ENDs, END */
};

/* gotrace_main.c: the reader's steps, for read() and splice_read() */
struct file;
int gt_reader_lock(struct file *f);
void gt_reader_unlock(struct file *f);
int gt_reader_next(struct file *f, bool nonblock, bool have_read,
		   struct gt_trace **tp, enum gt_part *part, const u8 **src,
		   size_t *len);
void gt_reader_advance(struct file *f, struct gt_trace *t,
		       enum gt_part part, size_t n);

/* gotrace_splice.c */
struct pipe_inode_info;
ssize_t gt_splice_read(struct file *f, loff_t *ppos,
		       struct pipe_inode_info *pipe, size_t len,
		       unsigned int flags);
void gt_buf_reader_done(struct gt_trace *t, struct gt_buf *b);
void gt_splice_detach(struct gt_trace *t);

/* gotrace_buffer.c */
int gt_validate_start(struct gotrace_start *p);
struct gt_trace *gt_trace_alloc(const struct gotrace_start *p, u64 id,
				struct cpumask *cpus);
void gt_trace_free_buffers(struct gt_trace *t);
void gt_trace_free(struct gt_trace *t);
void gt_trace_flush_all(struct gt_trace *t);
void gt_trace_flush_start(struct gt_trace *t);
void gt_trace_flush_stop(struct gt_trace *t);
void gt_queue_buf(struct gt_trace *t, struct gt_cpu *c);
void gt_buf_give_back(struct gt_trace *t, struct gt_buf *b);
void gt_wake_reader(void);
void gt_wake_deferred(void);
void gt_trace_build_end(struct gt_trace *t);
int gt_hotplug_init(void);
void gt_hotplug_exit(void);
void gt_trace_hotplug_detach(struct gt_trace *t);

/* gotrace_state.c */
void gt_trace_follow_init(struct gt_trace *t);
int gt_trace_build_head(struct gt_trace *t);
void gt_trace_head_set_missing(struct gt_trace *t);

void *gt_tasks_record(size_t *len);

/* gotrace_flight.c */
struct gt_flight;
struct gt_snap;
int gt_flight_alloc(struct gt_trace *t);
void gt_flight_free(struct gt_trace *t);
void gt_flight_collect(struct gt_trace *t, bool close);
void gt_flight_status(struct gt_trace *t, struct gotrace_status *st);
struct gt_snap *gt_flight_snap_begin(struct gt_trace *t);
int gt_flight_snap_build(struct gt_trace *t, struct gt_snap *s);
void gt_flight_snap_end(struct gt_trace *t, struct gt_snap *s);
void gt_flight_snap_free(struct gt_snap *s);
int gt_flight_snap_fd(struct gt_snap *s, struct gotrace_snapshot *out,
		      struct gotrace_snapshot __user *uarg, u32 usize);

/* gotrace_trigger.c */
struct gt_triggers;
struct gt_trigger_set {
	u32 nr;
	struct gotrace_trigger spec[GOTRACE_MAX_TRIGGERS];
};

int gt_triggers_copy(const struct gotrace_start *p, struct gt_trigger_set *set);
int gt_triggers_alloc(struct gt_trace *t, const struct gt_trigger_set *set);
void gt_triggers_free(struct gt_trace *t);
void gt_triggers_status(struct gt_trace *t, struct gotrace_status *st);
u64 gt_triggers_fired(struct gt_trace *t);
u32 gt_triggers_take(struct gt_trace *t, u64 taken, struct gotrace_fired *buf,
		     u32 len, u64 *fired, u64 *missed, u64 *new_taken);
void *gt_triggers_record(struct gt_trace *t, struct gt_buf **bufs, u32 nr,
			 size_t *len);

/* gotrace_kinfo.c */
void gt_fill_kernel_info(struct gotrace_header *h, bool addresses);
size_t gt_zones_len(void);
void gt_fill_zones(struct gotrace_zones *rec);

/* gotrace_stack.c */
struct gt_stacks;
int gt_stacks_alloc(struct gt_trace *t);
void gt_stacks_free(struct gt_trace *t);
size_t gt_stacks_mem(const struct gotrace_start *p);
u64 gt_stacks_lost(struct gt_trace *t);
u32 gt_stack_id(struct gt_trace *t);
size_t gt_stack_rec_max(const struct gotrace_start *p);
void gt_stacks_gen_take(struct gt_trace *t);
size_t gt_stacks_gen_next(struct gt_trace *t, u8 *buf);
void gt_stacks_restart(struct gt_trace *t);
u64 gt_stacks_count(struct gt_trace *t);
u32 gt_batch_size(u32 buffer_size);
void *gt_stacks_snapshot(struct gt_trace *t, size_t *len, u32 *nr);

/* gotrace_cgroup.c */
struct gt_cgroups;
struct cgroup;
struct task_struct;
int gt_cgroups_alloc(struct gt_trace *t);
void gt_cgroups_free(struct gt_trace *t);
size_t gt_cgroup_rec_max(void);
u64 gt_cgroups_lost(struct gt_trace *t);
u64 gt_cgroup_attach(struct gt_trace *t, struct cgroup *dst,
		     struct task_struct *task, bool threadgroup);
void gt_cgroups_read_paths(struct gt_trace *t);
void gt_cgroups_gen_take(struct gt_trace *t);
size_t gt_cgroups_gen_next(struct gt_trace *t, u8 *buf);
void *gt_cgroups_snapshot(struct gt_trace *t, size_t *len, u32 *nr);
void gt_cgroups_restart(struct gt_trace *t);

/* gotrace_probes.c */
int gt_probes_init(void);
int gt_probes_register(struct gt_trace *t);
void gt_probes_unregister(struct gt_trace *t);
void gt_bench_event(struct gt_trace *t);
struct tracepoint *gt_probes_tp(unsigned int id);

#endif /* _GOTRACE_H */
