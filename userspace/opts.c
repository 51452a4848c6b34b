// SPDX-License-Identifier: GPL-2.0
/*
 * The command-line grammar of gotrace (see opts.h): the catalogue of
 * options, the parser and the help printer.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "common.h"
#include "gotrace_reader.h"
#include "opts.h"

struct gt_optdef {
	int letter;		/* 0: a long name only */
	const char *name;
	const char *alias;	/* an older spelling: accepted, not shown */
	int has_arg;
	const char *arg;	/* what the help calls its argument */
	const char *help;
	enum gt_def_kind def_kind;
	uint64_t def;
	uint64_t max;		/* shown when not 0 */
};

/*
 * One letter and one long name mean one thing in every command: GO_EVENT
 * and GO_GROUPS are the -e of the readers and of the tracer, GO_STACKS and
 * GO_STACKS_AT the -s of dump/bench and of the tracer (which may name the
 * events that take a stack).
 */
static const struct gt_optdef catalogue[GO_NR] = {
	[GO_HELP] = { 'h', "help", NULL, no_argument, NULL, "show this help" },
	[GO_OUTPUT] = { 'o', "output", NULL, required_argument, "FILE",
		"the file to write ('-': standard output)" },
	[GO_QUIET] = { 'q', "quiet", NULL, no_argument, NULL,
		"no summary on standard error" },
	[GO_JSON] = { 'j', "json", NULL, no_argument, NULL, "print JSON" },
	[GO_TOP] = { 'n', "top", NULL, required_argument, "N",
		"rows of the tables (0: all)" },
	[GO_FROM] = { 0, "from", NULL, required_argument, "T",
		"window start, time since the trace start (seconds,\n"
		"or with a unit: 10us, 5ms)" },
	[GO_TO] = { 0, "to", NULL, required_argument, "T",
		"window end (inclusive), the same way" },
	[GO_PID] = { 'p', "pid", NULL, required_argument, "PID",
		"only events about PID or a thread of it" },
	[GO_CPU] = { 'C', "cpu", "cpus", required_argument, "LIST",
		"only events of these CPUs, e.g. 0-3,6" },
	[GO_EVENT] = { 'e', "event", "events", required_argument, "EVENTS",
		"only these events: a comma list of names\n"
		"(mm_page_alloc, ...) and of these\n"
		"event groups: sched,page,reclaim,oom,cgroup" },
	[GO_GROUPS] = { 'e', "event", "events", required_argument, "GROUPS",
		"event groups: sched,page,reclaim,oom,cgroup\n"
		"(default: all)" },
	[GO_BUFFER_SIZE] = { 'b', "buffer-size", "buffer", required_argument,
		"SIZE", "buffer per CPU: bytes, 64K, 4M, 1G",
		GT_DEF_SIZE, GOTRACE_DEFAULT_BUFFER_SIZE,
		GOTRACE_MAX_BUFFER_SIZE },
	[GO_FLUSH_MS] = { 0, "flush-ms", NULL, required_argument, "N",
		"flush partial buffers and wake the reader every N ms",
		GT_DEF_NUM, GOTRACE_DEFAULT_FLUSH_MS, GOTRACE_MAX_FLUSH_MS },
	[GO_STACKS_AT] = { 's', "stacks", NULL, optional_argument, "EVS",
		"kernel stacks on events EVS (comma list of event\n"
		"names; default mm_page_alloc)" },
	[GO_STACK_DEPTH] = { 0, "stack-depth", NULL, required_argument, "N",
		"frames per stack", GT_DEF_NUM, GOTRACE_DEFAULT_STACK_DEPTH,
		GOTRACE_MAX_STACK_DEPTH },
	[GO_TID] = { 0, "tid", NULL, required_argument, "TID",
		"only thread TID" },
	[GO_DISCARD] = { 0, "discard", NULL, no_argument, NULL,
		"drop a stopped trace nobody read" },
	[GO_FLIGHT] = { 0, "flight", NULL, required_argument, "SIZE",
		"flight recorder: keep the most recent SIZE per CPU\n"
		"(64K, 4M, 1G) in place of -b; nobody reads the\n"
		"stream, 'gotrace snapshot' saves the window" },
	[GO_DURATION] = { 'd', "duration", NULL, required_argument, "SECS",
		"stop after SECS seconds" },
	[GO_COMMAND_ONLY] = { 'c', "command-only", NULL, no_argument, NULL,
		"only COMMAND and its descendants" },
	[GO_NO_SYMBOLS] = { 0, "no-symbols", NULL, no_argument, NULL,
		"with --stacks: do not append kernel symbols" },
	[GO_NO_PACK] = { 0, "no-pack", "raw", no_argument, NULL,
		"save the device's stream as it is; by default each\n"
		"batch of events is packed (see 'gotrace pack')" },
	[GO_NO_SPLICE] = { 0, "no-splice", NULL, no_argument, NULL,
		"copy the stream through this process with read(2)\n"
		"instead of splice(2) (for comparisons)" },
	[GO_PACK_LEVEL] = { 'l', "pack-level", "level", required_argument, "N",
		"zstd level of the packing", GT_DEF_NUM, GT_PACK_LEVEL, 19 },
	[GO_UNPACK] = { 'u', "unpack", NULL, no_argument, NULL,
		"restore BATCH records instead" },
	[GO_FORMAT] = { 'f', "format", NULL, required_argument, "FMT",
		"the output format" },
	[GO_INTERVAL] = { 0, "interval", NULL, required_argument, "MS",
		"counter interval in ms" },
	[GO_SAMPLE] = { 0, "sample", NULL, required_argument, "N",
		"keep one page allocation event in N" },
	[GO_ALLOCS] = { 0, "allocs", NULL, no_argument, NULL,
		"page allocation events" },
	[GO_NO_ALLOCS] = { 0, "no-allocs", NULL, no_argument, NULL,
		"no page allocation events" },
	[GO_VALUE] = { 0, "value", NULL, required_argument, "TYPE",
		"the sample type of each value" },
	[GO_KALLSYMS] = { 0, "kallsyms", NULL, required_argument, "FILE",
		"a copy of the traced boot's /proc/kallsyms" },
	[GO_SYSTEM_MAP] = { 0, "system-map", NULL, required_argument, "FILE",
		"the traced build's System.map" },
	[GO_VMLINUX] = { 0, "vmlinux", NULL, required_argument, "FILE",
		"the traced build's vmlinux" },
	[GO_MAX_OFFSET] = { 0, "max-offset", NULL, required_argument, "SIZE",
		"how far past a symbol an address may resolve" },
	[GO_FORCE] = { 0, "force", NULL, no_argument, NULL,
		"use a source that is not of the traced build" },
	[GO_BUCKET_MS] = { 0, "bucket-ms", NULL, required_argument, "N",
		"allocation rate bucket in ms", GT_DEF_NUM,
		GA_DEFAULT_BUCKET_NS / 1000000 },
	[GO_WAIT] = { 'w', "wait", NULL, no_argument, NULL,
		"return only when the reader has read everything" },
	[GO_RAW] = { 'r', "raw", NULL, no_argument, NULL,
		"also print the comm records of the stream" },
	[GO_GFP_NAMES] = { 'g', "gfp-names", NULL, no_argument, NULL,
		"print gfp_flags with the traced kernel's names\n"
		"(the default; hex where the trace has no names)" },
	[GO_GFP_HEX] = { 0, "gfp-hex", NULL, no_argument, NULL,
		"print gfp_flags as the raw hex value" },
	[GO_STACKS] = { 's', "stacks", NULL, no_argument, NULL,
		"print the kernel stacks of the events that have one" },
	[GO_COUNT] = { 0, "count", NULL, required_argument, "N",
		"events to write", GT_DEF_NUM, GOTRACE_BENCH_DEFAULT_EVENTS,
		GOTRACE_BENCH_MAX_EVENTS },
	[GO_BY] = { 0, "by", NULL, required_argument, "KEYS",
		"group allocations and outstanding pages by KEYS,\n"
		"a comma list of keys: stack,pid,tgid,cgroup\n"
		"(default stack,pid)" },
	[GO_OLDER] = { 0, "older", NULL, required_argument, "T",
		"leak candidates: the pages outstanding at the end\n"
		"allocated at least T before it (as --from)" },
	[GO_OUTPUT_DIR] = { 'o', "output", NULL, required_argument, "DIR",
		"the directory of the trace files" },
	[GO_TRIGGER] = { 't', "trigger", NULL, required_argument, "SPEC",
		"save a file when SPEC fires (repeatable): oom,\n"
		"alloc-fail[:ORDER] (default 0: any failure),\n"
		"reclaim:T, compaction:T, wakeup:T (T: 10ms, 1.5s)" },
	[GO_AFTER] = { 0, "after", NULL, required_argument, "T",
		"what follows the trigger that its file holds\n"
		"(default 100ms)" },
	[GO_MAX] = { 0, "max", NULL, required_argument, "N",
		"exit after N files (default: at SIGINT/SIGTERM)" },
	[GO_COOLDOWN] = { 0, "cooldown", NULL, required_argument, "T",
		"triggers within T of a file's start save no\n"
		"other file (default 0)" },
	[GO_RELATIVE] = { 0, "relative", NULL, no_argument, NULL,
		"timestamps in seconds since the trace start\n"
		"(s.nnnnnnnnn) instead of the trace clock's ns" },
};

