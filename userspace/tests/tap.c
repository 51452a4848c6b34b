// SPDX-License-Identifier: GPL-2.0
/*
 * TAP output shared by the host unit tests.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tap.h"

int nr_tests;
int nr_failed;

static void tap_line(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void ok(int cond, const char *fmt, ...)
{
	char prefix[48];
	va_list ap;

	nr_tests++;
	if (!cond)
		nr_failed++;
	snprintf(prefix, sizeof(prefix), "%sok %d - ", cond ? "" : "not ",
		 nr_tests);
	va_start(ap, fmt);
	tap_line(prefix, fmt, ap);
	va_end(ap);
}

void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_line("# ", fmt, ap);
	va_end(ap);
}

void skip(const char *fmt, ...)
{
	char prefix[48];
	va_list ap;

	nr_tests++;
	snprintf(prefix, sizeof(prefix), "ok %d - # SKIP ", nr_tests);
	va_start(ap, fmt);
	tap_line(prefix, fmt, ap);
	va_end(ap);
}

int tap_done(void)
{
	printf("1..%d\n", nr_tests);
	if (nr_failed)
		printf("# %d of %d tests failed\n", nr_failed, nr_tests);
	return nr_failed ? 1 : 0;
}
