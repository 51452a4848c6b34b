# SPDX-License-Identifier: GPL-2.0
# Sourced (needs ROOT and BUILD): the one VM runner.  Every VM of make
# check, demo, vm-shell, bench, stress, check-debug and the viewers' check
# is booted by vm_run:
#
#   vm_run -r RUN.sh -d DIR [-s SERIES] [-a CMDLINE] [-p PREFIX] [-T SECS]
#          [-t TEST]... [-S] [-L] [-E] [-D DKMS.ko] [-f FILE[=PATH]]...
#          [-i INIT] [-N] [-m MEM] [-9 TAG=DIR[,ro]]... [-R] [-I] [-B]
#
# builds what the guest of kernel SERIES (scripts/kernels.sh; default: its
# default series) needs: the kernel image, the module, the static tool and
# selftests (each once per process, in $VM_OUT); packs the initramfs
# (selftests/vm/mkinitramfs.sh) with RUN.sh as the payload /init sources;
# boots it (selftests/vm/run-vm.sh) with CMDLINE added to the kernel's;
# the results are in DIR (run-vm.sh).
#   -t TEST   a test binary for /tests; -S every selftest; -L gotrace_stress
#   -E        every test binary given must report (run-vm.sh -e)
#   -D KO     the DKMS-built module, smoke-tested by suite.sh
#   -f, -i    files and another /init for the initramfs (mkinitramfs.sh)
#   -N        no gotrace in the guest: no module, tool or tests built
#   -m, -9, -R, -I, -a, -p, -T   as run-vm.sh's
#   -B        build only: the boot command is left in VM_BOOT (an array)
# Exit status: run-vm.sh's (0 passed, 1 a result failed, 2 aborted), or 3
# when something could not be built: VM_FAILED says what (kernel,
# userspace, selftests, module or initramfs), the reason is on stderr.
#
# Its steps, for callers that report each (check.sh, check-debug.sh):
#   vm_kernel SERIES  VM_KVER[SERIES], VM_VMLINUZ[SERIES], VM_KDIR[SERIES]
#   vm_module SERIES  VM_KO[SERIES]: the module, built in $VM_OUT/SERIES/src
#   vm_static         VM_GOTRACE, VM_SELFTESTS (array), VM_STRESS, in
#                     $VM_OUT/static
#   vm_private DIR    builds, logs and a copy of the runner in DIR
#   vm_parse_run SERIES[:cmdline]   VM_SERIES, VM_CMDLINE, VM_NAME
# Settings: VM_OUT (builds, default $BUILD), VM_LOGS (build logs, default
# $BUILD/logs), VM_RUNVM (run-vm.sh, or vm_private's copy).

VM_DIR=$ROOT/selftests/vm
VM_OUT=${VM_OUT:-$BUILD}
VM_LOGS=${VM_LOGS:-$BUILD/logs}
VM_RUNVM=$VM_DIR/run-vm.sh
VM_FAILED=
VM_GOTRACE=
VM_STRESS=
VM_SELFTESTS=()
VM_BOOT=()
declare -gA VM_KVER VM_VMLINUZ VM_KDIR VM_KO VM_MODULE_TRIED

# vm_build_module KDIR SRC OUT LOG: the module of the tree SRC (Kbuild,
# kmod/, uapi/) for the kernel tree KDIR, in OUT (a copy of the sources,
# so that builds for several kernels never share object files); prints the
# .ko.  Any warning fails.
vm_build_module() {
	local kdir=$1 src=$2 out=$3 log=$4 rc=0
	[ -e "$kdir/Makefile" ] || { echo "build-module: $kdir missing (kernel headers)" >&2; return 1; }
	[ -f "$src/kmod/Kbuild" ] || [ -f "$src/kmod/Makefile" ] ||
		{ echo "build-module: no $src/kmod/Kbuild yet" >&2; return 1; }
	mkdir -p "$(dirname "$log")"
	rm -rf "$out"
	mkdir -p "$out"
	cp -a "$src/Kbuild" "$src/kmod" "$src/uapi" "$out/"
	# Object files of an in-tree build must not leak into the copy.
	find "$out" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name 'modules.order' -o -name 'Module.symvers' \) -delete
	make -C "$kdir" M="$out" KCFLAGS="-Werror" modules >"$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ] || grep -qi 'warning' "$log"; then
		echo "build-module: $kdir: FAILED (rc=$rc)" >&2
		grep -i -B2 -A6 -E 'warning|error' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
		return 1
	fi
	[ -f "$out/kmod/gotrace.ko" ] || { echo "build-module: $kdir: no kmod/gotrace.ko" >&2; return 1; }
	echo "$out/kmod/gotrace.ko"
}

