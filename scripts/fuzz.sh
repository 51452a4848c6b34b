#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz the stream decoders on the host with libFuzzer (clang, ASan+UBSan):
#   fuzz_reader   libgotrace (gt_open_mem, gt_next and the lookups)
#   fuzz_dump     `gotrace dump` (cmd_dump on a memfd)
# from the seeds in userspace/tests/corpus/ (copied: the repo's corpus is
# not written to), FUZZ_SECS seconds in all (default 30), split between the
# targets.  Prints TAP (one test per target, with executions and crashes);
# crash inputs are kept in $BUILD/fuzz/crashes/.
#   fuzz.sh --seeds    regenerate userspace/tests/corpus/ (fuzz_seeds.c)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
OUT=$BUILD/fuzz
US=$ROOT/userspace
SECS=${FUZZ_SECS:-30}
CC=${FUZZ_CC:-clang}
rm -rf "$OUT/crashes"
mkdir -p "$OUT/crashes"

LIB=$(cd "$US" && ls lib/*.c)
FLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -fno-omit-frame-pointer -D_GNU_SOURCE -I"$ROOT/uapi" -I"$US/lib" -I"$US")

if [ "${1:-}" = --seeds ]; then
	gcc -O1 -g -D_GNU_SOURCE -I"$ROOT/uapi" -I"$US/lib" -o "$OUT/fuzz_seeds" \
		"$US/tests/fuzz_seeds.c" "$US/tests/encoder.c" \
		$(cd "$US" && ls "$US"/lib/*.c) -lzstd || exit 1
	mkdir -p "$US/tests/corpus"
	exec "$OUT/fuzz_seeds" "$US/tests/corpus"
fi

echo "TAP version 13"
echo "1..2"
if ! command -v "$CC" >/dev/null; then
	echo "not ok 1 fuzz_reader # $CC missing (scripts/deps.sh)"
	echo "not ok 2 fuzz_dump # $CC missing (scripts/deps.sh)"
	exit 1
fi
# The tool's objects that `dump` needs: everything but main(), and the
# libraries it links with (userspace/Makefile's LDLIBS).
TOOL=$(cd "$US" && ls *.c | grep -v '^gotrace\.c$')
TOOL_LIBS=$(make -s -C "$US" --no-print-directory \
	--eval='gotrace-print-ldlibs: ; @echo $(LDLIBS)' gotrace-print-ldlibs)
build() {	# name extra-flags...
	local name=$1
	shift
	( cd "$US" && "$CC" "${FLAGS[@]}" "$@" -o "$OUT/$name" \
		tests/fuzz_reader.c $LIB -lzstd ) >"$OUT/$name.build.log" 2>&1
}
build fuzz_reader || { cat "$OUT/fuzz_reader.build.log" | sed 's/^/# /'; }
build fuzz_dump -DFUZZ_DUMP -Wl,--wrap=setvbuf $TOOL $TOOL_LIBS -lm ||
	{ sed 's/^/# /' "$OUT/fuzz_dump.build.log"; }

fail=0
n=0
for t in fuzz_reader fuzz_dump; do
	n=$((n + 1))
	if [ ! -x "$OUT/$t" ]; then
		echo "not ok $n $t # build failed"
		fail=1
		continue
	fi
	work=$OUT/corpus-$t
	mkdir -p "$work"
	cp -n "$US"/tests/corpus/* "$work/" 2>/dev/null
	log=$OUT/$t.log
	# -close_fd_mask=3: the targets' own stdout/stderr go nowhere
	"$OUT/$t" -max_total_time=$((SECS / 2 > 0 ? SECS / 2 : 1)) \
		-close_fd_mask=3 -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
		-artifact_prefix="$OUT/crashes/$t-" -print_final_stats=1 \
		"$work" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
	crashes=$(ls "$OUT/crashes/$t-"* 2>/dev/null | wc -l)
	echo "# $t: ${execs:-0} executions, coverage ${cov:-?} edges, corpus $(ls "$work" | wc -l) inputs, $crashes crash files"
	echo "# RELIABILITY fuzz $t secs=$((SECS / 2)) execs=${execs:-0} crashes=$crashes"
	if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ] || [ -z "$execs" ]; then
		echo "not ok $n $t # rc=$rc"
		grep -E 'ERROR|SUMMARY|==[0-9]+==' "$log" | head -n 20 | sed 's/^/# /'
		fail=1
	else
		echo "ok $n $t"
	fi
done
exit $fail
