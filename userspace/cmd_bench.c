// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace bench: the cost of the module's write path (GOTRACE_IOC_BENCH),
 * measured in the kernel on a private trace; nothing is recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"
#include "json.h"

static const struct gt_cmdopt bench_opts[] = {
	{ GO_COUNT },
	{ GO_BUFFER_SIZE },
	{ GO_STACKS, "capture a kernel stack with every event" },
	{ GO_JSON },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec bench_cmd = {
	.name = "bench",
	.synopsis = "[--count N] [-b SIZE] [--stacks] [--json]",
	.about = "Drive the module's per-CPU write path in a tight loop (like the\n"
		 "kernel's ring_buffer_benchmark) and print the cost per event.\n"
		 "Needs the tracer idle; nothing reaches a trace.\n",
	.opts = bench_opts,
	.flags = GT_CMD_POSIX,
};

int cmd_bench(int argc, char **argv)
{
	struct gotrace_bench b = { .size = sizeof(b) };
	struct gt_args a;
	unsigned long n;
	double ns;
	int id, fd, json = 0;

	gt_args_init(&a, &bench_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		switch (id) {
		case GO_COUNT:
			if (parse_ulong(a.arg, "--count", 1,
					GOTRACE_BENCH_MAX_EVENTS, &n))
				goto bad;
			b.nr_events = n;
			break;
		case GO_BUFFER_SIZE:
			if (parse_size(a.arg, &b.buffer_size))
				goto bad;
			break;
		case GO_STACKS:
			b.flags |= GOTRACE_BENCH_STACKS;
			break;
		case GO_JSON:
			json = 1;
			break;
		}
	}
	if (!id && gt_args_operands(&a, 0, 0, "no operands"))
		id = -1;
	gt_args_free(&a);
	if (id < 0)
		return a.status;
	fd = dev_open(O_RDONLY);
	if (fd < 0)
		return EXIT_ERR;
	if (ioctl(fd, GOTRACE_IOC_BENCH, &b) < 0) {
		if (errno == EBUSY)
			gt_err("bench: a trace is running or not yet read; stop and read it first");
		else
			dev_ioctl_err("bench", errno);
		close(fd);
		return EXIT_ERR;
	}
	close(fd);
	ns = b.written ? (double)b.ns / b.written : 0;
	if (json) {
		struct jw w;

		jw_init(&w, stdout, true);
		jw_obj_begin(&w);
		jw_kv_u64(&w, "events", b.written);
		jw_kv_u64(&w, "lost", b.lost);
		jw_kv_u64(&w, "ns", b.ns);
		jw_key(&w, "ns_per_event");
		jw_double(&w, "%.1f", ns);
		jw_key(&w, "bytes_per_event");
		jw_double(&w, "%.2f",
			  b.written ? (double)b.bytes / b.written : 0);
		jw_kv_bool(&w, "stacks", b.flags & GOTRACE_BENCH_STACKS);
		jw_obj_end(&w);
		putchar('\n');
	} else {
		printf("write path: %llu events in %.3f s: %.1f ns/event, %.2f bytes/event, %llu lost%s\n",
		       (unsigned long long)b.written, b.ns / 1e9, ns,
		       b.written ? (double)b.bytes / b.written : 0,
		       (unsigned long long)b.lost,
		       b.flags & GOTRACE_BENCH_STACKS ? " (with stacks)" : "");
	}
	return b.lost ? EXIT_LOST : EXIT_OK;
bad:
	gt_args_free(&a);
	return EXIT_USAGE;
}
