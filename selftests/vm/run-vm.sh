#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the gotrace test VM and turn what the guest printed into results
# (the one QEMU command line; scripts/vm.sh calls it):
#   run-vm.sh -k vmlinuz -i initramfs -d OUTDIR [-a "extra cmdline"]
#             [-T seconds] [-p result-prefix] [-e "expected test binaries"]
#             [-m memory] [-9 TAG=DIR[,ro]]... [-R] [-I]
# OUTDIR gets console.log (kernel console, ttyS0), ttyS1.log (the guest's
# protocol, see init), ttyS2.bin (raw file transfer), xfer/ (the files the
# guest sent), results.txt ("ok|fail|skip NAME" lines), failures.txt,
# seconds (the VM's run time) and lock-wait (seconds spent waiting for the
# machine's VM lock).
# QEMU's exit status is not used: only what the guest printed counts.
# -e lists the test binaries the guest must report (parse.awk's EXPECT).
# -m sets the guest's memory (default 1G); -9 shares DIR with the guest
# over virtio-9p as mount tag TAG (read-only with ",ro").
# -R: the guest does not speak the protocol of init (make bench): no test
# checks on the kernel command line (panic_on_warn...), no results; the
# caller reads the logs; exit status 0, or 1 if the time limit killed it.
# -I: interactive (console on this terminal, no lock, no time limit).
# Exit status: 0 if no result failed, 1 if one did; a run that stops before
# the guest's output is parsed (bad usage, lock file, disk full...) writes
# "fail PREFIXrun-vm (aborted ...)" to results.txt and exits 2.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BAD='BUG:|WARNING:|Oops|Kernel panic|lockup|LOCKUP|RCU stall|rcu: INFO|detected stall|blocked for more than|scheduling while atomic|KASAN|general protection|Call Trace'
kernel= initrd= dir= extra= tmo=${VM_TIMEOUT:-900} prefix= interactive= expect=
mem=1G raw=
shares=()
while getopts "k:i:d:a:T:p:Ie:m:9:R" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	d) dir=$OPTARG ;;
	a) extra=$OPTARG ;;
	T) tmo=$OPTARG ;;
	p) prefix=$OPTARG ;;
	I) interactive=1 ;;	# console on this terminal, no time limit
	e) expect=$OPTARG ;;
	m) mem=$OPTARG ;;
	9) shares+=("$OPTARG") ;;
	R) raw=1 ;;
	*) exit 2 ;;
	esac
done
[ -n "$kernel" ] && [ -n "$initrd" ] && [ -n "$dir" ] ||
	{ echo "usage: $0 -k vmlinuz -i initramfs -d outdir [-a cmdline] [-T secs] [-p prefix]" >&2; exit 2; }

mkdir -p "$dir"
rm -rf "$dir/xfer"
rm -f "$dir"/{console.log,ttyS1.log,ttyS2.bin,results.txt,failures.txt,seconds,lock-wait}
: >"$dir/failures.txt"
# Until the results are complete, any exit is an abort, and says so.
parsed=
aborted() {
	local rc=$? line=$1
	[ -z "$parsed" ] || return 0
	echo "fail ${prefix}run-vm (aborted: exit $rc at run-vm.sh:$line)" >>"$dir/results.txt"
	echo "---- ${prefix}run-vm aborted (exit $rc at line $line) before the guest's results were read" >>"$dir/failures.txt"
	exit 2
}
trap 'aborted $LINENO' ERR

append="console=ttyS0 panic=-1"
[ -n "$raw" ] || append+=" oops=panic panic_on_warn=1 softlockup_panic=1 hung_task_panic=1 rcupdate.rcu_cpu_stall_timeout=60"
append+=" mitigations=off"
# KASLR off, for stable addresses, unless the run asks for it (gtvm_kaslr=1,
# e.g. CHECK_RUNS="6.1:gtvm_kaslr=1": gotrace_symbolize then checks a real
# offset).
case " $extra " in
*" gtvm_kaslr=1 "*) ;;
*) append+=" nokaslr" ;;
esac
append+=" ${extra}"

# VM_ACCEL: tcg (multi-threaded: each vCPU a host thread) or
# tcg,thread=single (both vCPUs on one host thread, interleaved).  Default:
# single-threaded.  Under multi-threaded TCG, patching kernel text
# (text_poke_bp() of a tracepoint's static key, which every first probe
# attach and last probe detach does) is unreliable: a vCPU executes the
# int3 of a patch already finished ("Oops: int3" in __schedule on 6.12,
# seen without gotrace by toggling sched tracepoints in tracefs) or sits in
# exc_int3 with interrupts off so the patching CPU's sync IPI never returns
# (soft lockup on 6.1).  See RELIABILITY.md.
VM_ACCEL=${VM_ACCEL-tcg,thread=single}
# The fault and fuzz suites pin the tracepoints only under multi-threaded
# TCG (gotrace_rel.h: rel_pin_if_mttcg()).
case ${raw:+raw}${VM_ACCEL:-tcg} in
raw*|*thread=single*) ;;
tcg*) append+=" gtvm_pin=1" ;;
esac
qemu=(qemu-system-x86_64 -machine q35 -cpu max -smp 2 -m "$mem" ${VM_ACCEL:+-accel "$VM_ACCEL"}
      -nodefaults -display none -no-reboot)
