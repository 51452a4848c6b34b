// SPDX-License-Identifier: GPL-2.0
/*
 * The incremental record scanner (gt_stream_*): the same records whatever
 * the cut points, records split across feeds, one error for a bad length,
 * version 2 and 3 streams.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoder.h"
#include "tap.h"
#include "test_stream.h"
#include "gotrace_reader.h"

#define MAX_RECS	64

/* What the scanner handed out. */
struct seen {
	uint8_t *bytes;		/* all pieces, concatenated */
	size_t len;
	uint64_t next_off;	/* where the next piece must start */
	int out_of_order;
	int nr;			/* RECORD and HEAD pieces */
	uint32_t type[MAX_RECS];
	uint64_t off[MAX_RECS];
	uint32_t rlen[MAX_RECS];
	size_t held[MAX_RECS];
	size_t hold;		/* for hold_some(): 0 holds whole records */
};

static int collect(void *arg, const struct gt_piece *pc)
{
	struct seen *s = arg;

	if (pc->off != s->next_off)
		s->out_of_order = 1;
	s->next_off = pc->off + pc->n;
	s->bytes = realloc(s->bytes, s->len + pc->n);
	if (!s->bytes)
		abort();
	memcpy(s->bytes + s->len, pc->data, pc->n);
	s->len += pc->n;
	if ((pc->kind == GT_PIECE_RECORD || pc->kind == GT_PIECE_HEAD) &&
	    s->nr < MAX_RECS) {
		s->type[s->nr] = pc->type;
		s->off[s->nr] = pc->off;
		s->rlen[s->nr] = pc->len;
		s->held[s->nr] = pc->n;
		s->nr++;
	}
	return 0;
}

static size_t hold_some(void *arg, uint32_t type, uint32_t len)
{
	struct seen *s = arg;

	(void)type;
	return s->hold ? s->hold : len;
}

/* Feed buf[0, len) cut at cut1 and cut2 (0: no cut), then finish. */
static void scan(struct gt_stream *g, struct seen *s, const uint8_t *buf,
		 size_t len, size_t cut1, size_t cut2, size_t hold)
{
	memset(s, 0, sizeof(*s));
	s->hold = hold;
	if (gt_stream_init(g, collect, hold_some, s))
		abort();
	gt_stream_feed(g, buf, cut1);
	gt_stream_feed(g, buf + cut1, cut2 - cut1);
	gt_stream_feed(g, buf + cut2, len - cut2);
	gt_stream_finish(g);
}

static int same_records(const struct seen *a, const struct seen *b)
{
	return a->nr == b->nr &&
	       !memcmp(a->type, b->type, sizeof(a->type[0]) * a->nr) &&
	       !memcmp(a->off, b->off, sizeof(a->off[0]) * a->nr) &&
	       !memcmp(a->rlen, b->rlen, sizeof(a->rlen[0]) * a->nr) &&
	       !memcmp(a->held, b->held, sizeof(a->held[0]) * a->nr);
}

static int gives_back(const struct seen *s, const uint8_t *buf, size_t len)
{
	return !s->out_of_order && s->len == len &&
	       (!len || !memcmp(s->bytes, buf, len));
}

static void build(struct enc *e)
{
	static const uint64_t args[8] = { 1, 120, 0 };

	enc_init(e, 2, 1000);
	enc_batch_begin(e, 0, 0, 1000, 0);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP, 0, 1100, args, NULL);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP, 0, 1200, args, NULL);
	enc_batch_end(e, 0);
	enc_record(e, GOTRACE_REC_GENERATION,
		   sizeof(struct gotrace_generation));
	enc_batch_begin(e, 1, 0, 1300, 0);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP, 0, 1400, args, NULL);
	enc_batch_end(e, 0);
	enc_end(e, 2000, 3, 0, 0);
}

