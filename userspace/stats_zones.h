/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_STATS_ZONES_H
#define GOTRACE_STATS_ZONES_H

#include "analysis.h"
#include "json.h"

/* Names of the migratetypes (by slot) and compaction results (by status). */
extern const char * const stats_mt_names[GA_MIGRATETYPES];
extern const char * const stats_compact_names[8];

/* The by-node-and-zone section of stats (text; mt_names by migratetype). */
void print_zones_text(const struct ga_result *res,
		      const char *const *mt_names);
/* The same as the JSON key "zones" (and "zone_unknown_allocs"). */
void json_zones(struct jw *w, const struct ga_result *res);
/* "kswapd_nodes": kswapd's active time on each node that woke it. */
void json_kswapd_nodes(struct jw *w, const struct ga_result *res);
/*
 * The trace's health as members of the open object: complete, truncated,
 * decode_error, lost, seq_gaps, reader_skipped, stack_events, stack_lost,
 * unnamed_tasks.  stats --json and report's data both write it here.
 */
void json_health(struct jw *w, const struct ga_result *res);
/*
 * "triggers" (a snapshot with a TRIGGERS record; nothing otherwise): the
 * triggers and each fired one with its time, CPU, task and value.  stats
 * --json and report's data both write it here.
 */
void json_triggers(struct jw *w, const struct gotrace_header *h,
		   const struct ga_result *res);

#endif
