/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * gotrace: ioctl ABI of /dev/gotrace and the format of the stream that
 * read() returns.  This header is the single definition shared by the
 * kernel module and the userspace tools.
 *
 * Stream layout (all integers little-endian, records 8-byte aligned):
 *
 *   GOTRACE_MAGIC (8 bytes)
 *   record: HEADER       (struct gotrace_header)
 *   record: GFP_NAMES    (the traced kernel's gfp flag names and values)
 *   record: ZONES        (NUMA nodes and their zones' pfn ranges)
 *   record: TASKS        (tasks that existed at start, with their state)
 *   generation 1:
 *     record: BATCH ...      (struct gotrace_batch + encoded events)
 *     record: STACK ...      (stacks its batches use, not sent before)
 *     record: CGROUP ...     (cgroups its batches name, not sent before)
 *     record: GENERATION     (struct gotrace_generation: it is complete)
 *   generation 2, 3, ...: the same
 *   record: CPU_END ...  (struct gotrace_cpu_end, one per possible CPU)
 *   record: END          (struct gotrace_end)
 *   record: SYMBOLS      (optional, appended by the tool that saved it)
 *   record: LINES        (optional, appended with SYMBOLS from debug info)
 *
 * A tool that saves the stream may replace each BATCH by a PACKED record
 * (the same batch, compressed); unpacking gives back the BATCH record byte
 * for byte.  The device itself only ever produces BATCH records.
 *
 * Every record starts with struct gotrace_record, whose len covers the
 * whole record, so a reader skips the types it does not know.  A stream
 * without an END record was cut off (truncated).  Records only grow, at
 * their end, within one format version: a reader uses min(len, sizeof)
 * of the struct it knows and zero for fields a shorter record lacks.
 *
 * Generations (since version 3), as Go's tracer since 1.22: the batches
 * are grouped into generations, each closed by a GENERATION record.  The
 * STACK records between a generation's batches and its GENERATION record
 * are the stacks its events refer to that no earlier generation of the
 * stream carried, so every stack id of a generation resolves with the
 * STACK records up to its GENERATION record.  A stream cut anywhere (the
 * recorder killed, a full disk, head -c) therefore decodes with every
 * stack of its complete generations; only the batches after the last
 * GENERATION record may refer to stacks the stream lacks.  The device
 * closes a generation, as the reader takes batches, when it holds at
 * least one batch and either the flush period (flush_ms) passed since it
 * opened or its batches reached the per-CPU buffer size; and at stop.  A
 * STACK record may come early (with the generation before the one that
 * first uses it); it never comes late.  In version 2 streams every STACK
 * record came after the last batch, and there were no generations.
 * CGROUP records (since version 4) are placed like STACK records: those
 * between a generation's STACK records and its GENERATION record name
 * the cgroups its events refer to that no earlier generation carried
 * (one may come a generation late when a probe gave up waiting for
 * another CPU that was adding the cgroup to the trace's table).
 *
 * Task names: TASKS names every task alive at start; after it, a COMM
 * event (with its own ts delta, like any event) precedes the first event
 * that mentions a pid not yet named, and follows every exec.  pid 0 (the
 * idle task of each CPU) is never named.  The COMM of a pid is in the
 * batch of the event that first mentions it; another CPU's batch that
 * mentions the pid later may come in an earlier generation, so a decoder
 * of a cut stream may meet a pid whose name was in the part cut off.
 *
 * Cgroups (since version 4, with GOTRACE_GROUP_CGROUP): a TASK_CGROUP
 * event, placed like COMM, precedes the first event that mentions a task
 * whose cgroup v2 membership the stream has not given yet, or not since
 * the task was forked or moved (cgroup_attach_task clears it for the task,
 * or every thread of a threadgroup move, so their next event gives the
 * new cgroup).  A task keeps the cgroup of its last TASK_CGROUP or
 * CGROUP_ATTACH_TASK event; a forked task starts in its parent's until
 * its own TASK_CGROUP (clone3's CLONE_INTO_CGROUP places it elsewhere).
 *
 * Inside a batch, each event is:
 *   u8      type | ctx << 6     (enum gotrace_event_type, enum gotrace_ctx)
 *   varint  ts delta            (ns since the previous event of the batch;
 *                                the first one is relative to base_ts)
 *   varint  arguments...        (as listed at each event type)
 * varint is unsigned LEB128.  "zvarint" is a zigzag-encoded signed value.
 * A batch holds the events of one CPU in time order; batches of one CPU
 * arrive in seq order, batches of different CPUs interleave.
 */
#ifndef _UAPI_LINUX_GOTRACE_H
#define _UAPI_LINUX_GOTRACE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define GOTRACE_DEVICE		"/dev/gotrace"
#define GOTRACE_MAGIC		"GOTRACE\n"
#define GOTRACE_MAGIC_LEN	8
/*
 * Format versions: 1, the first; 2, SCHED_PROCESS_EXIT gained group_dead
 * and SCHED_WAKING was added; 3, generations (GENERATION records, STACK
 * records with the generation that first uses them, not at the end), the
 * header says which kernel build ran and where its text was (offline
 * symbolisation), LINES and ZONES records; 4, sched_switch's prev_pid
 * is elided when it is the next_pid of the batch's previous sched_switch
 * (see GOTRACE_EV_SCHED_SWITCH below); cgroups: the CGROUP_ATTACH_TASK
 * and TASK_CGROUP events and CGROUP records, and the GENERATION and END
 * records count CGROUP records; flight-recorder snapshots (WINDOW).
 * An event's arguments are fixed by its type and the version, so a reader
 * of one version cannot decode another's batches (versions 2 and 3 encode
 * events alike; version 4 adds event types, whose arguments a version 3
 * reader does not know).
 */
#define GOTRACE_VERSION		4

/* ---- ioctl ABI ---------------------------------------------------------- */

#define GOTRACE_IOC_MAGIC	0xB7

/* Event groups (struct gotrace_start.groups). */
#define GOTRACE_GROUP_SCHED	(1ULL << 0)
#define GOTRACE_GROUP_PAGE	(1ULL << 1)
#define GOTRACE_GROUP_RECLAIM	(1ULL << 2)	/* vmscan and compaction */
#define GOTRACE_GROUP_OOM	(1ULL << 3)	/* OOM kills: oom:mark_victim */
/* cgroup v2 membership of the tasks: TASK_CGROUP, CGROUP_ATTACH_TASK */
#define GOTRACE_GROUP_CGROUP	(1ULL << 4)
#define GOTRACE_GROUP_ALL	(GOTRACE_GROUP_SCHED | GOTRACE_GROUP_PAGE | \
				 GOTRACE_GROUP_RECLAIM | GOTRACE_GROUP_OOM | \
				 GOTRACE_GROUP_CGROUP)

/* struct gotrace_start.flags */
#define GOTRACE_START_DISCARD	(1U << 0)	/* drop an unread stopped trace */
#define GOTRACE_START_STACKS	(1U << 1)	/* kernel stacks on stack_events */
/*
 * Flight recorder: buffer_size per CPU holds the most recent generations,
 * the oldest whole generation overwritten, and nobody reads the stream:
 * read() of a flight trace that runs is EBUSY.  GOTRACE_IOC_SNAPSHOT
 * saves the window held.  A stopped flight trace keeps its window (STATUS,
 * SNAPSHOT) until the next START, which discards it without
 * GOTRACE_START_DISCARD, or until a read(), which gets end of file and
 * frees it (state IDLE).
 */
#define GOTRACE_START_FLIGHT	(1U << 2)
#define GOTRACE_START_FLAGS	(GOTRACE_START_DISCARD | GOTRACE_START_STACKS | \
				 GOTRACE_START_FLIGHT)

/* struct gotrace_start.filter_flags */
#define GOTRACE_FILTER_TGID	(1U << 0)	/* filter_pid is a process id */
#define GOTRACE_FILTER_CHILDREN	(1U << 1)	/* and its descendants */
#define GOTRACE_FILTER_FLAGS	(GOTRACE_FILTER_TGID | GOTRACE_FILTER_CHILDREN)

/* Defaults and limits of the start parameters; 0 in a field means default. */
#define GOTRACE_DEFAULT_BUFFER_SIZE	(4U << 20)	/* bytes per CPU */
#define GOTRACE_MIN_BUFFER_SIZE		(16U << 10)
#define GOTRACE_MAX_BUFFER_SIZE		(1U << 30)
#define GOTRACE_DEFAULT_FLUSH_MS	1000U
#define GOTRACE_MIN_FLUSH_MS		10U
#define GOTRACE_MAX_FLUSH_MS		60000U
#define GOTRACE_DEFAULT_STACK_DEPTH	16U
#define GOTRACE_MAX_STACK_DEPTH		64U
#define GOTRACE_DEFAULT_STACK_ENTRIES	16384U	/* distinct stacks */
#define GOTRACE_MAX_STACK_ENTRIES	(1U << 20)

/*
 * GOTRACE_IOC_START argument.  The first field is the size of the struct as
 * the caller knows it (as with clone3 and perf_event_attr): an older, shorter
 * struct gets defaults for the fields it lacks; a newer, longer one is
 * accepted only if the fields this kernel does not know are zero (else
 * E2BIG).  A size above the page size is E2BIG.  The same holds for every
 * ioctl struct; the size bits of the command number are not compared, so
 * a binary built against another version of this header reaches the same
 * command.
 */
struct gotrace_start {
	__u32 size;		/* sizeof(struct gotrace_start) */
	__u32 flags;		/* GOTRACE_START_* */
	__u64 groups;		/* GOTRACE_GROUP_*; 0: all */
	__u32 buffer_size;	/* bytes per CPU; 0: default */
	__u32 flush_ms;		/* partial buffers flushed this often; 0: 1000 */
	/* Since size GOTRACE_START_SIZE_VER1. */
	__u32 stack_depth;	/* frames per stack; 0: 16 */
	__u32 stack_entries;	/* distinct stacks kept; 0: 16384 */
	__u64 stack_events;	/* 1 << GOTRACE_EV_*; 0: mm_page_alloc */
	__u32 filter_pid;	/* 0: every task; else only this task's events
				 * (a pid of the caller's pid namespace; the
				 * header holds it as the events name it, in
				 * the initial namespace; ESRCH: no such task)
				 */
	__u32 filter_flags;	/* GOTRACE_FILTER_* */
	__u64 cpu_mask;		/* user pointer to a CPU bitmap; 0: all CPUs */
	__u32 cpu_mask_size;	/* bytes at cpu_mask */
	__u32 __reserved;
	/* Since size GOTRACE_START_SIZE_VER2. */
	__u64 triggers;		/* user pointer to struct gotrace_trigger[] */
	__u32 nr_triggers;	/* entries at triggers; 0: none */
	__u32 trigger_size;	/* sizeof(struct gotrace_trigger) */
};

#define GOTRACE_START_SIZE_VER0	24
#define GOTRACE_START_SIZE_VER1	64
#define GOTRACE_START_SIZE_VER2	80

/*
 * Triggers (only with GOTRACE_START_FLIGHT; EINVAL otherwise): conditions
 * the probes check on the events the trace records, so that nothing polls
 * for them.  When one holds, the probe notes a struct gotrace_fired in the
 * trace's list of the last GOTRACE_FIRED_MAX and has the device's pollers
 * woken by the deferred path (never from the probe): poll() then reports
 * EPOLLPRI to each open file that has fired triggers it has not yet taken
 * with GOTRACE_IOC_TRIGGERS.  Each trigger needs its events' group
 * (EINVAL).  An event that the pid or CPU filters leave out fires nothing;
 * an event dropped for want of a buffer still fires (GOTRACE_FIRED_LOST).
 * Entries of trigger_size bytes follow the clone3 rules, like the struct.
 */
/*
 * The trigger kinds, one row each: T(NAME, name, kind, group, value).
 * name: what tools call it; kind: its number (enum gotrace_trigger_kind);
 * group: the GOTRACE_GROUP_* of its events; value: what its threshold is
 * (enum gotrace_trigger_value).
 *   OOM: mark_victim (an OOM kill); value 0.
 *   ALLOC_FAIL: mm_page_alloc without a page, of order >= value.
 *   RECLAIM: a task's direct reclaim, begin..end, lasting >= value ns.
 *   COMPACTION: a task's compaction, begin..end, lasting >= value ns.
 *   WAKEUP: sched_waking of a task..the sched_switch to it, >= value ns.
 */
#define GOTRACE_TRIGGER_KINDS(T)					\
	T(OOM, "oom", 1, OOM, NONE)					\
	T(ALLOC_FAIL, "alloc-fail", 2, PAGE, ORDER)			\
	T(RECLAIM, "reclaim", 3, RECLAIM, NS)				\
	T(COMPACTION, "compaction", 4, RECLAIM, NS)			\
	T(WAKEUP, "wakeup", 5, SCHED, NS)

enum gotrace_trigger_kind {
#define GOTRACE_TRIGGER_ENUM_(N, n, kind, group, value) \
	GOTRACE_TRIGGER_##N = kind,
	GOTRACE_TRIGGER_KINDS(GOTRACE_TRIGGER_ENUM_)
#undef GOTRACE_TRIGGER_ENUM_
};

enum gotrace_trigger_value {
	GOTRACE_TRIGGER_VALUE_NONE,	/* 0 */
	GOTRACE_TRIGGER_VALUE_ORDER,	/* an order, <= GOTRACE_MAX_TRIGGER_ORDER */
	GOTRACE_TRIGGER_VALUE_NS,	/* ns, <= GOTRACE_MAX_TRIGGER_NS */
};

struct gotrace_trigger {
	__u32 kind;		/* enum gotrace_trigger_kind */
	__u32 flags;		/* 0 */
	__u64 value;		/* threshold: an order, or ns */
};

#define GOTRACE_TRIGGER_SIZE_VER0	16
#define GOTRACE_MAX_TRIGGERS		16
#define GOTRACE_MAX_TRIGGER_ORDER	10	/* MAX_ORDER of x86_64 */
#define GOTRACE_MAX_TRIGGER_NS		(3600ULL * 1000000000ULL)

/*
 * One fired trigger.  The event that fired it is the one of type event
 * written on cpu with timestamp ts (for a duration, its end: direct
 * reclaim's or compaction's end, the sched_switch to the woken task,
 * which began at ts - value).
 */
struct gotrace_fired {
	__u64 seq;		/* from 1, in the order fired */
	__u64 ts;		/* the event's timestamp (trace clock) */
	__u64 value;		/* ns of a duration; order of a failed alloc */
	__u32 kind;		/* enum gotrace_trigger_kind */
	__u32 index;		/* of the trigger in gotrace_start.triggers */
	__u32 cpu;
	__u32 pid;		/* the victim, allocating, reclaiming,
				 * compacting or woken task (initial pid
				 * namespace, as events name tasks)
				 */
	__u32 event;		/* GOTRACE_EV_* */
	__u32 flags;		/* GOTRACE_FIRED_* */
};

#define GOTRACE_FIRED_LOST	(1U << 0)	/* the event itself was dropped */
#define GOTRACE_FIRED_MAX	64		/* fired triggers kept */

/* GOTRACE_IOC_STOP argument (passed by value, not a pointer). */
#define GOTRACE_STOP_WAIT	(1U << 0)	/* return when the reader read all */
#define GOTRACE_STOP_FLAGS	(GOTRACE_STOP_WAIT)

enum gotrace_state {
	GOTRACE_STATE_IDLE	= 0,	/* no trace, or the last one was read */
	GOTRACE_STATE_TRACING	= 1,
	GOTRACE_STATE_STOPPED	= 2,	/* stopped, data not yet fully read */
};

/*
 * The event schema: one row per traced tracepoint, which is also one event
 * type of the stream.  Everything else derives from it: the event and
 * tracepoint enums below, the module's tracepoint table, and in userspace
 * the names, argument counts, dump's fields, the pfn and string rules and
 * the tests' tables.  Adding a tracepoint is a row here and a probe.
 *
 *   EV(NAME, name, type, system, group, args)
 *
 * NAME/name: the tracepoint (GOTRACE_EV_NAME, GOTRACE_TP_NAME); type: its
 * event type number (rows in ascending order, never reused); system: its
 * tracefs directory; group: GOTRACE_GROUP_*; args: ARG(name, kind) in the
 * order tracefs prints the fields.  Numeric arguments are encoded as
 * varints in that order; a STRING field is encoded after them as varint
 * length + bytes.  A PFN field is the first argument and a zvarint delta
 * (see below).  Kinds (enum gotrace_arg_kind) say what a value is and how
 * dump prints it.
 */
#define GOTRACE_EVENTS(EV, ARG)						\
	EV(SCHED_SWITCH, sched_switch, 2, sched, SCHED,			\
	   ARG(prev_pid, TASK) ARG(prev_prio, PRIO)			\
	   ARG(prev_state, STATE) ARG(next_pid, NEXT_TASK)		\
	   ARG(next_prio, PRIO))					\
	EV(SCHED_WAKEUP, sched_wakeup, 3, sched, SCHED,			\
	   ARG(pid, TASK) ARG(prio, PRIO) ARG(target_cpu, CPU))		\
	EV(SCHED_WAKEUP_NEW, sched_wakeup_new, 4, sched, SCHED,		\
	   ARG(pid, TASK) ARG(prio, PRIO) ARG(target_cpu, CPU))		\
	EV(SCHED_PROCESS_FORK, sched_process_fork, 5, sched, SCHED,	\
	   ARG(pid, TASK) ARG(child_pid, CHILD) ARG(child_tgid, PID))	\
	EV(SCHED_PROCESS_EXIT, sched_process_exit, 6, sched, SCHED,	\
	   ARG(pid, TASK) ARG(prio, PRIO) ARG(group_dead, BOOL))	\
	EV(SCHED_PROCESS_EXEC, sched_process_exec, 7, sched, SCHED,	\
	   ARG(filename, STRING) ARG(pid, PID) ARG(old_pid, PID))	\
	EV(SCHED_MIGRATE_TASK, sched_migrate_task, 8, sched, SCHED,	\
	   ARG(pid, TASK) ARG(prio, PRIO) ARG(orig_cpu, CPU)		\
	   ARG(dest_cpu, CPU))						\
	EV(MM_PAGE_ALLOC, mm_page_alloc, 9, kmem, PAGE,			\
	   ARG(pfn, PFN) ARG(order, ORDER) ARG(gfp_flags, GFP)		\
	   ARG(migratetype, INT) ARG(pid, CURRENT_COMM))		\
	EV(MM_PAGE_FREE, mm_page_free, 10, kmem, PAGE,			\
	   ARG(pfn, PFN) ARG(order, ORDER) ARG(pid, CURRENT_COMM))	\
	EV(MM_PAGE_FREE_BATCHED, mm_page_free_batched, 11, kmem, PAGE,	\
	   ARG(pfn, PFN) ARG(pid, CURRENT))				\
	EV(MM_PAGE_PCPU_DRAIN, mm_page_pcpu_drain, 12, kmem, PAGE,	\
	   ARG(pfn, PFN) ARG(order, ORDER) ARG(migratetype, INT)	\
	   ARG(pid, CURRENT))						\
	EV(MM_PAGE_ALLOC_EXTFRAG, mm_page_alloc_extfrag, 13, kmem, PAGE, \
	   ARG(pfn, PFN) ARG(alloc_order, ORDER)			\
	   ARG(fallback_order, ORDER) ARG(alloc_migratetype, INT)	\
	   ARG(fallback_migratetype, INT) ARG(pid, CURRENT))		\
	EV(MM_VMSCAN_DIRECT_RECLAIM_BEGIN, mm_vmscan_direct_reclaim_begin, \
	   14, vmscan, RECLAIM,						\
	   ARG(order, ORDER) ARG(gfp_flags, GFP) ARG(pid, CURRENT_COMM)) \
	EV(MM_VMSCAN_DIRECT_RECLAIM_END, mm_vmscan_direct_reclaim_end,	\
	   15, vmscan, RECLAIM,						\
	   ARG(nr_reclaimed, COUNT) ARG(pid, CURRENT_COMM))		\
	EV(MM_VMSCAN_KSWAPD_WAKE, mm_vmscan_kswapd_wake, 16, vmscan,	\
	   RECLAIM, ARG(nid, INT) ARG(zid, INT) ARG(order, ORDER))	\
	EV(MM_VMSCAN_KSWAPD_SLEEP, mm_vmscan_kswapd_sleep, 17, vmscan,	\
	   RECLAIM, ARG(nid, INT))					\
	EV(MM_COMPACTION_BEGIN, mm_compaction_begin, 18, compaction,	\
	   RECLAIM, ARG(zone_start, HEX) ARG(zone_end, HEX)		\
	   ARG(mode, MODE) ARG(pid, CURRENT))				\
	EV(MM_COMPACTION_END, mm_compaction_end, 19, compaction, RECLAIM, \
	   ARG(zone_start, HEX) ARG(zone_end, HEX) ARG(mode, MODE)	\
	   ARG(status, INT) ARG(pid, CURRENT))				\
	EV(SCHED_WAKING, sched_waking, 20, sched, SCHED,		\
	   ARG(pid, TASK) ARG(prio, PRIO) ARG(target_cpu, CPU))		\
	EV(MARK_VICTIM, mark_victim, 21, oom, OOM,			\
	   ARG(pid, TASK) ARG(total_vm, COUNT) ARG(anon_rss, COUNT)	\
	   ARG(file_rss, COUNT) ARG(shmem_rss, COUNT) ARG(uid, COUNT)	\
	   ARG(pgtables, COUNT) ARG(oom_score_adj, INT))		\
	EV(CGROUP_ATTACH_TASK, cgroup_attach_task, 22, cgroup, CGROUP,	\
	   ARG(dst_id, CGROUP) ARG(dst_level, INT) ARG(pid, TASK)	\
	   ARG(threadgroup, INT))

/* For expansions of GOTRACE_EVENTS that do not look at the arguments. */
#define GOTRACE_ARG_IGNORE_(name, kind)

/* What an argument of the schema is. */
enum gotrace_arg_kind {
	GOTRACE_ARG_PID,	/* a pid */
	GOTRACE_ARG_TASK,	/* a pid; tracefs prints its comm before it */
	GOTRACE_ARG_NEXT_TASK,	/* sched_switch's next: the same after "==>" */
	GOTRACE_ARG_CHILD,	/* a fork's child (its comm: the parent's) */
	GOTRACE_ARG_CURRENT,	/* the current task (ftrace's common_pid) */
	GOTRACE_ARG_CURRENT_COMM, /* the same; dump adds its comm */
	GOTRACE_ARG_PRIO,	/* s32 */
	GOTRACE_ARG_CPU,	/* s32 */
	GOTRACE_ARG_ORDER,	/* s32 */
	GOTRACE_ARG_INT,	/* s32 */
	GOTRACE_ARG_COUNT,	/* u64 */
	GOTRACE_ARG_HEX,	/* u64, printed in hex */
	GOTRACE_ARG_PFN,	/* u64, ~0: no page */
	GOTRACE_ARG_STATE,	/* task state (GOTRACE_STATE_PREEMPTED) */
	GOTRACE_ARG_GFP,	/* gfp flags */
	GOTRACE_ARG_MODE,	/* compaction: 0 async, else sync */
	GOTRACE_ARG_BOOL,	/* enum gotrace_group_dead */
	GOTRACE_ARG_STRING,	/* the event's string: not a numeric argument */
	GOTRACE_ARG_CGROUP,	/* u64 cgroup id (see struct gotrace_cgroup) */
};

/* Tracepoints, as bit numbers of gotrace_status.missing / header.missing. */
enum gotrace_tp {
#define GOTRACE_TP_ENUM_(N, n, type, sys, group, args) GOTRACE_TP_##N,
	GOTRACE_EVENTS(GOTRACE_TP_ENUM_, GOTRACE_ARG_IGNORE_)
#undef GOTRACE_TP_ENUM_
	GOTRACE_TP_COUNT,
};

struct gotrace_cpu_stats {
	__u64 events;		/* events written into buffers */
	__u64 lost;		/* events dropped: no free buffer */
	__u64 bytes;		/* bytes of batches handed to the queue */
	__u32 batches;		/* batches handed to the queue */
	__u32 flags;		/* GOTRACE_CPU_* */
};

#define GOTRACE_CPU_ONLINE	(1U << 0)
#define GOTRACE_CPU_TRACED	(1U << 1)	/* had buffers in this trace */

/*
 * GOTRACE_IOC_STATUS argument.  In: size, and optionally cpu_stats/cpu_len
 * (an array of cpu_len entries the kernel fills for CPUs 0..cpu_len-1).
 * Out: everything else; nr_cpus says how many entries exist.
 */
struct gotrace_status {
	__u32 size;		/* in: sizeof(struct gotrace_status) */
	__u32 state;		/* enum gotrace_state */
	__u64 trace_id;		/* increments at every start; 0: never */
	__u64 groups;		/* start parameters in force (after defaults) */
	__u32 buffer_size;
	__u32 flush_ms;
	__u32 start_flags;
	__u32 nr_cpus;		/* entries in the per-CPU table (nr_cpu_ids) */
	__u64 missing;		/* 1 << GOTRACE_TP_*: tracepoints not found */
	__u64 attached;		/* 1 << GOTRACE_TP_*: probes registered */
	__u64 events;		/* sum over CPUs */
	__u64 lost;		/* sum over CPUs */
	__u64 bytes_queued;	/* bytes waiting for the reader */
	__u64 bytes_read;	/* bytes read() so far in this trace */
	__u64 start_ns;		/* trace clock at start */
	__u64 stop_ns;		/* trace clock at stop; 0 while tracing */
	__u32 reader;		/* 1: a reader holds the stream */
	__u32 cpu_len;		/* in: entries at cpu_stats */
	__u64 cpu_stats;	/* in: user pointer to struct gotrace_cpu_stats[] */
	/*
	 * Since size GOTRACE_STATUS_SIZE_VER1: the window a flight recorder
	 * holds (GOTRACE_START_FLIGHT; all 0 otherwise): the first and last
	 * event times of its batches, their bytes, batches and complete
	 * generations, and what it overwrote so far.
	 */
	__u64 flight_start_ns;
	__u64 flight_end_ns;
	__u64 flight_bytes;
	__u32 flight_batches;
	__u32 flight_generations;
	__u64 flight_overwritten;	/* batches overwritten */
	/* Since size GOTRACE_STATUS_SIZE_VER2. */
	__u64 triggers_fired;	/* triggers fired in this trace */
	__u32 nr_triggers;	/* triggers the trace was started with */
	__u32 __reserved;
};

#define GOTRACE_STATUS_SIZE_VER0	120
#define GOTRACE_STATUS_SIZE_VER1	160
#define GOTRACE_STATUS_SIZE_VER2	176

/*
 * GOTRACE_IOC_BENCH: the cost of the write path, like the kernel's
 * ring_buffer_benchmark.  Only when no trace is running or unread: the
 * module builds a private trace of GOTRACE_GROUP_SCHED alone (nothing
 * reaches the stream), and the calling task writes nr_events sched_switch
 * events through the probes' own code, with full batches recycled as a
 * reader would recycle them.
 */
struct gotrace_bench {
	__u32 size;		/* in: sizeof(struct gotrace_bench) */
	__u32 flags;		/* in: GOTRACE_BENCH_* */
	__u64 nr_events;	/* in: 0: GOTRACE_BENCH_DEFAULT_EVENTS */
	__u32 buffer_size;	/* in: per CPU; 0: default */
	__u32 __reserved;
	__u64 ns;		/* out: time of the whole loop */
	__u64 written;		/* out: events written */
	__u64 lost;		/* out: events dropped (should be 0) */
	__u64 bytes;		/* out: bytes of the batches produced */
};

#define GOTRACE_BENCH_STACKS	(1U << 0)	/* capture a stack per event */
#define GOTRACE_BENCH_FLAGS	(GOTRACE_BENCH_STACKS)
#define GOTRACE_BENCH_DEFAULT_EVENTS	1000000ULL
#define GOTRACE_BENCH_MAX_EVENTS	100000000ULL

#define GOTRACE_IOC_START	_IOW(GOTRACE_IOC_MAGIC, 1, struct gotrace_start)
#define GOTRACE_IOC_STOP	_IO(GOTRACE_IOC_MAGIC, 2)
#define GOTRACE_IOC_STATUS	_IOWR(GOTRACE_IOC_MAGIC, 3, struct gotrace_status)
#define GOTRACE_IOC_BENCH	_IOWR(GOTRACE_IOC_MAGIC, 4, struct gotrace_bench)

/*
 * GOTRACE_IOC_SNAPSHOT: the window of a flight recorder as a complete
 * trace file.  The ioctl returns a new file descriptor (O_RDONLY,
 * O_CLOEXEC) whose read() gives the file from byte 0 to its end, then end
 * of file; pread() and lseek() work on it.  The snapshot is a copy taken
 * at the ioctl: tracing goes on, the window is kept (a second snapshot
 * holds it again with what came since, as long as it was not
 * overwritten), and the copy's memory is the caller's until it closes the
 * descriptor.  One snapshot is taken at a time (EBUSY).  EINVAL: the
 * trace is not a flight recorder; ENODATA: no trace.  A trace with stacks
 * snapshots only for a caller who may see kernel addresses (EPERM).
 *
 * The file: magic, HEADER, GFP_NAMES, ZONES of the trace; TASKS
 * (GOTRACE_TASKS_SNAPSHOT: the tasks alive at the snapshot); WINDOW; the
 * window's generations renumbered from 1, the first one carrying every
 * stack of the table; CPU_END and END counting the window only.
 */
struct gotrace_snapshot {
	__u32 size;		/* in: sizeof(struct gotrace_snapshot) */
	__u32 flags;		/* in: 0 */
	__u64 bytes;		/* out: bytes of the file */
	__u64 start_ns;		/* out: the window: first event's batch */
	__u64 end_ns;		/* out: when the snapshot was taken */
	__u32 generations;	/* out: generations in the file */
	__u32 batches;		/* out: batches in the file */
};

#define GOTRACE_SNAPSHOT_SIZE_VER0	40

#define GOTRACE_IOC_SNAPSHOT	_IOWR(GOTRACE_IOC_MAGIC, 5, struct gotrace_snapshot)

/*
 * GOTRACE_IOC_TRIGGERS: the fired triggers this open file has not taken
 * yet, oldest first: up to len of them are copied to buf and count as
 * taken (poll() no longer reports them).  len 0 only counts.  missed:
 * triggers fired since the file last took some that the list no longer
 * keeps (it keeps the last GOTRACE_FIRED_MAX).  A stopped flight trace
 * keeps its list.  ENODATA: no trace; EINVAL: not a flight trace, or
 * flags.  Needs the privilege of reading events (EPERM).
 */
struct gotrace_triggers {
	__u32 size;		/* in: sizeof(struct gotrace_triggers) */
	__u32 flags;		/* in: 0 */
	__u64 buf;		/* in: user pointer to struct gotrace_fired[] */
	__u32 len;		/* in: entries at buf */
	__u32 nr;		/* out: entries written */
	__u64 fired;		/* out: triggers fired in this trace so far */
	__u64 missed;		/* out: see above */
};

#define GOTRACE_TRIGGERS_SIZE_VER0	40

#define GOTRACE_IOC_TRIGGERS	_IOWR(GOTRACE_IOC_MAGIC, 7, struct gotrace_triggers)

/* ---- stream format ------------------------------------------------------ */

enum gotrace_record_type {
	GOTRACE_REC_HEADER	= 1,
	GOTRACE_REC_BATCH	= 2,
	GOTRACE_REC_CPU_END	= 3,
	GOTRACE_REC_END		= 4,
	GOTRACE_REC_GFP_NAMES	= 5,
	GOTRACE_REC_TASKS	= 6,
	GOTRACE_REC_STACK	= 7,
	GOTRACE_REC_SYMBOLS	= 8,
	GOTRACE_REC_PACKED	= 9,
	GOTRACE_REC_LINES	= 10,
	GOTRACE_REC_ZONES	= 11,
	GOTRACE_REC_GENERATION	= 12,	/* since version 3 */
	GOTRACE_REC_WINDOW	= 13,	/* snapshots of a flight recorder */
	GOTRACE_REC_CGROUP	= 14,	/* since version 4 */
	GOTRACE_REC_TRIGGERS	= 16,	/* snapshots of a flight recorder */
};

struct gotrace_record {
	__u32 type;		/* enum gotrace_record_type */
	__u32 len;		/* bytes of the whole record, including this */
};

enum gotrace_clock {
	GOTRACE_CLOCK_MONO	= 1,	/* CLOCK_MONOTONIC (ktime_get_mono_fast_ns) */
};

struct gotrace_header {
	struct gotrace_record rec;
	__u32 version;		/* GOTRACE_VERSION */
	__u32 nr_cpus;		/* CPU ids are below this */
	__u32 clock;		/* enum gotrace_clock */
	__u32 page_size;
	__u64 start_ns;		/* trace clock at start */
	__u64 start_realtime_ns;	/* CLOCK_REALTIME at start */
	__u64 trace_id;
	__u64 groups;
	__u32 buffer_size;	/* bytes per CPU */
	__u32 batch_size;	/* bytes of one batch buffer */
	__u32 flush_ms;
	__u32 start_flags;
	__u64 missing;		/* 1 << GOTRACE_TP_*: not found on this kernel */
	char release[65];	/* uname -r of the traced kernel, NUL-terminated */
	char machine[15];	/* uname -m, NUL-terminated */
	__u64 stack_events;	/* 1 << GOTRACE_EV_*: carry a stack id */
	__u32 stack_depth;
	__u32 stack_entries;
	__u32 filter_pid;
	__u32 filter_flags;
	__u64 cpu_filter;	/* 1: a CPU mask was applied */
	__u64 __reserved;
	/*
	 * Since version 3: what symbolising the stacks on another machine
	 * needs (gotrace symbolize --system-map/--kallsyms/--vmlinux).  The
	 * addresses are kernel addresses: zero unless the trace has stacks
	 * (GOTRACE_START_STACKS, which only a tracer that may see kernel
	 * addresses gets: the rule of STACK records).
	 */
	__u64 kernel_stext;	/* runtime address of _stext (KASLR applied);
				 * 0: not shown, or unknown (no vmcoreinfo)
				 */
	__u64 anchor_addr;	/* runtime address of anchor_name; 0: not shown */
	char anchor_name[32];	/* an exported kernel function, NUL-terminated:
				 * its distance from _stext tells builds apart
				 * where no build-id is at hand (System.map)
				 */
	__u8 build_id[20];	/* the kernel's GNU build-id (vmlinux's
				 * .note.gnu.build-id; world-readable in
				 * /sys/kernel/notes)
				 */
	__u32 build_id_len;	/* bytes of build_id; 0: unknown */
};

#define GOTRACE_BATCH_LOST	(1U << 0)	/* lost > 0 */

struct gotrace_batch {
	struct gotrace_record rec;
	__u32 cpu;
	__u32 seq;		/* per-CPU batch number, from 0 */
	__u64 base_ts;		/* timestamps are deltas from this */
	__u64 lost;		/* events this CPU lost just before this batch */
	__u32 nr_events;	/* tracepoint events (COMM records excluded) */
	__u32 flags;		/* GOTRACE_BATCH_* */
	/* encoded events follow, up to rec.len */
};

struct gotrace_cpu_end {
	struct gotrace_record rec;
	__u32 cpu;
	__u32 batches;		/* batches this CPU produced */
	__u64 events;		/* events written */
	__u64 lost;		/* events dropped */
	__u64 bytes;		/* bytes of this CPU's batch records */
};

struct gotrace_end {
	struct gotrace_record rec;
	__u32 nr_cpus;		/* CPU_END records before this one */
	__u32 flags;
	__u64 stop_ns;
	__u64 events;
	__u64 lost;
	__u64 reader_skipped;	/* batches handed to a reader that went away */
	__u64 stacks;		/* STACK records in the stream */
	__u64 stacks_lost;	/* events whose stack did not fit the table */
	__u64 filtered;		/* events the pid/CPU filter left out */
	/* Since version 3. */
	__u64 generations;	/* GENERATION records in the stream */
	/* Since version 4. */
	__u64 cgroups;		/* CGROUP records in the stream */
	__u64 cgroups_lost;	/* cgroups left without a CGROUP record:
				 * the trace's table of cgroups was full
				 */
};

/* Version 2 only: the stack table could not be copied at stop. */
#define GOTRACE_END_STACKS_DROPPED	(1U << 0)

/*
 * GENERATION: closes generation gen (from 1): every BATCH since the
 * previous GENERATION record (or since TASKS) is in it, and the STACK
 * records since then are the stacks it needs that earlier generations did
 * not carry.  open_ns/close_ns are when the device opened and closed it
 * (trace clock), not bounds of its events' timestamps: a batch is read
 * after it is written.
 */
struct gotrace_generation {
	struct gotrace_record rec;
	__u32 gen;
	__u32 batches;		/* BATCH records in it */
	__u32 stacks;		/* STACK records in it */
	__u32 flags;
	__u64 open_ns;
	__u64 close_ns;
	__u64 bytes;		/* bytes of its BATCH records */
	/* Since version 4. */
	__u32 cgroups;		/* CGROUP records in it */
	__u32 __reserved;
};

/*
 * WINDOW: the stream is a snapshot of a flight recorder (after TASKS,
 * before the first batch).  Its first batch of each CPU is where the
 * window starts, not a loss: first_seq[cpu] batches of that CPU came
 * before it and were overwritten (or not yet in a generation).  Events
 * lost inside the window are counted by the batches, as in any stream;
 * overwritten_* count what the window no longer holds.  gen_first is the
 * trace's number of the window's first generation (the file renumbers its
 * generations from 1).
 */
struct gotrace_window {
	struct gotrace_record rec;
	__u32 nr_cpus;			/* entries of first_seq */
	__u32 flags;
	__u64 start_ns;			/* first batch's base_ts; 0: empty */
	__u64 snapshot_ns;		/* when the snapshot was taken */
	__u64 overwritten_batches;
	__u64 overwritten_events;
	__u64 overwritten_lost;		/* events lost before the window */
	__u64 overwritten_generations;
	__u32 gen_first;
	__u32 __reserved;
	/* nr_cpus x __u32 first_seq, zero padding to 8 bytes */
};

/*
 * TRIGGERS: a snapshot of a flight recorder started with triggers (after
 * WINDOW, before the first batch): the triggers, as START got them, and
 * those fired whose event is in the window (ts at or after the window's
 * start), oldest first.  A reader marks the event each one names.
 */
struct gotrace_triggers_rec {
	struct gotrace_record rec;
	__u32 nr_triggers;
	__u32 nr_fired;
	__u64 fired;		/* triggers fired in the trace up to the snapshot */
	/* nr_triggers x struct gotrace_trigger, nr_fired x struct gotrace_fired */
};

/*
 * GFP_NAMES: the traced kernel's names of gfp flag combinations, as its
 * show_gfp_flags() lists them (combinations first), so a decoder names
 * flags without knowing the kernel's values.  Entries follow the struct.
 */
struct gotrace_gfp_names {
	struct gotrace_record rec;
	__u32 nr;		/* entries */
	__u32 __reserved;
	/* nr x struct gotrace_gfp_name */
};

struct gotrace_gfp_name {
	__u64 value;
	char name[32];		/* NUL-terminated */
};

/*
 * ZONES: the memory layout at start: each populated zone of each online
 * node, with its pfn span, so that a pfn is attributed to its node and
 * zone.  Spans of one node's zones may overlap (ZONE_MOVABLE); a pfn
 * belongs to the first entry that holds it.  Memory hotplugged later is
 * not described.
 */
struct gotrace_zones {
	struct gotrace_record rec;
	__u32 nr;
	__u32 __reserved;
	/* nr x struct gotrace_zone */
};

struct gotrace_zone {
	__u64 start_pfn;
	__u64 end_pfn;		/* exclusive: start_pfn + spanned pages */
	__u64 present_pages;
	__u32 nid;		/* node id (kswapd_wake's nid) */
	__u32 zid;		/* zone index in the node (kswapd_wake's zid) */
	char name[16];		/* "DMA32", "Normal"..., NUL-terminated */
};

/*
 * CGROUP: a cgroup of the default hierarchy (cgroup v2) that events name.
 * id is the cgroup's kernfs node id: cgroup_id(), what bpf's
 * bpf_get_current_cgroup_id() returns, the handle name_to_handle_at()
 * gives for the cgroup's directory, and the inode number of that
 * directory (on 64-bit kernels).  path is the cgroup's path as
 * /proc/PID/cgroup shows it to the task that started the trace: relative
 * to the root of that task's cgroup namespace ("/" its root; a cgroup
 * outside it starts with "/.."), path_len bytes without a NUL, padded
 * with zeros to 8 bytes.  The path is read when the generation that
 * first names the cgroup closes; the trace holds a reference to the
 * cgroup until then, so a cgroup removed meanwhile still gets its path.
 * A cgroup v2 is never renamed, so its path is that of its whole life.
 */
struct gotrace_cgroup {
	struct gotrace_record rec;
	__u64 id;
	__u32 flags;		/* GOTRACE_CGROUP_* */
	__u32 path_len;
	/* path_len bytes, then zero padding to 8 bytes */
};

#define GOTRACE_CGROUP_NO_PATH	(1U << 0)	/* the path could not be read */
#define GOTRACE_CGROUP_PATH_CUT	(1U << 1)	/* longer than the maximum */
#define GOTRACE_CGROUP_PATH_MAX	4096U		/* PATH_MAX */

/* TASKS: every thread alive when the trace started (a statedump). */
struct gotrace_tasks {
	struct gotrace_record rec;
	__u32 nr;
	__u32 flags;		/* GOTRACE_TASKS_TRUNCATED */
	/* nr x struct gotrace_task */
};

#define GOTRACE_TASKS_TRUNCATED	(1U << 0)
/*
 * A snapshot's TASKS: the tasks alive when the snapshot was taken, at the
 * end of its window (their states are from then).  A task that exited in
 * the window is named by a COMM event: a flight recorder names again, in
 * each generation, the tasks it mentions.
 */
#define GOTRACE_TASKS_SNAPSHOT	(1U << 1)

struct gotrace_task {
	__u32 pid;
	__u32 tgid;
	__u32 ppid;		/* parent's tgid */
	__u32 state;		/* sched_switch's prev_state encoding */
	__s32 prio;
	__u32 flags;		/* GOTRACE_TASK_* */
	char comm[16];
};

#define GOTRACE_TASK_KTHREAD	(1U << 0)
#define GOTRACE_TASK_RUNNING	(1U << 1)	/* on a CPU at the dump */

/*
 * STACK: one distinct kernel stack.  Events listed in the header's
 * stack_events carry a trailing varint stack id; id 0 means the stack was
 * not recorded (table full), ids start at 1.  Frames are return addresses,
 * innermost first, the probe's own frames removed.
 */
struct gotrace_stack {
	struct gotrace_record rec;
	__u32 id;
	__u32 nr;		/* frames */
	/* nr x __u64 */
};

/*
 * PACKED: a BATCH record compressed by userspace (never by the device).
 * batch is the BATCH record's header, unchanged, so a reader indexes the
 * trace without decompressing.  data_len bytes of data follow, padded to
 * 8 bytes; decompressed (codec), they are cols_len bytes of columns:
 *
 *   repeated: varint column id, varint length, length bytes
 *
 * Column GOTRACE_COL_TYPE holds the type byte of each event in order,
 * GOTRACE_COL_TS their ts delta varints, GOTRACE_COL_STR the length varint
 * and bytes of each COMM name and exec filename, and column
 * GOTRACE_COL_ARG(type, i) the varints of argument i (GOTRACE_COL_STACK:
 * the stack id) of the events of that type.  Rebuilding the events in the
 * order of the type column, followed by zero bytes up to batch.rec.len,
 * gives back the BATCH record.  Grouping like values is what lets the
 * compressor find their redundancy.
 */
enum gotrace_pack_codec {
	GOTRACE_PACK_ZSTD	= 1,	/* one zstd frame */
};

#define GOTRACE_COL_TYPE	0
#define GOTRACE_COL_TS		1
#define GOTRACE_COL_STR		2
#define GOTRACE_COL_STACK	15	/* argument slot of the stack id */
#define GOTRACE_COL_ARG(type, i)	(16 * (type) + (i))

struct gotrace_packed {
	struct gotrace_record rec;
	__u32 codec;		/* enum gotrace_pack_codec */
	__u32 cols_len;		/* bytes of the columns, decompressed */
	__u32 data_len;		/* bytes of compressed data */
	__u32 __reserved;
	struct gotrace_batch batch;	/* rec.type is GOTRACE_REC_BATCH */
	/* data_len bytes, then zero padding to 8 bytes */
};

/*
 * SYMBOLS: appended after END by userspace (not the kernel) so a trace can
 * be symbolised elsewhere: nr entries sorted by address, each a struct
 * gotrace_symbol followed by name_len bytes of name and module_len bytes of
 * module name (empty: built in), padded to 8 bytes.
 */
struct gotrace_symbols {
	struct gotrace_record rec;
	__u32 nr;
	__u32 __reserved;
};

struct gotrace_symbol {
	__u64 addr;
	__u32 size;
	__u16 name_len;
	__u16 module_len;
};

/*
 * LINES: appended after SYMBOLS by userspace from the traced kernel's
 * debug information (gotrace symbolize --vmlinux): the source position of
 * return addresses of the stacks.  nr entries, each a struct
 * gotrace_line followed by func_len bytes of function name and file_len
 * bytes of file name, padded to 8.  Entries are sorted by address; the
 * entries of one address are its frames, innermost first: the functions
 * inlined at that position, then the function the code belongs to (the
 * symbol's).  line 0: unknown.
 */
struct gotrace_lines {
	struct gotrace_record rec;
	__u32 nr;
	__u32 __reserved;
};

struct gotrace_line {
	__u64 addr;		/* runtime return address, as in STACK */
	__u32 line;
	__u16 func_len;
	__u16 file_len;
};

/* ctx: what the CPU was doing when the event fired. */
enum gotrace_ctx {
	GOTRACE_CTX_TASK	= 0,
	GOTRACE_CTX_SOFTIRQ	= 1,
	GOTRACE_CTX_HARDIRQ	= 2,
	GOTRACE_CTX_NMI		= 3,
};

#define GOTRACE_EV_TYPE_MASK	0x3f
#define GOTRACE_EV_CTX_SHIFT	6

/*
 * Event types: COMM, and the schema's (GOTRACE_EVENTS above), whose
 * arguments are named as in the tracepoint's tracefs format.
 * "pfn" is a zvarint: the 64-bit difference (wrapping) from the previous
 * pfn of the same batch, which starts at 0.  A failed allocation (no page)
 * has pfn ~0 (-1 in the tracefs format), which is then the base of the
 * next pfn delta like any other pfn.  "pid" on page events is the
 * current task's pid (ftrace's common_pid).  Values that are signed in the
 * tracepoint (prio, migratetype, orders of extfrag, dest_cpu) are their
 * 32-bit two's complement: a decoder casts them back to s32.
 * sched_switch's prev_pid (version 4): 0 when it equals the next_pid of
 * the previous sched_switch of the same batch (on a CPU, the task a
 * switch leaves is the one the previous switch entered), else prev_pid +
 * 1; the first sched_switch of a batch never has 0.  A writer may always
 * use prev_pid + 1 (it does when a switch was dropped or filtered out).
 */
#define GOTRACE_PREV_PID_SAME	0

enum gotrace_event_type {
	GOTRACE_EV_NONE			= 0,
	/* pid, len, comm[len]: name of a task, before its first mention */
	GOTRACE_EV_COMM			= 1,
	/* the schema's events (GOTRACE_EVENTS), with their type numbers */
#define GOTRACE_EV_ENUM_(N, n, type, sys, group, args) GOTRACE_EV_##N = type,
	GOTRACE_EVENTS(GOTRACE_EV_ENUM_, GOTRACE_ARG_IGNORE_)
#undef GOTRACE_EV_ENUM_
	/*
	 * pid, cgroup id: the task's cgroup v2 (see "Cgroups" at the top),
	 * before the first event that mentions it.  Like COMM, it is not a
	 * tracepoint event: batches' nr_events do not count it.
	 */
	GOTRACE_EV_TASK_CGROUP		= 23,
	GOTRACE_EV_COUNT,
};

/*
 * COMM and TASK_CGROUP describe a task for the events after them: they
 * carry no stack id, and neither batches' nr_events nor the event
 * counters count them.
 */
#define GOTRACE_EV_IS_META(type)	\
	((type) == GOTRACE_EV_COMM || (type) == GOTRACE_EV_TASK_CGROUP)

#define GOTRACE_COMM_LEN	16	/* TASK_COMM_LEN */
#define GOTRACE_FILENAME_MAX	255	/* exec filenames are cut to this */

/*
 * group_dead of SCHED_PROCESS_EXIT: did the last thread of the thread group
 * exit?  Kernels before 6.16 do not pass it to the tracepoint (nor print
 * it in tracefs); their traces say UNKNOWN rather than a guess, since
 * signal->live read at the tracepoint races with the group's other exits.
 */
enum gotrace_group_dead {
	GOTRACE_GROUP_DEAD_FALSE	= 0,
	GOTRACE_GROUP_DEAD_TRUE		= 1,
	GOTRACE_GROUP_DEAD_UNKNOWN	= 2,
};

/* prev_state value that means "preempted while runnable" (ftrace's R+). */
#define GOTRACE_STATE_PREEMPTED	0x100

#endif /* _UAPI_LINUX_GOTRACE_H */
