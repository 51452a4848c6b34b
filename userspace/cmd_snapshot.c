// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace snapshot: save the window of a flight recorder (gotrace start
 * --flight) as a trace file.  GOTRACE_IOC_SNAPSHOT returns a descriptor
 * of the finished file; it is copied to FILE, and, when the trace has
 * stacks, the kernel's symbols are appended as 'gotrace record' does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"

static const struct gt_cmdopt snapshot_opts[] = {
	{ GO_OUTPUT, "the trace file to write" },
	{ GO_NO_SYMBOLS, "do not append the kernel symbols of the stacks" },
	{ GO_QUIET },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec snapshot_cmd = {
	.name = "snapshot",
	.synopsis = "-o FILE [OPTIONS]",
	.about = "Save what a flight recorder (gotrace start --flight) holds: its most\n"
		 "recent generations, as a complete trace file that every command\n"
		 "reads.  Tracing goes on; another snapshot may follow.\n",
	.opts = snapshot_opts,
	.flags = GT_CMD_POSIX,
};

static void snapshot_err(int err)
{
	switch (err) {
	case EINVAL:
		gt_err("cannot snapshot: the trace is not a flight recorder (start it with --flight)");
		break;
	case ENODATA:
		gt_err("cannot snapshot: no trace (start one with 'gotrace start --flight SIZE')");
		break;
	case EBUSY:
		gt_err("cannot snapshot: another snapshot is being taken");
		break;
	case EPERM:
		gt_err("cannot snapshot: the trace has kernel stacks, which this user may not see");
		break;
	default:
		dev_ioctl_err("cannot snapshot", err);
		break;
	}
}

static int write_full(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copies the snapshot's descriptor to path; 0 or -1 after an error. */
static int save(int sfd, const char *path)
{
	char buf[1 << 16];
	ssize_t n;
	int out;

	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		gt_err("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(sfd, buf, sizeof(buf))) > 0) {
		if (write_full(out, buf, (size_t)n)) {
			gt_err("%s: %s", path, strerror(errno));
			close(out);
			return -1;
		}
	}
	if (n < 0) {
		gt_err("reading the snapshot: %s", strerror(errno));
		close(out);
		return -1;
	}
	if (close(out)) {
		gt_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int snapshot_save(int fd, const char *path, int no_syms, int quiet,
		  struct gotrace_snapshot *sn)
{
	int sfd;

	memset(sn, 0, sizeof(*sn));
	sn->size = sizeof(*sn);
	sfd = ioctl(fd, GOTRACE_IOC_SNAPSHOT, sn);
	if (sfd < 0) {
		snapshot_err(errno);
		return -1;
	}
	if (save(sfd, path)) {
		close(sfd);
		return -1;
	}
	close(sfd);
	if (!no_syms) {
		size_t nsyms, nstacks;

		if (!append_symbols(path, &nsyms, &nstacks) && nstacks &&
		    !quiet)
			fprintf(stderr, "gotrace: %s: %zu stacks, %zu kernel symbols added\n",
				path, nstacks, nsyms);
	}
	return 0;
}

int cmd_snapshot(int argc, char **argv)
{
	struct gotrace_snapshot sn;
	const char *path = NULL;
	int id, fd, ret, quiet = 0, no_syms = 0;
	struct gt_args a;

	gt_args_init(&a, &snapshot_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		if (id == GO_OUTPUT)
			path = a.arg;
		else if (id == GO_QUIET)
			quiet = 1;
		else if (id == GO_NO_SYMBOLS)
			no_syms = 1;
	}
	if (!id && gt_args_operands(&a, 0, 0, "no operands"))
		id = -1;
	if (!id && !path) {
		gt_err("snapshot: -o FILE is required");
		a.status = EXIT_USAGE;
		id = -1;
	}
	if (!id && !strcmp(path, "-")) {
		gt_err("snapshot: -o needs a file (symbols are appended to it)");
		a.status = EXIT_USAGE;
		id = -1;
	}
	if (id < 0) {
		gt_args_free(&a);
		return a.status;
	}
	fd = dev_open(O_RDONLY);
	if (fd < 0) {
		gt_args_free(&a);
		return EXIT_ERR;
	}
	ret = snapshot_save(fd, path, 1, quiet, &sn);
	close(fd);
	if (ret) {
		gt_args_free(&a);
		return EXIT_ERR;
	}
	if (!quiet)
		fprintf(stderr, "gotrace: snapshot %s: %llu bytes, %u generations, %u batches, %.3f s window\n",
			path, (unsigned long long)sn.bytes, sn.generations,
			sn.batches,
			sn.start_ns && sn.end_ns > sn.start_ns ?
			(sn.end_ns - sn.start_ns) / 1e9 : 0.0);
	if (!no_syms) {
		size_t nsyms, nstacks;

		if (!append_symbols(path, &nsyms, &nstacks) && nstacks &&
		    !quiet)
			fprintf(stderr, "gotrace: %zu stacks, %zu kernel symbols added\n",
				nstacks, nsyms);
	}
	gt_args_free(&a);
	return EXIT_OK;
}
