// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace stop: stop the running trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"

static const struct gt_cmdopt stop_opts[] = {
	{ GO_WAIT },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec stop_cmd = {
	.name = "stop",
	.synopsis = "[--wait]",
	.about = "Stop tracing.  The reader of the trace then gets the rest of the\n"
		 "stream and its end.\n",
	.opts = stop_opts,
	.flags = GT_CMD_POSIX,
};

int cmd_stop(int argc, char **argv)
{
	unsigned long arg = 0;
	struct gt_args a;
	int id, fd, ret;

	gt_args_init(&a, &stop_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		if (id == GO_WAIT)
			arg = GOTRACE_STOP_WAIT;
	}
	if (!id && gt_args_operands(&a, 0, 0, "no operands"))
		id = -1;
	gt_args_free(&a);
	if (id < 0)
		return a.status;
	fd = dev_open(O_RDONLY);
	if (fd < 0)
		return EXIT_ERR;
	ret = ioctl(fd, GOTRACE_IOC_STOP, arg);
	if (ret < 0) {
		if (errno == EINVAL || errno == ENOENT || errno == ESRCH)
			gt_err("cannot stop: no trace is running (%s)",
			       strerror(errno));
		else if (errno == EINTR)
			gt_err("stop: interrupted while waiting for the reader (the trace is stopped)");
		else
			dev_ioctl_err("cannot stop", errno);
	}
	close(fd);
	return ret < 0 ? EXIT_ERR : EXIT_OK;
}
