# SPDX-License-Identifier: GPL-2.0
# Sourced by /init for `make stress` (scripts/stress.sh): minutes of load
# with `gotrace record` streaming the trace into `gotrace_stress check`,
# which accounts for every event (written or lost, STATUS == END), first
# with a fast reader, then with a deliberately slow one; then the fault
# and fuzz selftests at a larger GTT_SCALE.  Knobs (kernel command line,
# passed to /init as environment): STRESS_SECS, STRESS_SLOW_SECS,
# GTT_SCALE.

STRESS_SECS=${STRESS_SECS:-150}
STRESS_SLOW_SECS=${STRESS_SLOW_SECS:-60}
export GTT_SCALE=${GTT_SCALE:-2}

if insmod /gotrace.ko; then
	result ok insmod
else
	result fail insmod "rc=$?"
fi
dmesg_check insmod

# The load: stress-ng if it runs here, else the C load of gotrace_stress.
# Its output goes to a file: record's stdout is the trace.
load_cmd() {	# secs
	if /usr/bin/stress-ng --version >/dev/null 2>&1; then
		echo "/usr/bin/stress-ng --switch 2 --fork 2 --fault 2 --mmap 1 --vm 1 --vm-bytes 25% --timeout ${1}s --metrics-brief"
	else
		echo "/tests/gotrace_stress load $1"
	fi
}

# stress_phase NAME SECS BUFFER [check options]
stress_phase() {
	name=$1
	secs=$2
	buf=$3
	shift 3
	echo "$M TEST-BEGIN $name"
	echo "# $name: $(load_cmd "$secs") for $secs s, record -b $buf, check $*"
	t0=$(cut -d' ' -f1 /proc/uptime)
	gotrace record -o - -b "$buf" --flush-ms 100 -- \
		sh -c "exec $(load_cmd "$secs") >/tmp/$name.load 2>&1" \
		2>/tmp/$name.rec |
		/tests/gotrace_stress check --status "$@" >/tmp/$name.check 2>&1
	t1=$(cut -d' ' -f1 /proc/uptime)
	sed 's/^/# /' /tmp/$name.check
	tr '\r' '\n' </tmp/$name.rec | grep -v '^gotrace: tracing' | tail -n 4 | sed 's/^/# record: /'
	tail -n 12 /tmp/$name.load | sed 's/^/# load: /'
	if grep -q '^STRESS check ok' /tmp/$name.check; then
		result ok "$name"
	else
		result fail "$name"
	fi
	echo "$M TEST-END $name rc=0 secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
	dmesg_check "$name"
}

stress_phase stress-load "$STRESS_SECS" 4M
# Slow enough to lose events (64 KiB per 250 ms, small buffers): the loss
# must be counted, in the batches, CPU_END, END and STATUS alike.
stress_phase stress-slow-reader "$STRESS_SLOW_SECS" 256k --slow-ms 250

# The reliability suites at the scale of a trusted tracer (RELIABILITY.md):
# gotrace_faults x9 = 1800 START/STOP cycles (2250 starts) and 108
# rmmod/insmod cycles with readers attached; gotrace_harden x2 = 200 CPU
# offline/online cycles under traces with 16 KiB buffers and 512-byte
# batches; gotrace_exact x70 = over a million events compared with
# ftrace's (1,262,257 on 6.1-rt); gotrace_fuzz at GTT_SCALE.
scaled_test() {	# binary scale
	[ -x "/tests/$1" ] || return 0
	GTT_SCALE=$2 run_test "$1-x$2" "/tests/$1"
}
scaled_test gotrace_faults "${STRESS_FAULTS_SCALE:-9}"
scaled_test gotrace_harden "${STRESS_HARDEN_SCALE:-2}"
scaled_test gotrace_exact "${STRESS_EXACT_SCALE:-70}"
scaled_test gotrace_fuzz "$GTT_SCALE"

if rmmod gotrace; then
	result ok rmmod
else
	result fail rmmod "rc=$?"
fi
dmesg_check rmmod
