#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make stress` (minutes; not part of `make check`):
#   per VM run (STRESS_RUNS, default `scripts/kernels.sh runs stress`;
#   SERIES[:cmdline] as in scripts/check.sh): boot the kernel
#   (scripts/vm.sh's vm_run) with the module, Debian's stress-ng (or the C load of
#   selftests/gotrace_stress.c) and `gotrace record` streaming the trace
#   into `gotrace_stress check` (every event written or counted lost,
#   STATUS == END), STRESS_SECS (150) with a fast reader and
#   STRESS_SLOW_SECS (60) with a slow one, then the fault, hardening,
#   exactness and fuzz selftests at the scales of selftests/vm/stress-run.sh
#   (STRESS_FAULTS_SCALE 9, STRESS_HARDEN_SCALE 2, STRESS_EXACT_SCALE 70,
#   GTT_SCALE 2); the kernel log must stay clean
#   (panic_on_warn=1 softlockup_panic=1 as in every test VM);
#   then the host fuzzers for FUZZ_SECS (120), the mutation check of
#   the host unit tests (scripts/mutants.sh, userspace/tests/mutants.txt),
#   and apt install/purge of the packages (scripts/check-apt.sh;
#   STRESS_APT=0 skips it).
# Results: .build/stress/logs/results.txt and summary.txt.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$ROOT/.build}
VM=$ROOT/selftests/vm
RUNS=${STRESS_RUNS:-$("$ROOT/scripts/kernels.sh" runs stress)}
cd "$ROOT" || exit 1
# Single-threaded TCG (run-vm.sh's default VM_ACCEL): the many tracepoint
# (un)registrations of these runs hit the text_poke_bp() failures of
# multi-threaded TCG.
. "$ROOT/scripts/vm.sh"
OUTDIR=$BUILD/stress
vm_private "$OUTDIR"
LOGS=$VM_LOGS
RESULTS=$LOGS/results.txt
: >"$RESULTS"
T0=$(date +%s)

"$ROOT/scripts/deps.sh" >"$LOGS/deps.log" 2>&1 || { cat "$LOGS/deps.log"; exit 1; }
vm_static || { echo "stress: build failed"; exit 1; }
# Debian's stress-ng with its shared libraries and the dynamic loader.
STRESSNG=()
if bin=$(command -v stress-ng); then
	STRESSNG=(-f "$bin=/usr/bin/stress-ng")
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do STRESSNG+=(-f "$lib"); done
	echo "stress: load: stress-ng $(stress-ng --version | awk '{print $3}')"
else
	echo "stress: stress-ng not installed: the C load of gotrace_stress"
fi

for run in $RUNS; do
	vm_parse_run "$run"
	series=$VM_SERIES cmd=$VM_CMDLINE name=$VM_NAME
	echo "==> stress $name"
	d=$BUILD/vm/stress-$name
	t=$OUTDIR/static/selftests
	rc=0
	vm_run -s "$series" -r "$VM/stress-run.sh" -d "$d" -L \
		-t "$t/gotrace_faults" -t "$t/gotrace_harden" -t "$t/gotrace_exact" -t "$t/gotrace_fuzz" \
		${STRESSNG[@]+"${STRESSNG[@]}"} -T "${STRESS_VM_TIMEOUT:-5400}" \
		-a "$cmd STRESS_SECS=${STRESS_SECS:-150} STRESS_SLOW_SECS=${STRESS_SLOW_SECS:-60} GTT_SCALE=${GTT_SCALE:-2} STRESS_FAULTS_SCALE=${STRESS_FAULTS_SCALE:-9} STRESS_HARDEN_SCALE=${STRESS_HARDEN_SCALE:-2} STRESS_EXACT_SCALE=${STRESS_EXACT_SCALE:-70} gtvm_test_timeout=${STRESS_TEST_TIMEOUT:-2400}" \
		-p "stress-$name:" >"$LOGS/vm-$name.run.log" 2>&1 || rc=$?
	if [ $rc -eq 3 ]; then
		case $VM_FAILED in
		kernel) echo "fail $name:no-kernel" ;;
		initramfs) echo "fail $name:initramfs" ;;
		*) echo "fail $name:build" ;;
		esac >>"$RESULTS"
		tail -n 20 "$LOGS/vm-$name.run.log"
		continue
	fi
	echo "    kernel ${VM_KVER[$series]}"
	cat "$d/results.txt" >>"$RESULTS"
	cp "$d/ttyS1.log" "$LOGS/vm-$name.guest.log"
	cp "$d/console.log" "$LOGS/vm-$name.console.log"
	cat "$d/failures.txt" >>"$LOGS/failures.txt"
	tr -d '\r' <"$d/ttyS1.log" | grep -E '^# (STRESS|.*RELIABILITY|load: .*(stressor|bogo|switch|fork|fault|mmap|vm ))' |
		sed "s/^/$name /" | tee -a "$LOGS/summary.txt"
	grep '^fail' "$d/results.txt" | sed 's/^/    /'
