// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of offline symbolisation: "gotrace symbolize" with
 * --system-map, --kallsyms and --vmlinux on a trace whose header says
 * where the traced kernel's text was (KASLR) and which build it was.
 *
 *   test_symbolize GOTRACE_BINARY OUTDIR SRCDIR
 *
 * SRCDIR/symbolize_elf.c is built with gcc into a small vmlinux stand-in
 * with DWARF; nm and objdump (binutils) find its addresses.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "encoder.h"
#include "gotrace_reader.h"
#include "proc.h"
#include "tap.h"

#define A(...)	((const uint64_t[]){ __VA_ARGS__ })

#define LINK_STEXT	0xffffffff81000000ULL
#define KASLR		0x2a00000ULL	/* the traced boot's offset */
#define RUN(x)		((x) + KASLR)

static const char *tool, *outdir, *srcdir;

static const uint8_t build_id[20] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
	0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05,
};

static char *path_in_out(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", outdir, name) < 0)
		exit(2);
	return p;
}

static void write_or_die(const char *path, const void *p, size_t n)
{
	if (write_file(path, p, n)) {
		perror(path);
		exit(2);
	}
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

/* gotrace ARGS..., stdout and stderr into files; exit status. */
static int run(const char *a1, const char *a2, const char *a3,
	       const char *a4, const char *a5)
{
	char *out = path_in_out("sym.out"), *err = path_in_out("sym.err");
	char *const argv[] = { (char *)tool, (char *)a1, (char *)a2, (char *)a3,
			       (char *)a4, (char *)a5, NULL };
	int rc = run_cmd(argv, out, err, NULL);

	free(out);
	free(err);
	return rc;
}

static char *last_err(void)
{
	char *p = path_in_out("sym.err"), *s = slurp(p);

	free(p);
	return s;
}

static int one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && !nl[1];
}

/*
 * A trace whose header says where _stext and the anchor were (stext 0:
 * not shown) and which build-id, with one stack of the given frames.
 */
static void build_trace(struct enc *e, uint64_t stext, uint64_t anchor,
			const uint8_t *bid, const uint64_t *frames,
			uint32_t nr)
{
	struct gotrace_header *h;
	struct gotrace_stack st = {
		.rec = { GOTRACE_REC_STACK, sizeof(st) + nr * 8 },
		.id = 1,
		.nr = nr,
	};

	enc_init(e, 1, 1000);
	h = (struct gotrace_header *)(e->buf + GOTRACE_MAGIC_LEN);
	h->kernel_stext = stext;
	h->anchor_addr = anchor;
	strcpy(h->anchor_name, "for_each_kernel_tracepoint");
	if (bid) {
		memcpy(h->build_id, bid, sizeof(build_id));
		h->build_id_len = sizeof(build_id);
	}
	enc_set_stack_events(e, 1ULL << GOTRACE_EV_MM_PAGE_ALLOC);
	enc_batch_begin(e, 0, 0, 1000, 0);
	enc_event_stack(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, 2000,
			A(0x1000, 0, 0xcc0, 0, 100), NULL, 1);
	enc_batch_end(e, 0);
	enc_bytes(e, &st, sizeof(st));
	enc_bytes(e, frames, nr * 8);
	enc_cpu_end(e, 0, 1, 1, 0, 0);
	enc_end(e, 5000, 1, 0, 0);
}

/* Symbol of addr in the trace at path, as "name+0xoff", or "-". */
static const char *sym_at(const char *path, uint64_t addr, char *buf,
			  size_t size)
{
	struct gt_reader *r;
	const char *name;
	uint64_t off;

	snprintf(buf, size, "-");
	if (gt_open_file(path, &r))
		return "(does not open)";
	name = gt_symbol(r, addr, &off, NULL);
	if (name)
		snprintf(buf, size, "%s+0x%" PRIx64, name, off);
	gt_close(r);
	return buf;
}

#define SYSMAP_FMT \
	"%016" PRIx64 " T _stext\n" \
	"%016" PRIx64 " T for_each_kernel_tracepoint\n" \
	"%016" PRIx64 " T handle_mm_fault\n" \
	"%016" PRIx64 " t do_anonymous_page\n" \
	"%016" PRIx64 " D some_data\n" \
	"%016" PRIx64 " T _etext\n"

