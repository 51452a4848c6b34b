#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-apt: the two packages installed for real with apt in a Debian
# 12 root, then that root booted in the test VM (TAP on stdout).  The host
# is not touched: the root lives in $BUILD/apt, every mount is in a private
# mount namespace, and the root is removed at the end.
#
#   1. A Debian 12 root (mmdebstrap --variant=minbase, plus dkms, openssl,
#      udev, kmod, man-db, bash-completion, adduser and the headers of the
#      6.1 kernel the VM boots; the packages of the 6.1-rt headers are
#      downloaded into it, not installed), cached as a tarball in
#      /var/cache/gotrace/apt-root/ under a name that is a hash of what it
#      holds, so that a rerun only unpacks it.
#   2. make deb (or the .debs in DEB_DIR), then in the root, as root in a
#      chroot: apt-get install ./gotrace-dkms_*.deb ./gotrace_*.deb.
#      Checked: DKMS built and installed gotrace.ko for the installed
#      headers (dkms status, vermagic, DKMS's signature, modprobe finds it
#      through modules.dep), every file of both packages is where dpkg says,
#      the group, the udev rule, `gotrace help` and `gotrace version`,
#      `man gotrace` and `man 4 gotrace` render without a groff warning,
#      bash completion loads on demand.
#   3. A kernel upgrade: apt-get install of the 6.1-rt headers builds and
#      installs the module for that kernel too (DKMS's kernel hook,
#      AUTOINSTALL).
#   4. The root (less compilers and headers) booted as the 6.1 VM's
#      initramfs: selftests/vm/apt-suite.sh loads the module with Debian's
#      modprobe, runs Debian's systemd-udevd with the packaged rule, checks
#      the node's group and mode and who may open it with and without
#      group_access, and smoke-tests it (start, record, dump, stop, rmmod).
#   5. apt-get purge of both packages: the module of every kernel, the DKMS
#      tree entry, modules.dep's line and every file are gone; nothing new
#      is left in the root but apt's and dpkg's own records and logs and
#      DKMS's signing key (shared by every DKMS module).
#
#   check-apt.sh            needs root (chroot, mounts) and mmdebstrap
# DEB_DIR=DIR: the .debs of DIR instead of a make deb of its own.
# APT_ROOT_CACHE: where the tarball is cached (/var/cache/gotrace/apt-root).
# KEEP_ROOT=1 keeps $BUILD/apt/root for a look after the run.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
W=$BUILD/apt
CACHE=${APT_ROOT_CACHE:-/var/cache/gotrace/apt-root}
SUITE=bookworm
cd "$ROOT" || exit 1

