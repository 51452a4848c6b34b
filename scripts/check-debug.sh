#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the test suite on debug kernels, one VM per flavour
# (DEBUG_FLAVOURS, default "kasan kcsan"; the two checkers exclude each
# other; the kernels are scripts/kernels.sh's debug series, booted by
# scripts/vm.sh's vm_run):
#   1. scripts/debug-kernel.sh: Debian's linux-source (kernels.sh source)
#      built with the flavour's checkers, cached in
#      /var/cache/gotrace/debug-kernel[-kcsan] (first build: ~15 min each);
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
cd "$ROOT" || exit 1
. "$ROOT/scripts/vm.sh"
vm_private "$BUILD/debug"
LOGS=$VM_LOGS
RESULTS=$LOGS/results.txt
: >"$RESULTS"

"$ROOT/scripts/deps.sh" >"$LOGS/deps.log" 2>&1 || { cat "$LOGS/deps.log"; exit 1; }
debug_run() {	# flavour
	local flavour=$1 series KDIR suite accel prefix d rc extra=
	case $flavour in
	# Single-threaded TCG (run-vm.sh's default): the many tracepoint
	# (un)registrations hit the text_poke_bp() failures of multi-threaded
	# TCG.
	kasan) suite=debug-suite.sh accel=${VM_ACCEL-tcg,thread=single} prefix=debug ;;
	# KCSAN's watchpoints need the vCPUs to run at the same time.
	# KCSAN reports are warnings: counted by the suite, not panics (the
	# later panic_on_warn=0 overrides run-vm.sh's; other warnings still
	# fail its dmesg checks).
	kcsan) suite=kcsan-suite.sh accel=${KCSAN_VM_ACCEL-tcg,thread=multi} prefix=kcsan
	       extra="panic_on_warn=0" ;;
	*) echo "check-debug: unknown flavour $flavour" >&2; return 1 ;;
	esac
	series=$("$ROOT/scripts/kernels.sh" source)-$flavour
	echo "==> $flavour debug kernel ($series)"
	vm_kernel "$series" 2>"$LOGS/$flavour-kernel.log" ||
		{ cat "$LOGS/$flavour-kernel.log"; echo "fail $prefix:kernel-build" >>"$RESULTS"; return 1; }
	KDIR=${VM_KDIR[$series]}
	echo "    $KDIR (${VM_KVER[$series]}), built in $(cat "$KDIR/../build-seconds" 2>/dev/null || echo '?') s"

	echo "==> module ($flavour)"
	if vm_module "$series"; then
		echo "ok $prefix:module-build" >>"$RESULTS"
	else
		echo "fail $prefix:module-build" >>"$RESULTS"
		return 1
	fi

	echo "==> VM ($flavour kernel, -accel $accel; slow under TCG)"
	d=$BUILD/vm/debug-$flavour
	rc=0
	VM_ACCEL=$accel vm_run -s "$series" -r "$VM/$suite" -d "$d" -S -L -T "${VM_TIMEOUT:-3600}" \
		-a "${DEBUG_APPEND:-} $extra gtvm_test_timeout=${VM_TEST_TIMEOUT:-1500} DEBUG_LOAD_SECS=${DEBUG_LOAD_SECS:-60} KCSAN_LOAD_SECS=${KCSAN_LOAD_SECS:-60}" \
		-p "$prefix:" >"$LOGS/$flavour-vm.log" 2>&1 || rc=$?
	[ $rc -ne 3 ] || { cat "$LOGS/$flavour-vm.log"; return 1; }
	cat "$d/results.txt" >>"$RESULTS"
	cp "$d/ttyS1.log" "$LOGS/$flavour-guest.log"
	cp "$d/console.log" "$LOGS/$flavour-console.log"
	cat "$d/failures.txt" >>"$LOGS/failures.txt"
	tr -d '\r' <"$d/ttyS1.log" | grep -E '^# (STRESS|kmemleak|.*RELIABILITY|.*STATUS calls)|TEST-END' | sed 's/^/    /'
	grep -E 'KASAN|possible circular|inconsistent lock|sleeping function|suspicious RCU|BUG: [^K]|WARNING:' \
		"$d/console.log" | head -n 20 | sed 's/^/    console: /'
}

echo "==> userspace + selftests"
vm_static || { echo "fail debug:build" >>"$RESULTS"; exit 1; }
: >"$LOGS/failures.txt"
for flavour in ${DEBUG_FLAVOURS:-$("$ROOT/scripts/kernels.sh" debug | sed 's/.*-//')}; do
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
