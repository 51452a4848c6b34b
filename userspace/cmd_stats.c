// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace stats: the report of a trace (pages, outstanding pages, page
 * lifetimes, allocation rate, fragmentation, reclaim, scheduler, trace
 * health) as aligned text or JSON.  The numbers come from analysis.c;
 * this file only prints them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "common.h"
#include "opts.h"
#include "json.h"
#include "gotrace_reader.h"
#include "stats_cgroups.h"
#include "stats_zones.h"

#define DEFAULT_TOP	10
#define STACK_FRAMES	8	/* frames of a stack in the text report */
#define RATE_ROWS	40	/* text rows of the allocation rate */

static const struct gt_cmdopt stats_opts[] = {
	{ GO_JSON, "JSON instead of text (every task, stack and bucket)" },
	{ GO_TOP, "rows of the text tables, 0: all", GT_DEF_NUM, DEFAULT_TOP },
	GT_FILTER_OPTS,
	{ GO_BY },
	{ GO_OLDER },
	{ GO_BUCKET_MS },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec stats_cmd = {
	.name = "stats",
	.synopsis = "[OPTIONS] FILE",
	.about = "Report on a trace: page allocations and frees (by order, migratetype,\n"
		 "gfp flags, task, stack), outstanding pages, page lifetimes, allocation\n"
		 "rate, fragmentation fallbacks, reclaim and compaction, scheduler\n"
		 "runtime and latencies, pages by cgroup, trace health.  FILE may be '-'\n"
		 "(standard input).\n",
	.opts = stats_opts,
};

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
	char src[512];
	int i, k, n;

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
		for (k = 0; srcline_str(r, f[i], k, src, sizeof(src)); k++)
			printf("%s    %s\n", indent, src);
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

/* Page allocations of a task that allocated or freed, else -1. */
static int64_t pages_of(const struct ga_task *t)
{
	return t->allocs || t->frees ? (int64_t)t->alloc_pages : -1;
}

/* Runtime of a task that ran, switched or was woken, else -1. */
static int64_t runtime_of(const struct ga_task *t)
{
	return t->runtime_ns || t->switches || t->wakeups ?
	       (int64_t)t->runtime_ns : -1;
}

/* Time stalled in direct reclaim of a task that stalled, else -1. */
static int64_t stall_of(const struct ga_task *t)
{
	return t->reclaim.count ? (int64_t)t->reclaim.sum : -1;
}

/*
 * The tasks whose key is not -1 (*nr of them), the first top_n() of them
 * in decreasing key order (a selection: top is small); free() it.
 */
static const struct ga_task **top_tasks(const struct ga_result *res,
					size_t top,
					int64_t (*key)(const struct ga_task *t),
					size_t *nr)
{
	const struct ga_task **v = calloc(res->nr_tasks + 1, sizeof(*v));
	size_t i, j, n = 0;

	for (i = 0; v && i < res->nr_tasks; i++) {
		if (key(&res->tasks[i]) >= 0)
			v[n++] = &res->tasks[i];
	}
	for (i = 0; v && i < top_n(n, top); i++) {
		size_t b = i;

		for (j = i + 1; j < n; j++)
			if (key(v[j]) > key(v[b]))
				b = j;
		if (b != i) {
			const struct ga_task *t = v[i];

			v[i] = v[b];
			v[b] = t;
		}
	}
	*nr = n;
	return v;
}

/* What the text sections print from. */
struct text_ctx {
	struct gt_reader *r;
	const struct ga_result *res;
	const struct gotrace_header *h;
	const char *path;
	size_t top;
	uint64_t win;		/* window length */
};

/* The trace and the window. */
static void text_summary(const struct text_ctx *ctx)
{
	const struct ga_result *res = ctx->res;
	const struct gotrace_header *h = ctx->h;
	const char *path = ctx->path;
	uint64_t win = ctx->win;
	uint64_t ev_total = 0;
	size_t i;

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
}

/*
 * The triggers of a flight recorder's snapshot and the events that fired
 * them: when, where, whose, what they measured (dump marks the events).
 */
static void text_triggers(const struct text_ctx *ctx)
{
	const struct ga_result *res = ctx->res;
	char trig[48], val[48], task[48];
	size_t i;

	if (!res->has_triggers)
		return;
	printf("\n== Triggers ==\n  triggers:");
	for (i = 0; i < res->nr_triggers; i++)
		printf(" %s", gt_trigger_str(res->triggers[i].kind,
					     res->triggers[i].value, trig,
					     sizeof(trig)));
	printf("; %llu fired in the trace, %zu in this snapshot's window\n",
	       (unsigned long long)res->fired_total, res->nr_fired);
	if (!res->nr_fired)
		return;
	printf("  %14s %5s %-24s %-18s %-10s %s\n", "time (s)", "cpu", "task",
	       "trigger", "measured", "event");
	for (i = 0; i < res->nr_fired; i++) {
		const struct ga_fired *gf = &res->fired[i];
		const struct gotrace_fired *f = &gf->f;
		uint64_t t = f->ts >= ctx->h->start_ns ?
			     f->ts - ctx->h->start_ns : 0;

		snprintf(task, sizeof(task), "%s (%u)",
			 gf->comm[0] ? gf->comm : "<...>", f->pid);
		gt_fired_value_str(f, val, sizeof(val));
		printf("  %4llu.%09llu %5u %-24s %-18s %-10s %s%s\n",
		       (unsigned long long)(t / 1000000000ULL),
		       (unsigned long long)(t % 1000000000ULL), f->cpu, task,
		       gt_trigger_str(f->kind, gf->threshold, trig,
				      sizeof(trig)),
		       val[0] ? val : "-", gt_event_name(f->event),
		       f->flags & GOTRACE_FIRED_LOST ?
		       " (the event itself was lost)" :
		       !gf->seen ? " (event not decoded)" : "");
	}
}

/* Page counts by order, migratetype and gfp flags. */
static void text_pages(const struct text_ctx *ctx)
{
	struct gt_reader *r = ctx->r;
	const struct ga_result *res = ctx->res;
	const struct gotrace_header *h = ctx->h;
	size_t top = ctx->top;
	char gfp[256];
	size_t i;
	unsigned int o, m;

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
		printf("  %-12s %10llu %10llu\n", stats_mt_names[m],
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
}

/* The tasks that allocate most. */
static void text_page_tasks(const struct text_ctx *ctx)
{
	const struct ga_result *res = ctx->res;
	size_t top = ctx->top;
	size_t i, n;

	printf("\n  Tasks by pages allocated:\n");
	printf("  %8s %-16s %10s %10s %10s %10s %12s\n", "pid", "comm",
	       "allocs", "pages", "frees", "free pages", "outst. pages");
	{
		const struct ga_task **v = top_tasks(res, top, pages_of, &n);

		for (i = 0; v && i < top_n(n, top); i++) {
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
}

/* The stacks that allocate most. */
static void text_stacks(const struct text_ctx *ctx)
{
	struct gt_reader *r = ctx->r;
	const struct ga_result *res = ctx->res;
	const char *path = ctx->path;
	size_t top = ctx->top;
	size_t i;

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
}

/*
 * The text width of each key of the group table: its own (8 if none),
 * or that of the widest value among the n groups shown.
 */
static void group_widths(const struct ga_group *g, size_t n, int *width)
{
	unsigned int k;
	size_t i;

	for (k = 0; k < GA_KEY_NR; k++) {
		width[k] = ga_keys[k].width ? ga_keys[k].width : 8;
		for (i = 0; i < n; i++) {
			int len = snprintf(NULL, 0, "%llu",
					   (unsigned long long)g[i].key[k]);

			if (len > width[k])
				width[k] = len;
		}
	}
}

/* The header of the group table: its keys' columns. */
static void group_head(unsigned int by, const int *width)
{
	unsigned int k;

	printf("  ");
	for (k = 0; k < GA_KEY_NR; k++) {
		if (!(by & (1U << k)))
			continue;
		printf("%*s ", width[k], ga_keys[k].name);
		if (ga_keys[k].label)
			printf("%-*s ", ga_keys[k].label_width,
			       ga_keys[k].label_name);
	}
}

static void group_keys(struct gt_reader *r, unsigned int by,
		       const struct ga_group *g, const int *width)
{
	unsigned int k;

	printf("  ");
	for (k = 0; k < GA_KEY_NR; k++) {
		const char *label;

		if (!(by & (1U << k)))
			continue;
		printf("%*llu ", width[k], (unsigned long long)g->key[k]);
		if (!ga_keys[k].label)
			continue;
		label = ga_keys[k].label(r, g->key[k]);
		printf("%-*s ", ga_keys[k].label_width,
		       label ? label : g->key[k] ? "<...>" :
		       ga_keys[k].zero_label);
	}
}

/* What is still allocated at the end of the window, by group. */
static void text_outstanding(const struct text_ctx *ctx)
{
	struct gt_reader *r = ctx->r;
	const struct ga_result *res = ctx->res;
	size_t top = ctx->top;
	int width[GA_KEY_NR];
	char by[64];
	size_t i;

	printf("\n== Outstanding pages (allocated in the window, not freed by its end) ==\n");
	printf("  %llu allocations, %llu pages, %s\n",
	       (unsigned long long)res->outstanding,
	       (unsigned long long)res->outstanding_pages,
	       bytes_str(res->outstanding_bytes));
	if (res->older_ns)
		printf("  leak candidates, allocated at least %s before the end: %llu allocations, %llu pages\n",
		       dur(res->older_ns),
		       (unsigned long long)res->leak_allocs,
		       (unsigned long long)res->leak_pages);
	if (!res->nr_leak_groups)
		return;
	printf("  by %s:\n", ga_by_str(res->by, by, sizeof(by)));
	group_widths(res->groups, top_n(res->nr_leak_groups, top), width);
	group_head(res->by, width);
	printf("%8s %8s %10s %10s %10s\n", "allocs", "pages", "bytes",
	       "oldest age", "allocated");
	for (i = 0; i < top_n(res->nr_leak_groups, top); i++) {
		const struct ga_group *g = &res->groups[i];

		group_keys(r, res->by, g, width);
		printf("%8llu %8llu %10s %10s %10llu\n",
		       (unsigned long long)g->outstanding,
		       (unsigned long long)g->outstanding_pages,
		       bytes_str(g->outstanding_bytes),
		       dur(res->end_ns - g->oldest_ts),
		       (unsigned long long)g->alloc_pages);
		if ((res->by & (1U << GA_KEY_STACK)) && g->key[GA_KEY_STACK])
			print_frames(r, (uint32_t)g->key[GA_KEY_STACK], 4,
				     "             ");
	}
	if (i < res->nr_leak_groups)
		printf("  ... %zu more groups\n", res->nr_leak_groups - i);
}

/* Page lifetimes by order. */
static void text_lifetime(const struct text_ctx *ctx)
{
	const struct ga_result *res = ctx->res;
	unsigned int o, d;

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
}

/* The allocation rate over time. */
static void text_rate(const struct text_ctx *ctx)
{
	const struct ga_result *res = ctx->res;
	const struct gotrace_header *h = ctx->h;
	size_t i;

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
}

/* Extfrag fallbacks. */
static void text_fragmentation(const struct text_ctx *ctx)
{
	const struct ga_result *res = ctx->res;
	unsigned int o, m;

	printf("\n== Fragmentation ==\n");
	printf("  extfrag fallbacks %llu (fragmenting %llu)\n",
	       (unsigned long long)res->extfrag,
	       (unsigned long long)res->extfrag_fragmenting);
	for (m = 0; m < GA_MIGRATETYPES; m++) {
		for (o = 0; o < GA_MIGRATETYPES; o++) {
			if (res->extfrag_mt[m][o])
				printf("    %s from %s: %llu\n", stats_mt_names[m],
				       stats_mt_names[o],
				       (unsigned long long)res->extfrag_mt[m][o]);
		}
	}
}

/* Direct reclaim, kswapd, compaction (tasks by time stalled). */
static void text_reclaim(const struct text_ctx *ctx)
{
	const struct ga_result *res = ctx->res;
	const struct gotrace_header *h = ctx->h;
	const struct ga_task **v;
	size_t i, n;

	printf("\n== Reclaim and compaction ==\n");
	if (!(h->groups & GOTRACE_GROUP_RECLAIM))
		printf("  (the reclaim event group was not recorded)\n");
	pct_line("direct reclaim stalls", &res->reclaim);
	printf("  %-22s %8llu pages reclaimed, %llu unfinished at the end\n",
	       "", (unsigned long long)res->reclaimed,
	       (unsigned long long)res->reclaim_unfinished);
	v = top_tasks(res, ctx->top, stall_of, &n);
	for (i = 0; v && i < top_n(n, ctx->top); i++) {
		char label[40];

		snprintf(label, sizeof(label), "%u %s", v[i]->pid,
			 comm_of(v[i], 0));
		pct_line(label, &v[i]->reclaim);
	}
	if (v && i < n)
		printf("  ... %zu more\n", n - i);
	free(v);
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
			printf("    %s: %llu\n", stats_compact_names[i],
			       (unsigned long long)res->compaction_status[i]);
}

/* Switches, latencies, runtime per task and per CPU. */
static void text_scheduler(const struct text_ctx *ctx)
{
	const struct ga_result *res = ctx->res;
	const struct gotrace_header *h = ctx->h;
	size_t top = ctx->top;
	uint64_t win = ctx->win;
	size_t i, n;

	print_zones_text(res, stats_mt_names);

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
		const struct ga_task **v = top_tasks(res, top, runtime_of, &n);

		for (i = 0; v && i < top_n(n, top); i++) {
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
}

/* Losses, gaps and truncation per CPU. */
static void text_health(const struct text_ctx *ctx)
{
	const struct ga_result *res = ctx->res;
	size_t i;

	printf("\n== Trace health ==\n");
	printf("  %s; %llu lost events; %llu seq gaps; %llu batches skipped by a reader\n",
	       res->complete ? "complete (END record)" :
	       res->truncated ? "TRUNCATED (cut inside a record)" :
	       "INCOMPLETE (no END record)",
	       (unsigned long long)res->lost,
	       (unsigned long long)res->seq_gaps,
	       (unsigned long long)res->reader_skipped);
	if (res->snapshot)
		printf("  flight recorder snapshot: the recorder overwrote %llu batches (%llu events) before its window (not lost)\n",
		       (unsigned long long)res->overwritten_batches,
		       (unsigned long long)res->overwritten_events);
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

static void text_cgroups(const struct text_ctx *ctx)
{
	print_cgroups_text(ctx->res, ctx->top);
}

static void (*const text_sections[])(const struct text_ctx *ctx) = {
	text_summary,
	text_triggers,
	text_pages,
	text_page_tasks,
	text_stacks,
	text_outstanding,
	text_lifetime,
	text_rate,
	text_fragmentation,
	text_reclaim,
	text_scheduler,
	text_cgroups,
	text_health,
};

static void print_text(struct gt_reader *r, const struct ga_result *res,
		       const char *path, size_t top)
{
	struct text_ctx ctx = {
		.r = r, .res = res, .h = gt_header(r), .path = path,
		.top = top, .win = res->end_ns - res->start_ns,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(text_sections); i++)
		text_sections[i](&ctx);
}

/* ---- JSON -------------------------------------------------------------- */

static void json_hist(struct jw *w, const char *name, const struct ga_hist *h)
{
	jw_key(w, name);
	jw_obj_begin(w);
	jw_kv_u64(w, "count", h->count);
	jw_kv_u64(w, "total_ns", h->sum);
	jw_kv_u64(w, "min_ns", h->min);
	jw_kv_u64(w, "p50_ns", ga_hist_pct(h, 50));
	jw_kv_u64(w, "p90_ns", ga_hist_pct(h, 90));
	jw_kv_u64(w, "p99_ns", ga_hist_pct(h, 99));
	jw_kv_u64(w, "max_ns", h->max);
	jw_obj_end(w);
}

/* A lifetime histogram: percentiles and the counts per decade. */
static void json_life(struct jw *w, const struct ga_hist *h)
{
	uint64_t cnt[ARRAY_SIZE(decade_names)];
	unsigned int d;

	json_hist(w, "lifetime", h);
	decade_counts(h, cnt);
	jw_key(w, "lifetime_decades");
	jw_obj_begin(w);
	for (d = 0; d < ARRAY_SIZE(decade_names); d++)
		jw_kv_u64(w, decade_names[d], cnt[d]);
	jw_obj_end(w);
}

/* Return addresses as hex strings: JSON numbers are doubles to most readers. */
static void json_frames(struct jw *w, struct gt_reader *r, uint32_t id)
{
	const uint64_t *f;
	int i, n = id ? gt_stack(r, id, &f) : -1;

	jw_key(w, "frames");
	jw_arr_begin(w);
	for (i = 0; i < n; i++) {
		const char *mod, *name;
		uint64_t off;

		name = gt_symbol(r, f[i], &off, &mod);
		jw_obj_begin(w);
		jw_key(w, "addr");
		jw_hex(w, f[i]);
		if (name) {
			jw_kv_str(w, "sym", name);
			jw_kv_u64(w, "off", off);
			if (mod)
				jw_kv_str(w, "module", mod);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void json_trace(struct jw *w, struct gt_reader *r,
		       const struct ga_result *res)
{
	const struct gotrace_header *h = gt_header(r);
	size_t i;

	jw_key(w, "trace");
	jw_obj_begin(w);
	jw_key(w, "release");
	jw_strn(w, h->release, sizeof(h->release));
	jw_key(w, "machine");
	jw_strn(w, h->machine, sizeof(h->machine));
	jw_kv_u64(w, "nr_cpus", h->nr_cpus);
	jw_kv_u64(w, "page_size", res->page_size);
	jw_kv_u64(w, "start_ns", h->start_ns);
	jw_kv_u64(w, "window_start_ns", res->start_ns);
	jw_kv_u64(w, "window_end_ns", res->end_ns);
	jw_kv_u64(w, "events", res->events);
	json_health(w, res);
	jw_key(w, "by_type");
	jw_obj_begin(w);
	for (i = GOTRACE_EV_COMM + 1; i < GOTRACE_EV_COUNT; i++)
		if (gt_event_desc(i) && !GOTRACE_EV_IS_META(i))
			jw_kv_u64(w, gt_event_name(i), res->by_type[i]);
	jw_obj_end(w);
	jw_key(w, "cpus");
	jw_arr_begin(w);
	for (i = 0; i < res->nr_cpus; i++) {
		const struct ga_cpu *c = &res->cpus[i];

		jw_obj_begin(w);
		jw_kv_u64(w, "cpu", i);
		jw_kv_u64(w, "decoded", c->events);
		jw_kv_u64(w, "events", c->events_total);
		jw_kv_u64(w, "lost", c->lost);
		jw_kv_u64(w, "batches", c->batches);
		jw_kv_u64(w, "seq_gaps", c->seq_gaps);
		jw_kv_bool(w, "has_end", c->has_end);
		jw_kv_u64(w, "busy_ns", c->busy_ns);
		jw_kv_u64(w, "switches", c->switches);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void json_pages(struct jw *w, struct gt_reader *r,
		       const struct ga_result *res)
{
	char gfp[256];
	unsigned int o, m;
	size_t i;

	jw_key(w, "pages");
	jw_obj_begin(w);
	jw_kv_u64(w, "allocs", res->allocs);
	jw_kv_u64(w, "alloc_pages", res->alloc_pages);
	jw_kv_u64(w, "alloc_fails", res->alloc_fails);
	jw_kv_u64(w, "frees", res->frees);
	jw_kv_u64(w, "free_pages", res->free_pages);
	jw_kv_u64(w, "free_unknown", res->free_unknown);
	jw_kv_u64(w, "realloc_unfreed", res->realloc_unfreed);
	jw_kv_u64(w, "pcp_drains", res->pcp_drains);
	jw_kv_u64(w, "pcp_drain_pages", res->pcp_drain_pages);
	jw_key(w, "orders");
	jw_arr_begin(w);
	for (o = 0; o < GA_ORDERS; o++) {
		const struct ga_order *x = &res->order[o];

		jw_obj_begin(w);
		jw_kv_u64(w, "order", o);
		jw_kv_bool(w, "larger", o == GA_ORDERS - 1);
		jw_kv_u64(w, "allocs", x->allocs);
		jw_kv_u64(w, "frees", x->frees);
		jw_kv_u64(w, "outstanding", x->outstanding);
		json_life(w, &x->lifetime);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	json_life(w, &res->lifetime);
	jw_key(w, "migratetypes");
	jw_arr_begin(w);
	for (m = 0; m < GA_MIGRATETYPES; m++) {
		jw_obj_begin(w);
		jw_kv_u64(w, "migratetype", m);
		jw_kv_str(w, "name", stats_mt_names[m]);
		jw_kv_u64(w, "allocs", res->mt_allocs[m]);
		jw_kv_u64(w, "pages", res->mt_pages[m]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "gfp");
	jw_arr_begin(w);
	for (i = 0; i < res->nr_gfp; i++) {
		jw_obj_begin(w);
		jw_kv_u64(w, "gfp_flags", res->gfp[i].gfp);
		jw_kv_str(w, "names",
			  gt_gfp_str(r, res->gfp[i].gfp, gfp, sizeof(gfp)));
		jw_kv_u64(w, "allocs", res->gfp[i].allocs);
		jw_kv_u64(w, "pages", res->gfp[i].pages);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "stacks");
	jw_arr_begin(w);
	for (i = 0; i < res->nr_stacks; i++) {
		const struct ga_stack *s = &res->stacks[i];

		jw_obj_begin(w);
		jw_kv_u64(w, "id", s->id);
		jw_kv_u64(w, "allocs", s->allocs);
		jw_kv_u64(w, "alloc_pages", s->alloc_pages);
		jw_kv_u64(w, "frees", s->frees);
		jw_kv_u64(w, "outstanding", s->outstanding);
		jw_kv_u64(w, "outstanding_pages", s->outstanding_pages);
		json_frames(w, r, s->id);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void json_outstanding(struct jw *w, struct gt_reader *r,
			     const struct ga_result *res)
{
	char by[64];
	unsigned int k;
	size_t i;

	jw_key(w, "outstanding");
	jw_obj_begin(w);
	jw_kv_u64(w, "allocs", res->outstanding);
	jw_kv_u64(w, "pages", res->outstanding_pages);
	jw_kv_u64(w, "bytes", res->outstanding_bytes);
	jw_kv_str(w, "by", ga_by_str(res->by, by, sizeof(by)));
	jw_kv_u64(w, "older_ns", res->older_ns);
	jw_kv_u64(w, "leak_allocs", res->leak_allocs);
	jw_kv_u64(w, "leak_pages", res->leak_pages);
	jw_key(w, "groups");
	jw_arr_begin(w);
	for (i = 0; i < res->nr_groups; i++) {
		const struct ga_group *g = &res->groups[i];

		jw_obj_begin(w);
		for (k = 0; k < GA_KEY_NR; k++) {
			if (!(res->by & (1U << k)))
				continue;
			jw_kv_u64(w, ga_keys[k].json, g->key[k]);
			if (ga_keys[k].label)
				jw_kv_str(w, ga_keys[k].label_json,
					  ga_keys[k].label(r, g->key[k]));
		}
		jw_kv_u64(w, "allocs", g->outstanding);
		jw_kv_u64(w, "pages", g->outstanding_pages);
		jw_kv_u64(w, "bytes", g->outstanding_bytes);
		if (g->outstanding) {
			jw_kv_u64(w, "oldest_ns", g->oldest_ts);
			jw_kv_u64(w, "age_ns", res->end_ns - g->oldest_ts);
		}
		jw_kv_u64(w, "allocated", g->allocs);
		jw_kv_u64(w, "allocated_pages", g->alloc_pages);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void json_rate_extfrag(struct jw *w, const struct ga_result *res)
{
	static const char *const columns[] = {
		"allocs", "alloc_pages", "frees", "free_pages",
	};
	unsigned int m, o;
	size_t i;

	jw_key(w, "alloc_rate");
	jw_obj_begin(w);
	jw_kv_u64(w, "bucket_ns", res->bucket_ns);
	jw_kv_u64(w, "start_ns", res->start_ns);
	jw_key(w, "buckets");
	jw_arr_begin(w);
	for (i = 0; i < res->nr_buckets; i++) {
		jw_arr_begin(w);
		jw_u64(w, res->buckets[i].allocs);
		jw_u64(w, res->buckets[i].alloc_pages);
		jw_u64(w, res->buckets[i].frees);
		jw_u64(w, res->buckets[i].free_pages);
		jw_arr_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "columns");
	jw_arr_begin(w);
	for (i = 0; i < ARRAY_SIZE(columns); i++)
		jw_str(w, columns[i]);
	jw_arr_end(w);
	jw_obj_end(w);

	jw_key(w, "extfrag");
	jw_obj_begin(w);
	jw_kv_u64(w, "fallbacks", res->extfrag);
	jw_kv_u64(w, "fragmenting", res->extfrag_fragmenting);
	jw_key(w, "by_migratetype");
	jw_arr_begin(w);
	for (m = 0; m < GA_MIGRATETYPES; m++) {
		for (o = 0; o < GA_MIGRATETYPES; o++) {
			if (!res->extfrag_mt[m][o])
				continue;
			jw_obj_begin(w);
			jw_kv_u64(w, "alloc_migratetype", m);
			jw_kv_u64(w, "fallback_migratetype", o);
			jw_kv_u64(w, "count", res->extfrag_mt[m][o]);
			jw_obj_end(w);
		}
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void json_reclaim_sched(struct jw *w, const struct ga_result *res)
{
	size_t i;

	jw_key(w, "reclaim");
	jw_obj_begin(w);
	json_hist(w, "direct", &res->reclaim);
	jw_kv_u64(w, "reclaimed", res->reclaimed);
	jw_kv_u64(w, "unfinished", res->reclaim_unfinished);
	jw_kv_u64(w, "kswapd_wakes", res->kswapd_wakes);
	jw_kv_u64(w, "kswapd_active_ns", res->kswapd_active_ns);
	json_kswapd_nodes(w, res);
	json_hist(w, "compaction", &res->compaction);
	jw_key(w, "compaction_status");
	jw_obj_begin(w);
	for (i = 0; i < 8; i++)
		jw_kv_u64(w, stats_compact_names[i], res->compaction_status[i]);
	jw_obj_end(w);
	jw_obj_end(w);

	jw_key(w, "sched");
	jw_obj_begin(w);
	jw_kv_u64(w, "switches", res->switches);
	jw_kv_u64(w, "wakeups", res->wakeups);
	jw_kv_u64(w, "migrations", res->migrations);
	json_hist(w, "wakeup_latency", &res->wake_lat);
	jw_obj_end(w);
}

static void json_tasks(struct jw *w, const struct ga_result *res)
{
	size_t i;

	jw_key(w, "tasks");
	jw_arr_begin(w);
	for (i = 0; i < res->nr_tasks; i++) {
		const struct ga_task *t = &res->tasks[i];

		jw_obj_begin(w);
		jw_kv_u64(w, "pid", t->pid);
		jw_kv_u64(w, "tgid", t->tgid);
		jw_kv_str(w, "comm", t->comm);
		jw_kv_u64(w, "allocs", t->allocs);
		jw_kv_u64(w, "alloc_pages", t->alloc_pages);
		jw_kv_u64(w, "alloc_fails", t->alloc_fails);
		jw_kv_u64(w, "frees", t->frees);
		jw_kv_u64(w, "free_pages", t->free_pages);
		jw_kv_u64(w, "outstanding", t->outstanding);
		jw_kv_u64(w, "outstanding_pages", t->outstanding_pages);
		jw_kv_u64(w, "runtime_ns", t->runtime_ns);
		jw_kv_u64(w, "switches", t->switches);
		jw_kv_u64(w, "involuntary", t->involuntary);
		jw_kv_u64(w, "wakeups", t->wakeups);
		jw_kv_u64(w, "migrations", t->migrations);
		jw_kv_u64(w, "reclaimed", t->reclaimed);
		json_hist(w, "wakeup_latency", &t->wake_lat);
		json_hist(w, "direct_reclaim", &t->reclaim);
		json_hist(w, "compaction", &t->compaction);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void print_json(struct gt_reader *r, const struct ga_result *res)
{
	struct jw w;

	jw_init(&w, stdout, false);
	jw_obj_begin(&w);
	json_trace(&w, r, res);
	json_triggers(&w, gt_header(r), res);
	json_pages(&w, r, res);
	json_outstanding(&w, r, res);
	json_rate_extfrag(&w, res);
	json_reclaim_sched(&w, res);
	json_zones(&w, res);
	json_cgroups(&w, res);
	json_tasks(&w, res);
	jw_obj_end(&w);
	putchar('\n');
}

static int any_cpu_of(const struct gt_filter *f, uint32_t nr_cpus)
{
	uint32_t c;

	for (c = 0; c < nr_cpus; c++) {
		if (gt_filter_cpu(f, c))
			return 1;
	}
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	const struct ga_result *res;
	struct gt_reader *r;
	struct ga_opts o;
	unsigned long v;
	size_t top = DEFAULT_TOP;
	struct ga *a;
	int id, json = 0, ret, status = EXIT_OK;
	const char *path;
	struct gt_args args;

	ga_opts_init(&o);
	gt_args_init(&args, &stats_cmd, argc, argv);
	while ((id = gt_args_next(&args)) > 0) {
		switch (id) {
		case GO_JSON:
			json = 1;
			break;
		case GO_TOP:
			if (parse_ulong(args.arg, "--top", 0, 1UL << 30, &v))
				id = -1;
			top = v;
			break;
		case GO_BY:
			if (gt_by_opt(&args, &o.by))
				id = -1;
			break;
		case GO_OLDER:
			if (parse_trace_time(args.arg, "--older", &o.older_ns))
				id = -1;
			break;
		case GO_BUCKET_MS:
			if (parse_ulong(args.arg, "--bucket-ms", 1, 3600000, &v))
				id = -1;
			o.bucket_ns = v * 1000000ULL;
			break;
		default:
			if (filter_opt(&o.filter, id, args.arg) < 0)
				id = -1;
			break;
		}
		if (id < 0) {
			args.status = EXIT_USAGE;
			break;
		}
	}
	if (!id && gt_args_operands(&args, 1, 1, "one FILE"))
		id = -1;
	if (!id && o.filter.to_ns < o.filter.from_ns) {
		args.status = gt_usage_err(&stats_cmd, "--to is before --from");
		id = -1;
	}
	gt_args_free(&args);
	if (id < 0)
		return args.status;
	path = argv[optind];
	if (gt_open_file(path, &r) < 0) {
		gt_err("%s", gt_error(NULL));
		return EXIT_ERR;
	}
	if (gt_triggers_error(r))
		gt_warn("%s: %s", path, gt_triggers_error(r));
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
	if (!o.filter.all_cpus && !any_cpu_of(&o.filter, res->nr_cpus))
		gt_warn("stats: the trace has none of the CPUs of --cpu");
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
