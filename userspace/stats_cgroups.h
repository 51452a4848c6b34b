/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GOTRACE_STATS_CGROUPS_H
#define GOTRACE_STATS_CGROUPS_H

#include <stddef.h>

#include "analysis.h"
#include "json.h"

/* A cgroup's name in tables: its path, else "(id N)". */
const char *cgroup_label(const struct ga_cgroup *c, char *buf, size_t size);
/* The by-cgroup section of stats (text), top rows (0: all). */
void print_cgroups_text(const struct ga_result *res, size_t top);
/*
 * The same as the JSON key "cgroups" (an array; null when the trace has
 * no cgroup membership), and "cgroups_lost".
 */
void json_cgroups(struct jw *w, const struct ga_result *res);

#endif
