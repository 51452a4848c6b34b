// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the gotrace reader library and of "gotrace dump".
 *
 * Usage: test_reader GOTRACE_BINARY OUTDIR [FAKEDEV_SO]
 *        test_reader --gen FILE NR_EVENTS     (big stream for benchmarks)
 *
 * Output is TAP; the exit status is non-zero if a test failed.
 * GT_FUZZ_SEED and GT_FUZZ_ITERS change the random corruption runs.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "test_stream.h"
#include "gotrace_reader.h"

static const char *tool;
static const char *outdir;

/* ---- sample streams --------------------------------------------------- */

#define A(...)	((const uint64_t[]){ __VA_ARGS__ })

enum {
	SAMPLE_EVENTS = 18,	/* tracepoint events of the sample */
	SAMPLE_LOST = 5,
};

/*
 * Three CPUs (CPU 2 idle), every event type, COMM, all contexts, ties in
 * time across and within CPUs, pfn going up, down and failing, 10-byte
 * varints, an unknown record, lost events, CPU_END and END.
 */
static void build_sample(struct enc *e, int tail)
{
	size_t b0, b1;

	enc_init(e, 3, 900);

	b0 = e->len;
	enc_batch_begin(e, 0, 0, 1000, 0);
	enc_event(e, GOTRACE_EV_COMM, 0, 1000, A(100), "bash");
	enc_event(e, GOTRACE_EV_COMM, 0, 1010, A(200), "worker");
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 1010,
		  A(100, 120, 1, 200, 120), NULL);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP, GOTRACE_CTX_SOFTIRQ, 1020,
		  A(300, 120, 1), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 1030,
		  A(0x12345, 0, 0xcc0, 1, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, GOTRACE_CTX_HARDIRQ, 1040,
		  A(~0ULL, 2, 0x2dc2, 0, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE, 0, 1050, A(0x12300, 0, 100),
		  NULL);
	enc_event(e, GOTRACE_EV_SCHED_PROCESS_EXEC, 0, 1060, A(100, 100),
		  "/usr/bin/ls");
	enc_batch_end(e, 0);
	b0 = e->len - b0;

	b1 = e->len;
	enc_batch_begin(e, 1, 0, 1005, 3);
	enc_event(e, GOTRACE_EV_COMM, 0, 1005, A(300), "kworker/1:0");
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 1010,
		  A(0, 120, GOTRACE_STATE_PREEMPTED, 300, 120), NULL);
	enc_event(e, GOTRACE_EV_SCHED_PROCESS_FORK, 0, 1015, A(300, 301, 301),
		  NULL);
	enc_event(e, GOTRACE_EV_SCHED_MIGRATE_TASK, 0, 1025, A(301, 120, 1, 0),
		  NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE_BATCHED, 0, 1030,
		  A(0x5000, 301), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_PCPU_DRAIN, 0, 1030,
		  A(0x5001, 1, 2, 301), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG, 0, 1035,
		  A(0x400, 0, 3, 1, 0, 301), NULL);
	enc_event(e, GOTRACE_EV_SCHED_PROCESS_EXIT, 0, 1045,
		  A(301, 120, GOTRACE_GROUP_DEAD_TRUE), NULL);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP_NEW, GOTRACE_CTX_NMI, 1046,
		  A(302, 120, 0), NULL);
	enc_batch_end(e, 0);
	b1 = e->len - b1;

	enc_record(e, 77, 24);		/* unknown: skipped */

	b0 = e->len;
	enc_batch_begin(e, 0, 1, 2000, 2);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 2000,
		  A(200, 0xffffffff, 3, 0, 120), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 2001,
		  A(0xfedcba9876543210ULL, 10, ~0ULL, 5, 200), NULL);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 2002,
		  A(0, 120, 0x101, 100, 120), NULL);
	enc_batch_end(e, 0);
	b0 += 0;

	enc_batch_begin(e, 1, 1, 3000, 0);
	enc_event(e, GOTRACE_EV_SCHED_PROCESS_EXIT, 0, 3000,
		  A(302, 120, GOTRACE_GROUP_DEAD_UNKNOWN), NULL);
	enc_batch_end(e, 0);

	if (!tail)
		return;
	enc_cpu_end(e, 0, 2, 10, 2, 0);
	enc_cpu_end(e, 1, 2, 10, 3, 0);
	enc_cpu_end(e, 2, 0, 0, 0, 0);
	enc_end(e, 5000, SAMPLE_EVENTS, SAMPLE_LOST, 0);
	(void)b1;
}

static const struct exp_event *sort_base;

