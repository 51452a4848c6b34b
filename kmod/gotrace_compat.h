/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gotrace: the tracepoint prototypes that differ between kernel versions,
 * in one place.
 *
 * Every probe is checked against the kernel's own declaration of its
 * tracepoint: the <trace/events/> headers give check_trace_callback_type_<tp>(),
 * whose parameter is a pointer to a probe of exactly the right type (as
 * lttng-modules uses it).  GT_PROBE_MATCHES() turns that into a constant,
 * so a changed prototype fails the build instead of recording garbage.
 *
 * Where upstream changed a prototype, the probe has one variant per
 * prototype and the build takes the one the kernel's declaration accepts
 * (GT_PICK_PROBE()), so a distribution kernel that backported a change
 * gets the right probe whatever its version number says.  The versions
 * below say where upstream has each prototype:
 *
 *   sched_switch(preempt, prev, next, prev_state)       5.18 -
 *     (older kernels are not supported: prev's state would have to be
 *      read racily)
 *   sched_process_exit(p)                                  - 6.15
 *   sched_process_exit(p, group_dead)                    6.16 -
 *   mm_vmscan_direct_reclaim_begin(order, gfp_flags)       - 7.0
 *   mm_vmscan_direct_reclaim_begin(gfp_flags, order, memcg) 7.1 -
 *   mm_vmscan_direct_reclaim_end(nr_reclaimed)             - 7.0
 *   mm_vmscan_direct_reclaim_end(nr_reclaimed, memcg)      7.1 -
 *   mark_victim(pid)                                       - 6.8
 *   mark_victim(task, uid)                               6.9 -
 *     (commit 72ba14deb40a; in 6.1.y since 6.1.130, a dependency of
 *      the stable fix "memcg: fix soft lockup in the OOM process", so
 *      Debian's 6.1.0-57 has it; other stable series may carry it too,
 *      which is why the build goes by the declaration, not the version)
 *
 * The other tracepoints gotrace uses have kept their prototypes from 5.18
 * through 7.1 (oom:mark_victim, the oom group's, is listed above).
 * cgroup_attach_task(dst_cgrp, path, task, threadgroup), the one gotrace
 * added since, is checked the same way; Debian's 6.1 and 6.12
 * declare it alike (the kernel computes path for it under a spinlock,
 * from the root of the hierarchy: gotrace does not use it, see
 * gotrace_cgroup.c).
 */
#ifndef _GOTRACE_COMPAT_H
#define _GOTRACE_COMPAT_H

#include <linux/version.h>
#include <linux/compiler.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 18, 0)
#error "gotrace needs Linux 5.18 or later (sched_switch with prev_state)"
#endif

/* Probe fn has the type of tracepoint tp's callbacks. */
#define GT_PROBE_MATCHES(tp, fn)					\
	__builtin_types_compatible_p(					\
		typeof(check_trace_callback_type_##tp) *,		\
		void (*)(typeof(fn) *))

/* The variant, a or b, that tp's declaration accepts. */
#define GT_PICK_PROBE(tp, a, b)						\
	__builtin_choose_expr(GT_PROBE_MATCHES(tp, a), a, b)

/* Timer API renames: timer_delete_sync() 6.2, timer_container_of() 6.16. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define timer_delete_sync(timer)	del_timer_sync(timer)
#endif
#ifndef timer_container_of
#define timer_container_of(var, timer, field)	from_timer(var, timer, field)
#endif

/*
 * vmcoreinfo (the kernel's build-id and _stext, gotrace_kinfo.c):
 * <linux/crash_core.h> under CONFIG_CRASH_CORE until 6.8,
 * <linux/vmcore_info.h> under CONFIG_VMCORE_INFO since 6.9.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
#include <linux/vmcore_info.h>
#define GT_HAVE_VMCOREINFO	IS_ENABLED(CONFIG_VMCORE_INFO)
#else
#include <linux/crash_core.h>
#define GT_HAVE_VMCOREINFO	IS_ENABLED(CONFIG_CRASH_CORE)
#endif

/*
 * __uninitialized (a probe's writer state, which every path sets before
 * reading, skips CONFIG_INIT_STACK_ALL_ZERO's clearing): defined by
 * <linux/compiler_attributes.h> (6.1 and 6.12 have it); where a kernel
 * does not, no attribute.
 */
#ifndef __uninitialized
#define __uninitialized
#endif

/*
 * splice_read (gotrace_splice.c) uses add_to_pipe(), pipe_full(),
 * nosteal_pipe_buf_ops and a pipe_buf_operations of release and get
 * (try_steal absent): the same in 6.1 and 6.12, whose headers were
 * compared; 6.5 removed generic_file_splice_read(), which gotrace never
 * used (a character device has its own splice_read or none).  Nothing
 * to choose by version here so far.
 */

#endif /* _GOTRACE_COMPAT_H */
