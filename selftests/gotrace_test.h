/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the gotrace selftests: device access, whole-stream
 * reads, a background reader thread, an independent parser of the raw
 * record structure, CPU pinning and small workloads.
 *
 * Every helper returns 0 or a negative errno instead of asserting, so it
 * may run in any thread; the tests assert on the results.
 */
#ifndef GOTRACE_TEST_H
#define GOTRACE_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>

#include <linux/gotrace.h>
#include "gotrace_reader.h"

#define GTT_HDR_BYTES	(GOTRACE_MAGIC_LEN + sizeof(struct gotrace_header))

/* As kselftest.h's, for the helpers built without the harness. */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof((arr)[0]))
#endif

#ifdef SKIP
/*
 * The harness's SKIP() sets passed = 1, which would turn a test whose
 * EXPECT_*() already failed into "ok # SKIP".  This one skips only a test
 * that has not failed; a failed one stays failed (the statement runs in
 * both cases).  The rest is the harness's SKIP() (tools/testing/selftests
 * of 6.1, the headers every selftest is built with).  The reason is
 * formatted once, into the harness's reason (which it prints for a
 * skipped test only).
 */
#undef SKIP
#define SKIP(statement, fmt, ...) do {					\
	char *__why = _metadata->results->reason;			\
									\
	snprintf(__why, sizeof(_metadata->results->reason),		\
		 fmt, ##__VA_ARGS__);					\
	if (!_metadata->passed) {					\
		TH_LOG("not skipped, an expectation failed: %s", __why); \
		__why[0] = '\0';					\
	} else {							\
		if (TH_LOG_ENABLED)					\
			fprintf(TH_LOG_STREAM, "#      SKIP      %s\n",	\
				__why);					\
		_metadata->skip = 1;					\
		_metadata->trigger = 0;					\
	}								\
	statement;							\
} while (0)
#endif

/* Mask of the tracepoints (1 << GOTRACE_TP_*) of the event groups. */
uint64_t gtt_tp_mask(uint64_t groups);
#define GTT_TP_ALL_MASK	((1ULL << GOTRACE_TP_COUNT) - 1)

/* A growing in-memory copy of a stream. */
struct gtt_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* ---- device ---- */

int gtt_open(int flags);		/* fd or -errno */
int gtt_start(int fd, uint32_t flags, uint64_t groups, uint32_t buffer_size,
	      uint32_t flush_ms);	/* 0 or -errno */
int gtt_start_raw(int fd, const void *arg);
int gtt_stop(int fd, unsigned long flags);
int gtt_status(int fd, struct gotrace_status *st,
	       struct gotrace_cpu_stats *cpus, uint32_t cpu_len);
/* state of the device, or -errno */
int gtt_state(int fd);

/*
 * Brings the device to IDLE: stops a running trace and reads (discards)
 * whatever stream is pending.  0 when IDLE at the end, else -errno.
 */
int gtt_make_idle(void);

/*
 * A fixture that holds the device, in its FIXTURE_SETUP: the device IDLE
 * (nothing left of an earlier test) and self->fd open with flags.  In its
 * FIXTURE_TEARDOWN, GTT_DEVICE_TEARDOWN(): the fd closed, the device IDLE
 * again.
 */
#define GTT_DEVICE_SETUP(flags) do {					\
	ASSERT_EQ(0, gtt_make_idle()) {					\
		TH_LOG("cannot bring %s to IDLE", GOTRACE_DEVICE);	\
	}								\
	self->fd = gtt_open(flags);					\
	ASSERT_LE(0, self->fd);						\
} while (0)
#define GTT_DEVICE_TEARDOWN() do {					\
	if (self->fd >= 0)						\
		close(self->fd);					\
	gtt_make_idle();						\
} while (0)
/*
 * gtt_trace_start() and gtt_trace_stop() in a fixture with fd, bg, buf,
 * raw, rd and err.
 */
#define GTT_TRACE_START(s)						\
	ASSERT_EQ(0, gtt_trace_start(self->fd, (s), &self->bg))
