// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace start: start a trace that another process reads later.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "common.h"

static void start_usage(FILE *f)
{
	fprintf(f,
		"Usage: gotrace start [-e GROUPS] [-b SIZE] [--flush-ms N] [--discard]\n"
		"\n"
		"Start tracing.  The trace is read with 'gotrace record' or any reader\n"
		"of /dev/gotrace; stop it with 'gotrace stop'.\n"
		"\n"
		"  -e, --events GROUPS  event groups: sched,page,reclaim (default: all)\n"
		"  -b, --buffer SIZE    buffer per CPU: bytes or 64K, 4M, 1G (default 4M)\n"
		"      --flush-ms N     flush partial buffers every N ms (default 1000)\n"
		"      --discard        drop a stopped trace nobody read\n"
		"  -h, --help           show this help\n");
}

int cmd_start(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events",   required_argument, NULL, 'e' },
		{ "buffer",   required_argument, NULL, 'b' },
		{ "flush-ms", required_argument, NULL, OPT_FLUSH_MS },
		{ "discard",  no_argument,       NULL, OPT_DISCARD },
		{ "help",     no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct start_opts so = { 0 };
	int opt, fd, ret;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+e:b:h", opts, NULL)) != -1) {
		if (opt == 'h') {
			start_usage(stdout);
			return EXIT_OK;
		}
		ret = start_opt(&so, opt, optarg);
		if (ret < 0)
			return EXIT_ERR;
		if (!ret) {
			start_usage(stderr);
			return EXIT_ERR;
		}
	}
	if (optind < argc) {
		gt_err("start: unexpected argument '%s'", argv[optind]);
		return EXIT_ERR;
	}
	fd = dev_open(O_RDONLY);
	if (fd < 0)
		return EXIT_ERR;
	ret = start_trace(fd, &so);
	close(fd);
	return ret ? EXIT_ERR : EXIT_OK;
}
