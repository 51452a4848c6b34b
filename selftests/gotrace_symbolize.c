// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_symbolize: offline symbolisation of a "cat /dev/gotrace" trace
 * (issue 14, item 3).
 *
 * A trace with stacks is read with cat, as on a test box, and symbolised
 * twice: from this boot's /proc/kallsyms (gotrace symbolize, the traced
 * machine's way) and from the System.map of the Debian package of this
 * kernel (/boot/System.map-RELEASE, which make check puts in the
 * initramfs), shifted by the KASLR offset the header records.  Every
 * built-in frame must get the same symbol and offset both ways.  A
 * System.map of another build (the anchor function moved) is refused in
 * one line; --force uses it.  The cat trace and the frames kallsyms gave
 * go to the host (/xfer), where scripts/check-symbolize.sh symbolises the
 * trace with the same System.map and the -dbg vmlinux.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"
#include "gotrace_reader.h"

#define GSY_TIMEOUT	300
#define TOOL		"/bin/gotrace"
#define DIR		"/tmp/gsy"

FIXTURE(sy) {
	char map[512];
};

FIXTURE_SETUP(sy)
{
	struct utsname u;

	ASSERT_EQ(0, gtt_make_idle());
	ASSERT_EQ(0, uname(&u));
	snprintf(self->map, sizeof(self->map), "/boot/System.map-%s",
		 u.release);
	ASSERT_EQ(0, system("rm -rf " DIR " && mkdir -p " DIR));
}

FIXTURE_TEARDOWN(sy)
{
	if (system("rm -rf " DIR))
		TH_LOG("rm " DIR " failed");
	gtt_make_idle();
}

static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/* _stext of /proc/kallsyms, 0 if not shown. */
static uint64_t kallsyms_stext(void)
{
	char line[512], name[256], type;
	unsigned long long a;
	uint64_t ret = 0;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return 0;
	while (!ret && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 &&
		    !strcmp(name, "_stext"))
			ret = a;
	fclose(f);
	return ret;
}

/* Page allocations with stacks while a cat reads the stream. */
static int record_with_cat(const char *trace)
{
	size_t len = 256 << 12;
	char *p;
	int rc;

	rc = sh(TOOL " start -e page,sched --stacks");
	if (rc)
		return rc;
	rc = sh("cat /dev/gotrace > %s & echo $! > " DIR "/cat.pid", trace);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED) {
		memset(p, 1, len);
		munmap(p, len);
	}
	rc |= sh(TOOL " stop --wait");
	rc |= sh("while kill -0 $(cat " DIR "/cat.pid) 2>/dev/null; do sleep 0.1; done");
	return rc;
}

/*
 * A System.map of another build: map with for_each_kernel_tracepoint 16
 * bytes later (busybox awk has no 64-bit hex arithmetic).
 */
static int write_other_map(const char *map, const char *out)
{
	FILE *in = fopen(map, "re"), *o = fopen(out, "we");
	char line[512], name[256], type;
	unsigned long long a;
	int moved = 0;

	if (!in || !o) {
		if (in)
			fclose(in);
		if (o)
			fclose(o);
		return -1;
	}
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 &&
		    !strcmp(name, "for_each_kernel_tracepoint")) {
			fprintf(o, "%016llx %c %s\n", a + 16, type, name);
			moved = 1;
		} else {
			fputs(line, o);
		}
	}
	fclose(in);
	return fclose(o) || !moved ? -1 : 0;
}

/* The " => " lines of dump --stacks of trace into out. */
static int dump_frames(const char *trace, const char *out)
{
	return sh(TOOL " dump --stacks %s | grep '^ => ' > %s", trace, out);
}

