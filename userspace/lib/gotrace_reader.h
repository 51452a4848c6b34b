/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gotrace_reader.h - decoder of the stream written by /dev/gotrace
 *
 * The reader opens a recorded stream (a regular file or a memory buffer),
 * indexes its records in one pass that reads only record headers, and then
 * returns the events of all CPUs merged in timestamp order.  Memory use is
 * bounded by the number of batches and CPUs, not by the number of events.
 *
 * Typical use:
 *
 *	struct gt_reader *r;
 *	struct gt_event ev;
 *	int ret;
 *
 *	ret = gt_open_file("out.trace", &r);
 *	if (ret < 0)
 *		die("%s", gt_error(NULL));
 *	while ((ret = gt_next(r, &ev)) > 0)
 *		handle(&ev);
 *	if (ret < 0)
 *		die("%s", gt_error(r));
 *	gt_close(r);
 *
 * The functions are not thread-safe for one reader; distinct readers may be
 * used from distinct threads.
 */
#ifndef GOTRACE_READER_H
#define GOTRACE_READER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/gotrace.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gt_reader;

#define GT_MAX_ARGS	8

/*
 * One decoded event.
 *
 * args[] holds the numeric arguments of the event type in the order of
 * the uapi header's schema (GOTRACE_EVENTS; COMM: pid), nargs of them;
 * gt_event_desc() says which field each one is.
 *
 * pfn is absolute (the delta encoding is already undone); ~0ULL means a
 * failed allocation.  Other values are the raw varints (prio, state,
 * migratetype, ... are not sign-converted: cast them to int32_t).  The
 * length bytes of COMM and EXEC are not in args[]: they are str_len.  The
 * trailing stack id of the event types listed in the header's stack_events
 * is not in args[] either: it is stack_id (0: none).
 */
struct gt_event {
	uint64_t ts;		/* absolute ns on the trace clock */
	uint32_t cpu;
	uint8_t type;		/* enum gotrace_event_type */
	uint8_t ctx;		/* enum gotrace_ctx */
	uint16_t nargs;		/* numeric args decoded into args[] */
	uint64_t args[GT_MAX_ARGS];
	/* exec filename / comm (NUL-terminated), else NULL; valid until the
	 * next gt_next()
	 */
	const char *str;
	uint32_t str_len;	/* strlen(str) */
	uint32_t stack_id;	/* STACK record id, 0: none (an extension) */
	/*
	 * Generation of the event's batch, from 1 (0: a version 2 stream,
	 * which has none).  Events of generations up to
	 * gt_summary()->generations have every stack; in a cut stream, a
	 * larger gen is the incomplete generation after the last one.
	 */
	uint32_t gen;
};

/*
 * Per-CPU totals.  batches, events, lost and bytes come from the CPU's
 * CPU_END record when has_end is set; without it they are what the reader
 * counted itself (batches_seen, events_seen, lost_in_batches and the bytes
 * of the batch records seen).
 */
struct gt_cpu_summary {
	uint32_t cpu;
	uint32_t batches;
	uint32_t batches_seen;		/* complete BATCH records in the stream */
	uint32_t seq_gaps;		/* batches missing (by seq numbers) */
	uint64_t events;
	uint64_t lost;
	uint64_t bytes;
	int has_end;			/* CPU_END record seen */
	uint64_t lost_in_batches;	/* sum of gotrace_batch.lost */
	uint64_t events_seen;		/* sum of gotrace_batch.nr_events */
};

/*
 * Stream totals.  events, lost, reader_skipped and stop_ns come from the
 * END record when complete is set; otherwise events and lost are the sums
 * of the per-CPU values and the other two are 0.
 */
