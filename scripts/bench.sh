#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: gotrace against ftrace (trace-cmd), perf and LTTng on the
# same workloads in the same VM (the default kernel of scripts/kernels.sh,
# Debian's 6.1, QEMU TCG, 2 vCPUs; booted by scripts/vm.sh's vm_run), with
# the host's root filesystem shared read-only over 9p under a tmpfs overlay
# so that the peers run from their Debian packages.
#
#   bench.sh            full run: writes BENCHMARKS.md and bench/results/
#                       (tracers: none, gotrace record, its flight recorder,
#                       trace-cmd record, ftrace overwrite + snapshot buffer,
#                       perf record, an LTTng session, an LTTng snapshot
#                       session; bench/guest.sh says how each is run)
#   bench.sh --smoke    one tiny iteration (gotrace + ftrace, one 10 s
#                       ring_buffer_benchmark run), checks that every step
#                       produced numbers; output in .build/bench/
#
# BENCH_REPS (default 5) sets the repetitions of the full run; BENCH_TRACERS,
# BENCH_WORKLOADS, BENCH_STACK_WORKLOADS, BENCH_N_PIPE, BENCH_N_PAGE and
# BENCH_N_MIX narrow or resize it (for trying things, not for the table);
# BENCH_GTB_REPS, BENCH_GTB_EVENTS and BENCH_RBB=0 shorten the write-path
# runs.  A second VM counts guest instructions (BENCH_ICOUNT=0: not run): the
# same runs (BENCH_ICOUNT_REPS repetitions, default 3, BENCH_ICOUNT_SCALE
# times the amounts the first VM sized) under bench/icount-plugin.so with
# QEMU's -icount (the guest's clock driven by its instruction count, not by
# the host's, so that timer work cannot follow host load) and one vCPU
# (6.1's SMP bring-up hangs under QEMU 7.2's -icount: the AP is never
# scheduled again).
# BENCH_ICOUNT_SCALE (default 3, 1 in the smoke) multiplies the amounts in
# that VM: the tracers' periodic work (a flush period, a reader's wakeup at
# its watermark) falls once more or less into a window whatever its length,
# so a longer window makes it a smaller part of the count (run P: 2.5%
# apart on page at the first VM's amounts).
# BENCH_FLIGHT_SIZE (default 4M, record's buffer) is gotrace-flight's
# --flight SIZE.  BENCH_ICOUNT_GTB_REPS (default 1) `gotrace bench` runs in that VM;
# BENCH_ICOUNT_WORKLOADS its workloads (default: the first VM's).
# BENCH_SETTLE=0: the guest does not compact memory before each run.
# BENCH_WALL=0 runs the -icount VM alone (no wall-time VM, no decoding),
# with the amounts BENCH_N_PIPE, BENCH_N_PAGE and BENCH_N_MIX as given,
# times BENCH_ICOUNT_SCALE (the last full run's sizes.txt says what the
# wall-time VM chose); its report goes to BENCH_REPORT (default
# .build/bench/report.md), never to BENCHMARKS.md.  Such runs need no quiet
# host: instruction counts do not move with host load.
# Exit status: 0 when the runs produced their numbers.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$ROOT/.build}
B=$BUILD/bench
cd "$ROOT"
smoke=
[ "${1:-}" = --smoke ] && smoke=1
wall=${BENCH_WALL:-1}
if [ "$wall" = 0 ]; then
	[ -z "$smoke" ] && [ "${BENCH_ICOUNT:-1}" != 0 ] ||
		{ echo "bench: BENCH_WALL=0 needs the -icount VM (not with --smoke or BENCH_ICOUNT=0)" >&2; exit 2; }
	: "${BENCH_REPORT:=$B/report.md}"
fi
T0=$(date +%s)

mkdir -p "$B" "$BUILD/logs"
exec 7>"$B/.lock"
flock 7
. "$ROOT/scripts/vm.sh"

echo "==> deps"
scripts/deps.sh >"$BUILD/logs/bench-deps.log" 2>&1 || { cat "$BUILD/logs/bench-deps.log"; exit 1; }
series=$(scripts/kernels.sh default)
vm_kernel "$series" 2>>"$BUILD/logs/bench-deps.log" ||
	{ tail -n 30 "$BUILD/logs/bench-deps.log"; exit 1; }
kver=${VM_KVER[$series]}
no_lttng=${smoke:+--no-lttng}
case " ${BENCH_TRACERS:-lttng} " in *" lttng "*|*" lttng-snap "*) ;; *) no_lttng=--no-lttng ;; esac
scripts/bench-deps.sh "$kver" $no_lttng 2>>"$BUILD/logs/bench-deps.log" ||
	{ tail -n 30 "$BUILD/logs/bench-deps.log"; exit 1; }
echo "    kernel $kver"