static int exp_cmp(const void *a, const void *b)
{
	const size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	const struct gt_event *ea = &sort_base[ia].ev, *eb = &sort_base[ib].ev;

	if (ea->ts != eb->ts)
		return ea->ts < eb->ts ? -1 : 1;
	if (ea->cpu != eb->cpu)
		return ea->cpu < eb->cpu ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

/* Indexes of e->exp in the order the reader must return them. */
static size_t *merged_order(const struct enc *e)
{
	size_t *o = calloc(e->nr_exp + 1, sizeof(*o));
	size_t i;

	for (i = 0; i < e->nr_exp; i++)
		o[i] = i;
	sort_base = e->exp;
	qsort(o, e->nr_exp, sizeof(*o), exp_cmp);
	return o;
}

static int same_event(const struct gt_event *got, const struct exp_event *x,
		      char *why, size_t size)
{
	const struct gt_event *w = &x->ev;
	unsigned int i;

	if (got->ts != w->ts || got->cpu != w->cpu || got->type != w->type ||
	    got->ctx != w->ctx || got->nargs != w->nargs ||
	    got->stack_id != w->stack_id) {
		snprintf(why, size,
			 "got ts %llu cpu %u type %u ctx %u nargs %u, want ts %llu cpu %u type %u ctx %u nargs %u",
			 (unsigned long long)got->ts, got->cpu, got->type,
			 got->ctx, got->nargs, (unsigned long long)w->ts,
			 w->cpu, w->type, w->ctx, w->nargs);
		return 0;
	}
	for (i = 0; i < w->nargs; i++) {
		if (got->args[i] != w->args[i]) {
			snprintf(why, size, "ts %llu arg %u: got 0x%llx want 0x%llx",
				 (unsigned long long)w->ts, i,
				 (unsigned long long)got->args[i],
				 (unsigned long long)w->args[i]);
			return 0;
		}
	}
	if (w->str_len || x->str[0]) {
		if (!got->str || strcmp(got->str, x->str) ||
		    got->str_len != strlen(x->str)) {
			snprintf(why, size, "ts %llu: str '%s' want '%s'",
				 (unsigned long long)w->ts,
				 got->str ? got->str : "(null)", x->str);
			return 0;
		}
	} else if (got->str) {
		snprintf(why, size, "ts %llu: unexpected str", (unsigned long long)w->ts);
		return 0;
	}
	return 1;
}

/* Read all events of r and compare with the merged expectation. */
static int check_all(struct gt_reader *r, const struct enc *e, size_t limit,
		     char *why, size_t size)
{
	size_t *o = merged_order(e);
	size_t i = 0, j;
	struct gt_event ev;
	int ret, good = 1;

	why[0] = '\0';
	while ((ret = gt_next(r, &ev)) > 0) {
		while (i < e->nr_exp && e->exp[o[i]].rec_end > limit)
			i++;
		if (i >= e->nr_exp) {
			snprintf(why, size, "more events than expected");
			good = 0;
			break;
		}
		if (!same_event(&ev, &e->exp[o[i]], why, size)) {
			good = 0;
			break;
		}
		i++;
	}
	if (good && ret < 0) {
		snprintf(why, size, "gt_next error %d: %s", ret, gt_error(r));
		good = 0;
	}
	for (j = i; good && j < e->nr_exp; j++) {
		if (e->exp[o[j]].rec_end <= limit) {
			snprintf(why, size, "missing events (%zu of %zu read)",
				 i, e->nr_exp);
			good = 0;
		}
	}
	free(o);
	return good;
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	memcpy(q, p, n);
	return q;
}

static char *path_in_out(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", outdir, name);
	return buf;
}

/* ---- tests ------------------------------------------------------------ */

static void test_names(void)
{
	char b[64];

	ok(!strcmp(gt_event_name(GOTRACE_EV_SCHED_SWITCH), "sched_switch") &&
	   !strcmp(gt_event_name(GOTRACE_EV_MM_PAGE_ALLOC), "mm_page_alloc") &&
	   !strcmp(gt_event_name(GOTRACE_EV_COMM), "comm") &&
	   !strcmp(gt_event_name(GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG),
		   "mm_page_alloc_extfrag") &&
	   !strcmp(gt_event_name(999), "unknown"), "event names");
	ok(!strcmp(gt_state_str(0, b, sizeof(b)), "R") &&
	   !strcmp(gt_state_str(1, b, sizeof(b)), "S") &&
	   !strcmp(gt_state_str(2, b, sizeof(b)), "D") &&
	   !strcmp(gt_state_str(3, b, sizeof(b)), "S|D") &&
	   !strcmp(gt_state_str(128, b, sizeof(b)), "I") &&
	   !strcmp(gt_state_str(0x100, b, sizeof(b)), "R+") &&
	   !strcmp(gt_state_str(0x101, b, sizeof(b)), "S+") &&
	   !strcmp(gt_state_str(0x200, b, sizeof(b)), "0x200"),
	   "prev_state strings");
}

static void check_sample_reader(struct gt_reader *r, const struct enc *e,
				const char *how)
{
	const struct gt_summary *s;
	char why[256];
	const char *c;

	ok(check_all(r, e, e->len, why, sizeof(why)),
	   "%s: all events, merged in (ts, cpu, stream) order %s", how, why);
	c = gt_comm(r, 300);
	ok(gt_comm(r, 100) && !strcmp(gt_comm(r, 100), "bash") &&
	   gt_comm(r, 200) && !strcmp(gt_comm(r, 200), "worker") &&
	   c && !strcmp(c, "kworker/1:0") && !gt_comm(r, 301) &&
	   !gt_comm(r, 0), "%s: comm table", how);
	s = gt_summary(r);
	ok(s->complete && !s->truncated && s->events == SAMPLE_EVENTS &&
	   s->lost == SAMPLE_LOST && s->stop_ns == 5000 && s->nr_cpus == 3,
	   "%s: summary totals from END", how);
	ok(s->cpus[0].has_end && s->cpus[0].batches == 2 &&
	   s->cpus[0].batches_seen == 2 && s->cpus[0].events_seen == 9 &&
	   s->cpus[0].lost_in_batches == 2 && s->cpus[0].seq_gaps == 0 &&
	   s->cpus[1].batches_seen == 2 && s->cpus[1].events_seen == 9 &&
	   s->cpus[1].lost_in_batches == 3 && s->cpus[1].lost == 3 &&
	   s->cpus[2].has_end && s->cpus[2].batches_seen == 0 &&
	   s->cpus[2].cpu == 2,
	   "%s: per-CPU summary", how);
	ok(gt_header(r)->nr_cpus == 3 && gt_header(r)->start_ns == 900 &&
	   !strcmp(gt_header(r)->release, "6.1.0-test"), "%s: header", how);
}

static void test_sample(void)
{
	struct gt_reader *r;
	struct enc e;
	uint8_t *buf;
	int ret;

	build_sample(&e, 1);
	buf = dup_exact(e.buf, e.len);
	ret = gt_open_mem(buf, e.len, &r);
	ok(ret == 0, "open sample from memory (%s)", ret ? gt_error(NULL) : "");
	if (!ret) {
		check_sample_reader(r, &e, "mem");
		gt_close(r);
	}
	free(buf);

	write_file(path_in_out("sample.trace"), e.buf, e.len);
	ret = gt_open_file(path_in_out("sample.trace"), &r);
	ok(ret == 0, "open sample file (%s)", ret ? gt_error(NULL) : "");
	if (!ret) {
		check_sample_reader(r, &e, "file");
		gt_close(r);
	}
	ret = gt_open_file(path_in_out("does-not-exist.trace"), &r);
	ok(ret == -ENOENT && !r && strstr(gt_error(NULL), "No such file"),
	   "missing file: -ENOENT, '%s'", gt_error(NULL));
	ret = gt_open_file("/dev/null", &r);
	ok(ret == -ESPIPE, "non-regular input rejected: '%s'", gt_error(NULL));
	enc_free(&e);
}

static int is_bound(const struct enc *e, size_t off)
{
	size_t i;

	for (i = 0; i < e->nr_bounds; i++) {
		if (e->bounds[i] == off)
			return 1;
	}
	return 0;
}

static void test_truncation(void)
{
	const size_t hdr_end = GOTRACE_MAGIC_LEN + sizeof(struct gotrace_header);
	struct enc e;
	size_t cut, bad_mem = 0, bad_file = 0, first_bad = 0;
	char why[256] = "";

	build_sample(&e, 1);
	for (cut = 0; cut < e.len; cut++) {
		uint8_t *buf = dup_exact(e.buf, cut);
		struct gt_reader *r;
		const struct gt_summary *s;
		int ret, pass, how;

		for (how = 0; how < 2; how++) {
			if (how == 0) {
				ret = gt_open_mem(buf, cut, &r);
			} else {
				write_file(path_in_out("cut.trace"), buf, cut);
				ret = gt_open_file(path_in_out("cut.trace"),
						   &r);
			}
			if (cut < hdr_end) {
				pass = ret == -EINVAL && !r &&
				       gt_error(NULL)[0];
			} else if (ret) {
				pass = 0;
				snprintf(why, sizeof(why), "open: %s",
					 gt_error(NULL));
			} else {
				pass = check_all(r, &e, cut, why, sizeof(why));
				s = gt_summary(r);
				pass = pass && !s->complete &&
				       s->truncated == !is_bound(&e, cut);
				if (pass && s->truncated &&
				    !strstr(gt_error(r), "truncated"))
					pass = 0;
				gt_close(r);
			}
			if (!pass) {
				if (!bad_mem && !bad_file)
					first_bad = cut;
				if (how)
					bad_file++;
				else
					bad_mem++;
			}
		}
		free(buf);
	}
	ok(!bad_mem, "cut at each of %zu bytes (memory): decoded complete batches, truncated flagged (%zu bad, first %zu %s)",
	   e.len, bad_mem, first_bad, why);
	ok(!bad_file, "cut at each of %zu bytes (file) (%zu bad)", e.len,
	   bad_file);
	enc_free(&e);
}

/* Open a corrupt stream, read all; return gt_next's final value. */
static int read_corrupt(const uint8_t *p, size_t n, size_t *events,
			char *msg, size_t size)
{
	uint8_t *buf = dup_exact(p, n);
	struct gt_reader *r;
	struct gt_event ev;
	size_t calls = 0, i;
	int ret;

	*events = 0;
	ret = gt_open_mem(buf, n, &r);
	if (ret) {
		snprintf(msg, size, "%s", gt_error(NULL));
		free(buf);
		return ret;
	}
	while ((ret = gt_next(r, &ev)) > 0) {
		(*events)++;
		if (++calls > n) {
			ret = -1000;	/* cannot be: loops forever */
			break;
		}
	}
	snprintf(msg, size, "%s", gt_error(r));
	if (ret < 0 && ret != -1000 && gt_next(r, &ev) != ret)
		ret = -1001;		/* errors must be sticky */
	(void)gt_summary(r);
	(void)gt_comm(r, 100);
	for (i = 0; i < gt_nr_stacks(r); i++) {
		const uint64_t *f;
		int k, nf = gt_stack(r, gt_stack_id(r, i), &f);

		for (k = 0; k < nf; k++)
			(void)gt_symbol(r, f[k], NULL, NULL);
	}
	gt_close(r);
	free(buf);
	return ret;
}

static void patch32(struct enc *e, size_t off, uint32_t v)
{
	memcpy(e->buf + off, &v, sizeof(v));
}

/* A stream: header, one good batch on CPU 0, then the batch under test. */
static void good_prefix(struct enc *e)
{
	enc_init(e, 2, 0);
	enc_batch_begin(e, 0, 0, 100, 0);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP, 0, 100, A(1, 120, 0), NULL);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP, 0, 110, A(2, 120, 0), NULL);
	enc_batch_end(e, 0);
}

