// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace pack: replace the BATCH records of a trace by PACKED ones
 * (columns + zstd), or with -d give back the stream exactly as the device
 * wrote it.  `gotrace record` packs by itself; this is for streams saved
 * with cat(1) and for tools that want the device's own format.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common.h"
#include "opts.h"
#include "pack_stream.h"

#define CHUNK	(1024 * 1024)

static const struct gt_cmdopt pack_opts[] = {
	{ GO_OUTPUT, "file to write (required)" },
	{ GO_UNPACK },
	{ GO_PACK_LEVEL, "zstd level" },
	{ GO_QUIET },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec pack_cmd = {
	.name = "pack",
	.synopsis = "[-u] [-l LEVEL] -o OUT FILE",
	.about = "Compress the event batches of a trace (PACKED records: the events\n"
		 "regrouped by field, then zstd), or with -u restore the stream as the\n"
		 "device wrote it, byte for byte.  Every reader of gotrace reads both.\n"
		 "FILE and OUT may be '-' (stdin, stdout).\n",
	.opts = pack_opts,
};

struct pack_out {
	const char *path;
	int fd;
	uint64_t written;
};

static int write_all(void *arg, const uint8_t *p, size_t n)
{
	struct pack_out *o = arg;

	while (n) {
		ssize_t w = write(o->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			gt_err("%s: %s", o->path, strerror(errno));
			return -1;
		}
		o->written += w;
		p += w;
		n -= w;
	}
	return 0;
}

/* Refuse to truncate the input by writing over it. */
static int same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && S_ISREG(sa.st_mode) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int pack_copy(struct pack_stream *ps, int in, const char *in_path,
		     uint64_t *read_bytes)
{
	uint8_t *buf = malloc(CHUNK);
	ssize_t n;
	int ret = -1;

	if (!buf) {
		gt_err("%s", strerror(ENOMEM));
		return -1;
	}
	for (;;) {
		n = read(in, buf, CHUNK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			gt_err("%s: %s", in_path, strerror(errno));
			break;
		}
		if (!n) {
			ret = ps_finish(ps);
			break;
		}
		*read_bytes += n;
		if (ps_feed(ps, buf, n))
			break;
	}
	free(buf);
	return ret;
}

int cmd_pack(int argc, char **argv)
{
	struct pack_out out = { .fd = -1 };
	struct pack_stream ps;
	const char *in_path;
	unsigned long level = GT_PACK_LEVEL;
	uint64_t in_bytes = 0;
	int unpack = 0, quiet = 0, in = -1, id, status = EXIT_ERR;
	struct gt_args a;

	gt_args_init(&a, &pack_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		switch (id) {
		case GO_OUTPUT:
			out.path = a.arg;
			break;
		case GO_UNPACK:
			unpack = 1;
			break;
		case GO_PACK_LEVEL:
			if (parse_ulong(a.arg, "--pack-level", 1, 19, &level)) {
				a.status = EXIT_USAGE;
				id = -1;
			}
			break;
		case GO_QUIET:
			quiet = 1;
			break;
		}
		if (id < 0)
			break;
	}
	if (!id && gt_args_operands(&a, 1, 1, "one FILE"))
		id = -1;
	if (!id && !out.path) {
		a.status = gt_usage_err(&pack_cmd, "-o OUT is required");
		id = -1;
	}
	gt_args_free(&a);
	if (id < 0)
		return a.status;
	in_path = argv[optind];
	in = strcmp(in_path, "-") ? open(in_path, O_RDONLY | O_CLOEXEC) :
	     STDIN_FILENO;
	if (in < 0) {
		gt_err("%s: %s", in_path, strerror(errno));
		return EXIT_ERR;
	}
	if (!strcmp(out.path, "-")) {
		out.fd = STDOUT_FILENO;
		out.path = "<stdout>";
	} else {
		out.fd = open(out.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (out.fd < 0) {
			gt_err("%s: %s", out.path, strerror(errno));
			goto out;
		}
		if (same_file(in, out.fd)) {
			gt_err("%s: is the input file", out.path);
			close(out.fd);
			out.fd = -1;
			goto out;
		}
		if (ftruncate(out.fd, 0) < 0) {
			gt_err("%s: %s", out.path, strerror(errno));
			goto out;
		}
	}
	if (ps_init(&ps, unpack, (int)level, write_all, &out)) {
		gt_err("%s", strerror(ENOMEM));
		goto out;
	}
	if (!pack_copy(&ps, in, in_path, &in_bytes))
		status = EXIT_OK;
	if (out.fd != STDOUT_FILENO && close(out.fd) < 0) {
		gt_err("%s: %s", out.path, strerror(errno));
		status = EXIT_ERR;
	}
	out.fd = -1;
	if (ps.scan.bad)
		gt_warn("%s: the stream stopped parsing (%s); the rest was copied as it is",
			in_path, ps.scan.err);
	if (ps.failures) {
		gt_err("%s: %llu PACKED records could not be unpacked and were kept packed; the first: %s",
		       in_path, (unsigned long long)ps.failures, ps.errmsg);
		status = EXIT_ERR;
	}
	if (!quiet && status == EXIT_OK)
		fprintf(stderr, "gotrace: %s %llu batches (%llu left as they were), %llu -> %llu bytes (%.2fx)\n",
			unpack ? "unpacked" : "packed",
			(unsigned long long)ps.converted,
			(unsigned long long)ps.kept,
			(unsigned long long)in_bytes,
			(unsigned long long)out.written,
			out.written ? (double)in_bytes / out.written : 0.0);
	ps_free(&ps);
out:
	if (out.fd >= 0 && out.fd != STDOUT_FILENO)
		close(out.fd);
	if (in >= 0 && in != STDIN_FILENO)
		close(in);
	return status;
}
