// SPDX-License-Identifier: GPL-2.0
/*
 * "gotrace stats" by NUMA node and zone: the ZONES record's pfn spans
 * attribute allocations, frees, outstanding pages and external
 * fragmentation to a zone; kswapd wakes name their node and zone, and a
 * compaction its zone's first pfn.  Direct reclaim has no node in its
 * tracepoint: it stays machine-wide.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"

int ga_zones_init(struct ga_result *res, struct gt_reader *r)
{
	const struct gotrace_zone *z;
	size_t i, n;

	z = gt_zones(r, &n);
	if (!n)
		return 0;
	res->zones = calloc(n, sizeof(*res->zones));
	if (!res->zones)
		return -1;
	for (i = 0; i < n; i++)
		res->zones[i].zone = z[i];
	res->nr_zones = n;
	return 0;
}

void ga_zones_free(struct ga_result *res)
{
	free(res->zones);
	res->zones = NULL;
	res->nr_zones = 0;
}

struct ga_zone *ga_zone_of(const struct ga_result *res, uint64_t pfn)
{
	size_t i;

	for (i = 0; i < res->nr_zones; i++)
		if (pfn >= res->zones[i].zone.start_pfn &&
		    pfn < res->zones[i].zone.end_pfn)
			return &res->zones[i];
	return NULL;
}

struct ga_zone *ga_zone_id(const struct ga_result *res, uint64_t nid,
			   uint64_t zid)
{
	size_t i;

	for (i = 0; i < res->nr_zones; i++)
		if (res->zones[i].zone.nid == nid &&
		    res->zones[i].zone.zid == zid)
			return &res->zones[i];
	return NULL;
}

void ga_zone_alloc(struct ga_result *res, uint64_t pfn, uint64_t pages)
{
	struct ga_zone *z = ga_zone_of(res, pfn);

	if (!z) {
		res->zone_unknown_allocs += !!res->nr_zones;
		return;
	}
	z->allocs++;
	z->alloc_pages += pages;
}

void ga_zone_free(struct ga_result *res, uint64_t pfn, uint64_t pages)
{
	struct ga_zone *z = ga_zone_of(res, pfn);

	if (z) {
		z->frees++;
		z->free_pages += pages;
	}
}

void ga_zone_outstanding(struct ga_result *res, uint64_t pfn, uint64_t pages)
{
	struct ga_zone *z = ga_zone_of(res, pfn);

	if (z) {
		z->outstanding++;
		z->outstanding_pages += pages;
	}
}

void ga_zone_extfrag(struct ga_result *res, uint64_t pfn,
		     unsigned int order_slot, unsigned int alloc_mt,
		     unsigned int fallback_mt)
{
	struct ga_zone *z = ga_zone_of(res, pfn);

	if (z) {
		z->extfrag++;
		z->extfrag_order[order_slot]++;
		z->extfrag_mt[alloc_mt][fallback_mt]++;
	}
}

void ga_zone_kswapd_wake(struct ga_result *res, uint64_t nid, uint64_t zid)
{
	struct ga_zone *z = ga_zone_id(res, nid, zid);

	if (z)
		z->kswapd_wakes++;
}

void ga_zone_compaction(struct ga_result *res, uint64_t zone_start)
{
	struct ga_zone *z = ga_zone_of(res, zone_start);

	if (z)
		z->compactions++;
}