static void expect_error(struct enc *e, const char *what, const char *needle,
			 size_t want_events)
{
	char msg[256];
	size_t events;
	int ret;

	ret = read_corrupt(e->buf, e->len, &events, msg, sizeof(msg));
	ok(ret == -EINVAL && strstr(msg, needle) && events == want_events,
	   "%s: error after %zu events: '%s'", what, events, msg);
}

/*
 * sched_switch's prev_pid in format version 4: elided after a switch of
 * the same batch that entered it, written as pid + 1 otherwise (the
 * batch's first switch, a switch after a dropped one, pid 0); version 3
 * streams of the same events decode alike.
 */
static void build_switches(struct enc *e, uint32_t version)
{
	enc_init(e, 1, 0);
	enc_set_version(e, version);
	enc_batch_begin(e, 0, 0, 100, 0);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 100, A(0, 120, 0, 4000, 120),
		  NULL);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 110, A(4000, 120, 1, 0, 120),
		  NULL);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 120, A(0, 120, 0, 70000, 100),
		  NULL);
	/* not the last next_pid (a switch was dropped): explicit */
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 130, A(4000, 120, 0, 0, 120),
		  NULL);
	enc_batch_end(e, 0);
	/* a new batch starts without a previous switch */
	enc_batch_begin(e, 0, 1, 200, 0);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 200, A(0, 120, 0, 4000, 120),
		  NULL);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 210,
		  A(4000, 120, 0x101, 0, 120), NULL);
	enc_batch_end(e, 0);
	enc_end(e, 300, 6, 0, 0);
}

static void test_switch_versions(void)
{
	static const uint32_t versions[] = { 3, GOTRACE_VERSION };
	/* type, ts delta, prev_pid elided, prio, state, next_pid, prio */
	static const uint8_t bad[] = { GOTRACE_EV_SCHED_SWITCH, 0,
				       GOTRACE_PREV_PID_SAME, 120, 0, 5, 120 };
	size_t len[2] = { 0, 0 }, events, i;
	struct gt_reader *r;
	char why[256], msg[256];
	struct enc e;
	uint8_t *buf;
	int ret;

	for (i = 0; i < 2; i++) {
		build_switches(&e, versions[i]);
		len[i] = e.len;
		buf = dup_exact(e.buf, e.len);
		ret = gt_open_mem(buf, e.len, &r);
		ok(ret == 0 && check_all(r, &e, e.len, why, sizeof(why)),
		   "version %u: sched_switch prev_pids decode (%s)", versions[i],
		   ret ? gt_error(NULL) : why);
		if (!ret)
			gt_close(r);
		free(buf);
		enc_free(&e);
	}
	/* 3 of 6 prev_pids elided: 1 byte each instead of 2 or 3 */
	ok(len[1] < len[0], "version 4 is smaller: %zu < %zu bytes", len[1],
	   len[0]);

	/* a batch that starts with an elided prev_pid refers to nothing */
	enc_init(&e, 1, 0);
	enc_batch_begin(&e, 0, 0, 100, 0);
	enc_bytes(&e, bad, sizeof(bad));
	e.nr_events++;
	enc_batch_end(&e, 0);
	ret = read_corrupt(e.buf, e.len, &events, msg, sizeof(msg));
	ok(ret == -EINVAL && strstr(msg, "start of a batch") && events == 0,
	   "version 4: elided prev_pid at a batch start is an error: '%s'",
	   msg);
	enc_free(&e);
}

