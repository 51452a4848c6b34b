// SPDX-License-Identifier: GPL-2.0
/*
 * ZONES record: the traced machine's NUMA nodes and zones, whose pfn spans
 * attribute a page event to its node and zone.
 */
#include "internal.h"

const struct gotrace_zone *gt_zones(const struct gt_reader *r, size_t *nr)
{
	*nr = r->nr_zones;
	return r->zones;
}

const struct gotrace_zone *gt_zone_of(const struct gt_reader *r, uint64_t pfn)
{
	size_t i;

	for (i = 0; i < r->nr_zones; i++)
		if (pfn >= r->zones[i].start_pfn && pfn < r->zones[i].end_pfn)
			return &r->zones[i];
	return NULL;
}
