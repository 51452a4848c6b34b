#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl (from linux-source-6.1) --strict on the module, the uapi
# header, userspace/ (the tool, the library, the unit tests) and the
# selftests, one result per file: prints "ok|fail checkpatch:FILE" lines on
# stdout and the findings on stderr.  ERROR, WARNING and CHECK all fail,
# and so does checkpatch.pl ending otherwise than with 0 (clean) or 1
# (findings) or contradicting its findings.  CHECKPATCH_PL overrides the
# script (the harness tests give it one that crashes).  Exit status 1 if
# any file failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
src=$("$ROOT/scripts/linux-src.sh")
cp=${CHECKPATCH_PL:-$src/scripts/checkpatch.pl}

opts=(--no-tree --strict --quiet --show-types --max-line-length=100)
command -v codespell >/dev/null && opts+=(--codespell)

# userspace/ and selftests/ follow the same style, but are not kernel code:
# the checks that do not apply outside the kernel are off for them.
#  - PREFER_KERNEL_TYPES, SSCANF_TO_KSTRTO, BIT_MACRO: u64, kstrtoul() and
#    BIT() are the kernel's own; userspace has <stdint.h> and strtoul();
#  - CAMELCASE: the CamelCase names there are C's and the libraries'
#    (PRIu64, _Static_assert, zstd, zlib, libelf/libdw, libFuzzer);
#  - LONG_LINE_STRING: a line may run past the limit for a string that
#    starts before it, so that a message is not split and can be grepped
#    for; checkpatch knows only the kernel's logging functions (printk(),
#    pr_*(), dev_*()), userspace's are printf(), fprintf(), TH_LOG(), ok(),
#    gt_err() and the like.
USER_IGNORE=PREFER_KERNEL_TYPES,SSCANF_TO_KSTRTO,BIT_MACRO,CAMELCASE,LONG_LINE_STRING

# Per-file exceptions, kept small and explained, one type at a time:
#  - uapi headers cannot use BIT()/BIT_ULL() (kernel-internal macros);
#    the uapi header's event schema is an X-macro (a list of rows, not a
#    value to parenthesise);
#  - the compat header exists to test LINUX_VERSION_CODE, which checkpatch
#    also sees as a constant on the left of a comparison, and its probe
#    picker names each candidate twice (function names: no side effects);
#  - VOLATILE: a flag a signal handler sets is a volatile sig_atomic_t
#    (C's rule, as in the kernel's tools/); the ioctl fuzzer also hides a
#    NULL from the compiler, so that read() into it reaches the kernel, and
#    the libFuzzer target keeps what it computes in a volatile sink;
#  - SPLIT_STRING: the text of another language (the report's HTML, CSS
#    and JavaScript, the shell and awk the tests run) or the output a test
#    expects (JSON, dump lines), split where it reads best: not messages to
#    grep for;
#  - COMPLEX_MACRO, TRAILING_SEMICOLON: the rows of the uapi schema's
#    X-macro expand into part of an expression (+ (...), || ...), and in the
#    library into one array definition per event; the option tables share
#    lists of rows;
#  - PREFER_DEFINED_ATTRIBUTE_MACRO: userspace has no kernel compiler
#    attribute macros: lib/compiler.h, which defines __printf(), spells the
#    attribute, and so do the test ELF (noinline, always_inline) and the
#    fake device (an alias);
#  - OPEN_BRACE: the test ELF defines for_each_kernel_tracepoint(), the
#    kernel symbol the symbolizer anchors on, which checkpatch takes for a
#    loop macro;
#  - AVOID_EXTERNS: the ioctl fuzzer declares the bytes its own asm()
#    embeds (.incbin of its -m32 build).
ignore_for() {
	local ign=()

	case "$1" in
	uapi/*)			ign+=(BIT_MACRO COMPLEX_MACRO MACRO_ARG_REUSE) ;;
	kmod/gotrace_compat.h)	ign+=(LINUX_VERSION_CODE CONSTANT_COMPARISON MACRO_ARG_REUSE) ;;
	userspace/*|selftests/*) ign+=("$USER_IGNORE") ;;
	esac
	case "$1" in
	selftests/gotrace_device.c|selftests/gotrace_fuzz.c|userspace/cmd_flight.c|\
	userspace/tests/fuzz_reader.c)
		ign+=(VOLATILE) ;;
	esac
	case "$1" in
	userspace/report_html.c|userspace/tests/test_cgroups.c|\
	userspace/tests/test_convert.c|userspace/tests/test_stats.c|\
	userspace/tests/test_symbolize.c|userspace/tests/test_triggers.c|\
	selftests/gotrace_flight.c)
		ign+=(SPLIT_STRING) ;;
	esac
	case "$1" in
	selftests/gotrace_test.c|userspace/tests/encoder.c|userspace/opts.h)
		ign+=(COMPLEX_MACRO) ;;
	userspace/lib/names.c)
		ign+=(TRAILING_SEMICOLON) ;;
	esac
	case "$1" in
	userspace/lib/compiler.h|\
	userspace/tests/symbolize_elf.c|userspace/tests/fakedev.c)
		ign+=(PREFER_DEFINED_ATTRIBUTE_MACRO) ;;
	esac
	case "$1" in
	userspace/tests/symbolize_elf.c)	ign+=(OPEN_BRACE) ;;
	selftests/gotrace_fuzz.c)		ign+=(AVOID_EXTERNS) ;;
	esac
	local IFS=,
	echo "${ign[*]}"
}

cd "$ROOT"
shopt -s nullglob
files=(kmod/*.c kmod/*.h uapi/linux/gotrace.h
	userspace/*.c userspace/*.h userspace/lib/*.c userspace/lib/*.h
	userspace/tests/*.c userspace/tests/*.h selftests/*.c selftests/*.h)
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