static void test_corrupt_specific(void)
{
	struct enc e;
	size_t off, events;
	char msg[256];
	uint8_t b;
	int ret;

	good_prefix(&e);
	e.buf[0] = 'X';
	ret = read_corrupt(e.buf, e.len, &events, msg, sizeof(msg));
	ok(ret == -EINVAL && strstr(msg, "magic"), "bad magic: '%s'", msg);
	enc_free(&e);

	good_prefix(&e);
	patch32(&e, GOTRACE_MAGIC_LEN + 8, GOTRACE_VERSION + 1);
	ret = read_corrupt(e.buf, e.len, &events, msg, sizeof(msg));
	ok(ret == -EINVAL && strstr(msg, "version"), "bad version: '%s'", msg);
	enc_free(&e);

	/* version 1: SCHED_PROCESS_EXIT had 2 arguments, not decodable here */
	good_prefix(&e);
	patch32(&e, GOTRACE_MAGIC_LEN + 8, 1);
	ret = read_corrupt(e.buf, e.len, &events, msg, sizeof(msg));
	ok(ret == -EINVAL && strstr(msg, "format version 1;"),
	   "version 1 refused: '%s'", msg);
	enc_free(&e);

	good_prefix(&e);
	patch32(&e, GOTRACE_MAGIC_LEN + 12, 0);
	ret = read_corrupt(e.buf, e.len, &events, msg, sizeof(msg));
	ok(ret == -EINVAL && strstr(msg, "nr_cpus"), "nr_cpus 0: '%s'", msg);
	enc_free(&e);

	good_prefix(&e);
	off = e.len;
	enc_record(&e, 77, 16);
	patch32(&e, off + 4, 12);
	expect_error(&e, "record len not a multiple of 8", "length", 2);
	enc_free(&e);

	good_prefix(&e);
	off = e.len;
	enc_record(&e, GOTRACE_REC_BATCH, 8);
	patch32(&e, off + 4, 0);
	expect_error(&e, "record len 0", "length", 2);
	enc_free(&e);

	good_prefix(&e);
	enc_record(&e, GOTRACE_REC_BATCH, 32);
	expect_error(&e, "BATCH shorter than its header", "too short", 2);
	enc_free(&e);

	good_prefix(&e);
	off = e.len;
	enc_batch_begin(&e, 1, 0, 200, 0);
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 205, A(3, 120, 0), NULL);
	enc_batch_end(&e, 0);
	patch32(&e, off + 8, 2);
	expect_error(&e, "cpu >= nr_cpus", "nr_cpus", 2);
	enc_free(&e);

	good_prefix(&e);
	enc_batch_begin(&e, 1, 0, 200, 0);
	b = GOTRACE_EV_SCHED_WAKEUP;
	enc_bytes(&e, &b, 1);
	for (off = 0; off < 11; off++) {
		b = 0x80;
		enc_bytes(&e, &b, 1);
	}
	b = 1;
	enc_bytes(&e, &b, 1);
	enc_batch_end(&e, 1);
	expect_error(&e, "overlong varint", "varint", 2);
	enc_free(&e);

	good_prefix(&e);
	enc_batch_begin(&e, 1, 0, 200, 0);
	b = 0x3f;
	enc_bytes(&e, &b, 1);
	enc_varint(&e, 1);
	enc_batch_end(&e, 1);
	expect_error(&e, "unknown event type", "unknown event type", 2);
	enc_free(&e);

	good_prefix(&e);
	enc_batch_begin(&e, 1, 0, 200, 0);
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 205, A(3, 120, 0), NULL);
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 206, A(4, 120, 0), NULL);
	enc_batch_end(&e, 1);
	expect_error(&e, "nr_events too big", "fewer events", 4);
	enc_free(&e);

	good_prefix(&e);
	enc_batch_begin(&e, 1, 0, 200, 0);
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 205, A(3, 120, 0), NULL);
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 206, A(4, 120, 0), NULL);
	enc_batch_end(&e, -1);
	expect_error(&e, "nr_events too small", "more events", 3);
	enc_free(&e);

	good_prefix(&e);
	enc_batch_begin(&e, 1, 0, 200, 0);
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 205, A(3, 120, 0), NULL);
	enc_batch_end(&e, 0);
	e.buf[e.len - 1] = 5;	/* in the padding */
	expect_error(&e, "non-zero padding", "non-zero", 3);
	enc_free(&e);

	good_prefix(&e);
	enc_batch_begin(&e, 1, 0, 200, 0);
	enc_event(&e, GOTRACE_EV_COMM, 0, 200, A(5),
		  "a-very-long-comm-name");
	enc_batch_end(&e, 0);
	expect_error(&e, "comm longer than 16", "comm longer", 2);
	enc_free(&e);

	good_prefix(&e);
	enc_batch_begin(&e, 1, 0, 200, 0);
	b = GOTRACE_EV_SCHED_WAKEUP;
	enc_bytes(&e, &b, 1);
	enc_varint(&e, 1);
	enc_varint(&e, 1);
	enc_varint(&e, 1);
	b = 0x80;	/* target_cpu cut by the end of the batch */
	for (off = 0; off < 4; off++)
		enc_bytes(&e, &b, 1);
	enc_batch_end(&e, 1);
	expect_error(&e, "varint runs past the batch", "past the end", 2);
	enc_free(&e);

	/* a record whose length runs past the data: a truncated stream */
	good_prefix(&e);
	off = e.len;
	enc_record(&e, GOTRACE_REC_BATCH, 64);
	patch32(&e, off + 4, 4096);
	ret = read_corrupt(e.buf, e.len, &events, msg, sizeof(msg));
	ok(ret == 0 && events == 2 && strstr(msg, "truncated"),
	   "record past the end: truncated, '%s'", msg);
	enc_free(&e);
}

static void build_sample_full(struct enc *e)
{
	build_sample(e, 1);
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void test_fuzz(void (*build)(struct enc *e), const char *what)
{
	struct enc e;
	unsigned int i, errs = 0, oks = 0, bad = 0, iters = 30000;
	char msg[256];
	size_t events;

	build(&e);
	if (getenv("GT_FUZZ_SEED"))
		rnd_state = strtoul(getenv("GT_FUZZ_SEED"), NULL, 0) | 1;
	if (getenv("GT_FUZZ_ITERS"))
		iters = strtoul(getenv("GT_FUZZ_ITERS"), NULL, 0);
	for (i = 0; i < iters; i++) {
		uint8_t *buf = dup_exact(e.buf, e.len);
		unsigned int flips = 1 + rnd() % 4, k;
		size_t len = e.len;
		int ret;

		for (k = 0; k < flips; k++) {
			size_t at = GOTRACE_MAGIC_LEN + rnd() % (e.len -
							       GOTRACE_MAGIC_LEN);

			switch (rnd() % 4) {
			case 0:
				buf[at] ^= 1 << (rnd() % 8);
				break;
			case 1:
				buf[at] = (uint8_t)rnd();
				break;
			case 2:
				buf[at] = 0xff;
				break;
			case 3:
				buf[at] = 0x80;
				break;
			}
		}
		if (rnd() % 4 == 0)
			len = rnd() % (e.len + 1);
		ret = read_corrupt(buf, len, &events, msg, sizeof(msg));
		if (ret < -999)
			bad++;
		else if (ret < 0)
			errs++;
		else
			oks++;
		free(buf);
	}
	ok(!bad, "%s: %u random corruptions: no crash, no hang, sticky errors (%u errors, %u decoded, %u bad)",
	   what, iters, errs, oks, bad);
	enc_free(&e);
}

static void test_lens(void)
{
	struct enc e;
	unsigned int i, bad = 0;
	char msg[256];
	size_t events;

	build_sample(&e, 1);
	for (i = 0; i < e.nr_bounds; i++) {
		static const uint32_t lens[] = {
			0, 4, 8, 16, 24, 40, 48, 160, 0xfffffff8, 0xffffffff,
		};
		unsigned int j;

		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			uint8_t *buf = dup_exact(e.buf, e.len);

			if (e.bounds[i] + 8 > e.len) {
				free(buf);
				continue;
			}
			memcpy(buf + e.bounds[i] + 4, &lens[j], 4);
			if (read_corrupt(buf, e.len, &events, msg,
					 sizeof(msg)) < -999)
				bad++;
			free(buf);
		}
	}
	ok(!bad, "every record length set to odd values: no crash");
	enc_free(&e);
}

