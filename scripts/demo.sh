#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot the default kernel's VM (Debian 6.1; scripts/vm.sh's
# vm_run), record a workload with
# `gotrace record`, and bring the trace back as demo/out.trace together with
# demo/report.txt (record summary, status, first events, sizes and rates).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$ROOT/.build}
VM=$ROOT/selftests/vm
OUT=$ROOT/demo
cd "$ROOT"
. "$ROOT/scripts/lock.sh"
. "$ROOT/scripts/vm.sh"
mkdir -p "$BUILD/logs" "$OUT"

echo "==> deps"
scripts/deps.sh >"$BUILD/logs/demo-deps.log" 2>&1 || { cat "$BUILD/logs/demo-deps.log"; exit 1; }
series=$(scripts/kernels.sh default)
echo "==> kernel $series, module, static tool; booting"
d=$BUILD/vm/demo
rc=0
vm_run -s "$series" -r "$VM/demo.sh" -d "$d" -T 900 || rc=$?
[ $rc -ne 3 ] || { echo "demo: could not build the VM ($VM_FAILED)"; exit 1; }
kver=${VM_KVER[$series]}
echo "    kernel $kver; VM ran $(cat "$d/seconds") s"

# Section NAME of the guest's output, progress lines (\r) reduced to the last.
section() {
	tr -d '\0' <"$d/ttyS1.log" | sed 's/\r$//; s/.*\r//' |
		awk -v s="$1" '/^GOTRACE-VM: SECTION /{ on = ($3 == s); next }
			       /^GOTRACE-VM: /{ next } on'
}

rm -f "$OUT/out.trace"
[ ! -f "$d/xfer/out.trace" ] || cp "$d/xfer/out.trace" "$OUT/out.trace"
size=$(stat -c %s "$OUT/out.trace" 2>/dev/null || echo 0)
summary=$(section record | grep 'recorded' | tail -n1 || true)
events=$(sed -n 's/.*recorded \([0-9]*\) events.*/\1/p' <<<"$summary")
secs=$(sed -n 's/.* in \([0-9.]*\) s,.*/\1/p' <<<"$summary")
lines=$(section dump-lines | tr -d ' ' | head -n1)
{
	echo "gotrace demo on Debian $kver (QEMU TCG, 2 vCPUs)"
	echo "generated $(date -u '+%Y-%m-%d %H:%M:%S UTC') from $(git describe --always --dirty 2>/dev/null || echo unknown)"
	echo
	echo "== record"
	section record
	echo
	echo "== gotrace status (after record)"
	section status
	echo
	echo "== gotrace dump out.trace | head -50"
	section dump-head
	echo
	echo "== numbers"
	echo "trace file:      $size bytes (demo/out.trace)"
	echo "dump lines:      ${lines:-?} (in the guest)"
	if [ -s "$OUT/out.trace" ] && make -C userspace O="$BUILD/host" >"$BUILD/logs/demo-host.log" 2>&1; then
		echo "host dump lines: $("$BUILD/host/gotrace" dump "$OUT/out.trace" 2>/dev/null | wc -l) (same file, read back on the host)"
	fi
	if [ -n "$events" ] && [ "$events" -gt 0 ]; then
		awk -v b="$size" -v e="$events" -v s="${secs:-0}" 'BEGIN {
			printf "events:          %d\n", e
			printf "bytes/event:     %.2f\n", b / e
			if (s > 0) printf "events/s:        %.0f (over %.2f s of recording)\n", e / s, s
		}'
	else
		echo "events:          ? (no summary line from gotrace record)"
	fi
	echo
	echo "== results"
	cat "$d/results.txt"
} >"$OUT/report.txt"

cat "$OUT/report.txt"
if [ $rc -ne 0 ] || [ ! -s "$OUT/out.trace" ]; then
	echo
	echo "demo FAILED"
	cat "$d/failures.txt"
	exit 1
fi
echo
echo "demo: wrote demo/out.trace and demo/report.txt"
