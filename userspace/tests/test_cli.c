// SPDX-License-Identifier: GPL-2.0
/*
 * The command-line grammar of gotrace, from the outside: one letter and
 * one long name mean one thing in every command, the filters (--from,
 * --to, --pid, --cpu, --event) of dump, stats, convert and report, '-'
 * for standard input, and one line and exit 2 for bad input.
 *
 *   test_cli GOTRACE_BINARY OUTDIR [FAKEDEV.so]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encoder.h"
#include "proc.h"
#include "tap.h"
#include "gotrace_reader.h"

#define A(...)	((const uint64_t[]){ __VA_ARGS__ })
#define START	1000000000ULL	/* the trace's start_ns */

static const char *tool;
static const char *outdir;
static const char *fakedev;
static char trace[4096];
static size_t out_len;		/* of the last run()'s standard output */

/* The bytes of path (NUL-terminated too), their number in *len. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t cap = 0, n = 0, r;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			char *q = realloc(p, cap + 65536);

			if (!q) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
			cap += 65536;
		}
		r = fread(p + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}

/* Two outputs of out_len bytes and len bytes: the same? */
static int same(const char *a, size_t alen, const char *b, size_t blen)
{
	return a && b && alen == blen && !memcmp(a, b, alen);
}

/* The first line of s, for messages. */
static const char *line1(const char *s)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%.*s", s ? (int)strcspn(s, "\n") : 6,
		 s ? s : "(none)");
	return buf;
}

static char *path_in_out(const char *name)
{
	static char buf[8][4096];
	static int k;
	char *p = buf[k++ % 8];

	snprintf(p, 4096, "%s/%s", outdir, name);
	return p;
}

/*
 * Two CPUs, times relative to the start: on CPU 0 bash (100) switches to
 * worker (200), which allocates and frees a page; on CPU 1 300 is woken,
 * forks its thread 301 (tgid 300), which allocates two pages and runs.
 */
static int build_trace(const char *path)
{
	struct enc e;
	FILE *f;
	int ret;

	enc_init(&e, 2, START);
	enc_batch_begin(&e, 0, 0, START + 1000, 0);
	enc_event(&e, GOTRACE_EV_COMM, 0, START + 1000, A(100), "bash");
	enc_event(&e, GOTRACE_EV_SCHED_SWITCH, 0, START + 10000,
		  A(100, 120, 1, 200, 120), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, START + 20000,
		  A(0x1000, 0, 0xcc0, 1, 200), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_FREE, 0, START + 30000,
		  A(0x1000, 0, 200), NULL);
	enc_batch_end(&e, 0);
	enc_batch_begin(&e, 1, 0, START + 15000, 0);
	enc_event(&e, GOTRACE_EV_SCHED_WAKEUP, 0, START + 15000,
		  A(300, 120, 1), NULL);
	enc_event(&e, GOTRACE_EV_SCHED_PROCESS_FORK, 0, START + 16000,
		  A(300, 301, 300), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, START + 25000,
		  A(0x2000, 1, 0xcc0, 1, 301), NULL);
	enc_event(&e, GOTRACE_EV_SCHED_SWITCH, 0, START + 26000,
		  A(0, 120, 0, 301, 120), NULL);
	enc_batch_end(&e, 0);
	enc_end(&e, START + 40000, 8, 0, 0);
	f = fopen(path, "wb");
	ret = !f || fwrite(e.buf, 1, e.len, f) != e.len;
	if (f && fclose(f))
		ret = 1;
	enc_free(&e);
	return ret ? -1 : 0;
}

/*
 * Run the tool with the words of args (space-separated; "@T" is the
 * trace), its output in *out and *err; return its exit status.
 */
