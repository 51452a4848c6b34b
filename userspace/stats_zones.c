// SPDX-License-Identifier: GPL-2.0
/*
 * What "gotrace stats" and "gotrace report" print alike: the names of
 * migratetypes and compaction results, the trace's health, and by NUMA
 * node and zone (analysis_zones.c) the text table and the JSON "zones".
 */
#include <stdio.h>

#include "analysis.h"
#include "gotrace_reader.h"
#include "json.h"
#include "stats_zones.h"

const char * const stats_mt_names[GA_MIGRATETYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA/Isolate",
	"Isolate", "6", "other",
};

const char * const stats_compact_names[8] = {
	"not_suitable_zone", "skipped", "deferred", "no_suitable_page",
	"continue", "complete", "partial_skipped", "other",
};

void print_zones_text(const struct ga_result *res,
		      const char *const *mt_names)
{
	unsigned int o, m, f;
	size_t i;

	printf("\n== By node and zone ==\n");
	if (!res->nr_zones) {
		printf("  (the trace has no ZONES record)\n");
		return;
	}
	printf("  %-4s %-8s %12s %12s %10s %10s %10s %10s %8s %7s %6s\n",
	       "node", "zone", "start_pfn", "end_pfn", "allocs", "pages",
	       "freed", "outst.pg", "extfrag", "kswapd", "compct");
	for (i = 0; i < res->nr_zones; i++) {
		const struct ga_zone *z = &res->zones[i];

		printf("  %-4u %-8s %#12llx %#12llx %10llu %10llu %10llu %10llu %8llu %7llu %6llu\n",
		       z->zone.nid, z->zone.name,
		       (unsigned long long)z->zone.start_pfn,
		       (unsigned long long)z->zone.end_pfn,
		       (unsigned long long)z->allocs,
		       (unsigned long long)z->alloc_pages,
		       (unsigned long long)z->free_pages,
		       (unsigned long long)z->outstanding_pages,
		       (unsigned long long)z->extfrag,
		       (unsigned long long)z->kswapd_wakes,
		       (unsigned long long)z->compactions);
	}
	if (res->zone_unknown_allocs)
		printf("  %llu allocations of pfns outside every zone (memory hotplugged after start?)\n",
		       (unsigned long long)res->zone_unknown_allocs);
	for (i = 0; i < res->nr_zones; i++) {
		const struct ga_zone *z = &res->zones[i];

		if (!z->extfrag)
			continue;
		printf("  node %u %s extfrag by order:", z->zone.nid,
		       z->zone.name);
		for (o = 0; o < GA_ORDERS; o++)
			if (z->extfrag_order[o])
				printf(" %s%u:%llu", o == GA_ORDERS - 1 ? ">=" : "",
				       o, (unsigned long long)z->extfrag_order[o]);
		printf("\n");
		for (m = 0; m < GA_MIGRATETYPES; m++)
			for (f = 0; f < GA_MIGRATETYPES; f++)
				if (z->extfrag_mt[m][f])
					printf("    %s from %s: %llu\n",
					       mt_names[m], mt_names[f],
					       (unsigned long long)z->extfrag_mt[m][f]);
	}
	printf("  (direct reclaim has no node in its tracepoint: see Reclaim above)\n");
}

