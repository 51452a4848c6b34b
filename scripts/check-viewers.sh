#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The viewers' checks on traces recorded in the test VM (TAP on stdout):
#   check-viewers.sh            boot the default VM (scripts/vm.sh's vm_run),
#                               record the traces, check
#   check-viewers.sh DIR        check the traces already in DIR
#                               (pingpong.trace, pingpong.txt, big.trace)
#
# In the VM: `gotrace record --stacks` of a ping-pong between two tasks
# pinned to CPU 0 (userspace/tests/pingpong.c), and of a fork/pipe/tmpfs
# workload (tens of thousands of sched and page events).  On the host:
# - convert --format=perfetto: valid JSON, B/E balanced, per-track time
#   order, CPU slices never overlap, the ping-pong runs are dump's
#   (userspace/tests/check_perfetto.py);
# - convert --format=go: `go tool trace -pprof=sched` and `-pprof=sync`
#   accept it (Debian's golang-go), its web UI serves it
#   (userspace/tests/check_go_ui.sh), and its goroutines (`go tool trace
#   -d`, distinct GoCreate ids) are the tasks `dump` mentions;
# - convert --format=pprof: `go tool pprof -top` shows the ping-pong
#   tasks' page faults (handle_mm_fault) in allocated pages, and the
#   samples' sums are stats' outstanding pages, allocated pages and
#   allocations; --format=folded sums to the same;
# - convert --format=perfetto-proto: `protoc --decode` with the schema
#   subset (userspace/tests/perfetto_trace.proto) accepts it and its
#   events and fields are dump's (userspace/tests/check_perfetto_proto.py);
#   Perfetto's trace_processor is not in Debian, so it is not run;
# - report (of both traces): headless Chromium renders it without console
#   messages, its self-check passes, its totals are `stats --json`'s; the
#   screenshots are $BUILD/viewers/report-{big,pingpong}.png.
# Installs golang-go, chromium, python3, curl and protobuf-compiler when
# missing (apt).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
OUT=$BUILD/viewers
VM=$ROOT/selftests/vm
mkdir -p "$OUT"
cd "$ROOT" || exit 1

. "$ROOT/scripts/tap.sh"
finish() {
	tap_plan
	exit $?
}

