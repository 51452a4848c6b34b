#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the `make bench` VM as the first process after switch_root (see
# selftests/vm/bench-init), with the host's userland read-only under a tmpfs
# overlay.  Reads /bench-out/config (written by scripts/bench.sh), runs every
# (workload, tracer) pair REPS times, interleaved (the order of the tracers
# rotates with the repetition), and writes /bench-out/runs.csv, the traces of
# the last repetition (/bench-out/traces/, for decoding on the host),
# /bench-out/gtbench.txt, /bench-out/rbb.txt (ring_buffer_benchmark, when
# bench.sh built it) and /bench-out/guest.log.  Powers the VM off.
# With ICOUNT=1 the VM runs under bench/icount-plugin.so: each measured
# workload run is named in /bench-out/icount-label before it starts, and
# /bench-out/icount-map names the functions whose instructions the plugin
# counts apart (gotrace.ko's); the plugin writes /bench-out/icount.txt.
set -u
OUT=/bench-out
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
exec >>"$OUT/guest.log" 2>&1
say() { echo "GOTRACE-BENCH: $*"; echo "GOTRACE-BENCH: $*" >/dev/ttyS1; }
poweroff_now() {
	sync
	echo 1 >/proc/sys/kernel/sysrq
	echo o >/proc/sysrq-trigger
	sleep 30
}
trap poweroff_now EXIT

