#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs (cpio newc, gzip) of the gotrace test VM (the one
# initramfs builder; scripts/vm.sh calls it):
#   mkinitramfs.sh -o OUT.cpio.gz -r RUN.sh [-k gotrace.ko] [-g gotrace]
#                  [-t test-binary]... [-d dkms-built gotrace.ko] [-R ROOTDIR]
#                  [-i INIT] [-f FILE[=PATH]]...
# Contents: static busybox (applet links are made by /init), /init (this
# directory's init, or INIT), /run.sh, /gotrace.ko, /bin/gotrace, /tests/*,
# /dkms/gotrace.ko (the module as DKMS built it from the gotrace-dkms
# package: suite.sh smoke-tests it after the suite), and each FILE at PATH
# (default: its own path; e.g. stress-ng and its libraries, or the
# System.map of gotrace_symbolize).  -r is optional with -i.  -R lays all that
# over a copy of ROOTDIR, a Debian root (scripts/check-apt.sh), keeping its
# /bin, /etc/passwd and /etc/group.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
out= run= ko= gt= dkms= base= init=$HERE/init
tests=() files=()
while getopts "o:r:k:g:t:d:R:i:f:" opt; do
	case $opt in
	o) out=$OPTARG ;;
	r) run=$OPTARG ;;
	k) ko=$OPTARG ;;
	g) gt=$OPTARG ;;
	t) tests+=("$OPTARG") ;;
	d) dkms=$OPTARG ;;
	R) base=$OPTARG ;;
	i) init=$OPTARG ;;
	f) files+=("$OPTARG") ;;
	*) exit 2 ;;
	esac
done
[ -n "$out" ] && { [ -n "$run" ] || [ "$init" != "$HERE/init" ]; } ||
	{ echo "usage: $0 -o OUT -r RUN.sh [-k ko] [-g gotrace] [-t test]... [-i INIT] [-f FILE[=PATH]]..." >&2; exit 2; }

busybox=$(command -v busybox || true)
[ -n "$busybox" ] || busybox=/bin/busybox
if ! { LC_ALL=C ldd "$busybox" 2>&1 || true; } | grep -Eq 'not a dynamic|statically linked'; then
	echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2
	exit 1
fi

stage=$(mktemp -d "${out%/*}/initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
[ -z "$base" ] || tar -C "$base" -cf - . | tar -C "$stage" --numeric-owner -xpf -
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,xfer,tests,etc}
cp "$busybox" "$stage/bin/busybox"
cp "$init" "$stage/init"
[ -z "$run" ] || cp "$run" "$stage/run.sh"
chmod 755 "$stage/init" "$stage/bin/busybox"
[ -z "$ko" ] || cp "$ko" "$stage/gotrace.ko"
[ -z "$gt" ] || cp "$gt" "$stage/bin/gotrace"
[ -z "$dkms" ] || { mkdir -p "$stage/dkms" && cp "$dkms" "$stage/dkms/gotrace.ko"; }
for t in ${tests[@]+"${tests[@]}"}; do
	cp "$t" "$stage/tests/"
done
for f in ${files[@]+"${files[@]}"}; do
	src=${f%%=*} dst=${f#*=}
	mkdir -p "$stage$(dirname "$dst")"
	cp -L "$src" "$stage$dst"
done
[ -e "$stage/etc/passwd" ] || echo "root:x:0:0:root:/tmp:/bin/sh" >"$stage/etc/passwd"
[ -e "$stage/etc/group" ] || echo "root:x:0:" >"$stage/etc/group"

# Every file root's, but a Debian root's own owners stay.
owner=(-R 0:0)
[ -z "$base" ] || owner=()
( cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc "${owner[@]}" --quiet ) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
