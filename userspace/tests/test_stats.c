// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of analysis.c ("gotrace stats") and "gotrace symbolize":
 * synthetic traces whose allocations, frees, outstanding pages, lifetimes
 * and latencies are known give exact numbers, through the API and in
 * "gotrace stats --json"; --top, --by and --older of stats, report's exit
 * status and output file, dump's escaped names, --relative and gfp names.
 *
 * Usage: test_stats GOTRACE_BINARY OUTDIR
 *        test_stats --gen FILE NR_EVENTS   (benchmark trace, streamed)
 *
 * Output is TAP; the exit status is non-zero if a test failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../analysis.h"
#include "encoder.h"
#include "tap.h"
#include "gotrace_reader.h"

static const char *tool;
static const char *outdir;

static int json_valid(const char *s);

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x)	(sizeof(x) / sizeof((x)[0]))
#endif
#define A(...)	((const uint64_t[]){ __VA_ARGS__ })
#define T0	1000000ULL		/* trace start */
#define ST	GOTRACE_STATE_PREEMPTED

/* ---- the synthetic trace ------------------------------------------------ */

static void enc_gfp_names(struct enc *e)
{
	struct gotrace_gfp_names gh = {
		.rec = { GOTRACE_REC_GFP_NAMES, sizeof(gh) + 2 * 40 },
		.nr = 2,
	};
	struct gotrace_gfp_name g[2] = {
		{ 0xcc0, "GFP_KERNEL" },
		{ 0x100, "__GFP_ZERO" },
	};

	enc_bytes(e, &gh, sizeof(gh));
	enc_bytes(e, g, sizeof(g));
}

static void enc_stack(struct enc *e, uint32_t id, uint32_t nr,
		      const uint64_t *frames)
{
	struct gotrace_stack st = {
		.rec = { GOTRACE_REC_STACK, sizeof(st) + nr * 8 },
		.id = id, .nr = nr,
	};

	enc_bytes(e, &st, sizeof(st));
	enc_bytes(e, frames, nr * 8);
}

/*
 * Two CPUs.  CPU 0: pid 100 runs 1us..40us, allocates (stack 1), frees,
 * stalls in direct reclaim twice (3072 + 1024 ns), compacts 512 ns; pid
 * 200 allocates 4 blocks (stack 2), 3 of them (4 pages) stay allocated.
 * CPU 1: pid 300 runs 10000 + 7952 ns, sleeps, waits 2048 ns after its
 * wakeup, is preempted; kswapd is awake 4000 ns.  The numbers the tests
 * expect are derived in the comments.
 */
static void build_trace(struct enc *e, int symbols)
{
	static const uint32_t pids[] = { 100, 200, 300 };
	static const char *const comms[] = { "alloc", "leaker", "sleeper" };

	enc_init(e, 2, T0);
	enc_set_stack_events(e, 1ULL << GOTRACE_EV_MM_PAGE_ALLOC);
	enc_gfp_names(e);
	enc_tasks(e, 3, pids, comms);

	enc_batch_begin(e, 0, 0, T0, 0);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, T0 + 1000,
		  A(0, 120, 0, 100, 120), NULL);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 2000,
			A(0x1000, 0, 0xcc0, 0, 100), NULL, 1);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 3000,
			A(0x2000, 2, 0xdc0, 1, 100), NULL, 1);
	/* lifetime 1024 */
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 3024, A(0x1000, 0, 100),
		  NULL);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 4000,
			A(0x3000, 0, 0xcc0, 0, 200), NULL, 2);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 5000,
			A(0x3001, 0, 0xcc0, 0, 200), NULL, 2);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 6000,
			A(0x3002, 1, 0xcc0, 0, 200), NULL, 2);
	/* never allocated in the trace */
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE_BATCHED, 0, T0 + 7000,
		  A(0x9999, 100), NULL);
	/* lifetime 4096, order 2 */
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 7096, A(0x2000, 2, 100),
		  NULL);
	/* back to the buddy: not a free */
	enc_event(e, GOTRACE_EV_MM_PAGE_PCPU_DRAIN, 0, T0 + 8000,
		  A(0x1000, 0, 0, 100), NULL);
	/* failed, without a stack */
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 9000,
			A(~0ULL, 3, 0xcc0, 0, 100), NULL, 0);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG, 0, T0 + 10000,
		  A(0x5000, 0, 2, 0, 1, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0, T0 + 12000,
		  A(0, 0xcc0, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 0, T0 + 15072,
		  A(32, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0, T0 + 16000,
		  A(0, 0xcc0, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 0, T0 + 17024,
		  A(0, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_COMPACTION_BEGIN, 0, T0 + 17100,
		  A(0x1000, 0x80000, 1, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_COMPACTION_END, 0, T0 + 17612,
		  A(0x1000, 0x80000, 1, 5, 100), NULL);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 18000,
			A(0x4000, 0, 0xcc0, 0, 200), NULL, 2);
	/* lifetime 16, freed by another task */
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE_BATCHED, 0, T0 + 18016,
		  A(0x4000, 100), NULL);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, T0 + 40000,
		  A(100, 120, 1, 0, 120), NULL);
	enc_batch_end(e, 0);

	enc_batch_begin(e, 1, 0, T0, 0);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, T0 + 1000,
		  A(0, 120, 0, 300, 120), NULL);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, T0 + 11000,
		  A(300, 120, 1, 0, 120), NULL);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP, 0, T0 + 20000, A(300, 120, 1),
		  NULL);
	/* wakeup latency 2048 */
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, T0 + 22048,
		  A(0, 120, 0, 300, 120), NULL);
	enc_event(e, GOTRACE_EV_SCHED_MIGRATE_TASK, 0, T0 + 25000,
		  A(300, 120, 1, 0), NULL);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, T0 + 30000,
		  A(300, 120, ST, 0, 120), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE, 0, T0 + 31000,
		  A(0, 2, 0), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE, 0, T0 + 32000,
		  A(0, 2, 0), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP, 0, T0 + 35000, A(0),
		  NULL);
	enc_batch_end(e, 0);

	enc_stack(e, 1, 2, A(0xffffffff81001010ULL, 0xffffffff81002004ULL));
	enc_stack(e, 2, 1, A(0xffffffff81002008ULL));
	enc_cpu_end(e, 0, 1, 21, 0, 0);
	enc_cpu_end(e, 1, 1, 9, 0, 0);
	enc_end(e, T0 + 50000, 30, 0, 0);
	if (symbols) {
		/* { addr, size, name_len, module_len } + names */
		static const uint8_t ent[] = {
			0x00, 0x10, 0x00, 0x81, 0xff, 0xff, 0xff, 0xff,
			0x00, 0x10, 0, 0, 15, 0, 0, 0,
			'h', 'a', 'n', 'd', 'l', 'e', '_', 'm',
			'm', '_', 'f', 'a', 'u', 'l', 't', 0,
			0x00, 0x20, 0x00, 0x81, 0xff, 0xff, 0xff, 0xff,
			0x00, 0x10, 0, 0, 9, 0, 0, 0,
			'k', 'm', 'a', 'l', 'l', 'o', 'c', '_',
			'x', 0, 0, 0, 0, 0, 0, 0,
		};
		struct gotrace_symbols sy = {
			.rec = { GOTRACE_REC_SYMBOLS, sizeof(sy) + sizeof(ent) },
			.nr = 2,
		};

		enc_bytes(e, &sy, sizeof(sy));
		enc_bytes(e, ent, sizeof(ent));
	}
}

static struct ga *analyse(struct gt_reader **r, const struct enc *e,
			  const struct ga_opts *o)
{
	struct ga *a;

	if (gt_open_mem(e->buf, e->len, r))
		return NULL;
	a = ga_new(*r, o);
	if (!a || ga_run(a)) {
		ga_free(a);
		gt_close(*r);
		return NULL;
	}
	return a;
}

/* ---- tests ------------------------------------------------------------- */

static void test_hist(void)
{
	struct ga_hist h = { 0 };
	uint64_t v;
	int bad = 0;
	unsigned int i;

	for (v = 0; v < 100000; v += 7) {
		i = ga_hist_bucket(v);
		if (i >= GA_HIST_BUCKETS || ga_hist_bucket_low(i) > v ||
		    (i + 1 < GA_HIST_BUCKETS && ga_hist_bucket_low(i + 1) <= v))
			bad++;
	}
	for (i = 0; i < 63; i++) {
		v = 1ULL << i;
		if (ga_hist_bucket_low(ga_hist_bucket(v)) != v ||
		    ga_hist_bucket_low(ga_hist_bucket(3 * v)) != 3 * v)
			bad++;
	}
	if (ga_hist_bucket(~0ULL) >= GA_HIST_BUCKETS)
		bad++;
	ok(!bad, "histogram buckets contain their values, powers of 2 exact");
	ok(ga_hist_pct(&h, 50) == 0, "empty histogram: percentile 0");
}