. "$OUT/config"
# A private tmpfs on /tmp, but the tree may live under the host's /tmp (a CI
# clone): keep the host directories that BIN and MODROOT are in visible.
mkdir -p /mnt/host-tmp
mount --bind /tmp /mnt/host-tmp
mount -t tmpfs -o size=75% tmpfs /tmp
for p in "$BIN" "$MODROOT"; do
	case "$p" in
	/tmp/?*)
		top=${p#/tmp/}
		top=${top%%/*}
		[ -d "/tmp/$top" ] && continue
		mkdir -p "/tmp/$top"
		mount --bind "/mnt/host-tmp/$top" "/tmp/$top"
		;;
	esac
done
mount -t tmpfs tmpfs /run
mkdir -p /root /run/lock /var/tmp
mount -t tmpfs tmpfs /var/tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# The guest kernel's modules (with LTTng's) over /lib/modules/<release>.
KVER=$(uname -r)
if [ -d "$MODROOT/lib/modules/$KVER" ]; then
	mkdir -p "/lib/modules/$KVER"
	mount --bind "$MODROOT/lib/modules/$KVER" "/lib/modules/$KVER"
fi
say "guest up: $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
# No address-space randomization: where mmap() places the mix workload's
# 16 pages decides whether munmap() frees their page-table page and the
# next round allocates it again (one more page, and its zeroing, per
# round: 16 M instructions in one untraced window of three, runs K and M).
# Fixed addresses make every repetition take the same paths.
echo 0 >/proc/sys/kernel/randomize_va_space

insmod "$BIN/gotrace.ko" || say "insmod gotrace.ko failed"

# icount_label NAME: the plugin's name for the next marked phase.
icount_label() {
	[ "${ICOUNT:-}" = 1 ] || return 0
	echo "$1" >"$OUT/icount-label"
}
# ic_begin NAME ... ic_end: a phase of this script (a tracer's start, its
# stop, a snapshot) counted apart; icmark's own exec is in it.
ic_begin() {
	[ "${ICOUNT:-}" = 1 ] || return 0
	icount_label "$1"
	$ICMARK --start
}
ic_end() {
	[ "${ICOUNT:-}" = 1 ] || return 0
	$ICMARK --stop
}
# The functions counted apart: gotrace's, as module:function, from
# $OUT/icount-functions (section, offset, size, name: objdump -t of
# gotrace.ko, written by bench.sh) and the module's section addresses.
# (Reading /proc/kallsyms would take minutes under TCG.)
icount_map() {
	[ "${ICOUNT:-}" = 1 ] || return 0
	local sec off size name base
	local -A bases
	while read -r sec off size name; do
		if [ -z "${bases[$sec]:-}" ]; then
			bases[$sec]=$(cat "/sys/module/gotrace/sections/$sec" 2>/dev/null) || bases[$sec]=none
		fi
		base=${bases[$sec]}
		[ "$base" != none ] || continue
		printf '%x %x gotrace:%s\n' $((base + 0x$off)) $((base + 0x$off + 0x$size)) "$name"
	done <"$OUT/icount-functions" >"$OUT/icount-map.tmp"
	mv "$OUT/icount-map.tmp" "$OUT/icount-map"
}
GT=$BIN/gotrace
WL=$BIN/wl
ICMARK=
[ "${ICOUNT:-}" != 1 ] || ICMARK=$BIN/icmark

FT_EVENTS=()
# The events of gotrace's sched and page groups (the uapi schema's rows).
for e in sched_switch sched_waking sched_wakeup sched_wakeup_new sched_process_fork \
	 sched_process_exit sched_process_exec sched_migrate_task; do
	FT_EVENTS+=(-e "sched:$e")
done
for e in mm_page_alloc mm_page_free mm_page_free_batched mm_page_pcpu_drain \
	 mm_page_alloc_extfrag; do
	FT_EVENTS+=(-e "kmem:$e")
done
PERF_EVENTS=$(printf '%s,' "${FT_EVENTS[@]}" | sed 's/-e,//g; s/,$//')
GT_STACK_EVENTS=sched_switch,sched_waking,sched_wakeup,sched_wakeup_new,sched_process_fork,sched_process_exit
GT_STACK_EVENTS+=,sched_process_exec,sched_migrate_task,mm_page_alloc,mm_page_free
GT_STACK_EVENTS+=,mm_page_free_batched,mm_page_pcpu_drain,mm_page_alloc_extfrag
LT_EVENTS=sched_switch,sched_waking,sched_wakeup,sched_wakeup_new,sched_process_fork,sched_process_exit
LT_EVENTS+=,sched_process_exec,sched_migrate_task,kmem_mm_page_alloc,kmem_mm_page_free
LT_EVENTS+=,kmem_mm_page_free_batched,kmem_mm_page_pcpu_drain,kmem_mm_page_alloc_extfrag

# ---- which tracers work here --------------------------------------------------
have_lttng=
case " $TRACERS " in *" lttng "*|*" lttng-snap "*)
	if modprobe lttng-tracer 2>/dev/null &&
	   lttng-sessiond --daemonize --kmod-probes=sched,kmem >/tmp/sessiond.log 2>&1; then
		sleep 1
		if lttng list -k 2>/dev/null | grep -q 'kmem_mm_page_alloc '; then
			have_lttng=1
		else
			say "lttng: kernel events not listed"; lttng list -k 2>&1 | head -5
		fi
	else
		say "lttng: modules or sessiond failed"; cat /tmp/sessiond.log
	fi
	[ -n "$have_lttng" ] || echo "lttng unavailable: $(modprobe lttng-tracer 2>&1 | head -1)" >"$OUT/lttng-unavailable"
	;;
esac
icount_map
[ "${ICOUNT:-}" != 1 ] || say "icount map: $(wc -l <"$OUT/icount-map") functions"

# CPU_NOW: CPU seconds (user+sys, in ms) of the children this shell reaped
# so far.  No fork: `times` of a subshell would not see them.
cpu_now() {
	local l1 l2 u s
	times >/tmp/times.txt
	{ read -r l1; read -r u s; } </tmp/times.txt
	CPU_NOW=$(( $(ms "$u") + $(ms "$s") ))
}
ms() {	# 1m2.345s -> 62345 (builtins only; the $(...) subshell reaps nothing)
	local m=${1%%m*} r=${1#*m}
	r=${r%s}
	local sec=${r%.*} frac=${r#*.}
	frac=${frac}000; frac=${frac:0:3}
	echo $(( (10#$m * 60 + 10#$sec) * 1000 + 10#$frac ))
}
# SCHED_NS: the CPU time in ns the threads of the processes PID... ran so
# far: the first field of /proc/PID/task/*/schedstat, sum_exec_runtime, which
# the scheduler keeps exact where utime and stime are sampled by ticks (4 ms
# here; under -icount shift=0 a guest ns is one instruction, so this is the
# instructions the tracer's own tasks ran).  Builtins only: no fork.
sched_ns() {
	local p f v n=0
	for p in "$@"; do
		for f in /proc/"$p"/task/*/schedstat; do
			{ read -r v _ <"$f"; } 2>/dev/null || continue
			n=$((n + v))
		done
	done
	SCHED_NS=$n
}
# TASKS_NS: every thread's sum_exec_runtime so far, "tid ns" per line
# (builtins only), so that work in a window that is neither the workload's
# nor the tracer's can be named: window_tasks compares two of them.
tasks_ns() {
	local f v t
	TASKS_NS=
	for f in /proc/[0-9]*/task/[0-9]*/schedstat; do
		{ read -r v _ <"$f"; } 2>/dev/null || continue
		t=${f%/schedstat}
		TASKS_NS+="${t##*/} $v"$'\n'
	done
}
# window_tasks LABEL BEFORE: the threads that ran at least 1 ms (1 M
# instructions under -icount) between BEFORE (a TASKS_NS) and now, and the
# /proc/vmstat counters that moved, appended to $OUT/window-tasks.txt.
window_tasks() {
	local label=$1 before=$2 tid v comm k n l lines
	local -A ns0
	while read -r tid v; do [ -n "$tid" ] && ns0[$tid]=$v; done <<<"$before"
	tasks_ns
	{
		echo "== $label"
		while read -r tid v; do
			[ -n "$tid" ] || continue
			n=$((v - ${ns0[$tid]:-0}))
			[ "$n" -ge 1000000 ] || continue
			{ read -r comm <"/proc/$tid/comm"; } 2>/dev/null || comm=?
			echo "task $tid $comm $n"
		done <<<"$TASKS_NS"
		mapfile -t lines </proc/vmstat
		for l in "${lines[@]}"; do
			k=${l%% *} v=${l##* }
			[ -n "$k" ] || continue
			n=$((v - ${VMSTAT0[$k]:-0}))
			[ "$n" = 0 ] || echo "vmstat $k $n"
		done
		softirqs
		for k in "${!SOFTIRQ[@]}"; do
			n=$((SOFTIRQ[$k] - ${SOFTIRQ0[$k]:-0}))
			[ "$n" = 0 ] || echo "softirq $k $n"
		done
	} >>"$OUT/window-tasks.txt"
}
# VMSTAT0, SOFTIRQ0: /proc/vmstat and the softirqs of all CPUs before a window.
declare -A VMSTAT0 SOFTIRQ SOFTIRQ0
# /proc files are read whole (mapfile): read's line-at-a-time lseek back
# into a seq_file regenerates it, with counters that moved meanwhile, and
# can split a line.
softirqs() {
	local k v n l lines
	SOFTIRQ=()
	mapfile -t lines </proc/softirqs
	for l in "${lines[@]}"; do
		read -r k v <<<"$l"
		[ -n "$k" ] && [ "${k%:}" != "$k" ] || continue
		n=0
		for v in $v; do n=$((n + v)); done
		SOFTIRQ[${k%:}]=$n
	done
}
vmstat_mark() {
	local k v l lines
	mapfile -t lines </proc/vmstat
	for l in "${lines[@]}"; do
		k=${l%% *} v=${l##* }
		[ -z "$k" ] || VMSTAT0[$k]=$v
	done
	softirqs
	SOFTIRQ0=()
	for k in "${!SOFTIRQ[@]}"; do SOFTIRQ0[$k]=${SOFTIRQ[$k]}; done
}
# CPU seconds used so far by processes named $1 (from /proc, in ticks).
proc_cpu() {
	local tck
	tck=$(getconf CLK_TCK)
	for p in $(pgrep -x "$1"); do
		cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null
	done | awk -v t="$tck" '{ s += $1 + $2 } END { printf "%.3f", s / t }'
}

# An ftrace snapshot into FILE: the snapshot taken (`trace-cmd snapshot -s`:
# the spare buffer swapped in, tracing goes on), then its pages copied out
# of per_cpu/cpuN/snapshot_raw until empty (O_NONBLOCK: EAGAIN ends each
# CPU), the binary pages trace-cmd stores, without its file header.
# (`trace-cmd extract -s` of trace-cmd 3.1.6 does not end: 96 s of CPU
# here until killed.)
ftrace_snap_save() {
	local T=/sys/kernel/tracing f
	trace-cmd snapshot -s || return 1
	: >"$1"
	for f in "$T"/per_cpu/cpu*/snapshot_raw; do
		dd if="$f" bs=4096 iflag=nonblock status=none >>"$1" 2>/dev/null
	done
	[ -s "$1" ]
}

# WRITTEN: the events TRACER's probes wrote so far (gotrace's status,
# ftrace's per-CPU entries + overrun + read; builtins only for ftrace),
# empty for the others.  Before and after the workload: the events of its
# window, which the events of a tracer's start and stop (the script's
# polling, the tracer's own exec) do not move.
written_so_far() {
	local f l n=0
	WRITTEN=
	case $1 in
	gotrace*)
		WRITTEN=$($GT status 2>/dev/null | awk '$1 == "events:" { print $2 }') ;;
	ftrace*)
		for f in /sys/kernel/tracing/per_cpu/cpu*/stats; do
			while IFS= read -r l; do
				case $l in
				"entries: "*|"overrun: "*|"read events: "*) n=$((n + ${l##* })) ;;
				esac
			done <"$f"
		done
		WRITTEN=$n ;;
	esac
}

# After trace-cmd start: events off, the snapshot buffer freed, the ring
# buffer emptied (trace-cmd reset would also change its size).
ftrace_snap_off() {
	local T=/sys/kernel/tracing
	echo 0 >"$T/tracing_on"
	echo 0 >"$T/events/enable"
	echo 0 >"$T/snapshot"
	: >"$T/trace"
	echo 1 >"$T/tracing_on"
}

wl_args() {
	case $1 in
	pipe) echo "pipe $N_PIPE" ;;
	page) echo "page $N_PAGE" ;;
	mix) echo "mix $N_MIX" ;;
	esac
}

# run_one TABLE REP WORKLOAD TRACER: one measured run, one CSV line.
run_one() {
	local table=$1 rep=$2 wl=$3 tr=$4 d=/tmp/run pid= ev= lost= bytes= raw= line
	local c0 c1 c2 pc0 pc1 ok=1 stacks= how= snap t0 snap_secs= snap_bytes= snap_cpu=
	# The tracer's own CPU (ns): its persisting tasks' inside the window
	# (persist_window_ns) and all its processes' from its start to the
	# end of its stop (tracer_cpu_ns): gotrace record, trace-cmd record
	# with its recorders, perf record as reaped children; for LTTng the
	# `lttng` commands (reaped) plus sessiond's and consumerd's time.
	local persist=() daemons=() dmn0=0 clients=0 ca cb win_ns= life_ns=
	rm -rf "$d"; mkdir -p "$d"
	sync
	# Each run starts from the same free memory: the previous run's
	# freed pages compacted, so that the page workload's allocations
	# take the same paths every time (SETTLE=0: not).
	[ "${SETTLE:-1}" = 0 ] || echo 1 >/proc/sys/vm/compact_memory
	case $tr in *-stacks) stacks=1 ;; esac
	# the persisting path alone: unpacked, by splice or by read()
	case $tr in
	gotrace-raw) how=--no-pack ;;
	gotrace-read) how="--no-pack --no-splice" ;;
	esac
	ic_begin "setup/$table/$rep/$wl/$tr"
	case $tr in
	none) ;;
	gotrace-flight)
		# The flight recorder: the same size per CPU as record's default
		# buffer, nothing reads while the workload runs.
		$GT start --flight "${FLIGHT_SIZE:-4M}" -e sched,page 2>"$d/rec.err" || ok=
		;;
	gotrace*)
		$GT record -o "$d/trace.gt" -e sched,page ${stacks:+--stacks=$GT_STACK_EVENTS} $how 2>"$d/rec.err" &
		pid=$!
		# tracing: the file may stay empty until the end (packing
		# happens after the trace)
		for i in $(seq 100); do
			$GT status 2>/dev/null | grep -q '^state: *tracing' && break
			sleep 0.1
		done
		;;
	ftrace-snap)
		# ftrace's flight recorder: the ring buffer in its default
		# overwrite mode, no reader; the snapshot's spare buffer is
		# allocated before the workload (the first write of 1 swaps
		# the near-empty buffer out), as a snapshot trigger would have it.
		trace-cmd start "${FT_EVENTS[@]}" >"$d/rec.err" 2>&1 || ok=
		echo 1 >/sys/kernel/tracing/snapshot || ok=
		;;
	ftrace*)
		trace-cmd record "${FT_EVENTS[@]}" ${stacks:+-T} -o "$d/trace.dat" >"$d/rec.err" 2>&1 &
		pid=$!
		for i in $(seq 200); do
			[ "$(cat /sys/kernel/tracing/events/kmem/mm_page_alloc/enable 2>/dev/null)" = 1 ] &&
			[ "$(cat /sys/kernel/tracing/tracing_on)" = 1 ] && break
			sleep 0.1
		done
		sleep 0.5	# the per-CPU recorders
		;;
	perf)
		mkfifo "$d/ctl" "$d/ack"
		exec 8<>"$d/ctl" 9<>"$d/ack"
		perf record -a -D -1 --control "fifo:$d/ctl,$d/ack" -e "$PERF_EVENTS" \
			-o "$d/perf.data" 2>"$d/rec.err" &
		pid=$!
		echo enable >&8
		read -r -t 300 -u 9 _ || say "perf: no ack"
		;;
	lttng*)
		[ -n "$have_lttng" ] || return 0
		# lttng-snap: a snapshot session (overwrite mode, the consumer
		# writes only on `lttng snapshot record`)
		snap=
		[ "$tr" = lttng-snap ] && snap=--snapshot
		daemons=($(pgrep -x lttng-sessiond) $(pgrep -x lttng-consumerd))
		sched_ns "${daemons[@]}"; dmn0=$SCHED_NS
		cpu_now; ca=$CPU_NOW
		lttng create bench $snap --output="$d/lttng" >/dev/null &&
		lttng enable-event -k "$LT_EVENTS" >/dev/null &&
		lttng start >/dev/null || { say "lttng: session setup failed"; ok=; }
		cpu_now; clients=$((CPU_NOW - ca))
		pc0=$(proc_cpu lttng-consumerd)
		# consumerd may have been spawned by this session
		daemons=($(pgrep -x lttng-sessiond) $(pgrep -x lttng-consumerd))
		persist=($(pgrep -x lttng-consumerd))
		;;
	esac
	ic_end
	case $tr in
	gotrace-flight) ;;
	gotrace*|perf) persist=("$pid") ;;
	ftrace-snap) ;;
	ftrace*) persist=("$pid" $(pgrep -P "$pid")) ;;
	esac
	written_so_far "$tr"; local w0=$WRITTEN w1
	cpu_now; c0=$CPU_NOW
	tasks_ns; local tasks0=$TASKS_NS
	vmstat_mark
	sched_ns "${persist[@]}"; win_ns=$SCHED_NS
	icount_label "$table/$rep/$wl/$tr"
	line=$($WL $(wl_args "$wl"))
	sched_ns "${persist[@]}"; win_ns=$((SCHED_NS - win_ns))
	window_tasks "$table/$rep/$wl/$tr" "$tasks0"
	[ ${#persist[@]} -gt 0 ] || win_ns=
	cpu_now; c1=$CPU_NOW
	written_so_far "$tr"; w1=$WRITTEN
	cpu_now; c1=$CPU_NOW
	case $tr in ftrace*)	# builtins only: nothing reaped before c2
		for f in /sys/kernel/tracing/per_cpu/cpu*/stats; do
			while IFS= read -r l; do echo "$l"; done <"$f"
		done >"$d/stats.txt" ;;
	esac
	# A flight recorder: its counters, then one snapshot of what it holds
	# (while it still records), measured apart from the workload.
	case $tr in gotrace-flight|ftrace-snap|lttng-snap)
		[ "$tr" != gotrace-flight ] || $GT status >"$d/status.txt" 2>&1
		cpu_now; snap_cpu=$CPU_NOW
		ic_begin "snap/$table/$rep/$wl/$tr"
		t0=$EPOCHREALTIME
		case $tr in
		gotrace-flight) timeout 120 $GT snapshot -q -o "$d/snap.gt" 2>"$d/snap.err" ;;
		ftrace-snap) ftrace_snap_save "$d/snap.dat" 2>"$d/snap.err" ;;
		lttng-snap) timeout 120 lttng snapshot record >"$d/snap.err" 2>&1 ;;
		esac || say "snapshot failed: $tr: $(tail -n 2 "$d/snap.err")"
		snap_secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.6f", b - a }')
		ic_end
		cpu_now; snap_cpu=$(awk -v a="$snap_cpu" -v b="$CPU_NOW" 'BEGIN { printf "%.3f", (b - a) / 1000 }')
		case $tr in
		gotrace-flight) snap_bytes=$(stat -c %s "$d/snap.gt" 2>/dev/null) ;;
		ftrace-snap) snap_bytes=$(stat -c %s "$d/snap.dat" 2>/dev/null) ;;
		lttng-snap) snap_bytes=$(du -sb "$d/lttng" 2>/dev/null | cut -f1) ;;
		esac
		cpu_now; c1=$CPU_NOW
		;;
	esac
	ic_begin "stop/$table/$rep/$wl/$tr"
	case $tr in
	none) ;;
	gotrace-flight)
		# stopped, the window is read out once to free it
		$GT stop 2>>"$d/rec.err" && timeout 120 cat /dev/gotrace >/dev/null
		;;
	ftrace-snap) ftrace_snap_off ;;
	gotrace*|ftrace*|perf)
		kill -INT "$pid"
		wait "$pid"
		;;
	lttng*)
		cpu_now; ca=$CPU_NOW
		lttng stop >"$d/stop.out" 2>&1
		cpu_now; cb=$CPU_NOW
		pc1=$(proc_cpu lttng-consumerd)
		lttng list bench -k >"$d/list.out" 2>&1
		cpu_now; ca=$((ca + CPU_NOW - cb))
		lttng destroy bench >/dev/null 2>&1
		cpu_now; clients=$((clients + CPU_NOW - ca))
		sched_ns "${daemons[@]}"
		life_ns=$((SCHED_NS - dmn0 + clients * 1000000))
		;;
	esac
	ic_end
	cpu_now; c2=$CPU_NOW
	case $tr in
	gotrace-flight|ftrace-snap|none|lttng*) ;;
	*) life_ns=$(((c2 - c1) * 1000000)) ;;	# reaped: its whole life
	esac
	exec 8>&- 9>&-
	local secs=${line#*secs=}; secs=${secs%% *}
	local ops=${line##*ops_per_s=}
	case $tr in
	gotrace-flight)
		# what the probes wrote while it ran (the window holds the last 4M)
		ev=$(awk '$1 == "events:" { print $2 }' "$d/status.txt")
		lost=$(awk '$1 == "lost:" { print $2 }' "$d/status.txt")
		bytes=$snap_bytes
		;;
	ftrace-snap)
		# written = still in the buffer + overwritten (not lost: no reader)
		ev=$(awk '/^entries:/ || /^overrun:/ { s += $NF } END { print s + 0 }' "$d/stats.txt")
		lost=$(awk '/^commit overrun:/ { s += $NF } /^dropped events:/ { s += $3 }
			END { print s + 0 }' "$d/stats.txt")
		bytes=$snap_bytes
		;;
	gotrace*)
		# gotrace: recorded N events (L lost) in S s, B bytes (...)
		l=$(grep 'recorded' "$d/rec.err" | tail -n1)
		ev=$(sed -n 's/.*recorded \([0-9]*\) events.*/\1/p' <<<"$l")
		lost=$(sed -n 's/.*events (\([0-9]*\) lost.*/\1/p' <<<"$l")
		bytes=$(stat -c %s "$d/trace.gt")
		# the stream as the device gave it, before packing
		raw=$(sed -n 's/.*packed from \([0-9]*\) bytes.*/\1/p' <<<"$l")
		;;
	ftrace*)
		# The ring buffer's own per-CPU counters, read before trace-cmd
		# stops (it resets them on exit and prints none of them):
		# events = read + still in the buffer.
		ev=$(awk '/^read events:/ || /^entries:/ { s += $NF } END { print s + 0 }' "$d/stats.txt")
		lost=$(awk '/^overrun:/ || /^commit overrun:/ { s += $NF } /^dropped events:/ { s += $3 }
			END { print s + 0 }' "$d/stats.txt")
		bytes=$(du -sb "$d/trace.dat" | cut -f1)
		# trace-cmd 3 compresses the file; what it would be without:
		raw=$(awk '/uncompressed\)/ { gsub(/\(/, ""); s += $(NF - 1) } END { print s + 0 }' "$d/rec.err")
		;;
	perf)
		ev=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$d/rec.err" | tail -n1)
		lost=$(sed -n 's/.*lost \([0-9]*\) chunks.*/\1 chunks/p' "$d/rec.err" | tail -n1)
		: "${lost:=0}"
		bytes=$(stat -c %s "$d/perf.data")
		;;
	lttng*)
		lost=$(awk '/[Dd]iscarded events:/ { s += $NF } END { print s + 0 }' "$d/list.out")
		l=$(sed -n 's/.*Warning: \([0-9]*\) events were discarded.*/\1/p' "$d/stop.out" | head -n1)
		[ -z "$l" ] || lost=$l
		bytes=$(du -sb "$d/lttng" | cut -f1)
		;;
	esac
	local pcpu
	case $tr in
	lttng) pcpu=$(awk -v a="$pc0" -v b="$pc1" 'BEGIN { printf "%.3f", b - a }') ;;
	none|gotrace-flight|ftrace-snap|lttng-snap) pcpu= ;;
	*) pcpu=$(awk -v a="$c1" -v b="$c2" 'BEGIN { printf "%.3f", (b - a) / 1000 }') ;;
	esac
	[ -n "$secs" ] && [ -n "$ok" ] || { say "run failed: $table $wl $tr: $line"; tail -n 5 "$d/rec.err" 2>/dev/null; }
	local wev=
	[ -z "$w0" ] || [ -z "$w1" ] || wev=$((w1 - w0))
	echo "$table,$rep,$wl,$tr,$secs,$ops,${ev:-},${lost:-},${bytes:-},$pcpu,${raw:-$bytes},$wev,${win_ns:-},${life_ns:-}" >>"$OUT/runs.csv"
	say "$table rep=$rep $wl $tr: ${secs}s ev=${ev:-?} lost=${lost:-?} bytes=${bytes:-?} cpu=${pcpu:-} window_ns=${win_ns:-} tracer_ns=${life_ns:-}"
	[ -z "$snap_secs" ] ||
		echo "$table,$rep,$wl,$tr,$snap_secs,$snap_cpu,${snap_bytes:-}" >>"$OUT/snaps.csv"
	if [ "$rep" = "$REPS" ] && [ "$tr" != none ] && [ "$table" = main ]; then
		mkdir -p "$OUT/traces"
		case $tr in
		gotrace) cp "$d/trace.gt" "$OUT/traces/$wl.gotrace.trace" ;;
		ftrace) cp "$d/trace.dat" "$OUT/traces/$wl.ftrace.dat" ;;
		perf) cp "$d/perf.data" "$OUT/traces/$wl.perf.data" ;;
		lttng) cp -r "$d/lttng" "$OUT/traces/$wl.lttng" ;;
		esac
		cp "$d/rec.err" "$OUT/traces/$wl.$tr.rec.txt" 2>/dev/null
		cp "$d/stats.txt" "$OUT/traces/$wl.$tr.stats.txt" 2>/dev/null
		cp "$d/stop.out" "$OUT/traces/$wl.$tr.stop.txt" 2>/dev/null
		cp "$d/list.out" "$OUT/traces/$wl.$tr.list.txt" 2>/dev/null
	fi
	rm -rf "$d"
}

