// SPDX-License-Identifier: GPL-2.0
/*
 * pingpong ROUNDS: a parent and a child, both on CPU 0, pass one byte
 * back and forth over two pipes ROUNDS times, so that their runs
 * alternate.  Prints "pingpong: PARENT CHILD" (pids) first.  Used by
 * scripts/check-viewers.sh inside the test VM.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void pin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int main(int argc, char **argv)
{
	int ab[2], ba[2], i, rounds = argc > 1 ? atoi(argv[1]) : 100;
	char c = 'x';
	pid_t child;

	pin();
	if (pipe(ab) || pipe(ba))
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		for (i = 0; i < rounds; i++) {
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	printf("pingpong: %d %d\n", (int)getpid(), (int)child);
	fflush(stdout);
	for (i = 0; i < rounds; i++) {
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
	}
	waitpid(child, NULL, 0);
	return 0;
}