struct gt_summary {
	int complete;			/* END record seen */
	int truncated;			/* stream cut inside a record */
	uint64_t events;
	uint64_t lost;
	uint64_t reader_skipped;
	uint64_t stop_ns;
	uint32_t generations;		/* complete ones (GENERATION records) */
	uint32_t nr_cpus;		/* entries at cpus (header nr_cpus) */
	const struct gt_cpu_summary *cpus;
	/*
	 * A flight recorder's snapshot (WINDOW record): its window starts at
	 * window_start_ns; what the recorder held before was overwritten
	 * (not lost: lost counts only events lost inside the window).
	 */
	int snapshot;
	uint64_t window_start_ns;
	uint64_t overwritten_batches;
	uint64_t overwritten_events;
	uint64_t overwritten_lost;	/* events lost before the window */
	/* END's: cgroups the trace could not give a CGROUP record (v4) */
	uint64_t cgroups_lost;
};

/*
 * Open a stream.  The whole record structure is indexed here, so
 * gt_summary() is valid right after.  Return 0 and set *out, or a negative
 * errno (-EINVAL: not a gotrace stream, or its header is unusable; -ESPIPE:
 * the input is not seekable, e.g. a pipe).  On failure *out is NULL and
 * gt_error(NULL) describes the reason.  gt_open_mem() does not copy buf:
 * it must stay valid until gt_close().  gt_open_file("-") reads standard
 * input; a pipe is first copied to an unlinked temporary file (in $TMPDIR,
 * else /tmp) which then becomes standard input, so "-" opens again.
 */
int gt_open_file(const char *path, struct gt_reader **out);
int gt_open_mem(const void *buf, size_t len, struct gt_reader **out);
void gt_close(struct gt_reader *r);

/* The HEADER record of the stream (never NULL for an open reader). */
const struct gotrace_header *gt_header(const struct gt_reader *r);

/*
 * Return the next event in timestamp order across CPUs (ties: lower CPU
 * first, then stream order): 1 and *ev filled, 0 at the end of the data,
 * or a negative errno on malformed data (-EINVAL) or an I/O error, with
 * gt_error() saying what.  Errors are sticky.  COMM events are returned
 * too, after they updated the table behind gt_comm(), and so are
 * TASK_CGROUP events, after the one behind gt_task_cgroup().
 */
int gt_next(struct gt_reader *r, struct gt_event *ev);

/*
 * The last comm seen for pid so far in gt_next() order, or NULL.  The
 * TASKS record (tasks alive at the start) is seen at open.
 */
const char *gt_comm(const struct gt_reader *r, uint32_t pid);

/* Totals of the stream; valid until gt_close(). */
const struct gt_summary *gt_summary(struct gt_reader *r);

/*
 * Human-readable reason of the last error of r, "" if none.  With r NULL:
 * the reason the last gt_open_*() of the calling thread failed.
 */
const char *gt_error(const struct gt_reader *r);

/*
 * Kernel stacks (streams started with GOTRACE_START_STACKS).  gt_stack()
 * points *frames at the return addresses of stack id (innermost first) and
 * returns their number, or -ENOENT; the frames stay valid until the next
 * gt_stack() call.  gt_nr_stacks()/gt_stack_id() enumerate the ids.
 */
int gt_stack(struct gt_reader *r, uint32_t id, const uint64_t **frames);
size_t gt_nr_stacks(const struct gt_reader *r);
uint32_t gt_stack_id(const struct gt_reader *r, size_t i);

/*
 * Cgroups (version 4, GOTRACE_GROUP_CGROUP).  gt_cgroup() gives the
 * CGROUP record of a cgroup id (path NUL-terminated, "" without one,
 * flags GOTRACE_CGROUP_*), or NULL; gt_nr_cgroups()/gt_cgroup_at()
 * enumerate them by id.  gt_task_cgroup() is pid's cgroup id so far in
 * gt_next() order (its last TASK_CGROUP or CGROUP_ATTACH_TASK event, else
 * its parent's when it forked), 0 if not known yet.
 */
struct gt_cgroup {
	uint64_t id;
	uint32_t flags;
	const char *path;
};

