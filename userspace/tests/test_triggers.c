// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of triggers (issue 13): the TRIGGERS record of a flight
 * recorder's snapshot in libgotrace (gt_triggers(), gt_fired(),
 * gt_fired_at()), malformed TRIGGERS records (one line, nothing else
 * lost), the marks dump and stats print, and 'gotrace flight': its
 * options, and its loop against the LD_PRELOAD stand-in of the device
 * (fakedev.c: triggers that fire on a schedule, POLLPRI, TRIGGERS,
 * SNAPSHOT).
 *
 * Usage: test_triggers GOTRACE_BINARY OUTDIR FAKEDEV_SO SRCDIR
 * (SRCDIR: userspace/tests, for perfetto_trace.proto and
 * check_perfetto_proto.py)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "encoder.h"
#include "proc.h"
#include "tap.h"
#include "gotrace_reader.h"

static const char *tool;
static const char *outdir;
static const char *fakedev;
static const char *srcdir;

#define A(...) ((const uint64_t[]){ __VA_ARGS__ })
#define NO_PAGE	(~0ULL)

/* What a test puts in the TRIGGERS record, and how it breaks it. */
enum trig_break {
	TB_NONE,
	TB_COUNT,	/* nr_fired larger than the record holds */
	TB_INDEX,	/* a fired entry names a trigger that is not there */
	TB_SECOND,	/* two TRIGGERS records */
	TB_SHORT,	/* shorter than its fixed part */
	TB_TOTAL,	/* more fired in the window than in the trace */
	TB_LONG,	/* 8 bytes (zeros) after its last fired entry */
};

static const struct gotrace_trigger trigs[] = {
	{ .kind = GOTRACE_TRIGGER_RECLAIM, .value = 10000000 },
	{ .kind = GOTRACE_TRIGGER_OOM },
	{ .kind = GOTRACE_TRIGGER_ALLOC_FAIL, .value = 2 },
	{ .kind = GOTRACE_TRIGGER_RECLAIM, .value = 1000000 },
};

/*
 * Fired: the direct reclaim end on CPU 1 at 30 ms fired both reclaim
 * triggers (12.3 ms), the mark_victim on CPU 0 at 40 ms the oom one, the
 * failed order-3 allocation on CPU 1 at 35 ms alloc-fail:2.
 */
static const struct gotrace_fired fired[] = {
	{ .seq = 7, .ts = 30000000, .value = 12300000,
	  .kind = GOTRACE_TRIGGER_RECLAIM, .index = 3, .cpu = 1, .pid = 50,
	  .event = GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END },
	{ .seq = 8, .ts = 30000000, .value = 12300000,
	  .kind = GOTRACE_TRIGGER_RECLAIM, .index = 0, .cpu = 1, .pid = 50,
	  .event = GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END },
	{ .seq = 9, .ts = 35000000, .value = 3,
	  .kind = GOTRACE_TRIGGER_ALLOC_FAIL, .index = 2, .cpu = 1, .pid = 50,
	  .event = GOTRACE_EV_MM_PAGE_ALLOC },
	{ .seq = 10, .ts = 40000000, .kind = GOTRACE_TRIGGER_OOM, .index = 1,
	  .cpu = 0, .pid = 50, .event = GOTRACE_EV_MARK_VICTIM },
};

static void enc_triggers(struct enc *e, enum trig_break how)
{
	struct gotrace_triggers_rec th = {
		.rec = { GOTRACE_REC_TRIGGERS, 0 },
		.nr_triggers = 4, .nr_fired = 4, .fired = 10,
	};
	static const uint64_t zero;
	struct gotrace_fired f[4];

	memcpy(f, fired, sizeof(f));
	th.rec.len = sizeof(th) + sizeof(trigs) + sizeof(f);
	if (how == TB_LONG)
		th.rec.len += sizeof(zero);
	if (how == TB_COUNT)
		th.nr_fired = 5;
	if (how == TB_INDEX)
		f[2].index = 4;
	if (how == TB_TOTAL)
		th.fired = 3;
	if (how == TB_SHORT) {
		th.rec.len = 16;
		enc_bytes(e, &th, 16);
		return;
	}
	enc_bytes(e, &th, sizeof(th));
	enc_bytes(e, trigs, sizeof(trigs));
	enc_bytes(e, f, sizeof(f));
	if (how == TB_LONG)
		enc_bytes(e, &zero, sizeof(zero));
	if (how == TB_SECOND)
		enc_triggers(e, TB_NONE);
}