declare -A sized
rotate() {	# N words...: the words rotated left by N
	local n=$1; shift
	local a=("$@") k=${#a[@]} i
	for ((i = 0; i < k; i++)); do printf '%s ' "${a[(i + n) % k]}"; done
}

echo "table,rep,workload,tracer,secs,ops_per_s,events,lost,bytes,persist_cpu_s,uncompressed_bytes,window_events,persist_window_ns,tracer_cpu_ns" >"$OUT/runs.csv"
echo "table,rep,workload,tracer,secs,cpu_s,bytes" >"$OUT/snaps.csv"
# Each tracer once, untimed: the first start of a tracer reads its binary,
# libraries and the modules tree over 9p (the first `perf record -a` took
# over a minute under TCG), which no measured run should pay.
for tr in $TRACERS; do
	say "warm-up: $tr"
	mkdir -p /tmp/warm
	case $tr in
	gotrace-flight) $GT start --flight 1M -e sched,page && sleep 0.2 &&
		$GT snapshot -q -o /tmp/warm/s && $GT stop && timeout 60 cat /dev/gotrace >/dev/null ;;
	gotrace*) $GT record -o /tmp/warm/t -e sched,page -- sleep 0.2 ;;
	ftrace-snap) trace-cmd start "${FT_EVENTS[@]}" && sleep 0.2 &&
		ftrace_snap_save /tmp/warm/snap.dat; ftrace_snap_off ;;
	ftrace) trace-cmd record "${FT_EVENTS[@]}" -o /tmp/warm/t sleep 0.2 ;;
	perf) perf record -a -e "$PERF_EVENTS" -o /tmp/warm/t -- sleep 0.2 ;;
	lttng*)	[ -z "$have_lttng" ] || { lttng create warm --output=/tmp/warm/l &&
		lttng enable-event -k "$LT_EVENTS" && lttng start && sleep 0.2 &&
		lttng stop && lttng destroy warm; } ;;
	esac >>/tmp/warm.log 2>&1 || say "warm-up of $tr failed: $(tail -n 3 /tmp/warm.log)"
	rm -rf /tmp/warm
