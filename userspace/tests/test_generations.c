// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the stream's generations and of the older formats:
 *
 * - tests/data/v2-stacks.trace, recorded by the module of format version 2
 *   (gotrace record --stacks --raw on Debian's 6.1, in the test VM), still
 *   decodes: every event, every stack id resolved, symbols, and the tool's
 *   dump, stats and convert accept it.
 * - A version 3 stream cut at every 8 bytes: every event of a complete
 *   generation (gt_event.gen up to gt_summary()->generations) resolves its
 *   stack; GENERATION records out of sequence are an error; a stream whose
 *   generation lacks a stack is caught by the same check.
 * - A flight recorder's snapshot (WINDOW record): batches that start at
 *   seq 5 and 2 are no gap, overwritten batches are not lost, events
 *   lost inside the window are; dump and stats read it without a
 *   warning about gaps and say it is a snapshot.
 *
 * Usage: test_generations GOTRACE_BINARY OUTDIR SRCDIR
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

/* What decoding a whole reader found. */
struct walk {
	size_t events;		/* tracepoint events (COMM not counted) */
	size_t with_stack;	/* events with a stack id */
	size_t unresolved;	/* of those, ids without a STACK record */
	uint32_t first_unresolved;
	int ret;		/* gt_next()'s last return */
};

static void walk(struct gt_reader *r, struct walk *w)
{
	struct gt_event ev;
	const uint64_t *frames;

	memset(w, 0, sizeof(*w));
	while ((w->ret = gt_next(r, &ev)) > 0) {
		w->events += !GOTRACE_EV_IS_META(ev.type);
		if (!ev.stack_id)
			continue;
		w->with_stack++;
		if (gt_stack(r, ev.stack_id, &frames) <= 0) {
			if (!w->unresolved++)
				w->first_unresolved = ev.stack_id;
		}
	}
}

static void test_v2_fixture(void)
{
	char path[4096];
	const struct gt_summary *s;
	const uint64_t *frames;
	const char *sym = NULL;
	struct gt_reader *r;
	struct walk w;
	size_t i;
	int n;

	snprintf(path, sizeof(path), "%s/data/v2-stacks.trace", srcdir);
	if (gt_open_file(path, &r)) {
		ok(0, "version 2 fixture opens: %s", gt_error(NULL));
		return;
	}
	ok(gt_header(r)->version == 2, "fixture is format version %u (2)",
	   gt_header(r)->version);
	walk(r, &w);
	s = gt_summary(r);
	ok(w.ret == 0 && s->complete && !s->truncated,
	   "version 2 fixture decodes to its END (ret %d: %s)", w.ret,
	   gt_error(r));
	ok(w.events == s->events, "%zu events decoded, END says %llu",
	   w.events,
	   (unsigned long long)s->events);
	ok(gt_nr_stacks(r) > 0 && w.with_stack > 0 && !w.unresolved,
	   "every stack id resolves: %zu events with a stack, %zu stacks, %zu unresolved (first %u)",
	   w.with_stack, gt_nr_stacks(r), w.unresolved, w.first_unresolved);
	for (i = 0; i < gt_nr_stacks(r) && !sym; i++) {
		n = gt_stack(r, gt_stack_id(r, i), &frames);
		if (n > 0)
			sym = gt_symbol(r, frames[0], NULL, NULL);
	}
	ok(!!sym, "its stacks are symbolised from its SYMBOLS record (%s)",
	   sym ? sym : "none");
	gt_close(r);

	ok(sh("'%s' dump '%s' >'%s/v2.dump' && test -s '%s/v2.dump'", tool,
	      path, outdir, outdir) == 0, "gotrace dump reads the version 2 fixture");
	ok(sh("'%s' stats '%s' >/dev/null", tool, path) == 0,
	   "gotrace stats reads the version 2 fixture");
	ok(sh("'%s' convert -q --format=perfetto -o '%s/v2.json' '%s' && test -s '%s/v2.json'",
	      tool, outdir, path, outdir) == 0,
	   "gotrace convert reads the version 2 fixture");
}

#define A(...) ((const uint64_t[]){ __VA_ARGS__ })
#define PG_ALLOC(pfn) A(pfn, 0, 0xcc0, 1, 100)

static void enc_stack(struct enc *e, uint32_t id, uint64_t frame)
{
	struct gotrace_stack st = {
		.rec = { GOTRACE_REC_STACK, sizeof(st) + 8 },
		.id = id, .nr = 1,
	};

	enc_bytes(e, &st, sizeof(st));
	enc_bytes(e, &frame, sizeof(frame));
}

static void enc_gen(struct enc *e, uint32_t gen, uint32_t batches,
		    uint32_t stacks)
{
	struct gotrace_generation g = {
		.rec = { GOTRACE_REC_GENERATION, sizeof(g) },
		.gen = gen, .batches = batches, .stacks = stacks,
		.open_ns = gen * 100, .close_ns = gen * 100 + 99,
	};

	enc_bytes(e, &g, sizeof(g));
}

/*
 * Three generations on two CPUs.  Generation 1 uses stacks 1 and 2,
 * generation 2 stacks 1 (sent before) and 3, generation 3 stack 4; with
 * lose_stack, generation 2 lacks its STACK record (a broken writer).
 * gen_end[i] gets the offset just after GENERATION i + 1.
 */
static void build_v3(struct enc *e, int lose_stack, size_t gen_end[3])
{
	enc_init(e, 2, 0);
	enc_set_stack_events(e, 1ULL << GOTRACE_EV_MM_PAGE_ALLOC);
	enc_batch_begin(e, 0, 0, 100, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 101, PG_ALLOC(10),
			NULL, 1);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 102, PG_ALLOC(11),
			NULL, 2);
	enc_batch_end(e, 0);
	enc_batch_begin(e, 1, 0, 100, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 103, PG_ALLOC(12),
			NULL, 1);
	enc_batch_end(e, 0);
	enc_stack(e, 1, 0x1000);
	enc_stack(e, 2, 0x2000);
	enc_gen(e, 1, 2, 2);
	gen_end[0] = e->len;
	enc_batch_begin(e, 0, 1, 200, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 201, PG_ALLOC(13),
			NULL, 3);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 202, PG_ALLOC(14),
			NULL, 1);
	enc_batch_end(e, 0);
	if (!lose_stack)
		enc_stack(e, 3, 0x3000);
	enc_gen(e, 2, 1, !lose_stack);
	gen_end[1] = e->len;
	enc_batch_begin(e, 1, 1, 300, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 301, PG_ALLOC(15),
			NULL, 4);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 302, PG_ALLOC(16),
			NULL, 0);
	enc_batch_end(e, 0);
	enc_stack(e, 4, 0x4000);
	enc_gen(e, 3, 1, 1);
	gen_end[2] = e->len;
	enc_cpu_end(e, 0, 2, 4, 0, 0);
	enc_cpu_end(e, 1, 2, 3, 0, 0);
	enc_end(e, 400, 7, 0, 0);
}

