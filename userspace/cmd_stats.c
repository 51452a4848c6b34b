// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace stats: the report of a trace (pages, outstanding pages, page
 * lifetimes, allocation rate, fragmentation, reclaim, scheduler, trace
 * health) as aligned text or JSON.  The numbers come from analysis.c;
 * this file only prints them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "common.h"
#include "json.h"
#include "gotrace_reader.h"

#define DEFAULT_TOP	10
#define STACK_FRAMES	8	/* frames of a stack in the text report */
#define RATE_ROWS	40	/* text rows of the allocation rate */

enum {
	OPT_TOP = 0x200,
	OPT_FROM,
	OPT_TO,
	OPT_PID,
	OPT_CPU,
	OPT_BUCKET,
};

static void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: gotrace stats [OPTIONS] FILE\n"
		"\n"
		"Report on a trace: page allocations and frees (by order, migratetype,\n"
		"gfp flags, task, stack), outstanding pages, page lifetimes, allocation\n"
		"rate, fragmentation fallbacks, reclaim and compaction, scheduler\n"
		"runtime and latencies, trace health.\n"
		"\n"
		"  -j, --json          JSON instead of text (every task, stack and bucket)\n"
		"  -n, --top N         rows of the text tables (default %d, 0: all)\n"
		"      --from T        window start, time since the trace start\n"
		"      --to T          window end (T: seconds, or with a unit: 10us, 5ms)\n"
		"  -p, --pid PID       only events of this pid (or tgid)\n"
		"  -C, --cpu CPU       only events of this CPU\n"
		"      --bucket-ms N   allocation rate bucket (default 100)\n"
		"  -h, --help          show this help\n", DEFAULT_TOP);
}

/* ---- text helpers ------------------------------------------------------ */

