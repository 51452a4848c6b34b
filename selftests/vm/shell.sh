# SPDX-License-Identifier: GPL-2.0
# Sourced by /init for `make vm-shell`: load the module and give the console
# (ttyS0) an interactive shell; the tests are in /tests.  Leaving the shell
# powers the VM off.

insmod /gotrace.ko && result ok insmod || result fail insmod
echo "gotrace VM: module loaded, tool at /bin/gotrace, tests in /tests; exit to power off" >/dev/ttyS0
setsid cttyhack sh -l </dev/ttyS0 >/dev/ttyS0 2>&1
dmesg_check shell
