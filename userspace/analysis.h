/* SPDX-License-Identifier: GPL-2.0 */
/*
 * analysis.h - the numbers of "gotrace stats", computed from a trace
 *
 * One pass over the events of a reader (libgotrace) fills tables that a
 * report prints: pages by order, migratetype, gfp flags, task and stack;
 * pages still allocated at the end (outstanding), page lifetimes,
 * allocation rate over time, extfrag fallbacks, direct reclaim, kswapd and
 * compaction, scheduler runtime/latency per task and busy time per CPU,
 * and the health of the trace.  "gotrace stats" (text and --json) prints
 * exactly these numbers; other reports should use this module too, so that
 * they agree with it.
 *
 * Memory is bounded by the tables: tasks, stacks, gfp values, pages alive
 * (a hash table keyed by pfn) and time buckets, never by the number of
 * events.
 *
 *	struct ga_opts o;
 *	struct ga *a;
 *
 *	ga_opts_init(&o);
 *	o.filter.pid = 42;			(optional filters)
 *	a = ga_new(r, &o);			(r: an open gt_reader)
 *	if (!a || ga_run(a) < 0)		(or ga_event() per event,
 *		...					 then ga_finish())
 *	res = ga_result(a);
 *	...print res...
 *	ga_free(a);				(before gt_close(r))
 *
 * Semantics, shared by every report:
 *
 * - Filters (time window, pid, CPU) select events.  A page is followed
 *   from a selected allocation to its free wherever and whenever it
 *   happens (another CPU, another task): frees are counted when the free
 *   event itself is selected, lifetimes when the allocation was.  Events
 *   after the window end are not read; the window's end is "the end" for
 *   outstanding pages and open intervals.
 * - Frees: mm_page_free (pfn, order) and mm_page_free_batched (order 0).
 *   mm_page_pcpu_drain is a page going from a per-CPU list back to the
 *   buddy allocator, after its mm_page_free: it is counted (pcp_drains)
 *   but is not a free.
 * - An allocation of a pfn that is already alive (its free was not seen:
 *   lost events) replaces it and counts in realloc_unfreed; a free of a
 *   pfn not alive (allocated before the trace, or lost) counts in
 *   free_unknown.
 * - Outstanding pages: selected allocations not freed by the end; ga_task
 *   and ga_stack carry the sums, ga_site splits them by (stack, pid,
 *   order, gfp flags), ga_group by the keys of ga_opts.by.  Leak
 *   candidates (ga_group's outstanding) are those allocated at least
 *   older_ns before the end (all with older_ns 0), as bcc's memleak -o.
 * - Runtime: the time between a task's sched_switch in and out on a CPU;
 *   the task a CPU runs at its first sched_switch has run since the window
 *   start, the tasks running at the end run until the end.  Busy time of
 *   a CPU is the runtime of the tasks other than pid 0 (idle).  Switches
 *   count switch-outs; involuntary ones have prev_state R (preempted).
 *   Wakeup latency: sched_wakeup/sched_wakeup_new of a pid to its next
 *   sched_switch in (the first wakeup counts while it waits).
 * - Direct reclaim stall: mm_vmscan_direct_reclaim_begin to _end of a pid.
 *   kswapd active time: mm_vmscan_kswapd_wake to _sleep per node (repeated
 *   wakes while awake do not restart it).  Compaction: begin to end of a
 *   pid.  Unfinished intervals run to the end (stall counted, flagged).
 * - Times are ns on the trace clock; window bounds in ga_opts are ns
 *   relative to the header's start_ns.
 * - A pid filter matches a task whose pid or tgid (tgid known from the
 *   TASKS record or sched_process_fork) is the given pid.  Events of no
 *   task (kswapd wake/sleep) are not selected by a pid filter.
 */
#ifndef GOTRACE_ANALYSIS_H
#define GOTRACE_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace_reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Orders 0..GA_ORDERS-2 have their own slot; the last one is "larger". */
#define GA_ORDERS		12
/* Migratetypes 0..GA_MIGRATETYPES-2; the last one is "other". */
#define GA_MIGRATETYPES		8
#define GA_MAX_NODES		64	/* kswapd nodes followed */

