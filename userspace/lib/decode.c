// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding of the events inside one BATCH record.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define VARINT_MAX	10

enum {
	VI_OK = 0,
	VI_SHORT = 1,		/* runs past the end of the payload */
	VI_LONG = 2,		/* more than VARINT_MAX bytes */
};

static inline int get_varint(const uint8_t **pp, const uint8_t *end,
			     uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < VARINT_MAX; i++) {
		uint8_t b;

		if (p >= end)
			return VI_SHORT;
		b = *p++;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*pp = p;
			*out = v;
			return VI_OK;
		}
	}
	return VI_LONG;
}

static inline int is_pfn_event(unsigned int type)
{
	return gt_event_desc(type)->has_pfn;
}

static int decode_fail(struct gt_reader *r, struct gt_cursor *c,
		       const uint8_t *at, const char *what)
{
	(void)r;
	uint64_t pos = c->cur->off + sizeof(struct gotrace_batch) +
		       (uint64_t)(at - c->start);

	if (c->cur->packed)
		gt_cursor_error(c, "cpu %u, PACKED seq %u at byte %llu: %s at byte %llu of the unpacked batch (event %u of %u)",
				c->cpu, c->cur->seq,
				(unsigned long long)c->cur->off, what,
				(unsigned long long)(pos - c->cur->off),
				c->seen, c->nr_events);
	else
		gt_cursor_error(c, "cpu %u, BATCH seq %u at byte %llu: %s at byte %llu (event %u of %u)",
				c->cpu, c->cur->seq,
				(unsigned long long)c->cur->off, what,
				(unsigned long long)pos, c->seen,
				c->nr_events);
	c->cur = NULL;
	return -EINVAL;
}

static int varint_fail(struct gt_reader *r, struct gt_cursor *c,
		       const uint8_t *at, int vi)
{
	return decode_fail(r, c, at, vi == VI_LONG ?
			   "varint longer than 10 bytes" :
			   "event runs past the end of the batch");
}

/* The batch has no more events: check padding and nr_events. */
static int batch_end(struct gt_reader *r, struct gt_cursor *c)
{
	const uint8_t *p;

	for (p = c->p; p < c->end; p++) {
		if (*p)
			return decode_fail(r, c, p,
					   "non-zero byte after the end of the events");
	}
	if (c->seen != c->nr_events)
		return decode_fail(r, c, c->p,
				   "fewer events than nr_events");
	c->cur = NULL;
	return 0;
}

/*
 * Decode the next event of the current batch of c into c->ev (c->str
 * points at the raw string bytes, c->ev.str_len is their number).
 * Return 1, 0 at the end of the batch (c->cur set to NULL), or -EINVAL.
 */
int gt_cursor_decode(struct gt_reader *r, struct gt_cursor *c)
{
	struct gt_event *ev = &c->ev;
	const uint8_t *p = c->p;
	const uint8_t *start = p;
	const uint8_t *end = c->end;
	unsigned int type, nargs, i;
	uint64_t delta, len;
	int vi, meta;

	if (p >= end || !*p)
		return batch_end(r, c);
	type = *p & GOTRACE_EV_TYPE_MASK;
	if (!gt_event_desc(type))
		return decode_fail(r, c, p, "unknown event type");
	/* Types this version added: see GOTRACE_VERSION. */
	if (r->hdr.version < 4 && type > GOTRACE_EV_SCHED_WAKING)
		return decode_fail(r, c, p, "unknown event type");
	meta = GOTRACE_EV_IS_META(type);
	if (!meta && c->seen >= c->nr_events)
		return decode_fail(r, c, p, "more events than nr_events");
	ev->type = type;
	ev->ctx = *p >> GOTRACE_EV_CTX_SHIFT;
	ev->cpu = c->cpu;
	ev->gen = c->cur->gen;
	p++;
	vi = get_varint(&p, end, &delta);
	if (vi)
		return varint_fail(r, c, start, vi);
	c->ts += delta;
	ev->ts = c->ts;
	nargs = gt_event_nargs(type);
	ev->nargs = nargs;
	for (i = 0; i < nargs; i++) {
		vi = get_varint(&p, end, &ev->args[i]);
		if (vi)
			return varint_fail(r, c, start, vi);
	}
	if (is_pfn_event(type)) {
		uint64_t z = ev->args[0];

		c->pfn += (z >> 1) ^ -(z & 1);
		ev->args[0] = c->pfn;
	} else if (type == GOTRACE_EV_SCHED_SWITCH && r->hdr.version >= 4) {
		/* prev_pid: the previous switch's next_pid, or pid + 1 */
		if (ev->args[0] != GOTRACE_PREV_PID_SAME)
			ev->args[0]--;
		else if (c->next_pid != GT_NO_NEXT_PID)
			ev->args[0] = c->next_pid;
		else
			return decode_fail(r, c, start,
					   "sched_switch refers to a previous switch at the start of a batch");
		c->next_pid = ev->args[3];
	}
	c->str = NULL;
	ev->str = NULL;
	ev->str_len = 0;
	if (gt_event_desc(type)->has_string) {
		uint64_t max = type == GOTRACE_EV_COMM ? GOTRACE_COMM_LEN :
			       GOTRACE_FILENAME_MAX;

		vi = get_varint(&p, end, &len);
		if (vi)
			return varint_fail(r, c, start, vi);
		if (len > max)
			return decode_fail(r, c, start,
					   type == GOTRACE_EV_COMM ?
					   "comm longer than 16 bytes" :
					   "string longer than 255 bytes");
		if (len > (uint64_t)(end - p))
			return decode_fail(r, c, start,
					   "event runs past the end of the batch");
		c->str = p;
		ev->str_len = (uint32_t)len;
		p += len;
	}
	ev->stack_id = 0;
	if (r->hdr.stack_events & (1ULL << type)) {
		uint64_t id;

		vi = get_varint(&p, end, &id);
		if (vi)
			return varint_fail(r, c, start, vi);
		ev->stack_id = (uint32_t)id;
	}
	if (!meta)
		c->seen++;
	c->p = p;
	return 1;
}
