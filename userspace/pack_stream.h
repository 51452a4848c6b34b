/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stream filter that replaces the BATCH records of a gotrace stream by
 * PACKED ones (or the reverse) while the stream goes by, in pieces of any
 * size: `gotrace record` packs what it reads from the device, `gotrace
 * pack` packs or unpacks files.  Everything but BATCH (PACKED) records is
 * copied as it is, and so is a stream that stops parsing: nothing is lost.
 */
#ifndef GOTRACE_PACK_STREAM_H
#define GOTRACE_PACK_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace_reader.h"

/* Writes n bytes; 0, or -1 after reporting the error (the stream stops). */
typedef int (*ps_emit_fn)(void *arg, const uint8_t *p, size_t n);

struct pack_stream {
	ps_emit_fn emit;
	void *arg;
	int unpack;		/* PACKED -> BATCH instead of BATCH -> PACKED */
	struct gt_pack_ctx *pc;
	struct gt_unpack_ctx *uc;
	struct gt_stream scan;	/* cuts the stream at its records */
	int failed;		/* emit failed */
	int have_header;
	uint64_t stack_events;
	uint8_t *out;
	size_t out_cap;
	/* what happened */
	uint64_t converted;	/* batches packed (unpacked) */
	uint64_t kept;		/* batches left as they were */
	uint64_t failures;	/* PACKED records that did not unpack */
	char errmsg[256];	/* the first failure */
};

/* 0, or -1 (no memory).  level: zstd level (GT_PACK_LEVEL). */
int ps_init(struct pack_stream *ps, int unpack, int level, ps_emit_fn emit,
	    void *arg);
/* Feed n bytes of the stream; 0, or -1 once emit has failed. */
int ps_feed(struct pack_stream *ps, const uint8_t *p, size_t n);
/* The stream ended: write out what is still held (a cut-off record). */
int ps_finish(struct pack_stream *ps);
void ps_free(struct pack_stream *ps);

#endif /* GOTRACE_PACK_STREAM_H */
