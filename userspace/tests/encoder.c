// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only encoder of synthetic gotrace streams.  It writes what the uapi
 * header describes, independently of the reader, and remembers every event
 * it wrote so that tests can compare.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoder.h"

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

void enc_bytes(struct enc *e, const void *p, size_t n)
{
	if (e->len + n > e->cap) {
		while (e->len + n > e->cap)
			e->cap = e->cap ? e->cap * 2 : 4096;
		e->buf = xrealloc(e->buf, e->cap);
	}
	memcpy(e->buf + e->len, p, n);
	e->len += n;
}

void enc_varint(struct enc *e, uint64_t v)
{
	uint8_t b;

	while (v >= 0x80) {
		b = (uint8_t)(v | 0x80);
		enc_bytes(e, &b, 1);
		v >>= 7;
	}
	b = (uint8_t)v;
	enc_bytes(e, &b, 1);
}

static void enc_pad(struct enc *e)
{
	static const uint8_t zero[8];

	if (e->len % 8)
		enc_bytes(e, zero, 8 - e->len % 8);
}

static void add_bound(struct enc *e)
{
	if (e->nr_bounds == e->cap_bounds) {
		e->cap_bounds = e->cap_bounds ? e->cap_bounds * 2 : 64;
		e->bounds = xrealloc(e->bounds,
				     e->cap_bounds * sizeof(*e->bounds));
	}
	e->bounds[e->nr_bounds++] = e->len;
}

void enc_init(struct enc *e, uint32_t nr_cpus, uint64_t start_ns)
{
	struct gotrace_header h;

	memset(e, 0, sizeof(*e));
	e->nr_cpus = nr_cpus;
	enc_bytes(e, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN);
	memset(&h, 0, sizeof(h));
	h.rec.type = GOTRACE_REC_HEADER;
	h.rec.len = sizeof(h);
	h.version = GOTRACE_VERSION;
	e->version = GOTRACE_VERSION;
	h.nr_cpus = nr_cpus;
	h.clock = GOTRACE_CLOCK_MONO;
	h.page_size = 4096;
	h.start_ns = start_ns;
	h.start_realtime_ns = 1700000000000000000ULL;
	h.trace_id = 7;
	h.groups = GOTRACE_GROUP_ALL;
	h.buffer_size = 4 << 20;
	h.batch_size = 64 << 10;
	h.flush_ms = 1000;
	strcpy(h.release, "6.1.0-test");
	strcpy(h.machine, "x86_64");
	enc_bytes(e, &h, sizeof(h));
	add_bound(e);
}

void enc_free(struct enc *e)
{
	free(e->buf);
	free(e->exp);
	free(e->bounds);
	memset(e, 0, sizeof(*e));
}

void enc_batch_begin(struct enc *e, uint32_t cpu, uint32_t seq,
		     uint64_t base_ts, uint64_t lost)
{
	struct gotrace_batch b;

	memset(&b, 0, sizeof(b));
	b.rec.type = GOTRACE_REC_BATCH;
	b.cpu = cpu;
	b.seq = seq;
	b.base_ts = base_ts;
	b.lost = lost;
	b.flags = lost ? GOTRACE_BATCH_LOST : 0;
	e->batch_off = e->len;
	e->cpu = cpu;
	e->last_ts = base_ts;
	e->last_pfn = 0;
	e->last_next_pid = ~0ULL;
	e->nr_events = 0;
	e->batch_first = e->nr_exp;
	enc_bytes(e, &b, sizeof(b));
}

