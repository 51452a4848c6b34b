/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal definitions of the gotrace reader library.
 */
#ifndef GOTRACE_INTERNAL_H
#define GOTRACE_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>

#include "gotrace_reader.h"

#include "compiler.h"

#define GT_ERR_LEN	256
#define GT_STR_MAX	(GOTRACE_FILENAME_MAX + 1)
#define GT_MAX_CPUS	(1U << 16)
/* Largest BATCH a PACKED record may unpack to (the device's are <= 64 KiB). */
#define GT_PACKED_BATCH_MAX	(64U << 20)
/* Oldest format version read (events are encoded alike since then). */
#define GT_VERSION_MIN		2

/* One BATCH (or PACKED) record in the stream. */
struct gt_batch_ref {
	uint64_t off;		/* of the record */
	uint32_t len;		/* rec.len */
	uint32_t seq;
	uint32_t raw_len;	/* of the BATCH record (unpacked) */
	uint32_t packed;	/* a PACKED record */
	uint32_t gen;		/* its generation (0: version 2) */
	uint64_t base_ts;
	uint64_t lost;		/* gotrace_batch.lost */
};

/* Decoding position inside the batches of one CPU. */
/* gt_cursor.next_pid before the batch's first sched_switch. */
#define GT_NO_NEXT_PID		UINT64_MAX

struct gt_cursor {
	uint32_t cpu;
	size_t next;			/* next batch of the CPU to load */
	struct gt_batch_ref *cur;	/* batch being decoded, NULL if none */
	const uint8_t *start;		/* payload of the current batch */
	const uint8_t *p;
	const uint8_t *end;
	uint8_t *buf;			/* file input: copy of the batch */
	size_t buf_size;
	uint8_t *zbuf;			/* file input: the PACKED record */
	size_t zbuf_size;
	uint64_t ts;
	uint64_t pfn;
	uint64_t next_pid;	/* of the batch's last sched_switch (v4) */
	uint32_t nr_events;
	uint32_t seen;
	int err;			/* decoding failed: report at ts */
	char *errmsg;
	/* next event of this CPU, decoded ahead */
	struct gt_event ev;
	const uint8_t *str;		/* raw bytes of ev's string */
};

/* A STACK record. */
struct gt_stack_ref {
	uint32_t id;
	uint32_t nr;		/* frames */
	uint64_t off;		/* of the frames */
};

/* A SYMBOLS entry; name and module are offsets in the string pool. */
struct gt_sym {
	uint64_t addr;
	uint32_t size;
	uint32_t name;
	uint32_t module;	/* GT_NO_MODULE: vmlinux */
};

#define GT_NO_MODULE	UINT32_MAX

/* A LINES entry; func and file are offsets in the lines' string pool. */
struct gt_line {
	uint64_t addr;
	uint32_t line;
	uint32_t func;
	uint32_t file;
};

struct gt_cpu_index {
	struct gt_batch_ref *b;
	size_t nr;
	size_t cap;
	uint32_t next_seq;
	uint64_t bytes_seen;
};

/* The head of an entry of a gt_pid_table. */
struct gt_pid_ent {
	uint32_t pid;
	uint32_t used;
};

/* pid -> entry of ent_size bytes (pidtable.c). */
struct gt_pid_table {
	unsigned char *ent;
	size_t ent_size;
	size_t size;		/* entries, a power of 2 */
	size_t used;
};

struct gt_comm_ent {
	struct gt_pid_ent head;
	char comm[GOTRACE_COMM_LEN + 1];
};

struct gt_task_cgroup {
	struct gt_pid_ent head;
	uint64_t id;
};

struct gt_reader {
	int fd;			/* -1 for memory input */
	const uint8_t *mem;
	uint64_t size;

	struct gotrace_header hdr;
	uint32_t nr_cpus;
	struct gt_cpu_index *idx;
	struct gt_cpu_summary *cpus;
	struct gt_summary sum;

	struct gt_cursor *cur;
	struct gt_cursor **heap;
	size_t heap_nr;
	int primed;

