#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own benchmark of the ftrace ring buffer, which Debian does not
# build (CONFIG_RING_BUFFER_BENCHMARK is not set), as an out-of-tree module:
#
#   build-rbb.sh KVER    -> $BUILD/bench/rbb/KVER/ring_buffer_benchmark.ko
#
# kernel/trace/ring_buffer_benchmark.c is taken, unchanged, from Debian's
# linux-source-X.Y tarball (installed by scripts/deps.sh) at build time and
# built against /lib/modules/KVER/build.  Nothing of it is committed.  The
# ring_buffer_* functions it calls must be exported by the Debian kernel:
# when modpost finds one that is not (or the build fails otherwise), the
# reason is printed on stderr and the exit status is 1.  A note of where the
# source came from is written next to the module (source.txt).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
kver=${1:?usage: build-rbb.sh KVER}
kdir=/lib/modules/$kver/build
out=$BUILD/bench/rbb/$kver
log=$BUILD/logs/rbb-$kver.log
file=kernel/trace/ring_buffer_benchmark.c

[ -e "$kdir/Makefile" ] || { echo "build-rbb: $kdir missing (linux-headers-$kver)" >&2; exit 1; }
mm=$(cut -d. -f1,2 <<<"$kver")
tarball=$(ls /usr/src/linux-source-"$mm".tar.* 2>/dev/null | head -n1 || true)
[ -n "$tarball" ] ||
	{ echo "build-rbb: /usr/src/linux-source-$mm.tar.* missing (linux-source-$mm)" >&2; exit 1; }

mkdir -p "$BUILD/logs"
rm -rf "$out"
mkdir -p "$out"
top=$(basename "$tarball"); top=${top%%.tar.*}
tar -x -O -f "$tarball" --occurrence=1 "$top/$file" >"$out/ring_buffer_benchmark.c"
[ -s "$out/ring_buffer_benchmark.c" ] || { echo "build-rbb: $file not in $tarball" >&2; exit 1; }
echo 'obj-m := ring_buffer_benchmark.o' >"$out/Kbuild"

# The source should be the guest kernel's own version; say so when not.
src_ver=$(dpkg-query -W -f='${Version}' "linux-source-$mm" 2>/dev/null || echo '?')
hdr_ver=$(dpkg-query -W -f='${Version}' "linux-headers-$kver" 2>/dev/null || echo '?')
echo "$file of linux-source-$mm $src_ver, built against linux-headers-$kver $hdr_ver" \
	>"$out/source.txt"
[ "$src_ver" = "$hdr_ver" ] ||
	echo "build-rbb: warning: linux-source-$mm is $src_ver, linux-headers-$kver is $hdr_ver" >&2

rc=0
make -C "$kdir" M="$out" KCFLAGS="-Werror" modules >"$log" 2>&1 || rc=$?
unexported=$(sed -n 's/.*modpost: "\([^"]*\)" .* undefined!.*/\1/p' "$log" | sort -u | tr '\n' ' ')
if [ -n "$unexported" ]; then
	echo "build-rbb: not exported by the $kver kernel (Module.symvers): $unexported" >&2
	exit 1
fi
if [ $rc -ne 0 ] || grep -qi 'warning' "$log"; then
	echo "build-rbb: $kver: FAILED (rc=$rc), see $log" >&2
	grep -i -B2 -A6 -E 'warning|error' "$log" | head -n 40 >&2 || tail -n 40 "$log" >&2
	exit 1
fi
[ -f "$out/ring_buffer_benchmark.ko" ] || { echo "build-rbb: no ring_buffer_benchmark.ko" >&2; exit 1; }
echo "$out/ring_buffer_benchmark.ko"
