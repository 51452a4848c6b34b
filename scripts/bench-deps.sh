#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# What `make bench` needs beyond scripts/deps.sh, idempotently:
#   bench-deps.sh KVER [--no-lttng]
# - the peers from Debian: trace-cmd, linux-perf, lttng-tools, babeltrace2,
#   stress-ng (and python3 for the report);
# - $BUILD/bench/modroot/lib/modules/KVER: the modules of the guest kernel,
#   extracted from the same linux-image-KVER-unsigned .deb as its vmlinuz,
#   with depmod run on them (the VM loads virtio/9p/overlay from there);
# - LTTng's kernel modules built for KVER from lttng-modules-dkms' sources
#   (the .deb is unpacked, not installed: its postinst builds for every
#   installed kernel through dkms and fails on Debian's 6.1.1xx, whose
#   backported hrtimer_start tracepoint breaks lttng-probe-timer; the
#   benchmark needs only the sched and kmem probes, so the timer probe is
#   left out, and the kmem probe needs mm/slab.h from linux-source),
#   installed under modroot's extra/.
# Prints nothing on stdout; progress on stderr.  An LTTng build failure is
# not fatal: the benchmark then reports LTTng as unavailable.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
kver=${1:?usage: bench-deps.sh KVER [--no-lttng]}
lttng=1
[ "${2:-}" != --no-lttng ] || lttng=
B=$BUILD/bench
export DEBIAN_FRONTEND=noninteractive

PKGS=(trace-cmd linux-perf lttng-tools babeltrace2 stress-ng python3 kmod)
missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench-deps: installing: ${missing[*]}" >&2
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update -qq >&2 &&
		  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }
fi

mkdir -p "$B/dl"
download() {	# package -> path of its .deb in $B/dl
	local f
	f=$(ls "$B/dl/$1"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		echo "bench-deps: downloading $1" >&2
		( cd "$B/dl" && { apt-get download -q "$1" >&2 ||
			{ apt-get update -qq >&2 && apt-get download -q "$1" >&2; }; } )
		f=$(ls "$B/dl/$1"_*.deb | head -n1)
	fi
	echo "$f"
}

mods=$B/modroot/lib/modules/$kver
if [ ! -s "$mods/modules.dep" ] || [ ! -f "$mods/.complete" ]; then
	deb=$(download "linux-image-$kver-unsigned")
	rm -rf "$B/modroot"
	mkdir -p "$B/modroot"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$B/modroot" "./lib/modules/$kver"
	depmod -b "$B/modroot" "$kver"
	touch "$mods/.complete"
fi

lt=$B/lttng
if [ -n "$lttng" ] &&
   { [ ! -f "$mods/extra/lttng-tracer.ko" ] || [ ! -f "$mods/extra/lttng-probe-kmem.ko" ]; }; then
	deb=$(download lttng-modules-dkms)
	rm -rf "$lt"
	mkdir -p "$lt/x"
	dpkg-deb -x "$deb" "$lt/x"
	cp -a "$lt"/x/usr/src/lttng-modules-* "$lt/src"
	sed -i '/lttng-probe-timer\.o/d' "$lt/src/src/probes/Kbuild"
	# The kmem probe includes mm/slab.h, which is not in the headers
	# package: take it from linux-source (same Debian version) and let
	# the probe's <../../mm/slab.h> find it through -I$kinc/x/y.
	kinc=$lt/kinc
	mkdir -p "$kinc/x/y" "$kinc/mm"
	srctar=$(ls /usr/src/linux-source-"${kver%%.*}"."$(cut -d. -f2 <<<"$kver" | cut -d- -f1)".tar.xz)
	tar -xJf "$srctar" -O --wildcards '*/mm/slab.h' >"$kinc/mm/slab.h"
	sed -i 's/^ifeq (\$(kmem_dep_check),ok)$/ifeq (ok,ok)\n  CFLAGS_lttng-probe-kmem.o += -I$(LTTNG_KINC)\/x\/y/' \
		"$lt/src/src/probes/Kbuild"
	echo "bench-deps: building lttng-modules for $kver (a few minutes, once)" >&2
	if make -C "/lib/modules/$kver/build" M="$lt/src" CONFIG_LTTNG=m LTTNG_KINC="$kinc" \
		-j"$(nproc)" >"$lt/build.log" 2>&1; then
		mkdir -p "$mods/extra"
		find "$lt/src" -name '*.ko' -exec cp {} "$mods/extra/" \;
		depmod -b "$B/modroot" "$kver"
	else
		echo "bench-deps: lttng-modules build failed, see $lt/build.log" >&2
		tail -n 20 "$lt/build.log" >&2
	fi
fi
exit 0
