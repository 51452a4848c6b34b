#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernels gotrace supports, by series name: "6.1" (the one
# linux-headers-amd64 points at), "6.12" (linux-headers-6.12-amd64) and
# their PREEMPT_RT flavours "6.1-rt" (linux-headers-rt-amd64) and "6.12-rt"
# (linux-headers-6.12-rt-amd64), which make check boots and tests; and,
# build-checked only, the cloud flavours "6.1-cloud"
# (linux-headers-cloud-amd64) and "6.12-cloud" (linux-headers-6.12-cloud-amd64).
# Their exact versions are resolved here at run time from apt's metadata.
# The first tested series is the default kernel (demo, bench, the viewers'
# check, vm-shell, the DKMS smoke test).  Debian's linux-source of series
# SOURCE gives the kselftest headers and checkpatch (linux-src.sh) and the
# debug kernels "SOURCE-kasan" and "SOURCE-kcsan" (debug-kernel.sh, make
# check-debug).  This file is the one list of kernels: the other scripts
# name none.
#
#   kernels.sh names           print the tested series names, one a line
#   kernels.sh list            print the kernel release (KVER) of each tested
#                              kernel, in the order above (the first is 6.1)
#   kernels.sh series          print "SERIES KVER" of each tested kernel
#   kernels.sh build-only      print "SERIES KVER" of each build-checked kernel
#   kernels.sh kver SERIES     print the KVER of SERIES (exact name, any kind)
#   kernels.sh prepare KVER    make sure the headers of KVER are installed and
#                              that $BUILD/kernels/KVER/vmlinuz exists; print it
#   kernels.sh dbg KVER        download linux-image-KVER-dbg (large: ~850 MB)
#                              into $DBG_CACHE, keep its vmlinux and
#                              System.map (linux-image-KVER's is a stub),
#                              print the vmlinux's path (symbolize tests)
#   kernels.sh dbg-cached KVER print that path if it is there already
#   kernels.sh headers KVER    make sure the headers of KVER are installed
#   kernels.sh default         print the default series
#   kernels.sh runs check|stress  print the default VM runs (SERIES[:cmdline])
#                              of make check (CHECK_RUNS) or make stress
#   kernels.sh packages        print the header meta packages (scripts/deps.sh)
#   kernels.sh source          print SOURCE (linux-source-SOURCE)
#   kernels.sh debug           print the debug kernels' series names
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
SERIES=(6.1 6.12 6.1-rt 6.12-rt 6.1-cloud 6.12-cloud)
META_PKGS=(linux-headers-amd64 linux-headers-6.12-amd64 linux-headers-rt-amd64 linux-headers-6.12-rt-amd64
	   linux-headers-cloud-amd64 linux-headers-6.12-cloud-amd64)
NTESTED=4	# the first NTESTED are booted; the others only built
DBG_CACHE=${DBG_CACHE:-/var/cache/gotrace/debian-kernels}
SOURCE=6.1
DEBUG_FLAVOURS=(kasan kcsan)
# make check boots each tested kernel, and the non-RT ones once more with
# full preemption; make stress the first and the second (preempt=full).
CHECK_RUNS="6.1 6.1:preempt=full 6.12 6.12:preempt=full 6.1-rt 6.12-rt"
STRESS_RUNS="6.1 6.12:preempt=full"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

resolve() {	# meta package -> KVER
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\([0-9][^ ]*\)$/\1/p' | head -n1
}

list() {	# tested|build-only|all [SERIES]: "SERIES KVER" of each kernel, or of SERIES only
	local i m k updated=
	for i in "${!META_PKGS[@]}"; do
		case $1 in
		tested) [ "$i" -lt $NTESTED ] || continue ;;
		build-only) [ "$i" -ge $NTESTED ] || continue ;;
		esac
		[ -z "${2:-}" ] || [ "$2" = "${SERIES[$i]}" ] || continue
		m=${META_PKGS[$i]}
		k=$(resolve "$m")
		# No answer, or an answer whose image the archive no longer has
		# (stale lists): refresh the lists once and ask again.
		if { [ -z "$k" ] || ! apt-cache show "linux-image-$k-unsigned" >/dev/null 2>&1; } &&
		   [ -z "$updated" ]; then
			$SUDO apt-get update -qq >&2
			updated=1
			k=$(resolve "$m")
		fi
		[ -n "$k" ] || { echo "kernels: cannot resolve $m" >&2; exit 1; }
		echo "${SERIES[$i]} $k"
	done
}

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