done
rm -f /tmp/warm.log
# Warm-up (page cache, first exec over 9p) and, with TARGET_SECS, sizing:
# each workload gets the amount of work that takes about TARGET_SECS without
# tracing here, so that the run fits its time budget on a slower or faster
# machine; that amount is then fixed for every tracer and repetition.
for wl in $WORKLOADS $STACK_WORKLOADS; do
	icount_label "warmup/$wl"
	line=$($WL $(wl_args "$wl"))
	secs=${line#*secs=}; secs=${secs%% *}
	if [ -n "${TARGET_SECS:-}" ] && [ -z "${sized[$wl]:-}" ]; then
		var=N_$(tr a-z A-Z <<<"$wl")
		n=$(awk -v n="${!var}" -v s="$secs" -v t="$TARGET_SECS" 'BEGIN {
			m = int(n * t / (s > 0.001 ? s : 0.001)); print (m > n ? m : n) }')
		printf -v "$var" %s "$n"
		sized[$wl]=1
	fi
done
echo "N_PIPE=$N_PIPE N_PAGE=$N_PAGE N_MIX=$N_MIX" >"$OUT/sizes.txt"
say "sizes: $(cat "$OUT/sizes.txt"); /tmp: $(df -k /tmp | awk 'NR == 2 { print $3 " kB used" }')"
for rep in $(seq "$REPS"); do
	for wl in $WORKLOADS; do
		for tr in $(rotate "$rep" $TRACERS); do run_one main "$rep" "$wl" "$tr"; done
	done
	for wl in $STACK_WORKLOADS; do
		for tr in $(rotate "$rep" $STACK_TRACERS); do run_one stacks "$rep" "$wl" "$tr"; done
	done
done

# The write path alone: GOTRACE_IOC_BENCH (`gotrace bench`), and the same
# for the ftrace ring buffer: the kernel's ring_buffer_benchmark (built
# from linux-source by scripts/build-rbb.sh, when it could be).  Its
# producer kthread writes 10-byte entries into a private 1 MB-per-CPU
# overwrite-mode ring buffer for RUN_TIME (10 s), prints its figures with
# trace_printk into the top-level ftrace buffer, then sleeps 10 s before
# the next round: the figures are read back as soon as they are complete,
# and the module is unloaded (kthread_stop ends the sleep).  Each run is
# one block of /bench-out/rbb.txt: "== mode=... run=N params: ..." and its
# trace lines.  Its runs without the reader (one writer, nothing reading,
# as `gotrace bench`) alternate with gotrace's, so that both see the same
# host load; RBB_READER_RUNS runs with its reader follow.
rbb_run() {	# MODE (noreader|reader) RUN
	local mode=$1 run=$2 T=/sys/kernel/tracing args i got=
	args="write_iteration=50 producer_nice=0 consumer_nice=0"
	case $mode in
	noreader) args+=" disable_reader=1" ;;
	reader) args+=" disable_reader=0" ;;
	esac
	echo 0 >"$T/events/enable"
	echo 1 >"$T/tracing_on"
	: >"$T/trace"
	insmod "$RBB_KO" $args || { say "rbb: insmod failed ($mode)"; return 1; }
	for i in $(seq 120); do
		sleep 1
		grep -q -e 'Sleeping for' -e 'ERROR!' "$T/trace" && { got=1; break; }
	done
	{
		echo "== mode=$mode run=$run params: $args"
		grep -v '^#' "$T/trace"
	} >>"$OUT/rbb.txt"
	rmmod ring_buffer_benchmark || say "rbb: rmmod failed"
	if [ -z "$got" ]; then say "rbb: no result after 120 s ($mode)"; return 1; fi
	say "rbb $mode run=$run: $(grep -m1 -o '[0-9]* ns per entry' "$T/trace")"
}
gtb_ok=1 rbb_ok=${RBB_KO:+1} run=0
: >"$OUT/gtbench.txt"
for i in $(seq "$GTBENCH_REPS"); do
	if [ -n "$gtb_ok" ]; then
		icount_label "gtbench/$i/plain/$GTBENCH_EVENTS"
		$ICMARK "$GT" bench --json --count "$GTBENCH_EVENTS" >>"$OUT/gtbench.txt" 2>&1 &&
		icount_label "gtbench/$i/stacks/$GTBENCH_EVENTS" &&
		$ICMARK "$GT" bench --json --stacks --count "$GTBENCH_EVENTS" >>"$OUT/gtbench.txt" 2>&1 ||
			gtb_ok=
	fi
	if [ -n "$rbb_ok" ]; then
		run=$((run + 1))
		rbb_run noreader "$run" || rbb_ok=
	fi
