# SPDX-License-Identifier: GPL-2.0
#
# Parse the ttyS1 log of the gotrace test VM (see init) into one line per
# result: "ok NAME", "fail NAME (reason)", "skip NAME".  PREFIX (-v) is put
# before every name.  Output of test binaries that failed is copied to
# FAILLOG.  KSFT_SKIP is exit code 4.
#
# A test binary's section (TEST-BEGIN .. TEST-END) must hold TAP with plans
# ("1..N", before or after the results; a section may hold several binaries'
# TAP, each with its plan) whose sum is the number of results.  It fails if
# it has no TAP, a result count other than its plans', a TODO result (passing
# or not), "Bail out!", or a non-zero exit status.  EXPECT (-v, names
# separated by spaces) lists the binaries the run must report: one missing,
# reported twice or not listed fails.
# An empty section with exit status 4 (KSFT_SKIP) is a skip.

function emit(st, name) {
	printf "%s %s%s\n", st, PREFIX, name
}
function flush_section(   i) {
	if (FAILLOG == "")
		return
	printf "---- %s%s (last lines) ----\n", PREFIX, cur >> FAILLOG
	for (i = (nsec > 120 ? nsec - 120 : 0); i < nsec; i++)
		print sec[i] >> FAILLOG
}
BEGIN {
	began = 0; ended = 0; cur = ""
	nexp = split(EXPECT, e, " ")
	for (i = 1; i <= nexp; i++)
		expected[e[i]] = 1
}
{ sub(/\r$/, "") }
/^GOTRACE-VM: BEGIN / { began = 1; emit("ok", "vm-boot"); next }
/^GOTRACE-VM: END$/ { ended = 1; next }
/^GOTRACE-VM: RESULT / {
	st = $3; name = $4
	if (st != "ok" && st != "skip")
		st = "fail"
	emit(st, name)
	if (st == "fail" && FAILLOG != "") {
		printf "---- %s%s: %s\n", PREFIX, name, $0 >> FAILLOG
		for (i = (nlast > 80 ? nlast - 80 : 0); i < nlast; i++)
			print last[i] >> FAILLOG
	}
	nlast = 0
	next
}
/^GOTRACE-VM: TEST-BEGIN / {
	cur = $3; ntap = 0; nfail = 0; nsec = 0; nplan = 0; planned = 0
	bail = ""
	if (cur in seen) {
		emit("fail", cur " (reported twice)"); nfail++
	} else if (nexp && !(cur in expected)) {
		emit("fail", cur " (not expected: not in the run's list)"); nfail++
	}
	seen[cur] = 1
	next
}
/^GOTRACE-VM: TEST-END / {
	rc = $4; sub(/^rc=/, "", rc); rc += 0
	why = (rc == 137 ? "killed: per-test timeout" : "exit " rc)
	if (bail != "") {
		emit("fail", cur " (" bail ", " why ")"); nfail++
	} else if (ntap == 0 && nplan == 0) {
		if (rc == 4) emit("skip", cur)
		else { emit("fail", cur " (" why ", no TAP)"); nfail++ }
	} else if (nplan == 0) {
		emit("fail", cur " (" why ", " ntap " results, no TAP plan)"); nfail++
	} else if (ntap != planned) {
		emit("fail", cur " (" why ", plan of " planned ", " ntap " results)"); nfail++
	} else if (ntap == 0 && rc != 4) {
		emit("fail", cur " (" why ", a plan of 0 tests)"); nfail++
	} else if (ntap == 0) {
		emit("skip", cur)
	} else if (nfail == 0 && rc != 0) {
		emit("fail", cur " (" why ")"); nfail++
	}
	if (nfail > 0)
		flush_section()
	cur = ""; nlast = 0
	next
}
cur != "" {
	sec[nsec++] = $0
	if ($0 ~ /^# +RUN +/) {
		lastrun = $0; sub(/^# +RUN +/, "", lastrun); sub(/ *\.\.\.$/, "", lastrun)
	}
	if ($0 ~ /^1\.\.[0-9]+/) {
		nplan++; planned += substr($0, 4) + 0
	} else if ($0 ~ /^Bail out!/) {
		bail = $0
	} else if ($0 ~ /^ok [0-9]+/ || $0 ~ /^not ok [0-9]+/) {
		ntap++
		line = $0
		bad = (line ~ /^not ok/)
		sub(/^(not )?ok [0-9]+ */, "", line)
		desc = line; sub(/ *#.*$/, "", desc)
		if (desc == "") desc = (lastrun != "" ? lastrun : "test" ntap)
		lastrun = ""
		if (line ~ /# *(TODO|todo)/) {
			emit("fail", cur ":" desc " (TODO: a result that cannot fail)"); nfail++
		} else if (line ~ /# *(SKIP|skip)/)
			emit("skip", cur ":" desc)
		else if (bad) {
			emit("fail", cur ":" desc); nfail++
		} else
			emit("ok", cur ":" desc)
	}
	next
}
{ last[nlast++ % 1000000] = $0 }
END {
	if (HOST)
		began = ended = 1
	if (!began)
		emit("fail", "vm-boot (no BEGIN marker)")
	if (cur != "") {
		emit("fail", cur " (did not finish)")
		flush_section()
	}
	for (i = 1; i <= nexp; i++)
		if (!(e[i] in seen))
			emit("fail", e[i] " (did not run: expected in this run)")
	if (began && !ended)
		emit("fail", "vm-end (no END marker: crash, hang or timeout)")
}
