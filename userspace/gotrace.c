// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace - control /dev/gotrace and read its traces.
 */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "convert.h"
#include "report.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "start",   cmd_start,   "start tracing" },
	{ "stop",    cmd_stop,    "stop tracing" },
	{ "status",  cmd_status,  "show the state of the tracer" },
	{ "snapshot", cmd_snapshot, "save a flight recorder's window to a file" },
	{ "flight",  cmd_flight,  "save a flight recorder's window when a trigger fires" },
	{ "record",  cmd_record,  "trace while a command runs, save to a file" },
	{ "dump",    cmd_dump,    "print the events of a trace file" },
	{ "stats",   cmd_stats,   "report on a trace file: pages, reclaim, scheduler" },
	{ "symbolize", cmd_symbolize, "append kernel symbols to a trace file" },
	{ "pack",    cmd_pack,    "compress a trace file, or restore the device's stream" },
	{ "convert", cmd_convert, "export a trace for Perfetto or go tool trace" },
	{ "report",  cmd_report,  "write an HTML report of a trace" },
	{ "bench",   cmd_bench,   "measure the module's write path (ns/event)" },
	{ "version", cmd_version, "print the version" },
	{ "help",    cmd_help,    "show this help, or a command's help" },
};

#define NR_CMDS	ARRAY_SIZE(cmds)

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: gotrace COMMAND [OPTIONS]\n\nCommands:\n");
	for (i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nRun 'gotrace COMMAND -h' for the options of a command.\n");
}

static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		gt_err("version: no arguments expected");
		return EXIT_ERR;
	}
	printf("gotrace %s (%s), stream format version %u\n",
	       GOTRACE_TOOL_VERSION, GOTRACE_GIT, GOTRACE_VERSION);
	return EXIT_OK;
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NR_CMDS; i++) {
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	}
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct cmd *c;
	char *hargv[3];

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	c = find_cmd(argv[1]);
	if (!c || c->fn == cmd_help || c->fn == cmd_version) {
		if (!c) {
			gt_err("unknown command '%s'", argv[1]);
			return EXIT_ERR;
		}
		usage(stdout);
		return EXIT_OK;
	}
	hargv[0] = argv[1];
	hargv[1] = "-h";
	hargv[2] = NULL;
	return c->fn(2, hargv);
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_ERR;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return cmd_help(1, argv);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return cmd_version(1, argv);
	c = find_cmd(argv[1]);
	if (!c) {
		gt_err("unknown command '%s' (see 'gotrace help')", argv[1]);
		return EXIT_ERR;
	}
	return c->fn(argc - 1, argv + 1);
}