/* A System.map (or kallsyms) of the build, _stext at stext. */
static void write_map(const char *path, uint64_t stext, uint64_t anchor_off,
		      const char *extra)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf), SYSMAP_FMT "%s", stext,
		     stext + anchor_off, stext + 0x1000, stext + 0x2000,
		     stext + 0x2800, stext + 0x3000, extra ? extra : "");
	write_or_die(path, buf, (size_t)n);
}

static void test_system_map(void)
{
	char *trace = path_in_out("off.trace");
	char *map = path_in_out("System.map-6.1.0-test");
	char *bad = path_in_out("other-build.map");
	char *other = path_in_out("System.map-6.1.0-other");
	char *ks = path_in_out("kallsyms-other-boot");
	const uint64_t frames[] = {
		RUN(LINK_STEXT + 0x2004), RUN(LINK_STEXT + 0x1010),
		/* a module's address: no System.map symbol */
		0xffffffffc0001010ULL,
		/* far past _etext: beyond --max-offset */
		RUN(LINK_STEXT + 0x3000 + 0x20000),
	};
	char b1[128], b2[128], b3[128], b4[128];
	struct enc e;
	off_t size;
	char *s;
	int rc;

	build_trace(&e, RUN(LINK_STEXT), RUN(LINK_STEXT + 0x500), NULL,
		    frames, 4);
	write_map(map, LINK_STEXT, 0x500, NULL);
	write_or_die(trace, e.buf, e.len);
	rc = run("symbolize", "--system-map", map, trace, NULL);
	s = last_err();
	ok(rc == 0 && strstr(s, "KASLR offset +44040192"),
	   "system-map: symbolized with the header's KASLR offset (rc %d: %s)",
	   rc, s);
	free(s);
	sym_at(trace, frames[0], b1, sizeof(b1));
	sym_at(trace, frames[1], b2, sizeof(b2));
	sym_at(trace, frames[2], b3, sizeof(b3));
	sym_at(trace, frames[3], b4, sizeof(b4));
	ok(!strcmp(b1, "do_anonymous_page+0x4") &&
	   !strcmp(b2, "handle_mm_fault+0x10") && !strcmp(b3, "-") &&
	   !strcmp(b4, "-"),
	   "system-map: frames %s %s, module %s, past the limit %s", b1, b2,
	   b3, b4);

	/* --max-offset lets the far address resolve */
	write_or_die(trace, e.buf, e.len);
	rc = run("symbolize", "--system-map", map, "--max-offset=1M", trace);
	sym_at(trace, frames[3], b4, sizeof(b4));
	ok(rc == 0 && !strcmp(b4, "_etext+0x20000"),
	   "system-map: --max-offset 1M resolves _etext+0x20000 (%s)", b4);

	/* another build: the anchor is elsewhere from _stext */
	write_or_die(trace, e.buf, e.len);
	write_map(bad, LINK_STEXT, 0x510, NULL);
	rc = run("symbolize", "--system-map", bad, trace, NULL);
	s = last_err();
	size = file_size(trace);
	ok(rc == 1 && one_line(s) && strstr(s, "not of the traced kernel") &&
	   strstr(s, "--force") && size == (off_t)e.len,
	   "system-map: another build refused in one line, trace untouched (rc %d: %s)",
	   rc, s);
	free(s);
	rc = run("symbolize", "--system-map", bad, "--force", trace);
	s = last_err();
	sym_at(trace, frames[0], b1, sizeof(b1));
	ok(rc == 0 && strstr(s, "--force") &&
	   !strcmp(b1, "do_anonymous_page+0x4"),
	   "system-map: --force uses it, with a warning (rc %d, %s)", rc, b1);
	free(s);

	/* another release, by the Debian file name */
	write_or_die(trace, e.buf, e.len);
	write_map(other, LINK_STEXT, 0x500, NULL);
	rc = run("symbolize", "--system-map", other, trace, NULL);
	s = last_err();
	ok(rc == 1 && one_line(s) && strstr(s, "release 6.1.0-other"),
	   "system-map: another release refused (rc %d: %s)", rc, s);
	free(s);

	/* a kallsyms copy of another boot: its own offset; modules left out */
	write_or_die(trace, e.buf, e.len);
	write_map(ks, LINK_STEXT + 0x7000000, 0x500,
		  "ffffffffc0001000 t mod_fn\t[some_mod]\n");
	rc = run("symbolize", "--kallsyms", ks, trace, NULL);
	s = last_err();
	sym_at(trace, frames[0], b1, sizeof(b1));
	sym_at(trace, frames[2], b3, sizeof(b3));
	ok(rc == 0 && !strcmp(b1, "do_anonymous_page+0x4") &&
	   !strcmp(b3, "-") && strstr(s, "module symbols of another boot"),
	   "kallsyms of another boot: shifted (%s), its modules left out (%s)",
	   b1, b3);
	free(s);

	/* a trace that does not say where its kernel was */
	enc_free(&e);
	build_trace(&e, 0, 0, NULL, A(LINK_STEXT + 0x2004), 1);
	write_or_die(trace, e.buf, e.len);
	rc = run("symbolize", "--system-map", map, trace, NULL);
	s = last_err();
	ok(rc == 1 && one_line(s) && strstr(s, "KASLR"),
	   "system-map: no text address in the header refused (rc %d: %s)",
	   rc, s);
	free(s);
	rc = run("symbolize", "--system-map", map, "--force", trace);
	sym_at(trace, LINK_STEXT + 0x2004, b1, sizeof(b1));
	ok(rc == 0 && !strcmp(b1, "do_anonymous_page+0x4"),
	   "system-map: --force assumes no offset (%s)", b1);

	rc = run("symbolize", "--system-map", map, "--kallsyms", ks);
	ok(rc == 2, "symbolize: two sources refused, a usage error (rc %d)", rc);
	enc_free(&e);
	free(trace);
	free(map);
	free(bad);
	free(other);
	free(ks);
}

