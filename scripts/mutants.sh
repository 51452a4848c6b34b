#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Mutation check of the host unit tests (TAP on stdout; part of `make
# stress`): each mutant of userspace/tests/mutants.txt (a sed expression on
# one file) is applied to a copy of userspace/ and uapi/ in
# $BUILD/mutants, never to the tree itself, and `make test` must fail.
#   ok N killed: WHAT (N failed, first: the first failing test)
#   not ok N survived: WHAT       the tests do not see the change
#   not ok N does not apply       the code changed: update mutants.txt
# The unmutated copy must pass first.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
W=$BUILD/mutants
LIST=$ROOT/userspace/tests/mutants.txt

rm -rf "$W"
mkdir -p "$W/src"
cp -a "$ROOT/userspace" "$ROOT/uapi" "$W/src/"
OUT=$W/out
. "$ROOT/scripts/tap.sh"
runtests() { make -C "$W/src/userspace" O="$OUT" test >"$1" 2>&1; }

echo "TAP version 13"
if runtests "$W/baseline.log"; then
	tap ok "baseline: the unmutated copy passes"
else
	grep '^not ok' "$W/baseline.log" | head -n 5 | sed 's/^/# /'
	tap fail "baseline: the unmutated copy fails, no mutant can be judged"
	tap_plan
	exit 1
fi
i=0
while IFS=$'\t' read -r file expr what; do
	case $file in ''|'#'*) continue ;; esac
	i=$((i + 1))
	f=$W/src/userspace/$file
	cp -p "$f" "$W/orig"
	sed -i -e "$expr" "$f"
	if cmp -s "$f" "$W/orig"; then
		tap fail "mutant $i ($file) does not apply: $expr"
		continue
	fi
	if runtests "$W/mutant-$i.log"; then
		tap fail "mutant $i survived: $what ($file: $expr)"
	else
		by=$(grep -m1 '^not ok' "$W/mutant-$i.log" || grep -m1 'error:' "$W/mutant-$i.log")
		tap ok "mutant $i killed: $what ($(grep -c '^not ok' "$W/mutant-$i.log") failed, first: ${by:0:150})"
	fi
	cp "$W/orig" "$f"
	touch "$f"
done <"$LIST"
tap_plan
