/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text symbols of symbolize_elf.c, the vmlinux stand-in: global, so
 * that nm and the symbolizer see them.
 */
#ifndef GOTRACE_TESTS_SYMBOLIZE_ELF_H
#define GOTRACE_TESTS_SYMBOLIZE_ELF_H

void _stext(void);
int for_each_kernel_tracepoint(void);
int leaf(int x);
int caller(int x);
void _start(void);

#endif /* GOTRACE_TESTS_SYMBOLIZE_ELF_H */
