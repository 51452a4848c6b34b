// SPDX-License-Identifier: GPL-2.0
/*
 * icmark CMD [ARG...]: runs CMD between the two phase markers of
 * bench/icount.h, so that QEMU's icount plugin counts the guest
 * instructions it took (with everything else the guest ran meanwhile).
 * Exits with CMD's status.
 *
 * icmark --start, icmark --stop: executes one marker and exits, for a
 * phase made of several commands (a script's own steps between them are
 * counted too).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "icount.h"

int main(int argc, char **argv)
{
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: icmark CMD [ARG...] | --start | --stop\n");
		return 2;
	}
	if (!strcmp(argv[1], "--start") && argc == 2) {
		icount_start();
		return 0;
	}
	if (!strcmp(argv[1], "--stop") && argc == 2) {
		icount_stop();
		return 0;
	}
	icount_start();
	pid = fork();
	if (pid < 0) {
		perror("icmark: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("icmark: waitpid");
		return 1;
	}
	icount_stop();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