#define GA_DEFAULT_BUCKET_NS	100000000ULL	/* 100 ms */

struct ga_opts {
	/* window, task, CPUs and event types (no thread learning here:
	 * the analysis follows forks itself)
	 */
	struct gt_filter filter;
	uint64_t bucket_ns;	/* allocation rate buckets; 0: default */
	unsigned int by;	/* groups (ga_keys[] bits); 0: GA_BY_DEFAULT */
	uint64_t older_ns;	/* leak candidates: outstanding this long */
};

/*
 * Log-linear histogram of durations (ns): values below 16 exactly, above
 * in 16 sub-buckets per power of two, so a percentile is exact to 1/16
 * (6.25%) of its value.  count, sum, min and max are exact.
 */
#define GA_HIST_SUB		16
#define GA_HIST_BUCKETS		(61 * GA_HIST_SUB)

struct ga_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min;		/* 0 when count is 0 */
	uint64_t max;
	uint32_t *b;		/* GA_HIST_BUCKETS counts, NULL while empty */
};

/*
 * The p-th percentile (0 < p <= 100) of h: the lower bound of the bucket
 * of the sample of rank ceil(p/100 * count), clamped to [min, max]; 0 for
 * an empty histogram.  Values that are exact in the buckets (below 32, or
 * with at most 5 significant bits) give exact percentiles.
 */
uint64_t ga_hist_pct(const struct ga_hist *h, double p);
/* Lower bound of bucket i, and the bucket of value v. */
uint64_t ga_hist_bucket_low(unsigned int i);
unsigned int ga_hist_bucket(uint64_t v);

struct ga_task {
	uint32_t pid;
	uint32_t tgid;		/* 0: unknown */
	const char *comm;	/* last name seen, or NULL */
	/* pages */
	uint64_t allocs;	/* mm_page_alloc events (pfn != -1) */
	uint64_t alloc_pages;	/* pages: sum of 1 << order */
	uint64_t alloc_fails;	/* pfn -1 */
	uint64_t frees;		/* mm_page_free + mm_page_free_batched */
	uint64_t free_pages;
	uint64_t outstanding;	/* allocations (blocks) alive at the end */
	uint64_t outstanding_pages;
	/* scheduler */
	uint64_t runtime_ns;
	uint64_t switches;	/* switched out */
	uint64_t involuntary;	/* ... while runnable (preempted) */
	uint64_t wakeups;
	uint64_t migrations;
	struct ga_hist wake_lat;	/* wakeup to run */
	/* reclaim */
	struct ga_hist reclaim;		/* direct reclaim stalls */
	uint64_t reclaimed;		/* sum of nr_reclaimed */
	struct ga_hist compaction;	/* compaction begin to end */
};

struct ga_stack {
	uint32_t id;		/* STACK id; 0: events without a stack */
	uint64_t allocs;
	uint64_t alloc_pages;
	uint64_t frees;		/* frees of pages this stack allocated */
	uint64_t outstanding;
	uint64_t outstanding_pages;
};

/*
 * Groupings of the allocations (ga_opts.by): each key is a row of
 * ga_keys[], its bit 1 << its index.  A group is one value of each key of
 * the grouping (the others are 0 in ga_group.key).  A key is taken from
 * one allocation (struct ga_src) by of(); label() names a value for the
 * reports (a task's comm), or returns NULL.  A new grouping is a new enum
 * ga_key_id, a field of ga_src filled in analysis.c and a row of
 * ga_keys[]: --by, the text table and the JSON follow the table.
 */
enum ga_key_id {
	GA_KEY_STACK,
	GA_KEY_PID,
	GA_KEY_TGID,
	GA_KEY_CGROUP,
	GA_KEY_NR
};

#define GA_BY_DEFAULT	(1U << GA_KEY_STACK | 1U << GA_KEY_PID)

/* What an allocation's keys are taken from. */
struct ga_src {
	uint32_t stack_id;
	uint32_t pid;
	uint32_t tgid;		/* its pid when the trace does not say */
	uint64_t cgroup;	/* the task's cgroup id then; 0: not known */
};