/* Address of symbol name in elf (nm), 0 if none. */
static uint64_t nm_addr(const char *elf, const char *name)
{
	char cmd[4096], line[512], sym[256];
	unsigned long long a;
	uint64_t addr = 0;
	char type;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm '%s'", elf);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "%llx %c %255s", &a, &type, sym) == 3 &&
		    !strcmp(sym, name))
			addr = a;
	pclose(p);
	return addr;
}

/* The return address of caller's call of leaf (objdump), 0 if none. */
static uint64_t call_return(const char *elf)
{
	char cmd[4096], line[512];
	int in_caller = 0, after_call = 0;
	unsigned long long a;
	uint64_t ret = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "objdump -d --no-show-raw-insn '%s'", elf);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		if (strstr(line, "<caller>:"))
			in_caller = 1;
		else if (strstr(line, ">:"))
			in_caller = 0;
		if (!in_caller || sscanf(line, " %llx:", &a) != 1)
			continue;
		if (after_call && !ret)
			ret = a;
		if (strstr(line, "call") && strstr(line, "<leaf>"))
			after_call = 1;
	}
	pclose(p);
	return ret;
}

/* Line of marker "LINE:name" in symbolize_elf.c. */
static unsigned int marker_line(const char *src, const char *name)
{
	char want[64], line[512];
	unsigned int n = 0;
	FILE *f = fopen(src, "re");

	snprintf(want, sizeof(want), "LINE:%s ", name);
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, want)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	return 0;
}

