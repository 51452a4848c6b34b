#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a debug kernel from Debian's linux-source (of scripts/kernels.sh's
# SOURCE series) for `make check-debug`, on top of x86_64_defconfig minus
# the big driver and network subsystems the test VM does not use.  Two
# flavours (DEBUG_FLAVOUR), because KASAN and KCSAN exclude each other:
#   kasan (default)  KASAN (generic, inline), lockdep (PROVE_LOCKING),
#                    PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, DEBUG_OBJECTS,
#                    kmemleak, fault injection, lockup and hung task detectors;
#   kcsan            KCSAN in strict mode (every plain access that races is
#                    reported, also against interrupts on the same CPU), and
#                    the lockup and hung task detectors.
#
# The tree is cached outside the repository (DEBUG_KERNEL_CACHE, default
# /var/cache/gotrace/debug-kernel, or debug-kernel-kcsan) and kept as the
# KDIR of the module build.
# Prints the tree's path (its arch/x86/boot/bzImage is the kernel).
# Idempotent: a finished build (.gotrace-done matching this script's config)
# is reused.  The build runs under `nice -n 19`; its wall time is written to
# $CACHE/build-seconds.
set -euo pipefail

FLAVOUR=${DEBUG_FLAVOUR:-kasan}
case $FLAVOUR in
kasan) CACHE=${DEBUG_KERNEL_CACHE:-/var/cache/gotrace/debug-kernel} ;;
kcsan) CACHE=${DEBUG_KERNEL_CACHE:-/var/cache/gotrace/debug-kernel-kcsan} ;;
*) echo "debug-kernel: DEBUG_FLAVOUR=$FLAVOUR: not kasan or kcsan" >&2; exit 1 ;;
esac
SOURCE=linux-source-$("$(dirname "$0")/kernels.sh" source)
SRC=$CACHE/$SOURCE
JOBS=${JOBS:-$(nproc)}

# Options on top of x86_64_defconfig.  "n" drops what the VM never touches
# (and most of the build time); the rest is what the VM and the module need,
# then the debug checkers.
CONFIG=(
	# not needed in the VM: no network, disk, graphics, sound, USB
	NET=n DRM=n SOUND=n USB_SUPPORT=n WLAN=n WIRELESS=n NETDEVICES=n
	ATA=n SCSI=n MD=n BLK_DEV_DM=n HID=n INPUT_MOUSE=n INPUT_JOYSTICK=n
	INPUT_TABLET=n INPUT_TOUCHSCREEN=n AGP=n FB=n EXT4_FS=n
	NETWORK_FILESYSTEMS=n KVM=n XEN=n HYPERVISOR_GUEST=n
	SECURITY_SELINUX=n AUDIT=n
	# what the VM and the module need
	SMP=y NR_CPUS=8 HOTPLUG_CPU=y SERIAL_8250=y SERIAL_8250_CONSOLE=y
	DEVTMPFS=y DEVTMPFS_MOUNT=y BLK_DEV_INITRD=y RD_GZIP=y PROC_FS=y
	SYSFS=y TMPFS=y DEBUG_FS=y MODULES=y MODULE_UNLOAD=y
	MODULE_FORCE_UNLOAD=n MODVERSIONS=n MODULE_SIG=n
	TRACEPOINTS=y FTRACE=y ENABLE_DEFAULT_TRACERS=y EVENT_TRACING=y
	FUNCTION_TRACER=n STACK_TRACER=n KPROBES=n
	KALLSYMS=y KALLSYMS_ALL=y STACKTRACE=y COMPACTION=y MIGRATION=y
	PERF_EVENTS=y IA32_EMULATION=y PREEMPT_DYNAMIC=y PREEMPT_VOLUNTARY=y
	SCHED_DEBUG=y BINFMT_ELF=y BINFMT_SCRIPT=y PRINTK_TIME=y
	DEBUG_INFO_NONE=y DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=n
	SOFTLOCKUP_DETECTOR=y HARDLOCKUP_DETECTOR=y DETECT_HUNG_TASK=y
	WQ_WATCHDOG=y RCU_CPU_STALL_TIMEOUT=60 DEBUG_KERNEL=y
)
# The checkers of each flavour.
CHECKERS_kasan=(
	KASAN=y KASAN_GENERIC=y KASAN_INLINE=y KASAN_VMALLOC=y
	PROVE_LOCKING=y DEBUG_LOCKDEP=n PROVE_RCU=y DEBUG_ATOMIC_SLEEP=y
	DEBUG_LIST=y DEBUG_OBJECTS=y DEBUG_OBJECTS_FREE=y DEBUG_OBJECTS_TIMERS=y
	DEBUG_OBJECTS_WORK=y DEBUG_OBJECTS_RCU_HEAD=y DEBUG_OBJECTS_PERCPU_COUNTER=y
	DEBUG_PREEMPT=y DEBUG_SPINLOCK=y DEBUG_MUTEXES=y
	DEBUG_RWSEMS=y DEBUG_VM=y DEBUG_PAGEALLOC=n SLUB_DEBUG=y
	BUG_ON_DATA_CORRUPTION=y
	# leaks, and allocation failures on demand (failslab, fail_page_alloc)
	DEBUG_KMEMLEAK=y DEBUG_KMEMLEAK_AUTO_SCAN=n DEBUG_KMEMLEAK_DEFAULT_OFF=n
	FAULT_INJECTION=y FAILSLAB=y FAIL_PAGE_ALLOC=y FAULT_INJECTION_DEBUG_FS=y
)
# Strict: plain writes are not assumed atomic and a race is reported even
# when the value did not change, so an unmarked per-CPU counter read from
# another CPU (or bumped from an interrupt, INTERRUPT_WATCHER) is a report.
CHECKERS_kcsan=(
	KASAN=n KCSAN=y KCSAN_STRICT=y KCSAN_INTERRUPT_WATCHER=y
	KCSAN_REPORT_RACE_UNKNOWN_ORIGIN=y KCSAN_SELFTEST=y KCSAN_EARLY_ENABLE=y
	DEBUG_PREEMPT=y
)
declare -n CHECKERS=CHECKERS_$FLAVOUR
CONFIG+=("${CHECKERS[@]}")
stamp=$(printf '%s\n' "${CONFIG[@]}" | sha256sum | cut -c1-16)

