// SPDX-License-Identifier: GPL-2.0
/*
 * The PACKED stream filter (pack_stream.h), on libgotrace's record scanner
 * (gt_stream_*).  Only one record is held at a time, so memory stays at a
 * batch or two however long the stream.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack_stream.h"

/* Larger records (no device makes them) are copied through. */
#define PS_REC_MAX	(64U << 20)
#define PS_HEADER_MAX	(64U << 10)

static int emit(struct pack_stream *ps, const uint8_t *p, size_t n)
{
	if (!n || ps->failed)
		return ps->failed ? -1 : 0;
	if (ps->emit(ps->arg, p, n)) {
		ps->failed = 1;
		return -1;
	}
	return 0;
}

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *nb;

	if (*cap >= need)
		return 0;
	nb = realloc(*buf, need);
	if (!nb)
		return -1;
	*buf = nb;
	*cap = need;
	return 0;
}

static int pack_one(struct pack_stream *ps, const uint8_t *rec, size_t len)
{
	size_t out_len;
	int ret;

	if (!ps->have_header ||
	    grow(&ps->out, &ps->out_cap, gt_pack_bound(len)))
		goto keep;
	ret = gt_pack_batch(ps->pc, ps->stack_events, rec, len, ps->out,
			    ps->out_cap, &out_len);
	if (ret || out_len >= len)
		goto keep;
	ps->converted++;
	return emit(ps, ps->out, out_len);
keep:
	ps->kept++;
	return emit(ps, rec, len);
}

static int unpack_one(struct pack_stream *ps, const uint8_t *rec, size_t len)
{
	struct gotrace_packed ph;
	char msg[200];
	int ret = -EINVAL;

	memcpy(&ph, rec, sizeof(ph));
	if (!ps->have_header) {
		snprintf(msg, sizeof(msg), "no HEADER record before it");
	} else if (ph.batch.rec.len > PS_REC_MAX ||
		   grow(&ps->out, &ps->out_cap, ph.batch.rec.len)) {
		snprintf(msg, sizeof(msg), "cannot hold a %u byte batch",
			 ph.batch.rec.len);
	} else {
		ret = gt_unpack_batch(ps->uc, ps->stack_events, rec, len,
				      ps->out, ps->out_cap, msg, sizeof(msg));
		if (ret == -ENOMEM)
			snprintf(msg, sizeof(msg), "%s", strerror(ENOMEM));
	}
	if (!ret) {
		ps->converted++;
		return emit(ps, ps->out, ph.batch.rec.len);
	}
	if (!ps->failures++)
		snprintf(ps->errmsg, sizeof(ps->errmsg),
			 "PACKED record (cpu %u, seq %u): %s", ph.batch.cpu,
			 ph.batch.seq, msg);
	return emit(ps, rec, len);	/* kept as it was */
}

/* Gather the HEADER and the records to convert; the rest goes by. */
static size_t ps_hold(void *arg, uint32_t type, uint32_t len)
{
	struct pack_stream *ps = arg;
	uint32_t gather = ps->unpack ? GOTRACE_REC_PACKED : GOTRACE_REC_BATCH;

	if ((type == GOTRACE_REC_HEADER && len <= PS_HEADER_MAX) ||
	    (type == gather && len <= PS_REC_MAX))
		return len;
	return sizeof(struct gotrace_record);
}

static int ps_piece(void *arg, const struct gt_piece *pc)
{
	size_t se = offsetof(struct gotrace_header, stack_events);
	struct pack_stream *ps = arg;

	if (pc->kind != GT_PIECE_RECORD)
		return emit(ps, pc->data, pc->n);
	switch (pc->type) {
	case GOTRACE_REC_HEADER:
		ps->have_header = 1;
		if (pc->n >= se + sizeof(ps->stack_events))
			memcpy(&ps->stack_events, pc->data + se,
			       sizeof(ps->stack_events));
		return emit(ps, pc->data, pc->n);
	case GOTRACE_REC_BATCH:
		if (!ps->unpack)
			return pack_one(ps, pc->data, pc->n);
		break;
	case GOTRACE_REC_PACKED:
		if (ps->unpack)
			return unpack_one(ps, pc->data, pc->n);
		break;
	}
	return emit(ps, pc->data, pc->n);
}

int ps_init(struct pack_stream *ps, int unpack, int level, ps_emit_fn emit_fn,
	    void *arg)
{
	memset(ps, 0, sizeof(*ps));
	ps->emit = emit_fn;
	ps->arg = arg;
	ps->unpack = unpack;
	if (gt_stream_init(&ps->scan, ps_piece, ps_hold, ps))
		return -1;
	if (unpack)
		ps->uc = gt_unpack_new();
	else
		ps->pc = gt_pack_new(level);
	return ps->uc || ps->pc ? 0 : -1;
}

void ps_free(struct pack_stream *ps)
{
	gt_pack_free(ps->pc);
	gt_unpack_free(ps->uc);
	gt_stream_free(&ps->scan);
	free(ps->out);
	ps->pc = NULL;
	ps->uc = NULL;
	ps->out = NULL;
}

int ps_feed(struct pack_stream *ps, const uint8_t *p, size_t n)
{
	if (!ps->failed)
		gt_stream_feed(&ps->scan, p, n);
	return ps->failed ? -1 : 0;
}

int ps_finish(struct pack_stream *ps)
{
	if (!ps->failed)
		gt_stream_finish(&ps->scan);
	return ps->failed ? -1 : 0;
}
