// SPDX-License-Identifier: GPL-2.0
/*
 * Append a SYMBOLS record to a recorded trace: the kernel symbols that
 * contain the return addresses of its STACK records, from /proc/kallsyms
 * (or $GOTRACE_KALLSYMS, for tests), so the trace can be symbolised on
 * another machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "gotrace_reader.h"

struct ksym {
	uint64_t addr;
	char *name;
	char *module;		/* NULL: vmlinux */
};

struct ksyms {
	struct ksym *s;
	size_t nr;
	size_t cap;
};

static void ksyms_free(struct ksyms *k)
{
	size_t i;

	for (i = 0; i < k->nr; i++) {
		free(k->s[i].name);
		free(k->s[i].module);
	}
	free(k->s);
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

/* Text symbols of kallsyms, sorted by address; -1 after a message. */
static int ksyms_load(const char *path, struct ksyms *k)
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
		if (k->nr == k->cap) {
			size_t nc = k->cap ? k->cap * 2 : 4096;
			struct ksym *s = realloc(k->s, nc * sizeof(*s));

			if (!s)
				goto nomem;
			k->s = s;
			k->cap = nc;
		}
		k->s[k->nr].addr = addr;
		k->s[k->nr].name = strdup(name);
		k->s[k->nr].module = NULL;
		if (n == 4 && mod[0] == '[') {
			mod[strcspn(mod, "]")] = '\0';
			k->s[k->nr].module = strdup(mod + 1);
		}
		if (!k->s[k->nr].name) {
			free(k->s[k->nr].module);
			goto nomem;
		}
		k->nr++;
		nonzero |= addr != 0;
	}
	free(line);
	fclose(f);
	if (!nonzero) {
		gt_warn("%s shows no addresses (kptr_restrict?): stacks stay unsymbolised",
			path);
		return -1;
	}
	qsort(k->s, k->nr, sizeof(*k->s), ksym_cmp);
	return 0;
nomem:
	free(line);
	fclose(f);
	gt_warn("%s", strerror(ENOMEM));
	return -1;
}

/* Index of the symbol containing addr, or -1. */
static long ksym_find(const struct ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi = k->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->s[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? (long)lo - 1 : -1;
}

/* Unique return addresses of all the stacks (*nr SIZE_MAX: no memory). */
static uint64_t *stack_addrs(struct gt_reader *r, size_t *nr)
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

/* Build the SYMBOLS record for the symbols at idx[0..nr). */
static uint8_t *build_record(const struct ksyms *k, const long *idx,
			     size_t nr, size_t *rlen)
{
	static const uint8_t zero[8];
	struct gotrace_symbols sh;
	size_t len = 0, cap = 0, i;
	uint8_t *buf = NULL;

	memset(&sh, 0, sizeof(sh));
	if (put(&buf, &len, &cap, &sh, sizeof(sh)))
		goto nomem;
	for (i = 0; i < nr; i++) {
		const struct ksym *s = &k->s[idx[i]];
		size_t j = idx[i] + 1;
		struct {
			uint64_t addr;
			uint32_t size;
			uint16_t name_len;
			uint16_t module_len;
		} e;

		while (j < k->nr && k->s[j].addr == s->addr)
			j++;
		e.addr = s->addr;
		e.size = 0;
		if (j < k->nr && k->s[j].addr - s->addr <= UINT32_MAX)
			e.size = (uint32_t)(k->s[j].addr - s->addr);
		e.name_len = (uint16_t)strnlen(s->name, UINT16_MAX);
		e.module_len = s->module ?
			       (uint16_t)strnlen(s->module, UINT16_MAX) : 0;
		if (put(&buf, &len, &cap, &e, sizeof(e)) ||
		    put(&buf, &len, &cap, s->name, e.name_len) ||
		    put(&buf, &len, &cap, s->module, e.module_len) ||
		    put(&buf, &len, &cap, zero, (8 - len % 8) % 8))
			goto nomem;
	}
	sh.rec.type = GOTRACE_REC_SYMBOLS;
	sh.rec.len = (uint32_t)len;
	sh.nr = (uint32_t)nr;
	memcpy(buf, &sh, sizeof(sh));
	*rlen = len;
	return buf;
nomem:
	free(buf);
	return NULL;
}

int append_symbols(const char *path, size_t *nr_syms, size_t *nr_stacks)
{
	const char *kpath = getenv("GOTRACE_KALLSYMS");
	struct ksyms k = { 0 };
	struct gt_reader *r;
	uint64_t *addrs = NULL;
	long *idx = NULL;
	size_t n = 0, i, nidx = 0, rlen;
	uint8_t *rec = NULL;
	int fd, ret = -1;
	off_t size;

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
	if (ksyms_load(kpath ? kpath : "/proc/kallsyms", &k))
		goto out;
	idx = calloc(n ? n : 1, sizeof(*idx));
	if (!idx)
		goto out;
	for (i = 0; i < n; i++) {
		long j = ksym_find(&k, addrs[i]);

		if (j >= 0 && (!nidx || idx[nidx - 1] != j))
			idx[nidx++] = j;
	}
	rec = build_record(&k, idx, nidx, &rlen);
	if (!rec) {
		gt_warn("%s", strerror(ENOMEM));
		goto out;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		gt_warn("%s: %s: symbols not added", path, strerror(errno));
		goto out;
	}
	size = lseek(fd, 0, SEEK_END);
	if (write(fd, rec, rlen) != (ssize_t)rlen) {
		gt_warn("%s: %s: symbols not added", path, strerror(errno));
		if (size >= 0 && ftruncate(fd, size) < 0)
			gt_warn("%s: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) < 0) {
		gt_warn("%s: %s", path, strerror(errno));
		goto out;
	}
	*nr_syms = nidx;
	ret = 0;
out:
	free(rec);
	free(idx);
	free(addrs);
	ksyms_free(&k);
	return ret;
}
