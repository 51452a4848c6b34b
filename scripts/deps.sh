#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages needed to build gotrace and to run its tests
# in QEMU.  Idempotent: when everything is installed it only runs dpkg-query.
set -euo pipefail

KERNELS=$(dirname "$0")/kernels.sh
PKGS=(
	gcc make libc6-dev perl xz-utils gzip tar cpio kmod
	# PACKED trace records (userspace/lib/pack.c)
	libzstd-dev
	# gzipped pprof profiles (userspace/convert_pprof.c)
	zlib1g-dev
	# symbolize --vmlinux: file:line and inlined frames (userspace/ksyms_dwarf.c);
	# a static libdw also needs liblzma and libbz2 (userspace/Makefile LDLIBS)
	libdw-dev liblzma-dev libbz2-dev
	qemu-system-x86 busybox-static
	# the kernels' headers, tested and build-checked (scripts/kernels.sh)
	$("$KERNELS" packages)
	# packaging checks (scripts/check-install.sh): make deb, lintian, DKMS
	# builds in a private tree, man page lint, bash completion
	dkms dh-dkms debhelper dpkg-dev fakeroot lintian mandoc bash-completion openssl
	# make check-apt: a Debian 12 root to apt install the packages in
	mmdebstrap
	"linux-source-$("$KERNELS" source)"
	# reliability suites: -m32 compat test, libFuzzer (clang), make stress
	gcc-multilib libc6-dev-i386 clang stress-ng
	# viewer checks: go tool trace (host unit tests and check-viewers.sh),
	# headless Chromium for the HTML report, python3 for the JSON checks
	golang-go chromium python3 curl
	# protoc --decode of convert --format=perfetto-proto (unit tests, viewers)
	protobuf-compiler
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages installed"
	exit 0
fi

echo "deps: installing: ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: done"
