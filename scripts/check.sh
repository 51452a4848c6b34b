#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test suite (`make check`):
#   deps -> host userspace build + unit tests -> checkpatch -> packaging
#   (man pages, make deb + lintian, make install, DKMS builds) -> module
#   builds for the build-only kernels (cloud) ->
#   per kernel: module build (warnings fail), static userspace + selftests,
#   initramfs, boot in QEMU (scripts/vm.sh's vm_run) and collect each TAP
#   result and dmesg check (the runs of the default kernel also smoke-test
#   the DKMS-built module).
# Kernels: the tested ones of scripts/kernels.sh (Debian's 6.1 and 6.12 and
# their PREEMPT_RT flavours, series 6.1, 6.12, 6.1-rt and 6.12-rt).
# Every result is one line "ok|fail|skip NAME" in .build/logs/results.txt;
# the last line printed is "N passed, N failed, N skipped".
#
# VM_TEST_TIMEOUT (seconds per test binary, default 300) and VM_TIMEOUT
# (seconds per VM, default 900) bound the runs.
# CHECK_RUNS overrides the VM runs: space-separated SERIES[:cmdline], where
# SERIES is 6.1, 6.12, 6.1-rt or 6.12-rt and cmdline is appended to the
# kernel's (',' for ' ').  Default: `scripts/kernels.sh runs check` (each
# kernel, the non-RT ones also with preempt=full).  Only the kernels the
# runs boot are prepared (image, module build, probe types): without
# CHECK_RUNS, every tested kernel.
# CHECK_PACKAGING=0 leaves out the packaging and DKMS checks.
# CHECK_DRY_RUN=1 prints what the run would do ("prepare: SERIES...",
# "runs: ...", "tests: ...") and exits.
# CHECK_TESTS (space-separated selftest binary names, e.g. "gotrace_pages")
# limits the VM runs to those binaries.  A name in CHECK_RUNS or CHECK_TESTS
# that selects nothing is an error (exit 2 before anything runs).
# Each VM run must report every binary it was given, each with as many
# results as its TAP plan (parse.awk); a run that aborts is a failure.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$ROOT/.build}
LOGS=$BUILD/logs
VM=$ROOT/selftests/vm
CHECK_RUNS=${CHECK_RUNS:-$("$ROOT/scripts/kernels.sh" runs check)}
cd "$ROOT" || exit 1
. "$ROOT/scripts/lock.sh"
. "$ROOT/scripts/vm.sh"

# ---- the names in CHECK_RUNS and CHECK_TESTS ------------------------------------
ALL_PROGS=$(make -s -C selftests --eval='gotrace-print-progs: ; @echo $(TEST_PROGS)' \
	gotrace-print-progs 2>/dev/null)
ALL_SERIES=$("$ROOT/scripts/kernels.sh" names)
bad=
for t in ${CHECK_TESTS:-}; do
	grep -qw -- "$t" <<<"$ALL_PROGS" || bad+=" CHECK_TESTS:$t"
done
for run in $CHECK_RUNS; do
	grep -qx -- "${run%%:*}" <<<"$ALL_SERIES" || bad+=" CHECK_RUNS:$run"
done
if [ -n "$bad" ]; then
	echo "check: unknown name(s):$bad" >&2
	echo "  selftests: $ALL_PROGS" >&2
	echo "  series: $(tr '\n' ' ' <<<"$ALL_SERIES")(SERIES[:cmdline])" >&2
	exit 2
fi
# The series whose image and module are prepared: those the runs boot,
# in kernels.sh's order.
PREP_SERIES=
for s in $ALL_SERIES; do
	for run in $CHECK_RUNS; do
		[ "${run%%:*}" != "$s" ] || { PREP_SERIES+="$s "; break; }
	done
done
if [ "${CHECK_DRY_RUN:-0}" != 0 ]; then
	echo "prepare: ${PREP_SERIES% }"
	echo "runs: $(echo $CHECK_RUNS)"
	echo "tests: ${CHECK_TESTS:-all}"
	exit 0
