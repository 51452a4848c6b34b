// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace convert --format=pprof: the page allocations of a trace as a
 * gzipped pprof profile (profile.proto), the format `go tool pprof`, its
 * web UI and flame graphs read; --format=folded: folded stacks, one line
 * per (task, stack), for flamegraph.pl and the like.
 *
 * The numbers are the analysis's (analysis.h: its sites, i.e. allocations
 * grouped by stack, task, order and gfp flags), so they are `gotrace
 * stats`'s.  pprof sample types, in this order:
 *
 *   outstanding_pages/pages   pages allocated and not freed by the end
 *   outstanding_bytes/bytes   the same in bytes (pages * page size)
 *   alloc_pages/pages         pages allocated
 *   allocs/count              allocations (blocks of 2^order pages)
 *
 * One sample per site, with string labels pid, comm, order and gfp
 * (pprof -tagfocus=order=3, -tagroot=comm ...); the stack is
 * the kernel stack of the allocations (innermost first, symbolised by the
 * trace's SYMBOLS record), or one frame saying why there is none.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "analysis.h"
#include "common.h"
#include "convert.h"
#include "protobuf.h"

/* profile.proto field numbers */
enum {
	PROFILE_SAMPLE_TYPE = 1,
	PROFILE_SAMPLE = 2,
	PROFILE_MAPPING = 3,
	PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5,
	PROFILE_STRING_TABLE = 6,
	PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10,
	PROFILE_COMMENT = 13,
	PROFILE_DEFAULT_SAMPLE_TYPE = 14,

	VALUE_TYPE_TYPE = 1,
	VALUE_TYPE_UNIT = 2,

	SAMPLE_LOCATION_ID = 1,
	SAMPLE_VALUE = 2,
	SAMPLE_LABEL = 3,

	LABEL_KEY = 1,
	LABEL_STR = 2,

	MAPPING_ID = 1,
	MAPPING_MEMORY_START = 2,
	MAPPING_MEMORY_LIMIT = 3,
	MAPPING_FILENAME = 5,
	MAPPING_HAS_FUNCTIONS = 7,

	LOCATION_ID = 1,
	LOCATION_MAPPING_ID = 2,
	LOCATION_ADDRESS = 3,
	LOCATION_LINE = 4,

	LINE_FUNCTION_ID = 1,

	FUNCTION_ID = 1,
	FUNCTION_NAME = 2,
	FUNCTION_SYSTEM_NAME = 3,
};

/* The values of a site, in sample type order. */
enum {
	V_OUT_PAGES,
	V_OUT_BYTES,
	V_ALLOC_PAGES,
	V_ALLOCS,
	NR_VALUES,
};

static const char *const value_names[NR_VALUES][2] = {
	[V_OUT_PAGES]	= { "outstanding_pages", "pages" },
	[V_OUT_BYTES]	= { "outstanding_bytes", "bytes" },
	[V_ALLOC_PAGES]	= { "alloc_pages", "pages" },
	[V_ALLOCS]	= { "allocs", "count" },
};

static void site_values(const struct ga_site *s, uint64_t page_size,
			uint64_t v[NR_VALUES])
{
	v[V_OUT_PAGES] = s->outstanding_pages;
	v[V_OUT_BYTES] = s->outstanding_pages * page_size;
	v[V_ALLOC_PAGES] = s->alloc_pages;
	v[V_ALLOCS] = s->allocs;
}

int convert_value_index(const char *name)
{
	int i;

	for (i = 0; i < NR_VALUES; i++)
		if (!strcmp(name, value_names[i][0]))
			return i;
	return -1;
}

/* ---- tables with ids: strings, functions (by name), locations (by pc) -- */

struct pp_key {
	uint64_t addr;		/* locations */
	const char *str;	/* strings and functions (owned) */
	uint32_t id;
};

struct pp_table {
	struct pp_key *slots;
	size_t size, used;	/* size: a power of 2 */
};

static uint64_t pp_hash(uint64_t addr, const char *str)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ addr;

	if (str)
		for (; *str; str++)
			h = (h ^ (uint8_t)*str) * 0x100000001b3ULL;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 29;
}

static int pp_same(const struct pp_key *k, uint64_t addr, const char *str)
{
	if (k->addr != addr)
		return 0;
	return str ? k->str && !strcmp(k->str, str) : !k->str;
}