static int run(const char *args, char **out, char **err)
{
	char buf[4096], *argv[32], *save = NULL, *w;
	char o[4096], r[4096];
	int n = 0, st;

	snprintf(buf, sizeof(buf), "%s", args);
	argv[n++] = (char *)tool;
	for (w = strtok_r(buf, " ", &save); w && n < 31;
	     w = strtok_r(NULL, " ", &save))
		argv[n++] = strcmp(w, "@T") ? w : trace;
	argv[n] = NULL;
	snprintf(o, sizeof(o), "%s", path_in_out("cli.out"));
	snprintf(r, sizeof(r), "%s", path_in_out("cli.err"));
	st = run_cmd(argv, o, r, NULL);
	*out = read_all(o, &out_len);
	*err = slurp(r);
	return st;
}

/* A shell command line (pipes); "@G" is the tool, "@T" the trace. */
static int run_sh(const char *cmd, char **out, char **err)
{
	char buf[8192], o[4096], r[4096];
	char *const argv[] = { "/bin/sh", "-c", buf, NULL };
	const char *p;
	size_t n = 0;
	int st;

	for (p = cmd; *p && n < sizeof(buf) - 4200; p++) {
		if (p[0] == '@' && (p[1] == 'G' || p[1] == 'T')) {
			n += snprintf(buf + n, sizeof(buf) - n, "%s",
				      p[1] == 'G' ? tool : trace);
			p++;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	snprintf(o, sizeof(o), "%s", path_in_out("cli-sh.out"));
	snprintf(r, sizeof(r), "%s", path_in_out("cli-sh.err"));
	st = run_cmd(argv, o, r, NULL);
	*out = read_all(o, &out_len);
	*err = slurp(r);
	return st;
}

static int nr_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* Does every line of s contain word? */
static int all_lines_have(const char *s, const char *word)
{
	const char *nl;

	for (; s && *s; s = nl + 1) {
		const char *hit = strstr(s, word);

		nl = strchr(s, '\n');
		if (!nl)
			return 0;
		if (!hit || hit > nl)
			return 0;
	}
	return 1;
}

/* ---- one letter, one long name, one meaning ------------------------------ */

#define MAX_CMDS	32

static int commands(char names[MAX_CMDS][32])
{
	char *out, *err, *p;
	int n = 0, on = 0;

	run("help", &out, &err);
	for (p = out ? strtok(out, "\n") : NULL; p && n < MAX_CMDS;
	     p = strtok(NULL, "\n")) {
		if (!strncmp(p, "Commands:", 9)) {
			on = 1;
			continue;
		}
		if (on && p[0] == ' ' && p[1] == ' ' && p[2] != ' ' &&
		    sscanf(p, "%31s", names[n]) == 1)
			n++;
	}
	free(out);
	free(err);
	return n;
}

static void test_letters(void)
{
	char names[MAX_CMDS][32];
	char long_of[128][40] = { { 0 } }, first_cmd[128][32] = { { 0 } };
	int i, n, bad = 0, nr_opts = 0;

	n = commands(names);
	ok(n >= 10, "gotrace help lists the commands (%d)", n);
	for (i = 0; i < n; i++) {
		char cmd[64], *out, *err, *line, *save = NULL;
		int st;

		if (!strcmp(names[i], "help") || !strcmp(names[i], "version"))
			continue;
		snprintf(cmd, sizeof(cmd), "%s --help", names[i]);
		st = run(cmd, &out, &err);
		if (st != 0 || !out || !strstr(out, "  -h, --help")) {
			ok(0, "%s --help: exit %d", names[i], st);
			bad++;
		}
		for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			char letter, name[40];
			unsigned char c;

			if (sscanf(line, "  -%c, --%39[a-z0-9-]", &letter,
				   name) != 2)
				continue;
			nr_opts++;
			c = (unsigned char)letter;
			if (c >= 128)
				continue;
			if (!long_of[c][0]) {
				snprintf(long_of[c], sizeof(long_of[c]), "%s",
					 name);
				snprintf(first_cmd[c], sizeof(first_cmd[c]),
					 "%s", names[i]);
			} else if (strcmp(long_of[c], name)) {
				ok(0, "-%c is --%s in %s but --%s in %s",
				   letter, long_of[c], first_cmd[c], name,
				   names[i]);
				bad++;
			}
		}
		free(out);
		free(err);
	}
	ok(!bad && nr_opts > 20,
	   "every letter names the same long option in every command (%d options seen)",
	   nr_opts);
}

/* Every long name has the same letter (or none) in every command. */
static void test_long_names(void)
{
	char names[MAX_CMDS][32], seen[256][48];
	int nr_seen = 0, i, j, n, bad = 0;

	n = commands(names);
	for (i = 0; i < n; i++) {
		char cmd[64], *out, *err, *line, *save = NULL;

		snprintf(cmd, sizeof(cmd), "%s --help", names[i]);
		run(cmd, &out, &err);
		for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			char key[48], name[40], letter = 0;

			if (sscanf(line, "  -%c, --%39[a-z0-9-]", &letter,
				   name) != 2 &&
			    sscanf(line, "      --%39[a-z0-9-]", name) != 1)
				continue;
			snprintf(key, sizeof(key), "%s %c", name,
				 letter ? letter : '_');
			for (j = 0; j < nr_seen; j++) {
				size_t l = strlen(name);

				if (!strncmp(seen[j], name, l) &&
				    seen[j][l] == ' ' && strcmp(seen[j], key)) {
					ok(0, "--%s: '%s' and '%s' (%s)", name,
					   seen[j], key, names[i]);
					bad++;
				}
			}
			if (nr_seen < 256)
				snprintf(seen[nr_seen++], 48, "%s", key);
		}
		free(out);
		free(err);
	}
	ok(!bad, "every long option has one letter (or none) in every command");
}

