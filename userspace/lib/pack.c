// SPDX-License-Identifier: GPL-2.0
/*
 * PACKED records: a BATCH record regrouped into columns (all type bytes,
 * all ts deltas, each argument of each event type) and compressed with
 * zstd.  Events of one kind repeat their values (gfp flags, orders, pids,
 * nearby pfns) but interleave with events of other kinds; columns put like
 * values side by side, which is where a general compressor finds them.
 * The varints are moved, never re-encoded, so unpacking gives back the
 * BATCH record byte for byte.  See struct gotrace_packed in the uapi.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "internal.h"

#define VARINT_MAX	10
#define NR_COLS		GOTRACE_COL_ARG(GOTRACE_EV_COUNT, 0)

struct gt_pack_ctx {
	ZSTD_CCtx *cctx;		/* level and checksum set */
	uint8_t *cols;		/* the column stream being built */
	size_t cols_cap;
	uint8_t *col[NR_COLS];	/* each column, while a batch is split */
	size_t col_cap[NR_COLS];
	/* per event type, looked up once: the split runs once per event */
	unsigned char nargs[GOTRACE_EV_COUNT];
	unsigned char known[GOTRACE_EV_COUNT];
	unsigned char has_string[GOTRACE_EV_COUNT];
};

struct gt_unpack_ctx {
	ZSTD_DCtx *dctx;
	uint8_t *cols;
	size_t cols_cap;
};

static int has_string(unsigned int type)
{
	const struct gt_event_desc *d = gt_event_desc(type);

	return d && d->has_string;
}

/* Length of the varint at p (< end), 0 if it is cut off or too long. */
static size_t varint_len(const uint8_t *p, const uint8_t *end)
{
	size_t i;

	for (i = 0; i < VARINT_MAX && p + i < end; i++) {
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)v | 0x80;
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	size_t n = varint_len(*pp, end), i;

	if (!n)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)((*pp)[i] & 0x7f) << (7 * i);
	*pp += n;
	return 0;
}

/* The column of argument i (or GOTRACE_COL_STACK) of events of type. */
static int arg_col(unsigned int type, unsigned int i)
{
	return GOTRACE_COL_ARG(type, i);
}

/* Copy one varint from *pp (< end) to *dst; -1 if cut off or too long. */
static inline int copy_varint(const uint8_t **pp, const uint8_t *end,
			      uint8_t **dst)
{
	const uint8_t *p = *pp;
	uint8_t *d = *dst, c;
	int i;

	for (i = 0; i < VARINT_MAX && p < end; i++) {
		c = *p++;
		*d++ = c;
		if (!(c & 0x80)) {
			*pp = p;
			*dst = d;
			return 0;
		}
	}
	return -1;
}

/*
 * copy_varint() with eight readable bytes at p (< end): no test of the
 * room.  Returns the end of the varint, NULL if it is cut off or too long.
 * Eight bytes at a time: the varint ends at the first byte without its
 * high bit.  All eight are stored, which COL_SLACK allows; the bytes past
 * the varint are overwritten by the next one or are past the column's end.
 */
static inline const uint8_t *copy_varint8(const uint8_t *p,
					  const uint8_t *end, uint8_t **dst)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t x, stop;
	unsigned int n;

	memcpy(&x, p, 8);
	stop = ~x & 0x8080808080808080ULL;
	if (stop) {
		n = __builtin_ctzll(stop) / 8 + 1;
		memcpy(*dst, &x, 8);
		*dst += n;
		return p + n;
	}
#endif
	/* longer than eight bytes (a value of 56 bits or more) */
	return copy_varint(&p, end, dst) ? NULL : p;
}

/*
 * Where column col is written: its buffer holds a whole payload, and
 * COL_SLACK bytes more for copy_varint()'s eight-byte stores.
 */
#define COL_SLACK	8

static inline uint8_t **col_w(struct gt_pack_ctx *pc, uint8_t **w,
			      unsigned int col, size_t payload)
{
	if (!w[col]) {
		if (pc->col_cap[col] < payload + COL_SLACK) {
			/* nothing to keep: a new batch starts the column */
			uint8_t *nb = malloc(payload + COL_SLACK);

			if (!nb)
				return NULL;
			free(pc->col[col]);
			pc->col[col] = nb;
			pc->col_cap[col] = payload + COL_SLACK;
		}
		w[col] = pc->col[col];
	}
	return &w[col];
}

/*
 * The argument (and stack id) columns of events of type, ready for this
 * batch: set up at the first event of the type, as every event of a type
 * writes each of them.
 */
