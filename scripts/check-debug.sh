#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the test suite on debug kernels, one VM per flavour
# (DEBUG_FLAVOURS, default "kasan kcsan"; the two checkers exclude each
# other):
#   1. scripts/debug-kernel.sh: Debian's linux-source-6.1 built with the
#      flavour's checkers, cached in /var/cache/gotrace/debug-kernel[-kcsan]
#      (first build: ~15 min each);
#   2. the module built against that tree (same gcc; warnings fail);
#   3. kasan: selftests/vm/debug-suite.sh: every selftest, a short load
#      run with every event accounted for, START with each allocation
#      failing in turn, kmemleak before and after rmmod.  Any KASAN,
#      lockdep, RCU, atomic-sleep or other kernel report fails (dmesg
#      checks; panic_on_warn=1).
#      kcsan: selftests/vm/kcsan-suite.sh: a load with STATUS polled from
#      the other CPU, the loss, event and stack selftests; any KCSAN data
#      race report with a frame in the module fails.
# Results in .build/debug/logs/; last line "N passed, N failed, N skipped".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$ROOT/.build}
VM=$ROOT/selftests/vm
LOGS=$BUILD/debug/logs
cd "$ROOT" || exit 1
OUTDIR=$BUILD/debug
# Single-threaded TCG: under multi-threaded TCG a vCPU can execute the int3
# of a static key being patched after text_poke_bp() finished ("Oops:
# int3", also seen on 6.1 here) or miss its sync IPI (soft lockup in
# text_poke_bp); the many tracepoint (un)registrations of these runs hit it.
export VM_ACCEL=${VM_ACCEL-tcg,thread=single}
. "$ROOT/scripts/vm-common.sh"
private_runner "$OUTDIR/runner"
rm -rf "$LOGS"
mkdir -p "$LOGS"
RESULTS=$LOGS/results.txt
: >"$RESULTS"

"$ROOT/scripts/deps.sh" >"$LOGS/deps.log" 2>&1 || { cat "$LOGS/deps.log"; exit 1; }
debug_run() {	# flavour
	local flavour=$1 KDIR ko suite accel prefix d extra=
	case $flavour in
	kasan) suite=debug-suite.sh accel=$VM_ACCEL prefix=debug ;;
	# KCSAN's watchpoints need the vCPUs to run at the same time.
	# KCSAN reports are warnings: counted by the suite, not panics (the
	# later panic_on_warn=0 overrides run-vm.sh's; other warnings still
	# fail its dmesg checks).
	kcsan) suite=kcsan-suite.sh accel=${KCSAN_VM_ACCEL-tcg,thread=multi} prefix=kcsan
	       extra="panic_on_warn=0" ;;
	*) echo "check-debug: unknown flavour $flavour" >&2; return 1 ;;
	esac
	echo "==> $flavour debug kernel"
	KDIR=$(DEBUG_FLAVOUR=$flavour "$ROOT/scripts/debug-kernel.sh" 2>"$LOGS/$flavour-kernel.log") ||
		{ cat "$LOGS/$flavour-kernel.log"; echo "fail $prefix:kernel-build" >>"$RESULTS"; return 1; }
	echo "    $KDIR ($(make -s -C "$KDIR" kernelrelease 2>/dev/null)), built in $(cat "$KDIR/../build-seconds" 2>/dev/null || echo '?') s"

	echo "==> module ($flavour)"
	if ko=$(build_module "$KDIR" "$OUTDIR/src-$flavour" "$LOGS/$flavour-module.log"); then
		echo "ok $prefix:module-build" >>"$RESULTS"
	else
		echo "fail $prefix:module-build" >>"$RESULTS"
		return 1
	fi
	args=(-o "$BUILD/debug/initramfs-$flavour.cpio.gz" -r "$VM/$suite"
	      -k "$ko" -g "$GOTRACE_BIN" -t "$STRESS_BIN")
	for t in "${SELFTESTS[@]}"; do args+=(-t "$t"); done
	"$VM/mkinitramfs.sh" "${args[@]}" >"$LOGS/$flavour-initramfs.log" 2>&1 ||
		{ cat "$LOGS/$flavour-initramfs.log"; return 1; }

	echo "==> VM ($flavour kernel, -accel $accel; slow under TCG)"
	d=$BUILD/vm/debug-$flavour
	VM_ACCEL=$accel VM_TIMEOUT=${VM_TIMEOUT:-3600} "$RUNVM" -k "$KDIR/arch/x86/boot/bzImage" \
		-i "$BUILD/debug/initramfs-$flavour.cpio.gz" -d "$d" \
		-a "${DEBUG_APPEND:-} $extra gtvm_test_timeout=${VM_TEST_TIMEOUT:-1500} DEBUG_LOAD_SECS=${DEBUG_LOAD_SECS:-60} KCSAN_LOAD_SECS=${KCSAN_LOAD_SECS:-60}" \
		-p "$prefix:" >/dev/null 2>&1
	cat "$d/results.txt" >>"$RESULTS"
	cp "$d/ttyS1.log" "$LOGS/$flavour-guest.log"
	cp "$d/console.log" "$LOGS/$flavour-console.log"
	cat "$d/failures.txt" >>"$LOGS/failures.txt"
	tr -d '\r' <"$d/ttyS1.log" | grep -E '^# (STRESS|kmemleak|.*RELIABILITY|.*STATUS calls)|TEST-END' | sed 's/^/    /'
	grep -E 'KASAN|possible circular|inconsistent lock|sleeping function|suspicious RCU|BUG: [^K]|WARNING:' \
		"$d/console.log" | head -n 20 | sed 's/^/    console: /'
}

echo "==> userspace + selftests"
build_static "$LOGS" || { echo "fail debug:build" >>"$RESULTS"; exit 1; }
: >"$LOGS/failures.txt"
for flavour in ${DEBUG_FLAVOURS:-kasan kcsan}; do
	debug_run "$flavour"
done
if grep '^fail' "$RESULTS" >/dev/null; then
	echo "==================== failures ===================="
	grep '^fail' "$RESULTS"
	head -n 200 "$LOGS/failures.txt"
fi
read -r pass fail skip < <(awk '{ n[$1]++ } END { printf "%d %d %d\n", n["ok"], n["fail"], n["skip"] }' "$RESULTS")
echo "logs: $LOGS"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