#define VAL_LONG	0x100	/* getopt value of a long-only option: + id */
#define HELP_COL	24

static int opt_val(enum gt_opt_id id)
{
	return catalogue[id].letter ? catalogue[id].letter :
	       VAL_LONG + (int)id;
}

void gt_args_init(struct gt_args *a, const struct gt_cmdspec *cmd, int argc,
		  char **argv)
{
	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->argc = argc;
	a->argv = argv;
}

void gt_args_free(struct gt_args *a)
{
	free(a->getopt_table);
	a->getopt_table = NULL;
}

/* getopt_long's tables of the command: its options and their aliases. */
static int build(struct gt_args *a)
{
	const struct gt_cmdopt *o;
	struct option *lo;
	size_t n = 0;
	char *s = a->shorts;

	for (o = a->cmd->opts; o->id != GO_END; o++)
		n += 2;
	lo = calloc(n + 1, sizeof(*lo));
	if (!lo)
		return -1;
	n = 0;
	if (a->cmd->flags & GT_CMD_POSIX)
		*s++ = '+';
	*s++ = ':';
	for (o = a->cmd->opts; o->id != GO_END; o++) {
		const struct gt_optdef *d = &catalogue[o->id];

		lo[n++] = (struct option){ d->name, d->has_arg, NULL,
					   opt_val(o->id) };
		if (d->alias)
			lo[n++] = (struct option){ d->alias, d->has_arg, NULL,
						   opt_val(o->id) };
		if (d->letter) {
			*s++ = (char)d->letter;
			if (d->has_arg != no_argument)
				*s++ = ':';
			if (d->has_arg == optional_argument)
				*s++ = ':';
		}
	}
	*s = '\0';
	a->getopt_table = lo;
	return 0;
}

