// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace start: start a trace that another process reads later.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

static void start_usage(FILE *f)
{
	fprintf(f,
		"Usage: gotrace start [-e GROUPS] [-b SIZE] [--flush-ms N] [--stacks[=EVS]]\n"
		"                     [-p PID | --tid TID] [-C CPUS] [--discard]\n"
		"\n"
		"Start tracing.  The trace is read with 'gotrace record' or any reader\n"
		"of /dev/gotrace; stop it with 'gotrace stop'.\n"
		"\n"
		START_HELP
		"  -h, --help           show this help\n");
}

int cmd_start(int argc, char **argv)
{
	static const struct option extra[] = {
		{ "help",     no_argument,       NULL, 'h' },
	};
	struct start_opts so = { 0 };
	struct option *opts;
	int opt, fd, ret;

	opts = start_long_opts(extra, ARRAY_SIZE(extra));
	if (!opts)
		return EXIT_ERR;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+" START_SHORT_OPTS "h", opts,
				  NULL)) != -1) {
		if (opt == 'h') {
			start_usage(stdout);
			free(opts);
			return EXIT_OK;
		}
		ret = start_opt(&so, opt, optarg);
		if (ret <= 0) {
			if (!ret)
				start_usage(stderr);
			start_opts_free(&so);
			free(opts);
			return EXIT_ERR;
		}
	}
	free(opts);
	if (optind < argc) {
		gt_err("start: unexpected argument '%s'", argv[optind]);
		start_opts_free(&so);
		return EXIT_ERR;
	}
	fd = dev_open(O_RDONLY);
	if (fd < 0) {
		start_opts_free(&so);
		return EXIT_ERR;
	}
	ret = start_trace(fd, &so);
	start_opts_free(&so);
	close(fd);
	return ret ? EXIT_ERR : EXIT_OK;
}