const struct gt_cgroup *gt_cgroup(const struct gt_reader *r, uint64_t id);
size_t gt_nr_cgroups(const struct gt_reader *r);
const struct gt_cgroup *gt_cgroup_at(const struct gt_reader *r, size_t i);
uint64_t gt_task_cgroup(const struct gt_reader *r, uint32_t pid);

/*
 * Triggers (TRIGGERS record: a snapshot of a flight recorder started with
 * triggers).  gt_has_triggers() says whether the trace has the record.
 * gt_triggers() gives the triggers as START got them (index of each in
 * gotrace_fired.index); gt_fired() the fired ones whose event is in the
 * window, oldest first, and *total (optional) those fired in the whole
 * trace up to the snapshot.  gt_fired_at() says whether the event of type
 * written on cpu at ts fired triggers: their number (0: none; several
 * triggers may fire on one event), *out the first of them, the others
 * following it; O(log fired), and 2 compares for most events.
 * gt_triggers_error() is NULL, or the one-line reason the record did not
 * parse; it is then ignored (no triggers) and nothing else is lost.
 * All stay valid until gt_close().
 */
int gt_has_triggers(const struct gt_reader *r);
const struct gotrace_trigger *gt_triggers(const struct gt_reader *r,
					  size_t *nr);
const struct gotrace_fired *gt_fired(const struct gt_reader *r, size_t *nr,
				     uint64_t *total);
size_t gt_fired_at(const struct gt_reader *r, uint32_t cpu, uint64_t ts,
		   unsigned int type, const struct gotrace_fired **out);
const char *gt_triggers_error(const struct gt_reader *r);

/*
 * Names of triggers, as 'gotrace flight --trigger' spells them:
 * gt_trigger_kind_name() "oom", "alloc-fail", "reclaim", "compaction",
 * "wakeup" (NULL: unknown kind), gt_trigger_kind() the reverse (-1);
 * gt_trigger_str() a trigger ("reclaim:10ms", "alloc-fail:3", "oom");
 * gt_fired_trigger_str() the trigger a fired entry of r's TRIGGERS record
 * is for, as gt_trigger_str() writes it; gt_fired_value_str() what a fired
 * one measured ("12.3ms", "order 3", "" for oom); gt_duration_str() ns in
 * the largest exact unit ("1500ms").  They return buf.
 */
const char *gt_trigger_kind_name(uint32_t kind);
int gt_trigger_kind(const char *name);
/*
 * From the uapi's GOTRACE_TRIGGER_KINDS: the GOTRACE_GROUP_* a kind's
 * events are in (0: unknown kind), and what its value is (enum
 * gotrace_trigger_value; -1: unknown kind).
 */
uint64_t gt_trigger_groups(uint32_t kind);
int gt_trigger_value_kind(uint32_t kind);
char *gt_trigger_str(uint32_t kind, uint64_t value, char *buf, size_t size);
char *gt_fired_trigger_str(const struct gt_reader *r,
			   const struct gotrace_fired *f, char *buf,
			   size_t size);
char *gt_fired_value_str(const struct gotrace_fired *f, char *buf,
			 size_t size);
char *gt_duration_str(uint64_t ns, char *buf, size_t size);

/*
 * Name of the kernel symbol containing addr from the SYMBOLS record, or
 * NULL.  *off gets addr's offset in it, *module its module or NULL for
 * vmlinux (both optional).
 */
const char *gt_symbol(const struct gt_reader *r, uint64_t addr, uint64_t *off,
		      const char **module);

/*
 * The ZONES record: the populated zones of the online nodes at start, in
 * node and zone order (*nr 0: the trace has none).  gt_zone_of() gives
 * the first zone whose pfn span holds pfn, or NULL.
 */
const struct gotrace_zone *gt_zones(const struct gt_reader *r, size_t *nr);
const struct gotrace_zone *gt_zone_of(const struct gt_reader *r, uint64_t pfn);