/* ---- the filters ----------------------------------------------------------- */

static void test_dump_filters(void)
{
	static const struct {
		const char *opts;
		int lines;
		const char *every;	/* on every line */
	} tests[] = {
		{ "", 7, " cpu=" },
		{ "--cpu 1", 4, " cpu=1 " },
		{ "-C 0-0", 3, " cpu=0 " },
		{ "--event mm_page_alloc", 2, " mm_page_alloc " },
		{ "-e page", 3, " mm_page_" },
		{ "-e sched_switch,mm_page_free", 3, " " },
		{ "--pid 300", 4, "30" },	/* 300 and its thread 301 */
		{ "-p 200", 3, "pid=200" },
		{ "--from 15us --to 25us", 4, " " },
		{ "--from 0.000026", 2, " " },
		{ "--pid 301 --cpu 1 --event mm_page_alloc", 1,
		  " mm_page_alloc " },
		{ "--cpus 1", 4, " cpu=1 " },		/* old spelling */
		{ "--events page", 3, " mm_page_" },	/* old spelling */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		char cmd[256], *out, *err;
		int st;

		snprintf(cmd, sizeof(cmd), "dump %s @T", tests[i].opts);
		st = run(cmd, &out, &err);
		ok(st == 0 && nr_lines(out) == tests[i].lines &&
		   all_lines_have(out, tests[i].every),
		   "dump %s: exit %d, %d lines (want %d)%s", tests[i].opts,
		   st, nr_lines(out), tests[i].lines,
		   st == 0 ? "" : line1(err));
		free(out);
		free(err);
	}
}

