// SPDX-License-Identifier: GPL-2.0
/*
 * The pages alive in a trace, keyed by the whole 64-bit pfn: one table for
 * stats, report and the converters.  Open addressing, linear probing,
 * deletion by backward shift (no tombstones), grown at 70% load.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static size_t slot_of(uint64_t pfn, size_t size)
{
	pfn *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(pfn >> 32 ^ pfn) & (size - 1);
}

struct gt_page *gt_page_find(const struct gt_page_map *m, uint64_t pfn)
{
	size_t i;

	if (!m->size)
		return NULL;
	i = slot_of(pfn, m->size);
	while (m->p[i].flags & GT_PAGE_USED) {
		if (m->p[i].pfn == pfn)
			return &m->p[i];
		i = (i + 1) & (m->size - 1);
	}
	return NULL;
}

static int grow(struct gt_page_map *m)
{
	size_t ns = m->size ? m->size * 2 : 4096, j, i;
	struct gt_page *np = calloc(ns, sizeof(*np));

	if (!np)
		return -ENOMEM;
	for (j = 0; j < m->size; j++) {
		if (!(m->p[j].flags & GT_PAGE_USED))
			continue;
		i = slot_of(m->p[j].pfn, ns);
		while (np[i].flags & GT_PAGE_USED)
			i = (i + 1) & (ns - 1);
		np[i] = m->p[j];
	}
	free(m->p);
	m->p = np;
	m->size = ns;
	return 0;
}

struct gt_page *gt_page_get(struct gt_page_map *m, uint64_t pfn, int *old)
{
	size_t i;

	if ((m->used + 1) * 10 > m->size * 7 && grow(m))
		return NULL;
	i = slot_of(pfn, m->size);
	while (m->p[i].flags & GT_PAGE_USED) {
		if (m->p[i].pfn == pfn) {
			*old = 1;
			return &m->p[i];
		}
		i = (i + 1) & (m->size - 1);
	}
	*old = 0;
	m->used++;
	memset(&m->p[i], 0, sizeof(m->p[i]));
	m->p[i].pfn = pfn;
	m->p[i].flags = GT_PAGE_USED;
	return &m->p[i];
}

void gt_page_del(struct gt_page_map *m, struct gt_page *pg)
{
	size_t mask = m->size - 1, i = pg - m->p, j = i, k;

	for (;;) {
		j = (j + 1) & mask;
		if (!(m->p[j].flags & GT_PAGE_USED))
			break;
		k = slot_of(m->p[j].pfn, m->size);
		/* move j to i unless its home slot k lies in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		m->p[i] = m->p[j];
		i = j;
	}
	m->p[i].flags = 0;
	m->used--;
}

void gt_page_map_free(struct gt_page_map *m)
{
	free(m->p);
	memset(m, 0, sizeof(*m));
}