/* A snapshot of 2 CPUs, its window from 10 ms: 7 events. */
static void build(struct enc *e, enum trig_break how)
{
	static const uint32_t pids[] = { 50, 60 };
	static const char *const comms[] = { "hog", "other" };
	struct {
		struct gotrace_window w;
		uint32_t first_seq[2];
	} win = {
		.w = {
			.rec = { GOTRACE_REC_WINDOW, sizeof(win) },
			.nr_cpus = 2, .start_ns = 10000000,
			.snapshot_ns = 50000000,
		},
		.first_seq = { 0, 0 },
	};

	enc_init(e, 2, 0);
	enc_tasks(e, 2, pids, comms);
	enc_bytes(e, &win, sizeof(win));
	enc_triggers(e, how);
	enc_batch_begin(e, 1, 0, 10000000, 0);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0, 17700000,
		  A(0, 0xcc0, 50), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 0, 30000000,
		  A(32, 50), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 30000000,
		  A(1234, 0, 0xcc0, 1, 50), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 35000000,
		  A(NO_PAGE, 3, 0xcc0, 1, 50), NULL);
	enc_batch_end(e, 0);
	enc_batch_begin(e, 0, 0, 10000000, 0);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 0, 30000000,
		  A(1, 60), NULL);
	enc_event(e, GOTRACE_EV_MARK_VICTIM, 0, 40000000,
		  A(50, 1000, 800, 10, 0, 0, 4, 0), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE, 0, 41000000,
		  A(1234, 0, 60), NULL);
	enc_batch_end(e, 0);
	enc_cpu_end(e, 0, 1, 3, 0, 0);
	enc_cpu_end(e, 1, 1, 4, 0, 0);
	enc_end(e, 50000000, 7, 0, 0);
}

static char *write_trace(const struct enc *e, const char *name)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.trace", outdir, name);
	f = fopen(path, "w");
	if (!f || fwrite(e->buf, 1, e->len, f) != e->len) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	return path;
}

/* Events decoded and events naming a fired trigger. */
static int count(struct gt_reader *r, size_t *events, size_t *marked,
		 size_t *marks)
{
	const struct gotrace_fired *f;
	struct gt_event ev;
	size_t n;
	int ret;

	*events = *marked = *marks = 0;
	while ((ret = gt_next(r, &ev)) > 0) {
		if (GOTRACE_EV_IS_META(ev.type))
			continue;
		(*events)++;
		n = gt_fired_at(r, ev.cpu, ev.ts, ev.type, &f);
		if (n) {
			(*marked)++;
			*marks += n;
		}
	}
	return ret;
}

