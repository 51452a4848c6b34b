// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of gotrace convert (perfetto, go) and gotrace report on synthetic
 * traces (TAP):
 *
 *   test_convert GOTRACE_BINARY OUTDIR TESTS_SRCDIR
 *
 * The Perfetto JSON is checked by TESTS_SRCDIR/check_perfetto.py (valid
 * JSON, B/E balanced, tracks ordered, CPU slices disjoint, ping-pong runs
 * as dump says); the Go trace by `go tool trace` (-pprof=sched/sync, -d)
 * when Debian's golang-go is installed (skipped otherwise); the report's
 * embedded numbers against `stats --json`.
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
static const char *srcdir;
static int have_go = -1;

static int go_available(void)
{
	if (have_go < 0)
		have_go = system("command -v go >/dev/null 2>&1") == 0;
	return have_go;
}

/* ---- building traces ------------------------------------------------------ */

#define A(...)	((const uint64_t[]){ __VA_ARGS__ })
#define MAX_EVS	200000
#define TEST_CPUS	4

struct tev {
	uint32_t cpu;
	uint8_t type, ctx;
	uint64_t ts;
	uint64_t args[8];
	const char *str;
	uint32_t stack;
};

static struct tev *evs;
static size_t nr_evs;
static uint64_t now;

static void add(uint32_t cpu, unsigned int type, unsigned int ctx,
		const uint64_t *args, unsigned int nargs, const char *str,
		uint32_t stack)
{
	struct tev *t;

	if (nr_evs == MAX_EVS)
		return;
	t = &evs[nr_evs++];
	memset(t, 0, sizeof(*t));
	t->cpu = cpu;
	t->type = (uint8_t)type;
	t->ctx = (uint8_t)ctx;
	now += 1000 + (uint64_t)(nr_evs * 7919 % 5000);
	t->ts = now;
	memcpy(t->args, args, nargs * sizeof(*args));
	t->str = str;
	t->stack = stack;
}

#define EV(cpu, type, ...) \
	add(cpu, type, 0, A(__VA_ARGS__), \
	    sizeof(A(__VA_ARGS__)) / sizeof(uint64_t), NULL, 0)

static void enc_stack_rec(struct enc *e, uint32_t id, uint32_t nr,
			  const uint64_t *frames)
{
	struct gotrace_stack st = {
		.rec = { GOTRACE_REC_STACK, sizeof(st) + nr * 8 },
		.id = id,
		.nr = nr,
	};

	enc_bytes(e, &st, sizeof(st));
	enc_bytes(e, frames, nr * 8);
}

/*
 * SYMBOLS record (as `gotrace record` appends): the names of the test
 * stacks' frames, one of them in a module.
 */
static void enc_symbols_rec(struct enc *e)
{
	static const struct {
		uint64_t addr;
		uint32_t size;
		const char *name, *module;
	} syms[] = {
		{ 0xffffffff81001000ULL, 0x100, "__alloc_pages", "" },
		{ 0xffffffff81002000ULL, 0x8, "handle_mm_fault", "" },
		{ 0xffffffff81002008ULL, 0x40, "ext4_da_write_begin", "ext4" },
	};
#define NR_SYMS ARRAY_SIZE(syms)
	static const uint8_t pad[8];
	struct gotrace_symbols hdr = { { GOTRACE_REC_SYMBOLS, 0 }, 0, 0 };
	uint32_t len = sizeof(hdr);
	size_t i;

	for (i = 0; i < NR_SYMS; i++)
		len += (sizeof(struct gotrace_symbol) + strlen(syms[i].name) +
			strlen(syms[i].module) + 7) & ~7U;
	hdr.rec.len = len;
	hdr.nr = NR_SYMS;
	enc_bytes(e, &hdr, sizeof(hdr));
	for (i = 0; i < NR_SYMS; i++) {
		struct gotrace_symbol sy = {
			.addr = syms[i].addr,
			.size = syms[i].size,
			.name_len = (uint16_t)strlen(syms[i].name),
			.module_len = (uint16_t)strlen(syms[i].module),
		};
		size_t n = sizeof(sy) + sy.name_len + sy.module_len;

		enc_bytes(e, &sy, sizeof(sy));
		enc_bytes(e, syms[i].name, sy.name_len);
		enc_bytes(e, syms[i].module, sy.module_len);
		enc_bytes(e, pad, ((n + 7) & ~7U) - n);
	}
#undef NR_SYMS
}

/* Write the collected events (one batch per CPU) and a complete tail. */
static uint64_t batch_lost;	/* lost before CPU 1's batch */
static int with_symbols;	/* append a SYMBOLS record */

