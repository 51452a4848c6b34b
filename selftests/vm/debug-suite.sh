# SPDX-License-Identifier: GPL-2.0
# Sourced by /init for `make check-debug` (scripts/check-debug.sh), on the
# debug kernel (KASAN, lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP, kmemleak,
# fault injection): every selftest, a short load run with the trace
# streaming through `gotrace_stress check`, START with each of its
# allocations failing in turn (fail-nth), then kmemleak.  Any report of the
# checkers fails the dmesg check that follows each step (and
# panic_on_warn=1 stops the VM at the first warning).

DEBUG_LOAD_SECS=${DEBUG_LOAD_SECS:-60}
KMEMLEAK=/sys/kernel/debug/kmemleak

if insmod /gotrace.ko; then
	result ok insmod
else
	result fail insmod "rc=$?"
fi
dmesg_check insmod
# Leak reports from before the module's tests are not its own.
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
fi

for t in /tests/*; do
	[ -x "$t" ] || continue
	case "$t" in */gotrace_stress) continue ;; esac
	run_test "$(basename "$t")" "$t"
done

# A short load run, every event accounted for.
echo "$M TEST-BEGIN debug-load"
gotrace record -o - -b 1M --flush-ms 100 -- \
	sh -c "exec /tests/gotrace_stress load $DEBUG_LOAD_SECS >/tmp/load.out 2>&1" \
	2>/tmp/load.rec | /tests/gotrace_stress check --status >/tmp/load.check 2>&1
sed 's/^/# /' /tmp/load.check
if grep -q '^STRESS check ok' /tmp/load.check; then
	result ok debug-load
else
	result fail debug-load
fi
echo "$M TEST-END debug-load rc=0"
dmesg_check debug-load

# START with its n-th allocation failing, for every n (quietly: the
# injection itself prints nothing).
if [ -d /sys/kernel/debug/failslab ]; then
	echo N >/sys/kernel/debug/failslab/ignore-gfp-wait
	echo 0 >/sys/kernel/debug/failslab/verbose
	echo 0 >/sys/kernel/debug/fail_page_alloc/verbose 2>/dev/null
	echo "$M TEST-BEGIN failnth"
	/tests/gotrace_stress failnth 2000 >/tmp/failnth.out 2>&1
	rc=$?
	sed 's/^/# /' /tmp/failnth.out
	if [ $rc -eq 0 ]; then result ok failnth; else result fail failnth; fi
	echo "$M TEST-END failnth rc=$rc"
	echo Y >/sys/kernel/debug/failslab/ignore-gfp-wait
	dmesg_check failnth
else
	result skip failnth "no failslab"
fi

# kmemleak: leaks allocated by the module (while it is loaded its
# functions show by name; after rmmod, as addresses in module space).
kmemleak_check() {	# name
	if [ ! -w $KMEMLEAK ]; then
		result skip "kmemleak:$1" "no kmemleak"
		return
	fi
	echo scan >$KMEMLEAK
	sleep 6
	echo scan >$KMEMLEAK
	cat $KMEMLEAK >/tmp/kmemleak.$1
	n=$(grep -c '^unreferenced object' /tmp/kmemleak.$1)
	mine=$(grep -E -c 'gotrace|gt_[a-z_]+\+0x|\[<ffffffffc0' /tmp/kmemleak.$1)
	echo "# kmemleak after $1: $n unreferenced objects, $mine backtrace lines in gotrace"
	if [ "$mine" -gt 0 ]; then
		sed 's/^/# /' /tmp/kmemleak.$1 | head -n 60
		result fail "kmemleak:$1"
	else
		result ok "kmemleak:$1"
	fi
	echo clear >$KMEMLEAK
}
kmemleak_check tests

if rmmod gotrace; then
	result ok rmmod
else
	result fail rmmod "rc=$?"
fi
dmesg_check rmmod
kmemleak_check rmmod
