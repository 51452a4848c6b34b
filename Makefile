# SPDX-License-Identifier: GPL-2.0
#
# gotrace top-level Makefile.
#
#   make                 module for KDIR (default: the running kernel) + userspace
#   make KDIR=<dir>      module for the kernel whose build tree is <dir>
#   make check           the whole test suite, in QEMU, on Debian 6.1 and 6.12 (+ -rt)
#   make stress          minutes of load, slow readers, longer fault/fuzz runs
#   make check-debug     the suite on a KASAN/lockdep debug kernel (RELIABILITY.md)
#   make check-apt       apt install/purge of the .debs in a Debian 12 root, booted in QEMU
#   make demo            record a workload in the 6.1 VM -> demo/out.trace, demo/report.txt
#   make vm-shell        interactive shell in the test VM (KERNEL=<series>, APPEND=...)
#   make checkpatch      checkpatch.pl --strict on kmod/, uapi/, userspace/, selftests/
#   make bench           gotrace vs trace-cmd, perf, LTTng in the 6.1 VM -> BENCHMARKS.md
#   make icount-plugin   the QEMU plugin make bench counts guest instructions with
#   make deps            install the Debian packages the above need
#   make install         module (modules_install), tool, man pages, completion,
#                        udev rule; DESTDIR, PREFIX (/usr/local); make uninstall
#   make dkms-install    register the module source with DKMS (make dkms-remove)
#   make deb             gotrace-dkms and gotrace .debs in $(BUILD)/deb
#   make clean           (make distclean also drops the cached kernel images)

KDIR ?= /lib/modules/$(shell uname -r)/build
# No -Werror here: a newer compiler's new warning must not break a user's
# build.  make check builds with -Werror (scripts/build-module.sh).
KCFLAGS ?=
BUILD ?= $(CURDIR)/.build
VERSION := $(shell sed -n 's/^\#define GOTRACE_TOOL_VERSION[^"]*"\(.*\)"/\1/p' \
	userspace/common.h)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# udev reads rules from /lib/udev/rules.d and /etc/udev/rules.d only.
UDEVRULESDIR ?= /lib/udev/rules.d
# modules_install puts the module in /lib/modules/<release>/$(INSTALL_MOD_DIR)/kmod
INSTALL_MOD_DIR ?= updates

.PHONY: all module userspace check demo vm-shell checkpatch deps clean distclean help bench \
	icount-plugin stress check-debug check-apt install install-module install-tool uninstall dkms-install \
	dkms-remove deb

all: module userspace

module:
	@if [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel build tree at $(KDIR)"; \
		echo "  Build for another kernel with 'make KDIR=/lib/modules/<release>/build'"; \
		echo "  (Debian: apt-get install linux-headers-<release>)."; \
		echo "  'make check' and 'make demo' need no headers of the running kernel:"; \
		echo "  they build for Debian 6.1/6.12 (+ -rt) and run everything in QEMU."; \
		exit 1; \
	fi
	$(MAKE) -C $(KDIR) M=$(CURDIR) KCFLAGS="$(KCFLAGS)" modules

# Users' builds: warnings are not errors (make check builds with -Werror).
userspace:
	$(MAKE) -C userspace WERROR=

check:
	@scripts/check.sh

# Minutes of load, slow readers, longer fault/fuzz runs (RELIABILITY.md).
stress:
	@scripts/stress.sh

# The suite on a KASAN/lockdep debug kernel built from linux-source-6.1.
check-debug:
	@scripts/check-debug.sh

# apt install / purge of make deb's packages in a Debian 12 root (chroot),
# that root booted in the 6.1 VM: DKMS, modprobe, udev rule, group grant.
check-apt:
	@scripts/check-apt.sh

demo:
	@scripts/demo.sh

vm-shell:
	@scripts/vm-shell.sh

bench:
	@scripts/bench.sh

# QEMU 7.2's plugin API needs no header (bench/icount-plugin.c declares it).
ICOUNT_PLUGIN := $(BUILD)/bench/icount-plugin.so
icount-plugin: $(ICOUNT_PLUGIN)
$(ICOUNT_PLUGIN): bench/icount-plugin.c bench/icount.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Wno-unused-parameter -Werror -shared -fPIC -fvisibility=hidden -pthread \
		-o $@ bench/icount-plugin.c

checkpatch:
	@scripts/checkpatch.sh

deps:
	@scripts/deps.sh

clean:
	@if [ -e "$(KDIR)/Makefile" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	-$(MAKE) -C userspace clean
	-[ ! -f selftests/Makefile ] || $(MAKE) -C selftests clean
	rm -rf demo $(filter-out .build/kernels .build/linux-src,$(wildcard .build/*))

# clean, and also drop the cached kernel images and kernel-source extracts
distclean: clean
	rm -rf .build

# ---- installing -------------------------------------------------------------
install: install-module install-tool

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install

# What the gotrace package holds (debian/rules installs with this target).
install-tool: userspace
	install -D -m 0755 userspace/gotrace $(DESTDIR)$(BINDIR)/gotrace
	install -D -m 0644 man/gotrace.1 $(DESTDIR)$(MANDIR)/man1/gotrace.1
	install -D -m 0644 man/gotrace.4 $(DESTDIR)$(MANDIR)/man4/gotrace.4
	install -D -m 0644 dist/gotrace.bash-completion $(DESTDIR)$(BASHCOMPDIR)/gotrace
	install -D -m 0644 dist/60-gotrace.rules $(DESTDIR)$(UDEVRULESDIR)/60-gotrace.rules
	@if [ -z "$(DESTDIR)" ] && ! getent group gotrace >/dev/null; then \
		echo "note: no group 'gotrace' (the udev rule's): groupadd --system gotrace"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gotrace $(DESTDIR)$(MANDIR)/man1/gotrace.1 \
		$(DESTDIR)$(MANDIR)/man4/gotrace.4 $(DESTDIR)$(BASHCOMPDIR)/gotrace \
		$(DESTDIR)$(UDEVRULESDIR)/60-gotrace.rules
	krel=$$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h) && \
	rm -f $(DESTDIR)/lib/modules/$$krel/$(INSTALL_MOD_DIR)/kmod/gotrace.ko* && \
	if [ -z "$(DESTDIR)" ]; then depmod -a $$krel; fi

# The module's source registered with the system's DKMS (in /usr/src), built
# and installed for the running kernel; DKMS rebuilds it for new kernels.
# DKMS_ARGS adds dkms(8) options (-k <release>, or private trees:
# --dkmstree, --sourcetree $(DKMS_SRC), --installtree, --no-depmod).
DKMS_SRC ?= /usr/src
DKMS_ARGS ?=
dkms-install:
	rm -rf $(DKMS_SRC)/gotrace-$(VERSION)
	scripts/dkms-src.sh $(DKMS_SRC)/gotrace-$(VERSION)
	dkms add -m gotrace -v $(VERSION) $(DKMS_ARGS)
	dkms install -m gotrace -v $(VERSION) $(DKMS_ARGS)

dkms-remove:
	-dkms remove -m gotrace -v $(VERSION) --all $(DKMS_ARGS)
	rm -rf $(DKMS_SRC)/gotrace-$(VERSION)

# gotrace-dkms and gotrace .debs, built from a copy of the tracked files.
deb:
	@BUILD="$(BUILD)" scripts/deb.sh

help:
	@sed -n '3,22s/^# \{0,1\}//p' Makefile