static void test_api(void)
{
	const struct ga_task *t100, *t200, *t300;
	const struct ga_result *res;
	struct gt_reader *r;
	struct ga_opts o;
	struct enc e;
	struct ga *a;

	build_trace(&e, 1);
	ga_opts_init(&o);
	o.bucket_ns = 10000;
	a = analyse(&r, &e, &o);
	ok(!!a, "analysis of the synthetic trace");
	if (!a) {
		enc_free(&e);
		return;
	}
	res = ga_result(a);
	ok(res->events == 30 && res->complete && !res->truncated &&
	   res->start_ns == T0 && res->end_ns == T0 + 50000,
	   "window and events (%llu events, %llu..%llu)",
	   (unsigned long long)res->events,
	   (unsigned long long)res->start_ns,
	   (unsigned long long)res->end_ns);
	ok(res->allocs == 6 && res->alloc_pages == 10 && res->alloc_fails == 1,
	   "allocs 6, pages 10, 1 failed (%llu %llu %llu)",
	   (unsigned long long)res->allocs,
	   (unsigned long long)res->alloc_pages,
	   (unsigned long long)res->alloc_fails);
	ok(res->frees == 4 && res->free_pages == 7 && res->free_unknown == 1 &&
	   res->pcp_drains == 1 && res->realloc_unfreed == 0,
	   "frees 4 (7 pages), 1 unknown, pcp drain not a free (%llu %llu %llu %llu)",
	   (unsigned long long)res->frees,
	   (unsigned long long)res->free_pages,
	   (unsigned long long)res->free_unknown,
	   (unsigned long long)res->pcp_drains);
	ok(res->order[0].allocs == 4 && res->order[1].allocs == 1 &&
	   res->order[2].allocs == 1 && res->order[0].frees == 3 &&
	   res->order[2].frees == 1 && res->order[0].outstanding == 2 &&
	   res->order[1].outstanding == 1,
	   "by order");
	ok(res->mt_allocs[0] == 5 && res->mt_pages[0] == 6 &&
	   res->mt_allocs[1] == 1 && res->mt_pages[1] == 4,
	   "by migratetype");
	ok(res->nr_gfp == 2 && res->gfp[0].gfp == 0xcc0 &&
	   res->gfp[0].allocs == 5 && res->gfp[0].pages == 6 &&
	   res->gfp[1].gfp == 0xdc0 && res->gfp[1].pages == 4,
	   "by gfp flags");
	ok(res->outstanding == 3 && res->outstanding_pages == 4 &&
	   res->outstanding_bytes == 16384 && res->nr_leak_groups == 1 &&
	   res->nr_groups == 2 && res->groups[0].key[GA_KEY_STACK] == 2 &&
	   res->groups[0].key[GA_KEY_PID] == 200 &&
	   res->groups[0].outstanding_pages == 4 &&
	   res->groups[0].outstanding == 3 && res->groups[0].allocs == 4 &&
	   res->groups[0].oldest_ts == T0 + 4000,
	   "outstanding: 3 blocks, 4 pages of stack 2, pid 200");
	ok(res->nr_stacks == 2 && res->stacks[0].id == 1 &&
	   res->stacks[0].allocs == 2 && res->stacks[0].alloc_pages == 5 &&
	   res->stacks[0].frees == 2 && res->stacks[0].outstanding == 0 &&
	   res->stacks[1].id == 2 && res->stacks[1].allocs == 4 &&
	   res->stacks[1].frees == 1 && res->stacks[1].outstanding_pages == 4,
	   "by stack");
	ok(res->stack_events == 7 && res->stack_lost == 1,
	   "stack ids: 7 events, 1 without");
	ok(res->lifetime.count == 3 && res->lifetime.min == 16 &&
	   res->lifetime.max == 4096 && ga_hist_pct(&res->lifetime, 50) == 1024 &&
	   res->order[0].lifetime.count == 2 &&
	   res->order[2].lifetime.count == 1 &&
	   ga_hist_pct(&res->order[2].lifetime, 50) == 4096,
	   "lifetimes: 16, 1024 (order 0), 4096 (order 2)");
	ok(res->nr_buckets == 2 && res->buckets[0].allocs == 5 &&
	   res->buckets[0].alloc_pages == 9 && res->buckets[0].frees == 3 &&
	   res->buckets[0].free_pages == 6 && res->buckets[1].allocs == 1 &&
	   res->buckets[1].frees == 1,
	   "allocation rate in 10us buckets (%zu buckets)", res->nr_buckets);
	ok(res->extfrag == 1 && res->extfrag_fragmenting == 1 &&
	   res->extfrag_mt[0][1] == 1, "extfrag");
	ok(res->reclaim.count == 2 && res->reclaim.sum == 4096 &&
	   ga_hist_pct(&res->reclaim, 50) == 1024 &&
	   ga_hist_pct(&res->reclaim, 99) == 3072 &&
	   res->reclaim.max == 3072 && res->reclaimed == 32 &&
	   !res->reclaim_unfinished,
	   "direct reclaim: 2 stalls, 4096 ns, p50 1024, p99 3072");
	ok(res->kswapd_wakes == 2 && res->kswapd_active_ns == 4000 &&
	   res->kswapd_node_ns[0] == 4000, "kswapd active 4000 ns");
	ok(res->compaction.count == 1 && res->compaction.sum == 512 &&
	   res->compaction_status[5] == 1, "compaction 512 ns, complete");
	ok(res->switches == 3 && res->wakeups == 1 && res->migrations == 1 &&
	   res->wake_lat.count == 1 && res->wake_lat.max == 2048,
	   "scheduler totals");
	ok(res->cpus[0].busy_ns == 39000 && res->cpus[1].busy_ns == 17952 &&
	   res->cpus[0].switches == 2 && res->cpus[1].switches == 4,
	   "CPU busy 39000 and 17952 ns (%llu %llu)",
	   (unsigned long long)res->cpus[0].busy_ns,
	   (unsigned long long)res->cpus[1].busy_ns);
	ok(res->cpus[0].events == 21 && res->cpus[1].events == 9 &&
	   res->cpus[0].has_end && res->cpus[0].events_total == 21,
	   "health per CPU");
	t100 = ga_task_find(res, 100);
	t200 = ga_task_find(res, 200);
	t300 = ga_task_find(res, 300);
	ok(res->nr_tasks == 3 && t100 && t200 && t300, "3 tasks");
	if (t100 && t200 && t300) {
		ok(!strcmp(t100->comm, "alloc") && t100->allocs == 2 &&
		   t100->alloc_pages == 5 && t100->alloc_fails == 1 &&
		   t100->frees == 4 && t100->free_pages == 7 &&
		   t100->runtime_ns == 39000 && t100->switches == 1 &&
		   !t100->involuntary && t100->reclaim.count == 2 &&
		   t100->compaction.count == 1,
		   "task 100");
		ok(!strcmp(t200->comm, "leaker") && t200->allocs == 4 &&
		   t200->alloc_pages == 5 && t200->outstanding == 3 &&
		   t200->outstanding_pages == 4 && !t200->frees,
		   "task 200");
		ok(!strcmp(t300->comm, "sleeper") &&
		   t300->runtime_ns == 17952 && t300->switches == 2 &&
		   t300->involuntary == 1 && t300->wakeups == 1 &&
		   t300->migrations == 1 && t300->wake_lat.count == 1 &&
		   ga_hist_pct(&t300->wake_lat, 99) == 2048,
		   "task 300 (runtime %llu)",
		   (unsigned long long)t300->runtime_ns);
	}
	ga_free(a);
	gt_close(r);

	/* filters */
	ga_opts_init(&o);
	o.filter.pid = 300;
	a = analyse(&r, &e, &o);
	if (a) {
		res = ga_result(a);
		ok(res->allocs == 0 && res->nr_tasks == 1 &&
		   res->tasks[0].pid == 300 && res->cpus[1].busy_ns == 17952 &&
		   res->cpus[0].busy_ns == 0 && !res->kswapd_wakes &&
		   res->switches == 2,
		   "--pid 300: only its events");
		ga_free(a);
		gt_close(r);
	} else {
		ok(0, "--pid 300");
	}
	ga_opts_init(&o);
	gt_filter_add_cpus(&o.filter, 1, 1);
	a = analyse(&r, &e, &o);
	if (a) {
		res = ga_result(a);
		ok(res->allocs == 0 && res->events == 9 &&
		   res->cpus[1].busy_ns == 17952 && !res->cpus[0].busy_ns &&
		   res->kswapd_active_ns == 4000,
		   "--cpu 1: only its events");
		ga_free(a);
		gt_close(r);
	} else {
		ok(0, "--cpu 1");
	}
	ga_opts_init(&o);
	o.filter.from_ns = 15000;
	o.filter.to_ns = 25000;
	a = analyse(&r, &e, &o);
	if (a) {
		res = ga_result(a);
		t100 = ga_task_find(res, 100);
		t300 = ga_task_find(res, 300);
		ok(res->allocs == 1 && res->frees == 1 && !res->outstanding &&
		   res->lifetime.count == 1 && res->lifetime.max == 16 &&
		   res->reclaim.count == 2 && res->end_ns == T0 + 25000 &&
		   t100 && t100->runtime_ns == 10000 && t300 &&
		   t300->runtime_ns == 2952,
		   "--from 15us --to 25us: window (runtime %llu %llu)",
		   t100 ? (unsigned long long)t100->runtime_ns : 0ULL,
		   t300 ? (unsigned long long)t300->runtime_ns : 0ULL);
		ga_free(a);
		gt_close(r);
	} else {
		ok(0, "window");
	}
	enc_free(&e);
}

