// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace stop: stop the running trace.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"

static void stop_usage(FILE *f)
{
	fprintf(f,
		"Usage: gotrace stop [--wait]\n"
		"\n"
		"Stop tracing.  The reader of the trace then gets the rest of the\n"
		"stream and its end.\n"
		"\n"
		"  -w, --wait   return only when the reader has read everything\n"
		"  -h, --help   show this help\n");
}

int cmd_stop(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long arg = 0;
	int opt, fd, ret;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+wh", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			arg = GOTRACE_STOP_WAIT;
			break;
		case 'h':
			stop_usage(stdout);
			return EXIT_OK;
		default:
			stop_usage(stderr);
			return EXIT_ERR;
		}
	}
	if (optind < argc) {
		gt_err("stop: unexpected argument '%s'", argv[optind]);
		return EXIT_ERR;
	}
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
