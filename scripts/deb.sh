#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the gotrace-dkms and gotrace Debian packages (debian/), built
# with dpkg-buildpackage in a fresh copy of the tree's source files (what
# git tracks or would track: .gitignore'd build output stays out), so that
# nothing built in the tree gets in:
#
#   deb.sh [OUTDIR]     -> OUTDIR/gotrace-dkms_V_all.deb, gotrace_V_ARCH.deb
#                          (default OUTDIR: $BUILD/deb); prints their paths
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
out=${1:-$BUILD/deb}
version=$(cd "$ROOT" && dpkg-parsechangelog -S Version)
src=$out/gotrace-$version

for t in dpkg-buildpackage dh dh_dkms; do
	command -v "$t" >/dev/null ||
		{ echo "deb: $t missing (apt-get install dpkg-dev debhelper dh-dkms)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$src"
# Source files that exist (a change may have deleted tracked ones); outside
# a git checkout, every file but .build/.
sources() {
	if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
			(cd "$ROOT" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh)
	else
		(cd "$ROOT" && find . -path ./.build -prune -o -type f -print0)
	fi
}
sources | (cd "$ROOT" && cpio -p -0 -d -m --quiet "$src")
( cd "$src" && dpkg-buildpackage -us -uc -b ) >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; echo "deb: dpkg-buildpackage failed ($out/build.log)" >&2; exit 1; }
ls "$out"/*.deb
