#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make vm-shell [KERNEL=6.1|6.12|6.1-rt|6.12-rt] [APPEND="..."]`: boot the test VM with
# the module, the tool and the selftests, and an interactive shell on this
# terminal (for debugging; Ctrl-A X kills QEMU).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$ROOT/.build}
VM=$ROOT/selftests/vm
series=${KERNEL:-6.1}
cd "$ROOT"
. "$ROOT/scripts/lock.sh"
mkdir -p "$BUILD/logs"
scripts/deps.sh >/dev/null
kver=$(scripts/kernels.sh kver "$series") ||
	{ echo "vm-shell: no kernel of series $series" >&2; exit 1; }
vmlinuz=$(scripts/kernels.sh prepare "$kver")
ko=$(scripts/build-module.sh "$kver")
args=(-o "$BUILD/$kver/shell-initramfs.cpio.gz" -r "$VM/shell.sh" -k "$ko")
if make -C userspace O="$BUILD/static" LDFLAGS=-static >"$BUILD/logs/shell-userspace.log" 2>&1; then
	args+=(-g "$BUILD/static/gotrace")
	ksft=$(scripts/linux-src.sh)
	if [ -f selftests/Makefile ] &&
	   make -C selftests O="$BUILD/static/selftests" KSFT_INC="$ksft/include" \
		LIBGOTRACE="$BUILD/static/lib/libgotrace.a" >"$BUILD/logs/shell-selftests.log" 2>&1; then
		for t in "$BUILD"/static/selftests/*; do
			[ -f "$t" ] && [ -x "$t" ] && args+=(-t "$t")
		done
	fi
else
	echo "vm-shell: userspace did not build; no gotrace tool in the VM" >&2
fi
"$VM/mkinitramfs.sh" "${args[@]}"
exec 9>&-
exec "$VM/run-vm.sh" -I -k "$vmlinuz" -i "$BUILD/$kver/shell-initramfs.cpio.gz" \
	-d "$BUILD/vm/shell" -a "${APPEND:-}"
