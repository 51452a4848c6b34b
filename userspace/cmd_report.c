// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace report: one self-contained HTML file of a trace.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report.h"

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: gotrace report -o OUT.html [OPTIONS] FILE\n"
		"\n"
		"Write one self-contained HTML page of a trace (no network, no external\n"
		"files): summary and health, page allocation and free rate by order,\n"
		"outstanding pages, page lifetime and wakeup latency histograms, a\n"
		"per-CPU timeline, the top allocating stacks and tasks.  The numbers are\n"
		"those of 'gotrace stats'.\n"
		"\n"
		"  -o, --output OUT  the HTML file ('-': stdout)\n"
		"      --from T      window start after the trace start (seconds,\n"
		"                    or with a unit: 10us, 5ms)\n"
		"      --to T        window end\n"
		"      --top N       rows of the top tables (default 20)\n"
		"  -h, --help        show this help\n");
}

enum {
	OPT_FROM = 0x200,
	OPT_TO,
	OPT_TOP,
};

int cmd_report(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "from",   required_argument, NULL, OPT_FROM },
		{ "to",     required_argument, NULL, OPT_TO },
		{ "top",    required_argument, NULL, OPT_TOP },
		{ "help",   no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct report_opts o = { .to_ns = UINT64_MAX, .top = 20 };
	const char *outp = NULL;
	unsigned long ul;
	FILE *out;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			outp = optarg;
			break;
		case OPT_FROM:
			if (parse_trace_time(optarg, "--from", &o.from_ns))
				return EXIT_ERR;
			break;
		case OPT_TO:
			if (parse_trace_time(optarg, "--to", &o.to_ns))
				return EXIT_ERR;
			break;
		case OPT_TOP:
			if (parse_ulong(optarg, "--top", 1, 10000, &ul))
				return EXIT_ERR;
			o.top = (unsigned int)ul;
			break;
		case 'h':
			report_usage(stdout);
			return EXIT_OK;
		default:
			report_usage(stderr);
			return EXIT_ERR;
		}
	}
	if (optind != argc - 1 || !outp) {
		gt_err("report: need -o OUT.html and one trace FILE");
		report_usage(stderr);
		return EXIT_ERR;
	}
	if (o.to_ns <= o.from_ns) {
		gt_err("report: --to must be after --from");
		return EXIT_ERR;
	}
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