fi

rm -rf "$LOGS"
mkdir -p "$LOGS"
RESULTS=$LOGS/results.txt
FAILS=$LOGS/failures.txt
TIMES=$LOGS/timings.txt
: >"$RESULTS"; : >"$FAILS"; : >"$TIMES"

T0=$(date +%s.%N)
stage_start() { STAGE=$1; STAGE_T=$(date +%s.%N); echo "==> $STAGE"; }
stage_end() {
	local t
	t=$(awk -v a="$STAGE_T" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	printf '%-50s %7ss\n' "$STAGE" "$t" >>"$TIMES"
	echo "    ($t s)"
}
result() {	# ok|fail|skip NAME [logfile to show on failure]
	echo "$1 $2" >>"$RESULTS"
	if [ "$1" = fail ]; then
		echo "    FAIL $2"
		if [ -n "${3:-}" ] && [ -f "$3" ]; then
			{ echo "---- $2 ($3, last lines):"; tail -n 60 "$3"; } >>"$FAILS"
		fi
	fi
}
# TAP from a command run on the host -> results (reuses the VM log parser).
tap_results() {	# prefix name logfile rc
	{ echo "GOTRACE-VM: TEST-BEGIN $2"; cat "$3"; echo "GOTRACE-VM: TEST-END $2 rc=$4"; } |
		awk -v PREFIX="$1" -v FAILLOG="$FAILS" -v HOST=1 -f "$VM/parse.awk" >>"$RESULTS"
}

# ---- dependencies -----------------------------------------------------------
stage_start deps
if ! "$ROOT/scripts/deps.sh" >"$LOGS/deps.log" 2>&1; then
	cat "$LOGS/deps.log"
	result fail deps "$LOGS/deps.log"
fi
"$ROOT/scripts/linux-src.sh" >/dev/null 2>>"$LOGS/deps.log" || result fail linux-src "$LOGS/deps.log"
KVERS=()
SERIES=()
while read -r s k; do
	[ -n "$k" ] || continue
	KVERS+=("$k"); SERIES+=("$s")
done < <("$ROOT/scripts/kernels.sh" series 2>>"$LOGS/deps.log")
[ ${#KVERS[@]} -eq "$(wc -l <<<"$ALL_SERIES")" ] || result fail kernels-resolve "$LOGS/deps.log"
echo "    kernels: ${KVERS[*]}"
DEFAULT_SERIES=$("$ROOT/scripts/kernels.sh" default)
stage_end

# ---- the harness's own tests -----------------------------------------------------
# selftests/vm/test-harness.sh: each way of losing a result (a short plan, a
# TODO, a missing binary, an aborted run, a crashing checkpatch, an unknown
# name) must come out as a failure.
stage_start "harness self-test"
rc=0
"$VM/test-harness.sh" >"$LOGS/harness.log" 2>&1 || rc=$?
tap_results "host:" harness "$LOGS/harness.log" $rc
grep '^not ok' "$LOGS/harness.log" | sed 's/^/    /'
stage_end

# ---- host userspace + unit tests ----------------------------------------------
HOSTOUT=$BUILD/host
if [ -f userspace/Makefile ]; then
	stage_start "userspace (host) build + unit tests"
	if make -C userspace O="$HOSTOUT" >"$LOGS/userspace-host.log" 2>&1; then
		result ok userspace-build
	else
		result fail userspace-build "$LOGS/userspace-host.log"
	fi
	rc=0
	make -C userspace O="$HOSTOUT" test >"$LOGS/userspace-test.log" 2>&1 || rc=$?
	tap_results "host:" unit "$LOGS/userspace-test.log" $rc
	stage_end
else
	echo "==> no userspace/Makefile yet: userspace stages skipped"
fi

# ---- host fuzzing of the stream decoders (RELIABILITY.md) -------------------------
# libFuzzer on libgotrace and `gotrace dump`, FUZZ_SECS (default 30) in all;
# one result per target.  `make stress` runs it longer.
stage_start "fuzz: reader + dump (host, libFuzzer, ${FUZZ_SECS:-30} s)"
rc=0
FUZZ_SECS=${FUZZ_SECS:-30} "$ROOT/scripts/fuzz.sh" >"$LOGS/fuzz.log" 2>&1 || rc=$?
tap_results "host:" fuzz "$LOGS/fuzz.log" $rc
grep '^# fuzz_' "$LOGS/fuzz.log" | sed 's/^# /    /'
stage_end

# ---- checkpatch -------------------------------------------------------------------
stage_start checkpatch
rc=0
"$ROOT/scripts/checkpatch.sh" >"$LOGS/checkpatch.out" 2>"$LOGS/checkpatch.log" || rc=$?
cat "$LOGS/checkpatch.out" >>"$RESULTS"
if [ $rc -ne 0 ]; then
	echo "    FAIL checkpatch (see below)"
	cat "$LOGS/checkpatch.log" >>"$FAILS"
	grep -q '^fail' "$LOGS/checkpatch.out" ||
		result fail "checkpatch (checkpatch.sh exit $rc, no file failed)" "$LOGS/checkpatch.log"
elif ! grep -q '^ok' "$LOGS/checkpatch.out"; then
	result fail "checkpatch (no file checked)" "$LOGS/checkpatch.log"
fi
stage_end

# ---- packaging: man pages, completion, make deb, make install, DKMS -------------
# scripts/check-install.sh (TAP): the man pages against the tool's help,
# lintian on the packages, the make install layout against the package's,
# and DKMS builds of the gotrace-dkms package for each tested kernel in a
# private tree; the default kernel's is smoke-tested in its VM runs (suite.sh).
# CHECK_PACKAGING=0 skips it.
declare -A DKMS_KO
if [ "${CHECK_PACKAGING:-1}" != 0 ]; then
	stage_start "packaging + DKMS (scripts/check-install.sh)"
	rc=0
	GOTRACE_TOOL=$HOSTOUT/gotrace "$ROOT/scripts/check-install.sh" "${KVERS[@]}" \
		>"$LOGS/install.log" 2>&1 || rc=$?
	tap_results "install:" check-install "$LOGS/install.log" $rc
	grep -E '^not ok|^# lintian' "$LOGS/install.log" | sed 's/^/    /'
	while read -r k f; do
		[ -z "$f" ] || DKMS_KO[$k]=$f
	done <"$BUILD/pkg/dkms-modules.txt" 2>/dev/null
	stage_end
fi

# ---- build-checked kernels (scripts/kernels.sh build-only) -----------------------
stage_start "build-only kernels: module builds"
while read -r s k; do
	[ -n "$k" ] || { result fail "$s:kernels-resolve" "$LOGS/deps.log"; continue; }
	if "$ROOT/scripts/kernels.sh" headers "$k" 2>"$LOGS/kernel-$k.log" &&
	   "$ROOT/scripts/build-module.sh" "$k" >/dev/null 2>"$LOGS/module-$k.err"; then
		result ok "$k:module-build"
	else
		cat "$LOGS/kernel-$k.log" "$LOGS/module-$k.err" 2>/dev/null
		result fail "$k:module-build" "$LOGS/module-$k.err"
	fi
done < <("$ROOT/scripts/kernels.sh" build-only 2>>"$LOGS/deps.log" || echo "build-only")
stage_end

# ---- static userspace + selftests for the VM (one build for all kernels) ------
TESTS=()
stage_start "userspace + selftests (static)"
if vm_static 2>"$LOGS/static.err"; then
	result ok userspace-static-build
	result ok selftests-build
elif [ "$VM_FAILED" = userspace ]; then
	result fail userspace-static-build "$LOGS/userspace-static.log"
else
	result ok userspace-static-build
	result fail selftests-build "$LOGS/selftests-build.log"
fi
[ -n "$ALL_PROGS" ] || result fail "selftests (no TEST_PROGS in selftests/Makefile)"
if [ -n "$VM_GOTRACE" ]; then
	for p in $ALL_PROGS; do
		f=$VM_OUT/static/selftests/$(basename "$p")
		if [ -n "${CHECK_TESTS:-}" ] &&
		   ! grep -qw -- "$(basename "$p")" <<<"$CHECK_TESTS"; then
			continue
		fi
		if [ -x "$f" ]; then
			TESTS+=("$f")
		else
			result fail "selftest-missing:$(basename "$p")" "$LOGS/selftests-build.log"
		fi
	done
fi
echo "    selftests:$(for t in ${TESTS[@]+"${TESTS[@]}"}; do printf ' %s' "${t##*/}"; done)"
stage_end

# ---- per kernel: image, module, probe types ------------------------------------
for s in "${SERIES[@]}"; do
	[[ " $PREP_SERIES" == *" $s "* ]] || continue
	stage_start "kernel $s: image + module"
	if ! vm_kernel "$s" 2>"$LOGS/kernel-$s.log"; then
		result fail "$s:kernel-image" "$LOGS/kernel-$s.log"
		stage_end; continue
	fi
	kver=${VM_KVER[$s]}
	if vm_module "$s" 2>"$LOGS/module-$kver.err"; then
		result ok "$kver:module-build"
	else
		cat "$LOGS/module-$kver.err"
		result fail "$kver:module-build" "$LOGS/module-$kver.err"
		stage_end; continue
	fi
	# The probes' types against this kernel's tracepoint declarations.
	rc=0
	"$ROOT/scripts/check-probe-types.sh" "$kver" >"$LOGS/probe-types-$kver.log" 2>&1 || rc=$?
	tap_results "$kver:" probe-types "$LOGS/probe-types-$kver.log" $rc
	stage_end
done

# ---- VM runs ----------------------------------------------------------------------
for run in $CHECK_RUNS; do
	vm_parse_run "$run"
	series=$VM_SERIES cmd=$VM_CMDLINE name=$VM_NAME
	stage_start "vm $name"
	d=$BUILD/vm/$name
	rm -f "$d/results.txt"
	args=(-s "$series" -r "$VM/suite.sh" -d "$d" -p "$name:" -E
	      -a "$cmd gtvm_test_timeout=${VM_TEST_TIMEOUT:-300}")
	for t in ${TESTS[@]+"${TESTS[@]}"}; do args+=(-t "$t"); done
	# The DKMS-built module, smoke-tested after the suite: default kernel only.
	[ "$series" != "$DEFAULT_SERIES" ] || [ -z "${DKMS_KO[${VM_KVER[$series]:-}]:-}" ] ||
		args+=(-D "${DKMS_KO[${VM_KVER[$series]}]}")
	# The real System.map (linux-image's is a stub) is in the -dbg
	# package: downloaded once into /var/cache/gotrace for the default
	# kernel; the offline symbolisation test (gotrace_symbolize) skips
	# without it.
	if [ "$series" = "$DEFAULT_SERIES" ] && vm_kernel "$series" 2>>"$LOGS/vm-$name.run.log" &&
	   dbg=$("$ROOT/scripts/kernels.sh" dbg "${VM_KVER[$series]}" 2>>"$LOGS/vm-$name.run.log"); then
		args+=(-f "$(dirname "$dbg")/System.map-${VM_KVER[$series]}=/boot/System.map-${VM_KVER[$series]}")
	fi
	rc=0
	vm_run "${args[@]}" >"$LOGS/vm-$name.run.log" 2>&1 || rc=$?
	if [ $rc -eq 3 ]; then
		result fail "$name:not-built ($VM_FAILED)" "$LOGS/vm-$name.run.log"; stage_end; continue
	fi
	if [ $rc -gt 1 ] || [ ! -s "$d/results.txt" ]; then
		grep -q "^fail $name:run-vm" "$d/results.txt" 2>/dev/null ||
			result fail "$name:run-vm (exit $rc, no results)" "$LOGS/vm-$name.run.log"
		tail -n 20 "$LOGS/vm-$name.run.log" >>"$FAILS"
	fi
	cat "$d/results.txt" >>"$RESULTS" 2>/dev/null
	cat "$d/failures.txt" >>"$FAILS" 2>/dev/null
	cp "$d/ttyS1.log" "$LOGS/vm-$name.guest.log" 2>/dev/null
	cp "$d/console.log" "$LOGS/vm-$name.console.log" 2>/dev/null
	touch "$d/results.txt" "$d/ttyS1.log"
	awk '{ n[$1]++ } END { printf "    %d ok, %d failed, %d skipped\n", n["ok"], n["fail"], n["skip"] }' \
		"$d/results.txt"
	grep '^fail' "$d/results.txt" | sed 's/^/    /'
	tr -d '\r' <"$d/ttyS1.log" | awk '/^GOTRACE-VM: TEST-END / {
		sub(/^rc=/, "", $4); sub(/^secs=/, "", $5)
		t = t (t == "" ? "" : ", ") $3 " " $5 "s" ($4 == "0" ? "" : " (exit " $4 ")")
	} END { if (t != "") print "    times: " t }'
	# The VM's cat trace, symbolised here with the package's System.map
	# (and the -dbg vmlinux if cached: scripts/kernels.sh dbg KVER).
	if [ -s "$d/xfer/symbolize-cat.trace" ] && [ -x "$HOSTOUT/gotrace" ]; then
		rc=0
		kver=${VM_KVER[$series]}
		dbg=$("$ROOT/scripts/kernels.sh" dbg-cached "$kver")
		"$ROOT/scripts/check-symbolize.sh" "$HOSTOUT/gotrace" "$d/xfer" \
			"$(dirname "$dbg")/System.map-$kver" "$dbg" \
			>"$LOGS/symbolize-$name.log" 2>&1 || rc=$?
		tap_results "$name:host-" symbolize "$LOGS/symbolize-$name.log" $rc
	fi
	stage_end
done

# ---- benchmark smoke ------------------------------------------------------------------
# One tiny iteration of `make bench` (gotrace and trace-cmd on one workload, in
# the default kernel's VM with the host's userland), so that the benchmark
# cannot rot.
# CHECK_BENCH=0 skips it.
if [ "${CHECK_BENCH:-1}" != 0 ]; then
	stage_start "bench smoke (scripts/bench.sh --smoke)"
	if "$ROOT/scripts/bench.sh" --smoke >"$LOGS/bench-smoke.log" 2>&1; then
		result ok bench-smoke
	else
		result fail bench-smoke "$LOGS/bench-smoke.log"
	fi
	stage_end
fi

# ---- viewers: convert/report on traces recorded in a VM -------------------------------
# scripts/check-viewers.sh boots the default VM once more, records two traces and
# checks the Perfetto/Go exports and the HTML report on the host (TAP).
# CHECK_VIEWERS=0 skips it.
if [ "${CHECK_VIEWERS:-1}" != 0 ] && [ -x "$ROOT/scripts/check-viewers.sh" ]; then
	stage_start "viewers (scripts/check-viewers.sh)"
	rc=0
	"$ROOT/scripts/check-viewers.sh" >"$LOGS/viewers.log" 2>&1 || rc=$?
	tap_results "viewers:" check-viewers "$LOGS/viewers.log" $rc
	grep -E '^not ok' "$LOGS/viewers.log" | sed 's/^/    /'
	stage_end
fi

# ---- summary ------------------------------------------------------------------------
STAGE=total; STAGE_T=$T0
printf '%-50s %7ss\n' total "$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" >>"$TIMES"
if [ -s "$FAILS" ]; then
	echo
	echo "==================== failures ===================="
	cat "$FAILS"
	echo "=================================================="
fi
echo
echo "timings:"
sed 's/^/  /' "$TIMES"
echo "logs: $LOGS"
read -r pass fail skip < <(awk '{ n[$1]++ } END { printf "%d %d %d\n", n["ok"], n["fail"], n["skip"] }' "$RESULTS")
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