done

echo "==> host fuzzing (${FUZZ_SECS:-120} s)"
rc=0
BUILD=$OUTDIR FUZZ_SECS=${FUZZ_SECS:-120} "$ROOT/scripts/fuzz.sh" >"$LOGS/fuzz.log" 2>&1 || rc=$?
{ echo "GOTRACE-VM: TEST-BEGIN fuzz"; cat "$LOGS/fuzz.log"; echo "GOTRACE-VM: TEST-END fuzz rc=$rc"; } |
	awk -v PREFIX="host:" -v FAILLOG="$LOGS/failures.txt" -v HOST=1 -f "$VM/parse.awk" >>"$RESULTS"
grep RELIABILITY "$LOGS/fuzz.log" | sed 's/^# /host /' | tee -a "$LOGS/summary.txt"

echo "==> mutation check of the host unit tests (scripts/mutants.sh)"
rc=0
BUILD=$OUTDIR "$ROOT/scripts/mutants.sh" >"$LOGS/mutants.log" 2>&1 || rc=$?
{ echo "GOTRACE-VM: TEST-BEGIN mutants"; cat "$LOGS/mutants.log"; echo "GOTRACE-VM: TEST-END mutants rc=$rc"; } |
	awk -v PREFIX="host:" -v FAILLOG="$LOGS/failures.txt" -v HOST=1 -f "$VM/parse.awk" >>"$RESULTS"
grep -E '^(not )?ok' "$LOGS/mutants.log" | sed 's/^/    /'

# The packages installed for real: apt install, DKMS, a kernel upgrade, apt
# purge in a Debian 12 root, that root booted (udev rule, group grant,
# smoke test).  Minutes even with its root cached: not in make check.
# STRESS_APT=0 skips it.
if [ "${STRESS_APT:-1}" != 0 ]; then
	echo "==> apt install/purge in a Debian 12 root, booted (scripts/check-apt.sh)"
	rc=0
	BUILD=$OUTDIR "$ROOT/scripts/check-apt.sh" >"$LOGS/apt.log" 2>&1 || rc=$?
	{ echo "GOTRACE-VM: TEST-BEGIN apt"; cat "$LOGS/apt.log"; echo "GOTRACE-VM: TEST-END apt rc=$rc"; } |
		awk -v PREFIX="apt:" -v FAILLOG="$LOGS/failures.txt" -v HOST=1 -f "$VM/parse.awk" >>"$RESULTS"
	grep -E '^not ok' "$LOGS/apt.log" | sed 's/^/    /'
fi

echo "stress: $(( ($(date +%s) - T0) / 60 )) min; logs: $LOGS"
read -r pass fail skip < <(awk '{ n[$1]++ } END { printf "%d %d %d\n", n["ok"], n["fail"], n["skip"] }' "$RESULTS")
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
