#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Lay out the module's source as DKMS builds it (what /usr/src/gotrace-VERSION
# holds, from `make dkms-install` or the gotrace-dkms package):
#
#   dkms-src.sh DIR            Kbuild, kmod/, uapi/ and dkms.conf in DIR
#   dkms-src.sh --no-conf DIR  the same without dkms.conf (dh_dkms installs it)
#
# The version in dkms.conf is the tool's (userspace/common.h), which the
# module and debian/changelog repeat (scripts/check-install.sh checks).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
conf=1
if [ "${1:-}" = --no-conf ]; then
	conf=
	shift
fi
dir=${1:?usage: dkms-src.sh [--no-conf] DIR}
version=$(sed -n 's/^#define GOTRACE_TOOL_VERSION[^"]*"\(.*\)"/\1/p' "$ROOT/userspace/common.h")
[ -n "$version" ] || { echo "dkms-src: no GOTRACE_TOOL_VERSION in userspace/common.h" >&2; exit 1; }

mkdir -p "$dir/kmod" "$dir/uapi/linux"
install -m 0644 "$ROOT/Kbuild" "$dir/Kbuild"
install -m 0644 "$ROOT"/kmod/Kbuild "$ROOT"/kmod/*.c "$ROOT"/kmod/*.h "$dir/kmod/"
install -m 0644 "$ROOT/uapi/linux/gotrace.h" "$dir/uapi/linux/"
if [ -n "$conf" ]; then
	sed "s/#MODULE_VERSION#/$version/" "$ROOT/dkms.conf" >"$dir/dkms.conf"
	chmod 0644 "$dir/dkms.conf"
fi
