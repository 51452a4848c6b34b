# SPDX-License-Identifier: GPL-2.0
# Sourced by /init for `make demo`: record a workload with gotrace, show the
# trace, and send it back to the host (/xfer).  Sections of the output are
# delimited by "GOTRACE-VM: SECTION <name>" lines for the host's report.

section() {
	echo "$M SECTION $1"
}

if insmod /gotrace.ko; then
	result ok insmod
else
	result fail insmod
fi

workload='
	i=0
	while [ $i -lt 200 ]; do
		echo "line $i" | cat | tr a-z A-Z | wc -c >/dev/null
		i=$((i + 1))
	done
	dd if=/dev/zero of=/tmp/f bs=1M count=32 2>/dev/null
	sha256sum /tmp/f >/dev/null
	rm /tmp/f
'
section record
echo "\$ gotrace record -o /tmp/out.trace -- sh -c '<fork/pipe loop; dd 32 MB to tmpfs; rm>'"
timeout -s KILL 600 gotrace record -o /tmp/out.trace -- sh -c "$workload" 2>&1
rc=$?
echo "exit status: $rc"
if [ $rc -eq 0 ] && [ -s /tmp/out.trace ]; then
	result ok record
else
	result fail record "rc=$rc"
fi

section status
gotrace status 2>&1

section dump-head
gotrace dump /tmp/out.trace 2>&1 | head -n 50

section dump-lines
gotrace dump /tmp/out.trace 2>/dev/null | wc -l
if gotrace dump /tmp/out.trace >/dev/null 2>&1; then
	result ok dump
else
	result fail dump
fi

section trace-size
wc -c </tmp/out.trace
section end

cp /tmp/out.trace /xfer/out.trace
rmmod gotrace || result fail rmmod
dmesg_check demo
