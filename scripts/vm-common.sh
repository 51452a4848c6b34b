# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/stress.sh and scripts/check-debug.sh: build the static
# tool, the selftests and the gotrace_stress helper, and the module, in
# directories of their own under $OUTDIR (so that they never hold the lock
# of `make check` nor share its files while their long VMs queue), and add
# Debian's stress-ng with its shared libraries to an initramfs.

# build_module KDIR DIR LOG: the module for the tree KDIR in DIR (a copy of
# the sources); prints the .ko.  Any warning fails, as in build-module.sh.
build_module() {
	local kdir=$1 out=$2 log=$3
	rm -rf "$out"
	mkdir -p "$out"
	cp -a "$ROOT/Kbuild" "$ROOT/kmod" "$ROOT/uapi" "$out/"
	find "$out" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name 'modules.order' -o -name 'Module.symvers' \) -delete
	if make -C "$kdir" M="$out" KCFLAGS="-Werror" modules >"$log" 2>&1 &&
	   ! grep -qi warning "$log" && [ -f "$out/kmod/gotrace.ko" ]; then
		echo "$out/kmod/gotrace.ko"
		return 0
	fi
	tail -n 30 "$log" >&2
	return 1
}

# build_static LOGDIR: sets GOTRACE_BIN, SELFTESTS (array), STRESS_BIN
build_static() {
	local logs=$1 ksft sargs p
	STATIC=$OUTDIR/static
	make -C "$ROOT/userspace" O="$STATIC" LDFLAGS=-static >"$logs/userspace-static.log" 2>&1 ||
		{ tail -n 30 "$logs/userspace-static.log"; return 1; }
	GOTRACE_BIN=$STATIC/gotrace
	ksft=$("$ROOT/scripts/linux-src.sh" 2>>"$logs/deps.log") || return 1
	sargs=(O="$STATIC/selftests" KSFT_INC="$ksft/include"
	       LIBGOTRACE="$STATIC/lib/libgotrace.a")
	make -C "$ROOT/selftests" "${sargs[@]}" all "$STATIC/selftests/gotrace_stress" \
		>"$logs/selftests-build.log" 2>&1 ||
		{ tail -n 30 "$logs/selftests-build.log"; return 1; }
	SELFTESTS=()
	for p in $(make -s -C "$ROOT/selftests" "${sargs[@]}" \
		--eval='gotrace-print-progs: ; @echo $(TEST_PROGS)' gotrace-print-progs); do
		SELFTESTS+=("$STATIC/selftests/$p")
	done
	STRESS_BIN=$STATIC/selftests/gotrace_stress
}

# stressng_cpio OUT: a gzip'd newc cpio with /usr/bin/stress-ng, its
# libraries and the dynamic loader (appended to an initramfs: the kernel
# unpacks concatenated archives).  Fails if stress-ng is not installed.
stressng_cpio() {
	local out=$1 bin stage lib
	bin=$(command -v stress-ng) || return 1
	stage=$(mktemp -d)
	mkdir -p "$stage/usr/bin"
	cp "$bin" "$stage/usr/bin/stress-ng"
	for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
	( cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet ) | gzip -1 >"$out"
	rm -rf "$stage"
}

# private_runner DIR: copies of run-vm.sh and parse.awk, so that a run that
# waits long for the machine's VM lock is not broken by an edit of the
# script it is executing (bash reads scripts as it goes).  Sets RUNVM.
private_runner() {
	mkdir -p "$1"
	cp "$ROOT/selftests/vm/run-vm.sh" "$ROOT/selftests/vm/parse.awk" "$1/"
	RUNVM=$1/run-vm.sh
}