# Everything below runs in a mount and pid namespace of its own: the
# chroot's mounts, and anything started in it, end with this script.
if [ -z "${GT_APT_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "check-apt: needs root (chroot, mounts)" >&2; exit 2; }
	GT_APT_NS=1 exec unshare --mount --propagation private --pid --fork "$0" "$@"
fi
mount -t proc proc /proc	# this pid namespace's

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {	# name, then the details on stdin
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n $1"
	sed 's/^/# /' | head -n 40
}
LOG=$W/step.log
check() {	# name command...: ok if the command succeeds, its output as details
	local name=$1
	shift
	if "$@" >"$LOG" 2>&1; then ok "$name"; else not_ok "$name" <"$LOG"; fi
}
finish() {
	echo "1..$n"
	[ $failed -eq 0 ]
	exit
}

R=$W/root
cleanup() {
	umount -R "$R" 2>/dev/null
	[ "${KEEP_ROOT:-0}" = 1 ] || rm -rf --one-file-system "$R" "$W/vmroot"
}
trap cleanup EXIT
rm -rf --one-file-system "$W"
mkdir -p "$W"

# ---- the kernels --------------------------------------------------------------------
KVER=$(scripts/kernels.sh kver 6.1 2>"$W/kernels.log") &&
	KVER_UP=$(scripts/kernels.sh kver 6.1-rt 2>>"$W/kernels.log") &&
	VMLINUZ=$(scripts/kernels.sh prepare "$KVER" 2>>"$W/kernels.log") ||
	{ not_ok "kernels (scripts/kernels.sh)" <"$W/kernels.log"; finish; }
echo "# root: Debian 12 with the headers of $KVER; kernel upgrade to $KVER_UP"

# ---- the Debian 12 root, from the cache or built --------------------------------------
INCLUDE=dkms,openssl,udev,kmod,man-db,bash-completion,adduser,linux-headers-$KVER
# The upgrade's packages: what apt would install for the headers of $KVER_UP.
UPDIR=/var/cache/gotrace-kernel
cat >"$W/fetch-upgrade.sh" <<EOF
mkdir -p $UPDIR && cd $UPDIR &&
	apt-get -q download \$(apt-get install -s linux-headers-$KVER_UP |
		sed -n 's/^Inst \\([^ ]*\\) .*/\\1/p')
EOF
key=$(cat - "$W/fetch-upgrade.sh" <<<"$SUITE $INCLUDE" | sha256sum | cut -c1-16)
TARBALL=$CACHE/$SUITE-$key.tar
build_root() {
	mkdir -p "$CACHE"
	exec 7>"$CACHE/.lock"
	flock 7	# another check-apt may be building the same
	if [ ! -s "$TARBALL" ]; then
		rm -f "$CACHE/$SUITE"-*.tar	# other keys: stale
		# No mirror named: mmdebstrap takes Debian's, with the
		# updates and security suites of a stable release.
		mmdebstrap --variant=minbase --include="$INCLUDE" \
			--dpkgopt=force-unsafe-io \
			--customize-hook="chroot \"\$1\" sh <'$W/fetch-upgrade.sh'" \
			"$SUITE" "$CACHE/.new-$key.tar" || return 1
		mv "$CACHE/.new-$key.tar" "$TARBALL"
	fi
	exec 7>&-
}
command -v mmdebstrap >/dev/null ||
	{ not_ok "mmdebstrap missing (make deps)" </dev/null; finish; }
t0=$(date +%s)
if [ -s "$TARBALL" ]; then
	ok "root tarball cached: $TARBALL"
elif build_root >"$W/mmdebstrap.log" 2>&1; then
	ok "root tarball built in $(($(date +%s) - t0)) s: $TARBALL"
else
	rm -f "$CACHE/.new-$key.tar"
	tail -n 30 "$W/mmdebstrap.log" | not_ok "mmdebstrap ($W/mmdebstrap.log)"
	finish
fi
mkdir -p "$R"
mount --bind "$R" "$R"	# one umount -R takes every mount below it away
t0=$(date +%s)
check "unpack root" tar -C "$R" --numeric-owner -xpf "$TARBALL"
echo "# unpacked in $(($(date +%s) - t0)) s"

# The chroot: its own /proc, a /dev with the few nodes apt and dpkg use (no
# /sys and no host /dev: nothing in it can reach the host's devices or
# trigger the host's udev), the host's resolver for nothing (no network
# use: every package is in the root already).
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=0755 tmpfs "$R/dev"
for d in null zero full random urandom tty; do
	touch "$R/dev/$d"
	mount --bind "/dev/$d" "$R/dev/$d"
done
ln -s /proc/self/fd "$R/dev/fd"	# bash's <(...), which dkms uses
ln -s /proc/self/fd/0 "$R/dev/stdin"
ln -s /proc/self/fd/1 "$R/dev/stdout"
ln -s /proc/self/fd/2 "$R/dev/stderr"
mkdir "$R/dev/pts" "$R/dev/shm"
in_root() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
# What the root holds (paths), before and after the packages.
snapshot() {
	in_root find / -xdev \( -path /proc -o -path /dev -o -path /tmp \) -prune -o -print |
		LC_ALL=C sort
}
snapshot >"$W/before.txt"
: >"$W/upgrade-files.txt"

# ---- make deb --------------------------------------------------------------------------
DEBS=${DEB_DIR:-$W/deb}
if [ -z "${DEB_DIR:-}" ]; then
	t0=$(date +%s)
	check "make deb" make -s deb BUILD="$W"
	echo "# make deb: $(($(date +%s) - t0)) s"
fi
deb_dkms=$(ls "$DEBS"/gotrace-dkms_*_all.deb 2>/dev/null | head -n1)
deb_tool=$(ls "$DEBS"/gotrace_*.deb 2>/dev/null | head -n1)
[ -n "$deb_dkms" ] && [ -n "$deb_tool" ] ||
	{ not_ok "packages in $DEBS" </dev/null; finish; }
VER=$(dpkg-deb -f "$deb_tool" Version)
mkdir -p "$R/tmp/debs"
cp "$deb_dkms" "$deb_tool" "$R/tmp/debs/"

# ---- apt install -----------------------------------------------------------------------
apt_get() { in_root apt-get -y -q -o Dpkg::Use-Pty=0 "$@"; }
t0=$(date +%s)
if apt_get install /tmp/debs/"${deb_dkms##*/}" /tmp/debs/"${deb_tool##*/}" \
	>"$W/install.log" 2>&1; then
	ok "apt-get install ./gotrace-dkms_${VER}_all.deb ./${deb_tool##*/} ($(($(date +%s) - t0)) s)"
else
	tail -n 30 "$W/install.log" | not_ok "apt-get install (log: $W/install.log)"
	finish
fi
# DKMS reports a failed build in the postinst without failing it.
check "no error in apt's output" sh -c "! grep -i -E '^(E:|Error!|dpkg: error)|warning:' '$W/install.log'"

# dkms_installed KVER: DKMS built, signed and installed the module for
# KVER, depmod recorded it, and Debian's modprobe would load that file.
dkms_installed() {
	local k=$1 st ko vm
	st=$(in_root dkms status -m gotrace -v "$VER" -k "$k")
	echo "dkms status: $st"
	[ "$st" = "gotrace/$VER, $k, $(uname -m): installed" ] || return 1
	ko=$(ls "$R/lib/modules/$k/updates/dkms/"gotrace.ko* 2>/dev/null | head -n1)
	[ -n "$ko" ] || { echo "no /lib/modules/$k/updates/dkms/gotrace.ko*"; return 1; }
	vm=$(modinfo -F vermagic "$ko")
	echo "vermagic: $vm; signer: $(modinfo -F signer "$ko")"
	[ "${vm%% *}" = "$k" ] || return 1
	[ "$(modinfo -F signer "$ko")" = "DKMS module signing key" ] || return 1
	in_root modprobe --dry-run --show-depends --set-version="$k" gotrace |
		tee /dev/stderr | grep -qx "insmod /lib/modules/$k/updates/dkms/${ko##*/} *"
}
check "dkms: gotrace $VER installed for $KVER" dkms_installed "$KVER"

# Every path of both packages exists, and the ones the documentation names.
package_files() {
	local p f bad=0
	for p in gotrace-dkms gotrace; do
		while read -r f; do
			[ -e "$R$f" ] || { echo "$p: $f missing"; bad=1; }
		done < <(in_root dpkg -L "$p")
	done
	for f in /usr/bin/gotrace /usr/share/man/man1/gotrace.1.gz \
		 /usr/share/man/man4/gotrace.4.gz \
		 /usr/share/bash-completion/completions/gotrace \
		 /lib/udev/rules.d/60-gotrace.rules /usr/src/gotrace-"$VER"/dkms.conf \
		 /usr/share/doc/gotrace/copyright /usr/share/doc/gotrace-dkms/copyright; do
		in_root dpkg -S "$f" >/dev/null || { echo "$f: in no package"; bad=1; }
	done
	cmp "$R/lib/udev/rules.d/60-gotrace.rules" dist/60-gotrace.rules || bad=1
	return $bad
}
check "every file of both packages in place" package_files

group_made() {
	local g
	g=$(in_root getent group gotrace) || { echo "no group gotrace"; return 1; }
	echo "$g"
	[ "$(cut -d: -f3 <<<"$g")" -lt 1000 ]	# a system group
}
check "group gotrace (system) created" group_made

tool_runs() {
	local v
	v=$(in_root gotrace version) || return 1
	echo "gotrace version: $v"
	in_root gotrace help | grep -q '^Commands:' &&
		grep -qE "^gotrace ${VER//./\\.}([ ,]|\$)" <<<"$v"
}
check "gotrace help, gotrace version = $VER" tool_runs

# man finds both pages; groff renders them without a warning.
man_pages() {
	local s p err
	for s in 1 4; do
		p=$(in_root man -w "$s" gotrace)
		echo "man -w $s gotrace: $p"
		[ "$p" = "/usr/share/man/man$s/gotrace.$s.gz" ] || return 1
		err=$(in_root env MANWIDTH=80 man --warnings "$s" gotrace 2>&1 >"$W/man$s.txt")
		[ -z "$err" ] || { echo "$err"; return 1; }
		grep -q "^NAME" "$W/man$s.txt" || return 1
	done
}
check "man gotrace, man 4 gotrace" man_pages

# bash-completion loads the packaged completion on first use.
completion_loads() {
	in_root bash -c '. /usr/share/bash-completion/bash_completion
		__load_completion gotrace && complete -p gotrace
		COMP_WORDS=(gotrace re); COMP_CWORD=1; COMP_LINE="gotrace re"
		COMP_POINT=${#COMP_LINE}; COMPREPLY=()
		compopt() { :; }
		$(complete -p gotrace | sed -n "s/.* -F \([^ ]*\) .*/\1/p") gotrace re gotrace
		printf "%s\n" "${COMPREPLY[@]}"' >"$W/completion.txt" 2>&1
	cat "$W/completion.txt"
	grep -qx record "$W/completion.txt" && grep -qx report "$W/completion.txt"
}
check "bash completion loads on demand" completion_loads

# ---- a kernel upgrade: the new kernel's headers get the module too ------------------------
t0=$(date +%s)
if in_root sh -c "apt-get -y -q -o Dpkg::Use-Pty=0 install $UPDIR/*.deb" \
	>"$W/upgrade.log" 2>&1; then
	ok "apt-get install linux-headers-$KVER_UP ($(($(date +%s) - t0)) s)"
	check "dkms: gotrace $VER installed for $KVER_UP (kernel hook)" dkms_installed "$KVER_UP"
	# Their files, as the snapshot names them (/lib is /usr/lib).
	for f in "$R$UPDIR"/*.deb; do
		in_root dpkg -L "$(dpkg-deb -f "$f" Package)"
	done | sed -E 's,^/(lib|bin|sbin)(/|$),/usr/\1\2,' | LC_ALL=C sort -u >"$W/upgrade-files.txt"
else
	tail -n 30 "$W/upgrade.log" | not_ok "apt-get install linux-headers-$KVER_UP"
fi

# ---- the VM's root: the installed system, less what only builds ----------------------------
V=$W/vmroot
mkdir -p "$V"
vm_root() {
	tar -C "$R" --numeric-owner \
		--exclude=./proc/* --exclude=./dev/* --exclude=./tmp/* \
		--exclude=./usr/src --exclude=./usr/lib/gcc --exclude=./usr/libexec/gcc \
		--exclude=./usr/include --exclude=./usr/lib/linux-kbuild-* \
		--exclude=./usr/share/doc --exclude=./usr/share/man \
		--exclude=./usr/share/locale --exclude=./usr/share/perl \
		--exclude=./usr/lib/x86_64-linux-gnu/perl --exclude=./var/lib/dkms \
		--exclude=./var/cache --exclude=./var/lib/apt \
		--exclude='./usr/bin/x86_64-linux-gnu-*' -cf - . |
		tar -C "$V" --numeric-owner -xpf - || return 1
	# The administrator's part: a user in the group, one outside it.
	chroot "$V" useradd -M -d /tmp -s /bin/sh -G gotrace tracer &&
		chroot "$V" useradd -M -d /tmp -s /bin/sh outsider &&
		selftests/vm/mkinitramfs.sh -R "$V" -o "$W/initramfs.cpio.gz" \
			-r selftests/vm/apt-suite.sh || return 1
	echo "initramfs: $(du -sh "$V" | cut -f1) unpacked, $(du -h "$W/initramfs.cpio.gz" | cut -f1)"
}
if vm_root >"$W/vmroot.log" 2>&1; then
	ok "VM root packed ($(tail -n1 "$W/vmroot.log"))"
else
	not_ok "VM root ($W/vmroot.log)" <"$W/vmroot.log"
fi
rm -rf --one-file-system "$V"

# ---- apt purge: nothing left ------------------------------------------------------------------
if apt_get purge gotrace gotrace-dkms >"$W/purge.log" 2>&1; then
	ok "apt-get purge gotrace gotrace-dkms"
else
	tail -n 30 "$W/purge.log" | not_ok "apt-get purge (log: $W/purge.log)"
fi
purged() {
	local p st k
	for p in gotrace gotrace-dkms; do
		st=$(in_root dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = "un " ] || [ "$st" = "pn " ] ||
			{ echo "$p: dpkg status '$st'"; return 1; }
	done
	[ -z "$(in_root dkms status -m gotrace)" ] || { in_root dkms status; return 1; }
	[ ! -e "$R/var/lib/dkms/gotrace" ] || { echo "/var/lib/dkms/gotrace left"; return 1; }
	for k in "$KVER" "$KVER_UP"; do
		! ls "$R/lib/modules/$k/updates/dkms/"gotrace.ko* 2>/dev/null || return 1
		! grep -n gotrace "$R/lib/modules/$k/modules.dep" || return 1
	done
}
check "purged: no module, no DKMS entry, no modules.dep line" purged
# New paths since before the install.  Expected: apt's and dpkg's records,
# logs and caches; DKMS's signing key (created at its first build, shared by
# every DKMS module: README, Secure Boot); depmod's indexes of each kernel
# (DKMS ran depmod; they no longer name gotrace, see above); adduser's lock
# directory; the files of the upgrade's kernel headers.
leftovers() {
	snapshot >"$W/after.txt"
	LC_ALL=C comm -13 "$W/before.txt" "$W/after.txt" | grep -v -E \
		-e '^/var/(lib/dpkg|lib/apt|log|cache/(apt|man|debconf|ldconfig))(/|$)' \
		-e '^/var/lib/dkms/mok\.(key|pub)$' -e '^/run/adduser$' \
		-e '^/usr/lib/modules/[^/]+/modules\.[a-z.]+$' |
		LC_ALL=C comm -23 - "$W/upgrade-files.txt" >"$W/leftovers.txt"
	LC_ALL=C comm -23 "$W/before.txt" "$W/after.txt" >"$W/removed.txt"
	cat "$W/leftovers.txt"
	[ ! -s "$W/removed.txt" ] || { echo "removed:"; cat "$W/removed.txt"; }
	[ ! -s "$W/leftovers.txt" ] && [ ! -s "$W/removed.txt" ]
}
check "purged: no file left behind, none taken away" leftovers
umount -R "$R"
[ "${KEEP_ROOT:-0}" = 1 ] || rm -rf --one-file-system "$R"

# ---- the VM: modprobe, udev, access model, smoke test ---------------------------------------
if [ -s "$W/initramfs.cpio.gz" ]; then
	rc=0
	selftests/vm/run-vm.sh -k "$VMLINUZ" -i "$W/initramfs.cpio.gz" -d "$W/vm" \
		-T "${VM_TIMEOUT:-600}" -p "vm:" >"$W/vm.log" 2>&1 || rc=$?
	touch "$W/vm/results.txt"
	while read -r res name _; do
		if [ "$res" = ok ]; then
			ok "$name"
		elif [ "$res" = skip ]; then
			ok "$name # SKIP"
		else
			grep -A20 -F -- "$name" "$W/vm/failures.txt" 2>/dev/null | not_ok "$name"
		fi
	done <"$W/vm/results.txt"
	if [ $rc -ne 0 ] || ! grep -q '^GOTRACE-VM: END' "$W/vm/ttyS1.log" 2>/dev/null; then
		{ tail -n 20 "$W/vm.log"; tail -n 40 "$W/vm/ttyS1.log" 2>/dev/null; } |
			not_ok "VM run ($KVER, run-vm exit $rc, logs in $W/vm)"
	else
		echo "# VM: $(cat "$W/vm/seconds") s"
	fi
fi
finish
