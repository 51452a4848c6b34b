// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of the fuzz targets (fuzz_reader.c) into DIR:
 * small synthetic streams made with the test encoder, covering every
 * record type and event type, and PACKED copies of them.  Run by
 * scripts/fuzz.sh --seeds; the
 * result is kept in userspace/tests/corpus/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoder.h"

#define A(...)	((const uint64_t[]){ __VA_ARGS__ })

static int save(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Two CPUs, every sched and page event, a lost count, COMM, contexts. */
static void build_events(struct enc *e)
{
	enc_init(e, 2, 1000);
	enc_batch_begin(e, 0, 0, 2000, 0);
	enc_event(e, GOTRACE_EV_COMM, 0, 2000, A(10), "sh");
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 2001, A(10, 120, 1, 0, 120),
		  NULL);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP, GOTRACE_CTX_HARDIRQ, 2002,
		  A(10, 120, 0), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 2003,
		  A(0x4000, 0, 0xcc0, 1, 10), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, GOTRACE_CTX_SOFTIRQ, 2004,
		  A(~0ULL, 3, 0x2dc2, 0, 10), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE, 0, 2005, A(0x3fff, 0, 10), NULL);
	enc_event(e, GOTRACE_EV_SCHED_PROCESS_EXEC, 0, 2006, A(10, 10),
		  "/bin/busybox");
	enc_batch_end(e, 0);
	enc_batch_begin(e, 1, 0, 2000, 7);
	enc_event(e, GOTRACE_EV_SCHED_PROCESS_FORK, 0, 2010, A(10, 11, 11),
		  NULL);
	enc_event(e, GOTRACE_EV_SCHED_WAKEUP_NEW, 0, 2011, A(11, 120, 1), NULL);
	enc_event(e, GOTRACE_EV_SCHED_MIGRATE_TASK, 0, 2012, A(11, 120, 1, 0),
		  NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE_BATCHED, 0, 2013, A(0x5000, 11),
		  NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_PCPU_DRAIN, 0, 2014,
		  A(0x5001, 0, 1, 11), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG, 0, 2015,
		  A(0x6000, 0, 2, 1, 0, 11), NULL);
	enc_event(e, GOTRACE_EV_SCHED_SWITCH, 0, 2016,
		  A(11, 120, GOTRACE_STATE_PREEMPTED, 0, 120), NULL);
	enc_event(e, GOTRACE_EV_SCHED_PROCESS_EXIT, 0, 2017, A(11, 120, 0),
		  NULL);
	enc_batch_end(e, 0);
	enc_cpu_end(e, 0, 1, 6, 0, 0);
	enc_cpu_end(e, 1, 1, 8, 7, 0);
	enc_end(e, 3000, 14, 7, 0);
}