/* ---- the tool ---------------------------------------------------------- */

static char *path_in_out(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", outdir, name) < 0)
		exit(2);
	return p;
}

static int write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	if (fwrite(p, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return strdup("");
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Run the tool with args (NULL-terminated), stdout/stderr to files. */
static int run(const char *const *args, const char *out, const char *err,
	       const char *kallsyms)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		const char *argv[16];
		int i, fd;

		argv[0] = tool;
		for (i = 0; args[i] && i < 14; i++)
			argv[i + 1] = args[i];
		argv[i + 1] = NULL;
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 1);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 2);
		if (kallsyms)
			setenv("GOTRACE_KALLSYMS", kallsyms, 1);
		else
			unsetenv("GOTRACE_KALLSYMS");
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_tool_json(void)
{
	char *trace = path_in_out("stats.trace");
	char *out = path_in_out("stats.out");
	char *err = path_in_out("stats-err.out");
	static const char *const want[] = {
		"\"allocs\":6,\"alloc_pages\":10,\"alloc_fails\":1,\"frees\":4,"
		"\"free_pages\":7,\"free_unknown\":1,\"realloc_unfreed\":0,"
		"\"pcp_drains\":1,",
		"\"outstanding\":{\"allocs\":3,\"pages\":4,\"bytes\":16384,",
		"{\"stack_id\":2,\"pid\":200,\"comm\":\"leaker\",\"allocs\":3,"
		"\"pages\":4,\"bytes\":16384,\"oldest_ns\":1004000,"
		"\"age_ns\":46000,\"allocated\":4,\"allocated_pages\":5}",
		"\"direct\":{\"count\":2,\"total_ns\":4096,\"min_ns\":1024,"
		"\"p50_ns\":1024,\"p90_ns\":3072,\"p99_ns\":3072,"
		"\"max_ns\":3072}",
		"\"kswapd_active_ns\":4000",
		"\"names\":\"GFP_KERNEL|__GFP_ZERO\",\"allocs\":1,\"pages\":4",
		"\"sym\":\"handle_mm_fault\",\"off\":16",
		"{\"pid\":300,\"tgid\":300,\"comm\":\"sleeper\"",
		"\"runtime_ns\":17952,\"switches\":2,\"involuntary\":1,"
		"\"wakeups\":1,\"migrations\":1,",
		"\"wakeup_latency\":{\"count\":1,\"total_ns\":2048,",
		"\"busy_ns\":39000,",
		"\"busy_ns\":17952,",
		"\"alloc_rate\":{\"bucket_ns\":100000000,\"start_ns\":1000000,"
		"\"buckets\":[[6,10,4,7]]",
		"\"mm_page_alloc\":7,",
	};
	const char *const args[] = { "stats", "--json", trace, NULL };
	const char *const targs[] = { "stats", "--top", "3", trace, NULL };
	struct enc e;
	char *s;
	size_t i;
	int rc, miss = 0;

	build_trace(&e, 1);
	write_file(trace, e.buf, e.len);
	rc = run(args, out, err, NULL);
	s = slurp(out);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		if (!strstr(s, want[i])) {
			printf("# missing in --json: %s\n", want[i]);
			miss++;
		}
	}
	ok(rc == 0 && !miss, "stats --json: exact numbers (rc %d, %d missing)",
	   rc, miss);
	ok(json_valid(s), "stats --json parses as JSON");
	free(s);

	rc = run(targs, out, err, NULL);
	s = slurp(out);
	ok(rc == 0 && strstr(s, "== Outstanding pages") &&
	   strstr(s, "handle_mm_fault+0x10") &&
	   strstr(s, "direct reclaim stalls") && strstr(s, "leaker"),
	   "stats text report (rc %d)", rc);
	free(s);

	/* a truncated trace: report, warning, exit 0 */
	write_file(trace, e.buf, e.len - 100);
	rc = run(args, out, err, NULL);
	s = slurp(err);
	ok(rc == 0 && strstr(s, "truncated"), "truncated trace: warned (rc %d)",
	   rc);
	free(s);
	enc_free(&e);
	free(trace);
	free(out);
	free(err);
}

/*
 * Lost events, end to end.  Two CPUs; the batches say how many events were
 * lost before them (5 in the middle of cpu0, 3 before cpu1's last batch),
 * the CPU_END records add what was lost after the last batch (4 on cpu0).
 * Expected, from what was encoded: complete 12 (9 + 3); cut before the
 * CPU_END records 8 (5 + 3: only the batches' counts are known); cut in
 * the middle, after cpu0's second batch, 5.  Each through the library's
 * summary, the analysis, stats --json, report, dump and convert.
 */
static void test_lost_one(const struct enc *e, size_t len, const char *what,
			  uint64_t want, uint64_t want0, uint64_t want1)
{
	char *trace = path_in_out("lost.trace");
	char *out = path_in_out("lost.out");
	char *err = path_in_out("lost-err.out");
	char *html = path_in_out("lost.html");
	const char *const sargs[] = { "stats", "--json", trace, NULL };
	const char *const rargs[] = { "report", "-o", html, trace, NULL };
	const char *const dargs[] = { "dump", trace, NULL };
	char *json = path_in_out("lost.json");
	const char *const pargs[] = { "convert", "--format=perfetto", "-o", json,
				      trace, NULL };
	const struct gt_summary *sum;
	const struct ga_result *res;
	char want_s[64], *s;
	struct gt_reader *r;
	struct gt_event ev;
	struct ga *a;
	int rc;

	if (gt_open_mem(e->buf, len, &r)) {
		ok(0, "lost (%s): opens", what);
		goto out;
	}
	while (gt_next(r, &ev) > 0)
		;
	sum = gt_summary(r);
	ok(sum->lost == want && sum->nr_cpus == 2 &&
	   sum->cpus[0].lost == want0 && sum->cpus[1].lost == want1,
	   "lost (%s): summary %llu (cpu0 %llu, cpu1 %llu), want %llu (%llu, %llu)",
	   what, (unsigned long long)sum->lost,
	   (unsigned long long)(sum->nr_cpus > 0 ? sum->cpus[0].lost : 0),
	   (unsigned long long)(sum->nr_cpus > 1 ? sum->cpus[1].lost : 0),
	   (unsigned long long)want, (unsigned long long)want0,
	   (unsigned long long)want1);
	gt_close(r);
	if (gt_open_mem(e->buf, len, &r)) {
		ok(0, "lost (%s): analysis opens", what);
		goto out;
	}
	a = ga_new(r, NULL);
	if (a && !ga_run(a)) {
		res = ga_result(a);
		ok(res->lost == want && res->nr_cpus >= 2 &&
		   res->cpus[0].lost == want0 && res->cpus[1].lost == want1,
		   "lost (%s): analysis %llu, want %llu", what,
		   (unsigned long long)res->lost, (unsigned long long)want);
	} else {
		ok(0, "lost (%s): analysis runs", what);
	}
	ga_free(a);
	gt_close(r);

	write_file(trace, e->buf, len);
	snprintf(want_s, sizeof(want_s), "\"lost\":%llu,", (unsigned long long)want);
	rc = run(sargs, out, err, NULL);
	s = slurp(out);
	ok(rc == 0 && strstr(s, want_s), "lost (%s): stats --json has %s (rc %d)",
	   what, want_s, rc);
	free(s);
	rc = run(rargs, out, err, NULL);
	s = slurp(html);
	ok(rc == 0 && strstr(s, want_s), "lost (%s): report has %s (rc %d)",
	   what, want_s, rc);
	free(s);
	rc = run(dargs, out, err, NULL);
	s = slurp(err);
	snprintf(want_s, sizeof(want_s), ": %llu events were lost",
		 (unsigned long long)want);
	ok(!!strstr(s, want_s), "lost (%s): dump warns '%s' (rc %d)",
	   what, want_s + 2, rc);
	free(s);
	rc = run(pargs, out, err, NULL);
	s = slurp(err);
	snprintf(want_s, sizeof(want_s), ": %llu events were lost while tracing",
		 (unsigned long long)want);
	ok(rc == 0 && strstr(s, want_s), "lost (%s): convert warns '%s' (rc %d)",
	   what, want_s + 2, rc);
	free(s);
	s = slurp(json);
	snprintf(want_s, sizeof(want_s), "\"name\":\"lost events\",\"args\":{\"total\":%llu}",
		 (unsigned long long)want);
	ok(!!strstr(s, want_s), "lost (%s): the Perfetto export's counter ends at %llu",
	   what, (unsigned long long)want);
	free(s);
out:
	free(json);
	free(trace);
	free(out);
	free(err);
	free(html);
}

