# SPDX-License-Identifier: GPL-2.0
#
# gotrace top-level Makefile.
#
#   make                 module for KDIR (default: the running kernel) + userspace
#   make KDIR=<dir>      module for the kernel whose build tree is <dir>
#   make check           the whole test suite, in QEMU, on Debian 6.1 and 6.12 (+ -rt)
#   make stress          minutes of load, slow readers, longer fault/fuzz runs
#   make check-debug     the suite on a KASAN/lockdep debug kernel (RELIABILITY.md)
#   make demo            record a workload in the 6.1 VM -> demo/out.trace, demo/report.txt
#   make vm-shell        interactive shell in the test VM (KERNEL=6.1|6.12|6.1-rt|6.12-rt, APPEND=...)
#   make checkpatch      checkpatch.pl --strict on kmod/ and the uapi header
#   make bench           gotrace vs trace-cmd, perf, LTTng in the 6.1 VM -> BENCHMARKS.md
#   make deps            install the Debian packages the above need
#   make clean           (make distclean also drops the cached kernel images)

KDIR ?= /lib/modules/$(shell uname -r)/build
# The module must build without warnings.
KCFLAGS ?= -Werror

.PHONY: all module userspace check demo vm-shell checkpatch deps clean distclean help bench \
	stress check-debug

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

userspace:
	$(MAKE) -C userspace

check:
	@scripts/check.sh

# Minutes of load, slow readers, longer fault/fuzz runs (RELIABILITY.md).
stress:
	@scripts/stress.sh

# The suite on a KASAN/lockdep debug kernel built from linux-source-6.1.
check-debug:
	@scripts/check-debug.sh

demo:
	@scripts/demo.sh

vm-shell:
	@scripts/vm-shell.sh

bench:
	@scripts/bench.sh

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

help:
	@sed -n '3,16s/^# \{0,1\}//p' Makefile
