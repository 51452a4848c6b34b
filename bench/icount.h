/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's side of bench/icount-plugin.c: a phase marker.
 *
 * The marker is a 7-byte no-op, nopl disp32(%rax) (0f 1f 80 + disp32),
 * whose displacement spells "gtI" and a command byte.  On hardware and on
 * QEMU without the plugin it does nothing; the plugin recognises it when
 * it translates the code and counts the guest's instructions between a
 * START and a STOP.  Compilers pad with nopl of displacement 0, never
 * with this one.
 */
#ifndef GOTRACE_BENCH_ICOUNT_H
#define GOTRACE_BENCH_ICOUNT_H

#define ICOUNT_MAGIC		0x00497467U	/* 'g' 't' 'I', command byte */
#define ICOUNT_CMD_START	1U
#define ICOUNT_CMD_STOP		2U

#define ICOUNT_STR_(x)		#x
#define ICOUNT_STR(x)		ICOUNT_STR_(x)
/* The displacements as assembler literals. */
#define ICOUNT_DISP_START	0x01497467
#define ICOUNT_DISP_STOP	0x02497467

#if defined(__x86_64__) || defined(__i386__)
static inline void icount_start(void)
{
	__asm__ __volatile__(".byte 0x0f, 0x1f, 0x80\n\t"
			     ".long " ICOUNT_STR(ICOUNT_DISP_START)
			     ::: "memory");
}

static inline void icount_stop(void)
{
	__asm__ __volatile__(".byte 0x0f, 0x1f, 0x80\n\t"
			     ".long " ICOUNT_STR(ICOUNT_DISP_STOP)
			     ::: "memory");
}
#else
static inline void icount_start(void) { }
static inline void icount_stop(void) { }
#endif

#endif /* GOTRACE_BENCH_ICOUNT_H */