/*
 * Source frames of the return address addr from the LINES record (gotrace
 * symbolize --vmlinux): their number (0: none), innermost first, the last
 * being the function of addr's symbol and the others inlined into it.
 * gt_srcline() gives frame i's function, file and line (0: unknown).
 */
int gt_nr_srclines(const struct gt_reader *r, uint64_t addr);
int gt_srcline(const struct gt_reader *r, uint64_t addr, int i,
	       const char **func, const char **file, uint32_t *line);

/*
 * Format gfp flags with the traced kernel's names of the GFP_NAMES record,
 * as ftrace does ("GFP_KERNEL|__GFP_ZERO", leftover bits in hex), or in
 * hex ("0xcc0") when the stream has no names.  Return buf.
 */
char *gt_gfp_str(const struct gt_reader *r, uint64_t flags, char *buf,
		 size_t size);

/*
 * The TASKS record's entry of pid (a task alive when the trace started:
 * tgid, parent, state, prio, comm NUL-terminated), or NULL.
 */
const struct gotrace_task *gt_task(const struct gt_reader *r, uint32_t pid);

/*
 * Losses: each BATCH (or PACKED) record with lost > 0, in ts order (ties:
 * lower CPU first).  lost is the number of events the CPU lost just before
 * the batch, ts the batch's base_ts.  *out stays valid until gt_close();
 * returns the number of entries, or -ENOMEM.
 */
struct gt_loss {
	uint64_t ts;
	uint64_t lost;
	uint32_t cpu;
};

long gt_losses(struct gt_reader *r, const struct gt_loss **out);

/*
 * A table of pages keyed by pfn (all 64 bits), for tools that follow pages
 * from allocation to free.  A slot is in use when flags has GT_PAGE_USED;
 * the other flag bits, ts, pid, stack, cpu, order and tag are the
 * caller's.
 * gt_page_get() returns pfn's slot, inserted (zeroed but for pfn and
 * GT_PAGE_USED) when absent, with *old saying which; NULL without memory.
 * gt_page_del() frees a slot (pointers to other slots may then move).
 * Walk every slot: p[0] to p[size - 1], skipping unused ones.
 */
#define GT_PAGE_USED	1

struct gt_page {
	uint64_t pfn;
	uint64_t ts;
	uint32_t pid;
	uint32_t stack;
	uint16_t cpu;
	uint8_t order;
	uint8_t flags;
	uint32_t tag;		/* e.g. an index in the caller's table */
};

struct gt_page_map {
	struct gt_page *p;
	size_t size;		/* slots, a power of 2 (0: empty) */
	size_t used;
};

struct gt_page *gt_page_find(const struct gt_page_map *m, uint64_t pfn);
struct gt_page *gt_page_get(struct gt_page_map *m, uint64_t pfn, int *old);
void gt_page_del(struct gt_page_map *m, struct gt_page *pg);
void gt_page_map_free(struct gt_page_map *m);

/*
 * The schema of an event type (the uapi header's GOTRACE_EVENTS, and
 * COMM): its fields in the order tracefs prints them, each with its kind
 * (enum gotrace_arg_kind) and its index in gt_event.args (numeric fields
 * only; the STRING field is gt_event.str).  NULL for NONE or unknown types.
 */
struct gt_field {
	const char *name;	/* "prev_pid", "pfn", "filename", ... */
	uint8_t kind;		/* enum gotrace_arg_kind */
	uint8_t arg;		/* index in gt_event.args */
};

struct gt_event_desc {
	const char *name;	/* "sched_switch" */
	const char *system;	/* tracefs directory: "sched", "kmem", ... */
	uint64_t group;		/* GOTRACE_GROUP_* (0: COMM) */
	int tp;			/* enum gotrace_tp, -1: COMM */
	uint8_t nargs;		/* numeric arguments */
	uint8_t nfields;
	uint8_t has_string;	/* varint length + bytes after the numbers */
	uint8_t has_pfn;	/* args[0] is a zvarint pfn delta */
	const struct gt_field *fields;
};

