// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel symbol tables and the SYMBOLS record of a trace's stacks: the
 * symbols that hold the return addresses of its STACK records, from
 * /proc/kallsyms (or $GOTRACE_KALLSYMS, for tests) on the traced machine,
 * or from a kallsyms copy, System.map or vmlinux of the traced build
 * elsewhere (cmd_symbolize.c checks the build and the KASLR shift).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "gotrace_reader.h"
#include "ksyms.h"

void ksyms_free(struct ksyms *k)
{
	size_t i;

	for (i = 0; i < k->nr; i++) {
		free(k->s[i].name);
		free(k->s[i].module);
	}
	free(k->s);
	memset(k, 0, sizeof(*k));
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int u64_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Add a symbol (name and module copied); -1: no memory. */
int ksyms_add(struct ksyms *k, uint64_t addr, uint64_t size, const char *name,
	      const char *module)
{
	struct ksym *e;

	if (k->nr == k->cap) {
		size_t nc = k->cap ? k->cap * 2 : 4096;
		struct ksym *s = realloc(k->s, nc * sizeof(*s));

		if (!s)
			return -1;
		k->s = s;
		k->cap = nc;
	}
	e = &k->s[k->nr];
	e->addr = addr;
	e->size = size;
	e->name = strdup(name);
	e->module = module ? strdup(module) : NULL;
	if (!e->name || (module && !e->module)) {
		free(e->name);
		free(e->module);
		return -1;
	}
	k->nr++;
	return 0;
}

void ksyms_sort(struct ksyms *k)
{
	if (k->nr)
		qsort(k->s, k->nr, sizeof(*k->s), ksym_cmp);
}

size_t ksyms_drop_modules(struct ksyms *k)
{
	size_t i, n = 0, dropped;

	for (i = 0; i < k->nr; i++) {
		if (k->s[i].module) {
			free(k->s[i].name);
			free(k->s[i].module);
		} else {
			k->s[n++] = k->s[i];
		}
	}
	dropped = k->nr - n;
	k->nr = n;
	return dropped;
}

uint64_t ksyms_lookup(const struct ksyms *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->nr; i++)
		if (!k->s[i].module && !strcmp(k->s[i].name, name))
			return k->s[i].addr;
	return 0;
}

/*
 * Text symbols of kallsyms or System.map (the same format), sorted by
 * address; -1 after a message.
 */
int ksyms_load_text(const char *path, struct ksyms *k)
{
	char *line = NULL, name[512], mod[128];
	size_t cap = 0;
	int nonzero = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		gt_warn("%s: %s: stacks stay unsymbolised", path,
			strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		unsigned long long ull;
		uint64_t addr;
		char type;
		int n;

		mod[0] = '\0';
		n = sscanf(line, "%llx %c %511s %127s", &ull, &type, name,
			   mod);
		addr = ull;
		if (n < 3 || !strchr("tTwW", type))
			continue;
		if (n == 4 && mod[0] == '[')
			mod[strcspn(mod, "]")] = '\0';
		if (ksyms_add(k, addr, 0, name,
			      n == 4 && mod[0] == '[' ? mod + 1 : NULL))
			goto nomem;
		nonzero |= addr != 0;
	}
	free(line);
	fclose(f);
	if (!k->nr) {
		gt_warn("%s has no text symbols (Debian's linux-image packages ship a stub System.map: the real one is in linux-image-*-dbg)",
			path);
		return -1;
	}
	if (!nonzero) {
		gt_warn("%s shows no addresses (kptr_restrict?): stacks stay unsymbolised",
			path);
		return -1;
	}
	ksyms_sort(k);
	return 0;
nomem:
	free(line);
	fclose(f);
	gt_warn("%s", strerror(ENOMEM));
	return -1;
}

/*
 * Index of the symbol of k that holds the runtime address addr: the last
 * one at or below it once shifted, at most max_off bytes below it and
 * within its ELF size; -1 if none.  *size gets how far the symbol reaches.
 */
static long ksym_find(const struct ksyms *k, uint64_t addr, int64_t shift,
		      uint64_t max_off, uint64_t *size)
{
	size_t lo = 0, hi = k->nr, j;
	const struct ksym *s;
	uint64_t a;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->s[mid].addr + shift <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	s = &k->s[lo - 1];
	a = s->addr + shift;
	/* the next symbol at another address ends this one */
	*size = max_off;
	for (j = lo; j < k->nr && k->s[j].addr == s->addr; j++)
		;
	if (j < k->nr && k->s[j].addr - s->addr < *size)
		*size = k->s[j].addr - s->addr;
	/* a return address may be the end of a function (noreturn call) */
	if (s->size && s->size + 1 < *size)
		*size = s->size + 1;
	return addr - a < *size ? (long)(lo - 1) : -1;
}

