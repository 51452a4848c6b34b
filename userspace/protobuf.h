/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tool's one protobuf writer (the wire format only; no schema): for
 * the pprof profile and Perfetto's trace.  Fields are appended to a
 * growable buffer; a nested message is opened with pb_begin() and closed
 * with pb_end(), which writes its length in front of it.  Errors (no
 * memory, nesting too deep) are sticky in err, so a writer checks once at
 * the end.
 *
 * Wire format: each field is a varint key (field number << 3 | wire type)
 * then, for wire type 0, a varint value; for wire type 2, a varint length
 * and that many bytes (strings, bytes, nested messages, packed repeated
 * varints).  Negative int32/int64 values are 10-byte varints of their
 * 64-bit two's complement, as protobuf's int32/int64 types encode them.
 */
#ifndef GOTRACE_PROTOBUF_H
#define GOTRACE_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

#define PB_MAX_DEPTH	16

struct pb {
	uint8_t *buf;
	size_t len, cap;
	size_t open[PB_MAX_DEPTH];	/* body offsets of open messages */
	int depth;
	int err;			/* 0, -ENOMEM or -EINVAL (nesting) */
};

void pb_init(struct pb *p);
void pb_free(struct pb *p);
/* Empty the buffer (keeps its memory); only with no message open. */
void pb_reset(struct pb *p);

/* Wire type 0: uint32/uint64/int32/int64/bool/enum fields. */
void pb_varint(struct pb *p, unsigned int field, uint64_t v);
static inline void pb_int(struct pb *p, unsigned int field, int64_t v)
{
	pb_varint(p, field, (uint64_t)v);
}

/* Wire type 2: bytes and strings (pb_str: up to the NUL). */
void pb_bytes(struct pb *p, unsigned int field, const void *data, size_t n);
void pb_str(struct pb *p, unsigned int field, const char *s);

/*
 * A nested message, or a packed repeated field (its elements written with
 * pb_raw_varint() between pb_begin() and pb_end()).
 */
void pb_begin(struct pb *p, unsigned int field);
void pb_end(struct pb *p);

/* Bytes as they are: a packed element, or a message body built apart. */
void pb_raw_varint(struct pb *p, uint64_t v);
void pb_raw(struct pb *p, const void *data, size_t n);

#endif /* GOTRACE_PROTOBUF_H */
