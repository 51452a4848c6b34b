// SPDX-License-Identifier: GPL-2.0
/*
 * "gotrace stats" by cgroup (traces with GOTRACE_GROUP_CGROUP): a page
 * belongs to the cgroup v2 of the task that allocated it, at the time of
 * the allocation (the reader follows each task's cgroup through the
 * trace).  That is the cgroup the kernel's memory controller charges for
 * the allocations a task makes for itself; it differs for pages charged
 * to another cgroup (a memcg set by the kernel for the allocation, page
 * cache read on another's behalf, kernel threads' work) and for pages
 * allocated uncharged.  A page's frees count against the cgroup it was
 * allocated in, as the memcg uncharge does, whoever frees it.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

#define NO_CG	UINT32_MAX

/* The row of cgroup id (0: tasks whose cgroup is not known). */
static uint32_t cg_index(struct ga_result *res, const struct gt_reader *r,
			 uint64_t id)
{
	struct ga_cgroups *c = &res->cg;
	const struct gt_cgroup *rec;
	struct ga_cgroup *row;
	size_t i, mask;

	if ((c->nr + 1) * 2 > c->slots_size) {
		size_t size = c->slots_size ? c->slots_size * 2 : 64, k;
		uint32_t *slots = malloc(size * sizeof(*slots));

		if (!slots)
			return NO_CG;
		memset(slots, 0xff, size * sizeof(*slots));
		for (k = 0; k < c->nr; k++) {
			i = (size_t)(c->rows[k].id * 0x9e3779b97f4a7c15ULL) &
			    (size - 1);
			while (slots[i] != NO_CG)
				i = (i + 1) & (size - 1);
			slots[i] = (uint32_t)k;
		}
		free(c->slots);
		c->slots = slots;
		c->slots_size = size;
	}
	mask = c->slots_size - 1;
	i = (size_t)(id * 0x9e3779b97f4a7c15ULL) & mask;
	while (c->slots[i] != NO_CG) {
		if (c->rows[c->slots[i]].id == id)
			return c->slots[i];
		i = (i + 1) & mask;
	}
	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;

		row = realloc(c->rows, cap * sizeof(*row));
		if (!row)
			return NO_CG;
		c->rows = row;
		c->cap = cap;
	}
	row = &c->rows[c->nr];
	memset(row, 0, sizeof(*row));
	row->id = id;
	rec = id ? gt_cgroup(r, id) : NULL;
	if (rec) {
		row->path = rec->path;
		row->flags = rec->flags;
		row->has_record = 1;
	}
	c->slots[i] = (uint32_t)c->nr;
	return (uint32_t)c->nr++;
}

int ga_cgroups_init(struct ga_result *res, struct gt_reader *r)
{
	const struct gotrace_header *h = gt_header(r);

	memset(&res->cg, 0, sizeof(res->cg));
	res->cg.traced = h->version >= 4 &&
			 (h->groups & GOTRACE_GROUP_CGROUP);
	res->cg.lost = gt_summary(r)->cgroups_lost;
	return 0;
}

void ga_cgroups_free(struct ga_result *res)
{
	free(res->cg.rows);
	free(res->cg.slots);
	gt_page_map_free(&res->cg.pages);
	memset(&res->cg, 0, sizeof(res->cg));
}

/* A selected allocation of pages at pfn by pid: 0 or -ENOMEM. */
int ga_cgroup_alloc(struct ga_result *res, const struct gt_reader *r,
		    uint64_t pfn, uint32_t pid, uint64_t pages)
{
	struct gt_page *pg;
	uint32_t k;
	int old;

	if (!res->cg.traced)
		return 0;
	k = cg_index(res, r, gt_task_cgroup(r, pid));
	if (k == NO_CG)
		return -1;
	res->cg.rows[k].allocs++;
	res->cg.rows[k].alloc_pages += pages;
	pg = gt_page_get(&res->cg.pages, pfn, &old);
	if (!pg)
		return -1;
	pg->tag = k;
	return 0;
}

/* Any free of pages at pfn: the cgroup that allocated them frees them. */
void ga_cgroup_free(struct ga_result *res, uint64_t pfn, uint64_t pages)
{
	struct gt_page *pg;

	if (!res->cg.traced)
		return;
	pg = gt_page_find(&res->cg.pages, pfn);
	if (!pg)
		return;
	res->cg.rows[pg->tag].freed_pages += pages;
	gt_page_del(&res->cg.pages, pg);
}

/* Pages at pfn are outstanding at the end (a selected allocation). */
void ga_cgroup_outstanding(struct ga_result *res, uint64_t pfn,
			   uint64_t pages)
{
	const struct gt_page *pg;

	if (!res->cg.traced)
		return;
	pg = gt_page_find(&res->cg.pages, pfn);
	if (!pg)
		return;
	res->cg.rows[pg->tag].outstanding++;
	res->cg.rows[pg->tag].outstanding_pages += pages;
}

static int cg_cmp(const void *a, const void *b)
{
	const struct ga_cgroup *x = a, *y = b;

	if (x->outstanding_pages != y->outstanding_pages)
		return x->outstanding_pages > y->outstanding_pages ? -1 : 1;
	if (x->alloc_pages != y->alloc_pages)
		return x->alloc_pages > y->alloc_pages ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The rows by outstanding pages, then allocated pages (the end). */
void ga_cgroups_finish(struct ga_result *res)
{
	if (res->cg.nr > 1)
		qsort(res->cg.rows, res->cg.nr, sizeof(*res->cg.rows), cg_cmp);
	/* The index no longer matches the order: nothing looks it up. */
	free(res->cg.slots);
	res->cg.slots = NULL;
	res->cg.slots_size = 0;
	gt_page_map_free(&res->cg.pages);
}
