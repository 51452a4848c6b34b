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
};

int cmd_report(int argc, char **argv);

/* Write the report of the trace at o->path to out; 0 or a negative errno. */
int report_html(const struct report_opts *o, FILE *out);

#endif /* GOTRACE_REPORT_H */
