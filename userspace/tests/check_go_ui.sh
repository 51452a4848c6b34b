#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check_go_ui.sh FILE.gotrace: the pages of `go tool trace`'s web UI load
# (the viewer's JSON trace is valid JSON, the goroutine and scheduler pages
# answer 200).  Exit 0 if so; diagnostics on stdout.
set -uo pipefail
f=$1
log=$(mktemp)
port=$((20000 + RANDOM % 20000))
export HOME=${HOME:-/tmp} BROWSER=true
go tool trace -http=127.0.0.1:$port "$f" >"$log" 2>&1 &
srv=$!
for _ in $(seq 1 300); do
	grep -q 'listening' "$log" && break
	kill -0 $srv 2>/dev/null || break
	sleep 0.2
done
rc=0
if ! grep -q 'listening' "$log"; then
	echo "go tool trace did not serve:"
	tail -n 20 "$log"
	rc=1
else
	# the profiles raw: their SVG needs Graphviz
	for u in / /goroutines /mmu "/sched?raw=1" "/block?raw=1" "/io?raw=1" "/syscall?raw=1"; do
		code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$u")
		[ "$code" = 200 ] || { echo "$u: HTTP $code"; rc=1; }
	done
	if ! curl -s "http://127.0.0.1:$port/jsontrace" | python3 -c '
import json, sys
d = json.load(sys.stdin)
ev = d["traceEvents"]
print("jsontrace: %d viewer events" % len(ev))
sys.exit(0 if len(ev) > 0 else 1)'; then
		echo "/jsontrace: not a valid viewer trace"
		rc=1
	fi
	g=$(curl -s "http://127.0.0.1:$port/goroutines" | grep -o 'goroutine?id=[0-9]*' | head -n1)
	if [ -n "$g" ]; then
		code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/$g")
		[ "$code" = 200 ] || { echo "/$g: HTTP $code"; rc=1; }
	fi
fi
kill $srv 2>/dev/null
wait $srv 2>/dev/null
grep -E 'panic|error' "$log" | head -n 5
grep -qE '^panic' "$log" && rc=1
rm -f "$log"
exit $rc
