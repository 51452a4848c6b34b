// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace symbolize: append the SYMBOLS record to a trace saved without
 * one (cat /dev/gotrace > FILE): on the traced machine from /proc/kallsyms,
 * or on another one from the traced build's kallsyms copy, System.map or
 * vmlinux, shifted by the KASLR offset the header records and refused when
 * the build differs.  A vmlinux with DWARF (linux-image-*-dbg) also gives
 * a LINES record: file:line and inlined frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"
#include "gotrace_reader.h"
#include "ksyms.h"

static const struct gt_cmdopt symbolize_opts[] = {
	{ GO_SYSTEM_MAP, "its System.map (Debian: linux-image-*-dbg)" },
	{ GO_KALLSYMS, "a copy of its /proc/kallsyms (module symbols\n"
		       "too, if of the traced boot)" },
	{ GO_VMLINUX, "its vmlinux; with debug information (Debian:\n"
		      "linux-image-*-dbg) also file:line and inlined\n"
		      "frames" },
	{ GO_MAX_OFFSET, "how far past a symbol an address may resolve\n"
			 "(default 64K; K, M suffixes)" },
	{ GO_FORCE, "use the source even if it is not of the traced\n"
		    "build, or TRACE does not say where its kernel was" },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec symbolize_cmd = {
	.name = "symbolize",
	.synopsis = "[--system-map FILE | --kallsyms FILE |\n"
		    "                          --vmlinux FILE] [OPTIONS] TRACE",
	.about = "Append to TRACE the kernel symbols of the addresses of its kernel\n"
		 "stacks, so that it can be analysed anywhere.  Without a source, from\n"
		 "/proc/kallsyms: run it on the traced machine, as a user who sees\n"
		 "kernel addresses (root, or kernel.kptr_restrict=0).\n"
		 "\n"
		 "A source is the traced kernel build's symbols, used anywhere: the\n"
		 "KASLR offset recorded in TRACE is applied, and another build (by\n"
		 "build-id, release or symbol layout) is refused.\n",
	.opts = symbolize_opts,
};

/* 1 if the stream at path has a SYMBOLS record, 0 if not, -1 on error. */
/*
 * Has the trace a SYMBOLS record?  Only the fixed part of each record is
 * read: the scanner says how much of the rest to skip.
 */
static int has_symbols(const char *path)
{
	uint8_t buf[4096];
	struct gt_stream scan;
	off_t off = 0;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = gt_stream_init(&scan, NULL, NULL, NULL);
	if (ret) {
		close(fd);
		errno = -ret;
		return -1;
	}
	while (!scan.bad && !gt_stream_seen(&scan, GOTRACE_REC_SYMBOLS)) {
		uint64_t skip = gt_stream_skippable(&scan);

		if (skip) {
			gt_stream_skip(&scan, skip);
			off += skip;
			continue;
		}
		n = pread(fd, buf, sizeof(buf), off);
		if (n <= 0)
			break;
		gt_stream_feed(&scan, buf, n);
		off += n;
	}
	ret = gt_stream_seen(&scan, GOTRACE_REC_SYMBOLS);
	gt_stream_free(&scan);
	close(fd);
	return ret;
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

enum sym_source { SRC_LIVE, SRC_KALLSYMS, SRC_SYSTEM_MAP, SRC_VMLINUX };

static void hex_str(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/*
 * The release a file name says (System.map-REL, vmlinux-REL, as Debian
 * installs them), or NULL.
 */
static const char *name_release(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strncmp(base, "System.map-", 11))
		return base + 11;
	if (!strncmp(base, "vmlinux-", 8))
		return base + 8;
	return NULL;
}

/*
 * Is k the traced build, and by how much are its addresses shifted from
 * the traced boot's (KASLR)?  0, or -1 after a one-line error (a mismatch
 * is forgiven with force, with a warning).
 */
static int source_matches(const struct gotrace_header *h,
			  const struct ksyms *k, const char *src, int force,
			  int64_t *shift)
{
	const char *rel = name_release(src), *why = NULL;
	char why_buf[256], a[41], b[41];
	uint64_t stext = ksyms_lookup(k, "_stext");
	uint64_t anchor = 0;

	*shift = 0;
	if (h->anchor_name[0])
		anchor = ksyms_lookup(k, h->anchor_name);
	if (k->build_id_len && h->build_id_len &&
	    (k->build_id_len != h->build_id_len ||
	     memcmp(k->build_id, h->build_id, h->build_id_len))) {
		hex_str(k->build_id, k->build_id_len, a);
		hex_str(h->build_id, h->build_id_len, b);
		snprintf(why_buf, sizeof(why_buf),
			 "build-id %s, the trace's kernel %s", a, b);
		why = why_buf;
	} else if (rel && strcmp(rel, h->release)) {
		snprintf(why_buf, sizeof(why_buf),
			 "release %s, the trace's kernel %.65s", rel,
			 h->release);
		why = why_buf;
	} else if (!stext) {
		why = "it has no _stext: not a kernel symbol table";
	} else if (h->kernel_stext && h->anchor_addr && !anchor) {
		snprintf(why_buf, sizeof(why_buf), "it has no %.32s",
			 h->anchor_name);
		why = why_buf;
	} else if (h->kernel_stext && h->anchor_addr &&
		   anchor - stext != h->anchor_addr - h->kernel_stext) {
		snprintf(why_buf, sizeof(why_buf),
			 "%.32s is at _stext+0x%" PRIx64 " there, at _stext+0x%" PRIx64 " in the traced kernel",
			 h->anchor_name, anchor - stext,
			 (uint64_t)(h->anchor_addr - h->kernel_stext));
		why = why_buf;
	}
	if (why && !force) {
		gt_err("symbolize: %s is not of the traced kernel %.65s: %s (--force to use it anyway)",
		       src, h->release, why);
		return -1;
	}
	if (why)
		gt_warn("%s is not of the traced kernel: %s; used (--force)",
			src, why);
	if (h->kernel_stext && stext) {
		*shift = (int64_t)(h->kernel_stext - stext);
	} else if (h->anchor_addr && anchor) {
		*shift = (int64_t)(h->anchor_addr - anchor);
	} else if (!force) {
		gt_err("symbolize: the trace does not say where its kernel's text was (started without the right to kernel addresses?): cannot apply the KASLR offset (--force assumes none)");
		return -1;
	}
	return 0;
}

/* Parse a byte count with an optional K/M/G suffix; -1 if malformed. */
static int parse_offset(const char *s, uint64_t *out)
{
	uint32_t v;

	if (parse_size(s, &v) || !v)
		return -1;
	*out = v;
	return 0;
}

struct symbolize_opts {
	enum sym_source source;
	const char *src;
	uint64_t max_off;
	int force;
};

static int symbolize_trace(const char *path, struct gt_reader *r,
			   const struct symbolize_opts *o)
{
	const struct gotrace_header *h = gt_header(r);
	struct ksyms k = { 0 };
	uint8_t *rec = NULL, *lines = NULL;
	size_t n = 0, rlen, llen = 0, nsyms = 0, nlines = 0;
	uint64_t *addrs;
	int64_t shift = 0;
	int ret = EXIT_ERR;

	addrs = stack_addrs(r, &n);
	if (n == SIZE_MAX) {
		gt_err("symbolize: %s", strerror(ENOMEM));
		return EXIT_ERR;
	}
	if (o->source == SRC_VMLINUX ? ksyms_load_elf(o->src, &k) :
	    ksyms_load_text(o->src, &k))
		goto out;
	if (o->source != SRC_LIVE &&
	    source_matches(h, &k, o->src, o->force, &shift))
		goto out;
	if (shift && ksyms_drop_modules(&k))
		gt_warn("%s: module symbols of another boot left out", o->src);
	rec = ksyms_build_record(&k, addrs, n, shift, o->max_off, &rlen,
				 &nsyms);
	if (!rec)
		goto out;
	if (o->source == SRC_VMLINUX) {
		lines = dwarf_build_lines(o->src, addrs, n, shift, &llen,
					  &nlines);
		if (!lines && llen)
			goto out;
	}
	if (append_record(path, rec, rlen))
		goto out;
	if (lines && append_record(path, lines, llen))
		goto out;
	fprintf(stderr, "gotrace: %s: added %zu symbols", path, nsyms);
	if (lines)
		fprintf(stderr, " and %zu source lines", nlines);
	fprintf(stderr, " for %zu addresses of %zu stacks (KASLR offset %+" PRId64 ")\n",
		n, gt_nr_stacks(r), shift);
	ret = EXIT_OK;
out:
	free(lines);
	free(rec);
	free(addrs);
	ksyms_free(&k);
	return ret;
}

/* The options of cmd_symbolize(); -1 when it is done (a.status). */
static int symbolize_args(struct gt_args *a, struct symbolize_opts *o)
{
	int id, nsrc = 0;

	while ((id = gt_args_next(a)) > 0) {
		switch (id) {
		case GO_KALLSYMS:
		case GO_SYSTEM_MAP:
		case GO_VMLINUX:
			o->source = id == GO_KALLSYMS ? SRC_KALLSYMS :
				    id == GO_SYSTEM_MAP ? SRC_SYSTEM_MAP :
				    SRC_VMLINUX;
			o->src = a->arg;
			nsrc++;
			break;
		case GO_MAX_OFFSET:
			if (parse_offset(a->arg, &o->max_off)) {
				a->status = gt_usage_err(a->cmd,
							 "--max-offset: '%s' is not a positive size",
							 a->arg);
				return -1;
			}
			break;
		case GO_FORCE:
			o->force = 1;
			break;
		}
	}
	if (id < 0)
		return -1;
	if (nsrc > 1) {
		a->status = gt_usage_err(a->cmd,
					 "one of --kallsyms, --system-map and --vmlinux");
		return -1;
	}
	return gt_args_operands(a, 1, 1, "one TRACE") ? -1 : 0;
}

int cmd_symbolize(int argc, char **argv)
{
	struct symbolize_opts o = {
		.source = SRC_LIVE,
		.max_off = KSYMS_DEFAULT_MAX_OFFSET,
	};
	const struct gt_summary *s;
	struct gt_reader *r;
	const char *path;
	struct gt_args a;
	int ret;

	gt_args_init(&a, &symbolize_cmd, argc, argv);
	ret = symbolize_args(&a, &o);
	gt_args_free(&a);
	if (ret < 0)
		return a.status;
	path = argv[optind];
	if (o.source == SRC_LIVE) {
		o.src = getenv("GOTRACE_KALLSYMS");
		if (!o.src)
			o.src = "/proc/kallsyms";
	}
	if (gt_open_file(path, &r) < 0) {
		gt_err("%s", gt_error(NULL));
		return EXIT_ERR;
	}
	s = gt_summary(r);
	if (!s->complete) {
		gt_err("symbolize: %s is not a complete trace (no END record): nothing appended",
		       path);
		ret = EXIT_ERR;
		goto out;
	}
	ret = has_symbols(path);
	if (ret) {
		if (ret > 0)
			gt_err("symbolize: %s already has a SYMBOLS record", path);
		else
			gt_err("symbolize: %s: %s", path, strerror(errno));
		ret = EXIT_ERR;
		goto out;
	}
	if (!gt_nr_stacks(r)) {
		fprintf(stderr, "gotrace: %s has no kernel stacks: nothing to symbolise\n",
			path);
		ret = EXIT_OK;
		goto out;
	}
	if (o.source == SRC_LIVE && !kallsyms_readable(o.src)) {
		ret = EXIT_ERR;
		goto out;
	}
	ret = symbolize_trace(path, r, &o);
out:
	gt_close(r);
	return ret;
}