static int type_cols(struct gt_pack_ctx *pc, uint8_t **w, unsigned int type,
		     bool stack, size_t payload)
{
	unsigned int i;

	for (i = 0; i < pc->nargs[type]; i++) {
		if (!col_w(pc, w, arg_col(type, i), payload))
			return -ENOMEM;
	}
	if (stack && !col_w(pc, w, arg_col(type, GOTRACE_COL_STACK), payload))
		return -ENOMEM;
	return 0;
}

/*
 * Split a batch payload into the column buffers, one pass: w[col] ends
 * where column col's bytes end (NULL: no bytes).  Return 0, 1 if the
 * payload is not a well-formed list of known events followed by zero
 * padding, -ENOMEM.
 */
static int split_events(struct gt_pack_ctx *pc, const uint8_t *p,
			const uint8_t *end, uint64_t stack_events,
			uint8_t **w)
{
	size_t payload = end - p;
	unsigned int type, nargs, i;
	uint64_t ready = 0, slen;
	uint8_t **d, *wtype, *wts, **wargs;
	const uint8_t *s;
	bool stack;
	int ret;

	if (p == end || !*p)
		goto padding;
	/* the two columns every event writes, kept in registers */
	if (!col_w(pc, w, GOTRACE_COL_TYPE, payload) ||
	    !col_w(pc, w, GOTRACE_COL_TS, payload))
		return -ENOMEM;
	wtype = w[GOTRACE_COL_TYPE];
	wts = w[GOTRACE_COL_TS];
	ret = 0;
	while (p < end && *p) {
		type = *p & GOTRACE_EV_TYPE_MASK;
		if (type >= GOTRACE_EV_COUNT || !pc->known[type]) {
			ret = 1;
			break;
		}
		stack = stack_events & (1ULL << type);
		if (!(ready & (1ULL << type))) {
			ret = type_cols(pc, w, type, stack, payload);
			if (ret)
				break;
			ready |= 1ULL << type;
		}
		*wtype++ = *p++;
		nargs = pc->nargs[type];
		wargs = &w[arg_col(type, 0)];
		/*
		 * Room for eight bytes past every varint of the event (all
		 * but the last events of a batch): no test of the room per
		 * varint.
		 */
		if ((size_t)(end - p) >= 8 * (nargs + 2)) {
			p = copy_varint8(p, end, &wts);
			for (i = 0; p && i < nargs; i++)
				p = copy_varint8(p, end, &wargs[i]);
			if (!p) {
				ret = 1;
				break;
			}
		} else {
			if (copy_varint(&p, end, &wts)) {
				ret = 1;
				break;
			}
			for (i = 0; i < nargs; i++) {
				if (copy_varint(&p, end, &wargs[i])) {
					ret = 1;
					break;
				}
			}
			if (ret)
				break;
		}
		if (pc->has_string[type]) {
			s = p;
			if (get_varint(&s, end, &slen) ||
			    slen > (uint64_t)(end - s))
				return 1;
			slen += s - p;
			d = col_w(pc, w, GOTRACE_COL_STR, payload);
			if (!d)
				return -ENOMEM;
			memcpy(*d, p, slen);
			*d += slen;
			p += slen;
		}
		if (stack && copy_varint(&p, end, &wargs[GOTRACE_COL_STACK])) {
			ret = 1;
			break;
		}
	}
	w[GOTRACE_COL_TYPE] = wtype;
	w[GOTRACE_COL_TS] = wts;
	if (ret)
		return ret;
padding:
	for (; p < end; p++) {
		if (*p)
			return 1;
	}
	return 0;
}

struct gt_pack_ctx *gt_pack_new(int level)
{
	struct gt_pack_ctx *pc = calloc(1, sizeof(*pc));
	unsigned int i;

	if (!pc)
		return NULL;
	for (i = 0; i < GOTRACE_EV_COUNT; i++) {
		const struct gt_event_desc *d = gt_event_desc(i);

		pc->nargs[i] = gt_event_nargs(i);
		pc->known[i] = !!d;
		pc->has_string[i] = d && d->has_string;
	}
	pc->cctx = ZSTD_createCCtx();
	/*
	 * The frame's checksum makes damage to the compressed bytes an error
	 * instead of other, valid-looking events.
	 */
	if (!pc->cctx ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(pc->cctx,
						ZSTD_c_compressionLevel,
						level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(pc->cctx,
						ZSTD_c_checksumFlag, 1))) {
		ZSTD_freeCCtx(pc->cctx);
		free(pc);
		return NULL;
	}
	return pc;
}

void gt_pack_free(struct gt_pack_ctx *pc)
{
	unsigned int i;

	if (!pc)
		return;
	ZSTD_freeCCtx(pc->cctx);
	for (i = 0; i < NR_COLS; i++)
		free(pc->col[i]);
	free(pc->cols);
	free(pc);
}