/* Unique return addresses of all the stacks (*nr SIZE_MAX: no memory). */
uint64_t *stack_addrs(struct gt_reader *r, size_t *nr)
{
	size_t i, n = 0, cap = 0, u;
	uint64_t *a = NULL;

	for (i = 0; i < gt_nr_stacks(r); i++) {
		const uint64_t *f;
		int k, nf = gt_stack(r, gt_stack_id(r, i), &f);

		for (k = 0; k < nf; k++) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 1024;
				uint64_t *t = realloc(a, nc * sizeof(*t));

				if (!t) {
					free(a);
					*nr = SIZE_MAX;
					return NULL;
				}
				a = t;
				cap = nc;
			}
			a[n++] = f[k];
		}
	}
	if (!n) {
		*nr = 0;
		return a;
	}
	qsort(a, n, sizeof(*a), u64_cmp);
	for (i = 1, u = 1; i < n; i++) {
		if (a[i] != a[u - 1])
			a[u++] = a[i];
	}
	*nr = u;
	return a;
}

static int put(uint8_t **buf, size_t *len, size_t *cap, const void *p,
	       size_t n)
{
	if (!n)
		return 0;
	if (*len + n > *cap) {
		size_t nc = *cap ? *cap : 4096;
		uint8_t *b;

		while (*len + n > nc)
			nc *= 2;
		b = realloc(*buf, nc);
		if (!b)
			return -1;
		*buf = b;
		*cap = nc;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	return 0;
}

uint8_t *ksyms_build_record(const struct ksyms *k, const uint64_t *addrs,
			    size_t n, int64_t shift, uint64_t max_off,
			    size_t *rlen, size_t *nr_syms)
{
	static const uint8_t zero[8];
	struct gotrace_symbols sh;
	size_t len = 0, cap = 0, i, nr = 0;
	long last = -1;
	uint8_t *buf = NULL;

	memset(&sh, 0, sizeof(sh));
	if (put(&buf, &len, &cap, &sh, sizeof(sh)))
		goto nomem;
	for (i = 0; i < n; i++) {
		uint64_t size;
		long j = ksym_find(k, addrs[i], shift, max_off, &size);
		const struct ksym *s;
		struct gotrace_symbol e;

		if (j < 0 || j == last)
			continue;
		last = j;
		s = &k->s[j];
		e.addr = s->addr + shift;
		e.size = (uint32_t)size;
		e.name_len = (uint16_t)strnlen(s->name, UINT16_MAX);
		e.module_len = s->module ?
			       (uint16_t)strnlen(s->module, UINT16_MAX) : 0;
		if (put(&buf, &len, &cap, &e, sizeof(e)) ||
		    put(&buf, &len, &cap, s->name, e.name_len) ||
		    put(&buf, &len, &cap, s->module, e.module_len) ||
		    put(&buf, &len, &cap, zero, (8 - len % 8) % 8))
			goto nomem;
		nr++;
	}
	sh.rec.type = GOTRACE_REC_SYMBOLS;
	sh.rec.len = (uint32_t)len;
	sh.nr = (uint32_t)nr;
	memcpy(buf, &sh, sizeof(sh));
	*rlen = len;
	*nr_syms = nr;
	return buf;
nomem:
	free(buf);
	gt_warn("%s", strerror(ENOMEM));
	return NULL;
}

size_t srcline_str(const struct gt_reader *r, uint64_t addr, int i, char *buf,
		   size_t size)
{
	const char *func, *file;
	uint32_t line;
	int n;

	if (gt_srcline(r, addr, i, &func, &file, &line))
		return 0;
	n = snprintf(buf, size, "%s %s:%u%s", *func ? func : "?",
		     *file ? file : "?", line,
		     i + 1 < gt_nr_srclines(r, addr) ? " (inlined)" : "");
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

int append_record(const char *path, const uint8_t *rec, size_t rlen)
{
	off_t size;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		gt_warn("%s: %s: symbols not added", path, strerror(errno));
		return -1;
	}
	size = lseek(fd, 0, SEEK_END);
	if (write(fd, rec, rlen) != (ssize_t)rlen) {
		gt_warn("%s: %s: symbols not added", path, strerror(errno));
		if (size >= 0 && ftruncate(fd, size) < 0)
			gt_warn("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		gt_warn("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The live kernel's symbols, for "record" on the traced machine. */
int append_symbols(const char *path, size_t *nr_syms, size_t *nr_stacks)
{
	const char *kpath = getenv("GOTRACE_KALLSYMS");
	struct ksyms k = { 0 };
	struct gt_reader *r;
	uint64_t *addrs = NULL;
	size_t n = 0, rlen;
	uint8_t *rec = NULL;
	int ret = -1;

	*nr_syms = 0;
	*nr_stacks = 0;
	if (gt_open_file(path, &r)) {
		gt_warn("%s", gt_error(NULL));
		return -1;
	}
	*nr_stacks = gt_nr_stacks(r);
	if (!*nr_stacks || !gt_summary(r)->complete) {
		gt_close(r);
		return 0;
	}
	addrs = stack_addrs(r, &n);
	gt_close(r);
	if (n == SIZE_MAX) {
		gt_warn("%s", strerror(ENOMEM));
		return -1;
	}
	if (ksyms_load_text(kpath ? kpath : "/proc/kallsyms", &k))
		goto out;
	rec = ksyms_build_record(&k, addrs, n, 0, KSYMS_DEFAULT_MAX_OFFSET,
				 &rlen, nr_syms);
	if (rec && !append_record(path, rec, rlen))
		ret = 0;
out:
	free(rec);
	free(addrs);
	ksyms_free(&k);
	return ret;
}
