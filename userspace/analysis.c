// SPDX-License-Identifier: GPL-2.0
/*
 * analysis.c - the numbers of "gotrace stats" (see analysis.h for what
 * they mean).  One pass over the events; hash tables keyed by pid, stack
 * id, gfp value and pfn (pages alive).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

#define PAGEBLOCK_ORDER		9
#define MAX_BUCKETS		(1U << 20)	/* allocation rate buckets */
#define NO_IDX			UINT32_MAX

/* ---- histograms ---------------------------------------------------------- */

unsigned int ga_hist_bucket(uint64_t v)
{
	unsigned int e;

	if (v < GA_HIST_SUB)
		return (unsigned int)v;
	e = 63 - __builtin_clzll(v);
	return (e - 3) * GA_HIST_SUB + (unsigned int)((v >> (e - 4)) & 15);
}

uint64_t ga_hist_bucket_low(unsigned int i)
{
	unsigned int e;

	if (i < GA_HIST_SUB)
		return i;
	if (i >= GA_HIST_BUCKETS)
		i = GA_HIST_BUCKETS - 1;
	e = i / GA_HIST_SUB + 3;
	return (uint64_t)(GA_HIST_SUB + i % GA_HIST_SUB) << (e - 4);
}

static int hist_add(struct ga_hist *h, uint64_t v)
{
	if (!h->b) {
		h->b = calloc(GA_HIST_BUCKETS, sizeof(*h->b));
		if (!h->b)
			return -ENOMEM;
	}
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	h->b[ga_hist_bucket(v)]++;
	return 0;
}

