#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Offline symbolisation on the host of a trace read with cat in the test
# VM (selftests/gotrace_symbolize.c sends it through /xfer):
#
#   check-symbolize.sh GOTRACE XFERDIR SYSTEM_MAP [VMLINUX_DBG]
#
# gotrace symbolize --system-map on the host must give every built-in
# frame the symbol and offset that the guest's /proc/kallsyms gave
# (symbolize-live.frames).  With VMLINUX_DBG (the -dbg package's vmlinux),
# --vmlinux must give the same frames and source lines under them.  TAP.
set -euo pipefail

tool=$1 xfer=$2 map=$3 dbg=${4:-}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The same lines of the guest's list.
builtin() { grep -v '\[' "$1" || true; }

[ -s "$xfer/symbolize-cat.trace" ] || { echo "1..0 # SKIP no trace from the VM in $xfer"; exit 0; }
cp "$xfer/symbolize-cat.trace" "$tmp/map.trace"
if "$tool" symbolize --system-map "$map" "$tmp/map.trace" 2>"$tmp/err"; then
	ok "symbolize --system-map: $(cat "$tmp/err")"
else
	not_ok "symbolize --system-map: $(cat "$tmp/err")"
fi
# The guest's module frames are hex addresses here: compare built-in ones,
# aligned by the guest's list (same stacks, same order).
"$tool" dump --stacks "$tmp/map.trace" | grep '^ => ' >"$tmp/map.frames" || true
same=0 differ=0
while IFS= read -r live <&3 && IFS= read -r host <&4; do
	case $live in *'['*) continue ;; esac
	if [ "$live" = "$host" ]; then
		same=$((same + 1))
	else
		differ=$((differ + 1))
		[ $differ -gt 3 ] || echo "# guest: $live / host: $host"
	fi
done 3<"$xfer/symbolize-live.frames" 4<"$tmp/map.frames"
if [ $same -gt 0 ] && [ $differ -eq 0 ]; then
	ok "host System.map gives the guest's kallsyms frames ($same built-in frames)"
else
	not_ok "host System.map vs guest kallsyms: $same agree, $differ differ"
fi

if [ -n "$dbg" ]; then
	cp "$xfer/symbolize-cat.trace" "$tmp/dbg.trace"
	start=$(date +%s)
	if "$tool" symbolize --vmlinux "$dbg" "$tmp/dbg.trace" 2>"$tmp/err"; then
		ok "symbolize --vmlinux in $(($(date +%s) - start)) s: $(cat "$tmp/err")"
	else
		not_ok "symbolize --vmlinux: $(cat "$tmp/err")"
	fi
	"$tool" dump --stacks "$tmp/dbg.trace" >"$tmp/dbg.dump"
	if diff <(builtin "$tmp/map.frames") \
		<(grep '^ => ' "$tmp/dbg.dump" | grep -v '\[') >"$tmp/diff"; then
		ok "--vmlinux gives the System.map frames"
	else
		not_ok "--vmlinux and System.map frames differ: $(head -n 4 "$tmp/diff" | tr '\n' ' ')"
	fi
	lines=$(grep -cE '^        .* [^ ]+\.[ch]:[0-9]+' "$tmp/dbg.dump" || true)
	inl=$(grep -c '(inlined)$' "$tmp/dbg.dump" || true)
	if grep -qE '^        handle_mm_fault mm/memory\.c:[0-9]+$' "$tmp/dbg.dump"; then
		ok "--vmlinux: $lines source lines, $inl inlined frames, handle_mm_fault in mm/memory.c"
	else
		not_ok "--vmlinux: no handle_mm_fault mm/memory.c line ($lines lines)"
	fi
	{ grep -A3 '^ => handle_mm_fault' "$tmp/dbg.dump" || true; } | sed -n '1,4s/^/# /p'
fi
echo "1..$n"
[ $failed -eq 0 ]