static void test_lost(void)
{
	size_t mid, cut;
	struct enc e;

	enc_init(&e, 2, T0);
	enc_batch_begin(&e, 0, 0, T0, 0);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 100, A(0x1000, 0, 100), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 200, A(0x1001, 0, 100), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 300, A(0x1002, 0, 100), NULL);
	enc_batch_end(&e, 0);
	enc_batch_begin(&e, 1, 0, T0 + 150, 0);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 400, A(0x2000, 0, 100), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 500, A(0x2001, 0, 100), NULL);
	enc_batch_end(&e, 0);
	enc_batch_begin(&e, 0, 1, T0 + 1000, 5);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 1100, A(0x1003, 0, 100), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 1200, A(0x1004, 0, 100), NULL);
	enc_batch_end(&e, 0);
	mid = e.len;
	enc_batch_begin(&e, 1, 1, T0 + 2000, 3);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 2100, A(0x2002, 0, 100), NULL);
	enc_batch_end(&e, 0);
	cut = e.len;
	enc_cpu_end(&e, 0, 2, 5, 5 + 4, 0);
	enc_cpu_end(&e, 1, 2, 3, 3, 0);
	enc_end(&e, T0 + 5000, 8, 12, 0);

	test_lost_one(&e, e.len, "complete", 12, 9, 3);
	test_lost_one(&e, cut, "cut before CPU_END", 8, 5, 3);
	test_lost_one(&e, mid, "cut in the middle", 5, 5, 0);
	enc_free(&e);
}

static void test_symbolize(void)
{
	char *trace = path_in_out("sym.trace");
	char *ks = path_in_out("sym-kallsyms.out");
	char *ks0 = path_in_out("sym0-kallsyms.out");
	char *out = path_in_out("sym.out");
	char *err = path_in_out("sym-err.out");
	const char *const args[] = { "symbolize", trace, NULL };
	static const char kall[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81001000 T handle_mm_fault\n"
		"ffffffff81002000 t do_anonymous_page\n"
		"ffffffff81003000 T end_text\n"
		"ffffffffc0001000 t mod_fn\t[gotrace]\n";
	static const char kall0[] =
		"0000000000000000 T _stext\n"
		"0000000000000000 T handle_mm_fault\n";
	struct gt_reader *r;
	const char *name;
	uint64_t off;
	struct enc e;
	char *s;
	int rc;

	write_file(ks, kall, sizeof(kall) - 1);
	write_file(ks0, kall0, sizeof(kall0) - 1);
	build_trace(&e, 0);

	write_file(trace, e.buf, e.len);
	rc = run(args, out, err, ks0);
	s = slurp(err);
	ok(rc == 1 && strstr(s, "kptr_restrict"),
	   "symbolize: zeroed kallsyms refused (rc %d)", rc);
	free(s);

	rc = run(args, out, err, ks);
	name = NULL;
	if (!gt_open_file(trace, &r)) {
		name = gt_symbol(r, 0xffffffff81002004ULL, &off, NULL);
		ok(rc == 0 && name && !strcmp(name, "do_anonymous_page") &&
		   off == 4 && gt_summary(r)->complete,
		   "symbolize: SYMBOLS appended (rc %d, %s)", rc,
		   name ? name : "none");
		gt_close(r);
	} else {
		ok(0, "symbolize: result opens");
	}
	rc = run(args, out, err, ks);
	s = slurp(err);
	ok(rc == 1 && strstr(s, "already"),
	   "symbolize: a second time refused (rc %d)", rc);
	free(s);

	write_file(trace, e.buf, e.len - 8);
	rc = run(args, out, err, ks);
	s = slurp(err);
	ok(rc == 1 && strstr(s, "not a complete trace"),
	   "symbolize: incomplete trace refused (rc %d)", rc);
	free(s);
	enc_free(&e);

	enc_init(&e, 1, 0);
	enc_cpu_end(&e, 0, 0, 0, 0, 0);
	enc_end(&e, 10, 0, 0, 0);
	write_file(trace, e.buf, e.len);
	rc = run(args, out, err, ks);
	s = slurp(err);
	ok(rc == 0 && strstr(s, "no kernel stacks"),
	   "symbolize: no stacks, nothing to do (rc %d)", rc);
	free(s);
	enc_free(&e);
	free(trace);
	free(ks);
	free(ks0);
	free(out);
	free(err);
}

/*
 * By node and zone: node 0 DMA32 [0x1000, 0x3000), node 1 Normal
 * [0x3000, 0x10000).  Node 0: 1 allocation of 1 page, freed; node 1: 2
 * allocations (1 + 4 pages), the 4 outstanding, an extfrag (order 2,
 * Unmovable from Movable), a kswapd wake (1, 2) and a compaction; one
 * allocation outside both zones.
 */
static void test_zones(void)
{
	char *trace = path_in_out("zones.trace");
	char *out = path_in_out("zones.out");
	char *err = path_in_out("zones-err.out");
	const char *const args[] = { "stats", "--json", trace, NULL };
	const char *const text_args[] = { "stats", trace, NULL };
	struct gotrace_zones zh = {
		.rec = { GOTRACE_REC_ZONES, sizeof(zh) + 2 * 48 },
		.nr = 2,
	};
	struct gotrace_zone z[2] = {
		{ 0x1000, 0x3000, 0x2000, 0, 1, "DMA32" },
		{ 0x3000, 0x10000, 0xd000, 1, 2, "Normal" },
	};
	static const char *const want[] = {
		"{\"node\":0,\"zone_index\":1,\"zone\":\"DMA32\",\"start_pfn\":4096,"
		"\"end_pfn\":12288,\"present_pages\":8192,\"allocs\":1,"
		"\"alloc_pages\":1,\"frees\":1,\"free_pages\":1,"
		"\"outstanding\":0,\"outstanding_pages\":0,",
		"{\"node\":1,\"zone_index\":2,\"zone\":\"Normal\",\"start_pfn\":12288,"
		"\"end_pfn\":65536,\"present_pages\":53248,\"allocs\":2,"
		"\"alloc_pages\":5,\"frees\":1,\"free_pages\":1,"
		"\"outstanding\":1,\"outstanding_pages\":4,"
		"\"extfrag\":{\"fallbacks\":1,\"by_order\":[{\"order\":2,"
		"\"count\":1}],\"by_migratetype\":[{\"alloc_migratetype\":0,"
		"\"fallback_migratetype\":1,\"count\":1}]},"
		"\"reclaim\":{\"kswapd_wakes\":1,\"compactions\":1}}",
		"\"zone_unknown_allocs\":1",
	};
	struct enc e;
	size_t i;
	char *s;
	int rc;

	enc_init(&e, 1, T0);
	enc_bytes(&e, &zh, sizeof(zh));
	enc_bytes(&e, z, sizeof(z));
	enc_batch_begin(&e, 0, 0, T0, 0);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 100,
		  A(0x1000, 0, 0xcc0, 0, 10), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 200,
		  A(0x4000, 0, 0xcc0, 0, 10), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 300,
		  A(0x8000, 2, 0xcc0, 0, 10), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 350,
		  A(0x20000, 0, 0xcc0, 0, 10), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 400,
		  A(0x1000, 0, 10), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 500,
		  A(0x4000, 0, 10), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG, 0, T0 + 600,
		  A(0x9000, 2, 3, 0, 1, 10), NULL);
	enc_event(&e, GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE, 0, T0 + 700,
		  A(1, 2, 0), NULL);
	enc_event(&e, GOTRACE_EV_MM_COMPACTION_BEGIN, 0, T0 + 800,
		  A(0x3000, 0x10000, 0, 10), NULL);
	enc_event(&e, GOTRACE_EV_MM_COMPACTION_END, 0, T0 + 900,
		  A(0x3000, 0x10000, 0, 1, 10), NULL);
	enc_batch_end(&e, 0);
	enc_cpu_end(&e, 0, 1, 10, 0, 0);
	enc_end(&e, T0 + 1000, 10, 0, 0);
	write_file(trace, e.buf, e.len);
	rc = run(args, out, err, NULL);
	s = slurp(out);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		ok(rc == 0 && strstr(s, want[i]),
		   "zones: stats --json has %.60s...", want[i]);
	free(s);
	rc = run(text_args, out, err, NULL);
	s = slurp(out);
	ok(rc == 0 && strstr(s, "== By node and zone ==") &&
	   strstr(s, "node 1 Normal extfrag by order: 2:1") &&
	   strstr(s, "Unmovable from Movable: 1"),
	   "zones: the text table and node 1's extfrag");
	free(s);
	enc_free(&e);
	free(trace);
	free(out);
	free(err);
}

