// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace report: one self-contained HTML file of a trace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"
#include "report.h"

#define REPORT_TOP	20	/* rows of the top tables */

static const struct gt_cmdopt report_opts[] = {
	{ GO_OUTPUT, "the HTML file ('-': stdout)" },
	GT_FILTER_OPTS,
	{ GO_TOP, "rows of the top tables", GT_DEF_NUM, REPORT_TOP },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec report_cmd = {
	.name = "report",
	.synopsis = "-o OUT.html [OPTIONS] FILE",
	.about = "Write one self-contained HTML page of a trace (no network, no external\n"
		 "files): summary and health, page allocation and free rate by order,\n"
		 "outstanding pages, page lifetime and wakeup latency histograms, a\n"
		 "per-CPU timeline, the top allocating stacks and tasks.  The numbers are\n"
		 "those of 'gotrace stats'.  FILE may be '-' (standard input).\n",
	.opts = report_opts,
};

int cmd_report(int argc, char **argv)
{
	struct report_opts o = { .top = REPORT_TOP };
	const char *outp = NULL;
	struct gt_args a;
	unsigned long ul;
	FILE *out;
	int id, ret;

	gt_filter_init(&o.filter);
	gt_args_init(&a, &report_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		if (id == GO_OUTPUT) {
			outp = a.arg;
		} else if (id == GO_TOP) {
			if (parse_ulong(a.arg, "--top", 1, 10000, &ul))
				id = -1;
			o.top = (unsigned int)ul;
		} else if (filter_opt(&o.filter, id, a.arg) < 0) {
			id = -1;
		}
		if (id < 0) {
			a.status = EXIT_USAGE;
			break;
		}
	}
	if (!id && gt_args_operands(&a, 1, 1, "one trace FILE"))
		id = -1;
	if (!id && !outp) {
		a.status = gt_usage_err(&report_cmd, "-o OUT.html is required");
		id = -1;
	}
	if (!id && o.filter.to_ns <= o.filter.from_ns) {
		a.status = gt_usage_err(&report_cmd,
					"--to must be after --from");
		id = -1;
	}
	gt_args_free(&a);
	if (id < 0)
		return a.status;
	o.path = argv[optind];
	out = strcmp(outp, "-") ? fopen(outp, "w") : stdout;
	if (!out) {
		gt_err("%s: %s", outp, strerror(errno));
		return EXIT_ERR;
	}
	ret = report_html(&o, out);
	if (ret == -ENOMEM)
		gt_err("report: out of memory");
	if (fflush(out) || ferror(out)) {
		gt_err("%s: write error: %s", outp, strerror(errno));
		ret = -EIO;
	}
	if (out != stdout)
		fclose(out);
	return ret < 0 ? EXIT_ERR : EXIT_OK;
}