const struct gt_event_desc *gt_event_desc(unsigned int type);

/* The event type named name ("sched_switch", ..., "comm"), or -1. */
int gt_event_type(const char *name);

/* "sched_switch", "mm_page_alloc", ..., "comm"; "unknown" if out of range. */
const char *gt_event_name(unsigned int type);

/* Number of numeric arguments of an event type (0 for unknown types). */
unsigned int gt_event_nargs(unsigned int type);

/*
 * Format a sched_switch prev_state the way ftrace prints it ("R", "S",
 * "D|W", "R+", ...) into buf (at least 64 bytes); return buf.
 */
char *gt_state_str(uint64_t state, char *buf, size_t size);

/*
 * Which events a command looks at (its --from, --to, --pid, --cpu and
 * --event options).  gt_filter_init() selects everything.
 * gt_filter_match() is 1 for an event inside the window, on a selected CPU,
 * of a selected type and about the selected task (an argument of kind pid,
 * task or current: the pid itself, a thread of it by the TASKS record, or
 * a child it forked, which it learns from the events it is given, so call
 * it on every event in gt_next() order), 0 if not, -ENOMEM.
 * gt_filter_select() is the same without the window (for tools that
 * follow state from before it).  gt_filter_time() is -1 before the
 * window, 0 inside, 1 after it.
 * gt_event_pids() gives the pids an event is about (at most max).
 */
#define GT_FILTER_MAX_CPUS	4096

struct gt_filter {
	uint64_t from_ns;	/* window start, relative to the trace start */
	uint64_t to_ns;		/* window end (inclusive); UINT64_MAX: none */
	int64_t pid;		/* -1: every task */
	uint64_t types;		/* bit per event type (1ULL << GOTRACE_EV_*) */
	int all_cpus;		/* else the CPUs of cpus[] */
	uint64_t cpus[GT_FILTER_MAX_CPUS / 64];
	uint64_t *threads;	/* children of pid seen forking */
	size_t nr_threads, cap_threads;
};

void gt_filter_init(struct gt_filter *f);
void gt_filter_release(struct gt_filter *f);
/* Select CPUs first..last (the first call drops "every CPU"); -ERANGE. */
int gt_filter_add_cpus(struct gt_filter *f, uint32_t first, uint32_t last);
int gt_filter_cpu(const struct gt_filter *f, uint32_t cpu);
int gt_filter_type(const struct gt_filter *f, unsigned int type);
int gt_filter_time(const struct gt_filter *f, const struct gt_reader *r,
		   uint64_t ts);
int gt_filter_pid(const struct gt_filter *f, const struct gt_reader *r,
		  uint64_t pid);
int gt_filter_match(struct gt_filter *f, const struct gt_reader *r,
		    const struct gt_event *ev);
int gt_filter_select(struct gt_filter *f, const struct gt_reader *r,
		     const struct gt_event *ev);
unsigned int gt_event_pids(const struct gt_event *ev, uint64_t *pids,
			   unsigned int max);

/*
 * PACKED records (see struct gotrace_packed).  gt_pack_batch() packs one
 * BATCH record of len bytes into out (gt_pack_bound(len) bytes are always
 * enough) and returns 0, 1 if the batch does not parse as events of this
 * format version (keep the BATCH record as it is), or -errno.
 * gt_unpack_batch() gives back the BATCH record (ph.batch.rec.len bytes,
 * at most cap) and returns 0, or -EINVAL with the reason in msg.
 * stack_events is the HEADER's.  The readers unpack by themselves; these
 * are for tools that write traces.
 */
/* zstd level: 1 is fast enough to follow the device under load */
#define GT_PACK_LEVEL	1

struct gt_pack_ctx;
struct gt_unpack_ctx;

