// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace convert: export a trace file for other viewers (Perfetto/Chrome
 * JSON, Perfetto's protobuf trace, Go execution trace for `go tool trace`,
 * pprof profile and folded stacks of the page allocations).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"
#include "convert.h"
#include "gotrace_reader.h"

#define OUT_BUF_SIZE	(1024 * 1024)
#define CONVERT_INTERVAL_MS	10	/* default counter interval */

/*
 * The output formats: a row each (the help's list and --format's values
 * come from here).
 */
struct convert_format {
	const char *name;
	const char *aliases[2];	/* other accepted names */
	int (*convert)(struct gt_reader *r, FILE *out,
		       const struct convert_opts *o, struct convert_stats *st);
	int goroutines;		/* tasks are goroutines, st.synth counts */
};

static const struct convert_format formats[] = {
	{ "perfetto", { "chrome", "json" }, convert_perfetto, 0 },
	{ "perfetto-proto", { NULL }, convert_perfetto_proto, 0 },
	{ "go", { NULL }, convert_go, 1 },
	{ "pprof", { NULL }, convert_pprof, 0 },
	{ "folded", { NULL }, convert_folded, 0 },
};

static const struct gt_cmdopt convert_opts[] = {
	{ GO_FORMAT, "perfetto: Chrome trace event JSON (ui.perfetto.dev,\n"
		     "chrome://tracing); perfetto-proto: Perfetto's\n"
		     "protobuf trace (CPU tracks, thread states);\n"
		     "go: Go 1.19 execution trace (go tool trace);\n"
		     "pprof: gzipped profile of the page allocations\n"
		     "(go tool pprof); folded: folded stacks\n"
		     "(flamegraph.pl)" },
	{ GO_OUTPUT },
	GT_FILTER_OPTS,
	{ GO_INTERVAL, "counter interval in ms (perfetto: page\n"
		       "counters, go: heap counter updates)", GT_DEF_NUM,
	  CONVERT_INTERVAL_MS },
	{ GO_SAMPLE, "perfetto: keep one page allocation event in N" },
	{ GO_ALLOCS, "perfetto: page allocation events (default: when\n"
		     "the trace has stacks)" },
	{ GO_NO_ALLOCS, "perfetto: no page allocation events" },
	{ GO_VALUE, "folded: outstanding_pages (default),\n"
		    "outstanding_bytes, alloc_pages or allocs" },
	{ GO_QUIET },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec convert_cmd = {
	.name = "convert",
	.synopsis = "--format=perfetto|perfetto-proto|go|pprof|folded -o OUT\n"
		    "                       [OPTIONS] FILE",
	.about = "Export a trace for other viewers, written while the trace is read.\n"
		 "FILE may be '-' (standard input).\n",
	.opts = convert_opts,
};

static const struct convert_format *find_format(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		const struct convert_format *f = &formats[i];

		if (!strcmp(name, f->name) ||
		    (f->aliases[0] && !strcmp(name, f->aliases[0])) ||
		    (f->aliases[1] && !strcmp(name, f->aliases[1])))
			return f;
	}
	return NULL;
}

/* The options of cmd_convert(); -1 when it is done (a.status). */
static int convert_args(struct gt_args *a, struct convert_opts *o,
			const struct convert_format **fmt, const char **outp)
{
	unsigned long ul;
	int id;

	while ((id = gt_args_next(a)) > 0) {
		switch (id) {
		case GO_FORMAT:
			*fmt = find_format(a->arg);
			if (!*fmt) {
				a->status = gt_usage_err(a->cmd,
							 "unknown format '%s' (perfetto, perfetto-proto, go, pprof, folded)",
							 a->arg);
				return -1;
			}
			break;
		case GO_OUTPUT:
			*outp = a->arg;
			break;
		case GO_INTERVAL:
			if (parse_ulong(a->arg, "--interval", 1, 3600000, &ul))
				goto bad;
			o->interval_ns = ul * 1000000ULL;
			break;
		case GO_SAMPLE:
			if (parse_ulong(a->arg, "--sample", 1, 1000000000, &ul))
				goto bad;
			o->sample = (uint32_t)ul;
			break;
		case GO_ALLOCS:
		case GO_NO_ALLOCS:
			o->allocs = id == GO_ALLOCS;
			break;
		case GO_VALUE:
			if (convert_value_index(a->arg) < 0) {
				a->status = gt_usage_err(a->cmd,
							 "unknown --value '%s'", a->arg);
				return -1;
			}
			o->value = a->arg;
			break;
		case GO_QUIET:
			o->quiet = 1;
			break;
		default:
			if (filter_opt(&o->filter, id, a->arg) < 0)
				goto bad;
			break;
		}
	}
	if (id < 0)
		return -1;
	if (gt_args_operands(a, 1, 1, "one trace FILE"))
		return -1;
	if (!*fmt || !*outp) {
		a->status = gt_usage_err(a->cmd, "need --format and -o OUT");
		return -1;
	}
	if (o->filter.to_ns <= o->filter.from_ns) {
		a->status = gt_usage_err(a->cmd, "--to must be after --from");
		return -1;
	}
	return 0;
bad:
	a->status = EXIT_USAGE;
	return -1;
}

int cmd_convert(int argc, char **argv)
{
	struct convert_opts o = {
		.interval_ns = CONVERT_INTERVAL_MS * 1000000ULL,
		.sample = 1,
		.allocs = -1,
	};
	const struct convert_format *fmt = NULL;
	struct convert_stats st = { 0 };
	const char *outp = NULL;
	struct gt_reader *r;
	struct gt_args a;
	char *buf;
	FILE *out;
	int ret;

	gt_filter_init(&o.filter);
	gt_args_init(&a, &convert_cmd, argc, argv);
	ret = convert_args(&a, &o, &fmt, &outp);
	gt_args_free(&a);
	if (ret < 0)
		return a.status;
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
	ret = fmt->convert(r, out, &o, &st);
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
		if (fmt->goroutines)
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