struct ga_key_def {
	const char *name;	/* --by's word, the text column */
	const char *json;	/* its JSON member */
	uint64_t (*of)(const struct ga_src *src);
	const char *(*label)(struct gt_reader *r, uint64_t v);
	const char *label_name;	/* the label's text column ("comm") */
	const char *label_json;	/* its JSON member */
	int label_width;	/* its text width */
	const char *zero_label;	/* the text label of the value 0 */
	int width;		/* text width of the value (0: 8) */
	int is_stack;		/* the value is a STACK id: print its frames */
};

extern const struct ga_key_def ga_keys[GA_KEY_NR];

/*
 * A comma list of ga_keys[] names ("stack,pid") to a bitmask: 0, or -1
 * with *bad pointing at the first word that is not a key.
 */
int ga_by_parse(const char *s, unsigned int *by, const char **bad);
/* The names of the keys of by, comma-separated, into buf. */
char *ga_by_str(unsigned int by, char *buf, size_t size);

/*
 * The allocations of one group: allocated in the window, and outstanding
 * at its end (leak candidates: with ga_opts.older_ns, only those
 * allocated at least older_ns before the end).
 */
struct ga_group {
	uint64_t key[GA_KEY_NR];	/* by ga_key_id; 0: not a key */
	uint64_t allocs;		/* blocks (pfn != -1) */
	uint64_t alloc_pages;
	uint64_t outstanding;		/* blocks */
	uint64_t outstanding_pages;
	uint64_t outstanding_bytes;
	uint64_t oldest_ts;		/* earliest outstanding (if any) */
};

/*
 * Allocations of one (stack, pid, order, gfp): the samples of a profile
 * (pprof), so that every label of a sample is exact.  outstanding and
 * outstanding_pages are the part of them alive at the end; summed over
 * the sites of one (stack, pid) they are that ga_outstanding's.
 */
struct ga_site {
	uint32_t stack_id;
	uint32_t pid;
	uint32_t order;
	uint64_t gfp;
	uint64_t cgroup;	/* the task's cgroup id at the allocation */
	uint64_t allocs;	/* blocks (pfn != -1) */
	uint64_t alloc_pages;
	uint64_t outstanding;
	uint64_t outstanding_pages;
};

struct ga_gfp {
	uint64_t gfp;		/* gfp_flags value (gt_gfp_str() names it) */
	uint64_t allocs;
	uint64_t pages;
};

struct ga_cpu {
	uint32_t cpu;
	uint64_t busy_ns;	/* non-idle runtime in the window */
	uint64_t switches;
	/* trace health, from the reader's gt_cpu_summary and decoding */
	uint64_t events;	/* decoded (COMM excluded), all events */
	uint64_t events_total;	/* CPU_END (or counted) */
	uint64_t lost;
	uint32_t batches;
	uint32_t seq_gaps;
	int has_end;
};

/* One time bucket of the allocation rate. */
struct ga_bucket {
	uint64_t allocs;
	uint64_t alloc_pages;
	uint64_t frees;
	uint64_t free_pages;
};

struct ga_order {
	uint64_t allocs;
	uint64_t frees;
	uint64_t outstanding;
	struct ga_hist lifetime;	/* alloc to free */
};

/* One zone of the ZONES record and what happened in its pfn span. */
struct ga_zone {
	struct gotrace_zone zone;
	uint64_t allocs, alloc_pages;
	uint64_t frees, free_pages;
	uint64_t outstanding, outstanding_pages;
	uint64_t extfrag;
	uint64_t extfrag_order[GA_ORDERS];	/* by alloc_order */
	uint64_t extfrag_mt[GA_MIGRATETYPES][GA_MIGRATETYPES];
	uint64_t kswapd_wakes;		/* for this node and zone */
	uint64_t compactions;		/* that ended, in this zone */
};

/*
 * One cgroup v2 of the trace (analysis_cgroups.c): the pages its tasks
 * allocated in the window, those freed again (by anyone), and those still
 * allocated at the end.  id 0: allocations by tasks whose cgroup the
 * trace does not say (pid 0, interrupts on an idle CPU).
 */