static int write_trace(const char *name, int stacks, uint32_t nr_tasks,
		       const uint32_t *pids, const char *const *comms)
{
	char path[512];
	struct enc e;
	uint32_t cpu;
	size_t i;
	uint64_t counts[TEST_CPUS] = { 0 };
	FILE *f;
	int ret;

	enc_init(&e, TEST_CPUS, 1000);
	if (stacks)
		enc_set_stack_events(&e, 1ULL << GOTRACE_EV_MM_PAGE_ALLOC);
	if (nr_tasks)
		enc_tasks(&e, nr_tasks, pids, comms);
	for (cpu = 0; cpu < TEST_CPUS; cpu++) {
		int open = 0;

		for (i = 0; i < nr_evs; i++) {
			struct tev *t = &evs[i];

			if (t->cpu != cpu)
				continue;
			if (!open) {
				enc_batch_begin(&e, cpu, 0, t->ts,
						cpu == 1 ? batch_lost : 0);
				open = 1;
			}
			if (stacks && t->type == GOTRACE_EV_MM_PAGE_ALLOC)
				enc_event_stack(&e, t->type, t->ctx, t->ts,
						t->args, t->str, t->stack);
			else
				enc_event(&e, t->type, t->ctx, t->ts, t->args,
					  t->str);
			if (!GOTRACE_EV_IS_META(t->type))
				counts[cpu]++;
		}
		if (open)
			enc_batch_end(&e, 0);
	}
	if (stacks) {
		enc_stack_rec(&e, 1, 2, A(0xffffffff81001010ULL, 0xffffffff81002004ULL));
		enc_stack_rec(&e, 2, 1, A(0xffffffff81002008ULL));
	}
	for (cpu = 0; cpu < TEST_CPUS; cpu++)
		enc_cpu_end(&e, cpu, counts[cpu] ? 1 : 0, counts[cpu],
			    cpu == 1 ? batch_lost : 0, 0);
	enc_end(&e, now + 1000, nr_evs, batch_lost, 0);
	if (with_symbols)
		enc_symbols_rec(&e);
	snprintf(path, sizeof(path), "%s/%s.trace", outdir, name);
	f = fopen(path, "wb");
	ret = f && fwrite(e.buf, 1, e.len, f) == e.len ? 0 : -1;
	if (f)
		fclose(f);
	enc_free(&e);
	return ret;
}

static void reset(void)
{
	nr_evs = 0;
	now = 1000;
}

/* ---- checks ------------------------------------------------------------------ */

/*
 * convert --format=perfetto-proto, decoded by protoc with the schema
 * subset perfetto_trace.proto and compared with dump event by event
 * (check_perfetto_proto.py).
 */
static void verify_perfetto_proto(const char *name, int lost_cpus)
{
	int rc;

	rc = sh("%s convert -q --format=perfetto-proto -o %s/%s.pftrace %s/%s.trace && "
		"%s dump --gfp-hex %s/%s.trace >%s/%s.pdump",
		tool, outdir, name, outdir, name, tool, outdir, name, outdir, name);
	ok(rc == 0, "%s: convert --format=perfetto-proto", name);
	if (system("command -v protoc >/dev/null 2>&1")) {
		skip("%s: protoc --decode (protobuf-compiler not installed)", name);
		return;
	}
	rc = sh("python3 %s/check_perfetto_proto.py %s/%s.pftrace %s/%s.pdump %s --release 6.1.0-test --lost-cpus %d",
		srcdir, outdir, name, outdir, name, srcdir, lost_cpus);
	ok(rc == 0, "%s: perfetto-proto decodes (protoc), its events and fields are dump's, system_info, process_tree, lost bundles",
	   name);
}

/*
 * Page allocations whose profile is known: two tasks, two stacks with
 * symbols (one frame in a module), orders 0/1/2, two gfp values, a
 * failed allocation, frees by the allocating and by another task, a free
 * of a page allocated before the trace, an allocation without a stack.
 * Sites (outstanding pages, bytes, allocated pages, allocations):
 *   worker 100, stack 1, order 0, 0xcc0:     2, 8192, 3, 3
 *   worker 100, stack 1, order 2, 0xcc0:     4, 16384, 4, 1
 *   other 101, stack 2, order 1, 0x100cca:   0, 0, 4, 2
 *   other 101, no stack, order 0, 0xcc0:     1, 4096, 1, 1
 */
static void scenario_pprof(void)
{
	reset();
	EV(0, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 100, 120);
	add(0, GOTRACE_EV_MM_PAGE_ALLOC, 0, A(1000, 0, 0xcc0, 0, 100), 5, NULL, 1);
	add(0, GOTRACE_EV_MM_PAGE_ALLOC, 0, A(1001, 0, 0xcc0, 0, 100), 5, NULL, 1);
	add(1, GOTRACE_EV_MM_PAGE_ALLOC, 0, A(1002, 0, 0xcc0, 0, 100), 5, NULL, 1);
	add(0, GOTRACE_EV_MM_PAGE_ALLOC, 0, A(2000, 2, 0xcc0, 0, 100), 5, NULL, 1);
	add(2, GOTRACE_EV_MM_PAGE_ALLOC, 0, A(3000, 1, 0x100cca, 1, 101), 5, NULL, 2);
	add(2, GOTRACE_EV_MM_PAGE_ALLOC, 0, A(3002, 1, 0x100cca, 1, 101), 5, NULL, 2);
	add(3, GOTRACE_EV_MM_PAGE_ALLOC, 0, A(4000, 0, 0xcc0, 0, 101), 5, NULL, 0);
	add(3, GOTRACE_EV_MM_PAGE_ALLOC, 0, A(~0ULL, 0, 0xcc0, 0, 101), 5, NULL, 1);
	EV(1, GOTRACE_EV_MM_PAGE_FREE, 1001, 0, 100);
	EV(2, GOTRACE_EV_MM_PAGE_FREE, 3000, 1, 101);
	EV(0, GOTRACE_EV_MM_PAGE_FREE, 3002, 1, 100);
	EV(0, GOTRACE_EV_MM_PAGE_FREE, 9999, 0, 100);
	EV(1, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 3, 0xcc0, 100);
	EV(1, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 17, 100);
	EV(2, GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG, 5000, 0, 3, 1, 0, 101);
	EV(2, GOTRACE_EV_MM_PAGE_PCPU_DRAIN, 5008, 0, 1, 101);
	EV(2, GOTRACE_EV_MM_PAGE_FREE_BATCHED, 3000, 101);
}