	uint32_t gen_open;	/* index pass: generation of the next batch */
	int scan_err;		/* error found by the index pass, 0 if none */
	char scan_msg[GT_ERR_LEN];
	int err;		/* sticky error */

	struct gt_loss *losses;	/* gt_losses(), built on first call */
	long nr_losses;

	struct gt_stack_ref *stacks;
	size_t nr_stacks;
	size_t cap_stacks;
	uint64_t *frames;
	size_t cap_frames;
	struct gt_sym *syms;
	size_t nr_syms;
	char *sympool;
	struct gotrace_zone *zones;	/* ZONES entries */
	size_t nr_zones;
	struct gt_line *lines;
	size_t nr_lines;
	char *linepool;

	struct gotrace_gfp_name *gfp;	/* GFP_NAMES entries */
	uint32_t nr_gfp;

	struct gt_unpack_ctx *unpack;	/* made at the first PACKED record */

	struct gotrace_task *tasks;	/* TASKS entries, sorted by pid */
	size_t nr_tasks;

	struct gt_pid_table comms;	/* struct gt_comm_ent */
	struct gt_cgroup *cgroups;	/* CGROUP records, sorted by id */
	size_t nr_cgroups;
	size_t cap_cgroups;
	struct gt_pid_table task_cgroups;	/* struct gt_task_cgroup */
	/* TRIGGERS record */
	int has_triggers;
	struct gotrace_trigger *triggers;
	uint32_t nr_triggers;
	uint32_t nr_fired;
	struct gotrace_fired *fired;		/* oldest first */
	struct gotrace_fired *fired_sorted;	/* by (ts, cpu, event) */
	uint64_t fired_total;
	char trig_err[GT_ERR_LEN];
	char str[GT_STR_MAX + 1];
	char errmsg[GT_ERR_LEN];
};

/* reader.c */
__printf(2, 3)
void gt_set_error(struct gt_reader *r, const char *fmt, ...);

__printf(2, 3)
void gt_cursor_error(struct gt_cursor *c, const char *fmt, ...);

/* index.c */
int gt_read_at(struct gt_reader *r, uint64_t off, void *buf, size_t len);
int gt_reader_init(struct gt_reader *r, const char *name, char *msg,
		   size_t msglen);
int gt_stack_cmp(const void *a, const void *b);

/* symbols.c */
int gt_load_symbols(struct gt_reader *r, uint64_t off, uint32_t len);
int gt_load_lines(struct gt_reader *r, uint64_t off, uint32_t len);

/* decode.c */
int gt_cursor_decode(struct gt_reader *r, struct gt_cursor *c);

/*
 * pidtable.c: pid's entry, added (zeroed after its head) if it had none;
 * NULL: no memory.  gt_pid_get(): NULL if pid has none.
 */
void *gt_pid_add(struct gt_pid_table *t, uint32_t pid, size_t ent_size);
void *gt_pid_get(const struct gt_pid_table *t, uint32_t pid);
void gt_pid_free(struct gt_pid_table *t);

/* comm.c */
int gt_comm_set(struct gt_pid_table *t, uint32_t pid, const char *comm,
		size_t len);
const char *gt_comm_get(const struct gt_pid_table *t, uint32_t pid);

/* cgroups.c */
int gt_scan_cgroup(struct gt_reader *r, const struct gotrace_cgroup *c,
		   uint64_t off, uint32_t len);
void gt_cgroups_finish(struct gt_reader *r);
int gt_cgroups_follow(struct gt_reader *r, const struct gt_event *ev);
void gt_cgroups_free(struct gt_reader *r);

/* triggers.c: 0, or -ENOMEM/-EIO (a bad record sets trig_err) */
int gt_scan_triggers(struct gt_reader *r, uint64_t off, uint32_t len);
void gt_triggers_short(struct gt_reader *r, uint64_t off, uint32_t len);
void gt_triggers_free(struct gt_reader *r);

/* names.c */
const char *gt_record_name(uint32_t type);
/* The fixed part of a record of this type (version 2 is the shortest). */
size_t gt_record_min_len(uint32_t type);

#endif /* GOTRACE_INTERNAL_H */
