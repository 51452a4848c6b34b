/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the gotrace subcommands.
 */
#ifndef GOTRACE_COMMON_H
#define GOTRACE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <linux/gotrace.h>

#include "compiler.h"

#define GOTRACE_TOOL_VERSION	"0.1"

/* Exit statuses. */
#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_LOST	2	/* record: trace complete, events were lost */
#define EXIT_USAGE	2	/* a bad option, value or operand */

#define GT_PID_MAX	4194304	/* the kernel's PID_MAX_LIMIT (64-bit) */
#define EXIT_NOEXEC	127	/* record: COMMAND could not be executed */

__printf(1, 2)
void gt_err(const char *fmt, ...);
__printf(1, 2)
void gt_warn(const char *fmt, ...);

/* Open /dev/gotrace; print a clear error and return -1 on failure. */
int dev_open(int flags);
/* Print a clear error for a failed ioctl (errno) named what. */
void dev_ioctl_err(const char *what, int err);

int parse_size(const char *s, uint32_t *out);
int parse_groups(const char *s, uint64_t *out);
int parse_ulong(const char *s, const char *what, unsigned long min,
		unsigned long max, unsigned long *out);
int parse_seconds(const char *s, double *out);
/* A time since the trace start: seconds, or a number with ns, us, ms, s. */
int parse_trace_time(const char *s, const char *what, uint64_t *ns);

/* Start options common to "start" and "record". */
struct start_opts {
	uint64_t groups;
	uint32_t buffer_size;
	uint32_t flush_ms;
	int discard;
	int flight;			/* --flight: buffer_size is the ring */
	int buffer_set;			/* -b given */
	int stacks;
	uint64_t stack_events;
	uint32_t stack_depth;
	uint32_t filter_pid;
	uint32_t filter_flags;
	uint64_t *cpu_mask;
	uint32_t cpu_mask_size;		/* bytes */
	const struct gotrace_trigger *triggers;	/* flight's, or NULL */
	uint32_t nr_triggers;
};

void start_opts_free(struct start_opts *so);

/*
 * Option handlers shared by the commands (ids: opts.h): 1 if id was one
 * of theirs, 0 if not, -1 after a one-line error about its value.
 * start_opt(): GT_START_OPTS; filter_opt(): GT_FILTER_OPTS.
 */
int start_opt(struct start_opts *so, int id, const char *arg);
struct gt_filter;
int filter_opt(struct gt_filter *f, int id, const char *arg);
/* "0-3,6": add(ctx, first, last) for each range; -1 after an error */
int parse_cpu_list(const char *s, int (*add)(void *ctx, uint32_t first,
					     uint32_t last), void *ctx);
/* event names and groups -> bit per event type; -1 after an error */
int parse_event_list(const char *s, uint64_t *types);
int parse_groups_quiet(const char *s, uint64_t *out);
/* ioctl(GOTRACE_IOC_START); print a clear error, return 0 or -1. */
int start_trace(int fd, const struct start_opts *so);
void groups_str(uint64_t groups, char *buf, size_t size);
const char *tp_name(unsigned int tp);

/*
 * Append a SYMBOLS record for the stacks of the trace at path (nothing if
 * it has none).  0, or -1 after a warning.
 */
struct gt_reader;
int append_symbols(const char *path, size_t *nr_syms, size_t *nr_stacks);

/*
 * Source frame i of return address addr (LINES record), as
 * "func file:line", with " (inlined)" for all but the last; the number of
 * bytes written to buf (0: no such frame).
 */
size_t srcline_str(const struct gt_reader *r, uint64_t addr, int i, char *buf,
		   size_t size);

/*
 * Save the window of the flight recorder of the device open at fd to path
 * (GOTRACE_IOC_SNAPSHOT), appending the kernel symbols of its stacks
 * unless no_syms.  0 with *sn filled, or -1 after a one-line error.
 */
int snapshot_save(int fd, const char *path, int no_syms, int quiet,
		  struct gotrace_snapshot *sn);

/*
 * --trigger SPEC of 'gotrace flight': oom, alloc-fail[:ORDER],
 * reclaim:T, compaction:T, wakeup:T.  0 and *t filled, or -1 after a
 * one-line error (the groups a trigger needs: gt_trigger_groups()).
 */
int parse_trigger(const char *spec, struct gotrace_trigger *t);

int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_flight(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_symbolize(int argc, char **argv);

#endif /* GOTRACE_COMMON_H */