size_t gt_pack_bound(size_t batch_len)
{
	/* columns: the payload plus at most 2 x 3 bytes of header each */
	size_t cols = batch_len + 6 * NR_COLS;

	return sizeof(struct gotrace_packed) + ZSTD_compressBound(cols) + 8;
}

int gt_pack_batch(struct gt_pack_ctx *pc, uint64_t stack_events,
		  const void *batch, size_t len, void *out, size_t cap,
		  size_t *out_len)
{
	const uint8_t *b = batch;
	uint8_t *w[NR_COLS];
	struct gotrace_batch bh;
	struct gotrace_packed ph;
	size_t need, n, z, rec_len;
	uint8_t *c;
	int i, ret;

	if (len < sizeof(bh) || len > UINT32_MAX)
		return 1;
	memcpy(&bh, b, sizeof(bh));
	if (bh.rec.type != GOTRACE_REC_BATCH || bh.rec.len != len)
		return 1;
	memset(w, 0, sizeof(w));
	ret = split_events(pc, b + sizeof(bh), b + len, stack_events, w);
	if (ret)
		return ret;
	need = 0;
	for (i = 0; i < NR_COLS; i++)
		need += w[i] ? (size_t)(w[i] - pc->col[i]) + 6 : 0;
	if (pc->cols_cap < need + 1) {
		uint8_t *nc = realloc(pc->cols, need + 1);

		if (!nc)
			return -ENOMEM;
		pc->cols = nc;
		pc->cols_cap = need + 1;
	}
	c = pc->cols;
	for (i = 0; i < NR_COLS; i++) {
		if (!w[i])
			continue;
		n = w[i] - pc->col[i];
		c = put_varint(c, i);
		c = put_varint(c, n);
		memcpy(c, pc->col[i], n);
		c += n;
	}
	need = c - pc->cols;
	if (cap < sizeof(ph))
		return -ENOSPC;
	z = ZSTD_compress2(pc->cctx, (uint8_t *)out + sizeof(ph),
			   cap - sizeof(ph), pc->cols, need);
	if (ZSTD_isError(z))
		return ZSTD_getErrorCode(z) == ZSTD_error_dstSize_tooSmall ?
		       -ENOSPC : -EINVAL;
	rec_len = (sizeof(ph) + z + 7) & ~(size_t)7;
	if (rec_len > cap)
		return -ENOSPC;
	memset(&ph, 0, sizeof(ph));
	ph.rec.type = GOTRACE_REC_PACKED;
	ph.rec.len = (uint32_t)rec_len;
	ph.codec = GOTRACE_PACK_ZSTD;
	ph.cols_len = (uint32_t)need;
	ph.data_len = (uint32_t)z;
	ph.batch = bh;
	memcpy(out, &ph, sizeof(ph));
	memset((uint8_t *)out + sizeof(ph) + z, 0, rec_len - sizeof(ph) - z);
	*out_len = rec_len;
	return 0;
}

struct gt_unpack_ctx *gt_unpack_new(void)
{
	struct gt_unpack_ctx *uc = calloc(1, sizeof(*uc));

	if (!uc)
		return NULL;
	uc->dctx = ZSTD_createDCtx();
	if (!uc->dctx) {
		free(uc);
		return NULL;
	}
	return uc;
}

void gt_unpack_free(struct gt_unpack_ctx *uc)
{
	if (!uc)
		return;
	ZSTD_freeDCtx(uc->dctx);
	free(uc->cols);
	free(uc);
}

struct col {
	const uint8_t *p;
	const uint8_t *end;
};