/*
 * Four tasks of two processes (10 with its thread 11, 12 with 13), one
 * CPU, 1 ms.  Each allocates, stalls in direct reclaim (10: 1000 ns,
 * 11: 4000, 12: 2000, 13: 3000) and runs.  Outstanding at the end:
 * (stack 1, pid 10) 1 page allocated at 100 ns, (1, 11) 2 pages at 200 ns,
 * (2, 12) 4 pages at 900 us, (3, 13) 8 pages at 950 us; pid 13's order-0
 * page of stack 2 is freed.
 */
static void build_groups_trace(struct enc *e)
{
	static const uint32_t pids[] = { 10, 11, 12, 13 };
	static const uint32_t tgids[] = { 10, 10, 12, 12 };
	static const char *const comms[] = { "t10", "t11", "t12", "t13" };
	static const uint64_t stall[] = { 1000, 4000, 2000, 3000 };
	uint64_t ts = T0 + 1000;
	unsigned int i;

	enc_init(e, 1, T0);
	enc_set_stack_events(e, 1ULL << GOTRACE_EV_MM_PAGE_ALLOC);
	enc_tasks_tgid(e, 4, pids, tgids, comms);
	enc_batch_begin(e, 0, 0, T0, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 100,
			A(0x100, 0, 0xcc0, 0, 10), NULL, 1);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 200,
			A(0x200, 1, 0xcc0, 0, 11), NULL, 1);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 300,
			A(0x400, 0, 0xcc0, 0, 13), NULL, 2);
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 400, A(0x400, 0, 13),
		  NULL);
	for (i = 0; i < 4; i++) {
		enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, ts,
			  A(i ? pids[i - 1] : 0, 120, ST, pids[i], 120), NULL);
		enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0,
			  ts + 10, A(0, 0xcc0, pids[i]), NULL);
		enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 0,
			  ts + 10 + stall[i], A(1, pids[i]), NULL);
		ts += 10000;
	}
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 900000,
			A(0x300, 2, 0xcc0, 0, 12), NULL, 2);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 950000,
			A(0x800, 3, 0xcc0, 0, 13), NULL, 3);
	enc_batch_end(e, 0);
	enc_stack(e, 1, 1, A(0xffffffff81001010ULL));
	enc_stack(e, 2, 1, A(0xffffffff81002010ULL));
	enc_stack(e, 3, 1, A(0xffffffff81003010ULL));
	enc_cpu_end(e, 0, 1, 19, 0, 0);
	enc_end(e, T0 + 1000000, 19, 0, 0);
}

/* The lines of the text section that starts with title, up to the next. */
static char *text_section(const char *s, const char *title)
{
	const char *b = strstr(s, title), *end;

	if (!b)
		return strdup("");
	end = strstr(b + strlen(title), "\n== ");
	return strndup(b, end ? (size_t)(end - b) : strlen(b));
}

/* --top N: at most N rows in every table of the text report. */
static void test_top(void)
{
	char *trace = path_in_out("groups.trace");
	char *out = path_in_out("groups.out");
	char *err = path_in_out("groups-err.out");
	const char *const args[] = { "stats", "--top", "2", trace, NULL };
	struct enc e;
	char *s, *sec;
	int rc;

	build_groups_trace(&e);
	write_file(trace, e.buf, e.len);
	rc = run(args, out, err, NULL);
	s = slurp(out);
	sec = text_section(s, "== Reclaim and compaction ==");
	ok(rc == 0 && strstr(sec, "11 t11") && strstr(sec, "13 t13") &&
	   !strstr(sec, "10 t10") && !strstr(sec, "12 t12") &&
	   strstr(sec, "... 2 more"),
	   "stats --top 2: the reclaim table has the 2 longest stalls (rc %d)",
	   rc);
	free(sec);
	sec = text_section(s, "== Outstanding pages");
	ok(strstr(sec, "t13") && strstr(sec, "t12") && !strstr(sec, "t11") &&
	   strstr(sec, "... 2 more"),
	   "stats --top 2: the outstanding table has 2 rows");
	free(sec);
	free(s);
	enc_free(&e);
	free(trace);
	free(out);
	free(err);
}

/* stats --by BY TRACE, stdout and stderr to files; exit status. */
static int run_by(const char *by, const char *trace, const char *out,
		  const char *err)
{
	const char *const args[] = { "stats", "--by", by, trace, NULL };

	return run(args, out, err, NULL);
}

/*
 * --by and --older on the groups trace (build_groups_trace()): through
 * the API, stats --json and the text table; every key of ga_keys[] is
 * in stats --help and accepted by --by.
 */
static void test_groups(void)
{
	char *trace = path_in_out("groups.trace");
	char *out = path_in_out("groups.out");
	char *err = path_in_out("groups-err.out");
	const char *const jargs[] = { "stats", "--json", "--by", "tgid", "--older",
				      "500us", trace, NULL };
	const char *const targs[] = { "stats", "--by", "stack", "--older", "0.0005",
				      trace, NULL };
	const char *const hargs[] = { "stats", "--help", NULL };
	const struct ga_result *res;
	struct gt_reader *r;
	struct ga_opts o;
	struct ga *a;
	struct enc e;
	unsigned int k, by;
	const char *bad;
	char *s, *sec;
	int rc;

	build_groups_trace(&e);
	ga_opts_init(&o);
	o.by = 1U << GA_KEY_TGID;
	o.older_ns = 500000;
	a = analyse(&r, &e, &o);
	if (a) {
		res = ga_result(a);
		ok(res->leak_allocs == 2 && res->leak_pages == 3 &&
		   res->outstanding_pages == 15 && res->nr_groups == 2 &&
		   res->nr_leak_groups == 1 &&
		   res->groups[0].key[GA_KEY_TGID] == 10 &&
		   res->groups[0].outstanding_pages == 3 &&
		   res->groups[0].oldest_ts == T0 + 100 &&
		   res->groups[1].key[GA_KEY_TGID] == 12 &&
		   res->groups[1].outstanding == 0 &&
		   res->groups[1].alloc_pages == 13 &&
		   !res->groups[0].key[GA_KEY_PID],
		   "--by tgid --older 500us: tgid 10 has 3 old pages, 12 allocated 13 (%zu groups)",
		   res->nr_groups);
		ga_free(a);
		gt_close(r);
	} else {
		ok(0, "--by tgid --older 500us: analysed");
	}
	enc_free(&e);
	rc = run(jargs, out, err, NULL);
	s = slurp(out);
	ok(rc == 0 && json_valid(s) &&
	   strstr(s, "\"by\":\"tgid\",\"older_ns\":500000,\"leak_allocs\":2,\"leak_pages\":3,") &&
	   strstr(s, "{\"tgid\":10,\"tgid_comm\":\"t10\",\"allocs\":2,\"pages\":3,"
		  "\"bytes\":12288,\"oldest_ns\":1000100,\"age_ns\":999900,"
		  "\"allocated\":2,\"allocated_pages\":3}") &&
	   strstr(s, "{\"tgid\":12,\"tgid_comm\":\"t12\",\"allocs\":0,\"pages\":0,"
		  "\"bytes\":0,\"allocated\":3,\"allocated_pages\":13}"),
	   "stats --json --by tgid --older 500us: the groups (rc %d)", rc);
	free(s);
	rc = run(targs, out, err, NULL);
	s = slurp(out);
	sec = text_section(s, "== Outstanding pages");
	free(s);
	s = sec;
	ok(rc == 0 && strstr(s, "by stack:") &&
	   strstr(s, "leak candidates, allocated at least 500.0us before the end: "
		  "2 allocations, 3 pages") &&
	   strstr(s, "\n         1        2        3   12.0 KiB    999.9us          3\n") &&
	   !strstr(s, "0xffffffff81002010"),
	   "stats --by stack --older 0.0005: one old stack, its frames (rc %d)",
	   rc);
	free(s);
	rc = run(hargs, out, err, NULL);
	s = slurp(out);
	for (k = 0; k < GA_KEY_NR; k++) {
		char word[32];

		snprintf(word, sizeof(word), "%s", ga_keys[k].name);
		ok(strstr(s, word) &&
		   run_by(ga_keys[k].name, trace, out, err) == 0 &&
		   !ga_by_parse(ga_keys[k].name, &by, &bad) &&
		   by == 1U << k,
		   "--by %s: in stats --help, accepted", ga_keys[k].name);
	}
	free(s);
	rc = run_by("pid,cpu", trace, out, err);
	s = slurp(err);
	ok(rc == 2 && strstr(s, "'cpu' is not one of stack,pid,tgid"),
	   "--by pid,cpu: a usage error naming the keys (rc %d)", rc);
	free(s);
	free(trace);
	free(out);
	free(err);
}