static void test_lib(void)
{
	const struct gotrace_trigger *t;
	const struct gotrace_fired *f;
	size_t nt, nf, events, marked, marks;
	struct gt_reader *r;
	uint64_t total;
	char buf[64];
	struct enc e;
	int ret;

	build(&e, TB_NONE);
	if (gt_open_mem(e.buf, e.len, &r)) {
		ok(0, "snapshot with TRIGGERS opens: %s", gt_error(NULL));
		enc_free(&e);
		return;
	}
	t = gt_triggers(r, &nt);
	f = gt_fired(r, &nf, &total);
	ok(gt_has_triggers(r) && nt == 4 && t &&
	   t[0].kind == GOTRACE_TRIGGER_RECLAIM && t[0].value == 10000000 &&
	   t[1].kind == GOTRACE_TRIGGER_OOM && !gt_triggers_error(r),
	   "TRIGGERS record: 4 triggers (%zu), no error (%s)", nt,
	   gt_triggers_error(r) ? gt_triggers_error(r) : "none");
	ok(nf == 4 && total == 10 && f && f[0].seq == 7 && f[3].seq == 10,
	   "4 fired in the window, oldest first (%zu, seq %llu..%llu), 10 in the trace (%llu)",
	   nf, f ? (unsigned long long)f[0].seq : 0,
	   f ? (unsigned long long)f[nf - 1].seq : 0,
	   (unsigned long long)total);
	ret = count(r, &events, &marked, &marks);
	ok(ret == 0 && events == 7 && marked == 3 && marks == 4,
	   "gt_fired_at: 3 of 7 events marked, 4 marks (ret %d, %zu events, %zu marked, %zu marks)",
	   ret, events, marked, marks);
	ok(gt_fired_at(r, 1, 30000000,
		       GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, &f) == 2 &&
	   f[0].index == 3 && f[1].index == 0,
	   "one event firing two triggers gives both, in seq order");
	ok(!gt_fired_at(r, 0, 30000000,
			GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, &f) && !f &&
	   !gt_fired_at(r, 1, 30000000, GOTRACE_EV_MM_PAGE_ALLOC, &f) &&
	   !gt_fired_at(r, 1, 29999999,
			GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, &f),
	   "same ts on another CPU, another type at the same ts, 1 ns before: not marked");
	gt_close(r);
	enc_free(&e);

	ok(!strcmp(gt_trigger_str(GOTRACE_TRIGGER_RECLAIM, 10000000, buf,
				  sizeof(buf)), "reclaim:10ms") &&
	   !strcmp(gt_trigger_str(GOTRACE_TRIGGER_WAKEUP, 1500000000, buf,
				  sizeof(buf)), "wakeup:1500ms") &&
	   !strcmp(gt_trigger_str(GOTRACE_TRIGGER_ALLOC_FAIL, 3, buf,
				  sizeof(buf)), "alloc-fail:3") &&
	   !strcmp(gt_trigger_str(GOTRACE_TRIGGER_OOM, 0, buf, sizeof(buf)),
		   "oom") &&
	   !strcmp(gt_trigger_str(99, 5, buf, sizeof(buf)), "kind99:5") &&
	   gt_trigger_kind("compaction") == GOTRACE_TRIGGER_COMPACTION &&
	   gt_trigger_kind("bogus") == -1,
	   "trigger names: %s", buf);

	/* a trace without the record */
	enc_init(&e, 1, 0);
	enc_batch_begin(&e, 0, 0, 100, 0);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, 101, A(5, 0, 1), NULL);
	enc_batch_end(&e, 0);
	if (!gt_open_mem(e.buf, e.len, &r)) {
		ok(!gt_has_triggers(r) && !gt_triggers(r, &nt) && !nt &&
		   !gt_fired(r, &nf, NULL) && !nf &&
		   !gt_fired_at(r, 0, 101, GOTRACE_EV_MM_PAGE_FREE, &f),
		   "no TRIGGERS record: no triggers, nothing marked");
		gt_close(r);
	} else {
		ok(0, "plain trace opens: %s", gt_error(NULL));
	}
	enc_free(&e);
}

static void test_malformed(void)
{
	static const struct {
		enum trig_break how;
		const char *name;
		const char *msg;
	} tests[] = {
		{ TB_COUNT, "count", "do not fit in" },
		{ TB_INDEX, "index", "names trigger 4 of 4" },
		{ TB_SECOND, "second", "a second one" },
		{ TB_SHORT, "short", "too short" },
		{ TB_TOTAL, "total", "4 fired in the window, 3 in the trace" },
		{ TB_LONG, "long", "8 bytes after 4 triggers and 4 fired" },
	};
	size_t i, events, marked, marks, nt;
	const char *path, *err;
	struct gt_reader *r;
	char cmd[1024];
	struct enc e;
	int ret;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		build(&e, tests[i].how);
		if (gt_open_mem(e.buf, e.len, &r)) {
			ok(0, "%s: opens: %s", tests[i].name, gt_error(NULL));
			enc_free(&e);
			continue;
		}
		err = gt_triggers_error(r);
		ret = count(r, &events, &marked, &marks);
		if (tests[i].how == TB_SECOND) {
			/* the first record stands */
			ok(err && strstr(err, tests[i].msg) && ret == 0 &&
			   events == 7 && marked == 3,
			   "%s TRIGGERS: first kept, one line (%s), %zu events",
			   tests[i].name, err ? err : "none", events);
		} else {
			ok(err && strstr(err, tests[i].msg) &&
			   strstr(err, "TRIGGERS record at byte") &&
			   !strchr(err, '\n') && ret == 0 && events == 7 &&
			   !marked && !gt_triggers(r, &nt) &&
			   gt_summary(r)->complete,
			   "%s TRIGGERS: one line (%s), all 7 events (%zu, ret %d), nothing marked",
			   tests[i].name, err ? err : "none", events, ret);
		}
		gt_close(r);
		path = write_trace(&e, tests[i].name);
		enc_free(&e);
		if (!path) {
			ok(0, "write %s", tests[i].name);
			continue;
		}
		snprintf(cmd, sizeof(cmd),
			 "'%s' dump '%s' >'%s.out' 2>'%s.err'; test $? = 0 && test $(grep -c . '%s.err') = 1 && grep -q 'TRIGGERS record at byte' '%s.err' && test $(grep -c mm_page_free '%s.out') = 1",
			 tool, path, path, path, path, path, path);
		ok(system(cmd) == 0,
		   "dump of the %s record: one warning, every event", tests[i].name);
	}
}