/* GFP_NAMES, ZONES, TASKS, stacks, reclaim/compaction, STACK, SYMBOLS, LINES. */
static void build_ext(struct enc *e)
{
	static const uint32_t pids[] = { 1, 42 };
	static const char *const comms[] = { "init", "kswapd0" };
	struct gotrace_gfp_names gh = {
		.rec = { GOTRACE_REC_GFP_NAMES, sizeof(gh) + 2 * 40 },
		.nr = 2,
	};
	struct gotrace_gfp_name g[2] = {
		{ 0xcc0, "GFP_KERNEL" }, { 0x100, "__GFP_ZERO" },
	};
	struct gotrace_stack st = {
		.rec = { GOTRACE_REC_STACK, sizeof(st) + 3 * 8 },
		.id = 1, .nr = 3,
	};
	const uint64_t frames[3] = {
		0xffffffff81001000ULL, 0xffffffff81002008ULL, 0xffffffffc0001000ULL,
	};
	static const uint8_t ent[] = {
		0x00, 0x10, 0x00, 0x81, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x10, 0, 0, 5, 0, 0, 0,
		'a', 'l', 'l', 'o', 'c', 0, 0, 0,
		0x00, 0x10, 0x00, 0xc0, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x01, 0, 0, 2, 0, 3, 0,
		'f', 'n', 'm', 'o', 'd', 0, 0, 0,
	};
	struct gotrace_symbols sy = {
		.rec = { GOTRACE_REC_SYMBOLS, sizeof(sy) + sizeof(ent) },
		.nr = 2,
	};
	/* LINES: { addr, line, func_len, file_len } + names, two frames */
	static const uint8_t lent[] = {
		0x08, 0x10, 0x00, 0x81, 0xff, 0xff, 0xff, 0xff,
		7, 0, 0, 0, 2, 0, 3, 0,
		'i', 'n', 'a', '.', 'c', 0, 0, 0,
		0x08, 0x10, 0x00, 0x81, 0xff, 0xff, 0xff, 0xff,
		9, 0, 0, 0, 5, 0, 3, 0,
		'a', 'l', 'l', 'o', 'c', 'b', '.', 'c',
	};
	struct gotrace_zones zh = {
		.rec = { GOTRACE_REC_ZONES, sizeof(zh) + 2 * 48 },
		.nr = 2,
	};
	static const struct gotrace_zone zones[2] = {
		{ 0x1000, 0x4000, 0x3000, 0, 1, "DMA32" },
		{ 0x4000, 0x40000, 0x3c000, 1, 2, "Normal" },
	};
	struct gotrace_lines ln = {
		.rec = { GOTRACE_REC_LINES, sizeof(ln) + sizeof(lent) },
		.nr = 2,
	};

	enc_init(e, 1, 0);
	enc_set_stack_events(e, 1ULL << GOTRACE_EV_MM_PAGE_ALLOC |
			     1ULL << GOTRACE_EV_MM_COMPACTION_END);
	enc_bytes(e, &gh, sizeof(gh));
	enc_bytes(e, g, sizeof(g));
	enc_bytes(e, &zh, sizeof(zh));
	enc_bytes(e, zones, sizeof(zones));
	enc_tasks(e, 2, pids, comms);
	enc_batch_begin(e, 0, 0, 100, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 100,
			A(0x1000, 0, 0xdc0, 1, 1), NULL, 1);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0, 101,
		  A(0, 0xcc0, 1), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 0, 102,
		  A(12, 1), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE, 0, 103, A(0, 1, 2),
		  NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP, 0, 104, A(0), NULL);
	enc_event(e, GOTRACE_EV_MM_COMPACTION_BEGIN, 0, 105,
		  A(0x1000, 0x40000, 0, 42), NULL);
	enc_event_stack(e, GOTRACE_EV_MM_COMPACTION_END, 0, 106,
			A(0x1000, 0x40000, 0, 2, 42), NULL, 1);
	enc_batch_end(e, 0);
	enc_bytes(e, &st, sizeof(st));
	enc_bytes(e, frames, sizeof(frames));
	enc_cpu_end(e, 0, 1, 7, 0, 0);
	enc_end(e, 200, 7, 0, 0);
	enc_bytes(e, &sy, sizeof(sy));
	enc_bytes(e, ent, sizeof(ent));
	enc_bytes(e, &ln, sizeof(ln));
	enc_bytes(e, lent, sizeof(lent));
}

/*
 * A flight recorder's snapshot with triggers: WINDOW, TRIGGERS (an oom and
 * a reclaim trigger, both fired) and the events that fired them.
 */