struct ga_cgroup {
	uint64_t id;
	const char *path;	/* the CGROUP record's (the reader's memory) */
	uint32_t flags;		/* GOTRACE_CGROUP_* */
	int has_record;		/* a CGROUP record names it */
	uint64_t allocs, alloc_pages;
	uint64_t freed_pages;
	uint64_t outstanding, outstanding_pages;
};

struct ga_cgroups {
	int traced;		/* the trace has GOTRACE_GROUP_CGROUP */
	uint64_t lost;		/* cgroups without a CGROUP record (END) */
	struct ga_cgroup *rows;	/* by outstanding, then allocated pages */
	size_t nr, cap;
	uint32_t *slots;	/* id -> row while analysing */
	size_t slots_size;
	struct gt_page_map pages;	/* pfn -> row (tag) while analysing */
};

/*
 * A fired trigger of the TRIGGERS record, and the task it names as the
 * trace knew it when its event came (seen: the event was decoded).
 */
struct ga_fired {
	struct gotrace_fired f;
	uint64_t threshold;		/* its trigger's value */
	char comm[GOTRACE_COMM_LEN + 1];	/* "" if not known */
	int seen;
};

struct ga_result {
	/* window (absolute ns on the trace clock) */
	uint64_t start_ns;		/* window start (>= header start_ns) */
	uint64_t end_ns;		/* window end: last ts / stop / to */
	uint32_t page_size;

	/* events */
	uint64_t events;		/* selected events, COMM excluded */
	uint64_t by_type[GOTRACE_EV_COUNT];	/* selected, per type */

	/* pages */
	uint64_t allocs, alloc_pages, alloc_fails;
	uint64_t frees, free_pages;
	uint64_t free_unknown;		/* frees of pfns not alive */
	uint64_t realloc_unfreed;	/* allocations of alive pfns */
	uint64_t pcp_drains, pcp_drain_pages;
	struct ga_order order[GA_ORDERS];
	uint64_t mt_allocs[GA_MIGRATETYPES];
	uint64_t mt_pages[GA_MIGRATETYPES];
	struct ga_gfp *gfp;		/* by allocs, descending */
	size_t nr_gfp;
	uint64_t outstanding, outstanding_pages, outstanding_bytes;
	/*
	 * The allocations by ga_opts.by, by outstanding pages (those older
	 * than older_ns), then allocated pages, descending; the groups with
	 * leak candidates come first, nr_leak_groups of them.
	 */
	unsigned int by;
	uint64_t older_ns;
	struct ga_group *groups;
	size_t nr_groups, nr_leak_groups;
	uint64_t leak_allocs, leak_pages;	/* the candidates' sums */
	struct ga_hist lifetime;	/* all orders */
	struct ga_site *sites;		/* by alloc_pages, descending */
	size_t nr_sites;

	/* allocation rate */
	uint64_t bucket_ns;
	struct ga_bucket *buckets;	/* from start_ns */
	size_t nr_buckets;

	/* fragmentation */
	uint64_t extfrag;
	uint64_t extfrag_fragmenting;	/* fallback_order < pageblock order
					 * (9: 2 MiB of 4 KiB pages), as the
					 * tracepoint's "fragmenting"
					 */
	uint64_t extfrag_mt[GA_MIGRATETYPES][GA_MIGRATETYPES];	/* [alloc][fallback] */

	/* reclaim and compaction */
	struct ga_hist reclaim;		/* all direct reclaim stalls */
	uint64_t reclaimed;
	uint64_t reclaim_unfinished;	/* begins without an end */
	uint64_t kswapd_wakes;
	uint64_t kswapd_active_ns;	/* summed over nodes */
	uint64_t kswapd_node_ns[GA_MAX_NODES];
	struct ga_hist compaction;
	uint64_t compaction_status[8];	/* by status 0..6, 7: other */

	/* scheduler */
	uint64_t switches;
	uint64_t wakeups;
	uint64_t migrations;
	struct ga_hist wake_lat;

	/* tables */
	struct ga_task *tasks;		/* by pid, ascending */
	size_t nr_tasks;
	struct ga_stack *stacks;	/* by alloc_pages, descending */
	size_t nr_stacks;
	struct ga_cpu *cpus;		/* header nr_cpus entries */
	uint32_t nr_cpus;
	struct ga_zone *zones;		/* the ZONES record's, in its order */
	size_t nr_zones;		/* 0: the trace has no ZONES */
	uint64_t zone_unknown_allocs;	/* pfns outside every zone */
	struct ga_cgroups cg;

