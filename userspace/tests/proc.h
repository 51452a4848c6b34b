/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the tool from the host unit tests.
 */
#ifndef GOTRACE_TESTS_PROC_H
#define GOTRACE_TESTS_PROC_H

/*
 * Run argv (argv[0] a path) with stdout and stderr to the files out and
 * err, and the NULL-terminated "NAME=value" strings of env (or NULL) added
 * to the environment.  Return its exit status, or -1 if it did not exit.
 */
int run_cmd(char *const argv[], const char *out, const char *err,
	    char *const env[]);

/* The whole of a file, NUL-terminated (malloc'ed), NULL if unreadable. */
char *slurp(const char *path);

#endif /* GOTRACE_TESTS_PROC_H */