/*
 * convert --format=go: a user log (category "trigger") per fired trigger,
 * on the P of its event at its time: go tool trace's parser gives the
 * times from the first event (the reclaim begin at 17.7 ms).
 */
static void test_go(const char *path)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "'%s' convert -q --format=go -o '%s.gotrace' '%s' && test \"$(grep -a -o -E '(reclaim:1?0?ms \\(12\\.3ms\\)|alloc-fail:2 \\(order 3\\)|oom) pid 50' '%s.gotrace' | sort | tr '\\n' ,)\" = 'alloc-fail:2 (order 3) pid 50,oom pid 50,reclaim:10ms (12.3ms) pid 50,reclaim:1ms (12.3ms) pid 50,'",
		 tool, path, path, path);
	ok(system(cmd) == 0, "convert --format=go: a mark per fired trigger");
	if (system("command -v go >/dev/null 2>&1")) {
		skip("go tool trace reads the marks (golang-go not installed)");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "HOME=${HOME:-/tmp} go tool trace -d '%s.gotrace' >'%s.go.txt' 2>&1 && test \"$(awk '$2 == \"UserLog\" { m = $0; sub(/.* message=/, \"\", m); print $1, $3, m }' '%s.go.txt' | tr '\\n' ,)\" = '12300000 p=1 reclaim:1ms (12.3ms) pid 50,12300000 p=1 reclaim:10ms (12.3ms) pid 50,17300000 p=1 alloc-fail:2 (order 3) pid 50,22300000 p=0 oom pid 50,' && grep -c 'UserLog.*category=trigger' '%s.go.txt' | grep -qx 4",
		 path, path, path, path);
	ok(system(cmd) == 0, "go tool trace: the 4 marks as user logs, on the P and at the time of their event");
}

/*
 * convert --format=perfetto-proto: an instant TrackEvent per fired
 * trigger, named as the JSON one, at its event's time on a track of its
 * event's CPU, with the CPU, task, event and what it measured (decoded
 * by protoc with the tests' schema subset: no field it does not know).
 */
static const char marks_py[] =
	"import re, sys\n"
	"sys.path.insert(0, sys.argv[2])\n"
	"from check_perfetto_proto import parse_text\n"
	"text = open(sys.argv[1], encoding='latin1').read()\n"
	"assert not re.findall(r'^\\s*(\\d+)[: ]', text, re.M), 'unknown fields'\n"
	"pk = parse_text(text)['packet']\n"
	"tracks = {d['uuid'][0]: d['name'][0]\n"
	"          for p in pk for d in p['track_descriptor']}\n"
	"for ts, track, name, typ, cat, args in sorted(\n"
	"        (int(p['timestamp'][0]), tracks[e['track_uuid'][0]],\n"
	"         e['name'][0], e['type'][0], ','.join(e['categories']),\n"
	"         ' '.join('%s=%s' % (a['name'][0], (a['uint_value'] or\n"
	"                                          a['string_value'])[0])\n"
	"                  for a in e['debug_annotations']))\n"
	"        for p in pk for e in p['track_event']):\n"
	"    print(ts, track, '|', name, typ, cat, args)\n";