# ---- tools ------------------------------------------------------------------
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
need=()
command -v go >/dev/null || need+=(golang-go)
command -v chromium >/dev/null || need+=(chromium)
command -v python3 >/dev/null || need+=(python3)
command -v curl >/dev/null || need+=(curl)
command -v protoc >/dev/null || need+=(protobuf-compiler)
if [ ${#need[@]} -gt 0 ]; then
	if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need[@]}" \
		>"$OUT/apt.log" 2>&1; then
		tap ok "install ${need[*]}"
	else
		diag <"$OUT/apt.log"
		tap fail "install ${need[*]}"
	fi
fi
export GOCACHE=$OUT/gocache HOME=${HOME:-$OUT}

# ---- host tool ----------------------------------------------------------------
if make -C userspace O="$OUT/host" >"$OUT/host-build.log" 2>&1; then
	GT=$OUT/host/gotrace
else
	diag <"$OUT/host-build.log"
	tap fail "userspace build (host)"
	finish
fi

# ---- traces from the VM ----------------------------------------------------------
TR=${1:-}
if [ -z "$TR" ]; then
	TR=$OUT/vm/xfer
	ok=1
	gcc -O2 -Wall -Werror -static -o "$OUT/pingpong" userspace/tests/pingpong.c \
		>"$OUT/vm.log" 2>&1 || ok=0
	cat >"$OUT/guest.sh" <<'EOF'
# Sourced by /init (scripts/check-viewers.sh): record the viewers' traces.
if insmod /gotrace.ko; then result ok insmod; else result fail insmod; fi
gotrace record -o /xfer/pingpong.trace --stacks -- /tests/pingpong 200 \
	>/xfer/pingpong.txt 2>&1 && result ok record-pingpong || result fail record-pingpong
cat /xfer/pingpong.txt
workload='
	i=0
	while [ $i -lt 150 ]; do
		echo "line $i" | cat | tr a-z A-Z | wc -c >/dev/null
		i=$((i + 1))
	done
	dd if=/dev/zero of=/tmp/f bs=1M count=24 2>/dev/null
	sha256sum /tmp/f >/dev/null
	rm /tmp/f
'
gotrace record -o /xfer/big.trace -- sh -c "$workload" 2>&1 &&
	result ok record-big || result fail record-big
gotrace dump /xfer/pingpong.trace >/xfer/pingpong.dump 2>&1
rmmod gotrace || result fail rmmod
dmesg_check viewers
EOF
	# private build dirs: never share objects with a running make check
	. "$ROOT/scripts/vm.sh"
	VM_OUT=$OUT VM_LOGS=$OUT/logs
	rm -f "$OUT/vm/results.txt"
	rc=0
	[ $ok -eq 1 ] || rc=3
	[ $rc -eq 3 ] ||
		vm_run -r "$OUT/guest.sh" -t "$OUT/pingpong" -d "$OUT/vm" \
			-T "${VM_TIMEOUT:-900}" -p viewers: >>"$OUT/vm.log" 2>&1 || rc=$?
	if [ $rc -ne 3 ]; then
		# The guest's results (record, dmesg, END marker) gate too.
		touch "$OUT/vm/results.txt"
		diag <"$OUT/vm/results.txt"
		if [ $rc -eq 0 ] && grep -q '^ok' "$OUT/vm/results.txt"; then
			tap ok "guest: $(grep -c '^ok' "$OUT/vm/results.txt") results, none failed"
		else
			tap fail "guest (run-vm exit $rc): $(grep '^fail' "$OUT/vm/results.txt" |
				cut -d' ' -f2- | tr '\n' ';')"
			cat "$OUT/vm/failures.txt" 2>/dev/null | diag
		fi
	else
		tail -n 30 "$OUT/vm.log" | diag
		tap fail "VM build (module, static tool, initramfs): $OUT/vm.log"
	fi
fi
if [ -s "$TR/pingpong.trace" ] && [ -s "$TR/big.trace" ]; then
	tap ok "VM traces: $(stat -c %s "$TR/pingpong.trace") + $(stat -c %s "$TR/big.trace") bytes"
else
	tap fail "VM traces in $TR"
	finish
fi
read -r PA PB < <(sed -n 's/^pingpong: \([0-9]*\) \([0-9]*\).*/\1 \2/p' "$TR/pingpong.txt")
if [ -n "${PA:-}" ] && [ -n "${PB:-}" ]; then
	tap ok "ping-pong pids $PA $PB"
else
	tap fail "ping-pong pids: no 'pingpong: PID PID' line in $TR/pingpong.txt (ping-pong checks cannot run)"
fi
# gfp_flags as numbers, as the converters write them
"$GT" dump --gfp-hex "$TR/pingpong.trace" >"$OUT/pingpong.dump" 2>/dev/null
"$GT" dump --gfp-hex "$TR/big.trace" >"$OUT/big.dump" 2>/dev/null
echo "big trace: $(wc -l <"$OUT/big.dump") events; ping-pong pids ${PA:-?} ${PB:-?}" | diag

# ---- perfetto -----------------------------------------------------------------------
for t in pingpong big; do
	args=()
	[ "$t" != pingpong ] || [ -z "${PA:-}" ] ||
		args=(--pingpong "$PA,$PB" --dump "$OUT/pingpong.dump")
	if "$GT" convert --format=perfetto -o "$OUT/$t.json" "$TR/$t.trace" 2>"$OUT/$t.json.err" &&
	   python3 userspace/tests/check_perfetto.py "$OUT/$t.json" "${args[@]}" >"$OUT/$t.json.check" 2>&1; then
		diag <"$OUT/$t.json.check"
		tap ok "perfetto: $t: valid JSON, B/E balanced, tracks ordered, CPU slices disjoint${args:+, ping-pong runs as dump}"
	else
		cat "$OUT/$t.json.err" "$OUT/$t.json.check" 2>/dev/null | diag
		tap fail "perfetto: $t"
	fi
