/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command-line grammar of every gotrace command: one catalogue of
 * options (a letter, a long name and a meaning each, the same in every
 * command that takes it), one option table per command naming the ones
 * it takes, one parser (getopt_long) and one help printer.
 */
#ifndef GOTRACE_OPTS_H
#define GOTRACE_OPTS_H

#include <stdint.h>
#include <stdio.h>

#include "common.h"

/* The catalogue (opts.c); a command's table lists some of these. */
enum gt_opt_id {
	GO_END = 0,
	GO_HELP,
	GO_OUTPUT,
	GO_QUIET,
	GO_JSON,
	GO_TOP,
	/* which events a trace reader looks at (struct gt_filter) */
	GO_FROM,
	GO_TO,
	GO_PID,
	GO_CPU,
	GO_EVENT,
	/* what the device traces (struct start_opts) */
	GO_GROUPS,
	GO_BUFFER_SIZE,
	GO_FLUSH_MS,
	GO_STACKS_AT,
	GO_STACK_DEPTH,
	GO_TID,
	GO_DISCARD,
	GO_FLIGHT,
	/* the other commands' own */
	GO_DURATION,
	GO_COMMAND_ONLY,
	GO_NO_SYMBOLS,
	GO_NO_PACK,
	GO_NO_SPLICE,
	GO_PACK_LEVEL,
	GO_UNPACK,
	GO_FORMAT,
	GO_INTERVAL,
	GO_SAMPLE,
	GO_ALLOCS,
	GO_NO_ALLOCS,
	GO_VALUE,
	GO_KALLSYMS,
	GO_SYSTEM_MAP,
	GO_VMLINUX,
	GO_MAX_OFFSET,
	GO_FORCE,
	GO_BUCKET_MS,
	GO_WAIT,
	GO_RAW,
	GO_GFP_NAMES,
	GO_STACKS,
	GO_COUNT,
	GO_BY,
	GO_OLDER,
	GO_RELATIVE,
	GO_GFP_HEX,
	GO_OUTPUT_DIR,
	GO_TRIGGER,
	GO_AFTER,
	GO_MAX,
	GO_COOLDOWN,
	GO_NR,
};

/* How a default is printed in the help. */
enum gt_def_kind {
	GT_DEF_NONE,
	GT_DEF_NUM,
	GT_DEF_SIZE,		/* bytes: 4M, 64K */
};

/* A command's use of a catalogue option. */
struct gt_cmdopt {
	enum gt_opt_id id;
	const char *help;	/* NULL: the catalogue's */
	enum gt_def_kind def_kind; /* GT_DEF_NONE: the catalogue's */
	uint64_t def;
};

#define GT_CMD_POSIX	1	/* options end at the first non-option */

struct gt_cmdspec {
	const char *name;	/* "stats" */
	const char *synopsis;	/* after "gotrace NAME ": "[OPTIONS] FILE" */
	const char *about;	/* a paragraph, lines ending in \n */
	const struct gt_cmdopt *opts;	/* ends with GO_END */
	const char *notes;	/* after the options, or NULL */
	unsigned int flags;
};

/* The filters of the commands that read a trace (struct gt_filter). */
#define GT_FILTER_OPTS	\
	{ GO_FROM }, { GO_TO }, { GO_PID }, { GO_CPU }, { GO_EVENT }

/* What start and record ask the device to trace (struct start_opts). */
#define GT_START_OPTS							\
	{ GO_GROUPS }, { GO_BUFFER_SIZE }, { GO_FLUSH_MS },		\
	{ GO_STACKS_AT }, { GO_STACK_DEPTH },				\
	{ GO_PID, "only process PID and its descendants" },		\
	{ GO_TID }, { GO_CPU, "only these CPUs, e.g. 0-3,6" },		\
	{ GO_DISCARD }

/* A parse of one command line. */
struct gt_args {
	const struct gt_cmdspec *cmd;
	int argc;
	char **argv;
	const char *arg;	/* the current option's argument, or NULL */
	int status;		/* after gt_args_next() < 0: the exit status */
	void *getopt_table;	/* struct option[], built once */
	char shorts[2 * GO_NR + 4];
	char name[64];		/* the current option as given, for messages */
};

void gt_args_init(struct gt_args *a, const struct gt_cmdspec *cmd, int argc,
		  char **argv);
/*
 * The next option: its enum gt_opt_id (> 0) with a->arg, 0 after the
 * last one (optind is then the first operand), or -1 when the command is
 * done: after -h (help printed, status EXIT_OK) or a bad option (one line
 * on stderr, status EXIT_USAGE).
 */
int gt_args_next(struct gt_args *a);
/* The option being handled, as the user spelled it ("--pid", "-p"). */
const char *gt_args_name(const struct gt_args *a);
void gt_args_free(struct gt_args *a);

/* operands: between min and max (-1: any) of them, else a usage error */
int gt_args_operands(struct gt_args *a, int min, int max, const char *what);

/* One line "gotrace: CMD: ... (see 'gotrace CMD --help')"; EXIT_USAGE. */
__printf(2, 3)
int gt_usage_err(const struct gt_cmdspec *cmd, const char *fmt, ...);

void gt_cmd_help(const struct gt_cmdspec *cmd, FILE *f);

/* --by KEYS (analysis.h's ga_keys[]): 0, or -1 after a usage error. */
int gt_by_opt(struct gt_args *a, unsigned int *by);

#endif /* GOTRACE_OPTS_H */