headers() {
	local kver=$1
	if ! installed "linux-headers-$kver" || [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
		echo "kernels: installing linux-headers-$kver" >&2
		$SUDO apt-get install -y -qq --no-install-recommends "linux-headers-$kver" >&2 ||
			{ $SUDO apt-get update -qq >&2 &&
			  $SUDO apt-get install -y -qq --no-install-recommends "linux-headers-$kver" >&2; }
	fi
}

prepare() {
	local kver=$1 dir=$BUILD/kernels/$1 tmp
	headers "$kver"
	if [ ! -s "$dir/vmlinuz" ]; then
		echo "kernels: downloading linux-image-$kver-unsigned" >&2
		mkdir -p "$dir"
		tmp=$(mktemp -d "$dir/dl.XXXXXX")
		( cd "$tmp" && { apt-get download -q "linux-image-$kver-unsigned" ||
			{ $SUDO apt-get update -qq && apt-get download -q "linux-image-$kver-unsigned"; }; } ) \
			>"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; rm -rf "$tmp"; exit 1; }
		dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb |
			tar -x -C "$tmp" "./boot/vmlinuz-$kver"
		mv "$tmp/boot/vmlinuz-$kver" "$dir/vmlinuz.new"
		mv "$dir/vmlinuz.new" "$dir/vmlinuz"
		rm -rf "$tmp"
	fi
	echo "$dir/vmlinuz"
}

dbg_vmlinux() { echo "$DBG_CACHE/usr/lib/debug/boot/vmlinux-$1"; }
dbg() {
	local kver=$1 tmp
	if [ ! -s "$(dbg_vmlinux "$kver")" ]; then
		echo "kernels: downloading linux-image-$kver-dbg" >&2
		mkdir -p "$DBG_CACHE"
		tmp=$(mktemp -d "$DBG_CACHE/dl.XXXXXX")
		( cd "$tmp" && apt-get download -q "linux-image-$kver-dbg" ) >&2 ||
			{ rm -rf "$tmp"; exit 1; }
		dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb |
			tar -x -C "$DBG_CACHE" "./usr/lib/debug/boot/vmlinux-$kver" \
				"./usr/lib/debug/boot/System.map-$kver"
		rm -rf "$tmp"
	fi
	dbg_vmlinux "$kver"
}

case "${1:-}" in
names)	# One write (bash's own printf writes line by line), so that a reader
	# that stops at its match (grep -q) does not make this fail with SIGPIPE.
	env printf '%s\n' "${SERIES[@]:0:NTESTED}" ;;
list)	list tested | cut -d' ' -f2 ;;
series)	list tested ;;
build-only) list build-only ;;
kver)
	[ $# -eq 2 ] || { echo "usage: $0 kver SERIES" >&2; exit 2; }
	k=$(list all "$2" | cut -d' ' -f2)
	[ -n "$k" ] || { echo "kernels: no kernel of series $2 (known: ${SERIES[*]})" >&2; exit 1; }
	echo "$k" ;;
prepare)
	[ $# -eq 2 ] || { echo "usage: $0 prepare KVER" >&2; exit 2; }
	prepare "$2" ;;
dbg)
	[ $# -eq 2 ] || { echo "usage: $0 dbg KVER" >&2; exit 2; }
	dbg "$2" ;;
dbg-cached)
	[ $# -eq 2 ] || { echo "usage: $0 dbg-cached KVER" >&2; exit 2; }
	[ ! -s "$(dbg_vmlinux "$2")" ] || dbg_vmlinux "$2" ;;
headers)
	[ $# -eq 2 ] || { echo "usage: $0 headers KVER" >&2; exit 2; }
	headers "$2" ;;
default) echo "${SERIES[0]}" ;;
runs)
	case "${2:-}" in
	check) echo "$CHECK_RUNS" ;;
	stress) echo "$STRESS_RUNS" ;;
	*) echo "usage: $0 runs check|stress" >&2; exit 2 ;;
	esac ;;
packages) env printf '%s\n' "${META_PKGS[@]}" ;;
source) echo "$SOURCE" ;;
debug)	env printf "$SOURCE-%s\n" "${DEBUG_FLAVOURS[@]}" ;;
*)	echo "usage: $0 names | list | series | build-only | kver SERIES | prepare KVER | dbg KVER | dbg-cached KVER | headers KVER" >&2
	echo "       | default | runs check|stress | packages | source | debug" >&2
	exit 2 ;;
esac
