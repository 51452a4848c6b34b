// SPDX-License-Identifier: GPL-2.0
/*
 * The incremental record scanner (gt_stream_*, gotrace_reader.h): a stream
 * fed in pieces of any size comes back cut at its record boundaries.  Only
 * the part of a record the caller asks to hold is buffered; the rest goes
 * by as it arrives, so memory stays bounded however long the stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Held by default: enough for the fixed part of any record. */
#define GT_STREAM_HEAD	sizeof(struct gotrace_header)

int gt_stream_init(struct gt_stream *s, gt_piece_fn piece, gt_hold_fn hold,
		   void *arg)
{
	memset(s, 0, sizeof(*s));
	s->piece = piece;
	s->hold = hold;
	s->arg = arg;
	s->buf = malloc(GT_STREAM_HEAD);
	if (!s->buf)
		return -ENOMEM;
	s->cap = GT_STREAM_HEAD;
	return 0;
}

void gt_stream_free(struct gt_stream *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));	/* freeing twice is harmless */
}

static int deliver(struct gt_stream *s, enum gt_piece_kind kind,
		   uint64_t off, const uint8_t *p, size_t n)
{
	struct gt_piece pc = {
		.kind = kind,
		.type = s->type,
		.len = s->len,
		.off = off,
		.data = p,
		.n = n,
	};

	if (!n || s->failed)
		return s->failed ? -1 : 0;
	if (s->piece && s->piece(s->arg, &pc)) {
		s->failed = 1;
		return -1;
	}
	return 0;
}

/* The stream stops parsing here: the held bytes and the rest go as RAW. */
static void stop_parsing(struct gt_stream *s, uint64_t off)
{
	s->bad = 1;
	deliver(s, GT_PIECE_RAW, off, s->buf, s->have);
	s->have = 0;
}

/* How much of the record whose header is in s->buf to hold. */
static void record_start(struct gt_stream *s)
{
	struct gotrace_record r;
	uint64_t off = s->pos - sizeof(r);
	size_t want;

	memcpy(&r, s->buf, sizeof(r));
	s->rec_off = off;
	if (r.len < sizeof(r) || r.len % 8) {
		snprintf(s->err, sizeof(s->err),
			 "bad record length %u (type %u) at byte %llu",
			 r.len, r.type, (unsigned long long)off);
		stop_parsing(s, off);
		return;
	}
	if (r.len < gt_record_min_len(r.type)) {
		snprintf(s->err, sizeof(s->err),
			 "%s record at byte %llu too short (%u bytes)",
			 gt_record_name(r.type), (unsigned long long)off,
			 r.len);
		stop_parsing(s, off);
		return;
	}
	s->type = r.type;
	s->len = r.len;
	if (r.type < 32)
		s->seen |= 1U << r.type;
	want = s->hold ? s->hold(s->arg, r.type, r.len) :
			 (r.len < GT_STREAM_HEAD ? r.len : GT_STREAM_HEAD);
	if (want < sizeof(r))
		want = sizeof(r);
	if (want > r.len)
		want = r.len;
	if (want > s->cap) {
		uint8_t *nb = realloc(s->buf, want);

		if (nb) {
			s->buf = nb;
			s->cap = want;
		} else {
			want = s->cap;	/* no memory: the rest goes by */
		}
	}
	s->want = want;
}

static void record_held(struct gt_stream *s)
{
	const size_t vo = offsetof(struct gotrace_header, version);

	if (s->type == GOTRACE_REC_HEADER && s->want >= vo + sizeof(uint32_t))
		memcpy(&s->version, s->buf + vo, sizeof(s->version));
	deliver(s, s->want == s->len ? GT_PIECE_RECORD : GT_PIECE_HEAD,
		s->rec_off, s->buf, s->want);
	s->body = s->len - s->want;
	s->have = 0;
	s->want = 0;
}

int gt_stream_feed(struct gt_stream *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t k;

	while (n && !s->failed) {
		if (s->bad) {
			deliver(s, GT_PIECE_RAW, s->pos, p, n);
			s->pos += n;
			break;
		}
		if (s->magic_have < GOTRACE_MAGIC_LEN) {
			k = GOTRACE_MAGIC_LEN - s->magic_have;
			k = k < n ? k : n;
			memcpy(s->magic + s->magic_have, p, k);
			s->magic_have += k;
			s->pos += k;
			p += k;
			n -= k;
			if (s->magic_have < GOTRACE_MAGIC_LEN)
				continue;
			if (memcmp(s->magic, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN)) {
				snprintf(s->err, sizeof(s->err),
					 "not a gotrace stream (no magic)");
				s->bad = 1;
				deliver(s, GT_PIECE_RAW, 0, s->magic,
					GOTRACE_MAGIC_LEN);
				continue;
			}
			deliver(s, GT_PIECE_MAGIC, 0, s->magic,
				GOTRACE_MAGIC_LEN);
			continue;
		}
		if (s->body) {
			k = s->body < n ? (size_t)s->body : n;
			deliver(s, GT_PIECE_BODY, s->pos, p, k);
			s->body -= k;
			s->pos += k;
			p += k;
			n -= k;
			continue;
		}
		k = (s->want ? s->want : sizeof(struct gotrace_record)) -
		    s->have;
		k = k < n ? k : n;
		memcpy(s->buf + s->have, p, k);
		s->have += k;
		p += k;
		n -= k;
		s->pos += k;
		if (!s->want) {
			if (s->have < sizeof(struct gotrace_record))
				continue;
			record_start(s);
			if (s->bad)
				continue;
		}
		if (s->have == s->want)
			record_held(s);
	}
	return s->failed ? -1 : 0;
}

uint64_t gt_stream_skippable(const struct gt_stream *s)
{
	return s->bad || s->failed ? 0 : s->body;
}

void gt_stream_skip(struct gt_stream *s, uint64_t n)
{
	if (n > gt_stream_skippable(s))
		n = gt_stream_skippable(s);
	s->body -= n;
	s->pos += n;
}

int gt_stream_finish(struct gt_stream *s)
{
	uint64_t start = s->want || s->body ? s->rec_off : s->pos - s->have;

	if (s->magic_have < GOTRACE_MAGIC_LEN) {
		deliver(s, GT_PIECE_RAW, 0, s->magic, s->magic_have);
		s->cut = s->magic_have > 0;
		start = 0;
	} else if (!s->bad && (s->have || s->body)) {
		s->cut = 1;
		deliver(s, GT_PIECE_RAW, s->pos - s->have, s->buf, s->have);
	}
	if (s->cut && !s->err[0])
		snprintf(s->err, sizeof(s->err),
			 "cut off at byte %llu, inside the record at byte %llu",
			 (unsigned long long)s->pos,
			 (unsigned long long)start);
	s->have = 0;
	s->body = 0;
	return s->failed ? -1 : 0;
}