done
if "$GT" convert --format=perfetto --from 0.5 --to 1.5 --sample 10 --allocs \
	-o "$OUT/window.json" "$TR/big.trace" 2>/dev/null &&
   python3 userspace/tests/check_perfetto.py "$OUT/window.json" >"$OUT/window.check" 2>&1; then
	tap ok "perfetto: big, window 0.5-1.5 s, 1 in 10 allocations"
else
	diag <"$OUT/window.check"
	tap fail "perfetto: window"
fi

# ---- go tool trace ------------------------------------------------------------------
tasks_in_dump() {	# distinct pids mentioned by the events (not 0)
	grep -oE '(prev_pid|next_pid| pid|child_pid)=[0-9]+' "$1" | cut -d= -f2 |
		grep -v '^0$' | sort -u | wc -l
}
for t in pingpong big; do
	f=$OUT/$t.gotrace
	if ! "$GT" convert --format=go -o "$f" "$TR/$t.trace" 2>"$f.err"; then
		diag <"$f.err"
		tap fail "go: $t: convert"
		continue
	fi
	diag <"$f.err"
	for mode in sched sync; do
		if go tool trace -pprof=$mode "$f" >"$f.$mode.pprof" 2>"$f.$mode.err" &&
		   [ -s "$f.$mode.pprof" ]; then
			tap ok "go: $t: go tool trace -pprof=$mode accepts it ($(stat -c %s "$f.$mode.pprof") bytes of profile)"
		else
			diag <"$f.$mode.err"
			tap fail "go: $t: go tool trace -pprof=$mode"
		fi
	done
	if userspace/tests/check_go_ui.sh "$f" >"$f.ui" 2>&1; then
		diag <"$f.ui"
		tap ok "go: $t: go tool trace's web UI serves it (viewer JSON, goroutines, profiles)"
	else
		diag <"$f.ui"
		tap fail "go: $t: go tool trace's web UI"
	fi
	go tool trace -d "$f" >"$f.d" 2>"$f.d.err"
	evs=$(wc -l <"$f.d")
	gs=$(awk '$2 == "GoCreate" { for (i = 3; i <= NF; i++) if ($i ~ /^g=/) g = $i; seen[g] = 1 }
		  END { print length(seen) }' "$f.d")
	want=$(tasks_in_dump "$OUT/$t.dump")
	echo "$t: go tool trace -d: $evs events, $gs goroutines; dump: $want tasks" | diag
	if [ "$gs" -eq "$want" ] && [ "$gs" -gt 0 ]; then
		tap ok "go: $t: $gs goroutines = $want tasks in the trace"
	else
		tail -n 5 "$f.d.err" | diag
		tap fail "go: $t: $gs goroutines, $want tasks"
	fi
	if [ "$t" = big ]; then
		in=$(wc -l <"$OUT/big.dump")
		if [ "$in" -ge 20000 ] && [ "$evs" -ge 10000 ]; then
			tap ok "go: big: a trace of $in events, $evs Go events"
		else
			tap fail "go: big: only $in trace events, $evs Go events"
		fi
	fi
done

# ---- pprof, folded stacks ----------------------------------------------------------------
for t in pingpong big; do
	f=$OUT/$t.pb.gz
	"$GT" stats --json "$TR/$t.trace" >"$OUT/$t.stats.json" 2>/dev/null
	if ! "$GT" convert --format=pprof -o "$f" "$TR/$t.trace" 2>"$f.err" ||
	   ! go tool pprof -raw "$f" >"$f.raw" 2>>"$f.err"; then
		diag <"$f.err"
		tap fail "pprof: $t: convert, go tool pprof -raw"
		continue
	fi
	# sums of the samples' values (outstanding pages, bytes, pages, allocs)
	read -r sop sob sap sal < <(awk '/^Samples:/ { s = 1; getline; next }
		/^Locations/ { s = 0 } s && /^ *[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+:/ {
		a += $1; b += $2; c += $3; d += $4 } END { print a + 0, b + 0, c + 0, d + 0 }' "$f.raw")
	want=$(python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
print(s["outstanding"]["pages"], s["outstanding"]["pages"] * s["trace"]["page_size"],
      s["pages"]["alloc_pages"], s["pages"]["allocs"])' "$OUT/$t.stats.json" 2>&1)
	echo "$t: pprof sums $sop $sob $sap $sal; stats $want" | diag
	if [ "$sop $sob $sap $sal" = "$want" ]; then
		tap ok "pprof: $t: samples sum to stats' outstanding pages/bytes, allocated pages, allocations"
	else
		tap fail "pprof: $t: samples $sop $sob $sap $sal, stats $want"
	fi
	fs=$("$GT" convert -q --format=folded --value=alloc_pages -o - "$TR/$t.trace" |
		awk '{ n += $NF } END { print n + 0 }')
	if [ "$fs" = "$sap" ]; then
		tap ok "folded: $t: $fs allocated pages, as pprof and stats"
	else
		tap fail "folded: $t: $fs allocated pages, pprof $sap"
	fi
done
# the ping-pong was recorded with --stacks: its tasks' faults, by name
if go tool pprof -top -sample_index=alloc_pages -tagfocus=comm=pingpong \
	"$OUT/pingpong.pb.gz" >"$OUT/pingpong.pprof.top" 2>&1 &&
   grep -qE ' handle_mm_fault$' "$OUT/pingpong.pprof.top" &&
   grep -qE ' __alloc_pages$' "$OUT/pingpong.pprof.top"; then
	grep -E ' (handle_mm_fault|do_user_addr_fault|__alloc_pages)$' "$OUT/pingpong.pprof.top" | diag
	tap ok "pprof: pingpong: go tool pprof -top shows the tasks' page faults (handle_mm_fault)"
else
	head -n 30 "$OUT/pingpong.pprof.top" | diag
	tap fail "pprof: pingpong: no handle_mm_fault in go tool pprof -top"
fi

# ---- Perfetto's protobuf trace ---------------------------------------------------------------
for t in pingpong big; do
	f=$OUT/$t.pftrace
	rel=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["trace"]["release"])' \
		"$OUT/$t.stats.json" 2>/dev/null)
	lost=()
	[ "$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["trace"]["lost"])' \
		"$OUT/$t.stats.json" 2>/dev/null)" != 0 ] || lost=(--lost-cpus 0)
	if "$GT" convert --format=perfetto-proto -o "$f" "$TR/$t.trace" 2>"$f.err" &&
	   python3 userspace/tests/check_perfetto_proto.py "$f" "$OUT/$t.dump" \
		userspace/tests --release "$rel" "${lost[@]}" >"$f.check" 2>&1; then
		diag <"$f.check"
		tap ok "perfetto-proto: $t: protoc decodes it; events and fields are dump's; release $rel"
	else
		cat "$f.err" "$f.check" 2>/dev/null | diag
		tap fail "perfetto-proto: $t"
	fi
done
echo "perfetto-proto: Perfetto's trace_processor is not packaged by Debian: not run" | diag

# ---- HTML report in headless Chromium -------------------------------------------------
check_report() {	# NAME TRACE: report, Chromium, screenshot, totals
	local name=$1 trace=$2 html=$OUT/report-$1.html png=$OUT/report-$1.png
	local prof st
	if "$GT" report -o "$html" "$trace" 2>"$OUT/report-$name.err"; then
		tap ok "report: $name: written ($(stat -c %s "$html") bytes)"
	else
		diag <"$OUT/report-$name.err"
		tap fail "report: $name: gotrace report"
		return
	fi
	if grep -Eiq '(src|href)=.?(https?:)?//|@import|url\(' "$html"; then
		tap fail "report: $name: self-contained (found a network reference)"
	else
		tap ok "report: $name: self-contained (no network references)"
	fi
	prof=$(mktemp -d)
	chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic
		--no-first-run --disable-background-networking
		--disable-component-update --disable-sync --user-data-dir="$prof"
		--enable-logging=stderr --v=0 --window-size=1280,4200
		--virtual-time-budget=5000)
	timeout 120 "${chrome[@]}" --dump-dom "file://$html" >"$OUT/report-$name.dom" \
		2>"$OUT/report-$name.chromium.log"
	timeout 120 "${chrome[@]}" --screenshot="$png" "file://$html" \
		>/dev/null 2>>"$OUT/report-$name.chromium.log"
	rm -rf "$prof"
	# the report logs nothing: any console message is an error
	if grep -q 'CONSOLE' "$OUT/report-$name.chromium.log"; then
		grep 'CONSOLE' "$OUT/report-$name.chromium.log" | head -n 10 | diag
		tap fail "report: $name: console messages in Chromium"
	else
		tap ok "report: $name: no console errors in Chromium"
	fi
	st=$(sed -n 's/.*id="selfcheck"[^>]*data-status="\([a-z]*\)".*/\1/p' "$OUT/report-$name.dom" | head -n1)
	if [ "$st" = ok ]; then
		tap ok "report: $name: rendered, its self-check passed"
	else
		grep -o 'id="selfcheck"[^<]*' "$OUT/report-$name.dom" | head -n3 | diag
		tap fail "report: $name: self-check '${st:-missing}'"
	fi
	if [ -s "$png" ]; then
		tap ok "report: $name: screenshot $png"
	else
		tap fail "report: $name: screenshot"
	fi
	"$GT" stats --json "$trace" >"$OUT/stats-$name.json" 2>/dev/null
	if python3 - "$OUT/report-$name.dom" "$OUT/stats-$name.json" >"$OUT/totals-$name.check" 2>&1 <<'EOF2'
import html, json, re, sys
dom = open(sys.argv[1]).read()
st = json.load(open(sys.argv[2]))
m = re.search(r'id="totals"[^>]*data-totals="([^"]*)"', dom)
if not m:
    print("no rendered totals in the DOM"); sys.exit(1)
got = json.loads(html.unescape(m.group(1)))
want = {
    "events": st["trace"]["events"], "lost": st["trace"]["lost"],
    "allocs": st["pages"]["allocs"], "alloc_pages": st["pages"]["alloc_pages"],
    "frees": st["pages"]["frees"], "free_pages": st["pages"]["free_pages"],
    "outstanding_pages": st["outstanding"]["pages"],
    "switches": st["sched"]["switches"], "wakeups": st["sched"]["wakeups"],
    "migrations": st["sched"]["migrations"],
}
bad = [k for k in want if got.get(k) != want[k]]
print("report %s" % got)
print("stats  %s" % want)
sys.exit(1 if bad else 0)
EOF2
	then
		diag <"$OUT/totals-$name.check"
		tap ok "report: $name: totals equal stats --json"
	else
		diag <"$OUT/totals-$name.check"
		tap fail "report: $name: totals differ from stats --json"
	fi
}
if "$GT" help 2>/dev/null | grep -q '^  report'; then
	check_report big "$TR/big.trace"
	check_report pingpong "$TR/pingpong.trace"
	# the ping-pong was recorded with --stacks: symbolised frames in the table
	if grep -q '__alloc_pages\|alloc_pages' "$OUT/report-pingpong.dom"; then
		tap ok "report: pingpong: allocating stacks symbolised"
	else
		tap fail "report: pingpong: no symbolised stacks"
	fi
else
	tap fail "report: no 'gotrace report' command"
fi
finish
