/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the tool from the host unit tests.
 */
#ifndef GOTRACE_TESTS_PROC_H
#define GOTRACE_TESTS_PROC_H

#include <stddef.h>

#include "tap.h"	/* __printf() */

/*
 * Run argv (argv[0] a path) with stdout and stderr to the files out and
 * err, and the NULL-terminated "NAME=value" strings of env (or NULL) added
 * to the environment.  Return its exit status, or -1 if it did not exit.
 */
int run_cmd(char *const argv[], const char *out, const char *err,
	    char *const env[]);

/* bash -c cmd: its exit status, or -1 (stdout flushed first). */
int run_bash(const char *cmd);

/*
 * Run a bash command line, its output (stdout and stderr) as TAP comments
 * ("# ..."); its exit status, or -1.
 */
__printf(1, 2)
int sh(const char *fmt, ...);

/* The whole of a file, NUL-terminated (malloc'ed), NULL if unreadable. */
char *slurp(const char *path);
/* n bytes at p as the whole of the file path: 0, or -1. */
int write_file(const char *path, const void *p, size_t n);

#endif /* GOTRACE_TESTS_PROC_H */
