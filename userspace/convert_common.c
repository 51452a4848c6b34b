// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the converters: a u32-keyed map, the TASKS record, JSON
 * strings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

#define CV_EMPTY	0xffffffffU	/* no key (not a pid nor a stack id) */

void cv_map_init(struct cv_map *m)
{
	memset(m, 0, sizeof(*m));
}

static size_t cv_slot(const struct cv_map *m, uint32_t key)
{
	size_t i = (key * 0x9e3779b1U) & (m->cap - 1);

	while (m->keys[i] != CV_EMPTY && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *cv_map_get(const struct cv_map *m, uint32_t key)
{
	size_t i;

	if (!m->cap || key == CV_EMPTY)
		return NULL;
	i = cv_slot(m, key);
	return m->keys[i] == key ? m->vals[i] : NULL;
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
		return -1;
	}
	memset(n.keys, 0xff, n.cap * sizeof(*n.keys));
	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] != CV_EMPTY) {
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

	if (key == CV_EMPTY)
		return -1;
	if ((m->nr + 1) * 2 > m->cap && cv_map_grow(m))
		return -1;
	i = cv_slot(m, key);
	if (m->keys[i] != key) {
		m->keys[i] = key;
		m->nr++;
	}
	m->vals[i] = val;
	return 0;
}

void cv_map_each(struct cv_map *m, void (*fn)(void *val, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (m->keys[i] != CV_EMPTY)
			fn(m->vals[i], arg);
	}
}

void cv_map_free(struct cv_map *m, int free_vals)
{
	size_t i;

	if (free_vals) {
		for (i = 0; i < m->cap; i++) {
			if (m->keys[i] != CV_EMPTY)
				free(m->vals[i]);
		}
	}
	free(m->keys);
	free(m->vals);
	cv_map_init(m);
}

uint64_t cv_page_alloc(struct cv_map *m, uint64_t pfn, uint64_t order,
		       unsigned int *old_order)
{
	uintptr_t old;

	if (pfn >= 0xffffffffULL || order >= 32)
		return 0;
	old = (uintptr_t)cv_map_get(m, (uint32_t)pfn);
	cv_map_put(m, (uint32_t)pfn, (void *)(uintptr_t)(order + 1));
	if (!old)
		return 0;
	*old_order = (unsigned int)(old - 1);
	return cv_order_pages(old - 1);
}

uint64_t cv_page_free(struct cv_map *m, uint64_t pfn, unsigned int *order)
{
	uintptr_t old;

	if (pfn >= 0xffffffffULL)
		return 0;
	old = (uintptr_t)cv_map_get(m, (uint32_t)pfn);
	if (!old)
		return 0;
	cv_map_put(m, (uint32_t)pfn, NULL);
	*order = (unsigned int)(old - 1);
	return cv_order_pages(old - 1);
}

/* The TASKS record comes right after HEADER and GFP_NAMES. */
int cv_load_tasks(const char *path, struct cv_map *m)
{
	struct gotrace_record rec;
	struct gotrace_tasks th;
	struct gotrace_task t;
	char magic[GOTRACE_MAGIC_LEN];
	FILE *f;
	int i;
	uint32_t k;

	f = fopen(path, "rb");
	if (!f)
		return -1;
	if (fread(magic, 1, sizeof(magic), f) != sizeof(magic) ||
	    memcmp(magic, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN))
		goto out;
	for (i = 0; i < 8; i++) {
		long pos = ftell(f);

		if (fread(&rec, sizeof(rec), 1, f) != 1 || rec.len < sizeof(rec))
			break;
		if (rec.type == GOTRACE_REC_BATCH)
			break;
		if (rec.type != GOTRACE_REC_TASKS || rec.len < sizeof(th)) {
			if (fseek(f, pos + rec.len, SEEK_SET))
				break;
			continue;
		}
		if (fseek(f, pos, SEEK_SET) || fread(&th, sizeof(th), 1, f) != 1)
			break;
		if (th.nr > (rec.len - sizeof(th)) / sizeof(t))
			break;
		for (k = 0; k < th.nr; k++) {
			struct cv_task_info *ti;

			if (fread(&t, sizeof(t), 1, f) != 1)
				break;
			ti = malloc(sizeof(*ti));
			if (!ti)
				break;
			ti->pid = t.pid;
			ti->tgid = t.tgid;
			ti->flags = t.flags;
			if (cv_map_put(m, t.pid, ti)) {
				free(ti);
				break;
			}
		}
		break;
	}
out:
	fclose(f);
	return 0;
}

static int loss_cmp(const void *a, const void *b)
{
	const struct cv_loss *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

long cv_load_losses(const char *path, struct cv_loss **out)
{
	struct gotrace_batch b;
	struct cv_loss *v = NULL, *nv;
	char magic[GOTRACE_MAGIC_LEN];
	size_t n = 0, cap = 0;
	long pos = GOTRACE_MAGIC_LEN;
	FILE *f;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return -1;
	if (fread(magic, 1, sizeof(magic), f) != sizeof(magic)) {
		fclose(f);
		return 0;
	}
	for (;;) {
		if (fseek(f, pos, SEEK_SET) ||
		    fread(&b.rec, sizeof(b.rec), 1, f) != 1 ||
		    b.rec.len < sizeof(b.rec) || b.rec.len & 7)
			break;
		if (b.rec.type == GOTRACE_REC_BATCH && b.rec.len >= sizeof(b) &&
		    fread((char *)&b + sizeof(b.rec), sizeof(b) - sizeof(b.rec),
			  1, f) == 1 && b.lost) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					break;
				v = nv;
			}
			v[n].ts = b.base_ts;
			v[n].lost = b.lost;
			n++;
		}
		pos += b.rec.len;
	}
	fclose(f);
	if (n)
		qsort(v, n, sizeof(*v), loss_cmp);
	*out = v;
	return (long)n;
}

void cv_json_strn(FILE *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	putc('"', f);
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
		} else if (c < 0x20 || c >= 0x7f) {
			/* bytes, not UTF-8: each one is a code point */
			fputs("\\u00", f);
			putc(hex[c >> 4], f);
			putc(hex[c & 15], f);
		} else {
			putc(c, f);
		}
	}
	putc('"', f);
}

void cv_json_str(FILE *f, const char *s)
{
	cv_json_strn(f, s, (size_t)-1);
}