static void test_cuts(void)
{
	struct seen ref, s;
	struct gt_stream g, h;
	struct enc e;
	size_t c, bad = 0, badcut = 0, i;

	build(&e);
	scan(&g, &ref, e.buf, e.len, 0, 0, 0);
	ok(!g.bad && !g.cut && g.version == GOTRACE_VERSION &&
	   gt_stream_seen(&g, GOTRACE_REC_HEADER) &&
	   gt_stream_seen(&g, GOTRACE_REC_GENERATION) &&
	   gt_stream_seen(&g, GOTRACE_REC_END) &&
	   !gt_stream_seen(&g, GOTRACE_REC_SYMBOLS) &&
	   ref.nr == 5 && ref.type[0] == GOTRACE_REC_HEADER &&
	   ref.off[0] == GOTRACE_MAGIC_LEN &&
	   ref.type[ref.nr - 1] == GOTRACE_REC_END &&
	   ref.off[ref.nr - 1] + ref.rlen[ref.nr - 1] == e.len &&
	   gives_back(&ref, e.buf, e.len),
	   "stream: %d records, version %u, GENERATION and END seen, bytes given back (%s)",
	   ref.nr, g.version, g.err);
	gt_stream_free(&g);

	for (c = 0; c <= e.len; c++) {
		scan(&h, &s, e.buf, e.len, c, c, 0);
		if (h.bad || h.cut || !same_records(&s, &ref) ||
		    !gives_back(&s, e.buf, e.len))
			bad++;
		gt_stream_free(&h);
		free(s.bytes);
		/* the stream stops at c: cut unless at a record boundary */
		scan(&h, &s, e.buf, c, c, c, 0);
		for (i = 0; i < (size_t)ref.nr && ref.off[i] != c; i++)
			;
		if (h.bad || !gives_back(&s, e.buf, c) ||
		    h.cut != !(!c || c == e.len || i < (size_t)ref.nr) ||
		    (h.cut && !strstr(h.err, "cut off at byte")))
			badcut++;
		gt_stream_free(&h);
		free(s.bytes);
	}
	ok(!bad, "stream: fed in two pieces cut at each of %zu bytes: the same records (%zu bad)",
	   e.len + 1, bad);
	ok(!badcut, "stream: ending at each of %zu bytes: cut flagged inside records only (%zu bad)",
	   e.len + 1, badcut);

	/* records split over three feeds, held only in part (HEAD + BODY) */
	bad = 0;
	for (c = 0; c + 13 <= e.len; c += 3) {
		scan(&h, &s, e.buf, e.len, c, c + 13, 16);
		if (h.bad || h.cut || s.nr != ref.nr ||
		    !gives_back(&s, e.buf, e.len))
			bad++;
		for (i = 0; !bad && i < (size_t)s.nr; i++)
			if (s.off[i] != ref.off[i] ||
			    s.held[i] != (ref.rlen[i] < 16 ? ref.rlen[i] : 16))
				bad++;
		gt_stream_free(&h);
		free(s.bytes);
	}
	ok(!bad, "stream: records held in part, split over three feeds: HEAD then BODY, bytes given back (%zu bad)",
	   bad);
	free(ref.bytes);
	enc_free(&e);
}

/* Set the length of the record at off; the scan must stop there once. */
static void bad_len(uint32_t type, uint32_t len, const char *want)
{
	struct gotrace_record r;
	struct gt_stream g;
	struct seen s;
	struct enc e;
	size_t off;

	build(&e);
	for (off = GOTRACE_MAGIC_LEN; off < e.len; off += r.len) {
		memcpy(&r, e.buf + off, sizeof(r));
		if (r.type == type)
			break;
	}
	r.len = len;
	memcpy(e.buf + off, &r, sizeof(r));
	scan(&g, &s, e.buf, e.len, off + 3, off + 5, 0);
	ok(g.bad && strstr(g.err, want) && (!s.nr || s.off[s.nr - 1] < off) &&
	   !gt_stream_seen(&g, GOTRACE_REC_END) &&
	   gives_back(&s, e.buf, e.len),
	   "stream: %s record of %u bytes: one error, the rest as RAW: '%s'",
	   type == GOTRACE_REC_BATCH ? "BATCH" : "HEADER", len, g.err);
	gt_stream_free(&g);
	free(s.bytes);
	enc_free(&e);
}

static void test_versions(void)
{
	const size_t hlen = (offsetof(struct gotrace_header, stack_events) + 7) &
			    ~(size_t)7;
	const size_t elen = (offsetof(struct gotrace_end, stacks) + 7) &
			    ~(size_t)7;
	struct gotrace_header h = {
		.rec = { GOTRACE_REC_HEADER, hlen },
		.version = 2,
	};
	struct gotrace_end end = { .rec = { GOTRACE_REC_END, elen } };
	uint8_t buf[GOTRACE_MAGIC_LEN + sizeof(h) + sizeof(end)];
	size_t n = 0;
	struct gt_stream g;
	struct seen s;

	memcpy(buf, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN);
	n += GOTRACE_MAGIC_LEN;
	memcpy(buf + n, &h, hlen);
	n += hlen;
	memcpy(buf + n, &end, elen);
	n += elen;
	scan(&g, &s, buf, n, 9, 9 + hlen, 0);
	ok(!g.bad && !g.cut && g.version == 2 && s.nr == 2 &&
	   gt_stream_seen(&g, GOTRACE_REC_END) && gives_back(&s, buf, n),
	   "stream: version 2 HEADER (%zu bytes) and END (%zu bytes) accepted",
	   hlen, elen);
	gt_stream_free(&g);
	free(s.bytes);

	memcpy(buf, "NOTATRACE", GOTRACE_MAGIC_LEN);
	scan(&g, &s, buf, n, 3, 3, 0);
	ok(g.bad && strstr(g.err, "not a gotrace stream") && s.nr == 0 &&
	   gives_back(&s, buf, n),
	   "stream: wrong magic: '%s', bytes given back", g.err);
	gt_stream_free(&g);
	free(s.bytes);
}

void test_stream(void)
{
	test_cuts();
	bad_len(GOTRACE_REC_BATCH, 13, "bad record length 13");
	bad_len(GOTRACE_REC_BATCH, 4, "bad record length 4");
	bad_len(GOTRACE_REC_BATCH, 16, "BATCH record at byte");
	bad_len(GOTRACE_REC_HEADER, 24, "HEADER record at byte 8 too short");
	test_versions();
}