static void test_pprof(const char *name)
{
	const char *gohome = "HOME=${HOME:-/tmp}";
	int rc;

	rc = sh("%s convert --format=pprof -o %s/%s.pb.gz %s/%s.trace && "
		"test \"$(head -c 2 %s/%s.pb.gz | od -An -tx1 | tr -d ' ')\" = 1f8b",
		tool, outdir, name, outdir, name, outdir, name);
	ok(rc == 0, "%s: convert --format=pprof writes a gzip file", name);
	/* folded: per (task, stack), outermost frame first, exact values */
	rc = sh("cd %s && %s convert -q --format=folded -o %s.folded %s.trace && "
		"printf '%%s\\n' 'worker-100;handle_mm_fault;__alloc_pages 6' "
		"'other-101;[stack not recorded: stack table full] 1' | diff -u - %s.folded",
		outdir, tool, name, name, name);
	ok(rc == 0, "%s: folded outstanding pages per (task, stack)", name);
	rc = sh("cd %s && %s convert -q --format=folded --value=alloc_pages -o - %s.trace | "
		"diff -u - <(printf '%%s\\n' 'worker-100;handle_mm_fault;__alloc_pages 7' "
		"'other-101;[stack not recorded: stack table full] 1' "
		"'other-101;ext4_da_write_begin [ext4] 4')",
		outdir, tool, name);
	ok(rc == 0, "%s: folded --value=alloc_pages (module frames marked)", name);
	rc = sh("%s convert --format=folded --value=bogus -o /dev/null %s/%s.trace 2>&1 | grep -q \"unknown --value 'bogus'\"",
		tool, outdir, name);
	ok(rc == 0, "%s: folded --value=bogus rejected with a clear message", name);
	if (!go_available()) {
		skip("%s: go tool pprof (golang-go not installed)", name);
		return;
	}
	/* every sample exactly: values, then its labels on the next line */
	rc = sh("cd %s && %s go tool pprof -raw %s.pb.gz >%s.raw && "
		"awk '/^Samples:/ { s = 1; next } /^Locations/ { s = 0 } "
		"s && /:/ && !/\\[/ { if (v != \"\") print v l; l = \"\"; "
		"sub(/:.*/, \"\"); v = $1 \" \" $2 \" \" $3 \" \" $4; next } "
		"s && /\\[/ { for (i = 1; i <= NF; i++) l = l \" \" $i } "
		"END { print v l }' %s.raw | sort >%s.samples && "
		"printf '%%s\\n' "
		"'0 0 4 2 comm:[other] gfp:[0x100cca] order:[1] pid:[101]' "
		"'1 4096 1 1 comm:[other] gfp:[0xcc0] order:[0] pid:[101]' "
		"'2 8192 3 3 comm:[worker] gfp:[0xcc0] order:[0] pid:[100]' "
		"'4 16384 4 1 comm:[worker] gfp:[0xcc0] order:[2] pid:[100]' | diff -u - %s.samples",
		outdir, gohome, name, name, name, name, name);
	ok(rc == 0, "%s: go tool pprof -raw: the four samples' values and labels", name);
	rc = sh("cd %s && %s go tool pprof -top %s.pb.gz 2>&1 | tee %s.top | grep -q 'Type: outstanding_pages' && "
		"grep -q 'of 7pages total' %s.top && "
		"%s go tool pprof -top -sample_index=alloc_pages -tagfocus=comm=worker %s.pb.gz 2>&1 | "
		"grep -E '^ +0 +0%% +[0-9.]+%% +7pages +[0-9.]+%% +handle_mm_fault$'",
		outdir, gohome, name, name, name, gohome, name);
	ok(rc == 0, "%s: go tool pprof -top: outstanding by default (7 pages), worker's 7 allocated pages under handle_mm_fault",
	   name);
	rc = sh("cd %s && %s go tool pprof -raw %s.pb.gz | grep -A8 '^Mappings' | grep -q '\\[ext4\\]' && "
		"%s go tool pprof -top -sample_index=allocs '-tagfocus=order=^0$' %s.pb.gz | grep -q 'accounting for 4, '",
		outdir, gohome, name, gohome, name);
	ok(rc == 0, "%s: go tool pprof: a module's mapping, order 0's 4 allocations (-tagfocus='order=^0$')",
	   name);
}

