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