/* Undo dump's \xNN escapes of s into out (size bytes); NULL if malformed. */
static char *unescape(const char *s, size_t n, char *out, size_t size)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 1 < size; i++) {
		unsigned int c;

		if (s[i] != '\\') {
			out[k++] = s[i];
			continue;
		}
		if (i + 3 >= n || s[i + 1] != 'x' ||
		    sscanf(s + i + 2, "%2x", &c) != 1)
			return NULL;
		out[k++] = (char)c;
		i += 3;
	}
	out[k] = '\0';
	return out;
}

/*
 * dump: names with spaces, '=', quotes, backslashes, control bytes and
 * UTF-8 stay one key=value field each (escaped \xNN, decoded back to the
 * name), an exec filename with a space too; --relative prints seconds
 * since the start; gfp_flags are named by default, --gfp-hex is raw.
 */
static void test_dump_fields(void)
{
	static const uint32_t pids[] = { 1, 2, 3, 4, 5, 6 };
	static const char *const comms[] = {
		"a b", "x=y", "q\"t", "\001ctl\x7f", "back\\s", "\xc3\xa9t\xc3\xa9",
	};
	char *trace = path_in_out("dumpf.trace");
	char *out = path_in_out("dumpf.out");
	char *err = path_in_out("dumpf-err.out");
	const char *const args[] = { "dump", trace, NULL };
	const char *const rargs[] = { "dump", "--relative", "--gfp-hex", trace,
				      NULL };
	const char *const gargs[] = { "dump", "--gfp-hex", "--gfp-names", trace,
				      NULL };
	unsigned int i, fields = 0, bad = 0, names = 0;
	char *s, *line, *save = NULL;
	struct enc e;
	int rc;

	enc_init(&e, 1, T0);
	enc_gfp_names(&e);
	enc_tasks(&e, 6, pids, comms);
	enc_batch_begin(&e, 0, 0, T0, 0);
	for (i = 0; i < 6; i++)
		enc_event(&e, GOTRACE_EV_SCHED_SWITCH, 0, T0 + 100 + i,
			  A(pids[i], 120, 1, pids[(i + 1) % 6], 120), NULL);
	enc_event(&e, GOTRACE_EV_SCHED_PROCESS_EXEC, 0, T0 + 1000000007ULL,
		  A(1, 1), "/bin/my prog=1");
	enc_event_stack(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 2000000000ULL,
			A(0x100, 0, 0xcc0, 0, 2), NULL, 0);
	enc_batch_end(&e, 0);
	enc_cpu_end(&e, 0, 1, 8, 0, 0);
	enc_end(&e, T0 + 3000000000ULL, 8, 0, 0);
	write_file(trace, e.buf, e.len);
	enc_free(&e);

	rc = run(args, out, err, NULL);
	s = slurp(out);
	for (line = strtok_r(s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *tok, *tsave = NULL;
		int w = 0;

		for (tok = strtok_r(line, " ", &tsave); tok;
		     tok = strtok_r(NULL, " ", &tsave), w++) {
			char *eq = strchr(tok, '='), name[64];

			if (w == 0 || w == 2 || !strcmp(tok, "==>"))
				continue;
			fields++;
			if (!eq || eq == tok || strchr(eq + 1, '=') ||
			    strchr(tok, '"') ||
			    !unescape(eq + 1, strlen(eq + 1), name, sizeof(name))) {
				printf("# bad field '%s'\n", tok);
				bad++;
				continue;
			}
			if (strncmp(tok, "prev_comm=", 10) &&
			    strncmp(tok, "filename=", 9))
				continue;
			for (i = 0; i < 6; i++)
				if (!strcmp(name, comms[i]))
					names++;
			if (!strcmp(name, "/bin/my prog=1"))
				names++;
		}
	}
	ok(rc == 0 && fields > 40 && !bad && names == 7,
	   "dump: %u key=value fields, %u not, 7 names decoded back (%u)",
	   fields, bad, names);
	free(s);
	s = slurp(out);
	ok(strstr(s, "prev_comm=a\\x20b ") && strstr(s, "prev_comm=x\\x3dy ") &&
	   strstr(s, "prev_comm=q\\x22t ") &&
	   strstr(s, "prev_comm=\\x01ctl\\x7f ") &&
	   strstr(s, "prev_comm=back\\x5cs ") &&
	   strstr(s, "prev_comm=\\xc3\\xa9t\\xc3\\xa9 ") &&
	   strstr(s, "filename=/bin/my\\x20prog\\x3d1 ") &&
	   strstr(s, "gfp_flags=GFP_KERNEL "),
	   "dump: the escapes as documented, gfp_flags named by default");
	free(s);
	rc = run(rargs, out, err, NULL);
	s = slurp(out);
	ok(rc == 0 && !strncmp(s, "0.000000100 cpu=0 sched_switch ", 31) &&
	   strstr(s, "\n1.000000007 cpu=0 sched_process_exec ") &&
	   strstr(s, "\n2.000000000 cpu=0 mm_page_alloc ") &&
	   strstr(s, "gfp_flags=0xcc0 "),
	   "dump --relative --gfp-hex: seconds since the start, raw gfp (rc %d)",
	   rc);
	free(s);
	rc = run(gargs, out, err, NULL);
	s = slurp(out);
	ok(rc == 0 && strstr(s, "gfp_flags=GFP_KERNEL "),
	   "dump --gfp-hex --gfp-names: the last one wins (rc %d)", rc);
	free(s);
	free(trace);
	free(out);
	free(err);
}

/*
 * The report's data: the leak candidates by (stack, pid) and the reclaim
 * table cut to --top, --by/--older as stats, and the zones as stats --json
 * writes them (one writer).  Chromium draws them in make check.
 */
static void test_report_data(void)
{
	char *trace = path_in_out("groups.trace");
	char *html = path_in_out("groups.html");
	char *out = path_in_out("groups.out");
	char *err = path_in_out("groups-err.out");
	char *ztrace = path_in_out("zones.trace");
	const char *const rargs[] = { "report", "--top", "2", "-o", html, trace,
				      NULL };
	const char *const r0args[] = { "report", "--top", "0", "-o", html, trace,
				       NULL };
	const char *const oargs[] = { "report", "--by", "tgid", "--older", "500us",
				      "-o", html, trace, NULL };
	const char *const zargs[] = { "report", "-o", html, ztrace, NULL };
	const char *const sargs[] = { "stats", "--json", ztrace, NULL };
	char *s, *z, *ze;
	struct enc e;
	int rc;

	build_groups_trace(&e);
	write_file(trace, e.buf, e.len);
	enc_free(&e);
	rc = run(rargs, out, err, NULL);
	s = slurp(html);
	ok(rc == 0 &&
	   strstr(s, "\"nr_groups\":4,\"rows\":[{\"keys\":[[3,\"\"],[13,\"t13\"]],"
		  "\"allocs\":1,\"pages\":8,\"age_ns\":50000,\"allocated_pages\":8,"
		  "\"frames\":[\"0xffffffff81003010\"]},"
		  "{\"keys\":[[2,\"\"],[12,\"t12\"]],") &&
	   !strstr(s, "[[1,\"\"],[11,\"t11\"]]") &&
	   strstr(s, "\"stalled_tasks\":4,\"tasks\":[{\"pid\":11,\"comm\":\"t11\","
		  "\"count\":1,\"total\":4000,") &&
	   strstr(s, "\"total\":3000,") && !strstr(s, "\"total\":2000,") &&
	   strstr(s, "id=\"t-groups\"") && strstr(s, "id=\"t-reclaim\""),
	   "report --top 2: 2 outstanding groups and 2 stalled tasks (rc %d)",
	   rc);
	free(s);
	rc = run(r0args, out, err, NULL);
	s = slurp(html);
	ok(rc == 0 && strstr(s, "[[1,\"\"],[11,\"t11\"]]") &&
	   strstr(s, "\"total\":1000,"),
	   "report --top 0: every group and stalled task (rc %d)", rc);
	free(s);
	rc = run(oargs, out, err, NULL);
	s = slurp(html);
	ok(rc == 0 &&
	   strstr(s, "\"older_ns\":500000,\"leak_allocs\":2,\"leak_pages\":3,"
		  "\"nr_groups\":1,\"rows\":[{\"keys\":[[10,\"t10\"]],"
		  "\"allocs\":2,\"pages\":3,"),
	   "report --by tgid --older 500us: the old pages of tgid 10 (rc %d)",
	   rc);
	free(s);
	rc = run(zargs, out, err, NULL);
	s = slurp(html);
	run(sargs, out, err, NULL);
	z = slurp(out);
	ze = strstr(z, "\"zones\":[");
	if (ze)	/* the zones member alone: cgroups or tasks follow it */
		*strstr(ze, strstr(ze, ",\"cgroups\":") ? ",\"cgroups\":" :
			    ",\"tasks\":") = '\0';
	ok(rc == 0 && ze && strstr(s, ze) && strstr(s, "id=\"t-zones\""),
	   "report: the zones of stats --json, node and zone table (rc %d)",
	   rc);
	free(z);
	free(s);
	free(trace);
	free(ztrace);
	free(html);
	free(out);
	free(err);
}

/*
 * report exits as stats does (0, or 1 on a missing, foreign or malformed
 * trace) and never replaces its output file with the report of a trace
 * it could not read: the file keeps its old content on an error.
 */
static void test_report_status(void)
{
	char *trace = path_in_out("rs.trace");
	char *html = path_in_out("rs.html");
	char *out = path_in_out("rs.out");
	char *err = path_in_out("rs-err.out");
	static const char keep[] = "an older report\n";
	static const char *const what[] = {
		"a missing file", "not a trace", "a malformed batch",
		"a truncated trace", "a good trace",
	};
	const char *const sargs[] = { "stats", trace, NULL };
	const char *const rargs[] = { "report", "-o", html, trace, NULL };
	const char *const bad_rargs[] = { "report", "-o",
					  "/proc/self/no-such-dir/rs.html",
					  trace, NULL };
	struct enc e;
	unsigned int i;
	int rs, rr;
	char *s;

	for (i = 0; i < ARRAY_SIZE(what); i++) {
		unlink(trace);
		if (i == 1) {
			write_file(trace, keep, sizeof(keep) - 1);
		} else if (i >= 2) {
			build_groups_trace(&e);
			if (i == 2) {
				/* the batch claims one event more than it has */
				enc_free(&e);
				enc_init(&e, 1, T0);
				enc_batch_begin(&e, 0, 0, T0, 0);
				enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0,
					  T0 + 400, A(0x400, 0, 13), NULL);
				enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0,
					  T0 + 500, A(0x500, 0, 13), NULL);
				enc_batch_end(&e, 5);
				enc_cpu_end(&e, 0, 1, 2, 0, 0);
				enc_end(&e, T0 + 1000, 2, 0, 0);
			}
			write_file(trace, e.buf, i == 3 ? e.len - 20 : e.len);
			enc_free(&e);
		}
		write_file(html, keep, sizeof(keep) - 1);
		rs = run(sargs, out, err, NULL);
		rr = run(rargs, out, err, NULL);
		s = slurp(html);
		ok(rs == rr && (rr ? !strcmp(s, keep) :
				!!strstr(s, "</html>")),
		   "report on %s: exit %d as stats (%d), %s", what[i], rr, rs,
		   rr ? "the old output file kept" : "the output replaced");
		free(s);
	}
	rs = run(sargs, out, err, NULL);
	ok(rs == 0, "good trace for the unwritable output");
	rr = run(bad_rargs, out, err, NULL);
	s = slurp(err);
	ok(rr == 1 && strstr(s, "rs.html"),
	   "report to an unwritable place: exit 1, names the file (rc %d)", rr);
	free(s);
	free(trace);
	free(html);
	free(out);
	free(err);
}

