#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build gotrace.ko for one kernel in a private copy of the sources, so that
# builds for several kernels never share object files:
#
#   build-module.sh KVER         -> $BUILD/KVER/src/kmod/gotrace.ko
#
# The copy keeps the layout of the tree (Kbuild, kmod/, uapi/), so kmod/Kbuild
# finds the uapi header at $(src)/../uapi.  Any warning fails the build.
# SRC=dir builds another tree of the same layout (used for testing the tests).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
SRC=${SRC:-$ROOT}
kver=${1:?usage: build-module.sh KVER}
kdir=/lib/modules/$kver/build
out=$BUILD/$kver/src
log=$BUILD/logs/module-$kver.log

[ -e "$kdir/Makefile" ] || { echo "build-module: $kdir missing (linux-headers-$kver)" >&2; exit 1; }
[ -f "$SRC/kmod/Kbuild" ] || [ -f "$SRC/kmod/Makefile" ] ||
	{ echo "build-module: no $SRC/kmod/Kbuild yet" >&2; exit 1; }

mkdir -p "$BUILD/logs"
rm -rf "$out"
mkdir -p "$out"
cp -a "$SRC/Kbuild" "$SRC/kmod" "$SRC/uapi" "$out/"
# Object files of an in-tree build must not leak into the copy.
find "$out" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' -o -name 'modules.order' -o -name 'Module.symvers' \) -delete

rc=0
make -C "$kdir" M="$out" KCFLAGS="-Werror" modules >"$log" 2>&1 || rc=$?
if [ $rc -ne 0 ] || grep -qi 'warning' "$log"; then
	echo "build-module: $kver: FAILED (rc=$rc)" >&2
	grep -i -B2 -A6 -E 'warning|error' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
	exit 1
fi
[ -f "$out/kmod/gotrace.ko" ] || { echo "build-module: $kver: no kmod/gotrace.ko" >&2; exit 1; }
echo "$out/kmod/gotrace.ko"
