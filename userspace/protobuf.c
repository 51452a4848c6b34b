// SPDX-License-Identifier: GPL-2.0
/*
 * The protobuf wire-format writer (see protobuf.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protobuf.h"

#define WIRE_VARINT	0
#define WIRE_LEN	2
#define VARINT_MAX	10

void pb_init(struct pb *p)
{
	memset(p, 0, sizeof(*p));
}

void pb_free(struct pb *p)
{
	free(p->buf);
	pb_init(p);
}

void pb_reset(struct pb *p)
{
	if (p->depth)
		p->err = p->err ? p->err : -EINVAL;
	p->len = 0;
}

/* Room for n more bytes; 0, or -ENOMEM (sticky). */
static int pb_room(struct pb *p, size_t n)
{
	size_t nc;
	uint8_t *nb;

	if (p->err)
		return p->err;
	if (p->len + n <= p->cap)
		return 0;
	nc = p->cap ? p->cap : 4096;
	while (nc < p->len + n)
		nc *= 2;
	nb = realloc(p->buf, nc);
	if (!nb) {
		p->err = -ENOMEM;
		return p->err;
	}
	p->buf = nb;
	p->cap = nc;
	return 0;
}

static size_t varint_put(uint8_t *d, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		d[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	d[n++] = (uint8_t)v;
	return n;
}

void pb_raw_varint(struct pb *p, uint64_t v)
{
	if (pb_room(p, VARINT_MAX))
		return;
	p->len += varint_put(p->buf + p->len, v);
}

void pb_raw(struct pb *p, const void *data, size_t n)
{
	if (!n || pb_room(p, n))
		return;
	memcpy(p->buf + p->len, data, n);
	p->len += n;
}

static void pb_key(struct pb *p, unsigned int field, unsigned int wire)
{
	pb_raw_varint(p, (uint64_t)field << 3 | wire);
}

void pb_varint(struct pb *p, unsigned int field, uint64_t v)
{
	pb_key(p, field, WIRE_VARINT);
	pb_raw_varint(p, v);
}

void pb_bytes(struct pb *p, unsigned int field, const void *data, size_t n)
{
	pb_key(p, field, WIRE_LEN);
	pb_raw_varint(p, n);
	pb_raw(p, data, n);
}

void pb_str(struct pb *p, unsigned int field, const char *s)
{
	pb_bytes(p, field, s, strlen(s));
}

/*
 * The length goes before the body but is known only at pb_end(): one
 * byte is reserved (the length of most messages), and a longer length
 * moves the body up.
 */
void pb_begin(struct pb *p, unsigned int field)
{
	if (p->depth == PB_MAX_DEPTH) {
		p->err = p->err ? p->err : -EINVAL;
		return;
	}
	pb_key(p, field, WIRE_LEN);
	if (pb_room(p, 1))
		return;
	p->buf[p->len++] = 0;
	p->open[p->depth++] = p->len;
}

void pb_end(struct pb *p)
{
	uint8_t tmp[VARINT_MAX];
	size_t start, body, n;

	if (!p->depth) {
		p->err = p->err ? p->err : -EINVAL;
		return;
	}
	start = p->open[--p->depth];
	if (p->err)
		return;
	body = p->len - start;
	n = varint_put(tmp, body);
	if (n > 1) {
		if (pb_room(p, n - 1))
			return;
		memmove(p->buf + start + n - 1, p->buf + start, body);
		p->len += n - 1;
	}
	memcpy(p->buf + start - 1, tmp, n);
}
