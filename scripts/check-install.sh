#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The packaging and installation checks of make check (TAP on stdout),
# without touching the host beyond $BUILD/pkg:
#
#   - the man pages lint clean (mandoc -T lint) and document exactly the
#     commands of 'gotrace help' and the options of each 'gotrace CMD --help';
#   - bash completion offers those commands, each command's options and
#     the event groups;
#   - one version (tool, module, debian/changelog) and one minimum kernel
#     (kmod/gotrace_compat.h, Kbuild, dkms.conf); make below it fails with
#     one line; user builds have no -Werror;
#   - make deb from a copy of the source files; lintian reports no error;
#   - make install DESTDIR=... PREFIX=/usr puts every file of the gotrace
#     package where the package does, and the module under
#     lib/modules/KVER/updates/kmod; make uninstall takes them away again;
#   - make dkms-install / dkms-remove (with private DKMS trees) install and
#     remove the module;
#   - DKMS builds the module from the gotrace-dkms package's files for each
#     tested kernel in a private tree (dkms build --dkmstree --sourcetree),
#     signing with a private key as it does for Secure Boot, with no warning.
#
#   check-install.sh KVER...     (the kernels to build with DKMS; the first
#                                 one is used for make install)
# Writes "KVER PATH" of each DKMS-built module to $BUILD/pkg/dkms-modules.txt
# (make check boots the 6.1 one).  DKMS=0 skips the DKMS builds.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/.build}
PKG=$BUILD/pkg
KVERS=("$@")
[ ${#KVERS[@]} -gt 0 ] || { echo "usage: $0 KVER..." >&2; exit 2; }
cd "$ROOT" || exit 1
rm -rf "$PKG"
mkdir -p "$PKG"
LOG=$PKG/log
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {	# name, then the details on stdin
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n $1"
	sed 's/^/# /' | head -n 40
}
check() {	# name command...: ok if the command succeeds, its output as details
	local name=$1
	shift
	if "$@" >"$LOG" 2>&1; then ok "$name"; else not_ok "$name" <"$LOG"; fi
}

# ---- the tool, for its help texts (GOTRACE_TOOL: one built already) -----------
TOOL=${GOTRACE_TOOL:-}
if [ -z "$TOOL" ] || [ ! -x "$TOOL" ]; then
	TOOL=$PKG/host/gotrace
	make -s -C userspace O="$PKG/host" >"$PKG/userspace.log" 2>&1 ||
		{ not_ok userspace-build <"$PKG/userspace.log"; TOOL=; }
fi

commands() { "$TOOL" help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'; }
help_options() {	# CMD: the options of its --help, one a line
	"$TOOL" "$1" --help | grep -E '^ +-' |
		grep -oE -- '(^| )--?[a-zA-Z][a-z0-9-]*' | tr -d ' ' | sort -u
}
# CMD's event groups (its --help's "event groups: a,b,..."), each after
# "sched,", sorted, on one line: what completing "CMD -e sched," offers.
group_list() {
	local g
	g=$("$TOOL" "$1" --help | sed -n 's/.*event groups: \([a-z,]*\).*/\1/p' |
		head -n1 | tr ',' '\n')
	[ -n "$g" ] || { echo "(no event groups in $1 --help)"; return; }
	printf 'sched,%s\n' $g | sort -u | tr '\n' ' '
}
# The rendered section of gotrace(1) of CMD (".Ss CMD": 3 spaces, the name).
man_section() {
	mandoc -T ascii man/gotrace.1 | col -b |
		awk -v c="$1" '/^   [a-z]/ { on = ($1 == c && NF == 1); next } /^[A-Z]/ { on = 0 } on'
}

# ---- man pages ------------------------------------------------------------------
check man-lint mandoc -T lint -W warning man/gotrace.1 man/gotrace.4

man_commands() {
	local want have
	want=$(commands | sort)
	have=$(mandoc -T ascii man/gotrace.1 | col -b |
		awk '/^COMMANDS/ { on = 1; next } /^[A-Z]/ { on = 0 } on && /^   [a-z]/ && NF == 1 { print $1 }' | sort)
	diff <(echo "$want") <(echo "$have") | sed 's/^</missing in gotrace(1):/; s/^>/not a command:/'
	[ "$want" = "$have" ]
}
man_options() {
	local c o sec opts inherit bad=0
	for c in $(commands); do
		[ "$c" = help ] || [ "$c" = version ] && continue
		sec=$(man_section "$c")
		# "It takes the options of start": those are documented there.
		inherit=$(tr -s '[:space:]' ' ' <<<"$sec" |
			  sed -n 's/.*the options of \([a-z]*\).*/\1/p')
		[ -z "$inherit" ] || sec+=$'\n'$(man_section "$inherit")
		opts=$(help_options "$c")
		for o in $opts; do
			grep -qE -- "(^|[ (,])$o([ ,.=)[]|$)" <<<"$sec" ||
				{ echo "$c: $o is in --help but not in gotrace(1)"; bad=1; }
		done
		# every option the page's list gives is one the tool has
		for o in $(man_section "$c" | grep -E '^     -' |
			   grep -oE -- '(^| )--?[a-zA-Z][a-z0-9-]*' | tr -d ' ' | sort -u); do
			grep -qx -- "$o" <<<"$opts" ||
				{ echo "$c: $o is in gotrace(1) but not in --help"; bad=1; }
		done
	done
	return $bad
}
if [ -n "$TOOL" ]; then
	check man-commands man_commands
	check man-options man_options
fi

# ---- bash completion -------------------------------------------------------------
completion() {
	PATH=$(dirname "$TOOL"):$PATH bash -c '
		. /usr/share/bash-completion/bash_completion
		. dist/gotrace.bash-completion
		compopt() { :; }
		c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
		      COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _gotrace
		      printf "%s\n" "${COMPREPLY[@]}" | sort -u | tr "\n" " "; echo; }
		c gotrace ""; c gotrace start --; c gotrace record -e sched,
		c gotrace dump -e sched,
		for cmd in '"$(commands | grep -vxE 'help|version' | tr '\n' ' ')"'; do
			c gotrace $cmd --
		done
	' >"$PKG/completion.out" 2>&1 || return 1
	local want cmd line=5
	want="$(commands | sort -u | tr '\n' ' ')"
	grep -qxF -- "$(printf '%s\n' $want --help --version | sort -u | tr '\n' ' ')" \
		<(sed -n 1p "$PKG/completion.out") ||
		{ echo "commands: $(sed -n 1p "$PKG/completion.out")"; return 1; }
	want=$(help_options start | grep -- '^--' | tr '\n' ' ')
	grep -qxF -- "$want" <(sed -n 2p "$PKG/completion.out") ||
		{ echo "start --: $(sed -n 2p "$PKG/completion.out"), want $want"; return 1; }
	# after "sched,": every group the command's --help lists
	want=$(group_list record)
	grep -qxF -- "$want" <(sed -n 3p "$PKG/completion.out") ||
		{ echo "record -e sched,: $(sed -n 3p "$PKG/completion.out"), want $want"; return 1; }
	want=$(group_list dump)
	grep -qxF -- "$want" <(sed -n 4p "$PKG/completion.out") ||
		{ echo "dump -e sched,: $(sed -n 4p "$PKG/completion.out"), want $want"; return 1; }
	# every command: its long options, as its --help lists them
	for cmd in $(commands | grep -vxE 'help|version'); do
		want=$(help_options "$cmd" | grep -- '^--' | tr '\n' ' ')
		grep -qxF -- "$want" <(sed -n ${line}p "$PKG/completion.out") ||
			{ echo "$cmd --: $(sed -n ${line}p "$PKG/completion.out"), want $want"; return 1; }
		line=$((line + 1))
	done
}
[ -z "$TOOL" ] || check bash-completion completion

# ---- one version, one minimum kernel, no -Werror for users ------------------------
versions() {
	local tool mod deb
	tool=$(sed -n 's/^#define GOTRACE_TOOL_VERSION[^"]*"\(.*\)"/\1/p' userspace/common.h)
	mod=$(sed -n 's/^MODULE_VERSION("\(.*\)");/\1/p' kmod/gotrace_main.c)
	deb=$(dpkg-parsechangelog -S Version)
	echo "tool $tool, module $mod, debian/changelog $deb"
	[ -n "$tool" ] && [ "$tool" = "$mod" ] && [ "$tool" = "$deb" ]
}
check version versions

min_kernel() {
	local maj min r v
	read -r maj min < <(sed -n 's/^#if LINUX_VERSION_CODE < KERNEL_VERSION(\([0-9]*\), *\([0-9]*\), *0)$/\1 \2/p' \
		kmod/gotrace_compat.h | head -n1)
	echo "kmod/gotrace_compat.h: $maj.$min"
	[ -n "$min" ] || return 1
	grep -qx "gt_min_version := $maj" Kbuild && grep -qx "gt_min_patchlevel := $min" Kbuild ||
		{ echo "Kbuild disagrees"; return 1; }
	r=$(set +u; . ./dkms.conf; echo "$BUILD_EXCLUSIVE_KERNEL")
	echo "dkms.conf: BUILD_EXCLUSIVE_KERNEL=$r"
	[ -n "$r" ] || return 1
	for v in "$maj.$min.0" "$maj.$((min + 1)).3-1-amd64" 6.1.0-57-amd64 6.12.117+deb12-amd64 7.1.0 10.2.0; do
		[[ $v =~ $r ]] || { echo "dkms.conf refuses $v"; return 1; }
	done
	for v in "$maj.$((min - 1)).0" 4.19.0-27-amd64 "$((maj - 1)).99.0"; do
		[[ ! $v =~ $r ]] || { echo "dkms.conf accepts $v"; return 1; }
	done
}
check min-kernel-one-place min_kernel

# make against a kernel below the minimum: one clear line, non-zero exit
too_old() {
	local kdir=/lib/modules/${KVERS[0]}/build out=$PKG/too-old rc=0
	mkdir -p "$out"
	cp -a Kbuild kmod uapi "$out/"
	make -s -C "$kdir" M="$out" VERSION=5 PATCHLEVEL=10 modules >"$PKG/too-old.log" 2>&1 || rc=$?
	cat "$PKG/too-old.log"
	[ $rc -ne 0 ] && [ "$(grep -c 'gotrace needs Linux' "$PKG/too-old.log")" -eq 1 ] &&
		! grep -q '\.o\b' "$PKG/too-old.log"
}
check make-below-minimum too_old

no_werror() {
	local k
	k=$(make -s --no-print-directory -f Makefile --eval 'gt-kcflags: ; @echo "[$(KCFLAGS)]"' gt-kcflags)
	echo "KCFLAGS $k"
	[ "$k" = "[]" ] && ! grep -n -- -Werror Kbuild kmod/Kbuild dkms.conf || return 1
	# the tool too (make userspace, as make install and debian/rules run it)
	make -n -B userspace >"$PKG/userspace-n.log" 2>&1
	grep -q -- ' -c -o ' "$PKG/userspace-n.log" && ! grep -m3 -- '-Werror' "$PKG/userspace-n.log"
}
check user-build-no-werror no_werror

# ---- make deb + lintian -------------------------------------------------------------
DEB=$PKG/deb
if scripts/deb.sh "$DEB" >"$LOG" 2>&1; then
	ok make-deb
	lintian --no-tag-display-limit "$DEB"/gotrace_*.deb "$DEB"/gotrace-dkms_*.deb \
		>"$PKG/lintian.log" 2>&1
	echo "# lintian: $(grep -c '^E:' "$PKG/lintian.log") errors, $(grep -c '^W:' "$PKG/lintian.log") warnings, $(grep -c '^[IP]:' "$PKG/lintian.log") notes"
	if grep -q '^E:' "$PKG/lintian.log"; then
		not_ok lintian <"$PKG/lintian.log"
	else
		ok lintian
	fi
else
	not_ok make-deb <"$LOG"
fi

# ---- make install / uninstall ---------------------------------------------------
# In the copy of the source files make deb built in (its tool is built
# already), or a fresh one: the tree itself gets no objects.
TREE=$(ls -d "$DEB"/gotrace-*/ 2>/dev/null | head -n1)
if [ -z "$TREE" ] || [ ! -f "$TREE/Makefile" ]; then
	TREE=$PKG/tree
	mkdir -p "$TREE"
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		cpio -p -0 -d -m --quiet "$TREE"
fi
DEST=$PKG/destdir
KDIR1=/lib/modules/${KVERS[0]}/build
install_layout() {
	local deb_files got
	make -C "$TREE" install DESTDIR="$DEST" PREFIX=/usr KDIR="$KDIR1" KCFLAGS=-Werror \
		>"$PKG/install.log" 2>&1 || { tail -n 30 "$PKG/install.log"; return 1; }
	# The gotrace package's files (man pages gzip'd by dh_compress), and the
	# module where modules_install puts it.
	deb_files=$(dpkg-deb -c "$DEB"/gotrace_*.deb | awk '$1 !~ /^d/ { print $6 }' |
		sed 's|^\./|/|; s|\.gz$||' | grep -v '^/usr/share/doc/' | sort)
	deb_files+=$'\n'/lib/modules/${KVERS[0]}/updates/kmod/gotrace.ko
	got=$(cd "$DEST" && find . -type f | sed 's|^\./|/|; s/\.ko\.[a-z]*$/.ko/' |
		grep -v -E '^/lib/modules/[^/]+/modules\.' | sort)
	diff <(sort <<<"$deb_files") <(echo "$got") |
		sed 's/^</missing after make install:/; s/^>/not in the package:/'
	[ "$(sort <<<"$deb_files")" = "$got" ]
}
if [ -f "$DEB"/gotrace_*.deb ] 2>/dev/null || ls "$DEB"/gotrace_*.deb >/dev/null 2>&1; then
	check make-install-layout install_layout
else
	not_ok make-install-layout <<<"no package to compare with"
fi
uninstall_all() {
	make -C "$TREE" uninstall DESTDIR="$DEST" PREFIX=/usr KDIR="$KDIR1" \
		>"$PKG/uninstall.log" 2>&1 || { tail -n 30 "$PKG/uninstall.log"; return 1; }
	local left
	left=$(cd "$DEST" && find . -type f | grep -v -E '/modules\.[^/]*$')
	[ -z "$left" ] || { echo "left after make uninstall: $left"; return 1; }
}
check make-uninstall uninstall_all

# make dkms-install / dkms-remove, with private DKMS trees (DKMS_ARGS) and no
# depmod: the module lands in the private install tree, and goes again.
dkms_make() {
	local P=$PKG/dkms-make k=${KVERS[0]} args rc=0
	rm -rf "$P"
	mkdir -p "$P/src" "$P/tree" "$P/install/$k"
	args="--dkmstree $P/tree --sourcetree $P/src --installtree $P/install --no-depmod"
	mok_signing_key=$P/mok.key mok_certificate=$P/mok.pub \
		make -C "$TREE" dkms-install DKMS_SRC="$P/src" DKMS_ARGS="-k $k $args" \
		>"$P/install.log" 2>&1 || rc=$?
	ls "$P/install/$k/updates/dkms/gotrace.ko"* ||
		{ echo "make dkms-install (exit $rc):"; tail -n 20 "$P/install.log"; return 1; }
	make -C "$TREE" dkms-remove DKMS_SRC="$P/src" DKMS_ARGS="$args" >"$P/remove.log" 2>&1 ||
		{ tail -n 20 "$P/remove.log"; return 1; }
	[ -z "$(find "$P/install" "$P/src" "$P/tree" -type f)" ] ||
		{ echo "left after make dkms-remove:"; find "$P" -type f; return 1; }
}
[ "${DKMS:-1}" = 0 ] || check make-dkms-install-remove dkms_make

# ---- DKMS builds from the gotrace-dkms package ---------------------------------------
: >"$PKG/dkms-modules.txt"
if [ "${DKMS:-1}" != 0 ]; then
	DK=$PKG/dkms
	mkdir -p "$DK/tree"
	if dpkg-deb -x "$DEB"/gotrace-dkms_*_all.deb "$DK/root" 2>"$LOG"; then
		ok dkms-unpack
	else
		not_ok dkms-unpack <"$LOG"
	fi
	ver=$(ls "$DK/root/usr/src" 2>/dev/null | sed -n 's/^gotrace-//p' | head -n1)
	# DKMS signs what it builds (Secure Boot) with mok.key/mok.pub, which it
	# creates if missing: here in the private tree, not /var/lib/dkms.
	export mok_signing_key=$DK/mok.key mok_certificate=$DK/mok.pub
	for kver in "${KVERS[@]}"; do
		t0=$(date +%s)
		mdir=$DK/tree/gotrace/$ver/$kver/$(uname -m)/module
		mlog=$DK/tree/gotrace/$ver/$kver/$(uname -m)/log/make.log
		if dkms build -m gotrace -v "$ver" -k "$kver" -j 2 --dkmstree "$DK/tree" \
			--sourcetree "$DK/root/usr/src" >"$PKG/dkms-$kver.log" 2>&1 &&
		   ko=$(ls "$mdir"/gotrace.ko* 2>/dev/null | head -n1) && [ -n "$ko" ] &&
		   ! grep -qi 'warning' "$mlog"; then
			ok "dkms-build:$kver"
			echo "# $kver: built in $(($(date +%s) - t0)) s"
			echo "$kver $ko" >>"$PKG/dkms-modules.txt"
			signer=$(modinfo -F signer "$ko" 2>/dev/null)
			if [ -n "$signer" ] || ! grep -q '^Signing key' "$PKG/dkms-$kver.log"; then
				echo "# $kver: signer: ${signer:-none (no sign-file for this kernel)}"
			fi
		else
			{ cat "$PKG/dkms-$kver.log"; [ ! -f "$mlog" ] || grep -i -A3 warning "$mlog"; } |
				not_ok "dkms-build:$kver"
		fi
	done
	[ ! -e /var/lib/dkms/gotrace ] || not_ok dkms-private <<<"/var/lib/dkms/gotrace exists"
fi

echo "1..$n"
[ $failed -eq 0 ]