static void test_perfetto_proto(const char *path)
{
	static const char want[] =
		"30000000 cpu 1 triggers | trigger reclaim:10ms TYPE_INSTANT trigger cpu=1 pid=50 event=mm_vmscan_direct_reclaim_end measured=12.3ms\n"
		"30000000 cpu 1 triggers | trigger reclaim:1ms TYPE_INSTANT trigger cpu=1 pid=50 event=mm_vmscan_direct_reclaim_end measured=12.3ms\n"
		"35000000 cpu 1 triggers | trigger alloc-fail:2 TYPE_INSTANT trigger cpu=1 pid=50 event=mm_page_alloc measured=order 3\n"
		"40000000 cpu 0 triggers | trigger oom TYPE_INSTANT trigger cpu=0 pid=50 "
		"event=mark_victim\n";
	char py[600], txt[600], *got;
	int rc;

	rc = sh("'%s' convert -q --format=perfetto-proto -o '%s.pftrace' '%s'",
		tool, path, path);
	ok(rc == 0, "convert --format=perfetto-proto of the snapshot");
	if (system("command -v protoc >/dev/null 2>&1")) {
		skip("perfetto-proto: an instant per fired trigger (protobuf-compiler not installed)");
		return;
	}
	snprintf(py, sizeof(py), "%s.marks.py", path);
	snprintf(txt, sizeof(txt), "%s.marks", path);
	rc = write_file(py, marks_py, sizeof(marks_py) - 1) ? -1 :
	     sh("protoc --proto_path='%s' --decode=gotrace.test.Trace perfetto_trace.proto <'%s.pftrace' >'%s.ptxt' && python3 '%s' '%s.ptxt' '%s' >'%s'",
		srcdir, path, path, py, path, srcdir, txt);
	got = slurp(txt);
	ok(rc == 0 && got && !strcmp(got, want),
	   "convert --format=perfetto-proto: an instant per fired trigger, on a track of its event's CPU, at its time (rc %d)",
	   rc);
	if (got && strcmp(got, want))
		diag("got:\n%s", got);
	free(got);
}

/* dump and stats on the good snapshot. */
static void test_tools(void)
{
	char cmd[2048], out[600], err[600];
	char *argv[6], *text;
	const char *path;
	struct enc e;
	int rc;

	build(&e, TB_NONE);
	path = write_trace(&e, "snap");
	enc_free(&e);
	if (!path) {
		ok(0, "write snap");
		return;
	}
	snprintf(out, sizeof(out), "%s.dump", path);
	snprintf(err, sizeof(err), "%s.dump.err", path);
	argv[0] = (char *)tool;
	argv[1] = "dump";
	argv[2] = (char *)path;
	argv[3] = NULL;
	rc = run_cmd(argv, out, err, NULL);
	text = slurp(out);
	ok(rc == 0 && text &&
	   strstr(text, "cpu=1 mm_vmscan_direct_reclaim_end nr_reclaimed=32 pid=50 comm=hog "
		  "<- trigger reclaim:1ms reclaim:10ms (12.3ms)\n") &&
	   strstr(text, "mark_victim comm=hog pid=50 ") &&
	   strstr(text, " <- trigger oom\n") &&
	   strstr(text, " <- trigger alloc-fail:2 (order 3)\n"),
	   "dump marks the 3 triggering events (rc %d)", rc);
	ok(text && strstr(text, "nr_reclaimed=1 pid=60 comm=other\n"),
	   "the other CPU's reclaim end at the same ts is not marked");
	ok(text &&
	   strstr(text, "# triggers: reclaim:10ms oom alloc-fail:2 reclaim:1ms; "
		  "10 fired, 4 in the window\n"),
	   "dump lists the triggers");
	free(text);

	snprintf(cmd, sizeof(cmd),
		 "'%s' stats '%s' | grep -A7 '^== Triggers ==' | grep -Eq '^ +0\\.030000000 +1 +hog \\(50\\) +reclaim:1ms +12\\.3ms +mm_vmscan_direct_reclaim_end$'",
		 tool, path);
	ok(system(cmd) == 0, "stats points at each trigger: time, CPU, task, kind, value");
	snprintf(cmd, sizeof(cmd),
		 "'%s' stats --json '%s' | python3 -c 'import json,sys; d=json.load(sys.stdin); t=d[\"triggers\"]; assert t[\"fired_total\"]==10 and len(t[\"fired\"])==4 and t[\"fired\"][3][\"trigger\"]==\"oom\" and t[\"fired\"][3][\"comm\"]==\"hog\", t'",
		 tool, path);
	ok(system(cmd) == 0, "stats --json has the triggers and the fired ones");
	snprintf(cmd, sizeof(cmd),
		 "'%s' report -o '%s.html' '%s' && grep -q '\"triggers\":{\"triggers\":\\[\"reclaim:10ms\",\"oom\",\"alloc-fail:2\",\"reclaim:1ms\"\\],\"fired_total\":10' '%s.html' && grep -q 'function triggers()' '%s.html'",
		 tool, path, path, path, path);
	ok(system(cmd) == 0, "report's data has the triggers, its page a table of them");
	snprintf(cmd, sizeof(cmd),
		 "'%s' convert -q --format=perfetto -o '%s.json' '%s' && test \"$(grep -o '\"name\":\"trigger [a-z0-9:-]*\"' '%s.json' | sort | tr '\\n' ' ')\" = '\"name\":\"trigger alloc-fail:2\" \"name\":\"trigger oom\" \"name\":\"trigger reclaim:10ms\" \"name\":\"trigger reclaim:1ms\" '",
		 tool, path, path, path);
	ok(system(cmd) == 0, "convert --format=perfetto: an instant per fired trigger");
	test_perfetto_proto(path);
	test_go(path);
}

