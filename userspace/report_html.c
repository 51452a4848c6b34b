// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace report: the HTML report.
 *
 * The numbers come from analysis.h (the ones `gotrace stats` prints); a
 * second pass over the events adds what a picture needs and stats does not
 * print: allocation and free rate per order and outstanding pages over
 * time (with analysis.h's semantics: pfns allocated in the window, not
 * freed yet), and which task each CPU ran (the task that ran most of each
 * of TL_COLS columns).  Everything is embedded as one JSON object in the
 * page; inline JavaScript draws the SVG charts and tables and then checks
 * what it drew against the data (the marker #selfcheck, and #totals with
 * the numbers as rendered, for the tests).  No network, no external files.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis.h"
#include "common.h"
#include "convert.h"
#include "json.h"
#include "report.h"
#include "stats_cgroups.h"
#include "stats_zones.h"

#define TL_COLS		1000	/* timeline columns per CPU */
#define TL_SLOTS	3	/* tasks followed per column */
#define RATE_BUCKETS	200

struct tl_slot {
	uint32_t pid;
	uint64_t ns;
};

struct tl_col {
	struct tl_slot s[TL_SLOTS];
	uint64_t busy;
};

struct pass {
	uint64_t start, end;	/* window (absolute) */
	uint64_t bucket_ns;
	size_t nr_buckets;
	uint64_t *alloc;	/* [order][bucket] pages */
	uint64_t *free;
	uint64_t *outst;	/* outstanding pages at each bucket's end */
#define OUTST_UNSET	UINT64_MAX	/* no page event in the bucket */
	int64_t outstanding;
	unsigned int orders;	/* bitmap of orders seen */
	struct gt_page_map pages;	/* pages alive */
	/* timeline */
	uint32_t nr_cpus;
	uint64_t col_ns;
	struct tl_col *cols;	/* [cpu][TL_COLS] */
	uint32_t *cur;		/* task on each CPU */
	uint64_t *since;
	int *seen;
};

static void tl_add(struct pass *p, uint32_t cpu, uint32_t pid, uint64_t s,
		   uint64_t e)
{
	uint64_t c, c0, c1;

	if (!pid || e <= s)
		return;
	c0 = (s - p->start) / p->col_ns;
	c1 = (e - 1 - p->start) / p->col_ns;
	for (c = c0; c <= c1 && c < TL_COLS; c++) {
		struct tl_col *col = &p->cols[(size_t)cpu * TL_COLS + c];
		uint64_t a = p->start + c * p->col_ns, b = a + p->col_ns;
		uint64_t ns = (e < b ? e : b) - (s > a ? s : a);
		int i, min = 0;

		col->busy += ns;
		for (i = 0; i < TL_SLOTS; i++) {
			if (col->s[i].pid == pid || !col->s[i].pid)
				break;
			if (col->s[i].ns < col->s[min].ns)
				min = i;
		}
		if (i < TL_SLOTS) {
			col->s[i].pid = pid;
			col->s[i].ns += ns;
		} else if (ns > col->s[min].ns) {
			col->s[min].pid = pid;
			col->s[min].ns = ns;
		}
	}
}

static size_t bucket_of(struct pass *p, uint64_t ts)
{
	size_t b = (size_t)((ts - p->start) / p->bucket_ns);

	return b < p->nr_buckets ? b : p->nr_buckets - 1;
}

static void pass_event(struct pass *p, const struct gt_event *ev)
{
	const uint64_t *a = ev->args;
	unsigned int o;
	uint64_t n;
	size_t b;

	switch (ev->type) {
	case GOTRACE_EV_SCHED_SWITCH:
		if (ev->cpu >= p->nr_cpus)
			break;
		if (!p->seen[ev->cpu]) {
			p->seen[ev->cpu] = 1;
			p->cur[ev->cpu] = (uint32_t)a[0];
		}
		tl_add(p, ev->cpu, p->cur[ev->cpu], p->since[ev->cpu], ev->ts);
		p->cur[ev->cpu] = (uint32_t)a[3];
		p->since[ev->cpu] = ev->ts;
		break;
	case GOTRACE_EV_MM_PAGE_ALLOC:
		if (a[0] == ~0ULL)
			break;
		b = bucket_of(p, ev->ts);
		o = a[1] < GA_ORDERS - 1 ? (unsigned int)a[1] : GA_ORDERS - 1;
		p->alloc[o * p->nr_buckets + b] += cv_order_pages(a[1]);
		p->orders |= 1U << o;
		p->outstanding += cv_order_pages(a[1]);
		p->outstanding -= cv_page_alloc(&p->pages, a[0], a[1], &o);
		p->outst[b] = p->outstanding;
		break;
	case GOTRACE_EV_MM_PAGE_FREE:
	case GOTRACE_EV_MM_PAGE_FREE_BATCHED:
		b = bucket_of(p, ev->ts);
		o = ev->type == GOTRACE_EV_MM_PAGE_FREE ? (unsigned int)
			(a[1] < GA_ORDERS - 1 ? a[1] : GA_ORDERS - 1) : 0;
		p->free[o * p->nr_buckets + b] +=
			ev->type == GOTRACE_EV_MM_PAGE_FREE ? cv_order_pages(a[1]) : 1;
		p->orders |= 1U << o;
		n = cv_page_free(&p->pages, a[0], &o);
		p->outstanding -= n;
		p->outst[b] = p->outstanding;
		break;
	default:
		break;
	}
}

static void pass_free(struct pass *p)
{
	free(p->alloc);
	free(p->free);
	free(p->outst);
	free(p->cols);
	free(p->cur);
	free(p->since);
	free(p->seen);
	gt_page_map_free(&p->pages);
}

static int run_pass(const struct report_opts *o, const struct ga_result *res,
		    struct pass *p)
{
	struct gt_reader *r;
	struct gt_event ev;
	struct gt_filter f;
	size_t i;
	uint32_t c;
	int ret;

	memset(p, 0, sizeof(*p));
	p->start = res->start_ns;
	p->end = res->end_ns > res->start_ns ? res->end_ns : res->start_ns + 1;
	p->nr_buckets = RATE_BUCKETS;
	p->bucket_ns = (p->end - p->start + RATE_BUCKETS - 1) / RATE_BUCKETS;
	if (!p->bucket_ns)
		p->bucket_ns = 1;
	p->nr_cpus = res->nr_cpus ? res->nr_cpus : 1;
	p->col_ns = (p->end - p->start + TL_COLS - 1) / TL_COLS;
	if (!p->col_ns)
		p->col_ns = 1;
	p->alloc = calloc((size_t)GA_ORDERS * p->nr_buckets, sizeof(uint64_t));
	p->free = calloc((size_t)GA_ORDERS * p->nr_buckets, sizeof(uint64_t));
	p->outst = calloc(p->nr_buckets, sizeof(uint64_t));
	p->cols = calloc((size_t)p->nr_cpus * TL_COLS, sizeof(*p->cols));
	p->cur = calloc(p->nr_cpus, sizeof(*p->cur));
	p->since = calloc(p->nr_cpus, sizeof(*p->since));
	p->seen = calloc(p->nr_cpus, sizeof(*p->seen));
	if (!p->alloc || !p->free || !p->outst || !p->cols || !p->cur ||
	    !p->since || !p->seen)
		return -ENOMEM;
	for (c = 0; c < p->nr_cpus; c++)
		p->since[c] = p->start;
	for (i = 0; i < p->nr_buckets; i++)
		p->outst[i] = OUTST_UNSET;
	ret = gt_open_file(o->path, &r);
	if (ret < 0)
		return ret;
	f = o->filter;
	f.threads = NULL;
	while ((ret = gt_next(r, &ev)) > 0) {
		if (GOTRACE_EV_IS_META(ev.type) || ev.ts < p->start)
			continue;
		if (ev.ts > p->end)
			break;
		ret = gt_filter_select(&f, r, &ev);
		if (ret < 0)
			break;
		if (ret)
			pass_event(p, &ev);
	}
	gt_filter_release(&f);
	gt_close(r);
	for (c = 0; c < p->nr_cpus; c++)
		tl_add(p, c, p->cur[c], p->since[c], p->end);
	/*
	 * Buckets without page events keep the last value (not those where
	 * the count fell to 0: they are set, to 0).
	 */
	for (i = 0; i < p->nr_buckets; i++) {
		if (p->outst[i] == OUTST_UNSET)
			p->outst[i] = i ? p->outst[i - 1] : 0;
	}
	return ret < 0 ? ret : 0;
}