/* Each filter is taken by stats, convert and report, and changes them. */
static void test_filters_everywhere(void)
{
	static const char *const cmds[] = {
		"stats --json", "convert -f perfetto -q -o -",
		"convert -f go -q -o -", "report -o -",
	};
	static const char *const filters[] = {
		"--pid 200", "--cpu 1", "--event sched", "--from 16us",
		"--to 16us",
	};
	size_t c, f;

	for (c = 0; c < ARRAY_SIZE(cmds); c++) {
		char cmd[256], *all, *err;
		size_t all_len;
		int st;

		snprintf(cmd, sizeof(cmd), "%s @T", cmds[c]);
		st = run(cmd, &all, &err);
		all_len = out_len;
		ok(st == 0 && all && *all, "%s: exit %d", cmds[c], st);
		free(err);
		for (f = 0; f < ARRAY_SIZE(filters); f++) {
			char *out;

			snprintf(cmd, sizeof(cmd), "%s %s @T", cmds[c],
				 filters[f]);
			st = run(cmd, &out, &err);
			ok(st == 0 && out_len && !same(out, out_len, all, all_len),
			   "%s %s: exit %d, output filtered %s", cmds[c],
			   filters[f], st, st ? line1(err) : "");
			free(out);
			free(err);
		}
		free(all);
	}
}

/*
 * record into a file by each path: splice unpacked (the summary from a
 * walk over the file), splice then pack after the trace, read() and pack
 * as it comes.  The file is a whole trace with the summary's events.
 */
static void test_record_file(void)
{
	static const char *const modes[] = { "--no-pack", "", "--no-splice" };
	char dir[] = "/tmp/gotrace-cli-XXXXXX";
	unsigned int i;

	if (!fakedev) {
		skip("record -o FILE: no fake device");
		return;
	}
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		char cmd[8192], *got, *err, *sgot, *serr;
		unsigned long long ev = 0, sev = 0;
		const char *p;
		int st, sst;

		snprintf(cmd, sizeof(cmd),
			 "LD_PRELOAD=%s ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 @G record -o %s/t %s -e sched -- sleep 0.1",
			 fakedev, dir, modes[i]);
		st = run_sh(cmd, &got, &err);
		p = err ? strstr(err, "recorded ") : NULL;
		if (p)
			ev = strtoull(p + 9, NULL, 10);
		snprintf(cmd, sizeof(cmd), "@G stats --json %s/t", dir);
		sst = run_sh(cmd, &sgot, &serr);
		p = sgot ? strstr(sgot, "\"events\":") : NULL;
		if (p)
			sev = strtoull(p + 9, NULL, 10);
		ok(st == 0 && sst == 0 && ev > 0 && sev == ev,
		   "record -o FILE %s: exit %d, %llu events; stats: exit %d, %llu events (%s)",
		   modes[i], st, ev, sst, sev, line1(err));
		free(got);
		free(err);
		free(sgot);
		free(serr);
	}
	{
		char path[64];

		snprintf(path, sizeof(path), "%s/t", dir);
		unlink(path);
		rmdir(dir);
	}
}

/* ---- standard input ------------------------------------------------------- */

static void test_stdin(void)
{
	static const char *const cmds[] = {
		"dump", "stats --json", "convert -f perfetto -q -o -",
		"convert -f go -q -o -", "report -o -",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		char cmd[8192], *want, *got, *err, *file;
		size_t want_len;
		int st, st2;

		snprintf(cmd, sizeof(cmd), "%s @T", cmds[i]);
		st = run(cmd, &want, &err);
		want_len = out_len;
		free(err);
		/* report names its file: "-" when it read stdin */
		snprintf(cmd, sizeof(cmd), "\"file\":\"%s\"", trace);
		file = want ? strstr(want, cmd) : NULL;
		if (file) {
			size_t l = strlen(cmd);

			memcpy(file, "\"file\":\"-\"", 10);
			memmove(file + 10, file + l, want_len - (file - want) - l);
			want_len -= l - 10;
		}
		snprintf(cmd, sizeof(cmd), "cat @T | @G %s -", cmds[i]);
		st2 = run_sh(cmd, &got, &err);
		ok(st == 0 && st2 == 0 && same(want, want_len, got, out_len),
		   "cat T | gotrace %s -: exit %d, the output of the file (%zu bytes)",
		   cmds[i], st2, out_len);
		free(want);
		free(got);
		free(err);
	}
	{
		char *got, *err, *want;
		size_t want_len;
		int st;

		run("dump @T", &want, &err);
		want_len = out_len;
		free(err);
		st = run_sh("@G dump - < @T", &got, &err);
		ok(st == 0 && same(want, want_len, got, out_len),
		   "gotrace dump - < T (a file as stdin): exit %d", st);
		free(want);
		free(got);
		free(err);
	}
	{
		char *got, *err;
		int st = run_sh("printf 'not a trace' | @G stats -", &got,
				&err);

		ok(st == 1 && nr_lines(err) == 1 && strstr(err, "<stdin>"),
		   "a pipe that is not a trace: exit %d, one line (%s)", st,
		   line1(err));
		free(got);
		free(err);
	}
	if (fakedev) {
		char cmd[8192], *got, *err;
		int st;

		snprintf(cmd, sizeof(cmd),
			 "LD_PRELOAD=%s ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 @G record -o - -e sched -- sleep 0.1 | @G stats --json -",
			 fakedev);
		st = run_sh(cmd, &got, &err);
		ok(st == 0 && got && strstr(got, "\"events\""),
		   "gotrace record -o - | gotrace stats -: exit %d (%s)", st,
		   line1(err));
		free(got);
		free(err);
	} else {
		skip("record -o - | stats -: no fake device");
	}
	test_record_file();
}