/* Events of complete generations whose stack id does not resolve. */
static size_t unresolved_in_complete(struct gt_reader *r, size_t *checked,
				     uint32_t *max_gen)
{
	const uint32_t done = gt_summary(r)->generations;
	const uint64_t *frames;
	struct gt_event ev;
	size_t bad = 0;

	*checked = 0;
	*max_gen = 0;
	while (gt_next(r, &ev) > 0) {
		if (ev.gen > *max_gen)
			*max_gen = ev.gen;
		if (!ev.stack_id || ev.gen > done)
			continue;
		++*checked;
		bad += gt_stack(r, ev.stack_id, &frames) <= 0;
	}
	return bad;
}

static void test_v3_cuts(void)
{
	size_t gen_end[3], cut, bad_cuts = 0, checked, total = 0, first = 0;
	uint32_t max_gen, want;
	struct gt_reader *r;
	struct enc e;

	build_v3(&e, 0, gen_end);
	if (gt_open_mem(e.buf, e.len, &r)) {
		ok(0, "version 3 stream opens: %s", gt_error(NULL));
		enc_free(&e);
		return;
	}
	total = unresolved_in_complete(r, &checked, &max_gen);
	ok(gt_summary(r)->generations == 3 && gt_summary(r)->complete &&
	   !total && checked == 6 && max_gen == 3 && gt_nr_stacks(r) == 4,
	   "whole stream: %u generations (3), %zu stack ids checked (6), %zu unresolved, last gen %u",
	   gt_summary(r)->generations, checked, total, max_gen);
	total = 0;
	gt_close(r);

	for (cut = GOTRACE_MAGIC_LEN + sizeof(struct gotrace_header);
	     cut <= e.len; cut += 8) {
		size_t bad;

		want = (cut >= gen_end[0]) + (cut >= gen_end[1]) +
		       (cut >= gen_end[2]);
		if (gt_open_mem(e.buf, cut, &r)) {
			bad_cuts++;
			continue;
		}
		bad = unresolved_in_complete(r, &checked, &max_gen);
		total += checked;
		if (bad || gt_summary(r)->generations != want) {
			if (!bad_cuts++)
				first = cut;
		}
		gt_close(r);
	}
	ok(!bad_cuts && total > 0,
	   "cut at every 8 bytes: complete generations counted, their %zu stack ids all resolve (%zu bad cuts, first at %zu)",
	   total, bad_cuts, first);
	enc_free(&e);

	/* The check itself: a generation without its STACK is caught. */
	build_v3(&e, 1, gen_end);
	if (!gt_open_mem(e.buf, e.len, &r)) {
		size_t bad = unresolved_in_complete(r, &checked, &max_gen);

		ok(bad == 1, "a generation lacking a stack: %zu unresolved (1)",
		   bad);
		gt_close(r);
	} else {
		ok(0, "broken stream opens: %s", gt_error(NULL));
	}
	enc_free(&e);

	/* GENERATION numbers out of sequence: malformed. */
	build_v3(&e, 0, gen_end);
	((struct gotrace_generation *)(e.buf + gen_end[1] -
		sizeof(struct gotrace_generation)))->gen = 5;
	if (!gt_open_mem(e.buf, e.len, &r)) {
		struct gt_event ev;
		int ret;

		while ((ret = gt_next(r, &ev)) > 0)
			;
		ok(ret < 0 && strstr(gt_error(r), "generation 5, expected 2"),
		   "GENERATION out of sequence is an error: %s", gt_error(r));
		gt_close(r);
	} else {
		ok(1, "GENERATION out of sequence refused at open: %s",
		   gt_error(NULL));
	}
	enc_free(&e);
}

