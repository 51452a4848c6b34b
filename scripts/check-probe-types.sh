#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The probes' type checks against the kernel's tracepoint declarations
# (kmod/gotrace_compat.h), as TAP, on copies of kmod/gotrace_probes.c
# compiled for one kernel:
#   1. as it is: compiles;
#   2. one probe's prototype changed: the build fails, naming the probe;
#   3. the kernel declares the 7.1 prototypes of mm_vmscan_direct_reclaim_*
#      and the 6.16 one of sched_process_exit (what a distribution
#      kernel with those changes backported declares, whatever its
#      version): the build takes the probes for them;
#   4. the kernel declares mark_victim(int pid), as before 6.9 (and
#      6.1.130): the build takes the probe for it.
#
#   check-probe-types.sh KVER
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
kver=${1:?usage: check-probe-types.sh KVER}
kdir=/lib/modules/$kver/build
work=$BUILD/probe-types/$kver
n=0 failed=0

tap() {	# ok|not-ok description
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

# compile DIR: gotrace_probes.o of the tree in DIR; output in DIR/log
compile() {
	make -C "$kdir" M="$1" KCFLAGS=-Werror kmod/gotrace_probes.o >"$1/log" 2>&1
}

copy() {	# copy NAME: a fresh copy of the module sources in $work/NAME
	rm -rf "${work:?}/$1"
	mkdir -p "$work/$1"
	cp -a "$ROOT/Kbuild" "$ROOT/kmod" "$ROOT/uapi" "$work/$1/"
	echo "$work/$1"
}

echo "TAP version 13"
echo "1..7"
[ -e "$kdir/Makefile" ] || { echo "Bail out! no headers for $kver"; exit 1; }

d=$(copy asis)
if compile "$d"; then
	tap ok "probes compile against $kver"
else
	sed 's/^/# /' "$d/log" | tail -n 20
	tap not-ok "probes compile against $kver"
fi

# mm_page_free(page, unsigned int order): make order an int.
d=$(copy mismatch)
perl -0pi -e 's/(gt_probe_mm_page_free\(void \*data, struct page \*page,\s+)unsigned int order/${1}int order/' \
	"$d/kmod/gotrace_probes.c"
if ! perl -0ne 'exit(/gt_probe_mm_page_free\(void \*data, struct page \*page,\s+int order/ ? 0 : 1)' \
	"$d/kmod/gotrace_probes.c"; then
	tap not-ok "a changed prototype fails the build (the test's edit no longer applies)"
elif compile "$d"; then
	tap not-ok "a changed prototype fails the build (it compiled)"
elif grep -q "gt_probe_mm_page_free does not match the kernel.*mm_page_free" "$d/log"; then
	tap ok "a changed prototype fails the build, naming the probe"
else
	sed 's/^/# /' "$d/log" | grep -i error | head -n 5
	tap not-ok "a changed prototype fails the build, naming the probe"
fi

# A kernel declaring the newer prototypes: replace the declarations'
# checkers by ones of the newer types, after the kernel's headers.
d=$(copy newer)
cat >"$d/newer.h" <<'EOT'
static inline void gt_test_exit_gd(void (*cb)(void *, struct task_struct *, bool)) { }
static inline void gt_test_begin_71(void (*cb)(void *, gfp_t, int, struct mem_cgroup *)) { }
static inline void gt_test_end_71(void (*cb)(void *, unsigned long, struct mem_cgroup *)) { }
#undef check_trace_callback_type_sched_process_exit
#define check_trace_callback_type_sched_process_exit gt_test_exit_gd
#define check_trace_callback_type_mm_vmscan_direct_reclaim_begin gt_test_begin_71
#define check_trace_callback_type_mm_vmscan_direct_reclaim_end gt_test_end_71
EOT
perl -0pi -e 's|(#include <trace/events/compaction.h>\n)|$1#include "../newer.h"\n|' \
	"$d/kmod/gotrace_probes.c"
if ! grep -q 'newer.h' "$d/kmod/gotrace_probes.c"; then
	tap not-ok "newer prototypes: the test's edit no longer applies"
	tap not-ok "newer prototypes: the probes for them are taken"
elif compile "$d"; then
	tap ok "newer prototypes (6.16 sched_process_exit, 7.1 direct reclaim) compile"
	syms=$(nm "$d/kmod/gotrace_probes.o" 2>/dev/null)
	if grep -q gt_probe_sched_process_exit_p_gd <<<"$syms" &&
	   grep -q gt_probe_direct_reclaim_begin_gfp_order_memcg <<<"$syms" &&
	   grep -q gt_probe_direct_reclaim_end_nr_memcg <<<"$syms" &&
	   ! grep -q 'gt_probe_direct_reclaim_begin_order_gfp$' <<<"$syms"; then
		tap ok "newer prototypes: the probes for them are taken"
	else
		grep gt_probe <<<"$syms" | sed 's/^/# /'
		tap not-ok "newer prototypes: the probes for them are taken"
	fi
else
	sed 's/^/# /' "$d/log" | grep -i error | head -n 5
	tap not-ok "newer prototypes (6.16 sched_process_exit, 7.1 direct reclaim) compile"
	tap not-ok "newer prototypes: the probes for them are taken"
fi

# A kernel declaring the older mark_victim(int pid).
d=$(copy older)
cat >"$d/older.h" <<'EOT'
static inline void gt_test_victim_pid(void (*cb)(void *, int)) { }
#undef check_trace_callback_type_mark_victim
#define check_trace_callback_type_mark_victim gt_test_victim_pid
EOT
perl -0pi -e 's|(#include <trace/events/oom.h>\n)|$1#include "../older.h"\n|' \
	"$d/kmod/gotrace_probes.c"
if ! grep -q 'older.h' "$d/kmod/gotrace_probes.c"; then
	tap not-ok "older mark_victim(pid): the test's edit no longer applies"
	tap not-ok "older mark_victim(pid): the probe for it is taken"
elif compile "$d"; then
	tap ok "older mark_victim(pid) (before 6.9, 6.1.130) compiles"
	syms=$(nm "$d/kmod/gotrace_probes.o" 2>/dev/null)
	if grep -q gt_probe_mark_victim_pid <<<"$syms" &&
	   ! grep -q gt_probe_mark_victim_task_uid <<<"$syms"; then
		tap ok "older mark_victim(pid): the probe for it is taken"
	else
		grep gt_probe_mark <<<"$syms" | sed 's/^/# /'
		tap not-ok "older mark_victim(pid): the probe for it is taken"
	fi
else
	sed 's/^/# /' "$d/log" | grep -i error | head -n 5
	tap not-ok "older mark_victim(pid) (before 6.9, 6.1.130) compiles"
	tap not-ok "older mark_victim(pid): the probe for it is taken"
fi

# The kernel's own prototypes: the older variants are taken (and
# mark_victim(task, uid), which Debian's 6.1 and 6.12 declare).
syms=$(nm "$work/asis/kmod/gotrace_probes.o" 2>/dev/null)
if grep -q 'gt_probe_direct_reclaim_begin_order_gfp$' <<<"$syms" &&
   ! grep -q gt_probe_direct_reclaim_begin_gfp_order_memcg <<<"$syms" &&
   grep -q gt_probe_mark_victim_task_uid <<<"$syms" &&
   ! grep -q gt_probe_mark_victim_pid <<<"$syms"; then
	tap ok "$kver's own prototypes: the probes for them are taken"
else
	tap not-ok "$kver's own prototypes: the probes for them are taken"
fi
exit $failed