__printf(3, 4)
static int unpack_fail(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Move n bytes of column c to *o (bounded by oend). */
static int take(struct col *c, size_t n, uint8_t **o, const uint8_t *oend)
{
	if (n > (size_t)(c->end - c->p) || n > (size_t)(oend - *o))
		return -1;
	memcpy(*o, c->p, n);
	c->p += n;
	*o += n;
	return 0;
}

static int take_varint(struct col *c, uint8_t **o, const uint8_t *oend)
{
	size_t n = c->p < c->end ? varint_len(c->p, c->end) : 0;

	return n ? take(c, n, o, oend) : -1;
}

/* Rebuild the events from the columns into out[0, end). */
static int rebuild(struct col *cols, uint64_t stack_events, uint8_t *out,
		   const uint8_t *oend, char *msg, size_t msglen)
{
	struct col *tc = &cols[GOTRACE_COL_TYPE];
	unsigned int type, nargs, i;
	uint8_t *o = out;
	uint64_t n;

	while (tc->p < tc->end) {
		type = *tc->p & GOTRACE_EV_TYPE_MASK;
		if (!*tc->p || !gt_event_desc(type))
			return unpack_fail(msg, msglen,
					   "unknown event type byte 0x%02x",
					   *tc->p);
		if (take(tc, 1, &o, oend) ||
		    take_varint(&cols[GOTRACE_COL_TS], &o, oend))
			goto short_col;
		nargs = gt_event_nargs(type);
		for (i = 0; i < nargs; i++) {
			if (take_varint(&cols[arg_col(type, i)], &o, oend))
				goto short_col;
		}
		if (has_string(type)) {
			struct col *sc = &cols[GOTRACE_COL_STR];
			const uint8_t *s = sc->p;

			if (get_varint(&s, sc->end, &n) ||
			    n > (uint64_t)(sc->end - s) ||
			    take(sc, (size_t)(s - sc->p) + n, &o, oend))
				goto short_col;
		}
		if ((stack_events & (1ULL << type)) &&
		    take_varint(&cols[arg_col(type, GOTRACE_COL_STACK)], &o,
				oend))
			goto short_col;
	}
	for (i = 0; i < NR_COLS; i++) {
		if (cols[i].p != cols[i].end)
			return unpack_fail(msg, msglen,
					   "column %u has %zu bytes left over",
					   i, (size_t)(cols[i].end - cols[i].p));
	}
	memset(o, 0, oend - o);
	return 0;
short_col:
	return unpack_fail(msg, msglen,
			   "columns do not match the events (%s %s, at byte %zu of the batch)",
			   gt_event_name(type),
			   o == oend ? "overflows the batch" : "runs out of data",
			   (size_t)(o - out) + sizeof(struct gotrace_batch));
}

int gt_unpack_batch(struct gt_unpack_ctx *uc, uint64_t stack_events,
		    const void *packed, size_t len, void *out, size_t cap,
		    char *msg, size_t msglen)
{
	struct col cols[NR_COLS];
	struct gotrace_packed ph;
	const uint8_t *p, *end;
	uint64_t id, n;
	size_t z;

	if (len < sizeof(ph))
		return unpack_fail(msg, msglen, "PACKED record too short");
	memcpy(&ph, packed, sizeof(ph));
	if (ph.codec != GOTRACE_PACK_ZSTD)
		return unpack_fail(msg, msglen, "unknown codec %u", ph.codec);
	if (ph.data_len > len - sizeof(ph))
		return unpack_fail(msg, msglen,
				   "%u bytes of data do not fit in %zu",
				   ph.data_len, len - sizeof(ph));
	if (ph.batch.rec.type != GOTRACE_REC_BATCH ||
	    ph.batch.rec.len < sizeof(ph.batch) || ph.batch.rec.len % 8)
		return unpack_fail(msg, msglen, "bad BATCH header inside");
	if (ph.batch.rec.len > cap)
		return unpack_fail(msg, msglen,
				   "batch of %u bytes larger than %zu",
				   ph.batch.rec.len, cap);
	/* columns are never larger than the batch plus their headers */
	if (ph.cols_len > ph.batch.rec.len + 6 * NR_COLS)
		return unpack_fail(msg, msglen,
				   "%u bytes of columns for a %u byte batch",
				   ph.cols_len, ph.batch.rec.len);
	if (uc->cols_cap < ph.cols_len + 1) {
		uint8_t *nc = realloc(uc->cols, ph.cols_len + 1);

		if (!nc)
			return -ENOMEM;
		uc->cols = nc;
		uc->cols_cap = ph.cols_len + 1;
	}
	z = ZSTD_decompressDCtx(uc->dctx, uc->cols, ph.cols_len,
				(const uint8_t *)packed + sizeof(ph),
				ph.data_len);
	if (ZSTD_isError(z))
		return unpack_fail(msg, msglen, "zstd: %s",
				   ZSTD_getErrorName(z));
	if (z != ph.cols_len)
		return unpack_fail(msg, msglen,
				   "%zu bytes of columns, %u expected", z,
				   ph.cols_len);
	memset(cols, 0, sizeof(cols));
	p = uc->cols;
	end = p + z;
	while (p < end) {
		if (get_varint(&p, end, &id) || get_varint(&p, end, &n) ||
		    n > (uint64_t)(end - p))
			return unpack_fail(msg, msglen,
					   "column directory cut off");
		if (id >= NR_COLS || cols[id].p)
			return unpack_fail(msg, msglen,
					   "bad or repeated column %llu",
					   (unsigned long long)id);
		cols[id].p = p;
		cols[id].end = p + n;
		p += n;
	}
	memcpy(out, &ph.batch, sizeof(ph.batch));
	return rebuild(cols, stack_events,
		       (uint8_t *)out + sizeof(ph.batch),
		       (uint8_t *)out + ph.batch.rec.len, msg, msglen);
}
