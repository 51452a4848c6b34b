# SPDX-License-Identifier: GPL-2.0
# Sourced: serialise the scripts that share $BUILD (check, demo, vm-shell),
# so that two of them started in one tree do not build over each other.
mkdir -p "$BUILD"
exec 9>"$BUILD/.lock"
if ! flock -n 9; then
	echo "waiting for another make check/demo/vm-shell in this tree..." >&2
	flock 9
fi
