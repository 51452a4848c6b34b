/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's helper macros the tool, the library and the tests use, for
 * code written in kernel style outside the kernel.  Not installed.
 */
#ifndef GOTRACE_COMPILER_H
#define GOTRACE_COMPILER_H

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __printf
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#endif

#endif /* GOTRACE_COMPILER_H */