static void test_seq_gaps(void)
{
	const struct gt_summary *s;
	struct gt_reader *r;
	struct gt_event ev;
	struct enc e;
	int n = 0, ret;

	enc_init(&e, 2, 0);
	enc_batch_begin(&e, 0, 0, 10, 0);
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 10, A(1, 120, 0), NULL);
	enc_batch_end(&e, 0);
	enc_batch_begin(&e, 0, 1, 20, 0);
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 20, A(1, 120, 0), NULL);
	enc_batch_end(&e, 0);
	enc_batch_begin(&e, 0, 3, 40, 0);	/* seq 2 missing */
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 40, A(1, 120, 0), NULL);
	enc_batch_end(&e, 0);
	enc_batch_begin(&e, 1, 2, 15, 0);	/* seq 0, 1 missing */
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, 15, A(1, 120, 0), NULL);
	enc_batch_end(&e, 0);
	enc_cpu_end(&e, 0, 5, 5, 0, 0);		/* seq 4 missing */
	ret = gt_open_mem(e.buf, e.len, &r);
	ok(!ret, "seq gap stream opens");
	if (ret) {
		enc_free(&e);
		return;
	}
	while (gt_next(r, &ev) > 0)
		n++;
	s = gt_summary(r);
	ok(n == 4 && s->cpus[0].seq_gaps == 2 && s->cpus[1].seq_gaps == 2 &&
	   s->cpus[0].batches == 5 && s->cpus[0].batches_seen == 3 &&
	   !s->cpus[1].has_end && s->cpus[1].batches == 1 &&
	   !s->complete && !s->truncated && s->events == 5 + 1,
	   "seq gaps counted: cpu0 %u cpu1 %u, events %d",
	   s->cpus[0].seq_gaps, s->cpus[1].seq_gaps, n);
	gt_close(r);
	enc_free(&e);
}

static void test_empty(void)
{
	const struct gt_summary *s;
	struct gt_reader *r;
	struct gt_event ev;
	struct enc e;
	int ret;

	enc_init(&e, 1, 0);
	enc_cpu_end(&e, 0, 0, 0, 0, 0);
	enc_end(&e, 10, 0, 0, 0);
	enc_record(&e, 99, 8);		/* after END: ignored */
	ret = gt_open_mem(e.buf, e.len, &r);
	ok(!ret && gt_next(r, &ev) == 0 && gt_next(r, &ev) == 0,
	   "empty trace: no events");
	if (!ret) {
		s = gt_summary(r);
		ok(s->complete && !s->truncated && !s->events && s->nr_cpus == 1,
		   "empty trace: complete");
		gt_close(r);
	}
	enc_free(&e);

	enc_init(&e, 1, 0);
	ret = gt_open_mem(e.buf, e.len, &r);
	ok(!ret && gt_next(r, &ev) == 0 && !gt_summary(r)->complete &&
	   !gt_summary(r)->truncated, "header only: not complete, not truncated");
	if (!ret)
		gt_close(r);
	enc_free(&e);
}

/* Offset of the first record of a type in e (0 if none). */
static size_t find_record(const struct enc *e, uint32_t type)
{
	size_t off = GOTRACE_MAGIC_LEN;
	struct gotrace_record r;

	while (off + sizeof(r) <= e->len) {
		memcpy(&r, e->buf + off, sizeof(r));
		if (r.type == type)
			return off;
		if (r.len < sizeof(r))
			break;
		off += r.len;
	}
	return 0;
}

/* A stream with the records added after version 0 (see test_extensions). */
static void build_ext(struct enc *e)
{
	static const uint32_t pids[] = { 1, 2, 7 };
	static const char *const comms[] = {
		"systemd", "kthreadd", "exactly16bytes!!",
	};
	const uint64_t stacks = 1ULL << GOTRACE_EV_MM_PAGE_ALLOC |
				1ULL << GOTRACE_EV_SCHED_PROCESS_EXEC |
				1ULL << GOTRACE_EV_MM_COMPACTION_END;

	enc_init(e, 1, 0);
	enc_set_stack_events(e, stacks);
	{
		struct gotrace_gfp_names gh = {
			.rec = { GOTRACE_REC_GFP_NAMES, sizeof(gh) + 3 * 40 },
			.nr = 3,
		};
		struct gotrace_gfp_name g[3] = {
			{ 0xcc0, "GFP_KERNEL" },
			{ 0x100, "__GFP_ZERO" },
			{ 0x40, "__GFP_IO" },
		};

		enc_bytes(e, &gh, sizeof(gh));
		enc_bytes(e, g, sizeof(g));
	}
	enc_tasks(e, 3, pids, comms);
	enc_batch_begin(e, 0, 0, 50, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 50,
			A(0x1000, 0, 0xcc0, 1, 1), NULL, 42);
	enc_event_stack(e, GOTRACE_EV_SCHED_PROCESS_EXEC, 0, 51, A(7, 7),
			"/bin/true", 0);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0, 52,
		  A(3, 0xcc0, 7), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 0, 53,
		  A(32, 7), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE, 0, 54, A(0, 2, 3),
		  NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP, 0, 55, A(0), NULL);
	enc_event(e, GOTRACE_EV_MM_COMPACTION_BEGIN, 0, 56,
		  A(0x1000, 0x80000, 1, 7), NULL);
	enc_event_stack(e, GOTRACE_EV_MM_COMPACTION_END, 0, 57,
			A(0x1000, 0x80000, 1, 0xffffffff, 7), NULL, 3);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 58,
			A(0x1001, 0, 0xcc0, 1, 1), NULL, 1ULL << 31);
	enc_batch_end(e, 0);
	{
		struct gotrace_stack st = {
			.rec = { GOTRACE_REC_STACK, sizeof(st) + 2 * 8 },
			.id = 42, .nr = 2,
		};
		const uint64_t frames[2] = { 0x1010, 0x2004 };

		enc_bytes(e, &st, sizeof(st));
		enc_bytes(e, frames, sizeof(frames));
	}
	enc_cpu_end(e, 0, 1, 9, 0, 0);
	enc_end(e, 100, 9, 0, 0);
	{
		/* two entries: { addr, size, name_len, module_len } + names */
		static const uint8_t ent[] = {
			0x00, 0x10, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 3, 0, 0, 0,
			'f', 'o', 'o', 0, 0, 0, 0, 0,
			0x00, 0x20, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 3, 0, 3, 0,
			'b', 'a', 'r', 'm', 'o', 'd', 0, 0,
		};
		struct gotrace_symbols sy = {
			.rec = { GOTRACE_REC_SYMBOLS, sizeof(sy) + sizeof(ent) },
			.nr = 2,
		};

		enc_bytes(e, &sy, sizeof(sy));
		enc_bytes(e, ent, sizeof(ent));
	}
}

