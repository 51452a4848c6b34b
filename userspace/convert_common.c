// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the converters: a u32-keyed map, pages alive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

void cv_map_init(struct cv_map *m)
{
	memset(m, 0, sizeof(*m));
}

/* A slot is used when its value is not NULL. */
static size_t cv_slot(const struct cv_map *m, uint32_t key)
{
	size_t i = (key * 0x9e3779b1U) & (m->cap - 1);

	while (m->vals[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *cv_map_get(const struct cv_map *m, uint32_t key)
{
	if (!m->cap)
		return NULL;
	return m->vals[cv_slot(m, key)];
}

static int cv_map_grow(struct cv_map *m)
{
	struct cv_map n;
	size_t i;

	n.cap = m->cap ? m->cap * 2 : 1024;
	n.nr = 0;
	n.keys = malloc(n.cap * sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		if (m->vals[i]) {
			size_t j = cv_slot(&n, m->keys[i]);

			n.keys[j] = m->keys[i];
			n.vals[j] = m->vals[i];
			n.nr++;
		}
	}
	free(m->keys);
	free(m->vals);
	*m = n;
	return 0;
}

int cv_map_put(struct cv_map *m, uint32_t key, void *val)
{
	size_t i;

	if (!val)
		return -EINVAL;
	if ((m->nr + 1) * 2 > m->cap && cv_map_grow(m))
		return -ENOMEM;
	i = cv_slot(m, key);
	if (m->vals[i])
		return -EEXIST;
	m->keys[i] = key;
	m->vals[i] = val;
	m->nr++;
	return 0;
}

void *cv_map_add_zeroed(struct cv_map *m, uint32_t key, size_t size)
{
	void *val = calloc(1, size);

	if (val && cv_map_put(m, key, val)) {
		free(val);
		return NULL;
	}
	return val;
}

void cv_map_each(struct cv_map *m, void (*fn)(void *val, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (m->vals[i])
			fn(m->vals[i], arg);
	}
}

void cv_map_free(struct cv_map *m, int free_vals)
{
	size_t i;

	if (free_vals) {
		for (i = 0; i < m->cap; i++)
			free(m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	cv_map_init(m);
}

uint64_t cv_page_alloc(struct gt_page_map *m, uint64_t pfn, uint64_t order,
		       unsigned int *old_order)
{
	struct gt_page *pg;
	int old;

	if (pfn == ~0ULL || order >= 32)
		return 0;
	pg = gt_page_get(m, pfn, &old);
	if (!pg)
		return 0;
	*old_order = pg->order;
	pg->order = (uint8_t)order;
	return old ? cv_order_pages(*old_order) : 0;
}

uint64_t cv_page_free(struct gt_page_map *m, uint64_t pfn, unsigned int *order)
{
	struct gt_page *pg = gt_page_find(m, pfn);

	if (!pg)
		return 0;
	*order = pg->order;
	gt_page_del(m, pg);
	return cv_order_pages(*order);
}

