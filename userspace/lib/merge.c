// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace reader, merge: gt_next() keeps one cursor per CPU, each decoding
 * its CPU's batches in seq order (pread for files, pointers for memory),
 * and a binary min-heap of the cursors keyed by (timestamp of their next
 * event, cpu).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static inline int cur_before(const struct gt_cursor *a,
			     const struct gt_cursor *b)
{
	if (a->ev.ts != b->ev.ts)
		return a->ev.ts < b->ev.ts;
	return a->cpu < b->cpu;
}

static void heap_down(struct gt_reader *r, size_t i)
{
	struct gt_cursor **h = r->heap;
	size_t n = r->heap_nr;

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct gt_cursor *t;

		if (l < n && cur_before(h[l], h[m]))
			m = l;
		if (l + 1 < n && cur_before(h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_up(struct gt_reader *r, size_t i)
{
	struct gt_cursor **h = r->heap;

	while (i) {
		size_t p = (i - 1) / 2;
		struct gt_cursor *t;

		if (!cur_before(h[i], h[p]))
			return;
		t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

static int grow(uint8_t **buf, size_t *size, size_t need)
{
	uint8_t *nb;

	if (*size >= need)
		return 0;
	nb = realloc(*buf, need);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*size = need;
	return 0;
}

/* The BATCH record of a PACKED one, unpacked into c->buf. */
static const uint8_t *cursor_unpack(struct gt_reader *r, struct gt_cursor *c,
				    const struct gt_batch_ref *b,
				    const uint8_t *rec, int *err)
{
	char msg[GT_ERR_LEN];

	if (!r->unpack) {
		r->unpack = gt_unpack_new();
		if (!r->unpack)
			goto nomem;
	}
	if (grow(&c->buf, &c->buf_size, b->raw_len))
		goto nomem;
	*err = gt_unpack_batch(r->unpack, r->hdr.stack_events, rec, b->len,
			       c->buf, b->raw_len, msg, sizeof(msg));
	if (*err == -ENOMEM)
		goto nomem;
	if (*err) {
		gt_cursor_error(c, "cpu %u, PACKED seq %u at byte %llu: %s",
				c->cpu, b->seq, (unsigned long long)b->off,
				msg);
		return NULL;
	}
	return c->buf;
nomem:
	*err = -ENOMEM;
	gt_cursor_error(c, "%s", strerror(ENOMEM));
	return NULL;
}

/* Load the next batch of c's CPU; 1 loaded, 0 none left, <0 error. */
static int cursor_load(struct gt_reader *r, struct gt_cursor *c)
{
	struct gt_cpu_index *ci = &r->idx[c->cpu];
	struct gt_batch_ref *b;
	struct gotrace_batch bh;
	const uint8_t *data;
	int ret;

	if (c->next >= ci->nr) {
		c->cur = NULL;
		return 0;
	}
	b = &ci->b[c->next++];
	if (r->fd < 0) {
		data = r->mem + b->off;
	} else {
		uint8_t **buf = b->packed ? &c->zbuf : &c->buf;
		size_t *size = b->packed ? &c->zbuf_size : &c->buf_size;

		if (grow(buf, size, b->len)) {
			gt_cursor_error(c, "%s", strerror(ENOMEM));
			return -ENOMEM;
		}
		ret = gt_read_at(r, b->off, *buf, b->len);
		if (ret) {
			gt_cursor_error(c, "reading %s record at byte %llu: %s",
					b->packed ? "PACKED" : "BATCH",
					(unsigned long long)b->off,
					strerror(-ret));
			return ret;
		}
		data = *buf;
	}
	if (b->packed) {
		data = cursor_unpack(r, c, b, data, &ret);
		if (!data)
			return ret;
	}
	memcpy(&bh, data, sizeof(bh));
	c->cur = b;
	c->start = data + sizeof(bh);
	c->p = c->start;
	c->end = data + b->raw_len;
	c->ts = bh.base_ts;
	c->pfn = 0;
	c->next_pid = GT_NO_NEXT_PID;
	c->nr_events = bh.nr_events;
	c->seen = 0;
	return 1;
}

/* Decode the next event of c into c->ev; 1, 0 (no more) or <0. */
static int cursor_advance(struct gt_reader *r, struct gt_cursor *c)
{
	int ret;

	for (;;) {
		if (c->cur) {
			ret = gt_cursor_decode(r, c);
			if (ret)
				return ret;
		}
		ret = cursor_load(r, c);
		if (ret <= 0)
			return ret;
	}
}

/*
 * A cursor that failed stays in the merge, keyed at the time it reached
 * (the last good event of its CPU, or the batch base), so that the events
 * of other CPUs before that point are still returned before the error.
 */
static void cursor_fail(struct gt_reader *r, struct gt_cursor *c, int err)
{
	(void)r;
	c->err = err;
	c->ev.ts = c->ts;
}

static void prime(struct gt_reader *r)
{
	uint32_t i;
	int ret;

	r->primed = 1;
	for (i = 0; i < r->nr_cpus; i++) {
		struct gt_cursor *c = &r->cur[i];

		c->cpu = i;
		ret = cursor_advance(r, c);
		if (ret < 0)
			cursor_fail(r, c, ret);
		if (ret) {
			r->heap[r->heap_nr++] = c;
			heap_up(r, r->heap_nr - 1);
		}
	}
}

static int fail_sticky(struct gt_reader *r, int err, const char *msg)
{
	r->err = err;
	snprintf(r->errmsg, sizeof(r->errmsg), "%s", msg ? msg : "error");
	return err;
}

int gt_next(struct gt_reader *r, struct gt_event *ev)
{
	struct gt_cursor *c;
	int ret;

	if (r->err)
		return r->err;
	if (!r->primed)
		prime(r);
	if (!r->heap_nr) {
		if (r->scan_err)
			return fail_sticky(r, r->scan_err, r->scan_msg);
		return 0;
	}
	c = r->heap[0];
	if (c->err)
		return fail_sticky(r, c->err, c->errmsg);
	*ev = c->ev;
	if (c->str) {
		memcpy(r->str, c->str, ev->str_len);
		r->str[ev->str_len] = '\0';
		ev->str_len = (uint32_t)strlen(r->str);
		ev->str = r->str;
		if (ev->type == GOTRACE_EV_COMM &&
		    gt_comm_set(&r->comms, (uint32_t)ev->args[0], r->str,
				ev->str_len))
			return fail_sticky(r, -ENOMEM, strerror(ENOMEM));
	}
	if (gt_cgroups_follow(r, ev))
		return fail_sticky(r, -ENOMEM, strerror(ENOMEM));
	ret = cursor_advance(r, c);
	if (ret < 0)
		cursor_fail(r, c, ret);
	if (!ret)
		r->heap[0] = r->heap[--r->heap_nr];
	heap_down(r, 0);
	return 1;
}