echo "==> build (module, tool, workloads)"
BIN=$B/bin
rm -rf "$BIN"; mkdir -p "$BIN"
# The working tree by default; when it does not build (someone is in the
# middle of a change), the last commit, and the report says so.
build_gotrace() {	# SRC-DIR
	local ko
	ko=$(SRC=$1 BUILD=$B/kbuild scripts/build-module.sh "$kver") &&
	cp "$ko" "$BIN/gotrace.ko" &&
	rm -rf "$B/us" &&
	make -C "$1/userspace" O="$B/us" >"$BUILD/logs/bench-userspace.log" 2>&1 &&
	cp "$B/us/gotrace" "$BIN/gotrace"
}
if build_gotrace "$ROOT"; then
	echo "working tree $(git describe --always --dirty 2>/dev/null)" >"$B/source.txt"
else
	echo "bench: the working tree does not build; benchmarking HEAD instead" >&2
	tail -n 5 "$BUILD/logs/bench-userspace.log" >&2 || true
	rm -rf "$B/src-head"; mkdir -p "$B/src-head"
	git archive HEAD Kbuild kmod uapi userspace | tar -x -C "$B/src-head"
	build_gotrace "$B/src-head" || { tail -n 30 "$BUILD/logs/bench-userspace.log"; exit 1; }
	echo "HEAD $(git rev-parse --short HEAD) (the working tree did not build)" >"$B/source.txt"
fi
gcc -O2 -Wall -o "$BIN/wl" bench/wl.c
gcc -O2 -Wall -o "$BIN/icmark" bench/icmark.c
icount_plugin=
if [ "${BENCH_ICOUNT:-1}" != 0 ]; then
	make -s -C "$ROOT" icount-plugin >"$BUILD/logs/bench-icount.log" 2>&1 ||
		{ cat "$BUILD/logs/bench-icount.log"; exit 1; }
	icount_plugin=$BUILD/bench/icount-plugin.so
fi
# The kernel's ring_buffer_benchmark, for the ftrace side of "Write path
# alone"; when it cannot be built, the report says why.
rbb_ko= rbb_err=
if ko=$(scripts/build-rbb.sh "$kver" 2>"$B/rbb-build.err"); then
	rbb_ko=$BIN/ring_buffer_benchmark.ko
	cp "$ko" "$rbb_ko"
	cp "${ko%/*}/source.txt" "$B/rbb-source.txt"
	cat "$B/rbb-build.err" >&2
else
	rbb_err=$(grep '^build-rbb:' "$B/rbb-build.err" | tail -n1 || true)
	: "${rbb_err:=build-rbb.sh failed: $(tail -n1 "$B/rbb-build.err")}"
	echo "bench: ring_buffer_benchmark not built: $rbb_err" >&2
fi