/* ---- bad input: one line, exit 2 -------------------------------------------- */

static void test_bad_input(void)
{
	static const struct {
		const char *args;
		const char *says;
	} cases[] = {
		{ "stats --no-such-option @T", "unknown option '--no-such-option'" },
		{ "dump -Z @T", "unknown option '-Z'" },
		{ "stats --top", "option needs a value: '--top'" },
		{ "dump -p", "option needs a value: '-p'" },
		{ "stats --json=1 @T", "option takes no value: '--json'" },
		{ "stats --pid abc @T", "bad pid 'abc'" },
		{ "dump --cpu 3-1 @T", "bad CPU list '3-1'" },
		{ "convert -f go -o - --event nosuch @T", "unknown event or group 'nosuch'" },
		{ "report -o - --from 1x @T", "bad --from '1x'" },
		{ "stats --from 2s --to 1s @T", "--to is before --from" },
		{ "dump", "expected one FILE" },
		{ "dump @T @T", "expected one FILE" },
		{ "convert -o - @T", "need --format" },
		{ "convert -f svg -o - @T", "unknown format 'svg'" },
		{ "pack @T", "-o OUT is required" },
		{ "pack -d -o - @T", "unknown option '-d'" },
		{ "record -- true", "-o FILE is required" },
		{ "record -o x -b 1T -- true", "bad size '1T'" },
		{ "record -o x -e nosuch -- true", "bad event groups 'nosuch'" },
		{ "start --tid", "option needs a value: '--tid'" },
		{ "stop now", "expected no operands" },
		{ "status -x", "unknown option '-x'" },
		{ "bench -n 5", "unknown option '-n'" },
		{ "symbolize", "expected one TRACE" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out, *err;
		int st = run(cases[i].args, &out, &err);

		ok(st == 2 && nr_lines(err) == 1 && err &&
		   strstr(err, cases[i].says) && out && !*out,
		   "gotrace %s: exit %d, one line: %s", cases[i].args, st,
		   line1(err));
		free(out);
		free(err);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s GOTRACE_BINARY OUTDIR [FAKEDEV.so]\n",
			argv[0]);
		return 2;
	}
	tool = argv[1];
	outdir = argv[2];
	fakedev = argc > 3 ? argv[3] : NULL;
	mkdir(outdir, 0755);
	snprintf(trace, sizeof(trace), "%s", path_in_out("cli.trace"));
	if (build_trace(trace)) {
		printf("Bail out! cannot write %s\n", trace);
		return 1;
	}
	test_letters();
	test_long_names();
	test_dump_filters();
	test_filters_everywhere();
	test_stdin();
	test_bad_input();
	return tap_done();
}
