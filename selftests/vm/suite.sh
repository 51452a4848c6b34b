# SPDX-License-Identifier: GPL-2.0
# Sourced by /init: load the module, run every test binary in /tests,
# unload the module.  Each step is a result; each binary prints TAP.

if insmod /gotrace.ko; then
	result ok insmod
else
	result fail insmod "rc=$?"
fi
dmesg_check insmod

if [ -c /dev/gotrace ]; then
	result ok dev-node
else
	result fail dev-node "/dev/gotrace missing"
fi

n=0
for t in /tests/*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	run_test "$(basename "$t")" "$t"
done
[ $n -gt 0 ] || echo "# no test binaries in /tests"

if rmmod gotrace; then
	result ok rmmod
else
	result fail rmmod "rc=$?"
fi
dmesg_check rmmod

# The module as DKMS built it from the gotrace-dkms package (make check puts
# it in the 6.1 initramfs): load it, trace a little with the tool, unload.
if [ -f /dkms/gotrace.ko ]; then
	dkms_step() {	# name command...
		n=$1
		shift
		if "$@" >/tmp/dkms.out 2>&1; then
			result ok "dkms-smoke:$n"
		else
			rc=$?
			sed 's/^/# /' /tmp/dkms.out | tail -n 20
			result fail "dkms-smoke:$n" "rc=$rc"
		fi
	}
	dkms_step insmod insmod /dkms/gotrace.ko
	dkms_step record gotrace record -o /tmp/dkms.trace -- sh -c 'ls -R / >/dev/null'
	dkms_step dump sh -c 'gotrace dump /tmp/dkms.trace | grep -q " sched_switch "'
	dkms_step start gotrace start -e sched,page
	cat /dev/gotrace >/tmp/dkms-cat.trace &
	dkms_step stop gotrace stop --wait
	wait
	dkms_step dump-stopped sh -c 'gotrace dump /tmp/dkms-cat.trace | grep -q " mm_page_alloc "'
	dkms_step rmmod rmmod gotrace
	dmesg_check dkms-smoke
fi

# Lockdown, last (it cannot be lifted): in confidentiality mode the device
# refuses to open, as tracefs does, and the kernel says why.
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
if [ -w /sys/kernel/security/lockdown ] && insmod /gotrace.ko; then
	echo confidentiality >/sys/kernel/security/lockdown 2>/dev/null
	if ! grep -q '\[confidentiality\]' /sys/kernel/security/lockdown; then
		result skip lockdown "confidentiality mode not available"
	elif gotrace status >/tmp/lockdown.out 2>&1; then
		result fail lockdown "the device opened under lockdown"
	elif dmesg | grep -q 'Lockdown: .*tracefs'; then
		result ok lockdown
	else
		sed 's/^/# /' /tmp/lockdown.out
		result fail lockdown "refused, but no lockdown message"
	fi
	rmmod gotrace
else
	result skip lockdown "no lockdown LSM"
fi
