#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl (from linux-source-6.1) --strict on the module and the uapi
# header, one result per file: prints "ok|fail checkpatch:FILE" lines on
# stdout and the findings on stderr.  ERROR, WARNING and CHECK all fail, and
# so does checkpatch.pl ending otherwise than with 0 (clean) or 1 (findings)
# or contradicting its findings.  CHECKPATCH_PL overrides the script (the
# harness tests give it one that crashes).  Exit status 1 if any file failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
src=$("$ROOT/scripts/linux-src.sh")
cp=${CHECKPATCH_PL:-$src/scripts/checkpatch.pl}

opts=(--no-tree --strict --quiet --show-types --max-line-length=100)
command -v codespell >/dev/null && opts+=(--codespell)

# Per-file exceptions, kept small and explained:
#  - uapi headers cannot use BIT()/BIT_ULL() (kernel-internal macros);
#    the uapi header's event schema is an X-macro (a list of rows, not a
#    value to parenthesise);
#  - the compat header exists to test LINUX_VERSION_CODE, which checkpatch
#    also sees as a constant on the left of a comparison, and its probe
#    picker names each candidate twice (function names: no side effects).
ignore_for() {
	case "$1" in
	uapi/*)			echo BIT_MACRO,COMPLEX_MACRO,MACRO_ARG_REUSE ;;
	kmod/gotrace_compat.h)	echo LINUX_VERSION_CODE,CONSTANT_COMPARISON,MACRO_ARG_REUSE ;;
	*)			echo "" ;;
	esac
}

cd "$ROOT"
shopt -s nullglob
files=(kmod/*.c kmod/*.h uapi/linux/gotrace.h)
rc=0
for f in "${files[@]}"; do
	ign=$(ignore_for "$f")
	st=0
	out=$(perl "$cp" "${opts[@]}" ${ign:+--ignore "$ign"} -f "$f" 2>&1) || st=$?
	found=0	# checkpatch.pl exits 1 when it reports, 0 when it does not
	! grep -qE '^(ERROR|WARNING|CHECK)' <<<"$out" || found=1
	if [ $st -ne $found ]; then
		echo "fail checkpatch:$f (checkpatch.pl exit $st with $found findings reported)"
		echo "---- checkpatch:$f: checkpatch.pl exit $st" >&2
		echo "$out" >&2
		rc=1
	elif [ $st -eq 1 ]; then
		echo "fail checkpatch:$f"
		echo "---- checkpatch:$f" >&2
		echo "$out" >&2
		rc=1
	else
		echo "ok checkpatch:$f"
	fi
done
exit $rc
