# SPDX-License-Identifier: GPL-2.0
#
# Parse the ttyS1 log of the gotrace test VM (see init) into one line per
# result: "ok NAME", "fail NAME", "skip NAME".  PREFIX (-v) is put before
# every name.  Output of test binaries that failed is copied to FAILLOG.
# KSFT_SKIP is exit code 4.

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
BEGIN { began = 0; ended = 0; cur = "" }
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
	cur = $3; ntap = 0; nfail = 0; nsec = 0; next
}
/^GOTRACE-VM: TEST-END / {
	rc = $4; sub(/^rc=/, "", rc); rc += 0
	why = (rc == 137 ? "killed: per-test timeout" : "exit " rc)
	if (ntap == 0) {
		if (rc == 0) emit("ok", cur)
		else if (rc == 4) emit("skip", cur)
		else { emit("fail", cur " (" why ", no TAP)"); nfail++ }
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
	if ($0 ~ /^ok [0-9]+/ || $0 ~ /^not ok [0-9]+/) {
		ntap++
		line = $0
		bad = (line ~ /^not ok/)
		sub(/^(not )?ok [0-9]+ */, "", line)
		desc = line; sub(/ *#.*$/, "", desc)
		if (desc == "") desc = (lastrun != "" ? lastrun : "test" ntap)
		lastrun = ""
		if (line ~ /# *(SKIP|skip)/)
			emit("skip", cur ":" desc)
		else if (bad && line !~ /# *TODO/) {
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
	if (began && !ended)
		emit("fail", "vm-end (no END marker: crash, hang or timeout)")
}