	/* trace health */
	int complete;			/* END record */
	int truncated;
	int decode_error;		/* gt_next() failed: partial result */
	char error[256];		/* its message */
	uint64_t lost;
	uint64_t reader_skipped;
	uint64_t seq_gaps;
	/* A flight recorder's snapshot: overwritten before it, not lost. */
	int snapshot;
	uint64_t overwritten_batches;
	uint64_t overwritten_events;
	/* triggers (a snapshot of a flight recorder started with them) */
	int has_triggers;
	const struct gotrace_trigger *triggers;	/* the reader's */
	size_t nr_triggers;
	struct ga_fired *fired;		/* those in the window, oldest first */
	size_t nr_fired;
	uint64_t fired_total;		/* in the whole trace */
	uint64_t stack_events;		/* events that carry a stack id */
	uint64_t stack_lost;		/* ... whose stack id is 0 */
	uint64_t unnamed_pids;		/* tasks without a comm */
};

struct ga;

/* analysis_zones.c: the by-zone counters (ga_result.zones). */
int ga_zones_init(struct ga_result *res, struct gt_reader *r);
void ga_zones_free(struct ga_result *res);
struct ga_zone *ga_zone_of(const struct ga_result *res, uint64_t pfn);
struct ga_zone *ga_zone_id(const struct ga_result *res, uint64_t nid,
			   uint64_t zid);
void ga_zone_alloc(struct ga_result *res, uint64_t pfn, uint64_t pages);
void ga_zone_free(struct ga_result *res, uint64_t pfn, uint64_t pages);
void ga_zone_outstanding(struct ga_result *res, uint64_t pfn, uint64_t pages);
void ga_zone_extfrag(struct ga_result *res, uint64_t pfn,
		     unsigned int order_slot, unsigned int alloc_mt,
		     unsigned int fallback_mt);
void ga_zone_kswapd_wake(struct ga_result *res, uint64_t nid, uint64_t zid);
void ga_zone_compaction(struct ga_result *res, uint64_t zone_start);

/* analysis_cgroups.c: the by-cgroup counters (ga_result.cg). */
int ga_cgroups_init(struct ga_result *res, struct gt_reader *r);
void ga_cgroups_free(struct ga_result *res);
int ga_cgroup_alloc(struct ga_result *res, const struct gt_reader *r,
		    uint64_t pfn, uint32_t pid, uint64_t pages);
void ga_cgroup_free(struct ga_result *res, uint64_t pfn, uint64_t pages);
void ga_cgroup_outstanding(struct ga_result *res, uint64_t pfn,
			   uint64_t pages);
void ga_cgroups_finish(struct ga_result *res);

/* ga_opts with no filters and the default bucket. */
void ga_opts_init(struct ga_opts *o);

/*
 * A new analysis of the events of r (open, nothing read yet).  r must stay
 * open until ga_free().  NULL without memory or with invalid options
 * (errno EINVAL/ENOMEM).
 */
struct ga *ga_new(struct gt_reader *r, const struct ga_opts *o);

/*
 * Feed one event (in gt_next() order) / close the analysis (idempotent).
 * 0, or -ENOMEM.  ga_event() returns 1 when the event is past the
 * window's end: the caller may stop reading.
 */
int ga_event(struct ga *a, const struct gt_event *ev);
int ga_finish(struct ga *a);

/*
 * Read every event of r with gt_next(), feed them, finish.  0, -ENOMEM,
 * or the reader's negative errno on malformed data: the result then holds
 * what was decoded, with decode_error and error set.
 */
int ga_run(struct ga *a);

/* The result; valid after ga_finish() (or ga_run()) until ga_free(). */
const struct ga_result *ga_result(const struct ga *a);

/* The task of pid in the result, or NULL. */
const struct ga_task *ga_task_find(const struct ga_result *res, uint32_t pid);

void ga_free(struct ga *a);

#ifdef __cplusplus
}
#endif

#endif /* GOTRACE_ANALYSIS_H */