done
for i in $(seq "${RBB_READER_RUNS:-0}"); do
	[ -n "$rbb_ok" ] || break
	run=$((run + 1))
	rbb_run reader "$run" || rbb_ok=
done
: >/sys/kernel/tracing/trace
cat /proc/cpuinfo | grep -m1 'model name' >"$OUT/guest-info.txt"
echo "kernel $(uname -r) cpus $(nproc) mem_kb $(awk '/MemTotal/ { print $2 }' /proc/meminfo)" >>"$OUT/guest-info.txt"
trace-cmd version 2>/dev/null | head -n3 | grep -i version >>"$OUT/guest-info.txt"
perf version >>"$OUT/guest-info.txt" 2>&1
lttng --version >>"$OUT/guest-info.txt" 2>&1
rmmod gotrace
dmesg | grep -E 'BUG:|WARNING:|Oops|lockup' >"$OUT/dmesg-bad.txt"
# Every run has its row: a script error that left the loops early must not
# pass for a complete benchmark.
# (no LTTng here: its runs have none, lttng-unavailable says why)
set -- $WORKLOADS; nw=$#; nt=0
for tr in $TRACERS; do
	case $tr in lttng*) [ -n "$have_lttng" ] || continue ;; esac
	nt=$((nt + 1))
done
set -- $STACK_WORKLOADS; nsw=$#; set -- $STACK_TRACERS; nst=$#
want=$((REPS * (nw * nt + nsw * nst)))
got=$(($(wc -l <"$OUT/runs.csv") - 1))
if [ "$got" -ne "$want" ]; then
	say "runs.csv has $got runs, not $want: incomplete"
	exit 1
fi
say "done"
