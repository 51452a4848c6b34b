// SPDX-License-Identifier: GPL-2.0
/*
 * STACK records (kernel stacks of the events) and the SYMBOLS record
 * (kernel symbols a tool appended to a trace so that its stacks can be
 * symbolised on another machine).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Bytes of one entry: the fixed part, the two strings, padding to 8. */
#define SYM_FIXED	16

static size_t sym_entry_len(uint16_t name_len, uint16_t module_len)
{
	return (SYM_FIXED + name_len + module_len + 7) & ~(size_t)7;
}

/*
 * Load the SYMBOLS record at off.  A malformed record is ignored (the
 * trace does not depend on it).  Return 0 or -ENOMEM/-EIO.
 */
int gt_load_symbols(struct gt_reader *r, uint64_t off, uint32_t len)
{
	const size_t hl = sizeof(struct gotrace_symbols);
	struct gotrace_symbols sh;
	struct gt_sym *syms = NULL;
	uint8_t *buf;
	char *pool = NULL;
	size_t pos, used = 0;
	uint32_t i;
	int ret;

	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	ret = gt_read_at(r, off, buf, len);
	if (ret)
		goto out;
	memcpy(&sh, buf, hl);
	ret = -ENOMEM;
	if (sh.nr > (len - hl) / SYM_FIXED) {
		ret = 0;	/* cannot hold nr entries: ignored */
		goto out;
	}
	syms = calloc(sh.nr ? sh.nr : 1, sizeof(*syms));
	pool = malloc(len);	/* names + NULs fit in the record */
	if (!syms || !pool)
		goto out;
	pos = hl;
	for (i = 0; i < sh.nr; i++) {
		struct {
			uint64_t addr;
			uint32_t size;
			uint16_t name_len;
			uint16_t module_len;
		} e;
		size_t el;

		if (len - pos < SYM_FIXED)
			break;
		memcpy(&e, buf + pos, SYM_FIXED);
		el = sym_entry_len(e.name_len, e.module_len);
		if (el > len - pos ||
		    used + e.name_len + e.module_len + 2 > len)
			break;
		if (i && e.addr < syms[i - 1].addr)
			break;		/* must be sorted */
		syms[i].addr = e.addr;
		syms[i].size = e.size;
		syms[i].name = (uint32_t)used;
		memcpy(pool + used, buf + pos + SYM_FIXED, e.name_len);
		used += e.name_len;
		pool[used++] = '\0';
		if (e.module_len) {
			syms[i].module = (uint32_t)used;
			memcpy(pool + used, buf + pos + SYM_FIXED + e.name_len,
			       e.module_len);
			used += e.module_len;
			pool[used++] = '\0';
		} else {
			syms[i].module = GT_NO_MODULE;
		}
		pos += el;
	}
	if (i < sh.nr) {
		ret = 0;	/* malformed: ignored */
		goto out;
	}
	free(r->syms);
	free(r->sympool);
	r->syms = syms;
	r->sympool = pool;
	r->nr_syms = sh.nr;
	syms = NULL;
	pool = NULL;
	ret = 0;
out:
	free(syms);
	free(pool);
	free(buf);
	return ret;
}