/* A snapshot: CPU 0's window starts at seq 5, CPU 1's at seq 2. */
static void build_snapshot(struct enc *e, uint64_t lost_inside)
{
	struct {
		struct gotrace_window w;
		uint32_t first_seq[2];
	} win = {
		.w = {
			.rec = { GOTRACE_REC_WINDOW, sizeof(win) },
			.nr_cpus = 2, .start_ns = 1000, .snapshot_ns = 2000,
			.overwritten_batches = 7, .overwritten_events = 70,
			.overwritten_lost = 3, .overwritten_generations = 2,
			.gen_first = 3,
		},
		.first_seq = { 5, 2 },
	};

	enc_init(e, 2, 0);
	enc_set_stack_events(e, 1ULL << GOTRACE_EV_MM_PAGE_ALLOC);
	enc_bytes(e, &win, sizeof(win));
	enc_batch_begin(e, 0, 5, 1000, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 1001, PG_ALLOC(10),
			NULL, 1);
	enc_batch_end(e, 0);
	enc_batch_begin(e, 1, 2, 1100, lost_inside);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 1101, PG_ALLOC(11),
			NULL, 1);
	enc_batch_end(e, 0);
	enc_stack(e, 1, 0x1000);
	enc_gen(e, 1, 2, 1);
	enc_batch_begin(e, 0, 6, 1500, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 1501, PG_ALLOC(12),
			NULL, 1);
	enc_batch_end(e, 0);
	enc_gen(e, 2, 1, 0);
	enc_cpu_end(e, 0, 7, 2, 0, 0);
	enc_cpu_end(e, 1, 3, 1, lost_inside, 0);
	enc_end(e, 2000, 3, lost_inside, 0);
}

static void test_snapshot(void)
{
	char path[512];
	struct gt_reader *r;
	const struct gt_summary *s;
	struct walk w;
	struct enc e;
	FILE *f;
	int i;

	for (i = 0; i < 2; i++) {
		build_snapshot(&e, i ? 4 : 0);
		if (gt_open_mem(e.buf, e.len, &r)) {
			ok(0, "snapshot opens: %s", gt_error(NULL));
			enc_free(&e);
			return;
		}
		s = gt_summary(r);
		walk(r, &w);
		ok(s->snapshot && s->overwritten_batches == 7 &&
		   s->overwritten_events == 70 && s->overwritten_lost == 3 &&
		   s->window_start_ns == 1000,
		   "WINDOW read: snapshot %d, %llu batches overwritten, window at %llu",
		   s->snapshot, (unsigned long long)s->overwritten_batches,
		   (unsigned long long)s->window_start_ns);
		ok(!s->cpus[0].seq_gaps && !s->cpus[1].seq_gaps &&
		   s->generations == 2 && s->complete,
		   "window starting at seq 5 and 2: no gap (%u %u), %u generations",
		   s->cpus[0].seq_gaps, s->cpus[1].seq_gaps, s->generations);
		ok(w.ret == 0 && w.events == 3 && !w.unresolved,
		   "3 events decoded (%zu), stacks resolved (%zu unresolved)",
		   w.events, w.unresolved);
		ok(s->lost == (i ? 4 : 0),
		   "lost counts the window only: %llu",
		   (unsigned long long)s->lost);
		gt_close(r);
		snprintf(path, sizeof(path), "%s/snapshot%d.trace", outdir, i);
		f = fopen(path, "w");
		if (f) {
			fwrite(e.buf, 1, e.len, f);
			fclose(f);
		}
		enc_free(&e);
		if (!i) {
			ok(sh("%s dump %s >/dev/null 2>%s.err && ! test -s %s.err",
			      tool, path, path, path) == 0,
			   "dump reads the snapshot without a warning");
			ok(sh("%s stats %s | grep -q 'flight recorder snapshot: the recorder overwrote 7 batches (70 events)'",
			      tool, path) == 0,
			   "stats says it is a snapshot, what was overwritten");
		} else {
			ok(sh("%s dump %s 2>&1 >/dev/null | grep -q '4 events were lost'",
			      tool, path) == 0,
			   "dump warns of the events lost inside the window");
		}
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s GOTRACE_BINARY OUTDIR SRCDIR\n",
			argv[0]);
		return 2;
	}
	tool = argv[1];
	outdir = argv[2];
	srcdir = argv[3];
	mkdir(outdir, 0755);

	test_v2_fixture();
	test_v3_cuts();
	test_snapshot();
	return tap_done();
}