# VM_QEMU_ARGS: more QEMU options, split on spaces, e.g. two NUMA nodes
# (one CPU per socket: CPUs sharing a cache across nodes make 6.1 warn in
# topology_sane(), and the guest panics on warnings):
#   VM_QEMU_ARGS="-smp 2,sockets=2,cores=1,threads=1
#     -object memory-backend-ram,id=m0,size=512M
#     -object memory-backend-ram,id=m1,size=512M
#     -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1"
# shellcheck disable=SC2206
qemu+=(${VM_QEMU_ARGS:-})
for s in ${shares[@]+"${shares[@]}"}; do
	tag=${s%%=*} path=${s#*=} ro=
	case $path in *,ro) path=${path%,ro} ro=,readonly=on ;; esac
	qemu+=(-fsdev "local,id=$tag,path=$path,security_model=none$ro,multidevs=remap"
	       -device "virtio-9p-pci,fsdev=$tag,mount_tag=$tag")
done
echo "${VM_ACCEL:-tcg}" >"$dir/accel"
qrc=0
t_lock=$(date +%s.%N)
if [ -z "$interactive" ]; then
	# One VM at a time on this machine: TCG guests that share two cores
	# with another guest starve and report false soft lockups.  The time
	# limit and the timing start once the lock is held.
	exec 8>"${GOTRACE_VM_LOCK:-/tmp/gotrace-vm.lock}"
	if ! flock -n 8; then
		echo "run-vm: waiting for another VM on this machine (${GOTRACE_VM_LOCK:-/tmp/gotrace-vm.lock})" >&2
		flock 8
	fi
fi
start=$(date +%s.%N)
awk -v a="$t_lock" -v b="$start" 'BEGIN { printf "%d\n", b - a + 0.5 }' >"$dir/lock-wait"
if [ -n "$interactive" ]; then
	echo "run-vm: interactive VM; Ctrl-A X quits QEMU" >&2
	"${qemu[@]}" -serial mon:stdio \
		-serial "file:$dir/ttyS1.log" -serial "file:$dir/ttyS2.bin" \
		-kernel "$kernel" -initrd "$initrd" -append "$append" || qrc=$?
else
	# timeout(1) runs QEMU in a process group of its own: stop it
	# explicitly if this script is interrupted.
	timeout -k 10 "$tmo" "${qemu[@]}" \
		-serial "file:$dir/console.log" \
		-serial "file:$dir/ttyS1.log" \
		-serial "file:$dir/ttyS2.bin" \
		-kernel "$kernel" -initrd "$initrd" -append "$append" \
		</dev/null >"$dir/qemu.out" 2>&1 &
	qpid=$!
	trap 'kill -TERM "$qpid" 2>/dev/null; exit 130' INT TERM HUP
	wait "$qpid" || qrc=$?
	trap - INT TERM HUP
fi
end=$(date +%s.%N)
exec 8>&-
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
[ $qrc -ne 124 ] && [ $qrc -ne 137 ] || echo "run-vm: VM killed after ${tmo}s timeout" >>"$dir/failures.txt"
echo "$secs" >"$dir/seconds"

touch "$dir/ttyS1.log" "$dir/console.log"
if [ -n "$raw" ]; then
	parsed=1
	trap - ERR
	[ $qrc -ne 124 ] && [ $qrc -ne 137 ]
	exit $?
fi
awk -v PREFIX="$prefix" -v FAILLOG="$dir/failures.txt" -v EXPECT="$expect" \
	-f "$HERE/parse.awk" "$dir/ttyS1.log" >"$dir/results.txt.tmp"
mv "$dir/results.txt.tmp" "$dir/results.txt"

# File transfer: ttyS2 carries one tar; the guest printed its size and hash.
x=$(sed -n 's/^GOTRACE-VM: XFER //p' "$dir/ttyS1.log" | tr -d '\r' | tail -n1)
if [ -n "$x" ]; then
	bytes=${x#bytes=}; bytes=${bytes%% *}
	sha=${x##*sha256=}
	got=$(head -c "$bytes" "$dir/ttyS2.bin" | sha256sum | cut -d' ' -f1)
	size=$(stat -c %s "$dir/ttyS2.bin")
	if [ "$got" = "$sha" ] && [ "$size" -eq "$bytes" ]; then
		mkdir -p "$dir/xfer"
		tar -C "$dir/xfer" -xzf "$dir/ttyS2.bin"
		echo "ok ${prefix}xfer" >>"$dir/results.txt"
	else
		echo "fail ${prefix}xfer" >>"$dir/results.txt"
		echo "---- xfer: expected $bytes bytes sha256 $sha, got $size bytes sha256 $got" >>"$dir/failures.txt"
	fi
fi

parsed=1
trap - ERR
if grep -q '^fail' "$dir/results.txt"; then
	if ! grep -q '^GOTRACE-VM: END' "$dir/ttyS1.log"; then
		{
			if [ -s "$dir/qemu.out" ]; then
				echo "---- ${prefix}qemu (exit status $qrc):"
				tail -n 20 "$dir/qemu.out"
			fi
			echo "---- ${prefix}guest output (tail):"
			tail -n 40 "$dir/ttyS1.log"
			first=$(grep -n -E "$BAD" "$dir/console.log" | grep -vi "command line" | head -n1 | cut -d: -f1 || true)
			if [ -n "$first" ]; then
				echo "---- ${prefix}kernel console (from line $first, the first sign of trouble):"
				tail -n "+$((first > 5 ? first - 5 : 1))" "$dir/console.log" | head -n 100
			else
				echo "---- ${prefix}kernel console (tail):"
				tail -n 60 "$dir/console.log"
			fi
		} >>"$dir/failures.txt"
	fi
	exit 1
fi
exit 0