# The initramfs: selftests/vm/bench-init as /init, and the guest kernel's
# virtio/9p/overlay modules in /modules, in the order of /modules/order.
mods=$B/modroot/lib/modules/$kver
order=$B/modules-order
MODFILES=(-f "$order=/modules/order")
: >"$order"
add_mod() {	# module name -> its dependencies, then itself, once
	local path deps d
	path=$(awk -v m="/$1.ko:" 'index($1, m) { sub(":$", "", $1); print $1; exit }' "$mods/modules.dep")
	[ -n "$path" ] || { echo "bench: module $1 not found in $mods" >&2; exit 1; }
	grep -qx "${path##*/}" "$order" && return 0
	deps=$(awk -v p="$path:" '$1 == p { for (i = NF; i > 1; i--) print $i }' "$mods/modules.dep")
	for d in $deps; do d=${d##*/}; add_mod "${d%.ko}"; done
	grep -qx "${path##*/}" "$order" && return 0
	MODFILES+=(-f "$mods/$path=/modules/${path##*/}")
	echo "${path##*/}" >>"$order"
}
for m in virtio_pci 9pnet_virtio 9p overlay; do add_mod "$m"; done

OUT=$B/out
rm -rf "$OUT"; mkdir -p "$OUT"
if [ -n "$rbb_err" ]; then
	echo "$rbb_err" >"$OUT/rbb-unavailable"
else
	sed 's/^/# /' "$B/rbb-source.txt" >"$OUT/rbb.txt"
fi
if [ -n "$smoke" ]; then
	reps=1 tracers="none gotrace ftrace" stack_tracers="" stack_wl="" workloads="mix"
	n_pipe=500 n_page=5 n_mix=300 gtb_reps=1 gtb_events=100000 target=
	rbb_reader_runs=0
else
	reps=${BENCH_REPS:-5}
	tracers=${BENCH_TRACERS:-"none gotrace gotrace-flight ftrace ftrace-snap perf lttng lttng-snap"}
	stack_tracers="none gotrace-stacks ftrace-stacks"
	workloads=${BENCH_WORKLOADS:-"pipe page mix"} stack_wl=${BENCH_STACK_WORKLOADS-$workloads}
	# Calibration amounts; the guest scales them to BENCH_TARGET_SECS each.
	n_pipe=${BENCH_N_PIPE:-2000} n_page=${BENCH_N_PAGE:-20} n_mix=${BENCH_N_MIX:-200}
	target=${BENCH_TARGET_SECS:-2}
	[ "$wall" != 0 ] || target=
	gtb_reps=${BENCH_GTB_REPS:-3} gtb_events=${BENCH_GTB_EVENTS:-2000000}
	# ring_buffer_benchmark runs 10 s each: one without its reader after
	# each `gotrace bench` repetition, then one with it.
	rbb_reader_runs=1
	if [ "${BENCH_RBB:-1}" = 0 ]; then
		rbb_ko= rbb_err="not run (BENCH_RBB=0)"
		echo "$rbb_err" >"$OUT/rbb-unavailable"
		rm -f "$OUT/rbb.txt"
	fi
fi
cat >"$OUT/config" <<EOC
REPS=$reps
TRACERS="$tracers"
STACK_TRACERS="$stack_tracers"
WORKLOADS="$workloads"
STACK_WORKLOADS="$stack_wl"
N_PIPE=$n_pipe
N_PAGE=$n_page
N_MIX=$n_mix
TARGET_SECS=$target
GTBENCH_REPS=$gtb_reps
GTBENCH_EVENTS=$gtb_events
RBB_KO=$rbb_ko
RBB_READER_RUNS=$rbb_reader_runs
ICOUNT=
FLIGHT_SIZE=${BENCH_FLIGHT_SIZE:-4M}
SETTLE=${BENCH_SETTLE:-1}
BIN=$BIN
MODROOT=$B/modroot
EOC
# gotrace.ko's functions (section, offset, size, name), for the guest's
# icount map: the plugin counts their instructions apart.
objdump -t "$BIN/gotrace.ko" |
	awk 'NF >= 4 && / F / && $(NF - 2) ~ /^\.text/ { print $(NF - 2), $1, $(NF - 1), $NF }' \
	>"$OUT/icount-functions"

echo "==> VM (${reps} repetition(s); waiting for the machine-wide VM lock if another VM runs)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
vm=$B/vm
tmo=${BENCH_VM_TIMEOUT:-$([ -n "$smoke" ] && echo 300 || echo 1500)}
# bench_vm DIR OUT [QEMU-ARGS]: one VM running bench/guest.sh with OUT's
# config.  No gotrace payload (-N: the guest runs the host's userland,
# bench-init switches root), no test protocol (-R), the host's / read-only
# and OUT writable over 9p.  Adds its lock wait and VM seconds to lock_wait
# and vm_secs.
lock_wait=0 vm_secs=0
bench_vm() {
	local dir=$1 out=$2 qargs=${3:-} w s
	VM_QEMU_ARGS="${VM_QEMU_ARGS:+$VM_QEMU_ARGS }$qargs" \
	vm_run -s "$series" -N -R -i "$ROOT/selftests/vm/bench-init" "${MODFILES[@]}" -d "$dir" -m 4G \
		-9 "hostroot=/,ro" -9 "benchout=$out" -T "$tmo" \
		-a "transparent_hugepage=never gtb_script=$ROOT/bench/guest.sh" ||
		[ $? -ne 3 ] || exit 1
	w=$(cat "$dir/lock-wait" 2>/dev/null || echo 0)
	s=$(awk '{ printf "%d", $1 + 0.5 }' "$dir/seconds" 2>/dev/null || echo 0)
	lock_wait=$((lock_wait + w)) vm_secs=$((vm_secs + s))
	echo "    VM ran $s s (after $w s waiting for the VM lock)"
	if ! grep -q 'GOTRACE-BENCH: done' "$dir/ttyS1.log" 2>/dev/null; then
		echo "bench: the VM did not finish; guest output:" >&2
		tail -n 30 "$dir/ttyS1.log" >&2 || true
		tail -n 30 "$out/guest.log" >&2 || true
		tail -n 20 "$dir/console.log" >&2 || true
		cat "$dir/qemu.out" >&2 || true
		exit 1
	fi
}
if [ "$wall" != 0 ]; then
	bench_vm "$vm" "$OUT"
else
	echo "N_PIPE=$n_pipe N_PAGE=$n_page N_MIX=$n_mix" >"$OUT/sizes.txt"
fi

# The instruction counts: the same runs again, in a VM whose clock follows
# its instructions (-icount shift=0: 1 ns per instruction; sleep=off: idle
# time is skipped, not waited for; the RTC on that clock too), one vCPU,
# under the plugin: the guest names each run in icount-label and writes the
# functions to count apart in icount-map (bench/guest.sh).  Wall times of
# this VM mean nothing; its runs.csv gives the events of each run.  There
# `gotrace bench` and ring_buffer_benchmark (without its reader; not in the
# smoke: 10 s of guest time is 10^10 instructions) time their loops on that
# clock too, so their ns per event are instructions per event.
OUT_IC=$B/out-icount
rm -rf "$OUT_IC"; mkdir -p "$OUT_IC"
if [ -n "$icount_plugin" ]; then
	echo "==> VM under -icount (instruction counts)"
	. "$OUT/sizes.txt"
	scale=${BENCH_ICOUNT_SCALE:-$([ -n "$smoke" ] && echo 1 || echo 3)}
	case $scale in [1-9]|[1-9][0-9]) ;; *)
		echo "bench: BENCH_ICOUNT_SCALE must be 1 to 99, not '$scale'" >&2; exit 2 ;;
	esac
	N_PIPE=$((N_PIPE * scale)) N_PAGE=$((N_PAGE * scale)) N_MIX=$((N_MIX * scale))
	sed -e "s/^REPS=.*/REPS=${BENCH_ICOUNT_REPS:-$([ -n "$smoke" ] && echo 1 || echo 3)}/" \
	    -e 's/^STACK_TRACERS=.*/STACK_TRACERS=""/' -e 's/^STACK_WORKLOADS=.*/STACK_WORKLOADS=""/' \
	    -e "s/^N_PIPE=.*/N_PIPE=$N_PIPE/" -e "s/^N_PAGE=.*/N_PAGE=$N_PAGE/" -e "s/^N_MIX=.*/N_MIX=$N_MIX/" \
	    -e 's/^TARGET_SECS=.*/TARGET_SECS=/' -e "s/^GTBENCH_REPS=.*/GTBENCH_REPS=${BENCH_ICOUNT_GTB_REPS:-1}/" \
	    -e 's/^GTBENCH_EVENTS=.*/GTBENCH_EVENTS=100000/' \
	    -e "${smoke:+s/^RBB_KO=.*/RBB_KO=/}" -e 's/^RBB_READER_RUNS=.*/RBB_READER_RUNS=0/' \
	    -e "s/^ICOUNT=.*/ICOUNT=1\nICOUNT_SCALE=$scale/" "$OUT/config" >"$OUT_IC/config"
	[ -z "${BENCH_ICOUNT_WORKLOADS:-}" ] ||
		sed -i "s/^WORKLOADS=.*/WORKLOADS=\"$BENCH_ICOUNT_WORKLOADS\"/" "$OUT_IC/config"
	cp "$OUT/icount-functions" "$OUT_IC/"
	# The plugin's inline counters need single-threaded TCG, which
	# -icount implies.
	bench_vm "$B/vm-icount" "$OUT_IC" \
		"-smp 1 -icount shift=0,sleep=off -rtc clock=vm -plugin $icount_plugin,out=$OUT_IC/icount.txt,label=$OUT_IC/icount-label,map=$OUT_IC/icount-map"