struct gt_pack_ctx *gt_pack_new(int level);
void gt_pack_free(struct gt_pack_ctx *pc);
size_t gt_pack_bound(size_t batch_len);
int gt_pack_batch(struct gt_pack_ctx *pc, uint64_t stack_events,
		  const void *batch, size_t len, void *out, size_t cap,
		  size_t *out_len);
struct gt_unpack_ctx *gt_unpack_new(void);
void gt_unpack_free(struct gt_unpack_ctx *uc);
int gt_unpack_batch(struct gt_unpack_ctx *uc, uint64_t stack_events,
		    const void *packed, size_t len, void *out, size_t cap,
		    char *msg, size_t msglen);

/*
 * Incremental record scanner, for a stream that arrives in pieces of any
 * size (the device, a pipe).  gt_stream_feed() hands each part of it to
 * piece() in order, cut at record boundaries:
 *  - MAGIC: the 8 magic bytes;
 *  - RECORD: a whole record;
 *  - HEAD: the first bytes of a record held only in part, then BODY
 *    pieces with the rest of it as it arrives;
 *  - RAW: what follows the point where the stream stopped parsing (err
 *    says why), or, from gt_stream_finish(), what a cut-off stream leaves.
 * hold(arg, type, len) says how many leading bytes of a record to gather
 * (len: all of it); NULL holds the fixed part of any record.  Without the
 * memory to gather it, a record comes as HEAD and BODY.  Concatenating the
 * pieces gives back the stream, byte for byte.  piece() returns 0, or
 * nonzero to stop (feed then returns -1).  Records of both format versions
 * 2 and 3 are accepted; a record length that is not a multiple of 8, or
 * shorter than the record's fixed part, stops parsing with one error.
 */
enum gt_piece_kind {
	GT_PIECE_MAGIC,
	GT_PIECE_RECORD,
	GT_PIECE_HEAD,
	GT_PIECE_BODY,
	GT_PIECE_RAW,
};

struct gt_piece {
	enum gt_piece_kind kind;
	uint32_t type;		/* of the record (RECORD, HEAD, BODY) */
	uint32_t len;		/* of the whole record */
	uint64_t off;		/* stream offset of data[0] */
	const uint8_t *data;
	size_t n;
};

typedef int (*gt_piece_fn)(void *arg, const struct gt_piece *pc);
typedef size_t (*gt_hold_fn)(void *arg, uint32_t type, uint32_t len);

struct gt_stream {
	gt_piece_fn piece;
	gt_hold_fn hold;
	void *arg;
	uint64_t pos;		/* bytes fed so far */
	uint8_t magic[8];
	size_t magic_have;
	uint8_t *buf;		/* the held part of the current record */
	size_t cap;
	size_t have;
	size_t want;		/* bytes to hold; 0 until its header is in */
	uint32_t type;
	uint32_t len;
	uint64_t rec_off;	/* of the current record */
	uint64_t body;		/* bytes of it still to come as BODY */
	uint32_t version;	/* the HEADER's, 0 before it */
	uint32_t seen;		/* 1 << GOTRACE_REC_*: types met */
	int bad;		/* stopped parsing: err says why */
	int cut;		/* gt_stream_finish(): ended inside a record */
	int failed;		/* piece() asked to stop */
	char err[160];
};

/* 0, or -ENOMEM. */
int gt_stream_init(struct gt_stream *s, gt_piece_fn piece, gt_hold_fn hold,
		   void *arg);
int gt_stream_feed(struct gt_stream *s, const void *p, size_t n);
/* The stream ended: hand out what is still held (as RAW). */
int gt_stream_finish(struct gt_stream *s);
void gt_stream_free(struct gt_stream *s);
/* Bytes of the current record's BODY the caller may skip unread. */
uint64_t gt_stream_skippable(const struct gt_stream *s);
void gt_stream_skip(struct gt_stream *s, uint64_t n);

static inline int gt_stream_seen(const struct gt_stream *s, uint32_t type)
{
	return type < 32 && (s->seen & (1U << type));
}

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_READER_H */