static enum gt_opt_id val_id(const struct gt_args *a, int val)
{
	const struct gt_cmdopt *o;

	for (o = a->cmd->opts; o->id != GO_END; o++) {
		if (opt_val(o->id) == val)
			return o->id;
	}
	return GO_END;
}

int gt_args_next(struct gt_args *a)
{
	const char *given;
	int val, li = -1;

	if (!a->getopt_table) {
		if (build(a)) {
			gt_err("%s: out of memory", a->cmd->name);
			a->status = EXIT_ERR;
			return -1;
		}
		optind = 0;
		opterr = 0;
	}
	a->arg = NULL;
	val = getopt_long(a->argc, a->argv, a->shorts, a->getopt_table, &li);
	if (val == -1)
		return 0;
	given = optind > 0 && optind <= a->argc ? a->argv[optind - 1] : "?";
	if (val == '?' || val == ':') {
		int is_long = given[0] == '-' && given[1] == '-';
		const char *what = val == ':' ? "option needs a value:" :
			is_long && optopt ? "option takes no value:" :
			"unknown option";

		if (is_long)
			a->status = gt_usage_err(a->cmd, "%s '%.*s'", what,
						 (int)strcspn(given, "="),
						 given);
		else
			a->status = gt_usage_err(a->cmd, "%s '-%c'", what,
						 optopt);
		return -1;
	}
	if (li >= 0)
		snprintf(a->name, sizeof(a->name), "--%s",
			 ((struct option *)a->getopt_table)[li].name);
	else
		snprintf(a->name, sizeof(a->name), "-%c", val);
	a->arg = optarg;
	if (val_id(a, val) == GO_HELP) {
		gt_cmd_help(a->cmd, stdout);
		a->status = EXIT_OK;
		return -1;
	}
	return (int)val_id(a, val);
}