/* Numeric arguments, from the uapi schema (not from the library). */
#define ENC_NARG_(name, kind)	+ (GOTRACE_ARG_##kind != GOTRACE_ARG_STRING)
#define ENC_NARGS_(N, n, id, sys, grp, args)				\
	[GOTRACE_EV_##N] = 0 args,
static const unsigned int nargs_of[GOTRACE_EV_COUNT] = {
	[GOTRACE_EV_COMM] = 1,
	[GOTRACE_EV_TASK_CGROUP] = 2,
	GOTRACE_EVENTS(ENC_NARGS_, ENC_NARG_)
};

void enc_set_version(struct enc *e, uint32_t version)
{
	size_t off = GOTRACE_MAGIC_LEN +
		     offsetof(struct gotrace_header, version);

	e->version = version;
	memcpy(e->buf + off, &version, sizeof(version));
}

void enc_set_stack_events(struct enc *e, uint64_t mask)
{
	size_t off = GOTRACE_MAGIC_LEN +
		     offsetof(struct gotrace_header, stack_events);

	e->stack_events = mask;
	memcpy(e->buf + off, &mask, sizeof(mask));
}

void enc_tasks(struct enc *e, uint32_t nr, const uint32_t *pids,
	       const char *const *comms)
{
	enc_tasks_tgid(e, nr, pids, NULL, comms);
}

void enc_tasks_tgid(struct enc *e, uint32_t nr, const uint32_t *pids,
		    const uint32_t *tgids, const char *const *comms)
{
	struct gotrace_tasks th;
	struct gotrace_task t;
	uint32_t i;

	memset(&th, 0, sizeof(th));
	th.rec.type = GOTRACE_REC_TASKS;
	th.rec.len = sizeof(th) + nr * sizeof(t);
	th.nr = nr;
	enc_bytes(e, &th, sizeof(th));
	for (i = 0; i < nr; i++) {
		memset(&t, 0, sizeof(t));
		t.pid = pids[i];
		t.tgid = tgids ? tgids[i] : pids[i];
		t.prio = 120;
		memcpy(t.comm, comms[i], strnlen(comms[i], sizeof(t.comm)));
		enc_bytes(e, &t, sizeof(t));
	}
	enc_pad(e);
	add_bound(e);
}

void enc_event(struct enc *e, unsigned int type, unsigned int ctx,
	       uint64_t ts, const uint64_t *args, const char *str)
{
	enc_event_stack(e, type, ctx, ts, args, str, 0);
}

void enc_event_stack(struct enc *e, unsigned int type, unsigned int ctx,
		     uint64_t ts, const uint64_t *args, const char *str,
		     uint32_t stack_id)
{
	struct exp_event *x;
	unsigned int i, n = nargs_of[type];
	uint8_t b = (uint8_t)(type | ctx << GOTRACE_EV_CTX_SHIFT);

	enc_bytes(e, &b, 1);
	enc_varint(e, ts - e->last_ts);
	e->last_ts = ts;
	for (i = 0; i < n; i++) {
		if (i == 0 && type >= GOTRACE_EV_MM_PAGE_ALLOC &&
		    type <= GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG) {
			int64_t d = (int64_t)(args[0] - e->last_pfn);

			e->last_pfn = args[0];
			enc_varint(e, ((uint64_t)d << 1) ^
				   (uint64_t)(d >> 63));
		} else if (i == 0 && type == GOTRACE_EV_SCHED_SWITCH &&
			   e->version >= 4) {
			enc_varint(e, args[0] == e->last_next_pid ?
				   GOTRACE_PREV_PID_SAME : args[0] + 1);
			e->last_next_pid = args[3];
		} else {
			enc_varint(e, args[i]);
		}
	}
	if (str) {
		enc_varint(e, strlen(str));
		enc_bytes(e, str, strlen(str));
	}
	if (e->stack_events & (1ULL << type))
		enc_varint(e, stack_id);
	if (!GOTRACE_EV_IS_META(type))
		e->nr_events++;

	if (e->nr_exp == e->cap_exp) {
		e->cap_exp = e->cap_exp ? e->cap_exp * 2 : 256;
		e->exp = xrealloc(e->exp, e->cap_exp * sizeof(*e->exp));
	}
	x = &e->exp[e->nr_exp++];
	memset(x, 0, sizeof(*x));
	x->ev.ts = ts;
	x->ev.cpu = e->cpu;
	x->ev.type = type;
	x->ev.ctx = ctx;
	x->ev.nargs = n;
	x->ev.stack_id = stack_id;
	for (i = 0; i < n; i++)
		x->ev.args[i] = args[i];
	if (str) {
		snprintf(x->str, sizeof(x->str), "%s", str);
		x->ev.str_len = strlen(str);
	}
}

void enc_batch_end(struct enc *e, int nr_events_adj)
{
	struct gotrace_batch b;
	size_t i;

	enc_pad(e);
	memcpy(&b, e->buf + e->batch_off, sizeof(b));
	b.rec.len = e->len - e->batch_off;
	b.nr_events = e->nr_events + nr_events_adj;
	memcpy(e->buf + e->batch_off, &b, sizeof(b));
	for (i = e->batch_first; i < e->nr_exp; i++)
		e->exp[i].rec_end = e->len;
	add_bound(e);
}

void enc_cpu_end(struct enc *e, uint32_t cpu, uint32_t batches,
		 uint64_t events, uint64_t lost, uint64_t bytes)
{
	struct gotrace_cpu_end c;

	memset(&c, 0, sizeof(c));
	c.rec.type = GOTRACE_REC_CPU_END;
	c.rec.len = sizeof(c);
	c.cpu = cpu;
	c.batches = batches;
	c.events = events;
	c.lost = lost;
	c.bytes = bytes;
	enc_bytes(e, &c, sizeof(c));
	add_bound(e);
}

void enc_end(struct enc *e, uint64_t stop_ns, uint64_t events, uint64_t lost,
	     uint64_t reader_skipped)
{
	struct gotrace_end r;

	memset(&r, 0, sizeof(r));
	r.rec.type = GOTRACE_REC_END;
	r.rec.len = sizeof(r);
	r.nr_cpus = e->nr_cpus;
	r.stop_ns = stop_ns;
	r.events = events;
	r.lost = lost;
	r.reader_skipped = reader_skipped;
	enc_bytes(e, &r, sizeof(r));
	add_bound(e);
}

void enc_record(struct enc *e, uint32_t type, uint32_t len)
{
	struct gotrace_record r = { .type = type, .len = len };
	static const uint8_t zero[64];
	size_t n = len > sizeof(r) ? len - sizeof(r) : 0;

	enc_bytes(e, &r, sizeof(r));
	while (n) {
		size_t k = n < sizeof(zero) ? n : sizeof(zero);

		enc_bytes(e, zero, k);
		n -= k;
	}
	add_bound(e);
}
