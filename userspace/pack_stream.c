// SPDX-License-Identifier: GPL-2.0
/*
 * The PACKED stream filter (pack_stream.h).  Only one record is held at a
 * time, so memory stays at a batch or two however long the stream.
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

int ps_init(struct pack_stream *ps, int unpack, int level, ps_emit_fn emit,
	    void *arg)
{
	memset(ps, 0, sizeof(*ps));
	ps->emit = emit;
	ps->arg = arg;
	ps->unpack = unpack;
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
	free(ps->rec);
	free(ps->out);
	ps->pc = NULL;
	ps->uc = NULL;
	ps->rec = NULL;
	ps->out = NULL;
}

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

static int pack_one(struct pack_stream *ps)
{
	size_t out_len;
	int ret;

	if (!ps->have_header ||
	    grow(&ps->out, &ps->out_cap, gt_pack_bound(ps->len)))
		goto keep;
	ret = gt_pack_batch(ps->pc, ps->stack_events, ps->rec, ps->len,
			    ps->out, ps->out_cap, &out_len);
	if (ret || out_len >= ps->len)
		goto keep;
	ps->converted++;
	return emit(ps, ps->out, out_len);
keep:
	ps->kept++;
	return emit(ps, ps->rec, ps->len);
}

static int unpack_one(struct pack_stream *ps)
{
	struct gotrace_packed ph;
	char msg[200];
	int ret = -EINVAL;

	memcpy(&ph, ps->rec, sizeof(ph));
	if (!ps->have_header) {
		snprintf(msg, sizeof(msg), "no HEADER record before it");
	} else if (ph.batch.rec.len > PS_REC_MAX ||
		   grow(&ps->out, &ps->out_cap, ph.batch.rec.len)) {
		snprintf(msg, sizeof(msg), "cannot hold a %u byte batch",
			 ph.batch.rec.len);
	} else {
		ret = gt_unpack_batch(ps->uc, ps->stack_events, ps->rec,
				      ps->len, ps->out, ps->out_cap, msg,
				      sizeof(msg));
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
	return emit(ps, ps->rec, ps->len);	/* kept as it was */
}

static int record_done(struct pack_stream *ps)
{
	size_t se = offsetof(struct gotrace_header, stack_events);

	switch (ps->type) {
	case GOTRACE_REC_HEADER:
		ps->have_header = 1;
		if (ps->len >= se + sizeof(ps->stack_events))
			memcpy(&ps->stack_events, ps->rec + se,
			       sizeof(ps->stack_events));
		return emit(ps, ps->rec, ps->len);
	case GOTRACE_REC_BATCH:
		return pack_one(ps);
	default:
		return unpack_one(ps);
	}
}

/*
 * The header of a record is in ps->rec: gather the record if it is one to
 * convert (or the HEADER), else copy it through.
 */
static int record_start(struct pack_stream *ps)
{
	struct gotrace_record r;
	uint32_t gather = ps->unpack ? GOTRACE_REC_PACKED : GOTRACE_REC_BATCH;
	size_t min = ps->unpack ? sizeof(struct gotrace_packed) :
				  sizeof(struct gotrace_batch);

	memcpy(&r, ps->rec, sizeof(r));
	ps->have = 0;
	if (r.len < sizeof(r) || r.len % 8) {
		ps->passthrough = 1;	/* not a stream we understand */
		return emit(ps, ps->rec, sizeof(r));
	}
	ps->type = r.type;
	ps->len = r.len;
	if (((r.type == GOTRACE_REC_HEADER && r.len <= PS_HEADER_MAX) ||
	     (r.type == gather && r.len <= PS_REC_MAX && r.len >= min)) &&
	    !grow(&ps->rec, &ps->rec_cap, r.len)) {
		ps->have = sizeof(r);
		return 0;
	}
	/* anything else (or no memory to hold it) goes through as it is */
	ps->copy = r.len - sizeof(r);
	ps->len = 0;
	return emit(ps, ps->rec, sizeof(r));
}

int ps_feed(struct pack_stream *ps, const uint8_t *p, size_t n)
{
	size_t k;

	while (n && !ps->failed) {
		if (ps->passthrough)
			return emit(ps, p, n);
		if (ps->magic_have < GOTRACE_MAGIC_LEN) {
			k = GOTRACE_MAGIC_LEN - ps->magic_have;
			k = k < n ? k : n;
			memcpy(ps->magic + ps->magic_have, p, k);
			ps->magic_have += k;
			p += k;
			n -= k;
			if (ps->magic_have < GOTRACE_MAGIC_LEN)
				continue;
			if (memcmp(ps->magic, GOTRACE_MAGIC,
				   GOTRACE_MAGIC_LEN))
				ps->passthrough = 1;
			emit(ps, ps->magic, GOTRACE_MAGIC_LEN);
			continue;
		}
		if (ps->copy) {
			k = ps->copy < n ? (size_t)ps->copy : n;
			ps->copy -= k;
			emit(ps, p, k);
			p += k;
			n -= k;
			continue;
		}
		if (!ps->rec && grow(&ps->rec, &ps->rec_cap, 4096)) {
			ps->passthrough = 1;	/* no memory: copy */
			continue;
		}
		k = (ps->len ? ps->len : sizeof(struct gotrace_record)) -
		    ps->have;
		k = k < n ? k : n;
		memcpy(ps->rec + ps->have, p, k);
		ps->have += k;
		p += k;
		n -= k;
		if (!ps->len) {
			if (ps->have < sizeof(struct gotrace_record))
				continue;
			record_start(ps);
			continue;
		}
		if (ps->have == ps->len) {
			record_done(ps);
			ps->have = 0;
			ps->len = 0;
		}
	}
	return ps->failed ? -1 : 0;
}

int ps_finish(struct pack_stream *ps)
{
	if (ps->magic_have < GOTRACE_MAGIC_LEN)
		emit(ps, ps->magic, ps->magic_have);
	else if (ps->have)
		emit(ps, ps->rec, ps->have);	/* a cut-off record */
	ps->have = 0;
	ps->len = 0;
	return ps->failed ? -1 : 0;
}