/* ---- JSON into HTML ---------------------------------------------------------- */

/*
 * The data of the page, as JSON through json.c's writer (whose strings
 * are also safe inside <script>: no '<', '>', '&').
 */
static void jhist_bins(struct jw *w, const struct ga_hist *h)
{
	uint64_t bins[64] = { 0 };
	int k, lo = 64, hi = -1;
	unsigned int i;

	if (h->b) {
		for (i = 0; i < GA_HIST_BUCKETS; i++) {
			uint64_t low;

			if (!h->b[i])
				continue;
			low = ga_hist_bucket_low(i);
			k = low ? 63 - __builtin_clzll(low) : 0;
			bins[k] += h->b[i];
			if (k < lo)
				lo = k;
			if (k > hi)
				hi = k;
		}
	}
	jw_arr_begin(w);
	for (k = lo; k <= hi; k++) {
		jw_arr_begin(w);
		jw_u64(w, (uint64_t)1 << k);
		jw_u64(w, bins[k]);
		jw_arr_end(w);
	}
	jw_arr_end(w);
}

static void jhist(struct jw *w, const char *name, const struct ga_hist *h)
{
	jw_key(w, name);
	jw_obj_begin(w);
	jw_kv_u64(w, "count", h->count);
	jw_kv_u64(w, "min", h->min);
	jw_kv_u64(w, "p50", ga_hist_pct(h, 50));
	jw_kv_u64(w, "p90", ga_hist_pct(h, 90));
	jw_kv_u64(w, "p99", ga_hist_pct(h, 99));
	jw_kv_u64(w, "max", h->max);
	jw_key(w, "bins");
	jhist_bins(w, h);
	jw_obj_end(w);
}

static void jseries(struct jw *w, const char *name, const uint64_t *v,
		    size_t n)
{
	size_t i;

	jw_key(w, name);
	jw_arr_begin(w);
	for (i = 0; i < n; i++)
		jw_u64(w, v[i]);
	jw_arr_end(w);
}

