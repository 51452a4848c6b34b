// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for a debug vmlinux (test_symbolize.c builds it with -g):
 * text symbols named like the kernel's, and a function inlined into its
 * caller around a call, whose return address LINES must show as two
 * frames.  The test finds the line numbers by the markers.
 */
#include "symbolize_elf.h"

void _stext(void)
{
}

int for_each_kernel_tracepoint(void)
{
	return 0;
}

__attribute__((noinline)) int leaf(int x)
{
	__asm__ volatile("" : "+r"(x));
	return x + 1;
}

static inline __attribute__((always_inline)) int inlined_helper(int x)
{
	return leaf(x) * 3; /* LINE:helper */
}

__attribute__((noinline)) int caller(int x)
{
	return inlined_helper(x) + 1; /* LINE:caller */
}

void _start(void)
{
	for (;;)
		caller(1);
}