/*
 * Records and fields added to the format after version 0 of the header:
 * TASKS, GFP_NAMES, STACK, stack ids, reclaim/compaction events.
 */
static void test_extensions(void)
{
	struct gt_reader *r;
	struct enc e;
	char why[256] = "";
	const char *c1, *c7;
	int ret;

	build_ext(&e);

	ret = gt_open_mem(e.buf, e.len, &r);
	ok(!ret, "stream with TASKS, GFP_NAMES, STACK, SYMBOLS opens (%s)",
	   ret ? gt_error(NULL) : "");
	if (ret) {
		enc_free(&e);
		return;
	}
	c1 = gt_comm(r, 1);
	c7 = gt_comm(r, 7);
	ok(c1 && !strcmp(c1, "systemd") && c7 &&
	   !strcmp(c7, "exactly16bytes!!"),
	   "TASKS names the tasks before any event");
	ok(check_all(r, &e, e.len, why, sizeof(why)),
	   "stack ids and reclaim/compaction events decode %s", why);
	ok(gt_summary(r)->complete && gt_summary(r)->events == 9,
	   "records after END do not disturb the summary");
	{
		const uint64_t *f = NULL;
		const char *mod = NULL, *n1, *n2;
		uint64_t off1 = 0, off2 = 0;

		n1 = gt_symbol(r, 0x1010, &off1, NULL);
		n2 = gt_symbol(r, 0x2004, &off2, &mod);
		ok(gt_nr_stacks(r) == 1 && gt_stack_id(r, 0) == 42 &&
		   gt_stack(r, 42, &f) == 2 && f[0] == 0x1010 &&
		   f[1] == 0x2004 && gt_stack(r, 1, &f) == -ENOENT &&
		   n1 && !strcmp(n1, "foo") && off1 == 0x10 && n2 &&
		   !strcmp(n2, "bar") && off2 == 4 && mod &&
		   !strcmp(mod, "mod") && !gt_symbol(r, 0x1020, NULL, NULL),
		   "STACK frames and SYMBOLS names");
	}
	{
		char b1[64], b2[64], b3[64];

		ok(!strcmp(gt_gfp_str(r, 0xdc0, b1, sizeof(b1)),
			   "GFP_KERNEL|__GFP_ZERO") &&
		   !strcmp(gt_gfp_str(r, 0x1040, b2, sizeof(b2)),
			   "__GFP_IO|0x1000") &&
		   !strcmp(gt_gfp_str(r, 0, b3, sizeof(b3)), "0x0"),
		   "gfp flags named from GFP_NAMES: %s %s %s", b1, b2, b3);
	}
	gt_close(r);

	/* a version 0 header (160 bytes) is still accepted */
	{
		struct gotrace_header h;
		struct enc o;
		const size_t old = offsetof(struct gotrace_header,
					    stack_events);

		enc_init(&o, 1, 0);
		memcpy(&h, o.buf + GOTRACE_MAGIC_LEN, sizeof(h));
		h.rec.len = old;
		o.len = GOTRACE_MAGIC_LEN;
		enc_bytes(&o, &h, old);
		enc_batch_begin(&o, 0, 0, 5, 0);
		enc_event(&o, GOTRACE_EV_MM_PAGE_ALLOC, 0, 6,
			  A(0x1000, 0, 0xcc0, 1, 1), NULL);
		enc_batch_end(&o, 0);
		ret = gt_open_mem(o.buf, o.len, &r);
		ok(!ret && check_all(r, &o, o.len, why, sizeof(why)) &&
		   gt_header(r)->stack_events == 0,
		   "160-byte (version 0) HEADER accepted %s",
		   ret ? gt_error(NULL) : why);
		if (!ret)
			gt_close(r);
		enc_free(&o);
	}

	/* TASKS claiming more tasks than it holds */
	{
		struct gotrace_tasks th;
		size_t events;
		char msg[256];
		size_t off;

		off = find_record(&e, GOTRACE_REC_TASKS);
		memcpy(&th, e.buf + off, sizeof(th));
		th.nr = 1000;
		memcpy(e.buf + off, &th, sizeof(th));
		ret = read_corrupt(e.buf, e.len, &events, msg, sizeof(msg));
		ok(ret == -EINVAL && strstr(msg, "TASKS"),
		   "TASKS with a bad count: '%s'", msg);
	}
	enc_free(&e);
}

/* A big stream of many CPUs: the merge stays ordered. */
static void build_big(struct enc *e, uint32_t cpus, size_t nr)
{
	uint64_t ts[64];
	uint32_t seq[64] = { 0 };
	size_t i = 0;
	uint32_t c;

	enc_init(e, cpus, 0);
	for (c = 0; c < cpus; c++)
		ts[c] = rnd() % 1000;
	while (i < nr) {
		unsigned int k, n = 1 + rnd() % 200;

		c = rnd() % cpus;
		enc_batch_begin(e, c, seq[c]++, ts[c], 0);
		for (k = 0; k < n && i < nr; k++, i++) {
			ts[c] += rnd() % 3;
			if (k % 3 == 0)
				enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, ts[c],
					  A(rnd() % 100000, 0, 0xcc0, 1,
					    rnd() % 50), NULL);
			else
				enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, ts[c],
					  A(rnd() % 50, 120, rnd() % 3,
					    rnd() % 50, 120), NULL);
		}
		enc_batch_end(e, 0);
	}
	enc_end(e, ts[0], nr, 0, 0);
}

static void test_big(void)
{
	struct gt_reader *r;
	struct enc e;
	char why[256];
	int ret;

	build_big(&e, 16, 200000);
	ret = gt_open_mem(e.buf, e.len, &r);
	ok(!ret && check_all(r, &e, e.len, why, sizeof(why)),
	   "200000 events on 16 CPUs merged in order %s", ret ? "" : why);
	if (!ret)
		gt_close(r);
	enc_free(&e);
}

/* ---- gotrace dump ----------------------------------------------------- */

static int run_tool(char *const argv[], const char *out, const char *err)
{
	return run_cmd(argv, out, err, NULL);
}