static int pp_grow(struct pp_table *t)
{
	size_t ns = t->size ? t->size * 2 : 1024, i, j;
	struct pp_key *n = calloc(ns, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (i = 0; i < t->size; i++) {
		if (!t->slots[i].id)
			continue;
		j = pp_hash(t->slots[i].addr, t->slots[i].str) & (ns - 1);
		while (n[j].id)
			j = (j + 1) & (ns - 1);
		n[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = n;
	t->size = ns;
	return 0;
}

/*
 * The id of (addr, str), inserted when absent with id used + 1 (ids count
 * from 1) and *added set; 0 without memory.
 */
static uint32_t pp_id(struct pp_table *t, uint64_t addr, const char *str,
		      int *added)
{
	size_t j;

	if (added)
		*added = 0;
	if ((t->used + 1) * 2 > t->size && pp_grow(t))
		return 0;
	j = pp_hash(addr, str) & (t->size - 1);
	while (t->slots[j].id) {
		if (pp_same(&t->slots[j], addr, str))
			return t->slots[j].id;
		j = (j + 1) & (t->size - 1);
	}
	if (str) {
		t->slots[j].str = strdup(str);
		if (!t->slots[j].str)
			return 0;
	}
	t->slots[j].addr = addr;
	t->used++;
	t->slots[j].id = (uint32_t)t->used;
	if (added)
		*added = 1;
	return t->slots[j].id;
}

static void pp_table_free(struct pp_table *t)
{
	size_t i;

	for (i = 0; i < t->size; i++)
		free((char *)t->slots[i].str);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* ---- the profile ------------------------------------------------------ */

#define MAX_MAPPINGS	1024	/* vmlinux and modules */

struct pp_mapping {
	const char *name;	/* "[kernel.kallsyms]", "[ext4]" (owned) */
	uint64_t lo, hi;	/* addresses of its locations */
};

struct pp {
	struct gt_reader *r;
	struct pb body;			/* everything but the string table */
	struct pp_table strings;	/* id - 1: string table index */
	struct pp_table funcs;
	struct pp_table locs;
	struct pp_mapping maps[MAX_MAPPINGS];	/* id - 1 */
	uint32_t nr_maps;
	int err;
};

/* String table index of s ("" is 0). */
static int64_t pp_str(struct pp *p, const char *s)
{
	uint32_t id = pp_id(&p->strings, 0, s, NULL);

	if (!id)
		p->err = -ENOMEM;
	return id ? (int64_t)id - 1 : 0;
}

static uint32_t pp_mapping(struct pp *p, const char *module, uint64_t addr)
{
	char name[96];
	uint32_t i;

	snprintf(name, sizeof(name), module ? "[%s]" : "[kernel.kallsyms]",
		 module);
	for (i = 0; i < p->nr_maps; i++)
		if (!strcmp(p->maps[i].name, name))
			break;
	if (i == p->nr_maps) {
		if (i == MAX_MAPPINGS)
			return 1;	/* the kernel's */
		p->maps[i].name = strdup(name);
		if (!p->maps[i].name) {
			p->err = -ENOMEM;
			return 1;
		}
		p->maps[i].lo = addr;
		p->maps[i].hi = addr;
		p->nr_maps++;
	}
	if (addr < p->maps[i].lo)
		p->maps[i].lo = addr;
	if (addr > p->maps[i].hi)
		p->maps[i].hi = addr;
	return i + 1;
}

static uint32_t pp_function(struct pp *p, const char *name, const char *module)
{
	char key[256];
	uint32_t id;
	int added;

	/* a static function may have the same name in two modules */
	snprintf(key, sizeof(key), "%s %s", name, module ? module : "");
	id = pp_id(&p->funcs, 0, key, &added);
	if (!id) {
		p->err = -ENOMEM;
		return 0;
	}
	if (added) {
		int64_t n = pp_str(p, name);

		pb_begin(&p->body, PROFILE_FUNCTION);
		pb_varint(&p->body, FUNCTION_ID, id);
		pb_int(&p->body, FUNCTION_NAME, n);
		pb_int(&p->body, FUNCTION_SYSTEM_NAME, n);
		pb_end(&p->body);
	}
	return id;
}

/*
 * The location of a frame: its address, in the mapping of its module,
 * with the function of its symbol (or "0x..." when the trace does not
 * name it).  Pseudo-frames (why a sample has no stack) have address 0,
 * no mapping, and their text as the function name.
 */
static uint32_t pp_location(struct pp *p, uint64_t addr, const char *pseudo)
{
	const char *name = pseudo, *module = NULL;
	uint32_t id, func, map = 0;
	char hex[24];
	int added;

	id = pp_id(&p->locs, addr, pseudo, &added);
	if (!id) {
		p->err = -ENOMEM;
		return 0;
	}
	if (!added)
		return id;
	if (!pseudo) {
		name = gt_symbol(p->r, addr, NULL, &module);
		if (!name) {
			snprintf(hex, sizeof(hex), "0x%" PRIx64, addr);
			name = hex;
		}
		map = pp_mapping(p, module, addr);
	}
	func = pp_function(p, name, module);
	pb_begin(&p->body, PROFILE_LOCATION);
	pb_varint(&p->body, LOCATION_ID, id);
	if (map) {
		pb_varint(&p->body, LOCATION_MAPPING_ID, map);
		pb_varint(&p->body, LOCATION_ADDRESS, addr);
	}
	pb_begin(&p->body, LOCATION_LINE);
	pb_varint(&p->body, LINE_FUNCTION_ID, func);
	pb_end(&p->body);
	pb_end(&p->body);
	return id;
}

/* A task's name: its last comm, "swapper" for pid 0 (idle), or NULL. */
static const char *task_comm(struct gt_reader *r, uint32_t pid)
{
	return pid ? gt_comm(r, pid) : "swapper";
}

/* Why a sample has no stack, as its only frame, or NULL: it has one. */
static const char *no_stack_reason(struct gt_reader *r, uint32_t stack_id)
{
	const struct gotrace_header *h = gt_header(r);
	const uint64_t *f;

	if (!(h->stack_events & (1ULL << GOTRACE_EV_MM_PAGE_ALLOC)))
		return "[no stacks: recorded without --stacks]";
	if (!stack_id)
		return "[stack not recorded: stack table full]";
	if (gt_stack(r, stack_id, &f) <= 0)
		return "[stack missing from the trace]";
	return NULL;
}

static void pp_label_str(struct pp *p, const char *key, const char *val)
{
	int64_t k = pp_str(p, key), v = pp_str(p, val);

	pb_begin(&p->body, SAMPLE_LABEL);
	pb_int(&p->body, LABEL_KEY, k);
	pb_int(&p->body, LABEL_STR, v);
	pb_end(&p->body);
}

static void pp_sample(struct pp *p, const struct ga_site *s,
		      uint64_t page_size)
{
	const char *why = no_stack_reason(p->r, s->stack_id), *comm;
	uint32_t ids[GOTRACE_MAX_STACK_DEPTH + 1];
	uint64_t v[NR_VALUES];
	const uint64_t *f;
	char gfp[256], num[16];
	int i, n = 0;

	/* locations first: their messages go before the sample's */
	if (why) {
		ids[n++] = pp_location(p, 0, why);
	} else {
		int nr = gt_stack(p->r, s->stack_id, &f);

		/* pp_location() does not call gt_stack(): f stays valid */
		for (i = 0; i < nr && n < (int)ARRAY_SIZE(ids); i++)
			ids[n++] = pp_location(p, f[i], NULL);
	}
	site_values(s, page_size, v);
	comm = task_comm(p->r, s->pid);
	gt_gfp_str(p->r, s->gfp, gfp, sizeof(gfp));

	pb_begin(&p->body, PROFILE_SAMPLE);
	pb_begin(&p->body, SAMPLE_LOCATION_ID);
	for (i = 0; i < n; i++)
		pb_raw_varint(&p->body, ids[i]);
	pb_end(&p->body);
	pb_begin(&p->body, SAMPLE_VALUE);
	for (i = 0; i < NR_VALUES; i++)
		pb_raw_varint(&p->body, v[i]);
	pb_end(&p->body);
	/*
	 * String labels: pprof drops a numeric label whose value is 0
	 * (order 0, pid 0).
	 */
	snprintf(num, sizeof(num), "%u", s->pid);
	pp_label_str(p, "pid", num);
	if (comm)
		pp_label_str(p, "comm", comm);
	snprintf(num, sizeof(num), "%u", s->order);
	pp_label_str(p, "order", num);
	pp_label_str(p, "gfp", gfp);
	pb_end(&p->body);
}

/* Write buf gzipped to out. */
static int write_gzip(FILE *out, const void *buf, size_t len)
{
	unsigned char chunk[65536];
	z_stream z;
	int ret, flush;

	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip header and trailer around the data */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (unsigned char *)buf;
	flush = Z_NO_FLUSH;
	do {
		/* avail_in is 32 bits: feed the buffer in pieces */
		if (!z.avail_in && flush == Z_NO_FLUSH) {
			size_t left = len - (size_t)(z.next_in -
						     (unsigned char *)buf);

			z.avail_in = left > (1U << 30) ? 1U << 30 : (uInt)left;
			if (z.avail_in == left)
				flush = Z_FINISH;
		}
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		ret = deflate(&z, flush);
		if (ret == Z_STREAM_ERROR) {
			deflateEnd(&z);
			return -EIO;
		}
		if (fwrite(chunk, 1, sizeof(chunk) - z.avail_out, out) !=
		    sizeof(chunk) - z.avail_out) {
			deflateEnd(&z);
			return -EIO;
		}
	} while (ret != Z_STREAM_END);
	deflateEnd(&z);
	return 0;
}

/* The analysis of the convert window; NULL and *err without memory. */
static struct ga *run_analysis(struct gt_reader *r,
			       const struct convert_opts *o, int *err)
{
	struct ga_opts go;
	struct ga *a;

	ga_opts_init(&go);
	go.filter = o->filter;
	a = ga_new(r, &go);
	if (!a) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = ga_run(a);
	return a;
}

static void count_stats(const struct ga_result *res, struct convert_stats *st)
{
	size_t i;

	st->events_in = res->events;
	for (i = 0; i < res->nr_tasks; i++)
		if (res->tasks[i].allocs)
			st->tasks++;
}

int convert_pprof(struct gt_reader *r, FILE *out, const struct convert_opts *o,
		  struct convert_stats *st)
{
	const struct gotrace_header *h = gt_header(r);
	const struct ga_result *res;
	struct pb strtab;
	struct ga *a;
	char text[256];
	size_t i;
	int ret, dec, k;
	struct pp p = { .r = r };

	a = run_analysis(r, o, &dec);
	if (!a)
		return dec;
	if (dec == -ENOMEM) {
		ga_free(a);
		return dec;
	}
	res = ga_result(a);
	count_stats(res, st);
	pb_init(&p.body);
	pb_init(&strtab);
	pp_str(&p, "");
	for (k = 0; k < NR_VALUES; k++) {
		int64_t t = pp_str(&p, value_names[k][0]);
		int64_t u = pp_str(&p, value_names[k][1]);

		pb_begin(&p.body, PROFILE_SAMPLE_TYPE);
		pb_int(&p.body, VALUE_TYPE_TYPE, t);
		pb_int(&p.body, VALUE_TYPE_UNIT, u);
		pb_end(&p.body);
	}
	for (i = 0; i < res->nr_sites && !p.err; i++) {
		pp_sample(&p, &res->sites[i], res->page_size);
		st->events_out++;
	}
	for (i = 0; i < p.nr_maps; i++) {
		int64_t name = pp_str(&p, p.maps[i].name);

		pb_begin(&p.body, PROFILE_MAPPING);
		pb_varint(&p.body, MAPPING_ID, i + 1);
		pb_varint(&p.body, MAPPING_MEMORY_START, p.maps[i].lo);
		pb_varint(&p.body, MAPPING_MEMORY_LIMIT, p.maps[i].hi + 1);
		pb_int(&p.body, MAPPING_FILENAME, name);
		pb_varint(&p.body, MAPPING_HAS_FUNCTIONS, 1);
		pb_end(&p.body);
	}
	pb_int(&p.body, PROFILE_TIME_NANOS,
	       (int64_t)(h->start_realtime_ns + (res->start_ns - h->start_ns)));
	pb_int(&p.body, PROFILE_DURATION_NANOS,
	       (int64_t)(res->end_ns - res->start_ns));
	snprintf(text, sizeof(text), "gotrace: kernel %.65s %.15s, page size %u",
		 h->release, h->machine, res->page_size);
	pb_int(&p.body, PROFILE_COMMENT, pp_str(&p, text));
	snprintf(text, sizeof(text),
		 "gotrace: %" PRIu64 " events lost, %" PRIu64
		 " frees of pages allocated before the trace, %s",
		 res->lost, res->free_unknown,
		 res->complete ? "trace complete" : "trace truncated");
	pb_int(&p.body, PROFILE_COMMENT, pp_str(&p, text));
	pb_int(&p.body, PROFILE_DEFAULT_SAMPLE_TYPE,
	       pp_str(&p, value_names[V_OUT_PAGES][0]));

	/* the string table, in id order, after everything that adds to it */
	if (!p.err) {
		const char **tab = calloc(p.strings.used + 1, sizeof(*tab));

		if (!tab) {
			p.err = -ENOMEM;
		} else {
			for (i = 0; i < p.strings.size; i++)
				if (p.strings.slots[i].id)
					tab[p.strings.slots[i].id - 1] =
						p.strings.slots[i].str;
			for (i = 0; i < p.strings.used; i++)
				pb_str(&strtab, PROFILE_STRING_TABLE, tab[i]);
			free(tab);
		}
	}
	ret = p.err ? p.err : p.body.err ? p.body.err : strtab.err;
	if (!ret) {
		/* fields may come in any order: strings first, then the rest */
		pb_raw(&strtab, p.body.buf, p.body.len);
		ret = strtab.err ? strtab.err :
		      write_gzip(out, strtab.buf, strtab.len);
	}
	pb_free(&p.body);
	pb_free(&strtab);
	pp_table_free(&p.strings);
	pp_table_free(&p.funcs);
	pp_table_free(&p.locs);
	for (i = 0; i < p.nr_maps; i++)
		free((char *)p.maps[i].name);
	ga_free(a);
	/* a decode error: the profile holds what decoded, and it is said */
	return ret ? ret : dec;
}

/* ---- folded stacks ---------------------------------------------------- */

static int site_task_cmp(const void *x, const void *y)
{
	const struct ga_site *p = x, *q = y;

	if (p->pid != q->pid)
		return p->pid < q->pid ? -1 : 1;
	return p->stack_id < q->stack_id ? -1 : p->stack_id > q->stack_id;
}

/* A frame of a folded line: ';' separates frames, newlines lines. */
static void folded_name(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == ';' || (unsigned char)*s < 0x20 || *s == 0x7f ?
		      '_' : *s, out);
}

static void folded_line(struct gt_reader *r, FILE *out,
			const struct ga_site *s, uint64_t value)
{
	const char *comm = task_comm(r, s->pid), *why, *mod, *name;
	const uint64_t *f;
	int i, n;

	folded_name(out, comm ? comm : "?");
	fprintf(out, "-%u", s->pid);
	why = no_stack_reason(r, s->stack_id);
	if (why) {
		fprintf(out, ";%s %" PRIu64 "\n", why, value);
		return;
	}
	n = gt_stack(r, s->stack_id, &f);
	/* outermost first */
	for (i = n - 1; i >= 0; i--) {
		fputc(';', out);
		name = gt_symbol(r, f[i], NULL, &mod);
		if (!name) {
			fprintf(out, "0x%" PRIx64, f[i]);
			continue;
		}
		folded_name(out, name);
		if (mod) {
			fputs(" [", out);
			folded_name(out, mod);
			fputc(']', out);
		}
	}
	fprintf(out, " %" PRIu64 "\n", value);
}

int convert_folded(struct gt_reader *r, FILE *out,
		   const struct convert_opts *o, struct convert_stats *st)
{
	const struct ga_result *res;
	struct ga_site *sites;
	size_t i, j;
	struct ga *a;
	int dec, vi = o->value ? convert_value_index(o->value) : V_OUT_PAGES;

	if (vi < 0)
		return -EINVAL;
	a = run_analysis(r, o, &dec);
	if (!a)
		return dec;
	if (dec == -ENOMEM) {
		ga_free(a);
		return dec;
	}
	res = ga_result(a);
	count_stats(res, st);
	sites = malloc((res->nr_sites ? res->nr_sites : 1) * sizeof(*sites));
	if (!sites) {
		ga_free(a);
		return -ENOMEM;
	}
	memcpy(sites, res->sites, res->nr_sites * sizeof(*sites));
	qsort(sites, res->nr_sites, sizeof(*sites), site_task_cmp);
	/* one line per (task, stack): the sites' orders and gfps summed */
	for (i = 0; i < res->nr_sites; i = j) {
		uint64_t v[NR_VALUES], sum = 0;

		for (j = i; j < res->nr_sites && !site_task_cmp(&sites[i],
								&sites[j]); j++) {
			site_values(&sites[j], res->page_size, v);
			sum += v[vi];
		}
		if (!sum)
			continue;
		folded_line(r, out, &sites[i], sum);
		st->events_out++;
	}
	free(sites);
	ga_free(a);
	return dec;
}
