// SPDX-License-Identifier: GPL-2.0
/*
 * The cost of gotrace's write path in the guest, through GOTRACE_IOC_BENCH
 * (the module writes N sched_switch events through the probes' own code
 * into a private trace, like the kernel's ring_buffer_benchmark):
 *
 *   gtbench [-n EVENTS] [-s]       -s: with a kernel stack per event
 *
 * Output, one line: gtbench stacks=0|1 events=N ns=T ns_per_event=X
 * lost=L bytes_per_event=B; exit 3 when the module has no GOTRACE_IOC_BENCH.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/gotrace.h>

int main(int argc, char **argv)
{
	struct gotrace_bench b;
	int fd, opt;

	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.nr_events = 1000000;
	while ((opt = getopt(argc, argv, "n:s")) != -1) {
		switch (opt) {
		case 'n':
			b.nr_events = strtoull(optarg, NULL, 0);
			break;
		case 's':
			b.flags |= GOTRACE_BENCH_STACKS;
			break;
		default:
			return 2;
		}
	}
	fd = open("/dev/gotrace", O_RDONLY);
	if (fd < 0) {
		perror("/dev/gotrace");
		return 1;
	}
	if (ioctl(fd, GOTRACE_IOC_BENCH, &b)) {
		int e = errno;

		fprintf(stderr, "gtbench: GOTRACE_IOC_BENCH: %s\n", strerror(e));
		return e == ENOTTY ? 3 : 1;
	}
	printf("gtbench stacks=%d events=%llu ns=%llu ns_per_event=%.1f lost=%llu bytes_per_event=%.2f\n",
	       !!(b.flags & GOTRACE_BENCH_STACKS),
	       (unsigned long long)b.written, (unsigned long long)b.ns,
	       b.written ? (double)b.ns / b.written : 0.0,
	       (unsigned long long)b.lost,
	       b.written ? (double)b.bytes / b.written : 0.0);
	return 0;
}