const char *gt_symbol(const struct gt_reader *r, uint64_t addr, uint64_t *off,
		      const char **module)
{
	size_t lo = 0, hi = r->nr_syms;
	const struct gt_sym *s;

	/* last symbol with s->addr <= addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s = &r->syms[lo - 1];
	if (s->size && addr - s->addr >= s->size)
		return NULL;
	if (off)
		*off = addr - s->addr;
	if (module)
		*module = s->module == GT_NO_MODULE ? NULL :
			  r->sympool + s->module;
	return r->sympool + s->name;
}

size_t gt_nr_stacks(const struct gt_reader *r)
{
	return r->nr_stacks;
}

uint32_t gt_stack_id(const struct gt_reader *r, size_t i)
{
	return i < r->nr_stacks ? r->stacks[i].id : 0;
}

int gt_stack(struct gt_reader *r, uint32_t id, const uint64_t **frames)
{
	struct gt_stack_ref key = { .id = id }, *s;
	size_t bytes;
	int ret;

	s = r->nr_stacks ? bsearch(&key, r->stacks, r->nr_stacks,
				   sizeof(*s), gt_stack_cmp) : NULL;
	if (!s)
		return -ENOENT;
	if (s->nr > r->cap_frames) {
		uint64_t *f = realloc(r->frames, s->nr * sizeof(*f));

		if (!f)
			return -ENOMEM;
		r->frames = f;
		r->cap_frames = s->nr;
	}
	bytes = (size_t)s->nr * sizeof(uint64_t);
	ret = gt_read_at(r, s->off, r->frames, bytes);
	if (ret)
		return ret;
	*frames = r->frames;
	return (int)s->nr;
}

/* Bytes of one LINES entry: the fixed part, the two strings, padding. */
#define LINE_FIXED	16

/*
 * Load the LINES record at off.  Like SYMBOLS, a malformed record is
 * ignored.  Return 0 or -ENOMEM/-EIO.
 */
int gt_load_lines(struct gt_reader *r, uint64_t off, uint32_t len)
{
	const size_t hl = sizeof(struct gotrace_lines);
	struct gt_line *lines = NULL;
	struct gotrace_lines lh;
	char *pool = NULL;
	size_t pos, used = 0;
	uint8_t *buf;
	uint32_t i;
	int ret;

	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	ret = gt_read_at(r, off, buf, len);
	if (ret)
		goto out;
	memcpy(&lh, buf, hl);
	if (lh.nr > (len - hl) / LINE_FIXED)
		goto out;	/* ignored */
	ret = -ENOMEM;
	lines = calloc(lh.nr ? lh.nr : 1, sizeof(*lines));
	pool = malloc(len);	/* strings + NULs fit in the record */
	if (!lines || !pool)
		goto out;
	ret = 0;
	pos = hl;
	for (i = 0; i < lh.nr; i++) {
		struct gotrace_line e;
		size_t el;

		if (len - pos < LINE_FIXED)
			goto out;
		memcpy(&e, buf + pos, LINE_FIXED);
		el = (LINE_FIXED + e.func_len + e.file_len + 7) & ~(size_t)7;
		if (el > len - pos || used + e.func_len + e.file_len + 2 > len ||
		    (i && e.addr < lines[i - 1].addr))
			goto out;	/* malformed or unsorted: ignored */
		lines[i].addr = e.addr;
		lines[i].line = e.line;
		lines[i].func = (uint32_t)used;
		memcpy(pool + used, buf + pos + LINE_FIXED, e.func_len);
		used += e.func_len;
		pool[used++] = '\0';
		lines[i].file = (uint32_t)used;
		memcpy(pool + used, buf + pos + LINE_FIXED + e.func_len,
		       e.file_len);
		used += e.file_len;
		pool[used++] = '\0';
		pos += el;
	}
	free(r->lines);
	free(r->linepool);
	r->lines = lines;
	r->linepool = pool;
	r->nr_lines = lh.nr;
	lines = NULL;
	pool = NULL;
out:
	free(lines);
	free(pool);
	free(buf);
	return ret;
}

/* Index of the first LINES entry of addr, or nr_lines. */
static size_t first_line(const struct gt_reader *r, uint64_t addr)
{
	size_t lo = 0, hi = r->nr_lines;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->lines[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nr_lines && r->lines[lo].addr == addr ? lo :
	       r->nr_lines;
}

int gt_nr_srclines(const struct gt_reader *r, uint64_t addr)
{
	size_t i = first_line(r, addr), n = 0;

	while (i + n < r->nr_lines && r->lines[i + n].addr == addr)
		n++;
	return (int)n;
}

int gt_srcline(const struct gt_reader *r, uint64_t addr, int i,
	       const char **func, const char **file, uint32_t *line)
{
	size_t k = first_line(r, addr);

	if (i < 0 || k + i >= r->nr_lines || r->lines[k + i].addr != addr)
		return -ENOENT;
	k += i;
	*func = r->linepool + r->lines[k].func;
	*file = r->linepool + r->lines[k].file;
	*line = r->lines[k].line;
	return 0;
}