static void build_triggers(struct enc *e)
{
	struct {
		struct gotrace_window w;
		uint32_t first_seq[2];
	} win = {
		.w = {
			.rec = { GOTRACE_REC_WINDOW, sizeof(win) },
			.nr_cpus = 2, .start_ns = 100, .snapshot_ns = 300,
			.overwritten_batches = 3, .overwritten_events = 9,
		},
		.first_seq = { 3, 0 },
	};
	struct {
		struct gotrace_triggers_rec h;
		struct gotrace_trigger t[2];
		struct gotrace_fired f[2];
	} trig = {
		.h = {
			.rec = { GOTRACE_REC_TRIGGERS, sizeof(trig) },
			.nr_triggers = 2, .nr_fired = 2, .fired = 5,
		},
		.t = {
			{ .kind = GOTRACE_TRIGGER_OOM },
			{ .kind = GOTRACE_TRIGGER_RECLAIM, .value = 50 },
		},
		.f = {
			{ .seq = 4, .ts = 160, .value = 60,
			  .kind = GOTRACE_TRIGGER_RECLAIM, .index = 1,
			  .cpu = 1, .pid = 7,
			  .event = GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END },
			{ .seq = 5, .ts = 200, .kind = GOTRACE_TRIGGER_OOM,
			  .cpu = 0, .pid = 7,
			  .event = GOTRACE_EV_MARK_VICTIM },
		},
	};

	enc_init(e, 2, 0);
	enc_bytes(e, &win, sizeof(win));
	enc_bytes(e, &trig, sizeof(trig));
	enc_batch_begin(e, 1, 0, 100, 0);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, 0, 100,
		  A(0, 0xcc0, 7), NULL);
	enc_event(e, GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END, 0, 160,
		  A(3, 7), NULL);
	enc_batch_end(e, 0);
	enc_batch_begin(e, 0, 3, 150, 0);
	enc_event(e, GOTRACE_EV_MARK_VICTIM, 0, 200,
		  A(7, 4000, 3000, 20, 0, 1000, 12, 0), NULL);
	enc_batch_end(e, 0);
	enc_cpu_end(e, 0, 4, 1, 0, 0);
	enc_cpu_end(e, 1, 1, 2, 0, 0);
	enc_end(e, 300, 3, 0, 0);
}

/* The stream of e with each BATCH record replaced by a PACKED one. */
static int save_packed(const char *dir, const char *name, const struct enc *e)
{
	struct gt_pack_ctx *pc = gt_pack_new(GT_PACK_LEVEL);
	size_t i, len, plen, n = GOTRACE_MAGIC_LEN, cap = e->len * 2 + 4096;
	uint8_t *out = malloc(cap);
	struct gotrace_record r;
	int ret = -1;

	if (!pc || !out)
		goto out;
	memcpy(out, e->buf, GOTRACE_MAGIC_LEN);
	for (i = 0; i <= e->nr_bounds; i++) {
		size_t start = i ? e->bounds[i - 1] : GOTRACE_MAGIC_LEN;
		size_t end = i < e->nr_bounds ? e->bounds[i] : e->len;

		len = end - start;
		memset(&r, 0, sizeof(r));
		if (len >= sizeof(r))
			memcpy(&r, e->buf + start, sizeof(r));
		if (r.type == GOTRACE_REC_BATCH && gt_pack_bound(len) <= cap - n &&
		    !gt_pack_batch(pc, e->stack_events, e->buf + start, len,
				   out + n, cap - n, &plen)) {
			n += plen;
			continue;
		}
		memcpy(out + n, e->buf + start, len);
		n += len;
	}
	ret = save(dir, name, out, n);
out:
	free(out);
	gt_pack_free(pc);
	return ret;
}

int main(int argc, char **argv)
{
	struct enc e;
	int ret = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	enc_init(&e, 1, 0);
	enc_cpu_end(&e, 0, 0, 0, 0, 0);
	enc_end(&e, 1, 0, 0, 0);
	ret |= save(argv[1], "empty.trace", e.buf, e.len);
	enc_free(&e);

	build_events(&e);
	ret |= save(argv[1], "events.trace", e.buf, e.len);
	ret |= save_packed(argv[1], "events-packed.trace", &e);
	/* cut inside the second batch: a recorder that died */
	ret |= save(argv[1], "cut.trace", e.buf, e.len * 2 / 3);
	enc_free(&e);

	build_ext(&e);
	ret |= save(argv[1], "ext.trace", e.buf, e.len);
	ret |= save_packed(argv[1], "ext-packed.trace", &e);
	enc_free(&e);

	build_triggers(&e);
	ret |= save(argv[1], "triggers.trace", e.buf, e.len);
	enc_free(&e);
	return ret ? 1 : 0;
}
