#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make vm-shell [KERNEL=SERIES] [APPEND="..."]`: boot the test VM with the
# module, the tool and the selftests, and an interactive shell on this
# terminal (for debugging; Ctrl-A X kills QEMU).  SERIES: one of
# `scripts/kernels.sh names` (default: its default kernel).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$ROOT/.build}
VM=$ROOT/selftests/vm
cd "$ROOT"
. "$ROOT/scripts/lock.sh"
. "$ROOT/scripts/vm.sh"
series=${KERNEL:-$(scripts/kernels.sh default)}
mkdir -p "$BUILD/logs"
scripts/deps.sh >/dev/null
rc=0
vm_run -s "$series" -r "$VM/shell.sh" -d "$BUILD/vm/shell" -a "${APPEND:-}" -S -L -I -B || rc=$?
[ $rc -eq 0 ] || { echo "vm-shell: could not build the VM for $series ($VM_FAILED)" >&2; exit 1; }
# The tree's lock is for the builds: the shell may stay open for long.
exec 9>&-
exec "${VM_BOOT[@]}"