#define GTT_TRACE_STOP() do {						\
	char *__err = self->err;					\
									\
	ASSERT_EQ(0, gtt_trace_stop(self->fd, &self->bg, &self->buf,	\
				&self->raw, &self->rd, __err,		\
				sizeof(self->err))) {			\
		TH_LOG("%s", __err);					\
	}								\
} while (0)

/* ---- reading ---- */

/*
 * One read() of up to count bytes appended to b.  Returns what read()
 * returned (bytes, 0 at EOF) or -errno.
 */
ssize_t gtt_read_once(int fd, struct gtt_buf *b, size_t count);

/*
 * Reads until EOF.  chunk > 0: read() sizes are chunk; chunk == 0: random
 * sizes among 1, 7, 13, 4096, 65536 and 1 MiB and anything in between.
 * Returns 0 or -errno (b keeps what was read).
 */
int gtt_read_all(int fd, struct gtt_buf *b, size_t chunk);
void gtt_buf_free(struct gtt_buf *b);
/*
 * The complete records of type in b after the header (stopping at the
 * first incomplete one); *end: the offset after the complete ones.
 */
unsigned int gtt_complete_recs(const struct gtt_buf *b, uint32_t type,
			       size_t *end);

/*
 * Reads what is readable without blocking (poll() says so) on a blocking
 * fd: right after START that is the records before the first batch
 * (HEADER, GFP_NAMES, TASKS, ...).  Returns the bytes read or -errno.
 */
ssize_t gtt_read_ready(int fd, struct gtt_buf *b);

/* A thread that reads a stream to EOF while a workload runs. */
struct gtt_bg {
	pthread_t thread;
	int fd;
	size_t chunk;
	struct gtt_buf buf;
	int err;
	bool running;
};

int gtt_bg_start(struct gtt_bg *bg, int fd, size_t chunk);
int gtt_bg_join(struct gtt_bg *bg);	/* the reader's result */

/* ---- raw record walk, independent of libgotrace ---- */

struct gtt_raw_cpu {
	uint32_t batches;		/* BATCH records seen */
	uint32_t first_seq;
	uint32_t next_seq;		/* expected seq of the next batch */
	uint32_t seq_gaps;
	uint64_t events;		/* sum of nr_events */
	uint64_t decoded;		/* events counted by decoding */
	uint64_t lost;			/* sum of batch lost */
	uint64_t bytes;			/* sum of batch rec.len */
	uint32_t lost_batches;		/* batches with lost > 0 */
	uint32_t window_seq;		/* WINDOW: its batches before the window */
	bool has_end;
	struct gotrace_cpu_end end;
};

struct gtt_raw {
	struct gotrace_header hdr;
	uint32_t nr_cpus;
	struct gtt_raw_cpu *cpu;	/* nr_cpus entries */
	uint32_t records;
	uint32_t batches;
	uint32_t cpu_ends;
	uint32_t start_records;		/* GFP_NAMES, TASKS */
	uint32_t stacks;		/* STACK records */
	uint32_t generations;		/* GENERATION records */
	uint32_t gen_batches;		/* batches of the open generation */
	uint32_t gen_stacks;		/* STACK records of the open one */
	uint32_t cgroups;		/* CGROUP records */
	uint32_t gen_cgroups;		/* CGROUP records of the open one */
	uint32_t unknown;		/* records of unknown types */
	bool snapshot;			/* a WINDOW record: a flight snapshot */
	struct gotrace_window window;
	bool has_end;
	struct gotrace_end end;
	uint64_t stream_len;
	char err[256];			/* first problem found */
};

/*
 * Checks the whole record structure of a complete stream: magic, header,
 * alignment and lengths, batch fields and seq numbers, encoded events of
 * every batch (count and padding), generations (each one's batches,
 * then its STACK records, then its GENERATION record, numbered from 1,
 * every batch in one), one CPU_END per CPU id after the batches, END last
 * with totals matching the CPU_ENDs.  Returns 0, or -1
 * with raw->err set.  raw must be freed with gtt_raw_free() in any case.
 */
int gtt_raw_parse(const void *buf, size_t len, struct gtt_raw *raw);
void gtt_raw_free(struct gtt_raw *raw);

