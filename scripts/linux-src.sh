#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract the few files gotrace uses from Debian's linux-source tarball
# (of scripts/kernels.sh's SOURCE series)
# (kselftest harness headers, checkpatch.pl and its data files) into
# $BUILD/linux-src, once.  Prints that directory.  Nothing of it is committed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
OUT=$BUILD/linux-src
FILES=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)

if [ -f "$OUT/.done" ]; then
	echo "$OUT"
	exit 0
fi

src=linux-source-$("$ROOT/scripts/kernels.sh" source)
tarball=$(ls /usr/src/"$src".tar.* 2>/dev/null | head -n1 || true)
if [ -z "$tarball" ]; then
	echo "linux-src: /usr/src/$src.tar.* missing; run scripts/deps.sh" >&2
	exit 1
fi
echo "linux-src: extracting ${#FILES[@]} files from $tarball" >&2
top=$(basename "$tarball"); top=${top%%.tar.*}
rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp"
members=()
for f in "${FILES[@]}"; do members+=("$top/$f"); done
tar -x -C "$OUT.tmp" --strip-components=1 --occurrence=1 -f "$tarball" "${members[@]}"
for f in "${FILES[@]}"; do
	[ -s "$OUT.tmp/$f" ] || { echo "linux-src: $f not found in $tarball" >&2; exit 1; }
done
chmod +x "$OUT.tmp/scripts/checkpatch.pl"
mkdir -p "$OUT.tmp/include"
cp "$OUT.tmp/tools/testing/selftests/kselftest_harness.h" \
   "$OUT.tmp/tools/testing/selftests/kselftest.h" "$OUT.tmp/include/"
touch "$OUT.tmp/.done"
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
echo "$OUT"