static int cmp_task_pages(const void *x, const void *y)
{
	const struct ga_task *a = *(const struct ga_task * const *)x;
	const struct ga_task *b = *(const struct ga_task * const *)y;

	if (a->alloc_pages != b->alloc_pages)
		return a->alloc_pages < b->alloc_pages ? 1 : -1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* What the sections of the data are written from. */
struct data_ctx {
	struct jw *w;
	struct gt_reader *r;
	const struct ga_result *res;
	const struct pass *p;
	const struct report_opts *o;
};

static void data_meta(const struct data_ctx *x)
{
	const struct gotrace_header *h = gt_header(x->r);
	const struct ga_result *res = x->res;
	struct jw *w = x->w;

	jw_key(w, "meta");
	jw_obj_begin(w);
	jw_kv_str(w, "file", x->o->path);
	jw_key(w, "release");
	jw_strn(w, h->release, sizeof(h->release));
	jw_key(w, "machine");
	jw_strn(w, h->machine, sizeof(h->machine));
	jw_kv_u64(w, "nr_cpus", res->nr_cpus);
	jw_kv_u64(w, "page_size", res->page_size);
	jw_kv_u64(w, "start_realtime_ns", h->start_realtime_ns);
	jw_kv_u64(w, "start_ns", h->start_ns);
	jw_kv_u64(w, "window_start_ns", res->start_ns);
	jw_kv_u64(w, "window_end_ns", res->end_ns);
	jw_kv_bool(w, "stacks", h->start_flags & GOTRACE_START_STACKS);
	jw_kv_u64(w, "groups", h->groups);
	jw_obj_end(w);
}

static void data_health(const struct data_ctx *x)
{
	const struct ga_result *res = x->res;
	struct jw *w = x->w;
	uint32_t c;

	jw_key(w, "health");
	jw_obj_begin(w);
	json_health(w, res);
	jw_key(w, "cpus");
	jw_arr_begin(w);
	for (c = 0; c < res->nr_cpus; c++) {
		const struct ga_cpu *gc = &res->cpus[c];

		jw_obj_begin(w);
		jw_kv_u64(w, "cpu", gc->cpu);
		jw_kv_u64(w, "events", gc->events);
		jw_kv_u64(w, "lost", gc->lost);
		jw_kv_u64(w, "busy_ns", gc->busy_ns);
		jw_kv_u64(w, "switches", gc->switches);
		jw_kv_bool(w, "has_end", gc->has_end);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void data_totals(const struct data_ctx *x)
{
	const struct ga_result *res = x->res;
	struct jw *w = x->w;

	jw_key(w, "totals");
	jw_obj_begin(w);
	jw_kv_u64(w, "events", res->events);
	jw_kv_u64(w, "lost", res->lost);
	jw_kv_u64(w, "allocs", res->allocs);
	jw_kv_u64(w, "alloc_pages", res->alloc_pages);
	jw_kv_u64(w, "alloc_fails", res->alloc_fails);
	jw_kv_u64(w, "frees", res->frees);
	jw_kv_u64(w, "free_pages", res->free_pages);
	jw_kv_u64(w, "outstanding_pages", res->outstanding_pages);
	jw_kv_u64(w, "switches", res->switches);
	jw_kv_u64(w, "wakeups", res->wakeups);
	jw_kv_u64(w, "migrations", res->migrations);
	jw_kv_u64(w, "direct_reclaims", res->reclaim.count);
	jw_kv_u64(w, "extfrag", res->extfrag);
	jw_obj_end(w);
}

/* Allocation and free rates by order, outstanding pages over time. */
static void data_rate(const struct data_ctx *x)
{
	const struct pass *p = x->p;
	struct jw *w = x->w;
	unsigned int k;

	jw_key(w, "rate");
	jw_obj_begin(w);
	jw_kv_u64(w, "bucket_ns", p->bucket_ns);
	jw_key(w, "orders");
	jw_arr_begin(w);
	for (k = 0; k < GA_ORDERS; k++) {
		if (!(p->orders & (1U << k)))
			continue;
		jw_obj_begin(w);
		jw_kv_u64(w, "order", k);
		jw_kv_bool(w, "larger", k == GA_ORDERS - 1);
		jseries(w, "alloc", p->alloc + (size_t)k * p->nr_buckets,
			p->nr_buckets);
		jseries(w, "free", p->free + (size_t)k * p->nr_buckets,
			p->nr_buckets);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jseries(w, "outstanding", p->outst, p->nr_buckets);
	jw_obj_end(w);
}

static void data_histograms(const struct data_ctx *x)
{
	const struct ga_result *res = x->res;
	struct jw *w = x->w;
	unsigned int k;

	jhist(w, "lifetime", &res->lifetime);
	jw_key(w, "lifetime_orders");
	jw_arr_begin(w);
	for (k = 0; k < GA_ORDERS; k++) {
		const struct ga_order *go = &res->order[k];

		if (!go->allocs && !go->frees)
			continue;
		jw_obj_begin(w);
		jw_kv_u64(w, "order", k);
		jw_kv_bool(w, "larger", k == GA_ORDERS - 1);
		jw_kv_u64(w, "allocs", go->allocs);
		jw_kv_u64(w, "frees", go->frees);
		jw_kv_u64(w, "outstanding", go->outstanding);
		jhist(w, "lifetime", &go->lifetime);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jhist(w, "wakelat", &res->wake_lat);
	jhist(w, "reclaim", &res->reclaim);
}

/* The task that ran most of each column of each CPU (0: mostly idle). */
static void data_timeline(const struct data_ctx *x)
{
	const struct pass *p = x->p;
	struct jw *w = x->w;
	uint32_t c;
	size_t i;

	jw_key(w, "timeline");
	jw_obj_begin(w);
	jw_kv_u64(w, "cols", TL_COLS);
	jw_kv_u64(w, "col_ns", p->col_ns);
	jw_key(w, "cpus");
	jw_arr_begin(w);
	for (c = 0; c < p->nr_cpus; c++) {
		jw_arr_begin(w);
		for (i = 0; i < TL_COLS; i++) {
			const struct tl_col *col = &p->cols[(size_t)c * TL_COLS + i];
			uint32_t pid = 0;
			uint64_t best = 0;
			int s;

			for (s = 0; s < TL_SLOTS; s++) {
				if (col->s[s].ns > best) {
					best = col->s[s].ns;
					pid = col->s[s].pid;
				}
			}
			if (col->busy * 10 < p->col_ns)
				pid = 0;	/* mostly idle */
			jw_u64(w, pid);
		}
		jw_arr_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* Every task, by pages allocated (the timeline's legend needs them all). */
static void data_tasks(const struct data_ctx *x)
{
	const struct ga_result *res = x->res;
	const struct ga_task **tv;
	struct jw *w = x->w;
	size_t i, n = 0;

	tv = malloc((res->nr_tasks + 1) * sizeof(*tv));
	if (tv) {
		for (i = 0; i < res->nr_tasks; i++)
			tv[n++] = &res->tasks[i];
		qsort(tv, n, sizeof(*tv), cmp_task_pages);
	}
	jw_key(w, "tasks");
	jw_arr_begin(w);
	for (i = 0; i < n; i++) {
		const struct ga_task *t = tv[i];

		jw_obj_begin(w);
		jw_kv_u64(w, "pid", t->pid);
		jw_kv_u64(w, "tgid", t->tgid);
		jw_kv_str(w, "comm", t->comm ? t->comm : "");
		jw_kv_u64(w, "allocs", t->allocs);
		jw_kv_u64(w, "alloc_pages", t->alloc_pages);
		jw_kv_u64(w, "frees", t->frees);
		jw_kv_u64(w, "free_pages", t->free_pages);
		jw_kv_u64(w, "outstanding_pages", t->outstanding_pages);
		jw_kv_u64(w, "runtime_ns", t->runtime_ns);
		jw_kv_u64(w, "switches", t->switches);
		jw_kv_u64(w, "involuntary", t->involuntary);
		jw_kv_u64(w, "wakeups", t->wakeups);
		jw_kv_u64(w, "lat_p50", ga_hist_pct(&t->wake_lat, 50));
		jw_kv_u64(w, "lat_p99", ga_hist_pct(&t->wake_lat, 99));
		jw_kv_u64(w, "lat_max", t->wake_lat.max);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	free(tv);
}

/* A stack's frames, symbolised, as strings. */
static void jframes(struct jw *w, struct gt_reader *r, uint32_t id)
{
	const uint64_t *frames;
	int nf, j;

	jw_key(w, "frames");
	jw_arr_begin(w);
	nf = id ? gt_stack(r, id, &frames) : 0;
	for (j = 0; j < nf; j++) {
		const char *mod = NULL;
		uint64_t off = 0;
		const char *sym = gt_symbol(r, frames[j], &off, &mod);
		char buf[256];

		if (sym)
			snprintf(buf, sizeof(buf), "%s+0x%" PRIx64 "%s%s%s",
				 sym, off, mod ? " [" : "", mod ? mod : "",
				 mod ? "]" : "");
		else
			snprintf(buf, sizeof(buf), "0x%" PRIx64, frames[j]);
		jw_str(w, buf);
	}
	jw_arr_end(w);
}

/* The top allocating stacks, their frames symbolised. */
static void data_stacks(const struct data_ctx *x)
{
	const struct ga_result *res = x->res;
	struct jw *w = x->w;
	size_t i, n = res->nr_stacks < x->o->top ? res->nr_stacks : x->o->top;

	jw_key(w, "stacks");
	jw_arr_begin(w);
	for (i = 0; i < n; i++) {
		const struct ga_stack *s = &res->stacks[i];

		jw_obj_begin(w);
		jw_kv_u64(w, "id", s->id);
		jw_kv_u64(w, "allocs", s->allocs);
		jw_kv_u64(w, "alloc_pages", s->alloc_pages);
		jw_kv_u64(w, "frees", s->frees);
		jw_kv_u64(w, "outstanding_pages", s->outstanding_pages);
		jframes(w, x->r, s->id);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

/* The leak candidates: the top groups of ga_opts.by with outstanding pages. */
static void data_groups(const struct data_ctx *x)
{
	const struct ga_result *res = x->res;
	struct jw *w = x->w;
	size_t i, n = res->nr_leak_groups < x->o->top ?
		      res->nr_leak_groups : x->o->top;
	unsigned int k;

	jw_key(w, "groups");
	jw_obj_begin(w);
	jw_key(w, "by");
	jw_arr_begin(w);
	for (k = 0; k < GA_KEY_NR; k++) {
		if (!(res->by & (1U << k)))
			continue;
		jw_obj_begin(w);
		jw_kv_str(w, "name", ga_keys[k].name);
		jw_kv_str(w, "label", ga_keys[k].label ?
			  ga_keys[k].label_name : NULL);
		jw_kv_bool(w, "stack", ga_keys[k].is_stack);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kv_u64(w, "older_ns", res->older_ns);
	jw_kv_u64(w, "leak_allocs", res->leak_allocs);
	jw_kv_u64(w, "leak_pages", res->leak_pages);
	jw_kv_u64(w, "nr_groups", res->nr_leak_groups);
	jw_key(w, "rows");
	jw_arr_begin(w);
	for (i = 0; i < n; i++) {
		const struct ga_group *g = &res->groups[i];

		jw_obj_begin(w);
		jw_key(w, "keys");
		jw_arr_begin(w);
		for (k = 0; k < GA_KEY_NR; k++) {
			const char *label;

			if (!(res->by & (1U << k)))
				continue;
			jw_arr_begin(w);
			jw_u64(w, g->key[k]);
			label = ga_keys[k].label ?
				ga_keys[k].label(x->r, g->key[k]) : NULL;
			jw_str(w, label ? label : "");
			jw_arr_end(w);
		}
		jw_arr_end(w);
		jw_kv_u64(w, "allocs", g->outstanding);
		jw_kv_u64(w, "pages", g->outstanding_pages);
		jw_kv_u64(w, "age_ns", res->end_ns - g->oldest_ts);
		jw_kv_u64(w, "allocated_pages", g->alloc_pages);
		jframes(w, x->r, res->by & (1U << GA_KEY_STACK) ?
			(uint32_t)g->key[GA_KEY_STACK] : 0);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static int64_t task_stall(const struct ga_task *t)
{
	return t->reclaim.count ? (int64_t)t->reclaim.sum : -1;
}

static int cmp_task_stall(const void *x, const void *y)
{
	const struct ga_task *a = *(const struct ga_task * const *)x;
	const struct ga_task *b = *(const struct ga_task * const *)y;

	if (task_stall(a) != task_stall(b))
		return task_stall(a) < task_stall(b) ? 1 : -1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* Direct reclaim (the top stalled tasks), kswapd by node, compaction. */
static void data_vmscan(const struct data_ctx *x)
{
	const struct ga_result *res = x->res;
	const struct ga_task **tv;
	struct jw *w = x->w;
	size_t i, n = 0;

	tv = malloc((res->nr_tasks + 1) * sizeof(*tv));
	if (tv) {
		for (i = 0; i < res->nr_tasks; i++)
			if (res->tasks[i].reclaim.count)
				tv[n++] = &res->tasks[i];
		qsort(tv, n, sizeof(*tv), cmp_task_stall);
	}
	jw_key(w, "vmscan");
	jw_obj_begin(w);
	jw_kv_u64(w, "reclaimed", res->reclaimed);
	jw_kv_u64(w, "unfinished", res->reclaim_unfinished);
	jw_kv_u64(w, "stalled_tasks", n);
	jw_key(w, "tasks");
	jw_arr_begin(w);
	for (i = 0; i < n && i < x->o->top; i++) {
		const struct ga_task *t = tv[i];

		jw_obj_begin(w);
		jw_kv_u64(w, "pid", t->pid);
		jw_kv_str(w, "comm", t->comm ? t->comm : "");
		jw_kv_u64(w, "count", t->reclaim.count);
		jw_kv_u64(w, "total", t->reclaim.sum);
		jw_kv_u64(w, "p50", ga_hist_pct(&t->reclaim, 50));
		jw_kv_u64(w, "p99", ga_hist_pct(&t->reclaim, 99));
		jw_kv_u64(w, "max", t->reclaim.max);
		jw_kv_u64(w, "reclaimed", t->reclaimed);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	free(tv);
	jw_kv_u64(w, "kswapd_wakes", res->kswapd_wakes);
	jw_kv_u64(w, "kswapd_active_ns", res->kswapd_active_ns);
	json_kswapd_nodes(w, res);
	jhist(w, "compaction", &res->compaction);
	jw_key(w, "compaction_status");
	jw_arr_begin(w);
	for (i = 0; i < 8; i++) {
		if (!res->compaction_status[i])
			continue;
		jw_obj_begin(w);
		jw_kv_str(w, "status", stats_compact_names[i]);
		jw_kv_u64(w, "count", res->compaction_status[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* Extfrag fallbacks by (allocation, fallback) migratetype; the zones. */
static void data_extfrag_zones(const struct data_ctx *x)
{
	const struct ga_result *res = x->res;
	struct jw *w = x->w;
	unsigned int m, f;

	jw_key(w, "extfrag");
	jw_obj_begin(w);
	jw_kv_u64(w, "fallbacks", res->extfrag);
	jw_kv_u64(w, "fragmenting", res->extfrag_fragmenting);
	jw_key(w, "pairs");
	jw_arr_begin(w);
	for (m = 0; m < GA_MIGRATETYPES; m++) {
		for (f = 0; f < GA_MIGRATETYPES; f++) {
			if (!res->extfrag_mt[m][f])
				continue;
			jw_obj_begin(w);
			jw_kv_str(w, "alloc", stats_mt_names[m]);
			jw_kv_str(w, "fallback", stats_mt_names[f]);
			jw_kv_u64(w, "count", res->extfrag_mt[m][f]);
			jw_obj_end(w);
		}
	}
	jw_arr_end(w);
	jw_obj_end(w);
	json_zones(w, res);
	jw_key(w, "mt_names");
	jw_arr_begin(w);
	for (m = 0; m < GA_MIGRATETYPES; m++)
		jw_str(w, stats_mt_names[m]);
	jw_arr_end(w);
}

/* Pages by cgroup: the rows of stats --json (null: no cgroups traced). */
static void data_cgroups(const struct data_ctx *x)
{
	json_cgroups(x->w, x->res);
}

static void data_triggers(const struct data_ctx *x)
{
	json_triggers(x->w, gt_header(x->r), x->res);
}

static void (*const data_sections[])(const struct data_ctx *x) = {
	data_meta,
	data_health,
	data_triggers,
	data_totals,
	data_rate,
	data_histograms,
	data_timeline,
	data_tasks,
	data_stacks,
	data_groups,
	data_vmscan,
	data_extfrag_zones,
	data_cgroups,
};

static void write_data(FILE *f, struct gt_reader *r, const struct ga_result *res,
		       const struct pass *p, const struct report_opts *o)
{
	struct jw w;
	struct data_ctx x = { &w, r, res, p, o };
	size_t i;

	jw_init(&w, f, false);
	jw_obj_begin(&w);
	for (i = 0; i < ARRAY_SIZE(data_sections); i++)
		data_sections[i](&x);
	jw_obj_end(&w);
}

/* ---- the page -------------------------------------------------------------------- */

static const char page_head[] =
"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
"<title>gotrace report</title>\n<style>\n"
":root{--fg:#1d2430;--mut:#5b6675;--bg:#fff;--card:#f6f8fa;--line:#d9dee5;"
"--ok:#1a7f37;--warn:#b35900;--bad:#c62828;--acc:#2f6fdd}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
"'DejaVu Sans',sans-serif;color:var(--fg);background:var(--bg)}\n"
"header{padding:18px 28px;background:#18212e;color:#fff}\n"
"header h1{margin:0 0 4px;font-size:22px;font-weight:600}\n"
"header .sub{color:#b8c4d4;font-size:13px}\n"
"main{padding:8px 28px 40px;max-width:1400px}\n"
"h2{font-size:17px;margin:26px 0 10px;padding-bottom:4px;"
"border-bottom:1px solid var(--line)}\n"
".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));"
"gap:10px}\n"
".kpi{background:var(--card);border:1px solid var(--line);border-radius:6px;"
"padding:10px 12px}\n"
".kpi .v{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}\n"
".kpi .l{color:var(--mut);font-size:12px}\n"
".health{padding:10px 14px;border-radius:6px;margin:12px 0;font-weight:500}\n"
".health.ok{background:#e6f4ea;color:var(--ok)}\n"
".health.warn{background:#fff4e5;color:var(--warn)}\n"
".health.bad{background:#fdecea;color:var(--bad)}\n"
".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));"
"gap:18px}\n"
".chart{background:var(--card);border:1px solid var(--line);border-radius:6px;"
"padding:10px 12px}\n"
".chart h3{margin:0 0 6px;font-size:14px}\n"
".note{color:var(--mut);font-size:12px;margin-top:4px}\n"
"svg{display:block;width:100%;height:auto}\n"
"svg text{font-size:11px;fill:var(--mut)}\n"
".legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin-top:6px}\n"
".legend span::before{content:'';display:inline-block;width:10px;height:10px;"
"margin-right:5px;border-radius:2px;background:var(--c)}\n"
"table{border-collapse:collapse;width:100%;font-size:13px}\n"
"th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right;"
"vertical-align:top}\n"
"th{background:var(--card);font-weight:600}\n"
"td.l,th.l,th.stk{text-align:left}\n"
"td.num{font-variant-numeric:tabular-nums}\n"
"td.stk{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px;"
"text-align:left;white-space:pre}\n"
"footer{color:var(--mut);font-size:12px;padding:0 28px 24px}\n"
"</style>\n</head>\n<body>\n"
"<header><h1>gotrace report</h1><div class=\"sub\" id=\"sub\"></div></header>\n"
"<main>\n"
"<div id=\"health\" class=\"health\"></div>\n"
"<div id=\"triggers\"></div>\n"
"<h2>Summary</h2>\n<div class=\"grid\" id=\"totals\"></div>\n"
"<h2>Page allocator</h2>\n<div class=\"charts\">\n"
"<div class=\"chart\"><h3>Pages allocated per interval, by order</h3>"
"<div id=\"c-alloc\"></div></div>\n"
"<div class=\"chart\"><h3>Pages freed per interval, by order</h3>"
"<div id=\"c-free\"></div></div>\n"
"<div class=\"chart\"><h3>Outstanding pages (allocated in the trace, not freed)"
"</h3><div id=\"c-out\"></div></div>\n"
"<div class=\"chart\"><h3>Page lifetime (allocation to free)</h3>"
"<div id=\"c-life\"></div></div>\n"
"</div>\n"
"<h2>Scheduler</h2>\n<div class=\"charts\">\n"
"<div class=\"chart\"><h3>Wakeup latency (wakeup to run)</h3>"
"<div id=\"c-lat\"></div></div>\n"
"<div class=\"chart\"><h3>CPUs</h3><div id=\"t-cpus\"></div></div>\n"
"</div>\n"
"<div class=\"chart\" style=\"margin-top:18px\"><h3>Per-CPU timeline: the task "
"that ran most of each slice of time</h3><div id=\"c-tl\"></div></div>\n"
"<h2>Top allocating stacks</h2>\n<div id=\"t-stacks\"></div>\n"
"<h2>Top allocating tasks</h2>\n<div id=\"t-tasks\"></div>\n"
"<h2>Pages by cgroup (the allocating task's, at allocation)</h2>\n"
"<div id=\"t-cgroups\"></div>\n"
"<h2>Page lifetime by order</h2>\n<div id=\"t-orders\"></div>\n"
"<h2>Outstanding pages by <span id=\"by\"></span>: the leak candidates</h2>\n"
"<div id=\"t-groups\"></div>\n"
"<h2>Reclaim and compaction</h2>\n"
"<div class=\"charts\">\n"
"<div class=\"chart\"><h3>Direct reclaim stalls (begin to end)</h3><div id=\"c-reclaim\"></div></div>\n"
"<div class=\"chart\"><h3>Compaction (begin to end)</h3><div id=\"c-compact\"></div></div>\n"
"</div>\n"
"<h3>Tasks by time stalled in direct reclaim</h3><div id=\"t-reclaim\"></div>\n"
"<div id=\"t-kswapd\"></div>\n"
"<div id=\"t-compact\"></div>\n"
"<h2>Fragmentation (extfrag fallbacks)</h2>\n"
"<div id=\"t-extfrag\"></div>\n"
"<h2>By node and zone</h2>\n"
"<div id=\"t-zones\"></div>\n"
"<div id=\"t-zone-extfrag\"></div>\n"

"</main>\n"
"<footer id=\"foot\"></footer>\n"
"<div id=\"selfcheck\" data-status=\"pending\" hidden></div>\n"
"<script type=\"application/json\" id=\"data\">";

static const char page_script[] =
"</script>\n<script>\n"
"'use strict';\n"
"const D = JSON.parse(document.getElementById('data').textContent);\n"
"const NS = 'http://www.w3.org/2000/svg';\n"
"const PAL = ['#2f6fdd','#e8710a','#1a9e55','#c62828','#8e44ad','#00838f',"
"'#b8860b','#d81b60','#5d4037','#546e7a','#7cb342','#3949ab'];\n"
"const fmt = n => Number(n).toLocaleString('en-US');\n"
"function dur(ns) {\n"
"  if (ns >= 1e9) return (ns / 1e9).toFixed(ns >= 1e10 ? 1 : 2) + ' s';\n"
"  if (ns >= 1e6) return (ns / 1e6).toFixed(ns >= 1e7 ? 1 : 2) + ' ms';\n"
"  if (ns >= 1e3) return (ns / 1e3).toFixed(ns >= 1e4 ? 1 : 2) + ' \\u00b5s';\n"
"  return ns + ' ns';\n"
"}\n"
"function el(tag, attrs, parent, text) {\n"
"  const e = tag.startsWith('svg:') ? document.createElementNS(NS, tag.slice(4))"
" : document.createElement(tag);\n"
"  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);\n"
"  if (text !== undefined) e.textContent = text;\n"
"  if (parent) parent.appendChild(e);\n"
"  return e;\n"
"}\n"
"function nice(v) {\n"
"  if (v <= 0) return 1;\n"
"  const p = Math.pow(10, Math.floor(Math.log10(v)));\n"
"  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;\n"
"  return 10 * p;\n"
"}\n"
"const W = 620, H = 230, L = 56, R = 10, T = 10, B = 28;\n"
"function axes(svg, ymax, xmax, xfmt, yfmt) {\n"
"  const g = el('svg:g', {}, svg);\n"
"  for (let i = 0; i <= 4; i++) {\n"
"    const y = T + (H - T - B) * (1 - i / 4);\n"
"    el('svg:line', {x1: L, x2: W - R, y1: y, y2: y, stroke: '#d9dee5'}, g);\n"
"    el('svg:text', {x: L - 6, y: y + 4, 'text-anchor': 'end'}, g, yfmt(ymax * i / 4));\n"
"  }\n"
"  for (let i = 0; i <= 5; i++) {\n"
"    const x = L + (W - L - R) * i / 5;\n"
"    el('svg:text', {x: x, y: H - 8, 'text-anchor': i == 0 ? 'start' : i == 5 ? 'end' : 'middle'}, g, xfmt(xmax * i / 5));\n"
"  }\n"
"}\n"
"function legend(parent, items) {\n"
"  const d = el('div', {class: 'legend'}, parent);\n"
"  for (const [name, c] of items) el('span', {style: '--c:' + c}, d, name);\n"
"}\n"
"function ordName(o) { return o.larger ? 'order \\u2265' + o.order : 'order ' + o.order; }\n"
"function stacked(id, key) {\n"
"  const box = document.getElementById(id);\n"
"  const ords = D.rate.orders.filter(o => o[key].some(v => v > 0));\n"
"  const n = D.rate.outstanding.length, bw = (W - L - R) / n;\n"
"  let ymax = 0;\n"
"  for (let i = 0; i < n; i++) ymax = Math.max(ymax, ords.reduce((s, o) => s + o[key][i], 0));\n"
"  ymax = nice(ymax);\n"
"  const svg = el('svg:svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img'}, box);\n"
"  axes(svg, ymax, n * D.rate.bucket_ns, dur, fmt);\n"
"  const base = new Array(n).fill(0);\n"
"  ords.forEach((o, k) => {\n"
"    const c = PAL[o.order % PAL.length];\n"
"    for (let i = 0; i < n; i++) {\n"
"      const v = o[key][i];\n"
"      if (!v) continue;\n"
"      const h = (H - T - B) * v / ymax, y = H - B - (H - T - B) * base[i] / ymax - h;\n"
"      el('svg:rect', {x: L + i * bw, y: y, width: Math.max(bw - 0.5, 0.8), height: h, fill: c}, svg);\n"
"      base[i] += v;\n"
"    }\n"
"  });\n"
"  legend(box, ords.map(o => [ordName(o), PAL[o.order % PAL.length]]));\n"
"  el('div', {class: 'note'}, box, 'interval ' + dur(D.rate.bucket_ns) + '; pages = 2^order per allocation');\n"
"}\n"
"function line(id) {\n"
"  const box = document.getElementById(id), v = D.rate.outstanding, n = v.length;\n"
"  const ymax = nice(Math.max(1, ...v));\n"
"  const svg = el('svg:svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img'}, box);\n"
"  axes(svg, ymax, n * D.rate.bucket_ns, dur, fmt);\n"
"  let d = '';\n"
"  for (let i = 0; i < n; i++) {\n"
"    const x = L + (W - L - R) * (i + 1) / n, y = H - B - (H - T - B) * v[i] / ymax;\n"
"    d += (i ? 'L' : 'M' + L + ',' + (H - B) + 'L') + x.toFixed(1) + ',' + y.toFixed(1);\n"
"  }\n"
"  el('svg:path', {d: d, fill: 'none', stroke: '#2f6fdd', 'stroke-width': 2}, svg);\n"
"  el('div', {class: 'note'}, box, 'at the end: ' + fmt(D.totals.outstanding_pages) + ' pages (' + fmt(D.totals.outstanding_pages * D.meta.page_size / 1024) + ' KiB)');\n"
"}\n"
"function hist(id, h, color) {\n"
"  const box = document.getElementById(id);\n"
"  if (!h.count) { el('div', {class: 'note'}, box, 'no samples'); return; }\n"
"  const n = h.bins.length, bw = (W - L - R) / n;\n"
"  const ymax = nice(Math.max(...h.bins.map(b => b[1])));\n"
"  const svg = el('svg:svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img'}, box);\n"
"  axes(svg, ymax, 1, () => '', fmt);\n"
"  h.bins.forEach((b, i) => {\n"
"    const hh = (H - T - B) * b[1] / ymax;\n"
"    const r = el('svg:rect', {x: L + i * bw + 1, y: H - B - hh, width: Math.max(bw - 2, 1), height: hh, fill: color}, svg);\n"
"    el('svg:title', {}, r, '\\u2265 ' + dur(b[0]) + ': ' + fmt(b[1]));\n"
"    if (i % Math.ceil(n / 8) == 0)\n"
"      el('svg:text', {x: L + i * bw + bw / 2, y: H - 8, 'text-anchor': 'middle'}, svg, dur(b[0]));\n"
"  });\n"
"  el('div', {class: 'note'}, box, fmt(h.count) + ' samples; p50 ' + dur(h.p50) + ', p90 ' + dur(h.p90) + ', p99 ' + dur(h.p99) + ', max ' + dur(h.max) + '; bins are powers of two');\n"
"}\n"
"function table(id, cols, rows) {\n"
"  const t = el('table', {}, document.getElementById(id));\n"
"  const hr = el('tr', {}, el('thead', {}, t));\n"
"  for (const c of cols) el('th', {class: c.cls || ''}, hr, c.name);\n"
"  const tb = el('tbody', {}, t);\n"
"  for (const r of rows) {\n"
"    const tr = el('tr', {}, tb);\n"
"    for (const c of cols) el('td', {class: c.cls || 'num'}, tr, c.f(r));\n"
"  }\n"
"  return t;\n"
"}\n"
"function timeline() {\n"
"  const box = document.getElementById('c-tl'), tl = D.timeline;\n"
"  const byPid = {};\n"
"  for (const t of D.tasks) byPid[t.pid] = t;\n"
"  const top = D.tasks.slice().sort((a, b) => b.runtime_ns - a.runtime_ns).slice(0, PAL.length);\n"
"  const color = {};\n"
"  top.forEach((t, i) => color[t.pid] = PAL[i]);\n"
"  const TW = 1240, rowH = 26, lw = 56;\n"
"  const svg = el('svg:svg', {viewBox: '0 0 ' + TW + ' ' + (tl.cpus.length * (rowH + 6) + 24), role: 'img'}, box);\n"
"  const cw = (TW - lw - 10) / tl.cols;\n"
"  tl.cpus.forEach((cols, c) => {\n"
"    const y = c * (rowH + 6) + 4;\n"
"    el('svg:text', {x: 0, y: y + rowH / 2 + 4}, svg, 'CPU ' + c);\n"
"    el('svg:rect', {x: lw, y: y, width: TW - lw - 10, height: rowH, fill: '#eef1f5'}, svg);\n"
"    let i = 0;\n"
"    while (i < cols.length) {\n"
"      let j = i;\n"
"      while (j < cols.length && cols[j] == cols[i]) j++;\n"
"      if (cols[i]) {\n"
"        const t = byPid[cols[i]];\n"
"        const r = el('svg:rect', {x: lw + i * cw, y: y, width: (j - i) * cw, height: rowH, fill: color[cols[i]] || '#9aa5b1'}, svg);\n"
"        el('svg:title', {}, r, (t ? t.comm : '?') + ' ' + cols[i] + ' @ ' + dur(i * tl.col_ns));\n"
"      }\n"
"      i = j;\n"
"    }\n"
"  });\n"
"  const ty = tl.cpus.length * (rowH + 6) + 18;\n"
"  for (let i = 0; i <= 5; i++)\n"
"    el('svg:text', {x: lw + (TW - lw - 10) * i / 5, y: ty, 'text-anchor': i == 0 ? 'start' : i == 5 ? 'end' : 'middle'}, svg, dur(tl.cols * tl.col_ns * i / 5));\n"
"  legend(box, top.filter(t => t.runtime_ns > 0).map(t => [t.comm + ' ' + t.pid + ' (' + dur(t.runtime_ns) + ')', color[t.pid]]).concat([['other tasks', '#9aa5b1'], ['idle', '#eef1f5']]));\n"
"  el('div', {class: 'note'}, box, 'each column is ' + dur(tl.col_ns) + '; idle when less than 10% of it was busy');\n"
"}\n"
"function note(id, text) { el('div', {class: 'note'}, document.getElementById(id), text); }\n"
"function more(id, shown, all, what) {\n"
"  if (all > shown) note(id, fmt(all - shown) + ' more ' + what + ' (--top ' + TOP + ')');\n"
"}\n"
"function groups() {\n"
"  const G = D.groups, id = 't-groups';\n"
"  document.getElementById('by').textContent = G.by.map(k => k.name).join(', ');\n"
"  if (G.older_ns)\n"
"    note(id, 'leak candidates: pages outstanding at the end that were allocated at least ' + dur(G.older_ns) + ' before it: ' + fmt(G.leak_allocs) + ' allocations, ' + fmt(G.leak_pages) + ' pages');\n"
"  if (!G.rows.length) { note(id, G.older_ns ? 'no leak candidate that old' : 'no outstanding pages'); return; }\n"
"  const cols = [];\n"
"  G.by.forEach((k, i) => {\n"
"    cols.push({name: k.name, f: r => k.stack && !r.keys[i][0] ? '(none)' : r.keys[i][0]});\n"
"    if (k.label) cols.push({name: k.label, cls: 'l', f: r => r.keys[i][1]});\n"
"  });\n"
"  cols.push({name: 'allocations', f: r => fmt(r.allocs)}, {name: 'pages', f: r => fmt(r.pages)},\n"
"    {name: 'KiB', f: r => fmt(r.pages * D.meta.page_size / 1024)}, {name: 'oldest age', f: r => dur(r.age_ns)},\n"
"    {name: 'pages allocated', f: r => fmt(r.allocated_pages)});\n"
"  if (G.by.some(k => k.stack))\n"
"    cols.push({name: 'frames (innermost first)', cls: 'stk', f: r => r.frames.length ? r.frames.slice(0, 8).join('\\n') + (r.frames.length > 8 ? '\\n\\u2026' : '') : '-'});\n"
"  table(id, cols, G.rows);\n"
"  more(id, G.rows.length, G.nr_groups, 'groups');\n"
"}\n"
"function vmscan() {\n"
"  const V = D.vmscan;\n"
"  hist('c-reclaim', D.reclaim, '#c62828');\n"
"  note('c-reclaim', fmt(V.reclaimed) + ' pages reclaimed' + (V.unfinished ? '; ' + fmt(V.unfinished) + ' stalls unfinished at the end' : ''));\n"
"  hist('c-compact', V.compaction, '#8e44ad');\n"
"  if (V.tasks.length)\n"
"    table('t-reclaim', [{name: 'pid', f: t => t.pid}, {name: 'comm', cls: 'l', f: t => t.comm},\n"
"      {name: 'stalls', f: t => fmt(t.count)}, {name: 'stalled', f: t => dur(t.total)},\n"
"      {name: 'p50', f: t => dur(t.p50)}, {name: 'p99', f: t => dur(t.p99)}, {name: 'max', f: t => dur(t.max)},\n"
"      {name: 'pages reclaimed', f: t => fmt(t.reclaimed)}], V.tasks);\n"
"  else\n"
"    note('t-reclaim', 'no task stalled in direct reclaim');\n"
"  more('t-reclaim', V.tasks.length, V.stalled_tasks, 'tasks');\n"
"  note('t-kswapd', 'kswapd: ' + fmt(V.kswapd_wakes) + ' wakes, active ' + dur(V.kswapd_active_ns) +\n"
"    V.kswapd_nodes.map(n => '; node ' + n.nid + ' ' + dur(n.active_ns)).join(''));\n"
"  if (V.compaction_status.length)\n"
"    table('t-compact', [{name: 'compaction result', cls: 'l', f: c => c.status}, {name: 'count', f: c => fmt(c.count)}], V.compaction_status);\n"
"}\n"
"function extfrag() {\n"
"  const X = D.extfrag;\n"
"  note('t-extfrag', fmt(X.fallbacks) + ' allocations fell back to another migratetype, ' + fmt(X.fragmenting) + ' of them fragmenting (from a block smaller than a pageblock)');\n"
"  if (X.pairs.length)\n"
"    table('t-extfrag', [{name: 'allocation', cls: 'l', f: p => p.alloc}, {name: 'fell back to', cls: 'l', f: p => p.fallback},\n"
"      {name: 'count', f: p => fmt(p.count)}], X.pairs);\n"
"}\n"
"function zones() {\n"
"  const id = 't-zones', hex = v => '0x' + v.toString(16);\n"
"  if (!D.zones.length) { note(id, 'the trace has no ZONES record'); return; }\n"
"  table(id, [{name: 'node', f: z => z.node}, {name: 'zone', cls: 'l', f: z => z.zone},\n"
"    {name: 'pfns', cls: 'l', f: z => hex(z.start_pfn) + '\\u2013' + hex(z.end_pfn)},\n"
"    {name: 'allocations', f: z => fmt(z.allocs)}, {name: 'pages', f: z => fmt(z.alloc_pages)},\n"
"    {name: 'pages freed', f: z => fmt(z.free_pages)}, {name: 'outstanding pages', f: z => fmt(z.outstanding_pages)},\n"
"    {name: 'extfrag', f: z => fmt(z.extfrag.fallbacks)}, {name: 'kswapd wakes', f: z => fmt(z.reclaim.kswapd_wakes)},\n"
"    {name: 'compactions', f: z => fmt(z.reclaim.compactions)}], D.zones);\n"
"  if (D.zone_unknown_allocs)\n"
"    note(id, fmt(D.zone_unknown_allocs) + ' allocations of pfns outside every zone (memory hotplugged after the start?)');\n"
"  note(id, 'direct reclaim has no node in its tracepoint: it is machine-wide above');\n"
"  const rows = [];\n"
"  for (const z of D.zones) {\n"
"    for (const o of z.extfrag.by_order)\n"
"      rows.push({node: z.node, zone: z.zone, what: 'order ' + o.order, count: o.count});\n"
"    for (const p of z.extfrag.by_migratetype)\n"
"      rows.push({node: z.node, zone: z.zone, what: D.mt_names[p.alloc_migratetype] + ' from ' + D.mt_names[p.fallback_migratetype], count: p.count});\n"
"  }\n"
"  if (rows.length)\n"
"    table('t-zone-extfrag', [{name: 'node', f: r => r.node}, {name: 'zone', cls: 'l', f: r => r.zone},\n"
"      {name: 'extfrag by order / migratetypes', cls: 'l', f: r => r.what}, {name: 'count', f: r => fmt(r.count)}], rows);\n"
"}\n"
"function triggers() {\n"
"  const T = D.triggers, id = 'triggers';\n"
"  if (!T) return;\n"
"  el('h2', {}, document.getElementById(id), 'Triggers: ' + T.triggers.join(', '));\n"
"  note(id, fmt(T.fired_total) + ' fired in the trace, ' + fmt(T.fired.length) + ' in this snapshot\\'s window; gotrace dump marks their events (<- trigger)');\n"
"  const val = f => f.kind == 'alloc-fail' ? 'order ' + f.value : f.kind == 'oom' ? '-' : dur(f.value);\n"
"  if (T.fired.length)\n"
"    table(id, [{name: 'time', f: f => (f.time_ns / 1e9).toFixed(9) + ' s'}, {name: 'CPU', f: f => f.cpu},\n"
"      {name: 'task', cls: 'l', f: f => (f.comm || '<...>') + ' (' + f.pid + ')'}, {name: 'trigger', cls: 'l', f: f => f.trigger},\n"
"      {name: 'measured', f: val}, {name: 'event', cls: 'l', f: f => f.event + (f.event_lost ? ' (lost)' : f.event_decoded ? '' : ' (not decoded)')}], T.fired);\n"
"}\n"
"const KPI = [['events', 'events'], ['lost', 'events lost'], ['allocs', 'page allocations'],"
" ['alloc_pages', 'pages allocated'], ['frees', 'page frees'], ['free_pages', 'pages freed'],"
" ['outstanding_pages', 'pages outstanding at the end'], ['switches', 'context switches'],"
" ['wakeups', 'wakeups'], ['migrations', 'migrations']];\n"
"function render() {\n"
"  const m = D.meta, h = D.health, span = m.window_end_ns - m.window_start_ns;\n"
"  const when = new Date(m.start_realtime_ns / 1e6).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';\n"
"  document.getElementById('sub').textContent = m.file + ' \\u2014 kernel ' + m.release + ' (' + m.machine + '), ' + m.nr_cpus + ' CPUs, ' + dur(span) + ' from ' + when + (m.stacks ? ', with kernel stacks' : '');\n"
"  const hb = document.getElementById('health');\n"
"  const probs = [];\n"
"  if (!h.complete) probs.push('the trace is truncated (no END record)');\n"
"  if (h.decode_error) probs.push('decoding stopped: ' + h.decode_error);\n"
"  if (h.lost) probs.push(fmt(h.lost) + ' events were lost while tracing');\n"
"  if (h.seq_gaps) probs.push(fmt(h.seq_gaps) + ' batches are missing');\n"
"  if (h.reader_skipped) probs.push(fmt(h.reader_skipped) + ' batches skipped by the reader');\n"
"  if (h.stack_lost) probs.push(fmt(h.stack_lost) + ' events without their stack (table full)');\n"
"  hb.className = 'health ' + (!h.complete || h.decode_error ? 'bad' : probs.length ? 'warn' : 'ok');\n"
"  hb.textContent = probs.length ? 'Trace health: ' + probs.join('; ') : 'Trace health: complete, no events lost, no gaps';\n"
"  triggers();\n"
"  const g = document.getElementById('totals');\n"
"  for (const [k, label] of KPI) {\n"
"    const d = el('div', {class: 'kpi'}, g);\n"
"    el('div', {class: 'v', id: 'v-' + k}, d, fmt(D.totals[k]));\n"
"    el('div', {class: 'l'}, d, label);\n"
"  }\n"
"  stacked('c-alloc', 'alloc');\n"
"  stacked('c-free', 'free');\n"
"  line('c-out');\n"
"  hist('c-life', D.lifetime, '#1a9e55');\n"
"  hist('c-lat', D.wakelat, '#e8710a');\n"
"  table('t-cpus', [{name: 'CPU', f: c => c.cpu}, {name: 'events', f: c => fmt(c.events)},"
" {name: 'lost', f: c => fmt(c.lost)}, {name: 'busy', f: c => dur(c.busy_ns)},"
" {name: 'busy %', f: c => span ? (100 * c.busy_ns / span).toFixed(1) : '-'},"
" {name: 'switches', f: c => fmt(c.switches)}], h.cpus);\n"
"  timeline();\n"
"  if (D.stacks.length)\n"
"    table('t-stacks', [{name: 'stack', f: s => s.id || '(none)'}, {name: 'allocations', f: s => fmt(s.allocs)},"
" {name: 'pages', f: s => fmt(s.alloc_pages)}, {name: 'freed', f: s => fmt(s.frees)},"
" {name: 'outstanding pages', f: s => fmt(s.outstanding_pages)},"
" {name: 'frames (innermost first)', cls: 'stk', f: s => s.frames.length ? s.frames.slice(0, 8).join('\\n') + (s.frames.length > 8 ? '\\n\\u2026' : '') : (s.id ? 'not in the trace' : 'no stacks recorded (gotrace record --stacks)')}], D.stacks);\n"
"  table('t-tasks', [{name: 'pid', f: t => t.pid}, {name: 'comm', cls: 'l', f: t => t.comm},"
" {name: 'allocations', f: t => fmt(t.allocs)}, {name: 'pages', f: t => fmt(t.alloc_pages)},"
" {name: 'pages freed', f: t => fmt(t.free_pages)}, {name: 'outstanding', f: t => fmt(t.outstanding_pages)},"
" {name: 'runtime', f: t => dur(t.runtime_ns)}, {name: 'switches', f: t => fmt(t.switches)},"
" {name: 'wakeup p50', f: t => t.wakeups ? dur(t.lat_p50) : '-'}, {name: 'wakeup p99', f: t => t.wakeups ? dur(t.lat_p99) : '-'}],"
" D.tasks.filter(t => t.alloc_pages > 0).slice(0, TOP));\n"
"  table('t-orders', [{name: 'order', f: o => ordName(o)}, {name: 'allocations', f: o => fmt(o.allocs)},"
" {name: 'frees', f: o => fmt(o.frees)}, {name: 'outstanding', f: o => fmt(o.outstanding)},"
" {name: 'lifetimes', f: o => fmt(o.lifetime.count)}, {name: 'p50', f: o => o.lifetime.count ? dur(o.lifetime.p50) : '-'},"
" {name: 'p90', f: o => o.lifetime.count ? dur(o.lifetime.p90) : '-'}, {name: 'p99', f: o => o.lifetime.count ? dur(o.lifetime.p99) : '-'},"
" {name: 'max', f: o => o.lifetime.count ? dur(o.lifetime.max) : '-'}], D.lifetime_orders);\n"
"  groups();\n"
"  vmscan();\n"
"  extfrag();\n"
"  zones();\n"
"  if (D.cgroups && D.cgroups.length)\n"
"    table('t-cgroups', [{name: 'cgroup', cls: 'l', f: c => c.path || (c.id ? '(id ' + c.id + ', path unknown)' : '(no task cgroup)')},"
" {name: 'id', f: c => c.id}, {name: 'allocations', f: c => fmt(c.allocs)}, {name: 'pages', f: c => fmt(c.alloc_pages)},"
" {name: 'pages freed', f: c => fmt(c.freed_pages)}, {name: 'outstanding pages', f: c => fmt(c.outstanding_pages)}],"
" D.cgroups.slice(0, TOP));\n"
"  else\n"
"    el('div', {class: 'note'}, document.getElementById('t-cgroups'), D.cgroups ? 'no page allocation' :"
" 'the trace has no cgroup membership (record with the cgroup event group)');\n"
"  document.getElementById('foot').textContent = 'generated by gotrace report; the numbers are those of gotrace stats';\n"
"}\n"
"function selfcheck() {\n"
"  const sc = document.getElementById('selfcheck'), bad = [], shown = {};\n"
"  for (const [k] of KPI) {\n"
"    const v = Number(document.getElementById('v-' + k).textContent.replace(/,/g, ''));\n"
"    shown[k] = v;\n"
"    if (v !== D.totals[k]) bad.push(k);\n"
"  }\n"
"  const rects = id => document.querySelectorAll('#' + id + ' svg rect').length;\n"
"  if (D.totals.allocs && !rects('c-alloc')) bad.push('alloc chart');\n"
"  if (D.totals.frees && !rects('c-free')) bad.push('free chart');\n"
"  if (!document.querySelector('#c-out svg path')) bad.push('outstanding chart');\n"
"  if (D.lifetime.count && !rects('c-life')) bad.push('lifetime chart');\n"
"  if (D.wakelat.count && !rects('c-lat')) bad.push('latency chart');\n"
"  if (D.totals.switches && rects('c-tl') <= D.timeline.cpus.length) bad.push('timeline');\n"
"  const trs = id => document.querySelectorAll('#' + id + ' tbody tr').length;\n"
"  if (trs('t-groups') !== D.groups.rows.length) bad.push('outstanding groups table');\n"
"  if (trs('t-reclaim') !== D.vmscan.tasks.length) bad.push('reclaim table');\n"
"  if (trs('t-compact') !== D.vmscan.compaction_status.length) bad.push('compaction table');\n"
"  if (trs('t-extfrag') !== D.extfrag.pairs.length) bad.push('extfrag table');\n"
"  if (trs('t-zones') !== D.zones.length) bad.push('zones table');\n"
"  if (D.reclaim.count && !rects('c-reclaim')) bad.push('reclaim chart');\n"
"  if (D.vmscan.compaction.count && !rects('c-compact')) bad.push('compaction chart');\n"
"  document.getElementById('totals').setAttribute('data-totals', JSON.stringify(shown));\n"
"  sc.setAttribute('data-status', bad.length ? 'fail' : 'ok');\n"
"  sc.textContent = bad.join(', ');\n"
"}\n"
"try {\n"
"  render();\n"
"  selfcheck();\n"
"} catch (e) {\n"
"  const sc = document.getElementById('selfcheck');\n"
"  sc.setAttribute('data-status', 'exception');\n"
"  sc.textContent = String(e);\n"
"  throw e;\n"
"}\n"
"</script>\n</body>\n</html>\n";

/* A trace read and analysed, ready to be written. */
struct report {
	const struct report_opts *o;
	struct gt_reader *r;
	struct ga *a;
	struct pass p;
};

void report_free(struct report *rep)
{
	if (!rep)
		return;
	pass_free(&rep->p);
	ga_free(rep->a);
	if (rep->r)
		gt_close(rep->r);
	free(rep);
}

int report_load(const struct report_opts *o, struct report **repp)
{
	const struct ga_result *res;
	struct report *rep;
	struct ga_opts go;
	int ret;

	*repp = NULL;
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	rep->o = o;
	ret = gt_open_file(o->path, &rep->r);
	if (ret < 0) {
		gt_err("%s", gt_error(NULL));
		free(rep);
		return ret;
	}
	ga_opts_init(&go);
	go.filter = o->filter;
	if (o->by)
		go.by = o->by;
	go.older_ns = o->older_ns;
	rep->a = ga_new(rep->r, &go);
	if (!rep->a) {
		report_free(rep);
		return -ENOMEM;
	}
	ret = ga_run(rep->a);
	res = ga_result(rep->a);
	if (ret == -ENOMEM) {
		report_free(rep);
		return ret;
	}
	if (ret < 0) {
		/* as stats: an error; here nothing is written */
		gt_err("%s: malformed trace: %s", o->path, res->error);
		report_free(rep);
		return ret;
	}
	ret = run_pass(o, res, &rep->p);
	if (ret < 0) {
		if (ret != -ENOMEM)
			gt_err("%s: %s", o->path, gt_error(NULL));
		report_free(rep);
		return ret;
	}
	if (res->truncated)
		gt_warn("%s: %s; the report covers the complete records",
			o->path, gt_error(rep->r));
	else if (!res->complete)
		gt_warn("%s: no END record: the recording did not finish",
			o->path);
	*repp = rep;
	return 0;
}

void report_write(const struct report *rep, FILE *out)
{
	fputs(page_head, out);
	fprintf(out, "\n");
	write_data(out, rep->r, ga_result(rep->a), &rep->p, rep->o);
	fprintf(out, "\n");
	fprintf(out, "%s", "</script>\n<script>const TOP = ");
	fprintf(out, "%u;\n", rep->o->top);
	fputs(page_script + strlen("</script>\n<script>\n"), out);
}
