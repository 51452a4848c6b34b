// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace bench: the cost of the module's write path (GOTRACE_IOC_BENCH),
 * measured in the kernel on a private trace; nothing is recorded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "json.h"

static void bench_usage(FILE *f)
{
	fprintf(f,
		"Usage: gotrace bench [-n EVENTS] [-b SIZE] [--stacks] [--json]\n"
		"\n"
		"Drive the module's per-CPU write path in a tight loop (like the\n"
		"kernel's ring_buffer_benchmark) and print the cost per event.\n"
		"Needs the tracer idle; nothing reaches a trace.\n"
		"\n"
		"  -n, --events N       events to write (default 1000000)\n"
		"  -b, --buffer-size S  per-CPU buffer size (default 4M)\n"
		"      --stacks         capture a kernel stack with every event\n"
		"      --json           print JSON\n"
		"  -h, --help           show this help\n");
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "events", required_argument, NULL, 'n' },
		{ "buffer-size", required_argument, NULL, 'b' },
		{ "stacks", no_argument, NULL, OPT_STACKS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct gotrace_bench b = { .size = sizeof(b) };
	unsigned long n;
	double ns;
	int opt, fd, json = 0;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+n:b:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (parse_ulong(optarg, "events", 1,
					GOTRACE_BENCH_MAX_EVENTS, &n))
				return EXIT_ERR;
			b.nr_events = n;
			break;
		case 'b':
			if (parse_size(optarg, &b.buffer_size))
				return EXIT_ERR;
			break;
		case OPT_STACKS:
			b.flags |= GOTRACE_BENCH_STACKS;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'h':
			bench_usage(stdout);
			return EXIT_OK;
		default:
			bench_usage(stderr);
			return EXIT_ERR;
		}
	}
	if (optind < argc) {
		gt_err("bench: unexpected argument '%s'", argv[optind]);
		return EXIT_ERR;
	}
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
	} else
		printf("write path: %llu events in %.3f s: %.1f ns/event, %.2f bytes/event, %llu lost%s\n",
		       (unsigned long long)b.written, b.ns / 1e9, ns,
		       b.written ? (double)b.bytes / b.written : 0,
		       (unsigned long long)b.lost,
		       b.flags & GOTRACE_BENCH_STACKS ? " (with stacks)" : "");
	return b.lost ? EXIT_LOST : EXIT_OK;
}
