#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the harness itself (TAP on stdout), run by `make check` before
# anything else: each case feeds the harness a sabotaged input and checks
# that a failure naming it comes out.
#   parse.awk       plans, TODO, Bail out!, missing/extra/duplicate binaries,
#                   a binary without TAP, a clean log (no false failure);
#   run-vm.sh       a run that aborts before the guest (lock file) reports it;
#   checkpatch.sh   a crashing checkpatch.pl is a failure, not a pass;
#   check-viewers.sh  ping-pong pids it cannot parse are a failure;
#   check.sh        unknown CHECK_TESTS / CHECK_RUNS names are errors;
#                   only the series CHECK_RUNS boots are prepared;
#   selftests       SKIP() after a failed EXPECT stays a failure (the
#                   harness's own SKIP() resets "passed").
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
T=$(mktemp -d /tmp/gotrace-harness.XXXXXX)
trap 'rm -rf "$T"' EXIT

. "$ROOT/scripts/tap.sh"	# tap STATUS DESCRIPTION (0: ok), diag

# parse LOG [EXPECT]: parse.awk's results for the guest log on stdin.
parse() {
	awk -v PREFIX=t: -v FAILLOG=/dev/null -v EXPECT="${1:-}" -f "$HERE/parse.awk"
}
# expect_fail DESCRIPTION REGEX [EXPECT] < log: a fail line matching REGEX.
expect_fail() {
	local out
	out=$(parse "${3:-}")
	grep -Eq "^fail t:$2" <<<"$out"
	local rc=$?
	[ $rc -eq 0 ] || diag <<<"$out"
	tap $rc "parse.awk: $1"
}
# A guest log around the TAP of one binary (no pipe into tap: it counts).
guest() {	# name rc < tap
	echo "GOTRACE-VM: BEGIN 6.1 test"
	echo "GOTRACE-VM: TEST-BEGIN $1"
	cat
	echo "GOTRACE-VM: TEST-END $1 rc=$2 secs=1.0"
	echo "GOTRACE-VM: END"
}

printf 'TAP version 13\n1..5\nok 1 a\nok 2 b\nok 3 c\n' | guest t_plan 0 >"$T/log"
expect_fail "a plan of 5 with 3 results fails" 't_plan .*plan' <"$T/log"
printf '1..2\nok 1 a\nnot ok 2 b # TODO later\n' | guest t_todo 0 >"$T/log"
expect_fail "not ok with a TODO directive fails" 't_todo:b .*TODO' <"$T/log"
printf '1..1\nok 1 a # TODO later\n' | guest t_todo2 0 >"$T/log"
expect_fail "ok with a TODO directive fails" 't_todo2:a .*TODO' <"$T/log"
printf '1..2\nok 1 a\nBail out! no headers\n' | guest t_bail 1 >"$T/log"
expect_fail "Bail out! fails" 't_bail .*Bail out' <"$T/log"
printf '# nothing\n' | guest t_notap 0 >"$T/log"
expect_fail "a binary without TAP fails" 't_notap .*no TAP' <"$T/log"
printf '1..1\nok 1 a\n' | guest t_one 0 >"$T/log"
expect_fail "an expected binary that did not run fails" 't_two .*did not run' "t_one t_two" <"$T/log"
printf '1..1\nok 1 a\n' | guest t_extra 0 >"$T/log"
expect_fail "a binary that was not expected fails" 't_extra .*not expected' "t_one" <"$T/log"
{ printf '1..1\nok 1 a\n' | guest t_dup 0; printf '1..1\nok 1 a\n' | guest t_dup 0; } >"$T/log"
expect_fail "a binary reported twice fails" 't_dup .*twice' "t_dup" <"$T/log"
printf '1..1\nok 1 a\n' | guest t_rc 1 >"$T/log"
expect_fail "exit status 1 after passing TAP fails" 't_rc .*exit 1' <"$T/log"
out=$(printf 'TAP version 13\n1..3\nok 1 a\nok 2 b # SKIP no reclaim\nok 3 c\n' |
	guest t_good 0 | parse "t_good")
grep -q '^fail' <<<"$out"
rc=$?
[ $rc -ne 0 ] || diag <<<"$out"
tap $((rc == 0)) "parse.awk: a complete, planned log has no failure"
# Host TAP (several binaries, plans at the end) as check.sh feeds it.
out=$({ echo "GOTRACE-VM: TEST-BEGIN unit"
	printf 'ok 1 - a\nok 2 - b\n1..2\nok 1 - c\n1..1\n'
	echo "GOTRACE-VM: TEST-END unit rc=0"; } |
	awk -v PREFIX=t: -v HOST=1 -f "$HERE/parse.awk")
[ "$(grep -c '^ok' <<<"$out")" -eq 3 ] && ! grep -q '^fail' <<<"$out"
rc=$?
[ $rc -eq 0 ] || diag <<<"$out"
tap $rc "parse.awk: trailing plans of several binaries in one section"
out=$({ echo "GOTRACE-VM: TEST-BEGIN unit"
	printf 'ok 1 - a\nok 2 - b\n1..2\nok 1 - c\n'
	echo "GOTRACE-VM: TEST-END unit rc=1"; } |
	awk -v PREFIX=t: -v HOST=1 -f "$HERE/parse.awk")
grep -Eq '^fail t:unit .*plan' <<<"$out"
rc=$?
[ $rc -eq 0 ] || diag <<<"$out"
tap $rc "parse.awk: a binary that died before its trailing plan fails"