/* The first line of s (for TAP test names), in a static buffer. */
static const char *line1(const char *s)
{
	static char buf[512];
	size_t n;

	if (!s)
		return "";
	n = strcspn(s, "\n");
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static int same_text(const char *what, const char *got, const char *want)
{
	size_t line = 1, i;

	if (!strcmp(got, want))
		return 1;
	for (i = 0; got[i] && got[i] == want[i]; i++) {
		if (got[i] == '\n')
			line++;
	}
	diag("%s: first difference at line %zu", what, line);
	diag("got:\n%s", got);
	return 0;
}

#include "golden_dump.h"

static void test_dump(void)
{
	char out[4096], err[4096], trace[4096];
	char *argv[5], *o, *eo;
	struct enc e;
	int st;

	snprintf(out, sizeof(out), "%s", path_in_out("dump.out"));
	snprintf(err, sizeof(err), "%s", path_in_out("dump.err.out"));
	snprintf(trace, sizeof(trace), "%s", path_in_out("sample.trace"));
	build_sample(&e, 1);
	write_file(trace, e.buf, e.len);

	argv[0] = (char *)tool;
	argv[1] = "dump";
	argv[2] = trace;
	argv[3] = NULL;
	st = run_tool(argv, out, err);
	o = slurp(out);
	eo = slurp(err);
	ok(st == 0 && o && same_text("dump", o, golden_dump_text),
	   "gotrace dump of the sample matches the golden output (exit %d)",
	   st);
	ok(eo && strstr(eo, "5 events were lost"),
	   "gotrace dump warns about lost events");
	free(o);
	free(eo);

	argv[2] = "--raw";
	argv[3] = trace;
	argv[4] = NULL;
	st = run_tool(argv, out, err);
	o = slurp(out);
	ok(st == 0 && o && same_text("dump --raw", o, golden_raw_text),
	   "gotrace dump --raw prints comm records (exit %d)", st);
	free(o);

	/* truncated inside the last BATCH */
	snprintf(trace, sizeof(trace), "%s", path_in_out("broken.trace"));
	write_file(trace, e.buf, e.bounds[4] - 3);
	argv[2] = trace;
	argv[3] = NULL;
	st = run_tool(argv, out, err);
	eo = slurp(err);
	ok(st == 0 && eo && strstr(eo, "truncated"),
	   "gotrace dump of a truncated file warns (exit %d): %s", st,
	   line1(eo));
	free(eo);

	/* corrupt: unknown event type in the second batch of CPU 0 */
	e.buf[e.bounds[3] + sizeof(struct gotrace_batch)] = 0x3e;
	write_file(trace, e.buf, e.len);
	st = run_tool(argv, out, err);
	eo = slurp(err);
	o = slurp(out);
	ok(st == 1 && eo && strstr(eo, "malformed") && o &&
	   !strncmp(o, golden_dump_text, strlen(o)) && strlen(o) > 100,
	   "gotrace dump of a corrupt file: partial output, error, exit 1 (exit %d): %s",
	   st, line1(eo));
	free(eo);
	free(o);

	argv[2] = path_in_out("nonexistent.trace");
	st = run_tool(argv, out, err);
	eo = slurp(err);
	ok(st == 1 && eo && strstr(eo, "No such file"),
	   "gotrace dump of a missing file: %s", line1(eo));
	free(eo);
	enc_free(&e);
}

/* ---- gotrace record/start/stop/status on the fake device -------------- */

static const char *fakedev;

/* Run the tool on the fake device with extra environment e1, e2. */
static int run_fake(char *const argv[], const char *e1, const char *e2,
		    char **out, char **err)
{
	static char preload[4200];
	char *env[5];
	char o[4096], r[4096];
	int n = 0, st;

	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", fakedev);
	env[n++] = preload;
	env[n++] = "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0";
	if (e1)
		env[n++] = (char *)e1;
	if (e2)
		env[n++] = (char *)e2;
	env[n] = NULL;
	snprintf(o, sizeof(o), "%s", path_in_out("fake.out"));
	snprintf(r, sizeof(r), "%s", path_in_out("fake.err.out"));
	st = run_cmd(argv, o, r, env);
	*out = slurp(o);
	*err = slurp(r);
	return st;
}

/* Open a recorded file; return its number of events, -1 if malformed. */
static long count_events(const char *path, int *complete)
{
	struct gt_reader *r;
	struct gt_event ev;
	long n = 0;
	int ret;

	*complete = 0;
	if (gt_open_file(path, &r))
		return -1;
	while ((ret = gt_next(r, &ev)) > 0)
		n++;
	*complete = gt_summary(r)->complete;
	if (ret < 0 || (gt_summary(r)->complete &&
			(uint64_t)n != gt_summary(r)->events))
		n = -1;
	gt_close(r);
	return n;
}

static void test_record(void)
{
	char trace[4096], *o, *e;
	int st, complete, ret_open;
	long n;

	snprintf(trace, sizeof(trace), "%s", path_in_out("rec.trace"));
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "-e",
				       "sched", "--", "sleep", "0.2", NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		n = count_events(trace, &complete);
		ok(st == 0 && n > 0 && complete && e &&
		   strstr(e, "gotrace: recorded ") && strstr(e, " events (0 lost) in "),
		   "record -- sleep 0.2: exit %d, %ld events, '%s'", st, n,
		   line1(e));
		free(o);
		free(e);
	}
	{
		/* -o -: the trace alone on stdout, COMMAND's output on stderr */
		char *const argv[] = { (char *)tool, "record", "-o", "-", "--",
				       "echo", "command-output", NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		n = count_events(path_in_out("fake.out"), &complete);
		ok(st == 0 && n > 0 && complete && e &&
		   strstr(e, "command-output"),
		   "record -o - -- echo: exit %d, %ld events on stdout, command's output on stderr",
		   st, n);
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "-d",
				       "0.1", NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		n = count_events(trace, &complete);
		ok(st == 0 && n > 0 && complete,
		   "record -d 0.1: exit %d, %ld events", st, n);
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "-d",
				       "0.1", NULL };

		st = run_fake(argv, "FAKEDEV_LOST=7", NULL, &o, &e);
		ok(st == 2 && e && strstr(e, "(7 lost)") &&
		   strstr(e, "7 events were lost"),
		   "record with lost events: exit 2, '%s'", line1(e));
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "-d",
				       "0.1", NULL };

		st = run_fake(argv, "FAKEDEV_NOEND=1", NULL, &o, &e);
		n = count_events(trace, &complete);
		ok(st == 1 && e && strstr(e, "incomplete") && n > 0 &&
		   !complete,
		   "record without END record: exit 1, %ld events readable",
		   n);
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "-d",
				       "0.1", NULL };

		/* the batches' losses count when no END says the total */
		st = run_fake(argv, "FAKEDEV_NOEND=1", "FAKEDEV_LOST=7", &o, &e);
		ok(st == 1 && e && strstr(e, "(7 lost)") &&
		   strstr(e, "incomplete"),
		   "record without END, 7 lost in a batch: exit %d, '%s'", st,
		   line1(e));
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "--",
				       "/nonexistent/command", NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		n = count_events(trace, &complete);
		ok(st == 127 && e && strstr(e, "cannot execute") && complete,
		   "record of a missing command: exit 127, trace stopped and read: '%s'",
		   line1(e));
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "--",
				       "sh", "-c", "exit 3", NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		ok(st == 0 && e && strstr(e, "exited with status 3"),
		   "record of a failing command: trace status, command status reported");
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", "/dev/full",
				       "-d", "0.2", NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		ok(st == 1 && e && strstr(e, "No space left"),
		   "record to a full disk: exit 1, '%s'", line1(e));
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "--",
				       "sh", "-c", "sleep 0.1; kill -INT $PPID; sleep 5",
				       NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		n = count_events(trace, &complete);
		ok(st == 0 && complete && n > 0,
		   "record stopped by SIGINT: exit %d, complete", st);
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "-c",
				       "--", "true", NULL };
		struct gt_reader *r;

		st = run_fake(argv, NULL, NULL, &o, &e);
		ok(st == 0 && !gt_open_file(trace, &r),
		   "record -c -- true: exit %d", st);
		if (!st) {
			ok(gt_header(r)->filter_pid > 1 &&
			   gt_header(r)->filter_flags ==
			   (GOTRACE_FILTER_TGID | GOTRACE_FILTER_CHILDREN),
			   "record -c filters on the command's pid (%u)",
			   gt_header(r)->filter_pid);
			gt_close(r);
		}
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "record", "-o", trace, "-d",
				       "0.05", "--stacks", NULL };
		char *const dargv[] = { (char *)tool, "dump", "--stacks", trace,
					NULL };
		char ks[4200], kenv[4300];
		static const char kallsyms[] =
			"0000000000000000 A fixed_percpu_data\n"
			"ffffffff81000000 T _stext\n"
			"ffffffff81000100 T do_thing\n"
			"ffffffff81000200 t static_fn\n"
			"ffffffff81000300 D some_data\n"
			"ffffffff81000400 T next_fn\n"
			"ffffffffc0001000 t mod_fn\t[mymod]\n"
			"ffffffffc0002000 t mod_fn2\t[mymod]\n";
		struct gt_reader *r;
		const char *name, *mod = NULL;
		uint64_t off = 0;

		snprintf(ks, sizeof(ks), "%s", path_in_out("kallsyms"));
		snprintf(kenv, sizeof(kenv), "GOTRACE_KALLSYMS=%s", ks);
		write_file(ks, kallsyms, strlen(kallsyms));
		st = run_fake(argv, kenv, NULL, &o, &e);
		ok(st == 0 && e && strstr(e, "2 stacks, 3 kernel symbols added"),
		   "record --stacks appends SYMBOLS");
		free(o);
		free(e);
		ret_open = gt_open_file(trace, &r);
		ok(!ret_open && gt_summary(r)->complete && gt_nr_stacks(r) == 2,
		   "trace with stacks and SYMBOLS reads back complete");
		if (!ret_open) {
			name = gt_symbol(r, 0xffffffff81000220ULL, &off, &mod);
			ok(name && !strcmp(name, "static_fn") && off == 0x20 &&
			   !mod && gt_symbol(r, 0xffffffffc0001008ULL, &off,
					     &mod) &&
			   mod && !strcmp(mod, "mymod") && off == 8 &&
			   !gt_symbol(r, 0xffffffff80000000ULL, NULL, NULL),
			   "gt_symbol resolves addresses of the SYMBOLS record");
			gt_close(r);
		}
		st = run_fake(dargv, NULL, NULL, &o, &e);
		ok(st == 0 && o &&
		   strstr(o, " stack_id=1\n => do_thing+0x10\n => static_fn+0x20\n") &&
		   strstr(o, " stack_id=2\n => mod_fn+0x8 [mymod]\n"),
		   "dump --stacks prints symbolised frames");
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "start", NULL };

		st = run_fake(argv, "FAKEDEV_BUSY=1", NULL, &o, &e);
		ok(st == 1 && e && strstr(e, "--discard"),
		   "start on a busy tracer: '%s'", line1(e));
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "start", "--discard", "-b",
				       "64K", "--flush-ms", "100", NULL };

		int i, bad = 0, last = 0;

		st = run_fake(argv, "FAKEDEV_BUSY=1", NULL, &o, &e);
		ok(st == 0, "start --discard -b 64K --flush-ms 100");
		free(o);
		free(e);
		/*
		 * start exits right after START while the fake device's
		 * writer thread goes on writing: the device must not kill
		 * it (it failed 7 times in 300 with SIGPIPE, exit 141).
		 */
		for (i = 0; i < 60; i++) {
			st = run_fake(argv, "FAKEDEV_BUSY=1", NULL, &o, &e);
			if (st) {
				bad++;
				last = st;
			}
			free(o);
			free(e);
		}
		ok(!bad, "start --discard x60: %d failed (last status %d; -1: a signal)",
		   bad, last);
	}
	{
		char *const argv[] = { (char *)tool, "status", NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		ok(st == 0 && o && strstr(o, "state:        idle") &&
		   strstr(o, "missing:      mm_page_alloc_extfrag") &&
		   strstr(o, "    1             20"),
		   "status prints state, missing tracepoints, CPU table");
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "status", "--json", NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		ok(st == 0 && o && strstr(o, "\"state\": \"idle\"") &&
		   strstr(o, "\"cpu\": 1, \"events\": 20"),
		   "status --json");
		free(o);
		free(e);
	}
	{
		char *const argv[] = { (char *)tool, "stop", NULL };

		st = run_fake(argv, NULL, NULL, &o, &e);
		ok(st == 1 && e && strstr(e, "no trace is running"),
		   "stop without a trace: '%s'", line1(e));
		free(o);
		free(e);
	}
}

static int gen(const char *path, size_t nr)
{
	struct enc e;

	build_big(&e, 8, nr);
	if (write_file(path, e.buf, e.len)) {
		perror(path);
		return 1;
	}
	fprintf(stderr, "%s: %zu events, %zu bytes\n", path, nr, e.len);
	enc_free(&e);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--gen"))
		return gen(argv[2], strtoul(argv[3], NULL, 0));
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s GOTRACE_BINARY OUTDIR [FAKEDEV.so]\n",
			argv[0]);
		return 2;
	}
	tool = argv[1];
	outdir = argv[2];
	fakedev = argc > 3 ? argv[3] : NULL;
	mkdir(outdir, 0755);

	test_names();
	test_sample();
	test_switch_versions();
	test_empty();
	test_seq_gaps();
	test_extensions();
	test_corrupt_specific();
	test_truncation();
	test_lens();
	test_stream();
	test_fuzz(build_sample_full, "sample");
	test_fuzz(build_ext, "extensions");
	test_big();
	test_dump();
	if (fakedev)
		test_record();
	return tap_done();
}
