/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output shared by the host unit tests: "ok N - ..." lines, "# ..."
 * diagnostics, and the counters the tests' main() reports and exits by.
 */
#ifndef GOTRACE_TESTS_TAP_H
#define GOTRACE_TESTS_TAP_H

#include "compiler.h"

extern int nr_tests;
extern int nr_failed;

__printf(2, 3)
void ok(int cond, const char *fmt, ...);
__printf(1, 2)
void diag(const char *fmt, ...);
/* A test that could not run here: "ok N - # SKIP reason". */
__printf(1, 2)
void skip(const char *fmt, ...);
/* The plan "1..N" after the tests, a summary if any failed: main's status. */
int tap_done(void);

#endif /* GOTRACE_TESTS_TAP_H */
