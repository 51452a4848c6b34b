/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gotrace: the tracepoint prototypes that differ between kernel versions,
 * in one place.  Each GT_PROTO_* expands to the probe's parameter list
 * after "void *data"; GT_ARGS_* names the arguments the probes use.
 *
 * Checked against Debian's 6.1 and 6.12 headers:
 *  - sched_switch gained prev_state in 5.18 (older kernels are not
 *    supported: the state would have to be read racily from prev);
 *  - sched_process_exit gained group_dead in 6.16.
 */
#ifndef _GOTRACE_COMPAT_H
#define _GOTRACE_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 18, 0)
#error "gotrace needs Linux 5.18 or later (sched_switch with prev_state)"
#endif

#define GT_PROTO_SCHED_SWITCH \
	bool preempt, struct task_struct *prev, struct task_struct *next, \
	unsigned int prev_state

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define GT_PROTO_SCHED_PROCESS_EXIT	struct task_struct *p, bool group_dead
#else
#define GT_PROTO_SCHED_PROCESS_EXIT	struct task_struct *p
#endif

#endif /* _GOTRACE_COMPAT_H */