/* ---- JSON syntax ------------------------------------------------------- */

static const char *js_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF",
						    p[i]) || !p[i])
						return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *js_number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? p : NULL;
}

static const char *js_value(const char *p, int depth)
{
	p = js_ws(p);
	if (depth > 64)
		return NULL;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = js_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = js_string(js_ws(p));
				if (!p)
					return NULL;
				p = js_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = js_value(p, depth + 1);
			if (!p)
				return NULL;
			p = js_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return js_string(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return js_number(p);
}

/* Is s one JSON value (and only that)? */
static int json_valid(const char *s)
{
	const char *end = js_value(s, 0);

	return end && !*js_ws(end);
}

/*
 * --pid of a process selects its threads that were alive at the start
 * (tgid from the TASKS record, no fork in the trace), not other tasks.
 */
static void test_pid_tasks(void)
{
	static const uint32_t pids[] = { 500, 501, 600 };
	static const uint32_t tgids[] = { 500, 500, 600 };
	static const char *const comms[] = { "main", "worker", "other" };
	const struct ga_result *res;
	struct gt_reader *r;
	struct ga_opts o;
	struct ga *a;
	struct enc e;

	enc_init(&e, 1, T0);
	enc_tasks_tgid(&e, 3, pids, tgids, comms);
	enc_batch_begin(&e, 0, 0, T0, 0);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 10,
		  A(0x100, 0, 0xcc0, 0, 500), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 20,
		  A(0x200, 1, 0xcc0, 0, 501), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 30,
		  A(0x300, 2, 0xcc0, 0, 600), NULL);
	enc_batch_end(&e, 0);
	enc_cpu_end(&e, 0, 1, 3, 0, 0);
	enc_end(&e, T0 + 100, 3, 0, 0);

	ga_opts_init(&o);
	o.filter.pid = 500;
	a = analyse(&r, &e, &o);
	if (a) {
		res = ga_result(a);
		ok(res->allocs == 2 && res->alloc_pages == 3,
		   "--pid 500 selects its thread 501 known from TASKS: %llu allocs, %llu pages",
		   (unsigned long long)res->allocs,
		   (unsigned long long)res->alloc_pages);
		ga_free(a);
		gt_close(r);
	} else {
		ok(0, "--pid 500 on a TASKS trace");
	}
	o.filter.pid = 501;
	a = analyse(&r, &e, &o);
	if (a) {
		res = ga_result(a);
		ok(res->allocs == 1 && res->alloc_pages == 2,
		   "--pid 501 selects the thread alone: %llu allocs",
		   (unsigned long long)res->allocs);
		ga_free(a);
		gt_close(r);
	} else {
		ok(0, "--pid 501 on a TASKS trace");
	}
	enc_free(&e);
}

static void test_json_checker(void)
{
	ok(json_valid("{\"a\":[1,-2.5,\"x\\u00e9\",true,null,{}],\"b\":{}}\n") &&
	   !json_valid("{\"a\":1,}") && !json_valid("[1 2]") &&
	   !json_valid("{\"a\":01}") && !json_valid("\"\\x\""),
	   "the JSON syntax checker of the tests");
}

/*
 * Random events of every type with random arguments (nonsense included:
 * frees before allocations, huge orders, unknown pids, ends without
 * begins): the analysis must not crash (ASan/UBSan) and stats --json must
 * stay valid JSON whose totals match the events.
 */