/* Run a bash script with $T (the tool), $D (a fresh directory), $F. */
static __printf(2, 3)
int flight_sh(const char *name, const char *fmt, ...);

static int flight_sh(const char *name, const char *fmt, ...)
{
	char script[3072], cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(script, sizeof(script), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd),
		 "running() { for i in $(seq 200); do grep -q running err && return; sleep 0.05; done; }; "
		 "T='%s'; F='%s'; D='%s/%s'; rm -rf \"$D\"; mkdir -p \"$D\"; cd \"$D\" || exit 99; export LD_PRELOAD=\"$F\" ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0; %s",
		 tool, fakedev, outdir, name, script);
	return run_bash(cmd);
}

static void test_flight_opts(void)
{
	static const struct {
		const char *args;
		int rc;
		const char *msg;
	} cases[] = {
		{ "-t oom", 2, "-o DIR is required" },
		{ "-o .", 2, "give at least one --trigger SPEC" },
		{ "-o . -t bogus", 2,
		  "unknown trigger 'bogus' (known: oom, alloc-fail[:ORDER], "
		  "reclaim:T, compaction:T, wakeup:T)" },
		{ "-o . -t oom:3", 2, "oom takes no value" },
		{ "-o . -t reclaim", 2, "reclaim needs a duration, e.g. reclaim:10ms" },
		{ "-o . -t compaction:10xs", 2, "bad compaction duration '10xs'" },
		{ "-o . -t wakeup:0", 2, "the duration must be above 0" },
		{ "-o . -t reclaim:3601s", 2, "at most 3600 s" },
		{ "-o . -t alloc-fail:11", 2, "alloc-fail order 11 out of range [0, 10]" },
		{ "-o . -t alloc-fail:x", 2, "bad alloc-fail order 'x'" },
		{ "-o . -t oom --after 1q", 2, "bad --after '1q'" },
		{ "-o . -t oom --max 0", 2, "--max 0 out of range" },
		{ "-o ./missing -t oom", 1, "./missing: No such file or directory" },
		{ "-o ./file -t oom", 1, "./file: not a directory" },
		{ "-o . -t oom -t oom -t oom -t oom -t oom -t oom -t oom -t oom -t oom "
		  "-t oom -t oom -t oom -t oom -t oom -t oom -t oom -t oom", 2,
		  "at most 16 triggers" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* no device: each is refused before opening it */
		ok(flight_sh("opts", "touch file; \"$T\" flight %s >out 2>err; rc=$?; test $rc = %d && test $(wc -l <err) = 1 && grep -qF -- \"%s\" err && ! test -s out && test $(ls | wc -l) = 3 || { cat err; echo rc $rc; exit 1; }",
			     cases[i].args, cases[i].rc, cases[i].msg) == 0,
		   "flight %s: exit %d, one line: %s", cases[i].args,
		   cases[i].rc, cases[i].msg);
	}
}

static void test_flight_run(void)
{
	const char *fired_name = "^[0-9]{8}-[0-9]{6}\\.[0-9]{3}-";
	struct gt_reader *r;
	char path[600];

	ok(flight_sh("run", "FAKEDEV_FIRE=50:0,60:0,400:1 timeout 20 \"$T\" flight -o . -t reclaim:10ms -t oom -e sched --after 50ms --max 2 >out 2>err || exit 1; "
		     "test $(wc -l <out) = 2 && test $(ls -A | grep -c .trace) = 2 && test $(ls -A | grep -c tmp) = 0 && "
		     "ls | grep -Eq '%sreclaim-10ms\\.trace$' && ls | grep -Eq '%soom\\.trace$' && "
		     "grep -q 'reclaim-10ms.trace: reclaim:10ms on cpu 0, pid 4242 (10.0ms); ' out && "
		     "grep -q '1 fired triggers in their windows' err && "
		     "\"$T\" dump *-oom.trace | grep -q 'mark_victim .* <- trigger oom$' && "
		     "cp *-oom.trace oom.trace",
		     fired_name, fired_name) == 0,
	   "flight --max 2: two files named <time>-<trigger>.trace, a line each, the second fire in the first file's window saves none, exit 0");
	snprintf(path, sizeof(path), "%s/run/oom.trace", outdir);
	if (!gt_open_file(path, &r)) {
		ok(gt_header(r)->groups ==
		   (GOTRACE_GROUP_SCHED | GOTRACE_GROUP_RECLAIM |
		    GOTRACE_GROUP_OOM) &&
		   gt_header(r)->start_flags & GOTRACE_START_FLIGHT,
		   "-e sched -t reclaim:10ms -t oom starts a flight recorder with groups sched,reclaim,oom (0x%llx)",
		   (unsigned long long)gt_header(r)->groups);
		gt_close(r);
	} else {
		ok(0, "the oom file opens: %s", gt_error(NULL));
	}
	ok(flight_sh("term", "FAKEDEV_STOPPED=$D/stopped timeout 20 \"$T\" flight -o . -t oom >out 2>err & pid=$!; running; kill -TERM $pid; wait $pid || exit 1; "
		     "test -e stopped && ! test -s out && test $(ls -A | grep -c trace) = 0 && "
		     "grep -q '0 files saved' err") == 0,
	   "flight: SIGTERM stops the trace, exit 0, no file");
	ok(flight_sh("int", "FAKEDEV_FIRE=20:0 FAKEDEV_STOPPED=$D/stopped timeout 20 \"$T\" flight -o . -t oom --after 2s >out 2>err & pid=$!; running; sleep 0.5; kill -INT $pid; wait $pid || exit 1; "
		     "test -e stopped && test $(wc -l <out) = 1 && "
		     "test $(ls -A | grep -c '[.]trace$') = 1 && "
		     "test $(ls -A | grep -c tmp) = 0") == 0,
	   "flight: SIGINT during --after: the file is saved first, then the trace stops, exit 0");
	ok(flight_sh("cooldown", "FAKEDEV_FIRE=20:0,300:0 timeout 20 \"$T\" flight -o . -t oom --after 10ms --cooldown 5s >out 2>err & pid=$!; running; sleep 0.8; kill -TERM $pid; wait $pid || exit 1; "
		     "test $(wc -l <out) = 1 && test $(ls -A | grep -c '[.]trace$') = 1 && "
		     "grep -q '1 fired triggers within the cooldown: no new file' err") == 0,
	   "flight --cooldown 5s: a second fire 280 ms later saves no file");
	ok(flight_sh("nocooldown", "FAKEDEV_FIRE=20:0,300:0 timeout 20 \"$T\" flight -o . -t oom --after 10ms --max 2 >out 2>err || exit 1; "
		     "test $(wc -l <out) = 2 && test $(ls -A | grep -c '[.]trace$') = 2") == 0,
	   "flight without --cooldown: the second fire saves a second file");
	ok(flight_sh("missed", "FAKEDEV_MISSED=5 FAKEDEV_FIRE=20:0 timeout 20 \"$T\" flight -q -o . -t oom --max 1 >out 2>err || exit 1; "
		     "test $(wc -l <out) = 1 && grep -q '5 fired triggers were missed' err") == 0,
	   "flight: missed fired triggers are reported");
	ok(flight_sh("busy", "FAKEDEV_BUSY=1 timeout 20 \"$T\" flight -o . -t oom >out 2>err; "
		     "test $? = 1 && test $(wc -l <err) = 1 && "
		     "grep -q 'cannot start: a trace is running' err && "
		     "test $(ls -A | wc -l) = 2") == 0,
	   "flight on a busy device: exit 1, one line, no file");
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: %s GOTRACE_BINARY OUTDIR FAKEDEV_SO SRCDIR\n",
			argv[0]);
		return 2;
	}
	tool = argv[1];
	outdir = argv[2];
	fakedev = argv[3];
	srcdir = argv[4];
	mkdir(outdir, 0755);

	test_lib();
	test_malformed();
	test_tools();
	test_flight_opts();
	test_flight_run();
	return tap_done();
}