const char *gt_args_name(const struct gt_args *a)
{
	return a->name;
}

int gt_args_operands(struct gt_args *a, int min, int max, const char *what)
{
	int n = a->argc - optind;

	if (n >= min && (max < 0 || n <= max))
		return 0;
	a->status = gt_usage_err(a->cmd, "expected %s", what);
	return -1;
}

int gt_usage_err(const struct gt_cmdspec *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "gotrace: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'gotrace %s --help')\n", cmd->name);
	return EXIT_USAGE;
}

static void print_value(FILE *f, enum gt_def_kind kind, uint64_t v)
{
	if (kind == GT_DEF_SIZE && v && !(v & ((1ULL << 30) - 1)))
		fprintf(f, "%lluG", (unsigned long long)(v >> 30));
	else if (kind == GT_DEF_SIZE && v && !(v & ((1ULL << 20) - 1)))
		fprintf(f, "%lluM", (unsigned long long)(v >> 20));
	else if (kind == GT_DEF_SIZE && v && !(v & ((1ULL << 10) - 1)))
		fprintf(f, "%lluK", (unsigned long long)(v >> 10));
	else
		fprintf(f, "%llu", (unsigned long long)v);
}

static void print_opt(FILE *f, const struct gt_cmdopt *o)
{
	const struct gt_optdef *d = &catalogue[o->id];
	enum gt_def_kind kind = o->def_kind ? o->def_kind : d->def_kind;
	uint64_t def = o->def_kind ? o->def : d->def;
	const char *help = o->help ? o->help : d->help, *nl;
	int n;

	if (d->letter)
		n = fprintf(f, "  -%c, --%s", d->letter, d->name);
	else
		n = fprintf(f, "      --%s", d->name);
	if (d->has_arg == required_argument)
		n += fprintf(f, " %s", d->arg);
	else if (d->has_arg == optional_argument)
		n += fprintf(f, "[=%s]", d->arg);
	if (n >= HELP_COL - 1)
		fprintf(f, "\n%*s", HELP_COL, "");
	else
		fprintf(f, "%*s", HELP_COL - n, "");
	while ((nl = strchr(help, '\n'))) {
		fprintf(f, "%.*s\n%*s", (int)(nl - help), help, HELP_COL, "");
		help = nl + 1;
	}
	fputs(help, f);
	if (kind != GT_DEF_NONE) {
		fputs(" (default ", f);
		print_value(f, kind, def);
		if (d->max) {
			fputs(", max ", f);
			print_value(f, kind, d->max);
		}
		fputc(')', f);
	}
	fputc('\n', f);
}

void gt_cmd_help(const struct gt_cmdspec *cmd, FILE *f)
{
	const struct gt_cmdopt *o;

	fprintf(f, "Usage: gotrace %s %s\n\n%s\n", cmd->name, cmd->synopsis,
		cmd->about);
	for (o = cmd->opts; o->id != GO_END; o++)
		print_opt(f, o);
	if (cmd->notes)
		fprintf(f, "\n%s", cmd->notes);
}

int gt_by_opt(struct gt_args *a, unsigned int *by)
{
	const char *bad;
	char keys[64];

	if (!ga_by_parse(a->arg, by, &bad))
		return 0;
	a->status = gt_usage_err(a->cmd, "--by: '%.*s' is not one of %s",
				 (int)strcspn(bad, ","), bad,
				 ga_by_str((1U << GA_KEY_NR) - 1, keys,
					   sizeof(keys)));
	return -1;
}
