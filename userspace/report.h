/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gotrace report: one self-contained HTML file of a trace (summary and
 * health, charts, per-CPU timeline, top stacks and tasks), built from the
 * numbers of analysis.h so that it agrees with `gotrace stats`.
 */
#ifndef GOTRACE_REPORT_H
#define GOTRACE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "gotrace_reader.h"

struct report_opts {
	const char *path;	/* the trace file */
	struct gt_filter filter; /* window, task, CPUs, event types */
	unsigned int top;	/* rows of the top tables */
	unsigned int by;	/* ga_opts.by: the outstanding table's keys */
	uint64_t older_ns;	/* ga_opts.older_ns */
};

int cmd_report(int argc, char **argv);

struct report;

/*
 * Read and analyse the trace at o->path (o must outlive the report): 0,
 * or a negative errno after a one-line error (a missing, foreign or
 * malformed trace, no memory); a truncated trace is read with a warning,
 * as stats does.  Nothing is written before the trace is known good.
 */
int report_load(const struct report_opts *o, struct report **rep);
/* The HTML page of a loaded report. */
void report_write(const struct report *rep, FILE *out);
void report_free(struct report *rep);

#endif /* GOTRACE_REPORT_H */
