// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace start: start a trace that another process reads later.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"

static const struct gt_cmdopt start_opts[] = {
	GT_START_OPTS,
	{ GO_FLIGHT },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec start_cmd = {
	.name = "start",
	.synopsis = "[OPTIONS]",
	.about = "Start tracing.  The trace is read with 'gotrace record' or any reader\n"
		 "of /dev/gotrace; stop it with 'gotrace stop'.  With --flight it is a\n"
		 "flight recorder: the module keeps the most recent generations, and\n"
		 "'gotrace snapshot' saves them as a trace file.\n",
	.opts = start_opts,
	.flags = GT_CMD_POSIX,
};

int cmd_start(int argc, char **argv)
{
	struct start_opts so = { 0 };
	struct gt_args a;
	int id, fd, ret;

	gt_args_init(&a, &start_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		if (start_opt(&so, id, a.arg) < 0) {
			a.status = EXIT_USAGE;
			id = -1;
			break;
		}
	}
	if (!id && gt_args_operands(&a, 0, 0, "no operands"))
		id = -1;
	gt_args_free(&a);
	if (id < 0) {
		start_opts_free(&so);
		return a.status;
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