static int tasks_in_dump(const char *name)
{
	char cmd[1024];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd),
		 "%s dump %s/%s.trace 2>/dev/null | grep -oE '(prev_pid|next_pid| pid|child_pid)=[0-9]+' | cut -d= -f2 | grep -v '^0$' | sort -u | wc -l",
		 tool, outdir, name);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fscanf(p, "%d", &n) != 1)
		n = -1;
	pclose(p);
	return n;
}

static void verify_perfetto(const char *name, const char *extra_opts,
			    const char *checker_args)
{
	int rc;

	rc = sh("%s convert -q --format=perfetto %s -o %s/%s.json %s/%s.trace",
		tool, extra_opts, outdir, name, outdir, name);
	ok(rc == 0, "%s: convert --format=perfetto %s", name, extra_opts);
	rc = sh("python3 %s/check_perfetto.py %s/%s.json %s", srcdir, outdir,
		name, checker_args);
	ok(rc == 0, "%s: perfetto JSON valid, B/E balanced, tracks ordered, CPU slices disjoint%s",
	   name, *checker_args ? ", ping-pong as dump" : "");
}

static void check_go(const char *name, int want_tasks)
{
	int rc, got = -1;
	char cmd[1024];
	FILE *p;

	rc = sh("%s convert --format=go -o %s/%s.gotrace %s/%s.trace", tool,
		outdir, name, outdir, name);
	ok(rc == 0, "%s: convert --format=go", name);
	if (!go_available()) {
		skip("%s: go tool trace (golang-go not installed)", name);
		return;
	}
	rc = sh("HOME=${HOME:-/tmp} go tool trace -pprof=sched %s/%s.gotrace >%s/%s.sched.pprof && test -s %s/%s.sched.pprof && "
		"HOME=${HOME:-/tmp} go tool trace -pprof=sync %s/%s.gotrace >/dev/null",
		outdir, name, outdir, name, outdir, name, outdir, name);
	ok(rc == 0, "%s: go tool trace -pprof=sched and -pprof=sync accept it", name);
	if (system("command -v curl >/dev/null 2>&1")) {
		skip("%s: go tool trace web UI (no curl)", name);
	} else {
		rc = sh("%s/check_go_ui.sh %s/%s.gotrace", srcdir, outdir, name);
		ok(rc == 0, "%s: go tool trace's web UI serves it (viewer JSON, goroutines, profiles)",
		   name);
	}
	if (want_tasks < 0)
		return;
	snprintf(cmd, sizeof(cmd),
		 "HOME=${HOME:-/tmp} go tool trace -d %s/%s.gotrace 2>/dev/null | awk '$2 == \"GoCreate\" { for (i = 3; i <= NF; i++) if ($i ~ /^g=/) g = $i; s[g] = 1 } END { print length(s) }'",
		 outdir, name);
	p = popen(cmd, "r");
	if (p) {
		if (fscanf(p, "%d", &got) != 1)
			got = -1;
		pclose(p);
	}
	ok(got == want_tasks, "%s: %d goroutines for %d tasks", name, got,
	   want_tasks);
}

/* ---- scenarios ------------------------------------------------------------------ */

/*
 * Tasks 100 and 200 pass a token on CPU 0 (sleep, wakeup, switch), 300
 * allocates pages with stacks on CPU 1, forks 301 which execs and exits
 * (preempted after its exit, then gone in Z), reclaim and compaction
 * stalls, a migration.
 */
static void scenario_pingpong(void)
{
	int i;

	reset();
	EV(0, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 100, 120);
	EV(1, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 300, 120);
	for (i = 0; i < 40; i++) {
		uint64_t a = i & 1 ? 200 : 100, b = i & 1 ? 100 : 200;

		EV(0, GOTRACE_EV_SCHED_WAKEUP, b, 120, 0);
		EV(0, GOTRACE_EV_SCHED_SWITCH, a, 120, 1, b, 120);
		add(1, GOTRACE_EV_MM_PAGE_ALLOC, 0,
		    A(0x1000 + i, i % 3, 0xcc0, 0, 300), 5, NULL, 1 + i % 2);
		if (i % 4 == 3)
			EV(1, GOTRACE_EV_MM_PAGE_FREE, 0x1000 + i - 2, (i - 2) % 3, 300);
	}
	EV(1, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0, 0xcc0, 300);
	EV(1, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 12, 300);
	EV(1, GOTRACE_EV_MM_COMPACTION_BEGIN, 0, 4096, 1, 300);
	EV(1, GOTRACE_EV_SCHED_PROCESS_FORK, 300, 301, 301);
	EV(1, GOTRACE_EV_SCHED_WAKEUP_NEW, 301, 120, 2);
	EV(1, GOTRACE_EV_MM_COMPACTION_END, 0, 4096, 1, 3, 300);
	EV(2, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 301, 120);
	add(2, GOTRACE_EV_SCHED_PROCESS_EXEC, 0, A(301, 301), 2, "/bin/true", 0);
	EV(2, GOTRACE_EV_SCHED_MIGRATE_TASK, 300, 120, 1, 3);
	EV(2, GOTRACE_EV_SCHED_PROCESS_EXIT, 301, 120, GOTRACE_GROUP_DEAD_UNKNOWN);
	EV(2, GOTRACE_EV_SCHED_SWITCH, 301, 120, GOTRACE_STATE_PREEMPTED, 0, 120);
	EV(2, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 301, 120);
	EV(2, GOTRACE_EV_SCHED_SWITCH, 301, 120, 0x20, 0, 120);
	EV(3, GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE, 0, 1, 0);
	EV(3, GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP, 0);
	/* a waking of a task already runnable: no wakeup, no other event */
	EV(3, GOTRACE_EV_SCHED_WAKING, 777, 120, 3);
}

