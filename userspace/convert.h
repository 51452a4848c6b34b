/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gotrace convert: exporters of a trace to other viewers' formats
 * (Chrome/Perfetto JSON, Go execution trace), and the helpers they share.
 */
#ifndef GOTRACE_CONVERT_H
#define GOTRACE_CONVERT_H

#include <stdint.h>
#include <stdio.h>

#include "gotrace_reader.h"
#include "json.h"

struct convert_opts {
	const char *path;	/* the trace file (for its TASKS record) */
	struct gt_filter filter; /* window, task, CPUs, event types */
	uint64_t interval_ns;	/* counter interval */
	uint32_t sample;	/* keep one page-allocation event in N */
	int allocs;		/* -1: if the trace has stacks, 0: no, 1: yes */
	const char *value;	/* folded: a pprof sample type; NULL: default */
	int quiet;
};

/* Counts a converter reports on stderr when it is done. */
struct convert_stats {
	uint64_t events_in;
	uint64_t events_out;
	uint64_t tasks;
	uint64_t synth;		/* events made up to keep the output consistent */
};

int cmd_convert(int argc, char **argv);

int convert_perfetto(struct gt_reader *r, FILE *out,
		     const struct convert_opts *o, struct convert_stats *st);
int convert_go(struct gt_reader *r, FILE *out, const struct convert_opts *o,
	       struct convert_stats *st);
int convert_pprof(struct gt_reader *r, FILE *out, const struct convert_opts *o,
		  struct convert_stats *st);
int convert_folded(struct gt_reader *r, FILE *out,
		   const struct convert_opts *o, struct convert_stats *st);
int convert_perfetto_proto(struct gt_reader *r, FILE *out,
			   const struct convert_opts *o,
			   struct convert_stats *st);
/* Index of a pprof sample type name ("outstanding_pages", ...), or -1. */
int convert_value_index(const char *name);

/* ---- helpers (convert_common.c) ------------------------------------------ */

/*
 * Open-addressing map of u32 keys (pid, stack id; every value is a valid
 * key) to non-NULL pointers.
 */
struct cv_map {
	uint32_t *keys;
	void **vals;
	size_t cap;		/* power of two */
	size_t nr;
};

void cv_map_init(struct cv_map *m);
void *cv_map_get(const struct cv_map *m, uint32_t key);
/* Insert; -EEXIST if key is there already, -EINVAL for NULL, -ENOMEM. */
int cv_map_put(struct cv_map *m, uint32_t key, void *val);
/* A new zeroed value of size bytes under key (absent), owned by the map. */
void *cv_map_add_zeroed(struct cv_map *m, uint32_t key, size_t size);
/* Call fn on every value (in no particular order). */
void cv_map_each(struct cv_map *m, void (*fn)(void *val, void *arg), void *arg);
/* Free the table, and each value with free() if free_vals. */
void cv_map_free(struct cv_map *m, int free_vals);

/*
 * Pages alive: allocated during the trace and not freed yet, keyed by pfn
 * (the semantics of analysis.h's outstanding pages).  cv_page_alloc()
 * returns the pages of an allocation of pfn that was still alive (its free
 * was lost) which the caller takes off; cv_page_free() the pages freed, 0
 * for a page allocated before the trace.  Orders are the allocation's.
 * A failed allocation (pfn ~0) and orders above 31 are not pages.
 */
uint64_t cv_page_alloc(struct gt_page_map *m, uint64_t pfn, uint64_t order,
		       unsigned int *old_order);
uint64_t cv_page_free(struct gt_page_map *m, uint64_t pfn, unsigned int *order);

/* JSON strings: json.h's json_write_str() */
static inline void cv_json_strn(FILE *f, const char *s, size_t n)
{
	json_write_str(f, s, n);
}

static inline void cv_json_str(FILE *f, const char *s)
{
	json_write_str(f, s, (size_t)-1);
}

/* Number of pages of an allocation order, 0 for a bogus order. */
static inline uint64_t cv_order_pages(uint64_t order)
{
	return order < 32 ? 1ULL << order : 0;
}

#endif /* GOTRACE_CONVERT_H */
