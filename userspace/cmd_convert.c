// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace convert: export a trace file for other viewers (Perfetto/Chrome
 * JSON, Perfetto's protobuf trace, Go execution trace for `go tool trace`,
 * pprof profile and folded stacks of the page allocations).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "convert.h"
#include "gotrace_reader.h"

#define OUT_BUF_SIZE	(1024 * 1024)

static void convert_usage(FILE *f)
{
	fprintf(f,
		"Usage: gotrace convert --format=perfetto|perfetto-proto|go|pprof|folded\n"
		"                       -o OUT [OPTIONS] FILE\n"
		"\n"
		"Export a trace for other viewers, written while the trace is read.\n"
		"\n"
		"  -f, --format FMT   perfetto: Chrome trace event JSON (ui.perfetto.dev,\n"
		"                     chrome://tracing); perfetto-proto: Perfetto's\n"
		"                     protobuf trace (CPU tracks, thread states);\n"
		"                     go: Go 1.19 execution trace (go tool trace);\n"
		"                     pprof: gzipped profile of the page allocations\n"
		"                     (go tool pprof); folded: folded stacks\n"
		"                     (flamegraph.pl)\n"
		"  -o, --output OUT   output file ('-': stdout)\n"
		"      --from T       keep only events from T after the start (seconds,\n"
		"                     or with a unit: 10us, 5ms)\n"
		"      --to T         ... up to T after the start\n"
		"      --interval MS  counter interval in ms (default 10; perfetto: page\n"
		"                     counters, go: heap counter updates)\n"
		"      --sample N     perfetto: keep one page allocation event in N\n"
		"      --allocs       perfetto: page allocation events (default: when\n"
		"                     the trace has stacks)\n"
		"      --no-allocs    perfetto: no page allocation events\n"
		"      --value TYPE   folded: outstanding_pages (default),\n"
		"                     outstanding_bytes, alloc_pages or allocs\n"
		"  -q, --quiet        no summary on stderr\n"
		"  -h, --help         show this help\n");
}

enum {
	OPT_FROM = 0x200,
	OPT_TO,
	OPT_INTERVAL,
	OPT_SAMPLE,
	OPT_ALLOCS,
	OPT_NO_ALLOCS,
	OPT_VALUE,
};

int cmd_convert(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "format",    required_argument, NULL, 'f' },
		{ "output",    required_argument, NULL, 'o' },
		{ "from",      required_argument, NULL, OPT_FROM },
		{ "to",        required_argument, NULL, OPT_TO },
		{ "interval",  required_argument, NULL, OPT_INTERVAL },
		{ "sample",    required_argument, NULL, OPT_SAMPLE },
		{ "allocs",    no_argument,       NULL, OPT_ALLOCS },
		{ "no-allocs", no_argument,       NULL, OPT_NO_ALLOCS },
		{ "value",     required_argument, NULL, OPT_VALUE },
		{ "quiet",     no_argument,       NULL, 'q' },
		{ "help",      no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct convert_opts o = {
		.to_ns = ~0ULL,
		.interval_ns = 10 * 1000 * 1000,
		.sample = 1,
		.allocs = -1,
	};
	struct convert_stats st = { 0 };
	int (*conv)(struct gt_reader *r, FILE *out,
		    const struct convert_opts *o, struct convert_stats *st);
	const char *fmt = NULL, *outp = NULL;
	struct gt_reader *r;
	unsigned long ul;
	char *buf;
	FILE *out;
	int opt, ret, go;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "f:o:qh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			fmt = optarg;
			break;
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
		case OPT_INTERVAL:
			if (parse_ulong(optarg, "--interval", 1, 3600000, &ul))
				return EXIT_ERR;
			o.interval_ns = ul * 1000000ULL;
			break;
		case OPT_SAMPLE:
			if (parse_ulong(optarg, "--sample", 1, 1000000000, &ul))
				return EXIT_ERR;
			o.sample = (uint32_t)ul;
			break;
		case OPT_ALLOCS:
			o.allocs = 1;
			break;
		case OPT_NO_ALLOCS:
			o.allocs = 0;
			break;
		case OPT_VALUE:
			if (convert_value_index(optarg) < 0) {
				gt_err("convert: unknown --value '%s'", optarg);
				return EXIT_ERR;
			}
			o.value = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			convert_usage(stdout);
			return EXIT_OK;
		default:
			convert_usage(stderr);
			return EXIT_ERR;
		}
	}
	if (optind != argc - 1 || !fmt || !outp) {
		gt_err("convert: need --format, -o OUT and one trace FILE");
		convert_usage(stderr);
		return EXIT_ERR;
	}
	if (!strcmp(fmt, "perfetto") || !strcmp(fmt, "chrome") ||
	    !strcmp(fmt, "json")) {
		go = 0;
		conv = convert_perfetto;
	} else if (!strcmp(fmt, "go")) {
		go = 1;
		conv = convert_go;
	} else if (!strcmp(fmt, "perfetto-proto")) {
		go = 0;
		conv = convert_perfetto_proto;
	} else if (!strcmp(fmt, "pprof")) {
		go = 0;
		conv = convert_pprof;
	} else if (!strcmp(fmt, "folded")) {
		go = 0;
		conv = convert_folded;
	} else {
		gt_err("convert: unknown format '%s' (perfetto, perfetto-proto, go, pprof, folded)",
		       fmt);
		return EXIT_ERR;
	}
	if (o.to_ns <= o.from_ns) {
		gt_err("convert: --to must be after --from");
		return EXIT_ERR;
	}
	o.path = argv[optind];
	ret = gt_open_file(o.path, &r);
	if (ret < 0) {
		gt_err("%s: %s", o.path, gt_error(NULL));
		return EXIT_ERR;
	}
	out = strcmp(outp, "-") ? fopen(outp, "wb") : stdout;
	if (!out) {
		gt_err("%s: %s", outp, strerror(errno));
		gt_close(r);
		return EXIT_ERR;
	}
	buf = malloc(OUT_BUF_SIZE);
	if (buf)
		setvbuf(out, buf, _IOFBF, OUT_BUF_SIZE);
	ret = conv(r, out, &o, &st);
	if (ret < 0)
		gt_err("%s: %s", o.path, ret == -ENOMEM ? "out of memory" :
		       gt_error(r)[0] ? gt_error(r) : strerror(-ret));
	if (fflush(out) || ferror(out)) {
		gt_err("%s: write error: %s", outp, strerror(errno));
		ret = -EIO;
	}
	if (out != stdout)
		fclose(out);
	else
		setvbuf(stdout, NULL, _IONBF, 0);
	free(buf);
	if (!o.quiet) {
		const struct gt_summary *s = gt_summary(r);

		fprintf(stderr, "gotrace: convert: %llu events in, %llu out, %llu tasks",
			(unsigned long long)st.events_in,
			(unsigned long long)st.events_out,
			(unsigned long long)st.tasks);
		if (go)
			fprintf(stderr, " (goroutines), %llu events synthesised",
				(unsigned long long)st.synth);
		fprintf(stderr, "\n");
		if (!s->complete)
			gt_warn("%s: the trace is truncated (no END record)", o.path);
		if (s->lost)
			gt_warn("%s: %llu events were lost while tracing", o.path,
				(unsigned long long)s->lost);
	}
	gt_close(r);
	return ret < 0 ? EXIT_ERR : EXIT_OK;
}