/*
 * Pages above 2^32 (machines with more than 16 TiB of address space map
 * pfns there): each one shares its low 32 bits with a low pfn that is
 * allocated and freed at other times.
 */
static void scenario_high_pfns(void)
{
	uint64_t hi = 1ULL << 32;
	int i;

	reset();
	for (i = 0; i < 16; i++) {
		EV(0, GOTRACE_EV_MM_PAGE_ALLOC, 0x2000 + i, 0, 0xcc0, 0, 700);
		EV(1, GOTRACE_EV_MM_PAGE_ALLOC, hi + 0x2000 + i, 0, 0xcc0, 0,
		   701);
		if (i % 2)
			EV(0, GOTRACE_EV_MM_PAGE_FREE, 0x2000 + i, 0, 700);
		if (i % 4 == 0)
			EV(1, GOTRACE_EV_MM_PAGE_FREE, hi + 0x2000 + i, 0, 701);
	}
}

/*
 * What lost events and the trace start look like: tasks running before
 * their first switch (page events first), a task switched in on CPU 1
 * while it still runs on CPU 0, a task that blocked switched in without a
 * wakeup, a wakeup of a running task, a switch whose prev is not the task
 * we think runs, idle switching out while a task "runs", a reused pid.
 */
static void scenario_lossy(void)
{
	reset();
	EV(0, GOTRACE_EV_MM_PAGE_ALLOC, 0x10, 0, 0xcc0, 0, 500);
	EV(1, GOTRACE_EV_MM_PAGE_FREE, 0x10, 0, 501);
	EV(0, GOTRACE_EV_SCHED_SWITCH, 500, 120, 1, 502, 120);
	EV(1, GOTRACE_EV_SCHED_SWITCH, 501, 120, 0, 502, 120);
	EV(0, GOTRACE_EV_SCHED_SWITCH, 503, 120, 1, 500, 120);
	EV(0, GOTRACE_EV_SCHED_WAKEUP, 500, 120, 0);
	EV(1, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 504, 120);
	EV(2, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 503, 120);
	EV(2, GOTRACE_EV_SCHED_SWITCH, 503, 120, 2, 502, 120);
	EV(3, GOTRACE_EV_SCHED_PROCESS_EXIT, 505, 120, GOTRACE_GROUP_DEAD_UNKNOWN);
	EV(3, GOTRACE_EV_SCHED_SWITCH, 505, 120, 0x20, 0, 120);
	EV(3, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 501, 120);
	EV(3, GOTRACE_EV_SCHED_SWITCH, 501, 120, 1, 0, 120);
	EV(0, GOTRACE_EV_SCHED_WAKEUP, 501, 120, 3);
	EV(0, GOTRACE_EV_SCHED_WAKEUP, 501, 120, 3);
	EV(0, GOTRACE_EV_SCHED_SWITCH, 500, 120, 0, 501, 120);
	EV(0, GOTRACE_EV_SCHED_SWITCH, 501, 120, GOTRACE_STATE_PREEMPTED, 500, 120);
}

/*
 * A task that blocks after its exit event (D: still tearing down) and is
 * woken before it switches out for good (Z): one goroutine, as in the
 * make check trace of 2026-12-01 (pid 534 of the viewers' "big" trace).
 */
static void scenario_exit_blocks(void)
{
	reset();
	EV(0, GOTRACE_EV_SCHED_PROCESS_FORK, 600, 601, 601);
	EV(0, GOTRACE_EV_SCHED_WAKEUP_NEW, 601, 120, 1);
	EV(1, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 601, 120);
	EV(1, GOTRACE_EV_SCHED_PROCESS_EXIT, 601, 120, GOTRACE_GROUP_DEAD_UNKNOWN);
	EV(1, GOTRACE_EV_SCHED_SWITCH, 601, 120, 2, 0, 120);
	EV(0, GOTRACE_EV_SCHED_WAKEUP, 601, 120, 1);
	EV(1, GOTRACE_EV_SCHED_SWITCH, 0, 120, 0, 601, 120);
	EV(1, GOTRACE_EV_SCHED_SWITCH, 601, 120, 0x20, 0, 120);
	EV(0, GOTRACE_EV_SCHED_SWITCH, 600, 120, 1, 0, 120);
}

/* A pseudo-random kernel: mostly consistent, sometimes not at all. */
static uint32_t rs = 2024;

static uint32_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 17;
	rs ^= rs << 5;
	return rs;
}

