// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace symbolize: append the SYMBOLS record to a trace saved without
 * one (cat /dev/gotrace > FILE), on the machine that recorded it.  The
 * record is built by append_symbols() (ksyms.c), as "record" does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"
#include "gotrace_reader.h"

static const struct gt_cmdopt symbolize_opts[] = {
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec symbolize_cmd = {
	.name = "symbolize",
	.synopsis = "FILE",
	.about = "Append to FILE the kernel symbols (from /proc/kallsyms) of the\n"
		 "addresses of its kernel stacks, so that it can be analysed on\n"
		 "another machine.  Run it on the traced machine, with the same\n"
		 "kernel and modules loaded, as a user who sees kernel addresses\n"
		 "(root, or kernel.kptr_restrict=0).\n",
	.opts = symbolize_opts,
};

/* 1 if the stream at path has a SYMBOLS record, 0 if not, -1 on error. */
static int has_symbols(const char *path)
{
	struct gotrace_record rec;
	off_t off = GOTRACE_MAGIC_LEN, size;
	int fd, found = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size = lseek(fd, 0, SEEK_END);
	while (size > 0 && off + (off_t)sizeof(rec) <= size) {
		if (pread(fd, &rec, sizeof(rec), off) != sizeof(rec) ||
		    rec.len < sizeof(rec) || rec.len > size - off)
			break;
		if (rec.type == GOTRACE_REC_SYMBOLS) {
			found = 1;
			break;
		}
		off += rec.len;
	}
	close(fd);
	return found;
}

/* Does kallsyms show real addresses (not zeroed by kptr_restrict)? */
static int kallsyms_readable(const char *kpath)
{
	unsigned long long addr;
	char line[512];
	int seen = 0, ok = 0;
	FILE *f;

	f = fopen(kpath, "re");
	if (!f) {
		gt_err("symbolize: %s: %s", kpath, strerror(errno));
		return 0;
	}
	while (!ok && seen < 1000 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx", &addr) != 1)
			continue;
		seen++;
		ok = addr != 0;
	}
	fclose(f);
	if (!ok)
		gt_err("symbolize: %s shows no kernel addresses (kernel.kptr_restrict, or not root): refusing to add empty symbols; run as root with kptr_restrict < 2",
		       kpath);
	return ok;
}

int cmd_symbolize(int argc, char **argv);

int cmd_symbolize(int argc, char **argv)
{
	const char *kpath = getenv("GOTRACE_KALLSYMS");
	const struct gt_summary *s;
	size_t nsyms, nstacks;
	struct gt_reader *r;
	const char *path;
	struct gt_args a;
	int id, ret;

	gt_args_init(&a, &symbolize_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0)
		;
	if (!id && gt_args_operands(&a, 1, 1, "one FILE"))
		id = -1;
	gt_args_free(&a);
	if (id < 0)
		return a.status;
	path = argv[optind];
	if (!kpath)
		kpath = "/proc/kallsyms";
	if (gt_open_file(path, &r) < 0) {
		gt_err("%s", gt_error(NULL));
		return EXIT_ERR;
	}
	s = gt_summary(r);
	ret = s->complete;
	nstacks = gt_nr_stacks(r);
	gt_close(r);
	if (!ret) {
		gt_err("symbolize: %s is not a complete trace (no END record): nothing appended",
		       path);
		return EXIT_ERR;
	}
	ret = has_symbols(path);
	if (ret) {
		if (ret > 0)
			gt_err("symbolize: %s already has a SYMBOLS record", path);
		else
			gt_err("symbolize: %s: %s", path, strerror(errno));
		return EXIT_ERR;
	}
	if (!nstacks) {
		fprintf(stderr, "gotrace: %s has no kernel stacks: nothing to symbolise\n",
			path);
		return EXIT_OK;
	}
	if (!kallsyms_readable(kpath))
		return EXIT_ERR;
	if (append_symbols(path, &nsyms, &nstacks)) {
		gt_err("symbolize: %s: no symbols added", path);
		return EXIT_ERR;
	}
	fprintf(stderr, "gotrace: %s: added %zu symbols for %zu stacks\n", path,
		nsyms, nstacks);
	return EXIT_OK;
}