/*
 * Consistency of a parsed stream when no batch was skipped: per CPU, the
 * batches, the sums of nr_events/bytes equal the CPU_END and the batch lost
 * sum does not exceed it.  Returns 0 or -1 with raw->err set.
 */
int gtt_raw_check_totals(struct gtt_raw *raw);

/*
 * Decodes every event with libgotrace: returns the number of events (COMM
 * included) or -1 with err set; checks that the merged order is by
 * non-decreasing timestamp and that each CPU's tracepoint events (COMM
 * excluded) count to the stream's CPU_END events.
 */
long gtt_lib_check(const void *buf, size_t len, char *err, size_t errlen);

/*
 * START with s (size set, flush_ms 50 unless given) and a background
 * reader; 0 or -errno.  gtt_trace_stop(): STOP, read to the end, parse the
 * records into raw and open a libgotrace reader on them; 0, or -1 with
 * err set.
 */
int gtt_trace_start(int fd, struct gotrace_start *s, struct gtt_bg *bg);
int gtt_trace_stop(int fd, struct gtt_bg *bg, struct gtt_buf *buf,
		   struct gtt_raw *raw, struct gt_reader **rd, char *err,
		   size_t errlen);

/* ---- misc ---- */

uint64_t gtt_now_ns(void);		/* CLOCK_MONOTONIC */
int gtt_pin_cpu(pid_t pid, int cpu);	/* 0 or -errno */
int gtt_online_cpus(int *cpus, int max);	/* allowed CPUs of this task */
/* pfn of the page at addr from /proc/self/pagemap; 0: unknown */
uint64_t gtt_pagemap_pfn(int pagemap_fd, const void *addr);
/*
 * n round trips of one byte through two pipes between this process and a
 * child, both pinned to cpu (cpu < 0: not pinned).  *child gets the
 * child's pid, *t0 and *t1 the time just before the first and after the last
 * round trip.  0 or -errno.
 */
int gtt_pingpong(int n, int cpu, pid_t *child, uint64_t *t0, uint64_t *t1);
/* Touches n fresh anonymous pages, one write each; returns the mapping. */
void *gtt_touch_pages(size_t n);
/*
 * Every CPU's LRU folio batches hold a reference on the pages last faulted
 * in there (mm/swap.c), so munmap() frees those pages only when the batch
 * drains, possibly after the trace stopped.  This drains them all now
 * (migrate_pages(2) from node 0 to itself).  0 or -errno.
 */
int gtt_drain_lru(void);
void gtt_msleep(unsigned int ms);
/* Writes s to the file at path: 0 or -errno. */
int gtt_write_str(const char *path, const char *s);

/* ---- cgroup v2 and OOM kills ---- */

/* The cgroup2 root: /sys/fs/cgroup, or a private mount of it. */
extern char gtt_cg_root[64];
int gtt_cg2_mount(void);	/* 0 or -errno */
void gtt_cg2_umount(void);	/* unmounts a private mount */
/*
 * Takes the kernel log (read and clear) and writes it back through
 * /dev/kmsg without the "Call Trace:" line of each OOM report (the stack
 * dump of "... invoked oom-killer"), so that the suite's check of the log
 * after the test still sees everything else.  Returns the OOM reports
 * seen, -1 on error.
 */
int gtt_klog_drop_oom_traces(void);
/*
 * A child in cgroup dir (its cgroup.procs) with oom_score_adj 1000 that
 * touches 4 x limit bytes of anonymous memory page by page (no THP: an
 * allocation event per 4 KiB), so that a memory.max of limit kills it.
 * Its pid, or -1.  It exits 0 if it was not killed.
 */
pid_t gtt_oom_hog(const char *dir, size_t limit);

/* ---- kallsyms of the guest (text symbols) ---- */

/* Loads /proc/kallsyms once; the number of symbols with an address. */
size_t gtt_ksyms_load(void);
/* The symbol at or before addr, NULL below the first; or none. */
const char *gtt_ksym_name(uint64_t addr);
const char *gtt_ksym_name_or(uint64_t addr, const char *none);

#endif /* GOTRACE_TEST_H */