static void scenario_random(size_t n, int garbage)
{
	uint32_t cur[TEST_CPUS] = { 0 };
	uint32_t next_pid = 1000, pids[64];
	int alive[64] = { 0 };
	int nr = 0, i;

	reset();
	for (i = 0; i < 16; i++) {
		pids[nr] = next_pid++;
		alive[nr++] = 1;
	}
	while (nr_evs < n) {
		uint32_t cpu = rnd() % TEST_CPUS, k = rnd() % 100;
		uint32_t p = pids[rnd() % nr];

		if (garbage && k < 3) {
			EV(cpu, GOTRACE_EV_SCHED_SWITCH, pids[rnd() % nr], 120,
			   rnd() % 3, pids[rnd() % nr], 120);
		} else if (k < 35) {
			uint32_t nx = rnd() % 4 ? p : 0;
			uint64_t st = rnd() % 4;

			if (st == 3)
				st = GOTRACE_STATE_PREEMPTED;
			EV(cpu, GOTRACE_EV_SCHED_SWITCH, cur[cpu], 120, st, nx, 120);
			cur[cpu] = nx;
		} else if (k < 55) {
			EV(cpu, GOTRACE_EV_SCHED_WAKEUP, p, 120, rnd() % TEST_CPUS);
		} else if (k < 57 && nr < 64 && cur[cpu]) {
			pids[nr] = next_pid++;
			alive[nr] = 1;
			EV(cpu, GOTRACE_EV_SCHED_PROCESS_FORK, cur[cpu], pids[nr], pids[nr]);
			EV(cpu, GOTRACE_EV_SCHED_WAKEUP_NEW, pids[nr], 120, cpu);
			nr++;
		} else if (k < 58 && cur[cpu]) {
			EV(cpu, GOTRACE_EV_SCHED_PROCESS_EXIT, cur[cpu], 120,
			   GOTRACE_GROUP_DEAD_UNKNOWN);
			EV(cpu, GOTRACE_EV_SCHED_SWITCH, cur[cpu], 120, 0x20, 0, 120);
			for (i = 0; i < nr; i++) {
				if (pids[i] == cur[cpu])
					alive[i] = 0;
			}
			cur[cpu] = 0;
		} else if (k < 80) {
			EV(cpu, GOTRACE_EV_MM_PAGE_ALLOC, 0x100 + rnd() % 5000,
			   rnd() % 4, 0xcc0, 0, cur[cpu]);
		} else if (k < 97) {
			EV(cpu, rnd() % 2 ? GOTRACE_EV_MM_PAGE_FREE_BATCHED :
			   GOTRACE_EV_MM_PAGE_FREE, 0x100 + rnd() % 5000,
			   0, cur[cpu]);
			if (evs[nr_evs - 1].type == GOTRACE_EV_MM_PAGE_FREE_BATCHED)
				evs[nr_evs - 1].args[1] = cur[cpu];
		} else {
			EV(cpu, GOTRACE_EV_SCHED_MIGRATE_TASK, p, 120, cpu,
			   rnd() % TEST_CPUS);
		}
		/* exited tasks stay out of the pool */
		for (i = 0; i < nr; i++) {
			if (!alive[i]) {
				pids[i] = pids[--nr];
				alive[i] = alive[nr];
				i--;
			}
		}
		if (nr < 4) {
			pids[nr] = next_pid++;
			alive[nr++] = 1;
		}
	}
}

static void test_report(const char *name)
{
	int rc;

	rc = sh("%s report -o %s/%s.html %s/%s.trace", tool, outdir, name,
		outdir, name);
	ok(rc == 0, "%s: report written", name);
	rc = sh("! grep -Eiq '(src|href)=.?(https?:)?//|@import|url\\(' %s/%s.html",
		outdir, name);
	ok(rc == 0, "%s: report is self-contained (no network references)", name);
	rc = sh("%s stats --json %s/%s.trace >%s/%s.stats.json && python3 -c '"
		"import json, re, sys\n"
		"h = open(sys.argv[1]).read()\n"
		"d = json.loads(re.search(r\"<script type=.application/json. id=.data.>(.*?)</script>\", h, re.S).group(1))\n"
		"s = json.load(open(sys.argv[2]))\n"
		"t = d[\"totals\"]\n"
		"w = dict(events=s[\"trace\"][\"events\"], lost=s[\"trace\"][\"lost\"], allocs=s[\"pages\"][\"allocs\"], alloc_pages=s[\"pages\"][\"alloc_pages\"], frees=s[\"pages\"][\"frees\"], free_pages=s[\"pages\"][\"free_pages\"], outstanding_pages=s[\"outstanding\"][\"pages\"], switches=s[\"sched\"][\"switches\"], wakeups=s[\"sched\"][\"wakeups\"], migrations=s[\"sched\"][\"migrations\"])\n"
		"bad = [k for k in w if t[k] != w[k]]\n"
		"print(\"report\", t)\n"
		"print(\"stats \", w)\n"
		"out = d[\"rate\"][\"outstanding\"][-1]\n"
		"sys.exit(1 if bad or out != w[\"outstanding_pages\"] else 0)' %s/%s.html %s/%s.stats.json",
		tool, outdir, name, outdir, name, outdir, name, outdir, name);
	ok(rc == 0, "%s: report totals (and the outstanding curve's end) equal stats --json", name);
}

