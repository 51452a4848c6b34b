// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace report: one self-contained HTML file of a trace.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"
#include "report.h"

#define REPORT_TOP	20	/* rows of the top tables */

static const struct gt_cmdopt report_opts[] = {
	{ GO_OUTPUT, "the HTML file ('-': stdout)" },
	GT_FILTER_OPTS,
	{ GO_TOP, "rows of the top tables, 0: all", GT_DEF_NUM, REPORT_TOP },
	{ GO_BY },
	{ GO_OLDER },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec report_cmd = {
	.name = "report",
	.synopsis = "-o OUT.html [OPTIONS] FILE",
	.about = "Write one self-contained HTML page of a trace (no network, no external\n"
		 "files): summary and health, page allocation and free rate by order,\n"
		 "outstanding pages over time and by stack and task (the leak candidates),\n"
		 "page lifetime and wakeup latency histograms, a per-CPU timeline, the top\n"
		 "allocating stacks and tasks, direct reclaim stalls, kswapd and compaction,\n"
		 "extfrag fallbacks, and all of it by NUMA node and zone.  The numbers are\n"
		 "those of 'gotrace stats'.  FILE may be '-' (standard input).\n",
	.opts = report_opts,
	.notes = "The trace is read before OUT.html is touched, and the page is written to a\n"
		 "temporary file next to it, renamed over it when complete: on an error\n"
		 "(a missing, foreign or malformed trace: exit status 1, as stats) OUT.html\n"
		 "keeps what it held.\n",
};

/* Write the page to out (then closed); 0 or an errno. */
static int write_close(const struct report *rep, FILE *out)
{
	int err = 0;

	report_write(rep, out);
	if (fflush(out) || ferror(out))
		err = errno ? errno : EIO;
	if (fclose(out) && !err)
		err = errno;
	return err;
}

/*
 * Write the page to path through a temporary file in its directory,
 * renamed over path once complete: a failed write leaves path as it was.
 * A path that is not a regular file (/dev/null, a FIFO) is written to.
 */
static int write_atomic(const struct report *rep, const char *path)
{
	const char *slash = strrchr(path, '/');
	mode_t mask = umask(0);
	struct stat st;
	char *tmp;
	FILE *out;
	int fd, err = 0;

	umask(mask);
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		out = fopen(path, "w");
		err = out ? write_close(rep, out) : errno;
		if (err)
			gt_err("%s: %s", path, strerror(err));
		return -err;
	}
	if (asprintf(&tmp, "%.*s.%s.XXXXXX", slash ? (int)(slash - path + 1) : 0,
		     path, slash ? slash + 1 : path) < 0) {
		gt_err("report: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		gt_err("%s: %s", path, strerror(err));
		free(tmp);
		return -err;
	}
	out = fdopen(fd, "w");
	if (!out) {
		err = errno;
		close(fd);
	} else if (fchmod(fd, 0666 & ~mask)) {
		err = errno;
		fclose(out);
	} else {
		err = write_close(rep, out);
	}
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		gt_err("%s: %s", path, strerror(err));
		unlink(tmp);
	}
	free(tmp);
	return -err;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = { .top = REPORT_TOP };
	const char *outp = NULL;
	struct report *rep;
	struct gt_args a;
	unsigned long ul;
	int id, ret;

	gt_filter_init(&o.filter);
	gt_args_init(&a, &report_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		if (id == GO_OUTPUT) {
			outp = a.arg;
		} else if (id == GO_BY) {
			if (gt_by_opt(&a, &o.by))
				id = -1;
		} else if (id == GO_OLDER) {
			if (parse_trace_time(a.arg, "--older", &o.older_ns))
				id = -1;
		} else if (id == GO_TOP) {
			if (parse_ulong(a.arg, "--top", 0, 1UL << 30, &ul))
				id = -1;
			o.top = ul ? (unsigned int)ul : UINT_MAX;
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
	ret = report_load(&o, &rep);
	if (ret == -ENOMEM)
		gt_err("report: out of memory");
	if (ret < 0)
		return EXIT_ERR;
	if (strcmp(outp, "-")) {
		ret = write_atomic(rep, outp);
	} else {
		report_write(rep, stdout);
		if (fflush(stdout) || ferror(stdout)) {
			gt_err("writing the output: %s", strerror(errno));
			ret = -EIO;
		}
	}
	report_free(rep);
	return ret < 0 ? EXIT_ERR : EXIT_OK;
}