vm_kernel() {	# SERIES
	local s=$1 kver vmlinuz kdir
	[ -z "${VM_VMLINUZ[$s]:-}" ] || return 0
	if "$ROOT/scripts/kernels.sh" debug | grep -qx -- "$s"; then
		kdir=$(DEBUG_FLAVOUR=${s##*-} "$ROOT/scripts/debug-kernel.sh") || return 1
		vmlinuz=$kdir/arch/x86/boot/bzImage
		kver=$(make -s -C "$kdir" kernelrelease 2>/dev/null)
	else
		kver=$("$ROOT/scripts/kernels.sh" kver "$s") || return 1
		vmlinuz=$("$ROOT/scripts/kernels.sh" prepare "$kver") || return 1
		kdir=/lib/modules/$kver/build
	fi
	[ -s "$vmlinuz" ] || { echo "vm: no kernel image $vmlinuz" >&2; return 1; }
	VM_KVER[$s]=$kver VM_KDIR[$s]=$kdir VM_VMLINUZ[$s]=$vmlinuz
}

vm_module() {	# SERIES (after vm_kernel SERIES)
	local s=$1 ko
	[ -z "${VM_MODULE_TRIED[$s]:-}" ] || [ -n "${VM_KO[$s]:-}" ] || return 1
	[ -z "${VM_KO[$s]:-}" ] || return 0
	VM_MODULE_TRIED[$s]=1
	ko=$(vm_build_module "${VM_KDIR[$s]}" "$ROOT" "$VM_OUT/$s/src" "$VM_LOGS/module-$s.log") ||
		return 1
	VM_KO[$s]=$ko
}

vm_static() {
	local static=$VM_OUT/static ksft sargs p
	[ -z "$VM_GOTRACE" ] || return 0
	mkdir -p "$VM_LOGS"
	if ! make -C "$ROOT/userspace" O="$static" LDFLAGS=-static \
		>"$VM_LOGS/userspace-static.log" 2>&1 || [ ! -x "$static/gotrace" ]; then
		tail -n 30 "$VM_LOGS/userspace-static.log" >&2
		VM_FAILED=userspace
		return 1
	fi
	sargs=(O="$static/selftests" LIBGOTRACE="$static/lib/libgotrace.a")
	if ! ksft=$("$ROOT/scripts/linux-src.sh" 2>"$VM_LOGS/selftests-build.log") ||
	   ! make -C "$ROOT/selftests" "${sargs[@]}" KSFT_INC="$ksft/include" \
		all "$static/selftests/gotrace_stress" >>"$VM_LOGS/selftests-build.log" 2>&1; then
		tail -n 30 "$VM_LOGS/selftests-build.log" >&2
		VM_FAILED=selftests
		return 1
	fi
	VM_SELFTESTS=()
	for p in $(make -s -C "$ROOT/selftests" "${sargs[@]}" \
		--eval='gotrace-print-progs: ; @echo $(TEST_PROGS)' gotrace-print-progs); do
		VM_SELFTESTS+=("$static/selftests/$p")
	done
	VM_STRESS=$static/selftests/gotrace_stress
	VM_GOTRACE=$static/gotrace
}

# vm_private DIR: builds in DIR, logs in DIR/logs (emptied), and copies of
# run-vm.sh and parse.awk in DIR/runner, for the long runs (stress,
# check-debug): they never share the files nor the lock of make check while
# their VMs queue, and an edit of the runner while they wait for the
# machine's VM lock does not break them (bash reads scripts as it goes).
vm_private() {
	VM_OUT=$1 VM_LOGS=$1/logs
	rm -rf "$VM_LOGS"
	mkdir -p "$1/runner" "$VM_LOGS"
	cp "$VM_DIR/run-vm.sh" "$VM_DIR/parse.awk" "$1/runner/"
	VM_RUNVM=$1/runner/run-vm.sh
}

# vm_parse_run SERIES[:cmdline]: VM_SERIES, VM_CMDLINE (the cmdline, ','
# for ' ') and VM_NAME (SERIES+cmdline, the prefix of the run's results) of
# one run of CHECK_RUNS or STRESS_RUNS.
vm_parse_run() {
	VM_SERIES=${1%%:*}
	VM_CMDLINE=
	[ "$VM_SERIES" = "$1" ] || VM_CMDLINE=$(tr ',' ' ' <<<"${1#*:}")
	VM_NAME=$VM_SERIES${VM_CMDLINE:++$(tr ' ' '+' <<<"$VM_CMDLINE")}
}

vm_run() {
	local OPTIND opt series= run= dir= init= dkms= all= stress= expect= none= build_only=
	local tests=() files=() boot=() rv=() args=() names= t
	while getopts "s:r:d:a:p:T:t:SLED:f:i:Nm:9:RIB" opt; do
		case $opt in
		s) series=$OPTARG ;;
		r) run=$OPTARG ;;
		d) dir=$OPTARG ;;
		a|p|T|m|9) rv+=("-$opt" "$OPTARG") ;;
		R|I) rv+=("-$opt") ;;
		t) tests+=("$OPTARG") ;;
		S) all=1 ;;
		L) stress=1 ;;
		E) expect=1 ;;
		D) dkms=$OPTARG ;;
		f) files+=(-f "$OPTARG") ;;
		i) init=$OPTARG ;;
		N) none=1 ;;
		B) build_only=1 ;;
		*) echo "vm_run: bad option" >&2; return 2 ;;
		esac
	done
	[ -n "$dir" ] && { [ -n "$run" ] || [ -n "$init" ]; } ||
		{ echo "vm_run: -d DIR and -r RUN.sh (or -i INIT) are needed" >&2; return 2; }
	[ -n "$series" ] || series=$("$ROOT/scripts/kernels.sh" default)
	VM_FAILED=
	vm_kernel "$series" || { VM_FAILED=kernel; return 3; }
	args=(-o "$dir/initramfs.cpio.gz")
	[ -z "$run" ] || args+=(-r "$run")
	[ -z "$init" ] || args+=(-i "$init")
	if [ -z "$none" ]; then
		vm_static || return 3
		vm_module "$series" || { VM_FAILED=module; return 3; }
		args+=(-k "${VM_KO[$series]}" -g "$VM_GOTRACE")
		[ -z "$all" ] || tests+=("${VM_SELFTESTS[@]}")
		[ -z "$stress" ] || tests+=("$VM_STRESS")
	fi
	for t in ${tests[@]+"${tests[@]}"}; do
		args+=(-t "$t")
		names+="${t##*/} "
	done
	[ -z "$dkms" ] || args+=(-d "$dkms")
	[ -z "$expect" ] || rv+=(-e "$names")
	mkdir -p "$dir"
	if ! "$VM_DIR/mkinitramfs.sh" "${args[@]}" ${files[@]+"${files[@]}"} >"$dir/initramfs.log" 2>&1; then
		cat "$dir/initramfs.log" >&2
		VM_FAILED=initramfs
		return 3
	fi
	boot=("$VM_RUNVM" -k "${VM_VMLINUZ[$series]}" -i "$dir/initramfs.cpio.gz" -d "$dir" "${rv[@]}")
	if [ -n "$build_only" ]; then
		VM_BOOT=("${boot[@]}")
		return 0
	fi
	"${boot[@]}"
}