# ---- run-vm.sh: an aborted run -----------------------------------------------------
: >"$T/vmlinuz"; : >"$T/initrd"
GOTRACE_VM_LOCK=$T/no/such/dir/lock "$HERE/run-vm.sh" -k "$T/vmlinuz" -i "$T/initrd" \
	-d "$T/vm" -p r: -e "t_one" >"$T/run-vm.out" 2>&1
rc=$?
grep -Eq '^fail r:run-vm .*abort' "$T/vm/results.txt" 2>/dev/null && [ $rc -ne 0 ]
r=$?
[ $r -eq 0 ] || { echo "exit $rc"; cat "$T/run-vm.out" "$T/vm/results.txt"; } 2>&1 | diag
tap $r "run-vm.sh: a run that aborts (lock file) leaves a failure"

# ---- checkpatch.sh: checkpatch.pl crashes ----------------------------------------
printf 'die "checkpatch crashed\\n";\n' >"$T/checkpatch.pl"
CHECKPATCH_PL=$T/checkpatch.pl "$ROOT/scripts/checkpatch.sh" >"$T/cp.out" 2>"$T/cp.err"
rc=$?
grep -Eq '^fail checkpatch:.*exit' "$T/cp.out" && ! grep -q '^ok' "$T/cp.out" && [ $rc -ne 0 ]
r=$?
[ $r -eq 0 ] || { echo "exit $rc"; cat "$T/cp.out"; head "$T/cp.err"; } | diag
tap $r "checkpatch.sh: a crashing checkpatch.pl fails every file"

# ---- check.sh: names that select nothing -------------------------------------------
for v in "CHECK_TESTS=gotrace_nosuch" "CHECK_RUNS=6.1 6.2"; do
	env BUILD="$T/build" "$v" timeout 60 "$ROOT/scripts/check.sh" >"$T/check.out" 2>&1
	rc=$?
	grep -q 'unknown' "$T/check.out" && [ $rc -ne 0 ] && [ $rc -ne 124 ]
	r=$?
	[ $r -eq 0 ] || { echo "exit $rc"; tail -n 5 "$T/check.out"; } | diag
	tap $r "check.sh: $v is an error"
done

# ---- check.sh: only the series CHECK_RUNS boots are prepared ---------------------
# (CHECK_DRY_RUN prints the plan.)  Without CHECK_RUNS, every tested one.
all=$("$ROOT/scripts/kernels.sh" names | tr '\n' ' ')
for v in "6.12:preempt=full=6.12" "6.1-rt 6.1 6.1:preempt=full=6.1 6.1-rt" "=${all% }"; do
	runs=${v%=*} want=${v##*=}
	vars=(BUILD="$T/build" CHECK_DRY_RUN=1)
	[ -z "$runs" ] || vars+=(CHECK_RUNS="$runs")
	env -u CHECK_RUNS "${vars[@]}" timeout 60 "$ROOT/scripts/check.sh" >"$T/check.out" 2>&1
	rc=$?
	grep -qx "prepare: $want" "$T/check.out" && [ $rc -eq 0 ]
	r=$?
	[ $r -eq 0 ] || { echo "exit $rc, wanted 'prepare: $want'"; cat "$T/check.out"; } | diag
	tap $r "check.sh: CHECK_RUNS='$runs' prepares $want"
done

# ---- check-viewers.sh: a pingpong.txt without the pids ------------------------------
mkdir -p "$T/tr"
echo "no pids here" >"$T/tr/pingpong.txt"
head -c 100 /dev/urandom >"$T/tr/pingpong.trace"
cp "$T/tr/pingpong.trace" "$T/tr/big.trace"
BUILD=${BUILD:-$ROOT/.build}/harness-viewers timeout 600 "$ROOT/scripts/check-viewers.sh" "$T/tr" \
	>"$T/viewers.out" 2>&1
grep -q '^not ok [0-9]* ping-pong pids' "$T/viewers.out"
r=$?
[ $r -eq 0 ] || grep -E '^(not )?ok' "$T/viewers.out" | diag
tap $r "check-viewers.sh: ping-pong pids that cannot be parsed are a failure"

# ---- selftests: a SKIP() after a failed expectation ------------------------------
ksft=$("$ROOT/scripts/linux-src.sh" 2>"$T/ksft.err")/include
cat >"$T/skip.c" <<'EOF'
#include "kselftest_harness.h"
#include "gotrace_test.h"

TEST(fail_then_skip)
{
	EXPECT_EQ(1, 2);
	SKIP(return, "skipped after a failure");
}

TEST(plain_skip)
{
	SKIP(return, "nothing to test");
}

TEST_HARNESS_MAIN
EOF
if gcc -std=gnu11 -D_GNU_SOURCE -I"$ksft" -I"$ROOT/selftests" -I"$ROOT/uapi" \
	-I"$ROOT/userspace/lib" -o "$T/skip" "$T/skip.c" >"$T/skip.log" 2>&1; then
	"$T/skip" >"$T/skip.out" 2>&1
	rc=$?
	grep -q '^not ok 1 global.fail_then_skip' "$T/skip.out" &&
		grep -q '^ok 2 .*# SKIP' "$T/skip.out" && [ $rc -ne 0 ]
	r=$?
	[ $r -eq 0 ] || { echo "exit $rc"; cat "$T/skip.out"; } | diag
else
	r=1
	diag <"$T/skip.log"
fi
tap $r "selftests: SKIP() after a failed EXPECT is a failure (gotrace_test.h)"

tap_plan