void json_kswapd_nodes(struct jw *w, const struct ga_result *res)
{
	size_t i;

	jw_key(w, "kswapd_nodes");
	jw_arr_begin(w);
	for (i = 0; i < GA_MAX_NODES; i++) {
		if (!res->kswapd_node_ns[i])
			continue;
		jw_obj_begin(w);
		jw_kv_u64(w, "nid", i);
		jw_kv_u64(w, "active_ns", res->kswapd_node_ns[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void json_zones(struct jw *w, const struct ga_result *res)
{
	unsigned int o, m, f;
	size_t i;

	jw_key(w, "zones");
	jw_arr_begin(w);
	for (i = 0; i < res->nr_zones; i++) {
		const struct ga_zone *z = &res->zones[i];

		jw_obj_begin(w);
		jw_kv_u64(w, "node", z->zone.nid);
		jw_kv_u64(w, "zone_index", z->zone.zid);
		jw_kv_str(w, "zone", z->zone.name);
		jw_kv_u64(w, "start_pfn", z->zone.start_pfn);
		jw_kv_u64(w, "end_pfn", z->zone.end_pfn);
		jw_kv_u64(w, "present_pages", z->zone.present_pages);
		jw_kv_u64(w, "allocs", z->allocs);
		jw_kv_u64(w, "alloc_pages", z->alloc_pages);
		jw_kv_u64(w, "frees", z->frees);
		jw_kv_u64(w, "free_pages", z->free_pages);
		jw_kv_u64(w, "outstanding", z->outstanding);
		jw_kv_u64(w, "outstanding_pages", z->outstanding_pages);
		jw_key(w, "extfrag");
		jw_obj_begin(w);
		jw_kv_u64(w, "fallbacks", z->extfrag);
		jw_key(w, "by_order");
		jw_arr_begin(w);
		for (o = 0; o < GA_ORDERS; o++) {
			if (!z->extfrag_order[o])
				continue;
			jw_obj_begin(w);
			jw_kv_u64(w, "order", o);
			jw_kv_u64(w, "count", z->extfrag_order[o]);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_key(w, "by_migratetype");
		jw_arr_begin(w);
		for (m = 0; m < GA_MIGRATETYPES; m++) {
			for (f = 0; f < GA_MIGRATETYPES; f++) {
				if (!z->extfrag_mt[m][f])
					continue;
				jw_obj_begin(w);
				jw_kv_u64(w, "alloc_migratetype", m);
				jw_kv_u64(w, "fallback_migratetype", f);
				jw_kv_u64(w, "count", z->extfrag_mt[m][f]);
				jw_obj_end(w);
			}
		}
		jw_arr_end(w);
		jw_obj_end(w);
		jw_key(w, "reclaim");
		jw_obj_begin(w);
		jw_kv_u64(w, "kswapd_wakes", z->kswapd_wakes);
		jw_kv_u64(w, "compactions", z->compactions);
		jw_obj_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kv_u64(w, "zone_unknown_allocs", res->zone_unknown_allocs);
}

void json_health(struct jw *w, const struct ga_result *res)
{
	jw_kv_bool(w, "complete", res->complete);
	jw_kv_bool(w, "truncated", res->truncated);
	jw_kv_str(w, "decode_error", res->decode_error ? res->error : NULL);
	jw_kv_u64(w, "lost", res->lost);
	jw_kv_u64(w, "seq_gaps", res->seq_gaps);
	jw_kv_u64(w, "reader_skipped", res->reader_skipped);
	jw_kv_bool(w, "snapshot", res->snapshot);
	jw_kv_u64(w, "overwritten_batches", res->overwritten_batches);
	jw_kv_u64(w, "overwritten_events", res->overwritten_events);
	jw_kv_u64(w, "stack_events", res->stack_events);
	jw_kv_u64(w, "stack_lost", res->stack_lost);
	jw_kv_u64(w, "unnamed_tasks", res->unnamed_pids);
}

void json_triggers(struct jw *w, const struct gotrace_header *h,
		   const struct ga_result *res)
{
	char buf[48];
	size_t i;

	if (!res->has_triggers)
		return;
	jw_key(w, "triggers");
	jw_obj_begin(w);
	jw_key(w, "triggers");
	jw_arr_begin(w);
	for (i = 0; i < res->nr_triggers; i++)
		jw_str(w, gt_trigger_str(res->triggers[i].kind,
					 res->triggers[i].value, buf,
					 sizeof(buf)));
	jw_arr_end(w);
	jw_kv_u64(w, "fired_total", res->fired_total);
	jw_key(w, "fired");
	jw_arr_begin(w);
	for (i = 0; i < res->nr_fired; i++) {
		const struct ga_fired *gf = &res->fired[i];
		const struct gotrace_fired *f = &gf->f;
		const char *kind = gt_trigger_kind_name(f->kind);

		jw_obj_begin(w);
		jw_kv_u64(w, "seq", f->seq);
		jw_kv_u64(w, "ts", f->ts);
		jw_kv_u64(w, "time_ns",
			  f->ts >= h->start_ns ? f->ts - h->start_ns : 0);
		jw_kv_u64(w, "cpu", f->cpu);
		jw_kv_u64(w, "pid", f->pid);
		jw_kv_str(w, "comm", gf->comm[0] ? gf->comm : NULL);
		jw_kv_str(w, "trigger", gt_trigger_str(f->kind, gf->threshold,
						       buf, sizeof(buf)));
		jw_kv_str(w, "kind", kind);
		jw_kv_u64(w, "index", f->index);
		jw_kv_u64(w, "value", f->value);
		jw_kv_str(w, "event", gt_event_name(f->event));
		jw_kv_bool(w, "event_lost", f->flags & GOTRACE_FIRED_LOST);
		jw_kv_bool(w, "event_decoded", gf->seen);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}