fi

if [ "$wall" != 0 ]; then
	echo "==> decoding on the host"
	python3 bench/decode.py "$OUT" "$BIN/gotrace" ${smoke:+--smoke} >"$OUT/decode.log" 2>&1 ||
		{ cat "$OUT/decode.log"; exit 1; }
fi

T1=$(date +%s)
cp "$B/source.txt" "$OUT/source.txt"
meta=(--kernel "$kver" --commit "$(cat "$B/source.txt")"
      --load "$load_before" --icount-out "$OUT_IC" --elapsed "$((T1 - T0 - lock_wait))" --vm-secs "$vm_secs"
      --lock-wait "$lock_wait"
      --host-cpus "$(nproc)")
if [ -n "$smoke" ]; then
	python3 bench/report.py "$OUT" --smoke "${meta[@]}" >"$OUT/report.md"
	cat "$OUT/report.md"
else
	mkdir -p bench/results
	# BENCH_REPORT=FILE: a trial run, reported in FILE only.
	if [ -n "${BENCH_REPORT:-}" ]; then
		python3 bench/report.py "$OUT" "${meta[@]}" >"$BENCH_REPORT"
		cat "$BENCH_REPORT"
		echo "bench: wrote $BENCH_REPORT in $((T1 - T0)) s ($lock_wait s of it waiting for other VMs)"
		exit 0
	fi
	python3 bench/report.py "$OUT" "${meta[@]}" --results bench/results >BENCHMARKS.md
	cat BENCHMARKS.md
	echo "bench: wrote BENCHMARKS.md and bench/results/ in $((T1 - T0)) s ($lock_wait s of it waiting for other VMs)"
fi