/* A duration in a short human form, in one of the static buffers. */
static const char *dur(uint64_t ns)
{
	static char bufs[8][32];
	static unsigned int k;
	char *b = bufs[k++ % 8];

	if (ns < 1000)
		snprintf(b, 32, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(b, 32, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(b, 32, "%.2fms", ns / 1e6);
	else
		snprintf(b, 32, "%.3fs", ns / 1e9);
	return b;
}

static const char *bytes_str(uint64_t b)
{
	static char bufs[4][32];
	static unsigned int k;
	char *s = bufs[k++ % 4];

	if (b < 1024)
		snprintf(s, 32, "%llu B", (unsigned long long)b);
	else if (b < (1ULL << 20))
		snprintf(s, 32, "%.1f KiB", b / 1024.0);
	else if (b < (1ULL << 30))
		snprintf(s, 32, "%.1f MiB", b / 1048576.0);
	else
		snprintf(s, 32, "%.2f GiB", b / 1073741824.0);
	return s;
}

static const char *comm_of(const struct ga_task *t, uint32_t cpu_hint)
{
	static char b[32];

	(void)cpu_hint;
	if (t && t->comm)
		return t->comm;
	if (t && !t->pid)
		return "swapper";
	snprintf(b, sizeof(b), "<...>");
	return b;
}

static const char * const mt_names[GA_MIGRATETYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA/Isolate",
	"Isolate", "6", "other",
};

static const char * const compact_names[8] = {
	"not_suitable_zone", "skipped", "deferred", "no_suitable_page",
	"continue", "complete", "partial_skipped", "other",
};

static size_t top_n(size_t nr, size_t top)
{
	return top && top < nr ? top : nr;
}

static void pct_line(const char *label, const struct ga_hist *h)
{
	if (!h->count) {
		printf("  %-22s %8s\n", label, "none");
		return;
	}
	printf("  %-22s %8llu  total %-10s p50 %-10s p99 %-10s max %s\n",
	       label, (unsigned long long)h->count, dur(h->sum),
	       dur(ga_hist_pct(h, 50)), dur(ga_hist_pct(h, 99)), dur(h->max));
}

static void print_frames(struct gt_reader *r, uint32_t id, int max,
			 const char *indent)
{
	const uint64_t *f;
	int i, n;

	if (!id) {
		printf("%s(no stack: not recorded, or table full)\n", indent);
		return;
	}
	n = gt_stack(r, id, &f);
	if (n < 0) {
		printf("%s(stack %u not in the trace)\n", indent, id);
		return;
	}
	for (i = 0; i < n && (max <= 0 || i < max); i++) {
		const char *mod, *name;
		uint64_t off;

		name = gt_symbol(r, f[i], &off, &mod);
		if (!name)
			printf("%s0x%llx\n", indent, (unsigned long long)f[i]);
		else if (mod)
			printf("%s%s+0x%llx [%s]\n", indent, name,
			       (unsigned long long)off, mod);
		else
			printf("%s%s+0x%llx\n", indent, name,
			       (unsigned long long)off);
	}
	if (i < n)
		printf("%s... %d more\n", indent, n - i);
}

/* Does any frame of the trace's stacks have a symbol? */
static int has_symbols(struct gt_reader *r)
{
	size_t i;

	for (i = 0; i < gt_nr_stacks(r) && i < 64; i++) {
		const uint64_t *f;
		int k, n = gt_stack(r, gt_stack_id(r, i), &f);

		for (k = 0; k < n; k++)
			if (gt_symbol(r, f[k], NULL, NULL))
				return 1;
	}
	return !gt_nr_stacks(r);
}

/* Decades of the lifetime histogram. */
static const uint64_t decades[] = {
	1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
	1000000000ULL, 10000000000ULL,
};
static const char * const decade_names[] = {
	"<1us", "<10us", "<100us", "<1ms", "<10ms", "<100ms", "<1s", "<10s",
	">=10s",
};

static void decade_counts(const struct ga_hist *h, uint64_t *out)
{
	unsigned int i, d;

	memset(out, 0, sizeof(uint64_t) * ARRAY_SIZE(decade_names));
	if (!h->b)
		return;
	for (i = 0; i < GA_HIST_BUCKETS; i++) {
		uint64_t low = ga_hist_bucket_low(i);

		if (!h->b[i])
			continue;
		for (d = 0; d < ARRAY_SIZE(decades) && low >= decades[d]; d++)
			;
		out[d] += h->b[i];
	}
}

static void print_text(struct gt_reader *r, const struct ga_result *res,
		       const char *path, size_t top)
{
	const struct gotrace_header *h = gt_header(r);
	uint64_t win = res->end_ns - res->start_ns, ev_total = 0;
	char gfp[256];
	size_t i, n;
	unsigned int o, m, d;

	for (i = 0; i < res->nr_cpus; i++)
		ev_total += res->cpus[i].events;
	printf("%s: %s %s, %u CPUs, trace %s, window %s..%s (%s)\n", path,
	       h->release, h->machine, h->nr_cpus,
	       res->complete ? "complete" : res->truncated ? "TRUNCATED" :
	       "INCOMPLETE (no END)",
	       dur(res->start_ns - h->start_ns), dur(res->end_ns - h->start_ns),
	       dur(win));
	printf("events: %llu selected of %llu decoded, %llu lost\n",
	       (unsigned long long)res->events,
	       (unsigned long long)ev_total, (unsigned long long)res->lost);

	printf("\n== Pages ==\n");
	if (!(h->groups & GOTRACE_GROUP_PAGE))
		printf("  (the page event group was not recorded)\n");
	printf("  allocations %llu (%llu pages, %s), failed %llu\n",
	       (unsigned long long)res->allocs,
	       (unsigned long long)res->alloc_pages,
	       bytes_str(res->alloc_pages * res->page_size),
	       (unsigned long long)res->alloc_fails);
	printf("  frees       %llu (%llu pages, %s); pcp drains %llu (%llu pages, not frees)\n",
	       (unsigned long long)res->frees,
	       (unsigned long long)res->free_pages,
	       bytes_str(res->free_pages * res->page_size),
	       (unsigned long long)res->pcp_drains,
	       (unsigned long long)res->pcp_drain_pages);
	printf("  frees of pages allocated before the trace (or lost): %llu; re-allocations without a free: %llu\n",
	       (unsigned long long)res->free_unknown,
	       (unsigned long long)res->realloc_unfreed);
	printf("\n  %-6s %10s %10s %12s %10s %10s %10s\n", "order", "allocs",
	       "frees", "outstanding", "life p50", "life p99", "life max");
	for (o = 0; o < GA_ORDERS; o++) {
		const struct ga_order *x = &res->order[o];
		char name[8];

		if (!x->allocs && !x->frees && !x->outstanding)
			continue;
		snprintf(name, sizeof(name), o == GA_ORDERS - 1 ? ">=%u" : "%u",
			 o);
		printf("  %-6s %10llu %10llu %12llu %10s %10s %10s\n", name,
		       (unsigned long long)x->allocs,
		       (unsigned long long)x->frees,
		       (unsigned long long)x->outstanding,
		       x->lifetime.count ?
		       dur(ga_hist_pct(&x->lifetime, 50)) : "-",
		       x->lifetime.count ?
		       dur(ga_hist_pct(&x->lifetime, 99)) : "-",
		       x->lifetime.count ? dur(x->lifetime.max) : "-");
	}
	printf("\n  %-12s %10s %10s\n", "migratetype", "allocs", "pages");
	for (m = 0; m < GA_MIGRATETYPES; m++) {
		if (!res->mt_allocs[m])
			continue;
		printf("  %-12s %10llu %10llu\n", mt_names[m],
		       (unsigned long long)res->mt_allocs[m],
		       (unsigned long long)res->mt_pages[m]);
	}
	printf("\n  %10s %10s  %s\n", "allocs", "pages", "gfp_flags");
	for (i = 0; i < top_n(res->nr_gfp, top); i++)
		printf("  %10llu %10llu  %s\n",
		       (unsigned long long)res->gfp[i].allocs,
		       (unsigned long long)res->gfp[i].pages,
		       gt_gfp_str(r, res->gfp[i].gfp, gfp, sizeof(gfp)));
	if (i < res->nr_gfp)
		printf("  ... %zu more\n", res->nr_gfp - i);

	printf("\n  Tasks by pages allocated:\n");
	printf("  %8s %-16s %10s %10s %10s %10s %12s\n", "pid", "comm",
	       "allocs", "pages", "frees", "free pages", "outst. pages");
	{
		const struct ga_task **v = calloc(res->nr_tasks + 1,
						  sizeof(*v));

		for (i = 0, n = 0; v && i < res->nr_tasks; i++) {
			if (res->tasks[i].allocs || res->tasks[i].frees)
				v[n++] = &res->tasks[i];
		}
		/* selection of the top by alloc_pages (n is small) */
		for (i = 0; v && i < top_n(n, top); i++) {
			size_t j, b = i;

			for (j = i + 1; j < n; j++)
				if (v[j]->alloc_pages > v[b]->alloc_pages)
					b = j;
			if (b != i) {
				const struct ga_task *t = v[i];

				v[i] = v[b];
				v[b] = t;
			}
			printf("  %8u %-16s %10llu %10llu %10llu %10llu %12llu\n",
			       v[i]->pid, comm_of(v[i], 0),
			       (unsigned long long)v[i]->allocs,
			       (unsigned long long)v[i]->alloc_pages,
			       (unsigned long long)v[i]->frees,
			       (unsigned long long)v[i]->free_pages,
			       (unsigned long long)v[i]->outstanding_pages);
		}
		if (v && i < n)
			printf("  ... %zu more\n", n - i);
		free(v);
	}

	if (res->stack_events || res->nr_stacks > 1 ||
	    (res->nr_stacks == 1 && res->stacks[0].id)) {
		printf("\n  Stacks by pages allocated (%llu events with a stack id, %llu without: table full):\n",
		       (unsigned long long)res->stack_events,
		       (unsigned long long)res->stack_lost);
		if (!has_symbols(r))
			printf("  (no SYMBOLS in the trace: run 'gotrace symbolize %s' on the traced machine)\n",
			       path);
		for (i = 0; i < top_n(res->nr_stacks, top); i++) {
			const struct ga_stack *s = &res->stacks[i];

			printf("  stack %u: %llu allocs, %llu pages, %llu freed allocs, %llu outstanding pages\n",
			       s->id, (unsigned long long)s->allocs,
			       (unsigned long long)s->alloc_pages,
			       (unsigned long long)s->frees,
			       (unsigned long long)s->outstanding_pages);
			print_frames(r, s->id, STACK_FRAMES, "      ");
		}
		if (i < res->nr_stacks)
			printf("  ... %zu more\n", res->nr_stacks - i);
	}

	printf("\n== Outstanding pages (allocated in the window, not freed by its end) ==\n");
	printf("  %llu allocations, %llu pages, %s\n",
	       (unsigned long long)res->outstanding,
	       (unsigned long long)res->outstanding_pages,
	       bytes_str(res->outstanding_bytes));
	if (res->nr_out) {
		printf("  %8s %-16s %8s %10s %10s %12s  %s\n", "pid", "comm",
		       "stack", "allocs", "pages", "bytes", "oldest at");
		for (i = 0; i < top_n(res->nr_out, top); i++) {
			const struct ga_outstanding *x = &res->out[i];

			printf("  %8u %-16s %8u %10llu %10llu %12s  %s\n",
			       x->pid, comm_of(ga_task_find(res, x->pid), 0),
			       x->stack_id, (unsigned long long)x->allocs,
			       (unsigned long long)x->pages,
			       bytes_str(x->bytes),
			       dur(x->oldest_ts - h->start_ns));
			if (x->stack_id)
				print_frames(r, x->stack_id, 4, "             ");
		}
		if (i < res->nr_out)
			printf("  ... %zu more groups\n", res->nr_out - i);
	}

	printf("\n== Page lifetime (alloc to free), count per range ==\n");
	printf("  %-6s", "order");
	for (d = 0; d < ARRAY_SIZE(decade_names); d++)
		printf(" %8s", decade_names[d]);
	printf("\n");
	for (o = 0; o <= GA_ORDERS; o++) {
		const struct ga_hist *lh = o < GA_ORDERS ?
					   &res->order[o].lifetime :
					   &res->lifetime;
		uint64_t cnt[ARRAY_SIZE(decade_names)];
		char name[8];

		if (!lh->count)
			continue;
		if (o == GA_ORDERS)
			snprintf(name, sizeof(name), "all");
		else
			snprintf(name, sizeof(name),
				 o == GA_ORDERS - 1 ? ">=%u" : "%u", o);
		decade_counts(lh, cnt);
		printf("  %-6s", name);
		for (d = 0; d < ARRAY_SIZE(decade_names); d++)
			printf(" %8llu", (unsigned long long)cnt[d]);
		printf("\n");
	}

	printf("\n== Allocation rate (per %s) ==\n", dur(res->bucket_ns));
	{
		size_t group = (res->nr_buckets + RATE_ROWS - 1) / RATE_ROWS;

		if (!group)
			group = 1;
		if (group > 1)
			printf("  (%zu buckets per row)\n", group);
		printf("  %10s %10s %10s %10s %10s\n", "from", "allocs",
		       "pages", "frees", "free pages");
		for (i = 0; i < res->nr_buckets; i += group) {
			struct ga_bucket sum = { 0 };
			size_t j;

			for (j = i; j < i + group && j < res->nr_buckets;
			     j++) {
				sum.allocs += res->buckets[j].allocs;
				sum.alloc_pages += res->buckets[j].alloc_pages;
				sum.frees += res->buckets[j].frees;
				sum.free_pages += res->buckets[j].free_pages;
			}
			printf("  %10s %10llu %10llu %10llu %10llu\n",
			       dur(res->start_ns - h->start_ns +
				   i * res->bucket_ns),
			       (unsigned long long)sum.allocs,
			       (unsigned long long)sum.alloc_pages,
			       (unsigned long long)sum.frees,
			       (unsigned long long)sum.free_pages);
		}
	}

	printf("\n== Fragmentation ==\n");
	printf("  extfrag fallbacks %llu (fragmenting %llu)\n",
	       (unsigned long long)res->extfrag,
	       (unsigned long long)res->extfrag_fragmenting);
	for (m = 0; m < GA_MIGRATETYPES; m++) {
		for (o = 0; o < GA_MIGRATETYPES; o++) {
			if (res->extfrag_mt[m][o])
				printf("    %s from %s: %llu\n", mt_names[m],
				       mt_names[o],
				       (unsigned long long)res->extfrag_mt[m][o]);
		}
	}

	printf("\n== Reclaim and compaction ==\n");
	if (!(h->groups & GOTRACE_GROUP_RECLAIM))
		printf("  (the reclaim event group was not recorded)\n");
	pct_line("direct reclaim stalls", &res->reclaim);
	printf("  %-22s %8llu pages reclaimed, %llu unfinished at the end\n",
	       "", (unsigned long long)res->reclaimed,
	       (unsigned long long)res->reclaim_unfinished);
	for (i = 0; i < res->nr_tasks; i++) {
		const struct ga_task *t = &res->tasks[i];
		char label[40];

		if (!t->reclaim.count)
			continue;
		snprintf(label, sizeof(label), "%u %s", t->pid,
			 comm_of(t, 0));
		pct_line(label, &t->reclaim);
	}
	printf("  kswapd: %llu wakes, active %s",
	       (unsigned long long)res->kswapd_wakes,
	       dur(res->kswapd_active_ns));
	for (i = 0; i < GA_MAX_NODES; i++)
		if (res->kswapd_node_ns[i])
			printf(" (node %zu: %s)", i,
			       dur(res->kswapd_node_ns[i]));
	printf("\n");
	pct_line("compaction", &res->compaction);
	for (i = 0; i < 8; i++)
		if (res->compaction_status[i])
			printf("    %s: %llu\n", compact_names[i],
			       (unsigned long long)res->compaction_status[i]);

	printf("\n== Scheduler ==\n");
	if (!(h->groups & GOTRACE_GROUP_SCHED))
		printf("  (the sched event group was not recorded)\n");
	printf("  switches %llu, wakeups %llu, migrations %llu\n",
	       (unsigned long long)res->switches,
	       (unsigned long long)res->wakeups,
	       (unsigned long long)res->migrations);
	pct_line("wakeup to run", &res->wake_lat);
	printf("\n  Tasks by runtime:\n");
	printf("  %8s %-16s %10s %8s %8s %8s %10s %10s %10s %6s\n", "pid",
	       "comm", "runtime", "switches", "invol", "wakeups", "lat p50",
	       "lat p99", "lat max", "migr");
	{
		const struct ga_task **v = calloc(res->nr_tasks + 1,
						  sizeof(*v));

		for (i = 0, n = 0; v && i < res->nr_tasks; i++) {
			const struct ga_task *t = &res->tasks[i];

			if (t->runtime_ns || t->switches || t->wakeups)
				v[n++] = t;
		}
		for (i = 0; v && i < top_n(n, top); i++) {
			size_t j, b = i;

			for (j = i + 1; j < n; j++)
				if (v[j]->runtime_ns > v[b]->runtime_ns)
					b = j;
			if (b != i) {
				const struct ga_task *t = v[i];

				v[i] = v[b];
				v[b] = t;
			}
			printf("  %8u %-16s %10s %8llu %8llu %8llu %10s %10s %10s %6llu\n",
			       v[i]->pid, comm_of(v[i], 0),
			       dur(v[i]->runtime_ns),
			       (unsigned long long)v[i]->switches,
			       (unsigned long long)v[i]->involuntary,
			       (unsigned long long)v[i]->wakeups,
			       dur(ga_hist_pct(&v[i]->wake_lat, 50)),
			       dur(ga_hist_pct(&v[i]->wake_lat, 99)),
			       dur(v[i]->wake_lat.max),
			       (unsigned long long)v[i]->migrations);
		}
		if (v && i < n)
			printf("  ... %zu more\n", n - i);
		free(v);
	}
	printf("\n  %4s %12s %6s %10s\n", "cpu", "busy", "busy%", "switches");
	for (i = 0; i < res->nr_cpus; i++) {
		const struct ga_cpu *c = &res->cpus[i];

		if (!c->busy_ns && !c->switches)
			continue;
		printf("  %4zu %12s %5.1f%% %10llu\n", i, dur(c->busy_ns),
		       win ? 100.0 * c->busy_ns / win : 0.0,
		       (unsigned long long)c->switches);
	}

	printf("\n== Trace health ==\n");
	printf("  %s; %llu lost events; %llu seq gaps; %llu batches skipped by a reader\n",
	       res->complete ? "complete (END record)" :
	       res->truncated ? "TRUNCATED (cut inside a record)" :
	       "INCOMPLETE (no END record)",
	       (unsigned long long)res->lost,
	       (unsigned long long)res->seq_gaps,
	       (unsigned long long)res->reader_skipped);
	if (res->decode_error)
		printf("  DECODING STOPPED: %s\n", res->error);
	printf("  %llu events without a stack (table full), %llu tasks without a name\n",
	       (unsigned long long)res->stack_lost,
	       (unsigned long long)res->unnamed_pids);
	printf("  %4s %12s %12s %10s %8s %6s %4s\n", "cpu", "decoded",
	       "events", "lost", "batches", "gaps", "end");
	for (i = 0; i < res->nr_cpus; i++) {
		const struct ga_cpu *c = &res->cpus[i];

		if (!c->events && !c->events_total && !c->batches &&
		    !c->has_end)
			continue;
		printf("  %4zu %12llu %12llu %10llu %8u %6u %4s\n", i,
		       (unsigned long long)c->events,
		       (unsigned long long)c->events_total,
		       (unsigned long long)c->lost, c->batches, c->seq_gaps,
		       c->has_end ? "yes" : "no");
	}
}

/* ---- JSON -------------------------------------------------------------- */

static void json_str(const char *s)
{
	json_write_str(stdout, s, (size_t)-1);
}

#define U(x)	((unsigned long long)(x))

static void json_hist(const char *name, const struct ga_hist *h)
{
	printf("\"%s\":{\"count\":%llu,\"total_ns\":%llu,\"min_ns\":%llu,"
	       "\"p50_ns\":%llu,\"p90_ns\":%llu,\"p99_ns\":%llu,\"max_ns\":%llu}",
	       name, U(h->count), U(h->sum), U(h->min),
	       U(ga_hist_pct(h, 50)), U(ga_hist_pct(h, 90)),
	       U(ga_hist_pct(h, 99)), U(h->max));
}

/* A lifetime histogram: percentiles and the counts per decade. */
static void json_life(const struct ga_hist *h)
{
	uint64_t cnt[ARRAY_SIZE(decade_names)];
	unsigned int d;

	json_hist("lifetime", h);
	decade_counts(h, cnt);
	printf(",\"lifetime_decades\":{");
	for (d = 0; d < ARRAY_SIZE(decade_names); d++)
		printf("%s\"%s\":%llu", d ? "," : "", decade_names[d],
		       U(cnt[d]));
	printf("}");
}

static void json_frames(struct gt_reader *r, uint32_t id)
{
	const uint64_t *f;
	int i, n = id ? gt_stack(r, id, &f) : -1;

	printf("\"frames\":[");
	for (i = 0; i < n; i++) {
		const char *mod, *name;
		uint64_t off;

		name = gt_symbol(r, f[i], &off, &mod);
		/* a hex string: JSON numbers are doubles to most readers */
		printf("%s{\"addr\":\"0x%llx\"", i ? "," : "", U(f[i]));
		if (name) {
			printf(",\"sym\":");
			json_str(name);
			printf(",\"off\":%llu", U(off));
			if (mod) {
				printf(",\"module\":");
				json_str(mod);
			}
		}
		printf("}");
	}
	printf("]");
}

static void print_json(struct gt_reader *r, const struct ga_result *res)
{
	const struct gotrace_header *h = gt_header(r);
	char gfp[256];
	size_t i;
	unsigned int o, m;

	printf("{\"trace\":{\"release\":");
	json_str(h->release);
	printf(",\"machine\":");
	json_str(h->machine);
	printf(",\"nr_cpus\":%u,\"page_size\":%u,\"start_ns\":%llu,"
	       "\"window_start_ns\":%llu,\"window_end_ns\":%llu,"
	       "\"complete\":%s,\"truncated\":%s,\"decode_error\":",
	       h->nr_cpus, res->page_size, U(h->start_ns), U(res->start_ns),
	       U(res->end_ns), res->complete ? "true" : "false",
	       res->truncated ? "true" : "false");
	if (res->decode_error)
		json_str(res->error);
	else
		printf("null");
	printf(",\"events\":%llu,\"lost\":%llu,\"seq_gaps\":%llu,"
	       "\"reader_skipped\":%llu,\"stack_events\":%llu,"
	       "\"stack_lost\":%llu,\"unnamed_tasks\":%llu,\"by_type\":{",
	       U(res->events), U(res->lost), U(res->seq_gaps),
	       U(res->reader_skipped), U(res->stack_events),
	       U(res->stack_lost), U(res->unnamed_pids));
	for (i = 2, m = 0; i < GOTRACE_EV_COUNT; i++)
		printf("%s\"%s\":%llu", m++ ? "," : "", gt_event_name(i),
		       U(res->by_type[i]));
	printf("},\"cpus\":[");
	for (i = 0; i < res->nr_cpus; i++) {
		const struct ga_cpu *c = &res->cpus[i];

		printf("%s{\"cpu\":%zu,\"decoded\":%llu,\"events\":%llu,"
		       "\"lost\":%llu,\"batches\":%u,\"seq_gaps\":%u,"
		       "\"has_end\":%s,\"busy_ns\":%llu,\"switches\":%llu}",
		       i ? "," : "", i, U(c->events), U(c->events_total),
		       U(c->lost), c->batches, c->seq_gaps,
		       c->has_end ? "true" : "false", U(c->busy_ns),
		       U(c->switches));
	}
	printf("]},\n");

	printf("\"pages\":{\"allocs\":%llu,\"alloc_pages\":%llu,"
	       "\"alloc_fails\":%llu,\"frees\":%llu,\"free_pages\":%llu,"
	       "\"free_unknown\":%llu,\"realloc_unfreed\":%llu,"
	       "\"pcp_drains\":%llu,\"pcp_drain_pages\":%llu,\"orders\":[",
	       U(res->allocs), U(res->alloc_pages), U(res->alloc_fails),
	       U(res->frees), U(res->free_pages), U(res->free_unknown),
	       U(res->realloc_unfreed), U(res->pcp_drains),
	       U(res->pcp_drain_pages));
	for (o = 0; o < GA_ORDERS; o++) {
		const struct ga_order *x = &res->order[o];

		printf("%s{\"order\":%u,\"larger\":%s,\"allocs\":%llu,"
		       "\"frees\":%llu,\"outstanding\":%llu,", o ? "," : "", o,
		       o == GA_ORDERS - 1 ? "true" : "false", U(x->allocs),
		       U(x->frees), U(x->outstanding));
		json_life(&x->lifetime);
		printf("}");
	}
	printf("],");
	json_life(&res->lifetime);
	printf(",\"migratetypes\":[");
	for (m = 0; m < GA_MIGRATETYPES; m++)
		printf("%s{\"migratetype\":%u,\"name\":\"%s\",\"allocs\":%llu,"
		       "\"pages\":%llu}", m ? "," : "", m, mt_names[m],
		       U(res->mt_allocs[m]), U(res->mt_pages[m]));
	printf("],\"gfp\":[");
	for (i = 0; i < res->nr_gfp; i++) {
		printf("%s{\"gfp_flags\":%llu,\"names\":", i ? "," : "",
		       U(res->gfp[i].gfp));
		json_str(gt_gfp_str(r, res->gfp[i].gfp, gfp, sizeof(gfp)));
		printf(",\"allocs\":%llu,\"pages\":%llu}",
		       U(res->gfp[i].allocs), U(res->gfp[i].pages));
	}
	printf("],\"stacks\":[");
	for (i = 0; i < res->nr_stacks; i++) {
		const struct ga_stack *s = &res->stacks[i];

		printf("%s\n{\"id\":%u,\"allocs\":%llu,\"alloc_pages\":%llu,"
		       "\"frees\":%llu,\"outstanding\":%llu,"
		       "\"outstanding_pages\":%llu,", i ? "," : "", s->id,
		       U(s->allocs), U(s->alloc_pages), U(s->frees),
		       U(s->outstanding), U(s->outstanding_pages));
		json_frames(r, s->id);
		printf("}");
	}
	printf("]},\n");

	printf("\"outstanding\":{\"allocs\":%llu,\"pages\":%llu,"
	       "\"bytes\":%llu,\"groups\":[", U(res->outstanding),
	       U(res->outstanding_pages), U(res->outstanding_bytes));
	for (i = 0; i < res->nr_out; i++) {
		const struct ga_outstanding *x = &res->out[i];
		const struct ga_task *t = ga_task_find(res, x->pid);

		printf("%s\n{\"stack_id\":%u,\"pid\":%u,\"comm\":",
		       i ? "," : "", x->stack_id, x->pid);
		if (t && t->comm)
			json_str(t->comm);
		else
			printf("null");
		printf(",\"allocs\":%llu,\"pages\":%llu,\"bytes\":%llu,"
		       "\"oldest_ns\":%llu}", U(x->allocs), U(x->pages),
		       U(x->bytes), U(x->oldest_ts));
	}
	printf("]},\n");

	printf("\"alloc_rate\":{\"bucket_ns\":%llu,\"start_ns\":%llu,"
	       "\"buckets\":[", U(res->bucket_ns), U(res->start_ns));
	for (i = 0; i < res->nr_buckets; i++)
		printf("%s[%llu,%llu,%llu,%llu]", i ? "," : "",
		       U(res->buckets[i].allocs),
		       U(res->buckets[i].alloc_pages),
		       U(res->buckets[i].frees),
		       U(res->buckets[i].free_pages));
	printf("],\"columns\":[\"allocs\",\"alloc_pages\",\"frees\","
	       "\"free_pages\"]},\n");

	printf("\"extfrag\":{\"fallbacks\":%llu,\"fragmenting\":%llu,"
	       "\"by_migratetype\":[", U(res->extfrag),
	       U(res->extfrag_fragmenting));
	for (m = 0, i = 0; m < GA_MIGRATETYPES; m++)
		for (o = 0; o < GA_MIGRATETYPES; o++)
			if (res->extfrag_mt[m][o])
				printf("%s{\"alloc_migratetype\":%u,"
				       "\"fallback_migratetype\":%u,"
				       "\"count\":%llu}", i++ ? "," : "", m, o,
				       U(res->extfrag_mt[m][o]));
	printf("]},\n");

	printf("\"reclaim\":{");
	json_hist("direct", &res->reclaim);
	printf(",\"reclaimed\":%llu,\"unfinished\":%llu,\"kswapd_wakes\":%llu,"
	       "\"kswapd_active_ns\":%llu,\"kswapd_nodes\":[",
	       U(res->reclaimed), U(res->reclaim_unfinished),
	       U(res->kswapd_wakes), U(res->kswapd_active_ns));
	for (i = 0, m = 0; i < GA_MAX_NODES; i++)
		if (res->kswapd_node_ns[i])
			printf("%s{\"nid\":%zu,\"active_ns\":%llu}",
			       m++ ? "," : "", i, U(res->kswapd_node_ns[i]));
	printf("],");
	json_hist("compaction", &res->compaction);
	printf(",\"compaction_status\":{");
	for (i = 0; i < 8; i++)
		printf("%s\"%s\":%llu", i ? "," : "", compact_names[i],
		       U(res->compaction_status[i]));
	printf("}},\n");

	printf("\"sched\":{\"switches\":%llu,\"wakeups\":%llu,"
	       "\"migrations\":%llu,", U(res->switches), U(res->wakeups),
	       U(res->migrations));
	json_hist("wakeup_latency", &res->wake_lat);
	printf("},\n\"tasks\":[");
	for (i = 0; i < res->nr_tasks; i++) {
		const struct ga_task *t = &res->tasks[i];

		printf("%s\n{\"pid\":%u,\"tgid\":%u,\"comm\":", i ? "," : "",
		       t->pid, t->tgid);
		if (t->comm)
			json_str(t->comm);
		else
			printf("null");
		printf(",\"allocs\":%llu,\"alloc_pages\":%llu,"
		       "\"alloc_fails\":%llu,\"frees\":%llu,\"free_pages\":%llu,"
		       "\"outstanding\":%llu,\"outstanding_pages\":%llu,"
		       "\"runtime_ns\":%llu,\"switches\":%llu,"
		       "\"involuntary\":%llu,\"wakeups\":%llu,"
		       "\"migrations\":%llu,\"reclaimed\":%llu,",
		       U(t->allocs), U(t->alloc_pages), U(t->alloc_fails),
		       U(t->frees), U(t->free_pages), U(t->outstanding),
		       U(t->outstanding_pages), U(t->runtime_ns),
		       U(t->switches), U(t->involuntary), U(t->wakeups),
		       U(t->migrations), U(t->reclaimed));
		json_hist("wakeup_latency", &t->wake_lat);
		printf(",");
		json_hist("direct_reclaim", &t->reclaim);
		printf(",");
		json_hist("compaction", &t->compaction);
		printf("}");
	}
	printf("]}\n");
}

int cmd_stats(int argc, char **argv);

int cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "top", required_argument, NULL, 'n' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "pid", required_argument, NULL, 'p' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "bucket-ms", required_argument, NULL, OPT_BUCKET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct ga_result *res;
	struct gt_reader *r;
	struct ga_opts o;
	unsigned long v;
	size_t top = DEFAULT_TOP;
	struct ga *a;
	int opt, json = 0, ret, status = EXIT_OK;
	const char *path;

	ga_opts_init(&o);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "jn:p:C:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = 1;
			break;
		case 'n':
			if (parse_ulong(optarg, "--top", 0, 1UL << 30, &v))
				return EXIT_ERR;
			top = v;
			break;
		case OPT_FROM:
			if (parse_trace_time(optarg, "--from", &o.from_ns))
				return EXIT_ERR;
			break;
		case OPT_TO:
			if (parse_trace_time(optarg, "--to", &o.to_ns))
				return EXIT_ERR;
			break;
		case 'p':
			if (parse_ulong(optarg, "pid", 0, 4194304, &v))
				return EXIT_ERR;
			o.pid = (int64_t)v;
			break;
		case 'C':
			if (parse_ulong(optarg, "cpu", 0, 65535, &v))
				return EXIT_ERR;
			o.cpu = (int64_t)v;
			break;
		case OPT_BUCKET:
			if (parse_ulong(optarg, "--bucket-ms", 1, 3600000, &v))
				return EXIT_ERR;
			o.bucket_ns = v * 1000000ULL;
			break;
		case 'h':
			stats_usage(stdout);
			return EXIT_OK;
		default:
			stats_usage(stderr);
			return EXIT_ERR;
		}
	}
	if (optind != argc - 1) {
		gt_err("stats: expected one FILE (see 'gotrace stats -h')");
		return EXIT_ERR;
	}
	if (o.to_ns < o.from_ns) {
		gt_err("stats: --to is before --from");
		return EXIT_ERR;
	}
	path = argv[optind];
	if (gt_open_file(path, &r) < 0) {
		gt_err("%s", gt_error(NULL));
		return EXIT_ERR;
	}
	a = ga_new(r, &o);
	if (!a) {
		gt_err("stats: %s", strerror(errno));
		gt_close(r);
		return EXIT_ERR;
	}
	ret = ga_run(a);
	if (ret == -ENOMEM) {
		gt_err("stats: %s", strerror(ENOMEM));
		status = EXIT_ERR;
		goto out;
	}
	res = ga_result(a);
	if (o.cpu >= 0 && (uint64_t)o.cpu >= res->nr_cpus)
		gt_warn("stats: the trace has no CPU %lld",
			(long long)o.cpu);
	if (json)
		print_json(r, res);
	else
		print_text(r, res, path, top);
	if (fflush(stdout) || ferror(stdout)) {
		gt_err("writing the output: %s", strerror(errno));
		status = EXIT_ERR;
	}
	if (ret < 0) {
		gt_err("%s: malformed trace: %s (the report covers what decoded)",
		       path, res->error);
		status = EXIT_ERR;
	} else if (res->truncated) {
		gt_warn("%s: %s; the report covers the complete records",
			path, gt_error(r));
	} else if (!res->complete) {
		gt_warn("%s: no END record: the recording did not finish",
			path);
	}
out:
	ga_free(a);
	gt_close(r);
	return status;
}
