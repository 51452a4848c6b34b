/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only encoder of synthetic gotrace streams.
 */
#ifndef GOTRACE_TEST_ENCODER_H
#define GOTRACE_TEST_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace_reader.h"

/* An event as the encoder wrote it (what the reader must return). */
struct exp_event {
	struct gt_event ev;
	char str[GOTRACE_FILENAME_MAX + 1];
	size_t rec_end;		/* offset of the end of its BATCH record */
};

struct enc {
	uint8_t *buf;
	size_t len;
	size_t cap;
	uint32_t nr_cpus;
	uint64_t stack_events;	/* header's: events with a stack id */
	/* current batch */
	size_t batch_off;
	uint32_t cpu;
	uint64_t last_ts;
	uint64_t last_pfn;
	uint64_t last_next_pid;	/* of the batch's last sched_switch, or ~0 */
	uint32_t nr_events;
	uint32_t version;	/* the header's (GOTRACE_VERSION) */
	size_t batch_first;	/* first exp entry of the current batch */
	/* expected events, in stream order */
	struct exp_event *exp;
	size_t nr_exp;
	size_t cap_exp;
	/* record boundaries */
	size_t *bounds;
	size_t nr_bounds;
	size_t cap_bounds;
};

void enc_init(struct enc *e, uint32_t nr_cpus, uint64_t start_ns);
void enc_free(struct enc *e);
void enc_bytes(struct enc *e, const void *p, size_t n);
void enc_varint(struct enc *e, uint64_t v);
void enc_batch_begin(struct enc *e, uint32_t cpu, uint32_t seq,
		     uint64_t base_ts, uint64_t lost);
/*
 * Append an event; args are the numeric args as gt_event holds them (pfn
 * absolute), str the COMM/EXEC string or NULL.
 */
void enc_event(struct enc *e, unsigned int type, unsigned int ctx,
	       uint64_t ts, const uint64_t *args, const char *str);
/* Same, for event types with a trailing stack id. */
void enc_event_stack(struct enc *e, unsigned int type, unsigned int ctx,
		     uint64_t ts, const uint64_t *args, const char *str,
		     uint32_t stack_id);
/*
 * Write an older format version (before the first batch): 3 encodes
 * sched_switch's prev_pid as itself, 4 elides it where it can.
 */
void enc_set_version(struct enc *e, uint32_t version);
/* Set the header's stack_events (before the first batch). */
void enc_set_stack_events(struct enc *e, uint64_t mask);
/* A TASKS record naming nr tasks (tgid = pid, or tgids[i]). */
void enc_tasks(struct enc *e, uint32_t nr, const uint32_t *pids,
	       const char *const *comms);
void enc_tasks_tgid(struct enc *e, uint32_t nr, const uint32_t *pids,
		    const uint32_t *tgids, const char *const *comms);
/* Close the batch; nr_events_adj is added to the real count (corruption). */
void enc_batch_end(struct enc *e, int nr_events_adj);
void enc_cpu_end(struct enc *e, uint32_t cpu, uint32_t batches,
		 uint64_t events, uint64_t lost, uint64_t bytes);
void enc_end(struct enc *e, uint64_t stop_ns, uint64_t events, uint64_t lost,
	     uint64_t reader_skipped);
/* A record of any type with len bytes (zero payload). */
void enc_record(struct enc *e, uint32_t type, uint32_t len);

#endif /* GOTRACE_TEST_ENCODER_H */