if [ -f "$SRC/.gotrace-done" ] && [ "$(cat "$SRC/.gotrace-done")" = "$stamp" ]; then
	echo "$SRC"
	exit 0
fi

tarball=$(ls /usr/src/"$SOURCE".tar.* 2>/dev/null | head -n1 || true)
[ -n "$tarball" ] || { echo "debug-kernel: /usr/src/$SOURCE.tar.* missing; run scripts/deps.sh" >&2; exit 1; }
for t in gcc make bc flex bison; do
	command -v $t >/dev/null || { echo "debug-kernel: $t missing; run scripts/deps.sh" >&2; exit 1; }
done

mkdir -p "$CACHE"
if [ ! -f "$SRC/.gotrace-extracted" ]; then
	echo "debug-kernel: extracting $tarball into $CACHE" >&2
	rm -rf "$SRC"
	tar -x -C "$CACHE" -f "$tarball"
	touch "$SRC/.gotrace-extracted"
fi

cd "$SRC"
t0=$(date +%s)
echo "debug-kernel: configuring (x86_64_defconfig + ${#CONFIG[@]} options)" >&2
make -s ARCH=x86_64 x86_64_defconfig >/dev/null
args=()
for kv in "${CONFIG[@]}"; do
	k=${kv%%=*} v=${kv#*=}
	case $v in
	y) args+=(--enable "$k") ;;
	n) args+=(--disable "$k") ;;
	*) args+=(--set-val "$k" "$v") ;;
	esac
done
scripts/config "${args[@]}"
make -s ARCH=x86_64 olddefconfig >/dev/null
# Report options that did not stick (dependencies), so nothing is silent.
for kv in "${CONFIG[@]}"; do
	k=${kv%%=*} v=${kv#*=}
	got=$(scripts/config --state "$k")
	case $v in
	n) [ "$got" = n ] || [ "$got" = undef ] || echo "debug-kernel: note: CONFIG_$k=$got (wanted n)" >&2 ;;
	*) [ "$got" = "$v" ] || echo "debug-kernel: note: CONFIG_$k=$got (wanted $v)" >&2 ;;
	esac
done
case $FLAVOUR in
kasan) must=(KASAN PROVE_LOCKING PROVE_RCU DEBUG_ATOMIC_SLEEP) ;;
kcsan) must=(KCSAN KCSAN_STRICT KCSAN_INTERRUPT_WATCHER) ;;
esac
for k in "${must[@]}" MODULE_UNLOAD EVENT_TRACING \
	 SERIAL_8250_CONSOLE BLK_DEV_INITRD DEVTMPFS TMPFS HOTPLUG_CPU; do
	[ "$(scripts/config --state "$k")" = y ] ||
		{ echo "debug-kernel: CONFIG_$k is not set after olddefconfig" >&2; exit 1; }
done

echo "debug-kernel: building bzImage + modules_prepare with -j$JOBS (nice 19); log: $CACHE/build.log" >&2
if ! nice -n 19 make ARCH=x86_64 -j"$JOBS" bzImage modules_prepare >"$CACHE/build.log" 2>&1; then
	tail -n 40 "$CACHE/build.log" >&2
	echo "debug-kernel: build failed" >&2
	exit 1
fi
# Out-of-tree modules need Module.symvers; modules_prepare does not write
# it, but linking vmlinux wrote vmlinux.symvers (no module is built here).
[ -s Module.symvers ] || cp vmlinux.symvers Module.symvers
t1=$(date +%s)
echo $((t1 - t0)) >"$CACHE/build-seconds"
echo "debug-kernel: built in $((t1 - t0)) s" >&2
echo "$stamp" >"$SRC/.gotrace-done"
echo "$SRC"
