// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-work workloads for `make bench`; each prints its own throughput:
 *
 *   wl pipe N        N round trips of one byte between two processes over
 *                    two pipes (scheduler-heavy: wakeup + switch per hop)
 *   wl page N [KB]   N times: mmap KB (default 1024) of anonymous memory,
 *                    MADV_NOHUGEPAGE, write one byte per page, munmap
 *                    (page-allocator-heavy: alloc + free per page)
 *   wl mix N         N pipe round trips; at each, the child also maps,
 *                    touches and unmaps 16 pages (both groups at once)
 *
 * All of it runs on CPU 0 (the tracers' readers get the other CPU): under
 * QEMU TCG, wakeups across vCPUs through an idle (halted) vCPU cost
 * milliseconds at random, which would swamp what is measured.
 *
 * The measured part runs between the markers of icount.h: under QEMU with
 * bench/icount-plugin.so, its guest instructions are counted.
 *
 * Output, one line on stdout:
 *   wl=MODE ops=N secs=S ops_per_s=R
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "icount.h"

static long page_size;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void touch_pages(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t off;

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	madvise(p, bytes, MADV_NOHUGEPAGE);
	for (off = 0; off < bytes; off += page_size)
		p[off] = 1;
	munmap(p, bytes);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void pingpong(long n, size_t child_bytes)
{
	int a[2], b[2];
	char c = 0;
	long i;
	pid_t pid;

	if (pipe(a) || pipe(b))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			if (read(a[0], &c, 1) != 1)
				die("child read");
			if (child_bytes)
				touch_pages(child_bytes);
			if (write(b[1], &c, 1) != 1)
				die("child write");
		}
		_exit(0);
	}
	for (i = 0; i < n; i++) {
		if (write(a[1], &c, 1) != 1)
			die("write");
		if (read(b[0], &c, 1) != 1)
			die("read");
	}
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	double t0, t1;
	long n, i, kb;

	if (argc < 3) {
		fprintf(stderr, "usage: wl pipe|page|mix N [KB]\n");
		return 2;
	}
	page_size = sysconf(_SC_PAGESIZE);
	if (!getenv("WL_NO_PIN")) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			perror("sched_setaffinity");
	}
	n = atol(argv[2]);
	icount_start();
	t0 = now();
	if (!strcmp(argv[1], "pipe")) {
		pingpong(n, 0);
	} else if (!strcmp(argv[1], "mix")) {
		pingpong(n, 16 * page_size);
	} else if (!strcmp(argv[1], "page")) {
		kb = argc > 3 ? atol(argv[3]) : 1024;
		for (i = 0; i < n; i++)
			touch_pages(kb * 1024);
	} else {
		fprintf(stderr, "wl: unknown mode %s\n", argv[1]);
		return 2;
	}
	t1 = now();
	icount_stop();
	printf("wl=%s ops=%ld secs=%.6f ops_per_s=%.1f\n", argv[1], n, t1 - t0,
	       n / (t1 - t0));
	return 0;
}
