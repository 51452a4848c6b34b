# SPDX-License-Identifier: GPL-2.0
# Sourced by /init for `make check-debug` on the KCSAN kernel
# (scripts/debug-kernel.sh, DEBUG_FLAVOUR=kcsan; strict mode, interrupt
# watcher): the module's data races.  The probes write on every CPU while
# STATUS is polled from the others (it reads every CPU's counters) and a
# reader drains the trace; then the selftests that exercise losses, filters
# and stacks.  The kernel itself has data races that strict KCSAN reports,
# so the check is on reports with a frame in the module ("[gotrace]"): any
# fails, and every one is printed.  Multi-threaded TCG (the vCPUs really
# run at once, which KCSAN's watchpoints need); few START/STOPs.

KCSAN_LOAD_SECS=${KCSAN_LOAD_SECS:-60}
# Selftests (KCSAN_TESTS, default none): their many START/STOPs patch
# kernel text, and under multi-threaded TCG a vCPU can run a stale int3
# ("int3: 0000" in __schedule, RELIABILITY.md), which ended the first run
# with them in gotrace_loss.  The two loads START and STOP once each.
KCSAN_TESTS=${KCSAN_TESTS:-}
# KCSAN's own reports are counted below, not failures of the step.
BAD='BUG: [^K]|WARNING:|Oops|Kernel panic|lockup|LOCKUP|RCU stall|rcu: INFO|detected stall|blocked for more than|scheduling while atomic|general protection'

if grep -q 'enabled: 1' /sys/kernel/debug/kcsan 2>/dev/null; then
	result ok kcsan-enabled
else
	result fail kcsan-enabled "$(head -n 1 /sys/kernel/debug/kcsan 2>&1)"
fi
dmesg_check boot
if insmod /gotrace.ko; then
	result ok insmod
else
	result fail insmod "rc=$?"
fi
dmesg_check insmod

# Load: events and losses on both CPUs, STATUS in a loop meanwhile (a
# few thousand calls a second: each reads every CPU's counters); then the
# same with a stack per event (the stack table's lock-free slots).
kcsan_load() {	# name [record options]
	name=$1
	shift
	/tests/gotrace_stress status $((KCSAN_LOAD_SECS + 5)) >/tmp/status.out 2>&1 &
	poller=$!
	gotrace record -o - -b 64K --flush-ms 10 "$@" -- \
		sh -c "exec /tests/gotrace_stress load $KCSAN_LOAD_SECS >/tmp/load.out 2>&1" \
		2>/tmp/load.rec | /tests/gotrace_stress check --status >/tmp/load.check 2>&1
	wait $poller
	sed 's/^/# /' /tmp/load.check
	echo "# $name: $(cat /tmp/status.out)"
	if grep -q '^STRESS check ok' /tmp/load.check &&
	   grep -q '^STRESS status ok' /tmp/status.out; then
		result ok "$name"
	else
		result fail "$name"
	fi
	dmesg_check "$name"
}
kcsan_load kcsan-load
kcsan_load kcsan-load-stacks --stacks

for t in $KCSAN_TESTS; do
	[ -x "/tests/$t" ] && run_test "$t" "/tests/$t"
done

if rmmod gotrace; then
	result ok rmmod
else
	result fail rmmod "rc=$?"
fi
dmesg_check rmmod

# The reports: blocks from "BUG: KCSAN" to the closing "=====" line.  A
# race is the module's when one of its accesses is in the module: the first
# frame after a "read to"/"write to" line.  Races of the kernel's own data
# reached from a probe (the timekeeping latch read by ktime_get_*_fast_ns,
# which retries) are counted apart.
awk '
	/BUG: KCSAN:/ { inrep = 1; rep = ""; site = 0; ours = 0; via = 0; total++ }
	!inrep { next }
	{ rep = rep $0 "\n" }
	/ (read|write|read-write)( \(marked\))? to 0x/ { site = 1; next }
	site && /\+0x/ { if ($0 ~ /\[gotrace\]/) ours = 1; site = 0; next }
	/\[gotrace\]/ { via = 1 }
	/====================/ {
		inrep = 0
		if (ours) { mine++; printf "%s", rep > "/tmp/kcsan.mine" }
		else if (via) viaprobe++
	}
	END { printf "%d %d %d\n", total, mine, viaprobe }
' /tmp/dmesg.all >/tmp/kcsan.count
read -r total mine via </tmp/kcsan.count
echo "# RELIABILITY kcsan reports=$total in_gotrace=${mine:-0} kernel_data_from_a_probe=${via:-0} load_secs=$KCSAN_LOAD_SECS"
sed 's/^/# kcsan: /' /sys/kernel/debug/kcsan 2>/dev/null | head -n 12
if [ "${mine:-0}" -gt 0 ]; then
	sed 's/^/# /' /tmp/kcsan.mine | head -n 200
	result fail kcsan:gotrace "$mine data races in the module"
else
	result ok kcsan:gotrace
fi
