# SPDX-License-Identifier: GPL-2.0
# Sourced by /init in the Debian 12 root into which scripts/check-apt.sh
# installed the gotrace-dkms and gotrace packages with apt: the module DKMS
# built there, loaded by Debian's modprobe, the packaged tool, and the
# packaged udev rule applied by Debian's systemd-udevd.  The root also has
# two users: "tracer", in group gotrace, and "outsider", in no group.
#
# busybox's sh runs its own applets before $PATH: Debian's tools by path.
MODPROBE=/usr/sbin/modprobe
MODINFO=/usr/sbin/modinfo
UDEVADM=/usr/bin/udevadm
STAT=/usr/bin/stat
GT=/usr/bin/gotrace
PARAM=/sys/module/gotrace/parameters/group_access

step() {	# name command...: a result, with the command's output on failure
	n=$1
	shift
	if "$@" >/tmp/step.out 2>&1; then
		[ ! -s /tmp/step.out ] || echo "# $n: $(head -n1 /tmp/step.out)"
		result ok "$n"
	else
		rc=$?
		sed 's/^/# /' /tmp/step.out | tail -n 20
		result fail "$n" "rc=$rc"
	fi
}
# as USER command...: run as USER with USER's groups and no capabilities
as() {
	u=$1
	shift
	/usr/bin/setpriv --reuid="$u" --regid="$u" --init-groups "$@"
}
# refused USER ERRNO-TEXT: USER's `gotrace status` fails with that reason
refused() {
	if as "$1" "$GT" status >/tmp/refused.out 2>&1; then
		echo "$1 opened /dev/gotrace"
		return 1
	fi
	cat /tmp/refused.out
	grep -q "$2" /tmp/refused.out
}
# refused_stacks USER: the grant does not give USER kernel stacks
refused_stacks() {
	if as "$1" "$GT" record --stacks -o "/tmp/$1-stacks.trace" -- true \
		>/tmp/refused.out 2>&1; then
		echo "$1 recorded kernel stacks"
		return 1
	fi
	cat /tmp/refused.out
	grep -q 'Operation not permitted' /tmp/refused.out
}
node_is() {	# OWNER:GROUP MODE
	got=$("$STAT" -c '%U:%G %a' /dev/gotrace)
	echo "/dev/gotrace: $got, want $1 $2"
	[ "$got" = "$1 $2" ]
}
is_dkms_module() {
	p=$("$MODINFO" -n gotrace)
	echo "modinfo -n gotrace: $p"
	[ "$p" = "/lib/modules/$(uname -r)/updates/dkms/gotrace.ko" ]
}
param_is() {
	v=$(cat "$PARAM")
	echo "group_access=$v, want $1"
	[ "$v" = "$1" ]
}
traces_as() {	# USER: USER records a workload; dump shows its context switches
	as "$1" "$GT" record -o "/tmp/$1.trace" -- sh -c 'ls -R /usr >/dev/null' &&
		as "$1" "$GT" dump "/tmp/$1.trace" | grep -q ' sched_switch '
}

mount -t tmpfs tmpfs /run
mkdir -p /run/udev

# ---- the module DKMS installed, found through the modules.dep it wrote ---------
step modinfo-dkms-path is_dkms_module
step modprobe "$MODPROBE" gotrace
dmesg_check modprobe
# No udev yet: the node as the module creates it.
step node-without-udev node_is root:root 600

# ---- udev: the postinst's trigger, then the rule at module load -----------------
step udevd /lib/systemd/systemd-udevd --daemon
step udev-trigger-postinst "$UDEVADM" trigger --name-match=gotrace --settle
step node-after-trigger node_is root:gotrace 660
step udevadm-test sh -c "$UDEVADM test /sys/class/misc/gotrace 2>&1 |
	grep '60-gotrace.rules'"
step modprobe-r "$MODPROBE" -r gotrace
step modprobe-udev "$MODPROBE" gotrace
step udev-settle "$UDEVADM" settle
step node-on-load node_is root:gotrace 660

# ---- who may trace: root only by default -----------------------------------------
step default-no-grant param_is N
step default-root-opens "$GT" status
step default-member-eperm refused tracer 'Operation not permitted'
step default-outsider-eacces refused outsider 'Permission denied'

# ---- the grant, as README and gotrace(4) give it: /etc/modprobe.d -----------------
echo 'options gotrace group_access=1' >/etc/modprobe.d/gotrace.conf
step grant-modprobe-r "$MODPROBE" -r gotrace
step grant-modprobe "$MODPROBE" gotrace
"$UDEVADM" settle
step grant-param param_is Y
step grant-node node_is root:gotrace 660
step grant-member-records traces_as tracer
step grant-member-no-stacks refused_stacks tracer
step grant-outsider-eacces refused outsider 'Permission denied'
dmesg_check grant
# Turned off at run time: new opens are refused again.
echo 0 >"$PARAM"
step revoke-member-eperm refused tracer 'Operation not permitted'
rm /etc/modprobe.d/gotrace.conf

# ---- smoke test as root: start, record, dump, stop, rmmod ---------------------------
step smoke-record "$GT" record -o /tmp/root.trace -- sh -c 'ls -R / >/dev/null'
step smoke-dump sh -c "$GT dump /tmp/root.trace | grep -q ' sched_switch '"
step smoke-start "$GT" start -e sched,page
cat /dev/gotrace >/tmp/cat.trace &
step smoke-stop "$GT" stop --wait
wait
step smoke-dump-stopped sh -c "$GT dump /tmp/cat.trace | grep -q ' mm_page_alloc '"
step smoke-modprobe-r "$MODPROBE" -r gotrace
step node-gone sh -c '! [ -e /dev/gotrace ]'
"$UDEVADM" control --exit
dmesg_check apt-smoke
