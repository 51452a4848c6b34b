#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build gotrace.ko for one kernel in a private copy of the sources, so that
# builds for several kernels never share object files:
#
#   build-module.sh KVER         -> $BUILD/KVER/src/kmod/gotrace.ko
#
# The copy keeps the layout of the tree (Kbuild, kmod/, uapi/), so kmod/Kbuild
# finds the uapi header at $(src)/../uapi.  Any warning fails the build
# (scripts/vm.sh's vm_build_module, which the VMs' module builds use too).
# SRC=dir builds another tree of the same layout (used for testing the tests).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
SRC=${SRC:-$ROOT}
kver=${1:?usage: build-module.sh KVER}
. "$ROOT/scripts/vm.sh"
vm_build_module "/lib/modules/$kver/build" "$SRC" "$BUILD/$kver/src" "$BUILD/logs/module-$kver.log"