TEST_F_TIMEOUT(sy, system_map_matches_kallsyms, GSY_TIMEOUT)
{
	const char *off = DIR "/offline.trace", *live = DIR "/live.trace";
	char la[512], lb[512];
	uint64_t stext, link_stext = 0;
	unsigned int same = 0, modules = 0, differ = 0;
	const struct gotrace_header *h;
	struct gt_reader *r;
	FILE *fa, *fb;

	if (access(TOOL, X_OK))
		SKIP(return, "no " TOOL);
	if (access(self->map, R_OK))
		SKIP(return, "no %s (make check copies the Debian package's)",
		     self->map);
	stext = kallsyms_stext();
	if (!stext)
		SKIP(return, "/proc/kallsyms shows no addresses");
	ASSERT_EQ(0, record_with_cat(off));

	ASSERT_EQ(0, gt_open_file(off, &r));
	h = gt_header(r);
	ASSERT_LT(0, gt_nr_stacks(r));
	EXPECT_EQ(stext, h->kernel_stext)
		TH_LOG("header _stext %#" PRIx64 ", kallsyms %#" PRIx64,
		       (uint64_t)h->kernel_stext, stext);
	EXPECT_EQ(20, h->build_id_len);
	EXPECT_STREQ("for_each_kernel_tracepoint", h->anchor_name);
	gt_close(r);
	{
		FILE *m = fopen(self->map, "re");
		char line[512], name[256], type;
		unsigned long long a;

		ASSERT_NE(NULL, m);
		while (!link_stext && fgets(line, sizeof(line), m))
			if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 &&
			    !strcmp(name, "_stext"))
				link_stext = a;
		fclose(m);
	}
	TH_LOG("KASLR offset %#" PRIx64 " (_stext %#" PRIx64 " here, %#" PRIx64 " in System.map)",
	       stext - link_stext, stext, link_stext);

	ASSERT_EQ(0, sh("cp %s %s", off, live));
	/* for the host: scripts/check-symbolize.sh symbolises it there */
	EXPECT_EQ(0, sh("cp %s /xfer/symbolize-cat.trace", off));
	ASSERT_EQ(0, sh(TOOL " symbolize %s", live));
	ASSERT_EQ(0, sh(TOOL " symbolize --system-map %s %s", self->map, off));
	ASSERT_EQ(0, dump_frames(live, DIR "/live.frames"));
	EXPECT_EQ(0, sh("cp " DIR "/live.frames /xfer/symbolize-live.frames"));
	ASSERT_EQ(0, dump_frames(off, DIR "/offline.frames"));
	fa = fopen(DIR "/live.frames", "re");
	fb = fopen(DIR "/offline.frames", "re");
	ASSERT_NE(NULL, fa);
	ASSERT_NE(NULL, fb);
	while (fgets(la, sizeof(la), fa)) {
		if (!fgets(lb, sizeof(lb), fb)) {
			differ++;
			break;
		}
		if (strchr(la, '[')) {
			modules++;	/* a module: not in System.map */
		} else if (!strcmp(la, lb)) {
			same++;
		} else if (differ++ < 5) {
			TH_LOG("kallsyms: %s", la);
			TH_LOG("System.map: %s", lb);
		}
	}
	fclose(fa);
	fclose(fb);
	TH_LOG("%u built-in frames agree, %u differ, %u module frames", same,
	       differ, modules);
	EXPECT_LT(0, same);
	EXPECT_EQ(0, differ);
	EXPECT_EQ(0, sh("grep -q 'handle_mm_fault+0x' " DIR "/offline.frames"));
}

TEST_F_TIMEOUT(sy, other_build_refused, GSY_TIMEOUT)
{
	const char *off = DIR "/offline.trace", *bad = DIR "/other.map";
	char *err;
	size_t n = 0;
	FILE *f;

	if (access(TOOL, X_OK))
		SKIP(return, "no " TOOL);
	if (access(self->map, R_OK))
		SKIP(return, "no %s", self->map);
	if (!kallsyms_stext())
		SKIP(return, "/proc/kallsyms shows no addresses");
	ASSERT_EQ(0, record_with_cat(off));
	/* another build: for_each_kernel_tracepoint 16 bytes later */
	ASSERT_EQ(0, write_other_map(self->map, bad));
	EXPECT_EQ(1, sh(TOOL " symbolize --system-map %s %s 2> " DIR "/err",
			bad, off));
	f = fopen(DIR "/err", "re");
	ASSERT_NE(NULL, f);
	err = calloc(1, 4096);
	n = fread(err, 1, 4095, f);
	fclose(f);
	TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "not of the traced kernel"));
	EXPECT_NE(NULL, strchr(err, '\n'));
	EXPECT_EQ(n, (size_t)(strchr(err, '\n') - err + 1));	/* one line */
	free(err);
	EXPECT_EQ(0, sh(TOOL " symbolize --system-map %s --force %s 2>/dev/null",
			bad, off));
	EXPECT_EQ(0, sh(TOOL " dump --stacks %s | grep -q '^ => handle_mm_fault+0x'",
			off));
}

TEST_HARNESS_MAIN
