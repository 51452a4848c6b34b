# SPDX-License-Identifier: GPL-2.0
# Sourced: TAP output of the shell checks (scripts/mutants.sh,
# scripts/check-viewers.sh, selftests/vm/test-harness.sh).
#   tap ok|fail|STATUS DESCRIPTION   one result; STATUS is an exit status
#                                    (0 is ok)
#   diag                             its stdin as TAP comments
#   tap_plan                         "1..N"; fails if a result failed

tap_n=0
tap_failed=0
tap() {
	tap_n=$((tap_n + 1))
	case $1 in
	ok|0)	echo "ok $tap_n $2" ;;
	*)	echo "not ok $tap_n $2"
		tap_failed=$((tap_failed + 1)) ;;
	esac
}
diag() { sed 's/^/# /'; }
tap_plan() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