static void test_vmlinux(void)
{
	char *elf = path_in_out("vmlinux-6.1.0-test");
	char *elf0 = path_in_out("nodebug.elf");
	char *trace = path_in_out("vml.trace");
	char *out = path_in_out("vml.out"), *src, cmd[8192];
	uint64_t stext, anchor, ret;
	unsigned int lh, lc;
	struct gt_reader *r;
	char b1[128];
	struct enc e;
	char *s;
	int rc;

	if (asprintf(&src, "%s/symbolize_elf.c", srcdir) < 0)
		exit(2);
	snprintf(cmd, sizeof(cmd),
		 "gcc -g -O2 -fno-pie -no-pie -nostdlib -static -Wl,--build-id=0x112233445566778899aabbccddeeff0102030405 -o '%s' '%s' && "
		 "gcc -g0 -O2 -fno-pie -no-pie -nostdlib -static -Wl,--build-id=0x112233445566778899aabbccddeeff0102030405 -o '%s' '%s'",
		 elf, src, elf0, src);
	if (system(cmd)) {
		ok(0, "vmlinux: the test ELF builds (%s)", cmd);
		goto out;
	}
	stext = nm_addr(elf, "_stext");
	anchor = nm_addr(elf, "for_each_kernel_tracepoint");
	ret = call_return(elf);
	lh = marker_line(src, "helper");
	lc = marker_line(src, "caller");
	if (!stext || !anchor || !ret || !lh || !lc) {
		ok(0, "vmlinux: addresses in the test ELF (%" PRIx64 " %" PRIx64 " %" PRIx64 " %u %u)",
		   stext, anchor, ret, lh, lc);
		goto out;
	}
	build_trace(&e, RUN(stext), RUN(anchor), build_id, A(RUN(ret)), 1);
	write_or_die(trace, e.buf, e.len);
	rc = run("symbolize", "--vmlinux", elf, trace, NULL);
	s = last_err();
	ok(rc == 0 && strstr(s, "2 source lines"),
	   "vmlinux: symbols and source lines added (rc %d: %s)", rc, s);
	free(s);
	if (!gt_open_file(trace, &r)) {
		const char *f0 = "", *f1 = "", *file0 = "", *file1 = "";
		uint32_t l0 = 0, l1 = 0;
		int n = gt_nr_srclines(r, RUN(ret));

		gt_srcline(r, RUN(ret), 0, &f0, &file0, &l0);
		gt_srcline(r, RUN(ret), 1, &f1, &file1, &l1);
		ok(n == 2 && !strcmp(f0, "inlined_helper") && l0 == lh &&
		   strstr(file0, "symbolize_elf.c") &&
		   !strcmp(f1, "caller") && l1 == lc,
		   "vmlinux: %d frames: %s:%u (want inlined_helper:%u), %s:%u (want caller:%u)",
		   n, f0, l0, lh, f1, l1, lc);
		gt_close(r);
	} else {
		ok(0, "vmlinux: the trace opens");
	}
	sym_at(trace, RUN(ret), b1, sizeof(b1));
	ok(!strncmp(b1, "caller+0x", 9), "vmlinux: the frame is in caller (%s)",
	   b1);
	{
		char *const argv[] = { (char *)tool, "dump", "--stacks", trace, NULL };
		char *err = path_in_out("vml.err");

		rc = run_cmd(argv, out, err, NULL);
		s = slurp(out);
		snprintf(cmd, sizeof(cmd), "symbolize_elf.c:%u (inlined)", lh);
		ok(rc == 0 && strstr(s, cmd) && strstr(s, "        caller "),
		   "vmlinux: dump --stacks shows the inlined frame (rc %d)",
		   rc);
		free(s);
		free(err);
	}

	/* another build-id */
	enc_free(&e);
	{
		uint8_t other[20];

		memcpy(other, build_id, sizeof(other));
		other[0] ^= 1;
		build_trace(&e, RUN(stext), RUN(anchor), other, A(RUN(ret)), 1);
	}
	write_or_die(trace, e.buf, e.len);
	rc = run("symbolize", "--vmlinux", elf, trace, NULL);
	s = last_err();
	ok(rc == 1 && one_line(s) && strstr(s, "build-id"),
	   "vmlinux: another build-id refused (rc %d: %s)", rc, s);
	free(s);
	enc_free(&e);

	/* no debug information: symbols only, said so */
	build_trace(&e, RUN(stext), RUN(anchor), build_id, A(RUN(ret)), 1);
	write_or_die(trace, e.buf, e.len);
	rc = run("symbolize", "--vmlinux", elf0, trace, NULL);
	s = last_err();
	sym_at(trace, RUN(ret), b1, sizeof(b1));
	ok(rc == 0 && strstr(s, "no debug information") &&
	   !strncmp(b1, "caller+0x", 9),
	   "vmlinux without DWARF: symbols only, with a warning (rc %d, %s)",
	   rc, b1);
	free(s);
	enc_free(&e);
out:
	free(src);
	free(elf);
	free(elf0);
	free(trace);
	free(out);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s GOTRACE_BINARY OUTDIR SRCDIR\n",
			argv[0]);
		return 2;
	}
	tool = argv[1];
	outdir = argv[2];
	srcdir = argv[3];
	mkdir(outdir, 0755);
	test_system_map();
	test_vmlinux();
	return tap_done();
}