static void test_random(void)
{
	static const char *const names[] = { "a\"b\\c", "t\x01x", "\xc3\xa9t\xc3\xa9" };
	static const uint32_t pids[] = { 1, 2, 3 };
	char *trace = path_in_out("random.trace");
	char *out = path_in_out("random.out");
	char *err = path_in_out("random-err.out");
	const char *const args[] = { "stats", "--json", "--bucket-ms", "1", trace,
				     NULL };
	const char *const targs[] = { "stats", "--top", "0", trace, NULL };
	const struct ga_result *res;
	uint64_t seed = 99, allocs = 0;
	struct gt_reader *r;
	uint32_t seq[3] = { 0 }, c;
	unsigned int i, k, bad = 0;
	uint64_t ts = 1000;
	struct enc e;
	struct ga *a;
	char *s;
	int rc;

	enc_init(&e, 3, 1000);
	enc_set_stack_events(&e, 1ULL << GOTRACE_EV_MM_PAGE_ALLOC |
			     1ULL << GOTRACE_EV_SCHED_SWITCH);
	enc_tasks(&e, 3, pids, names);
	for (i = 0; i < 300; i++) {
		c = i % 3;
		enc_batch_begin(&e, c, seq[c]++, ts, 0);
		for (k = 0; k < 100; k++) {
			/* mark_victim has 8 arguments */
			uint64_t x[GT_MAX_ARGS], type;
			unsigned int j;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			type = 2 + (seed >> 33) % (GOTRACE_EV_COUNT - 2);
			for (j = 0; j < GT_MAX_ARGS; j++) {
				seed = seed * 6364136223846793005ULL + 1;
				x[j] = (seed >> 40) % 8;
				if (!(seed >> 60))
					x[j] = seed;	/* sometimes huge */
			}
			/*
			 * No string events; no meta events (nr_events does
			 * not count TASK_CGROUP); the numbers are not dense.
			 */
			if (type == GOTRACE_EV_SCHED_PROCESS_EXEC ||
			    type == GOTRACE_EV_TASK_CGROUP ||
			    !gt_event_desc((unsigned int)type))
				type = GOTRACE_EV_SCHED_SWITCH;
			ts += (seed >> 50) % 3000;
			if (type == GOTRACE_EV_MM_PAGE_ALLOC && x[0] != ~0ULL)
				allocs++;
			enc_event_stack(&e, (unsigned int)type, 0, ts, x, NULL,
					(uint32_t)(x[5] % 4));
		}
		enc_batch_end(&e, 0);
	}
	enc_end(&e, ts + 10, 30000, 0, 0);
	write_file(trace, e.buf, e.len);

	a = analyse(&r, &e, NULL);
	ok(!!a, "random events: analysed");
	if (a) {
		res = ga_result(a);
		ok(res->events == 30000 && res->allocs + res->alloc_fails ==
		   res->by_type[GOTRACE_EV_MM_PAGE_ALLOC] &&
		   res->allocs == allocs,
		   "random events: totals (%llu events, %llu allocs)",
		   (unsigned long long)res->events,
		   (unsigned long long)res->allocs);
		ga_free(a);
		gt_close(r);
	}
	rc = run(args, out, err, NULL);
	s = slurp(out);
	ok(rc == 0 && json_valid(s), "random events: stats --json is JSON (rc %d)",
	   rc);
	free(s);
	rc = run(targs, out, err, NULL);
	ok(rc == 0, "random events: text report, every row (rc %d)", rc);

	/* cut anywhere: a report of what decoded, never a crash */
	for (i = 0; i < 40; i++) {
		size_t len = GOTRACE_MAGIC_LEN + (e.len / 40) * i + i;

		if (len > e.len)
			len = e.len;
		write_file(trace, e.buf, len);
		rc = run(args, out, err, NULL);
		s = slurp(out);
		if ((rc == 0 && !json_valid(s)) || (rc != 0 && rc != 1))
			bad++;
		free(s);
	}
	ok(!bad, "random events cut at 40 places: JSON or a clean error (%u bad)",
	   bad);
	enc_free(&e);
	free(trace);
	free(out);
	free(err);
}

/* ---- benchmark trace ---------------------------------------------------- */

static uint64_t rnd_state = 88172645463325252ULL;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)rnd_state;
}

/*
 * A trace like a busy machine's: 4 CPUs, 2000 tasks, page allocations
 * (order 0-3, 500 stacks) freed after a while (some never), switches,
 * wakeups, migrations, a little reclaim.  Written batch by batch.
 */
static int gen(const char *path, size_t nr)
{
	enum { CPUS = 4, LIVE = 65536, BATCH = 2000 };
	static uint64_t live[LIVE];
	uint64_t now = 0, next_pfn = 0x100000;
	uint32_t seq[CPUS] = { 0 }, curr[CPUS] = { 0 };
	uint64_t per_cpu[CPUS] = { 0 };
	size_t i = 0, k;
	struct enc e;
	FILE *f;
	uint32_t c;

	f = fopen(path, "we");
	if (!f)
		return 1;
	enc_init(&e, CPUS, 0);
	enc_set_stack_events(&e, 1ULL << GOTRACE_EV_MM_PAGE_ALLOC);
	/* one clock: batches of the CPUs follow each other in time */
	while (i < nr) {
		c = rnd() % CPUS;
		enc_batch_begin(&e, c, seq[c]++, now, 0);
		for (k = 0; k < BATCH && i < nr; k++, i++) {
			uint32_t x = rnd(), pid = 1 + x % 2000;
			uint64_t *slot = &live[(x >> 11) % LIVE];

			now += 50 + x % 200;
			switch (x % 10) {
			case 0: case 1: case 2:
				/* allocate into slot, freeing its page */
				if (*slot) {
					enc_event(&e, GOTRACE_EV_MM_PAGE_FREE,
						  0, now, A(*slot, 0, pid),
						  NULL);
					*slot = 0;
					break;
				}
				*slot = next_pfn++;
				enc_event_stack(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0,
						now, A(*slot, (x >> 8) % 4 ?
							 0 : (x >> 10) % 4,
							 0xcc0, (x >> 12) % 3,
							 pid), NULL,
						1 + (x >> 14) % 500);
				break;
			case 3:
				if (*slot) {
					enc_event(&e,
						  GOTRACE_EV_MM_PAGE_FREE_BATCHED,
						  0, now, A(*slot, pid), NULL);
					*slot = 0;
				} else {
					enc_event(&e,
						  GOTRACE_EV_MM_PAGE_PCPU_DRAIN,
						  0, now, A(next_pfn, 0, 1, pid),
						  NULL);
				}
				break;
			case 4: case 5: case 6:
				enc_event(&e, GOTRACE_EV_SCHED_SWITCH, 0, now,
					  A(curr[c], 120, x % 3 ? 1 : ST, pid,
					    120), NULL);
				curr[c] = pid;
				break;
			case 7: case 8:
				enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, now,
					  A(pid, 120, c), NULL);
				break;
			default:
				if (x & 0x100000)
					enc_event(&e,
						  GOTRACE_EV_SCHED_MIGRATE_TASK,
						  0, now, A(pid, 120, c,
							      (c + 1) % CPUS),
						  NULL);
				else
					enc_event(&e, (x & 0x200000) ?
						  GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END :
						  GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN,
						  0, now, (x & 0x200000) ?
						  A(8, pid) : A(0, 0xcc0, pid),
						  NULL);
				break;
			}
			per_cpu[c]++;
		}
		enc_batch_end(&e, 0);
		/* flush: keep only what the next batch needs */
		if (fwrite(e.buf, 1, e.len, f) != e.len)
			return 1;
		e.len = 0;
		e.nr_exp = 0;
		e.nr_bounds = 0;
	}
	for (k = 1; k <= 500; k++)
		enc_stack(&e, (uint32_t)k, 3,
			  A(0xffffffff81001000ULL + k * 16,
			    0xffffffff81100000ULL + k * 32,
			    0xffffffff81200000ULL));
	for (c = 0; c < CPUS; c++)
		enc_cpu_end(&e, c, seq[c], per_cpu[c], 0, 0);
	enc_end(&e, now + 1000, nr, 0, 0);
	if (fwrite(e.buf, 1, e.len, f) != e.len || fclose(f))
		return 1;
	enc_free(&e);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--gen"))
		return gen(argv[2], strtoul(argv[3], NULL, 0));
	if (argc != 3) {
		fprintf(stderr, "usage: %s GOTRACE_BINARY OUTDIR\n", argv[0]);
		return 2;
	}
	tool = argv[1];
	outdir = argv[2];
	mkdir(outdir, 0755);

	test_hist();
	test_api();
	test_tool_json();
	test_lost();
	test_symbolize();
	test_pid_tasks();
	test_zones();
	test_top();
	test_dump_fields();
	test_groups();
	test_report_status();
	test_report_data();
	test_json_checker();
	test_random();
	return tap_done();
}
