// SPDX-License-Identifier: GPL-2.0
/*
 * "gotrace stats", by cgroup v2 (analysis_cgroups.c): the text table and
 * the JSON "cgroups" array.
 */
#include <inttypes.h>
#include <stdio.h>

#include "analysis.h"
#include "json.h"
#include "stats_cgroups.h"

const char *cgroup_label(const struct ga_cgroup *c, char *buf, size_t size)
{
	if (c->id && c->path && c->path[0])
		return c->path;
	if (!c->id)
		snprintf(buf, size, "(no task cgroup)");
	else
		snprintf(buf, size, "(id %" PRIu64 ", path unknown)", c->id);
	return buf;
}

void print_cgroups_text(const struct ga_result *res, size_t top)
{
	const struct ga_cgroups *cg = &res->cg;
	char buf[64];
	size_t i, n;
	int idw = 12;

	printf("\n== By cgroup (the allocating task's cgroup v2 at allocation) ==\n");
	if (!cg->traced) {
		printf("  (the trace has no cgroup membership: record it with the cgroup event group)\n");
		return;
	}
	if (!cg->nr) {
		printf("  (no page allocation in the window)\n");
		return;
	}
	n = top && top < cg->nr ? top : cg->nr;
	/* The id column as wide as the widest id shown. */
	for (i = 0; i < n; i++) {
		int len = snprintf(NULL, 0, "%" PRIu64, cg->rows[i].id);

		if (len > idw)
			idw = len;
	}
	printf("  %*s %10s %10s %10s %10s  %s\n", idw, "id", "allocs", "pages",
	       "freed.pg", "outst.pg", "path");
	for (i = 0; i < n; i++) {
		const struct ga_cgroup *c = &cg->rows[i];

		printf("  %*" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
		       " %10" PRIu64 "  %s%s\n",
		       idw, c->id, c->allocs, c->alloc_pages, c->freed_pages,
		       c->outstanding_pages, cgroup_label(c, buf, sizeof(buf)),
		       c->flags & GOTRACE_CGROUP_PATH_CUT ? " (cut)" : "");
	}
	if (n < cg->nr)
		printf("  (%zu more cgroups: --top 0 shows all)\n", cg->nr - n);
	if (cg->lost)
		printf("  %" PRIu64 " cgroups have no path: the trace's table of cgroups was full\n",
		       cg->lost);
}

void json_cgroups(struct jw *w, const struct ga_result *res)
{
	const struct ga_cgroups *cg = &res->cg;
	size_t i;

	jw_key(w, "cgroups");
	if (!cg->traced) {
		jw_null(w);
		return;
	}
	jw_arr_begin(w);
	for (i = 0; i < cg->nr; i++) {
		const struct ga_cgroup *c = &cg->rows[i];

		jw_obj_begin(w);
		jw_kv_u64(w, "id", c->id);
		jw_kv_str(w, "path", c->has_record && c->path[0] ? c->path :
			  NULL);
		jw_kv_bool(w, "path_cut",
			   !!(c->flags & GOTRACE_CGROUP_PATH_CUT));
		jw_kv_u64(w, "allocs", c->allocs);
		jw_kv_u64(w, "alloc_pages", c->alloc_pages);
		jw_kv_u64(w, "freed_pages", c->freed_pages);
		jw_kv_u64(w, "outstanding", c->outstanding);
		jw_kv_u64(w, "outstanding_pages", c->outstanding_pages);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kv_u64(w, "cgroups_lost", cg->lost);
}