uint64_t ga_hist_pct(const struct ga_hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;
	double r;

	if (!h->count || !h->b)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	r = p / 100.0 * (double)h->count;
	rank = (uint64_t)r;
	if ((double)rank < r)
		rank++;
	if (!rank)
		rank = 1;
	for (i = 0; i < GA_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	v = ga_hist_bucket_low(i);
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

static void hist_free(struct ga_hist *h)
{
	free(h->b);
	h->b = NULL;
}

/* ---- u64 -> index map (no deletion) ---------------------------------- */

struct imap {
	uint64_t *keys;
	uint32_t *vals;		/* NO_IDX: empty */
	size_t size;		/* power of 2 */
	size_t used;
};

static inline size_t hash64(uint64_t k, size_t size)
{
	k *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(k >> 32 ^ k) & (size - 1);
}

static uint32_t imap_get(const struct imap *m, uint64_t key)
{
	size_t i;

	if (!m->size)
		return NO_IDX;
	i = hash64(key, m->size);
	while (m->vals[i] != NO_IDX) {
		if (m->keys[i] == key)
			return m->vals[i];
		i = (i + 1) & (m->size - 1);
	}
	return NO_IDX;
}

static int imap_put(struct imap *m, uint64_t key, uint32_t val)
{
	size_t i;

	if ((m->used + 1) * 2 > m->size) {
		size_t ns = m->size ? m->size * 2 : 256, j;
		uint64_t *nk = malloc(ns * sizeof(*nk));
		uint32_t *nv = malloc(ns * sizeof(*nv));

		if (!nk || !nv) {
			free(nk);
			free(nv);
			return -ENOMEM;
		}
		memset(nv, 0xff, ns * sizeof(*nv));
		for (j = 0; j < m->size; j++) {
			if (m->vals[j] == NO_IDX)
				continue;
			i = hash64(m->keys[j], ns);
			while (nv[i] != NO_IDX)
				i = (i + 1) & (ns - 1);
			nk[i] = m->keys[j];
			nv[i] = m->vals[j];
		}
		free(m->keys);
		free(m->vals);
		m->keys = nk;
		m->vals = nv;
		m->size = ns;
	}
	i = hash64(key, m->size);
	while (m->vals[i] != NO_IDX) {
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return 0;
		}
		i = (i + 1) & (m->size - 1);
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->used++;
	return 0;
}

static void imap_free(struct imap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Pages alive (lib/pages.c); the analysis's own flag: */
#define PG_SELECTED	2	/* allocated inside the selection */

/* ---- the analysis ------------------------------------------------------ */

struct task {
	struct ga_task t;
	char comm[GOTRACE_COMM_LEN + 1];
	uint64_t wake_ts;	/* pending wakeup, valid if has_wake */
	uint64_t dr_ts;		/* direct reclaim begin */
	uint64_t cp_ts;		/* compaction begin */
	uint8_t has_wake, in_dr, in_cp, running;
};

struct cpu_state {
	uint64_t since;
	uint32_t curr;
	int known;
};

struct ga {
	struct gt_reader *r;
	struct ga_opts o;
	struct ga_result res;
	uint64_t from, to;		/* absolute window */
	uint64_t last_ts;
	int past_end;
	int finished;
	int err;
	uint64_t stack_mask;

	struct task *tasks;
	size_t nr_tasks, cap_tasks;
	struct imap task_map;

	struct ga_stack *stacks;
	size_t nr_stacks, cap_stacks;
	struct imap stack_map;

	struct ga_gfp *gfp;
	size_t cap_gfp;
	struct imap gfp_map;

	/* sites: (stack << 32 | pid) -> first site, then a chain by next */
	size_t cap_sites;
	uint32_t *site_next;
	struct imap site_map;

	struct gt_page_map pages;
	struct cpu_state *cs;
	size_t cap_buckets;

	int kswapd_on[GA_MAX_NODES];
	uint64_t kswapd_since[GA_MAX_NODES];
};

static uint64_t key_stack(const struct ga_src *src)
{
	return src->stack_id;
}

static uint64_t key_pid(const struct ga_src *src)
{
	return src->pid;
}

static uint64_t key_tgid(const struct ga_src *src)
{
	return src->tgid;
}

static const char *label_comm(struct gt_reader *r, uint64_t pid)
{
	return pid <= 0xffffffffULL ? gt_comm(r, (uint32_t)pid) : NULL;
}

static uint64_t key_cgroup(const struct ga_src *src)
{
	return src->cgroup;
}

static const char *label_cgroup_path(struct gt_reader *r, uint64_t id)
{
	const struct gt_cgroup *cg = id ? gt_cgroup(r, id) : NULL;

	return cg && cg->path[0] ? cg->path : NULL;
}

const struct ga_key_def ga_keys[GA_KEY_NR] = {
	[GA_KEY_STACK] = { "stack", "stack_id", key_stack, NULL, NULL, NULL,
			   0, NULL, 0, 1 },
	[GA_KEY_PID] = { "pid", "pid", key_pid, label_comm, "comm", "comm",
			 16, "swapper" },
	[GA_KEY_TGID] = { "tgid", "tgid", key_tgid, label_comm, "comm",
			  "tgid_comm", 16, "swapper" },
	[GA_KEY_CGROUP] = { "cgroup", "cgroup_id", key_cgroup,
			    label_cgroup_path, "path", "cgroup_path", 32,
			    "(no task cgroup)", 10 },
};

int ga_by_parse(const char *s, unsigned int *by, const char **bad)
{
	const char *w = s;
	unsigned int k, mask = 0;

	for (;;) {
		size_t n = strcspn(w, ",");

		for (k = 0; k < GA_KEY_NR; k++) {
			if (n == strlen(ga_keys[k].name) &&
			    !strncmp(w, ga_keys[k].name, n))
				break;
		}
		if (k == GA_KEY_NR) {
			*bad = w;
			return -1;
		}
		mask |= 1U << k;
		if (!w[n])
			break;
		w += n + 1;
	}
	*by = mask;
	return 0;
}

char *ga_by_str(unsigned int by, char *buf, size_t size)
{
	size_t n = 0;
	unsigned int k;

	if (size)
		buf[0] = '\0';
	for (k = 0; k < GA_KEY_NR; k++) {
		if (by & (1U << k))
			n += snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      n ? "," : "", ga_keys[k].name);
	}
	return buf;
}

void ga_opts_init(struct ga_opts *o)
{
	memset(o, 0, sizeof(*o));
	gt_filter_init(&o->filter);
	o->bucket_ns = GA_DEFAULT_BUCKET_NS;
	o->by = GA_BY_DEFAULT;
}

/* The TRIGGERS record's fired triggers; 0 or -ENOMEM. */
static int fired_init(struct ga_result *res, struct gt_reader *r)
{
	const struct gotrace_fired *f;
	size_t i, n;

	res->has_triggers = gt_has_triggers(r);
	res->triggers = gt_triggers(r, &res->nr_triggers);
	f = gt_fired(r, &n, &res->fired_total);
	if (!n)
		return 0;
	res->fired = calloc(n, sizeof(*res->fired));
	if (!res->fired)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		res->fired[i].f = f[i];
		res->fired[i].threshold = res->triggers[f[i].index].value;
	}
	res->nr_fired = n;
	return 0;
}

static void fired_comm(struct ga_fired *gf, const struct gt_reader *r)
{
	const char *c = gt_comm(r, gf->f.pid);

	if (c)
		snprintf(gf->comm, sizeof(gf->comm), "%s", c);
}

/* ev fired triggers: name their task as it was then. */
static void fired_event(struct ga *a, const struct gt_event *ev)
{
	const struct gotrace_fired *f;
	size_t n, i, k;

	n = gt_fired_at(a->r, ev->cpu, ev->ts, ev->type, &f);
	for (i = 0; i < n; i++) {
		for (k = 0; k < a->res.nr_fired; k++) {
			struct ga_fired *gf = &a->res.fired[k];

			if (gf->f.seq == f[i].seq && !gf->seen) {
				gf->seen = 1;
				fired_comm(gf, a->r);
			}
		}
	}
}

struct ga *ga_new(struct gt_reader *r, const struct ga_opts *o)
{
	const struct gotrace_header *h = gt_header(r);
	struct ga *a;

	if (o && o->filter.to_ns < o->filter.from_ns) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->r = r;
	if (o)
		a->o = *o;
	else
		ga_opts_init(&a->o);
	if (!a->o.bucket_ns)
		a->o.bucket_ns = GA_DEFAULT_BUCKET_NS;
	if (!a->o.by)
		a->o.by = GA_BY_DEFAULT;
	a->res.by = a->o.by;
	a->res.older_ns = a->o.older_ns;
	a->from = h->start_ns + a->o.filter.from_ns;
	if (a->from < h->start_ns)
		a->from = UINT64_MAX;
	a->to = a->o.filter.to_ns == UINT64_MAX ? UINT64_MAX : h->start_ns + a->o.filter.to_ns;
	if (a->to < h->start_ns)
		a->to = UINT64_MAX;
	a->stack_mask = h->stack_events;
	a->res.start_ns = a->from;
	a->res.page_size = h->page_size ? h->page_size : 4096;
	a->res.bucket_ns = a->o.bucket_ns;
	a->res.nr_cpus = h->nr_cpus;
	a->cs = calloc(h->nr_cpus ? h->nr_cpus : 1, sizeof(*a->cs));
	a->res.cpus = calloc(h->nr_cpus ? h->nr_cpus : 1, sizeof(*a->res.cpus));
	if (!a->cs || !a->res.cpus || ga_zones_init(&a->res, r) ||
	    ga_cgroups_init(&a->res, r) || fired_init(&a->res, r)) {
		ga_free(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

static struct task *task_get(struct ga *a, uint64_t pid64)
{
	uint32_t pid = (uint32_t)pid64, i;
	const struct gotrace_task *st;
	struct task *t;

	i = imap_get(&a->task_map, pid);
	if (i != NO_IDX)
		return &a->tasks[i];
	if (a->nr_tasks == a->cap_tasks) {
		size_t nc = a->cap_tasks ? a->cap_tasks * 2 : 256;

		t = realloc(a->tasks, nc * sizeof(*t));
		if (!t)
			return NULL;
		a->tasks = t;
		a->cap_tasks = nc;
	}
	if (imap_put(&a->task_map, pid, (uint32_t)a->nr_tasks))
		return NULL;
	t = &a->tasks[a->nr_tasks++];
	memset(t, 0, sizeof(*t));
	t->t.pid = pid;
	st = gt_task(a->r, pid);	/* alive at the start: tgid known */
	if (st)
		t->t.tgid = st->tgid;
	return t;
}

static struct ga_stack *stack_get(struct ga *a, uint32_t id)
{
	struct ga_stack *s;
	uint32_t i;

	i = imap_get(&a->stack_map, id);
	if (i != NO_IDX)
		return &a->stacks[i];
	if (a->nr_stacks == a->cap_stacks) {
		size_t nc = a->cap_stacks ? a->cap_stacks * 2 : 256;

		s = realloc(a->stacks, nc * sizeof(*s));
		if (!s)
			return NULL;
		a->stacks = s;
		a->cap_stacks = nc;
	}
	if (imap_put(&a->stack_map, id, (uint32_t)a->nr_stacks))
		return NULL;
	s = &a->stacks[a->nr_stacks++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	return s;
}

static struct ga_gfp *gfp_get(struct ga *a, uint64_t gfp)
{
	struct ga_gfp *g;
	uint32_t i;

	i = imap_get(&a->gfp_map, gfp);
	if (i != NO_IDX)
		return &a->gfp[i];
	if (a->res.nr_gfp == a->cap_gfp) {
		size_t nc = a->cap_gfp ? a->cap_gfp * 2 : 64;

		g = realloc(a->gfp, nc * sizeof(*g));
		if (!g)
			return NULL;
		a->gfp = g;
		a->cap_gfp = nc;
	}
	if (imap_put(&a->gfp_map, gfp, (uint32_t)a->res.nr_gfp))
		return NULL;
	g = &a->gfp[a->res.nr_gfp++];
	memset(g, 0, sizeof(*g));
	g->gfp = gfp;
	return g;
}

static struct ga_site *site_get(struct ga *a, uint32_t stack, uint32_t pid,
				uint64_t order, uint64_t gfp, uint64_t cgroup,
				uint32_t *idx)
{
	uint64_t key = (uint64_t)stack << 32 | pid;
	uint32_t i = imap_get(&a->site_map, key), head = i;
	struct ga_site *s;

	for (; i != NO_IDX; i = a->site_next[i]) {
		s = &a->res.sites[i];
		if (s->order == order && s->gfp == gfp &&
		    s->cgroup == cgroup) {
			*idx = i;
			return s;
		}
	}
	if (a->res.nr_sites == a->cap_sites) {
		size_t nc = a->cap_sites ? a->cap_sites * 2 : 256;
		uint32_t *nn;

		s = realloc(a->res.sites, nc * sizeof(*s));
		if (!s)
			return NULL;
		a->res.sites = s;
		nn = realloc(a->site_next, nc * sizeof(*nn));
		if (!nn)
			return NULL;
		a->site_next = nn;
		a->cap_sites = nc;
	}
	i = (uint32_t)a->res.nr_sites;
	if (imap_put(&a->site_map, key, i))	/* the chain's new head */
		return NULL;
	a->site_next[i] = head;
	a->res.nr_sites++;
	s = &a->res.sites[i];
	memset(s, 0, sizeof(*s));
	s->stack_id = stack;
	s->pid = pid;
	s->order = (uint32_t)order;
	s->gfp = gfp;
	s->cgroup = cgroup;
	*idx = i;
	return s;
}

static struct ga_bucket *bucket_get(struct ga *a, uint64_t ts)
{
	uint64_t i = ts > a->from ? (ts - a->from) / a->o.bucket_ns : 0;

	if (i >= MAX_BUCKETS)
		return NULL;
	if (i >= a->res.nr_buckets) {
		if (i >= a->cap_buckets) {
			size_t nc = a->cap_buckets ? a->cap_buckets : 64;
			struct ga_bucket *b;

			while (nc <= i)
				nc *= 2;
			b = realloc(a->res.buckets, nc * sizeof(*b));
			if (!b) {
				a->err = -ENOMEM;
				return NULL;
			}
			a->res.buckets = b;
			a->cap_buckets = nc;
		}
		memset(a->res.buckets + a->res.nr_buckets, 0,
		       (i + 1 - a->res.nr_buckets) * sizeof(*a->res.buckets));
		a->res.nr_buckets = i + 1;
	}
	return &a->res.buckets[i];
}

/* Does the pid filter select pid? */
static int pid_ok(struct ga *a, uint64_t pid)
{
	const struct gotrace_task *st;
	uint32_t i;

	if (a->o.filter.pid < 0)
		return 1;
	if (pid == (uint64_t)a->o.filter.pid)
		return 1;
	i = imap_get(&a->task_map, pid);
	if (i != NO_IDX)
		return a->tasks[i].t.tgid == (uint64_t)a->o.filter.pid;
	st = pid <= UINT32_MAX ? gt_task(a->r, (uint32_t)pid) : NULL;
	return st && st->tgid == (uint64_t)a->o.filter.pid;
}

static int cpu_ok(struct ga *a, uint32_t cpu)
{
	return gt_filter_cpu(&a->o.filter, cpu);
}

/* ns of [b, e] inside the window */
static uint64_t clip(struct ga *a, uint64_t b, uint64_t e)
{
	if (b < a->from)
		b = a->from;
	if (e > a->to)
		e = a->to;
	return e > b ? e - b : 0;
}

static inline unsigned int order_slot(uint64_t order)
{
	return order < GA_ORDERS - 1 ? (unsigned int)order : GA_ORDERS - 1;
}

static inline unsigned int mt_slot(uint64_t mt)
{
	return mt < GA_MIGRATETYPES - 1 ? (unsigned int)mt :
	       GA_MIGRATETYPES - 1;
}

static inline uint64_t order_pages(uint64_t order)
{
	return order < 32 ? 1ULL << order : 0;
}

/* Run time of the task CPU c ran from its since (or the start) to ts. */
static int account_run(struct ga *a, uint32_t c, uint32_t pid, uint64_t ts)
{
	struct cpu_state *cs = &a->cs[c];
	uint64_t d = clip(a, cs->known ? cs->since : a->from, ts);
	struct task *t;

	if (!d || !cpu_ok(a, c) || !pid_ok(a, pid))
		return 0;
	if (pid) {
		a->res.cpus[c].busy_ns += d;
		t = task_get(a, pid);
		if (!t)
			return -ENOMEM;
		t->t.runtime_ns += d;
	}
	return 0;
}

static int ev_switch(struct ga *a, const struct gt_event *ev, int sel)
{
	uint32_t prev = (uint32_t)ev->args[0], next = (uint32_t)ev->args[3];
	uint64_t state = ev->args[2];
	struct task *t;

	if (ev->cpu >= a->res.nr_cpus)
		return 0;
	if (account_run(a, ev->cpu, prev, ev->ts))
		return -ENOMEM;
	if (sel && cpu_ok(a, ev->cpu))
		a->res.cpus[ev->cpu].switches++;
	if (prev) {
		t = task_get(a, prev);
		if (!t)
			return -ENOMEM;
		t->has_wake = 0;
		t->running = 0;
		if (sel && pid_ok(a, prev)) {
			t->t.switches++;
			a->res.switches++;
			if (!(state & (GOTRACE_STATE_PREEMPTED - 1)))
				t->t.involuntary++;
		}
	}
	if (next) {
		t = task_get(a, next);
		if (!t)
			return -ENOMEM;
		if (t->has_wake && sel && pid_ok(a, next)) {
			uint64_t lat = ev->ts - t->wake_ts;

			if (hist_add(&t->t.wake_lat, lat))
				return -ENOMEM;
			if (hist_add(&a->res.wake_lat, lat))
				return -ENOMEM;
		}
		t->has_wake = 0;
		t->running = 1;
	}
	a->cs[ev->cpu].curr = next;
	a->cs[ev->cpu].since = ev->ts;
	a->cs[ev->cpu].known = 1;
	return 0;
}

static int ev_alloc(struct ga *a, const struct gt_event *ev, int sel)
{
	uint64_t pfn = ev->args[0], order = ev->args[1], pages;
	uint32_t pid = (uint32_t)ev->args[4];
	struct ga_site *site;
	struct ga_bucket *b;
	struct ga_stack *s;
	struct ga_gfp *g;
	struct gt_page *pg;
	uint32_t site_idx = 0;
	struct task *t;
	int old;

	if (sel && (a->stack_mask & (1ULL << GOTRACE_EV_MM_PAGE_ALLOC))) {
		a->res.stack_events++;
		if (!ev->stack_id)
			a->res.stack_lost++;
	}
	if (pfn == ~0ULL) {
		if (sel) {
			a->res.alloc_fails++;
			t = task_get(a, pid);
			if (!t)
				return -ENOMEM;
			t->t.alloc_fails++;
		}
		return 0;
	}
	pages = order_pages(order);
	if (sel) {
		a->res.allocs++;
		a->res.alloc_pages += pages;
		a->res.order[order_slot(order)].allocs++;
		a->res.mt_allocs[mt_slot(ev->args[3])]++;
		a->res.mt_pages[mt_slot(ev->args[3])] += pages;
		ga_zone_alloc(&a->res, pfn, pages);
		g = gfp_get(a, ev->args[2]);
		if (!g)
			return -ENOMEM;
		g->allocs++;
		g->pages += pages;
		t = task_get(a, pid);
		if (!t)
			return -ENOMEM;
		t->t.allocs++;
		t->t.alloc_pages += pages;
		s = stack_get(a, ev->stack_id);
		if (!s)
			return -ENOMEM;
		s->allocs++;
		s->alloc_pages += pages;
		site = site_get(a, ev->stack_id, pid, order, ev->args[2],
				gt_task_cgroup(a->r, pid), &site_idx);
		if (!site)
			return -ENOMEM;
		site->allocs++;
		site->alloc_pages += pages;
		b = bucket_get(a, ev->ts);
		if (b) {
			b->allocs++;
			b->alloc_pages += pages;
		} else if (a->err) {
			return a->err;
		}
	}
	pg = gt_page_get(&a->pages, pfn, &old);
	if (!pg)
		return -ENOMEM;
	if (old && sel)
		a->res.realloc_unfreed++;
	pg->ts = ev->ts;
	pg->pid = pid;
	pg->stack = ev->stack_id;
	pg->cpu = (uint16_t)ev->cpu;
	pg->order = (uint8_t)(order < 255 ? order : 255);
	pg->flags = GT_PAGE_USED | (sel ? PG_SELECTED : 0);
	pg->tag = site_idx;
	if (sel && ga_cgroup_alloc(&a->res, a->r, pfn, pid, pages))
		return a->err = -ENOMEM;
	return 0;
}

static int ev_free(struct ga *a, const struct gt_event *ev, uint64_t order,
		   uint64_t pid, int sel)
{
	struct gt_page *pg = gt_page_find(&a->pages, ev->args[0]);
	uint64_t pages = order_pages(order);
	struct ga_bucket *b;
	struct task *t;

	ga_cgroup_free(&a->res, ev->args[0], pages);
	if (pg) {
		if (pg->flags & PG_SELECTED) {
			uint64_t life = ev->ts - pg->ts;
			struct ga_stack *s = stack_get(a, pg->stack);

			if (!s)
				return -ENOMEM;
			s->frees++;
			if (hist_add(&a->res.order[order_slot(pg->order)].lifetime,
				     life))
				return -ENOMEM;
			if (hist_add(&a->res.lifetime, life))
				return -ENOMEM;
		}
		gt_page_del(&a->pages, pg);
	} else if (sel) {
		a->res.free_unknown++;
	}
	if (!sel)
		return 0;
	a->res.frees++;
	a->res.free_pages += pages;
	ga_zone_free(&a->res, ev->args[0], pages);
	a->res.order[order_slot(order)].frees++;
	t = task_get(a, pid);
	if (!t)
		return -ENOMEM;
	t->t.frees++;
	t->t.free_pages += pages;
	b = bucket_get(a, ev->ts);
	if (b) {
		b->frees++;
		b->free_pages += pages;
	}
	return a->err;
}

/* Is the event inside the filter (its window start, CPUs, types, task)? */
static int ev_selected(struct ga *a, const struct gt_event *ev)
{
	uint64_t pids[4];
	unsigned int i, n;

	if (ev->ts < a->from || !cpu_ok(a, ev->cpu) ||
	    !gt_filter_type(&a->o.filter, ev->type))
		return 0;
	if (a->o.filter.pid < 0)
		return 1;
	n = gt_event_pids(ev, pids, 4);
	for (i = 0; i < n; i++) {
		if (pid_ok(a, pids[i]))
			return 1;
	}
	return 0;
}

/* A wakeup starts the task's wakeup latency; a migration is counted */
static int ev_wakeup(struct ga *a, const struct gt_event *ev, int sel)
{
	struct task *t = task_get(a, ev->args[0]);

	if (!t)
		return -ENOMEM;
	if (!t->has_wake && !t->running) {
		t->has_wake = 1;
		t->wake_ts = ev->ts;
	}
	if (sel) {
		t->t.wakeups++;
		a->res.wakeups++;
	}
	return 0;
}

static int ev_migrate(struct ga *a, const struct gt_event *ev, int sel)
{
	struct task *t;

	if (!sel)
		return 0;
	t = task_get(a, ev->args[0]);
	if (!t)
		return -ENOMEM;
	t->t.migrations++;
	a->res.migrations++;
	return 0;
}

/* Per-CPU list drains and fallbacks to another migratetype */
static void ev_page_misc(struct ga *a, const struct gt_event *ev, int sel)
{
	const uint64_t *x = ev->args;

	if (!sel)
		return;
	if (ev->type == GOTRACE_EV_MM_PAGE_PCPU_DRAIN) {
		a->res.pcp_drains++;
		a->res.pcp_drain_pages += order_pages(x[1]);
		return;
	}
	a->res.extfrag++;
	if ((int32_t)x[2] < PAGEBLOCK_ORDER)
		a->res.extfrag_fragmenting++;
	a->res.extfrag_mt[mt_slot(x[3])][mt_slot(x[4])]++;
	ga_zone_extfrag(&a->res, x[0], order_slot(x[1]), mt_slot(x[3]),
			mt_slot(x[4]));
}

/* Direct reclaim: its latency per task, the pages it reclaimed */
static int ev_direct_reclaim(struct ga *a, const struct gt_event *ev, int sel)
{
	const uint64_t *x = ev->args;
	struct task *t;

	if (ev->type == GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN) {
		t = task_get(a, x[2]);
		if (!t)
			return -ENOMEM;
		t->in_dr = 1;
		t->dr_ts = ev->ts;
		return 0;
	}
	t = task_get(a, x[1]);
	if (!t)
		return -ENOMEM;
	if (sel && t->in_dr) {
		if (hist_add(&t->t.reclaim, ev->ts - t->dr_ts))
			return -ENOMEM;
		if (hist_add(&a->res.reclaim, ev->ts - t->dr_ts))
			return -ENOMEM;
	}
	if (sel) {
		t->t.reclaimed += x[0];
		a->res.reclaimed += x[0];
	}
	t->in_dr = 0;
	return 0;
}

/* kswapd: wakeups, and its active time per node (no task to filter by) */
static void ev_kswapd(struct ga *a, const struct gt_event *ev, int sel)
{
	const uint64_t *x = ev->args;

	if (ev->type == GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE) {
		if (x[0] < GA_MAX_NODES && !a->kswapd_on[x[0]]) {
			a->kswapd_on[x[0]] = 1;
			a->kswapd_since[x[0]] = ev->ts;
		}
		if (sel) {
			a->res.kswapd_wakes++;
			ga_zone_kswapd_wake(&a->res, x[0], x[1]);
		}
		return;
	}
	if (x[0] < GA_MAX_NODES && a->kswapd_on[x[0]]) {
		uint64_t d = clip(a, a->kswapd_since[x[0]], ev->ts);

		a->kswapd_on[x[0]] = 0;
		if (a->o.filter.pid < 0 && cpu_ok(a, ev->cpu)) {
			a->res.kswapd_node_ns[x[0]] += d;
			a->res.kswapd_active_ns += d;
		}
	}
}

/* Compaction: its latency per task, how it ended, its zone */
static int ev_compaction(struct ga *a, const struct gt_event *ev, int sel)
{
	const uint64_t *x = ev->args;
	struct task *t;

	if (ev->type == GOTRACE_EV_MM_COMPACTION_BEGIN) {
		t = task_get(a, x[3]);
		if (!t)
			return -ENOMEM;
		t->in_cp = 1;
		t->cp_ts = ev->ts;
		return 0;
	}
	t = task_get(a, x[4]);
	if (!t)
		return -ENOMEM;
	if (sel) {
		int32_t st = (int32_t)x[3];

		a->res.compaction_status[st >= 0 && st < 7 ? st : 7]++;
		ga_zone_compaction(&a->res, x[0]);
		if (t->in_cp) {
			if (hist_add(&t->t.compaction, ev->ts - t->cp_ts))
				return -ENOMEM;
			if (hist_add(&a->res.compaction, ev->ts - t->cp_ts))
				return -ENOMEM;
		}
	}
	t->in_cp = 0;
	return 0;
}

int ga_event(struct ga *a, const struct gt_event *ev)
{
	struct task *t;
	int sel;

	if (a->err)
		return a->err;
	if (a->finished)
		return 0;
	if (ev->ts > a->to) {
		a->past_end = 1;
		return 1;
	}
	if (ev->ts > a->last_ts)
		a->last_ts = ev->ts;
	if (ev->nargs < gt_event_nargs(ev->type) || ev->type >= GOTRACE_EV_COUNT)
		return 0;
	if (GOTRACE_EV_IS_META(ev->type))
		return 0;
	if (a->res.nr_fired)
		fired_event(a, ev);
	if (ev->cpu < a->res.nr_cpus)
		a->res.cpus[ev->cpu].events++;
	/* fork first: the child's tgid decides the filter of what follows */
	if (ev->type == GOTRACE_EV_SCHED_PROCESS_FORK) {
		t = task_get(a, ev->args[1]);
		if (!t) {
			a->err = -ENOMEM;
			return a->err;
		}
		t->t.tgid = (uint32_t)ev->args[2];
	}
	sel = ev_selected(a, ev);
	if (sel) {
		a->res.events++;
		a->res.by_type[ev->type]++;
	}
	switch (ev->type) {
	case GOTRACE_EV_SCHED_SWITCH:
		a->err = ev_switch(a, ev, sel);
		break;
	case GOTRACE_EV_SCHED_WAKEUP:
	case GOTRACE_EV_SCHED_WAKEUP_NEW:
		a->err = ev_wakeup(a, ev, sel);
		break;
	case GOTRACE_EV_SCHED_MIGRATE_TASK:
		a->err = ev_migrate(a, ev, sel);
		break;
	case GOTRACE_EV_MM_PAGE_ALLOC:
		a->err = ev_alloc(a, ev, sel);
		break;
	case GOTRACE_EV_MM_PAGE_FREE:
		a->err = ev_free(a, ev, ev->args[1], ev->args[2], sel);
		break;
	case GOTRACE_EV_MM_PAGE_FREE_BATCHED:
		a->err = ev_free(a, ev, 0, ev->args[1], sel);
		break;
	case GOTRACE_EV_MM_PAGE_PCPU_DRAIN:
	case GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG:
		ev_page_misc(a, ev, sel);
		break;
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN:
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END:
		a->err = ev_direct_reclaim(a, ev, sel);
		break;
	case GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE:
	case GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP:
		ev_kswapd(a, ev, sel);
		break;
	case GOTRACE_EV_MM_COMPACTION_BEGIN:
	case GOTRACE_EV_MM_COMPACTION_END:
		a->err = ev_compaction(a, ev, sel);
		break;
	}
	return a->err;
}

static int group_key_cmp(const struct ga_group *p, const struct ga_group *q)
{
	unsigned int k;

	for (k = 0; k < GA_KEY_NR; k++) {
		if (p->key[k] != q->key[k])
			return p->key[k] < q->key[k] ? -1 : 1;
	}
	return 0;
}

static int group_sort_key(const void *x, const void *y)
{
	return group_key_cmp(x, y);
}

/* leak candidates first, by pages; then by pages allocated */
static int group_rank(const void *x, const void *y)
{
	const struct ga_group *p = x, *q = y;

	if (p->outstanding_pages != q->outstanding_pages)
		return p->outstanding_pages > q->outstanding_pages ? -1 : 1;
	if (p->alloc_pages != q->alloc_pages)
		return p->alloc_pages > q->alloc_pages ? -1 : 1;
	return group_key_cmp(p, q);
}

static int site_cmp(const void *x, const void *y)
{
	const struct ga_site *p = x, *q = y;

	if (p->alloc_pages != q->alloc_pages)
		return p->alloc_pages > q->alloc_pages ? -1 : 1;
	if (p->stack_id != q->stack_id)
		return p->stack_id < q->stack_id ? -1 : 1;
	if (p->pid != q->pid)
		return p->pid < q->pid ? -1 : 1;
	if (p->order != q->order)
		return p->order < q->order ? -1 : 1;
	return p->gfp < q->gfp ? -1 : p->gfp > q->gfp;
}

static int task_cmp(const void *x, const void *y)
{
	const struct ga_task *p = x, *q = y;

	return p->pid < q->pid ? -1 : p->pid > q->pid;
}

static int stack_cmp(const void *x, const void *y)
{
	const struct ga_stack *p = x, *q = y;

	if (p->alloc_pages != q->alloc_pages)
		return p->alloc_pages > q->alloc_pages ? -1 : 1;
	return p->id < q->id ? -1 : p->id > q->id;
}

static int gfp_cmp(const void *x, const void *y)
{
	const struct ga_gfp *p = x, *q = y;

	if (p->allocs != q->allocs)
		return p->allocs > q->allocs ? -1 : 1;
	return p->gfp < q->gfp ? -1 : p->gfp > q->gfp;
}

static int task_active(const struct ga_task *t)
{
	return t->allocs || t->alloc_fails || t->frees || t->outstanding ||
	       t->runtime_ns || t->switches || t->wakeups || t->migrations ||
	       t->wake_lat.count || t->reclaim.count || t->reclaimed ||
	       t->compaction.count;
}

/* The allocations of the sites, and their leak candidates, by ga_opts.by. */
static int finish_groups(struct ga *a, const struct ga_group *leaks)
{
	struct ga_result *res = &a->res;
	struct ga_group *g;
	size_t i, n = 0;
	unsigned int k;

	g = calloc(res->nr_sites ? res->nr_sites : 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (i = 0; i < res->nr_sites; i++) {
		const struct ga_site *site = &res->sites[i];
		struct task *t = task_get(a, site->pid);
		struct ga_src src = {
			.stack_id = site->stack_id, .pid = site->pid,
			.tgid = t && t->t.tgid ? t->t.tgid : site->pid,
			.cgroup = site->cgroup,
		};

		if (!t) {
			free(g);
			return -ENOMEM;
		}
		g[i] = leaks[i];
		for (k = 0; k < GA_KEY_NR; k++)
			g[i].key[k] = res->by & (1U << k) ?
				      ga_keys[k].of(&src) : 0;
		g[i].allocs = site->allocs;
		g[i].alloc_pages = site->alloc_pages;
	}
	qsort(g, res->nr_sites, sizeof(*g), group_sort_key);
	for (i = 0; i < res->nr_sites; i++) {
		struct ga_group *d = &g[n ? n - 1 : 0];

		if (n && !group_key_cmp(d, &g[i])) {
			if (g[i].outstanding && (!d->outstanding ||
						 g[i].oldest_ts < d->oldest_ts))
				d->oldest_ts = g[i].oldest_ts;
			d->allocs += g[i].allocs;
			d->alloc_pages += g[i].alloc_pages;
			d->outstanding += g[i].outstanding;
			d->outstanding_pages += g[i].outstanding_pages;
			d->outstanding_bytes += g[i].outstanding_bytes;
		} else {
			g[n++] = g[i];
		}
	}
	qsort(g, n, sizeof(*g), group_rank);
	res->groups = g;
	res->nr_groups = n;
	for (i = 0; i < n && g[i].outstanding; i++)
		;
	res->nr_leak_groups = i;
	return 0;
}

/*
 * Outstanding pages: the selected pages alive at the end, summed by task,
 * stack, site and zone; those older than older_ns by site, then by group.
 */
static int finish_pages(struct ga *a)
{
	struct ga_result *res = &a->res;
	struct ga_group *leaks;
	size_t i;
	int ret = -ENOMEM;

	leaks = calloc(res->nr_sites ? res->nr_sites : 1, sizeof(*leaks));
	if (!leaks)
		return -ENOMEM;
	for (i = 0; i < a->pages.size; i++) {
		const struct gt_page *pg = &a->pages.p[i];
		uint64_t pages = order_pages(pg->order);
		struct ga_group *l = &leaks[pg->tag];
		struct ga_stack *s;
		struct task *t;

		if ((pg->flags & (GT_PAGE_USED | PG_SELECTED)) !=
		    (GT_PAGE_USED | PG_SELECTED))
			continue;
		res->outstanding++;
		res->outstanding_pages += pages;
		res->order[order_slot(pg->order)].outstanding++;
		ga_zone_outstanding(res, pg->pfn, pages);
		ga_cgroup_outstanding(res, pg->pfn, pages);
		t = task_get(a, pg->pid);
		s = stack_get(a, pg->stack);
		if (!t || !s)
			goto out;
		t->t.outstanding++;
		t->t.outstanding_pages += pages;
		s->outstanding++;
		s->outstanding_pages += pages;
		res->sites[pg->tag].outstanding++;
		res->sites[pg->tag].outstanding_pages += pages;
		if (pg->ts > res->end_ns || res->end_ns - pg->ts < a->o.older_ns)
			continue;
		res->leak_allocs++;
		res->leak_pages += pages;
		if (!l->outstanding || pg->ts < l->oldest_ts)
			l->oldest_ts = pg->ts;
		l->outstanding++;
		l->outstanding_pages += pages;
		l->outstanding_bytes += pages * res->page_size;
	}
	res->outstanding_bytes = res->outstanding_pages * res->page_size;
	if (finish_groups(a, leaks))
		goto out;
	if (res->nr_sites > 1)
		qsort(res->sites, res->nr_sites, sizeof(*res->sites), site_cmp);
	ret = 0;
out:
	free(leaks);
	return ret;
}

int ga_finish(struct ga *a)
{
	struct ga_result *res = &a->res;
	const struct gt_summary *sum;
	size_t i, n;
	uint32_t c;

	if (a->finished)
		return a->err;
	if (a->err)
		return a->err;
	sum = gt_summary(a->r);
	for (i = 0; i < res->nr_fired; i++)
		if (!res->fired[i].seen)
			fired_comm(&res->fired[i], a->r);
	res->end_ns = a->last_ts;
	if (sum->complete && sum->stop_ns > res->end_ns)
		res->end_ns = sum->stop_ns;
	if (a->past_end || res->end_ns > a->to)
		res->end_ns = a->to;
	if (res->end_ns < a->from)
		res->end_ns = a->from;

	/* open intervals run to the end */
	for (c = 0; c < res->nr_cpus; c++) {
		if (a->cs[c].known &&
		    account_run(a, c, a->cs[c].curr, res->end_ns))
			return a->err = -ENOMEM;
	}
	for (i = 0; i < a->nr_tasks; i++) {
		struct task *t = &a->tasks[i];
		uint64_t d;

		if (t->in_dr && t->dr_ts >= a->from && pid_ok(a, t->t.pid)) {
			d = res->end_ns - t->dr_ts;
			if (hist_add(&t->t.reclaim, d) ||
			    hist_add(&res->reclaim, d))
				return a->err = -ENOMEM;
			res->reclaim_unfinished++;
		}
		if (t->in_cp && t->cp_ts >= a->from && pid_ok(a, t->t.pid)) {
			d = res->end_ns - t->cp_ts;
			if (hist_add(&t->t.compaction, d) ||
			    hist_add(&res->compaction, d))
				return a->err = -ENOMEM;
		}
	}
	for (i = 0; i < GA_MAX_NODES; i++) {
		if (a->kswapd_on[i] && a->o.filter.pid < 0) {
			uint64_t d = clip(a, a->kswapd_since[i], res->end_ns);

			res->kswapd_node_ns[i] += d;
			res->kswapd_active_ns += d;
		}
	}
	if (finish_pages(a))
		return a->err = -ENOMEM;
	ga_cgroups_finish(&a->res);

	/* tasks: the selected, active ones, by pid */
	res->tasks = calloc(a->nr_tasks ? a->nr_tasks : 1,
			    sizeof(*res->tasks));
	if (!res->tasks)
		return a->err = -ENOMEM;
	for (i = 0, n = 0; i < a->nr_tasks; i++) {
		struct task *t = &a->tasks[i];
		const char *comm;

		if (!pid_ok(a, t->t.pid) || !task_active(&t->t))
			continue;
		comm = gt_comm(a->r, t->t.pid);
		if (comm) {
			snprintf(t->comm, sizeof(t->comm), "%s", comm);
			t->t.comm = t->comm;
		} else {
			res->unnamed_pids++;
		}
		res->tasks[n++] = t->t;
		/* the histograms now belong to res->tasks */
		memset(&t->t.wake_lat, 0, sizeof(t->t.wake_lat));
		memset(&t->t.reclaim, 0, sizeof(t->t.reclaim));
		memset(&t->t.compaction, 0, sizeof(t->t.compaction));
	}
	res->nr_tasks = n;
	qsort(res->tasks, n, sizeof(*res->tasks), task_cmp);

	res->stacks = a->stacks;
	res->nr_stacks = a->nr_stacks;
	if (res->nr_stacks > 1)
		qsort(res->stacks, res->nr_stacks, sizeof(*res->stacks),
		      stack_cmp);
	res->gfp = a->gfp;
	if (res->nr_gfp > 1)
		qsort(res->gfp, res->nr_gfp, sizeof(*res->gfp), gfp_cmp);

	/* trace health */
	res->complete = sum->complete;
	res->truncated = sum->truncated;
	res->lost = sum->lost;
	res->reader_skipped = sum->reader_skipped;
	res->snapshot = sum->snapshot;
	res->overwritten_batches = sum->overwritten_batches;
	res->overwritten_events = sum->overwritten_events;
	for (c = 0; c < res->nr_cpus && c < sum->nr_cpus; c++) {
		const struct gt_cpu_summary *cs = &sum->cpus[c];
		struct ga_cpu *rc = &res->cpus[c];

		rc->cpu = c;
		rc->events_total = cs->events;
		rc->lost = cs->lost;
		rc->batches = cs->batches;
		rc->seq_gaps = cs->seq_gaps;
		rc->has_end = cs->has_end;
		res->seq_gaps += cs->seq_gaps;
	}
	a->finished = 1;
	return 0;
}

int ga_run(struct ga *a)
{
	struct gt_event ev;
	int ret;

	while ((ret = gt_next(a->r, &ev)) > 0) {
		ret = ga_event(a, &ev);
		if (ret < 0)
			return ret;
		if (ret > 0)
			break;
	}
	if (ret < 0) {
		a->res.decode_error = 1;
		snprintf(a->res.error, sizeof(a->res.error), "%s",
			 gt_error(a->r));
	}
	if (ga_finish(a))
		return a->err;
	return ret < 0 ? ret : 0;
}

const struct ga_result *ga_result(const struct ga *a)
{
	return &a->res;
}

const struct ga_task *ga_task_find(const struct ga_result *res, uint32_t pid)
{
	size_t lo = 0, hi = res->nr_tasks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (res->tasks[mid].pid == pid)
			return &res->tasks[mid];
		if (res->tasks[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void ga_free(struct ga *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nr_tasks; i++) {
		hist_free(&a->tasks[i].t.wake_lat);
		hist_free(&a->tasks[i].t.reclaim);
		hist_free(&a->tasks[i].t.compaction);
	}
	for (i = 0; i < a->res.nr_tasks; i++) {
		hist_free(&a->res.tasks[i].wake_lat);
		hist_free(&a->res.tasks[i].reclaim);
		hist_free(&a->res.tasks[i].compaction);
	}
	for (i = 0; i < GA_ORDERS; i++)
		hist_free(&a->res.order[i].lifetime);
	hist_free(&a->res.lifetime);
	hist_free(&a->res.reclaim);
	hist_free(&a->res.compaction);
	hist_free(&a->res.wake_lat);
	free(a->res.tasks);
	free(a->res.groups);
	free(a->res.sites);
	free(a->site_next);
	imap_free(&a->site_map);
	free(a->res.buckets);
	free(a->res.cpus);
	ga_zones_free(&a->res);
	ga_cgroups_free(&a->res);
	free(a->res.fired);
	free(a->tasks);
	free(a->stacks);
	free(a->gfp);
	imap_free(&a->task_map);
	imap_free(&a->stack_map);
	imap_free(&a->gfp_map);
	gt_page_map_free(&a->pages);
	free(a->cs);
	free(a);
}