int main(int argc, char **argv)
{
	static const uint32_t pids[] = { 100, 200, 300 };
	static const char *const comms[] = { "ping", "pong", "alloc\"er<b>" };
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: %s GOTRACE_BINARY OUTDIR TESTS_SRCDIR\n",
			argv[0]);
		return 2;
	}
	tool = argv[1];
	outdir = argv[2];
	srcdir = argv[3];
	mkdir(outdir, 0755);
	evs = calloc(MAX_EVS, sizeof(*evs));
	if (!evs)
		return 1;

	scenario_pingpong();
	ok(!write_trace("conv-pingpong", 1, 3, pids, comms), "write conv-pingpong");
	{
		char a[512];

		snprintf(a, sizeof(a), "--pingpong 100,200 --dump %s/conv-pingpong.dump",
			 outdir);
		rc = sh("%s dump %s/conv-pingpong.trace >%s/conv-pingpong.dump", tool,
			outdir, outdir);
		ok(rc == 0, "conv-pingpong: dump");
		verify_perfetto("conv-pingpong", "", a);
	}
	rc = sh("grep -q '\"stack\":\\[' %s/conv-pingpong.json && grep -q 'direct reclaim' %s/conv-pingpong.json && grep -q '\"compaction\"' %s/conv-pingpong.json && grep -q '\"ph\":\"f\"' %s/conv-pingpong.json && grep -q 'outstanding pages by order' %s/conv-pingpong.json",
		outdir, outdir, outdir, outdir, outdir);
	ok(rc == 0, "conv-pingpong: allocation stacks, reclaim and compaction slices, wakeup flows, per-order counters");
	check_go("conv-pingpong", tasks_in_dump("conv-pingpong"));
	test_report("conv-pingpong");

	scenario_lossy();
	batch_lost = 7;
	ok(!write_trace("conv-lossy", 0, 0, NULL, NULL), "write conv-lossy");
	batch_lost = 0;
	verify_perfetto("conv-lossy", "", "");
	rc = sh("grep -Fq 'lost events\",\"args\":{\"total\":7}' %s/conv-lossy.json",
		outdir);
	ok(rc == 0, "conv-lossy: 7 lost events on the lost events counter");
	check_go("conv-lossy", -1);
	rc = sh("%s convert --format=go -o /dev/null %s/conv-lossy.trace 2>&1 | grep -q 'made up [1-9]'",
		tool, outdir);
	ok(rc == 0, "conv-lossy: go export reports what it made up");

	/*
	 * Duplicate TASKS entries and a pid of 2^32-1 (garbage a reader must
	 * survive): no leak (LeakSanitizer fails the tool) and no error.
	 */
	{
		static const uint32_t dup_pids[] = { 500, 500, 0xffffffffU };
		static const char *const dup_comms[] = { "a", "b", "c" };

		scenario_lossy();
		EV(0, GOTRACE_EV_SCHED_SWITCH, 0xffffffffULL, 120, 1, 500, 120);
		ok(!write_trace("conv-dup-tasks", 0, 3, dup_pids, dup_comms),
		   "write conv-dup-tasks");
		verify_perfetto("conv-dup-tasks", "", "");
		check_go("conv-dup-tasks", -1);
		test_report("conv-dup-tasks");
	}

	/* Pages are pfns, all 64 bits of them. */
	scenario_high_pfns();
	ok(!write_trace("conv-high-pfns", 0, 0, NULL, NULL),
	   "write conv-high-pfns");
	verify_perfetto("conv-high-pfns", "", "");
	rc = sh("%s stats --json %s/conv-high-pfns.trace >%s/conv-high-pfns.stats.json && python3 -c '"
		"import json, sys\n"
		"s = json.load(open(sys.argv[1]))\n"
		"ev = json.load(open(sys.argv[2]))\n"
		"ev = ev[\"traceEvents\"] if isinstance(ev, dict) else ev\n"
		"c = [e[\"args\"][\"total\"] for e in ev if e.get(\"name\") == \"outstanding pages\"]\n"
		"print(\"# stats outstanding\", s[\"outstanding\"][\"pages\"], \"perfetto\", c[-1:])\n"
		"sys.exit(0 if c and c[-1] == s[\"outstanding\"][\"pages\"] == 20 else 1)' "
		"%s/conv-high-pfns.stats.json %s/conv-high-pfns.json",
		tool, outdir, outdir, outdir, outdir);
	ok(rc == 0, "conv-high-pfns: perfetto's outstanding pages end where stats' do (20)");
	test_report("conv-high-pfns");

	scenario_exit_blocks();
	ok(!write_trace("conv-exit-blocks", 0, 0, NULL, NULL),
	   "write conv-exit-blocks");
	check_go("conv-exit-blocks", 2);

	scenario_random(30000, 0);
	ok(!write_trace("conv-random", 0, 0, NULL, NULL), "write conv-random (30000 events)");
	verify_perfetto("conv-random", "", "");
	verify_perfetto("conv-random", "--from 0.01 --to 0.04 --interval 1 --allocs --sample 3", "");
	check_go("conv-random", tasks_in_dump("conv-random"));
	test_report("conv-random");

	/*
	 * Packing changes the records, not the trace: every converter's
	 * output of the packed copy is the unpacked one's, byte for byte
	 * (losses included: they are in the batch headers).
	 */
	scenario_random(30000, 0);
	batch_lost = 7;
	ok(!write_trace("conv-random-lossy", 0, 0, NULL, NULL),
	   "write conv-random-lossy (30000 events, 7 lost on cpu 1)");
	batch_lost = 0;
	rc = sh("t=%s/conv-random-lossy; %s pack -o $t-packed.trace $t.trace && "
		"test $(stat -c %%s $t-packed.trace) -lt $(stat -c %%s $t.trace) && "
		"%s convert -q --format=perfetto -o $t.json $t.trace && "
		"%s convert -q --format=perfetto -o $t-packed.json $t-packed.trace && "
		"cmp $t.json $t-packed.json && "
		"%s convert -q --format=go -o $t.gotrace $t.trace && "
		"%s convert -q --format=go -o $t-packed.gotrace $t-packed.trace && "
		"cmp $t.gotrace $t-packed.gotrace",
		outdir, tool, tool, tool, tool, tool);
	ok(rc == 0, "conv-random-lossy: the packed trace converts to the same perfetto and go traces");

	scenario_random(30000, 1);
	ok(!write_trace("conv-garbage", 0, 0, NULL, NULL), "write conv-garbage (30000 events, 3%% nonsense switches)");
	verify_perfetto("conv-garbage", "", "");
	check_go("conv-garbage", -1);

	/* a trace cut in the middle still converts to valid output */
	rc = sh("f=%s/conv-random.trace; head -c $(( $(stat -c %%s $f) * 6 / 10 )) $f >%s/conv-cut.trace",
		outdir, outdir);
	ok(rc == 0, "conv-cut: the random trace cut at 60%%");
	verify_perfetto("conv-cut", "", "");
	check_go("conv-cut", -1);

	/* no events at all (cut after the first records) */
	rc = sh("head -c 900 %s/conv-random.trace >%s/conv-empty.trace", outdir, outdir);
	ok(rc == 0, "conv-empty: the random trace cut before its first batch");
	verify_perfetto("conv-empty", "", "");
	check_go("conv-empty", -1);
	test_report("conv-empty");

	/* pprof, folded and perfetto-proto of a trace with known numbers */
	{
		static const uint32_t pp_pids[] = { 100, 101 };
		static const char *const pp_comms[] = { "worker", "other" };

		scenario_pprof();
		with_symbols = 1;
		batch_lost = 5;
		ok(!write_trace("conv-pprof", 1, 2, pp_pids, pp_comms),
		   "write conv-pprof");
		batch_lost = 0;
		with_symbols = 0;
		test_pprof("conv-pprof");
		verify_perfetto_proto("conv-pprof", 1);
	}
	verify_perfetto_proto("conv-pingpong", 0);
	verify_perfetto_proto("conv-random", 0);
	/* a window: the analysis's window, so stats' numbers */
	rc = sh("t=%s/conv-random; w='--from 0.01 --to 0.04'; "
		"%s stats --json $w $t.trace >$t.win.json && "
		"o=$(%s convert -q --format=folded $w -o - $t.trace | awk '{ n += $NF } END { print n + 0 }') && "
		"a=$(%s convert -q --format=folded --value=alloc_pages $w -o - $t.trace | awk '{ n += $NF } END { print n + 0 }') && "
		"python3 -c 'import json, sys\n"
		"s = json.load(open(sys.argv[1]))\n"
		"w = [s[\"outstanding\"][\"pages\"], s[\"pages\"][\"alloc_pages\"]]\n"
		"g = [int(sys.argv[2]), int(sys.argv[3])]\n"
		"print(\"folded\", g, \"stats\", w)\n"
		"sys.exit(0 if g == w and w[1] > 0 else 1)' $t.win.json $o $a",
		outdir, tool, tool, tool);
	ok(rc == 0, "conv-random: folded --from 0.01 --to 0.04 sums to stats' outstanding and allocated pages of that window");
	/* input that is not a trace: one line, exit 1, no output file */
	rc = sh("cd %s && rm -f bad.pb.gz bad.pftrace && "
		"! %s convert --format=pprof -o bad.pb.gz %s/conv-pprof.folded 2>bad.err && "
		"! %s convert --format=perfetto-proto -o bad.pftrace %s/conv-pprof.folded 2>>bad.err && "
		"test ! -e bad.pb.gz && test ! -e bad.pftrace && test $(wc -l <bad.err) -eq 2 && cat bad.err",
		outdir, tool, outdir, tool, outdir);
	ok(rc == 0, "not a trace: pprof and perfetto-proto exit 1 with one line each, no output file");
	verify_perfetto_proto("conv-random-lossy", 1);
	verify_perfetto_proto("conv-garbage", 0);
	rc = sh("%s convert --format=pprof -o %s/conv-cut.pb.gz %s/conv-cut.trace && "
		"%s convert --format=perfetto-proto -o %s/conv-cut.pftrace %s/conv-cut.trace",
		tool, outdir, outdir, tool, outdir, outdir);
	ok(rc == 0, "conv-cut: pprof and perfetto-proto of a truncated trace");

	free(evs);
	return tap_done();
}
