// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the stream's generations and of the older formats:
 *
 * - tests/data/v2-stacks.trace, recorded by the module of format version 2
 *   (gotrace record --stacks --raw on Debian's 6.1, in the test VM), still
 *   decodes: every event, every stack id resolved, symbols, and the tool's
 *   dump, stats and convert accept it.
 *
 * Usage: test_generations GOTRACE_BINARY OUTDIR SRCDIR
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "gotrace_reader.h"

static const char *tool;
static const char *outdir;
static const char *srcdir;

/* Run a shell command, its output as TAP comments; its exit status. */
static __attribute__((format(printf, 1, 2)))
int sh(const char *fmt, ...);

static int sh(const char *fmt, ...)
{
	char cmd[4096], full[4200];
	char *argv[] = { "bash", "-c", full, NULL };
	va_list ap;
	pid_t pid;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full),
		 "( %s ) 2>&1 | sed 's/^/# /'; exit ${PIPESTATUS[0]}", cmd);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execvp("bash", argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* What decoding a whole reader found. */
struct walk {
	size_t events;		/* tracepoint events (COMM not counted) */
	size_t with_stack;	/* events with a stack id */
	size_t unresolved;	/* of those, ids without a STACK record */
	uint32_t first_unresolved;
	int ret;		/* gt_next()'s last return */
};

static void walk(struct gt_reader *r, struct walk *w)
{
	struct gt_event ev;
	const uint64_t *frames;

	memset(w, 0, sizeof(*w));
	while ((w->ret = gt_next(r, &ev)) > 0) {
		w->events += ev.type != GOTRACE_EV_COMM;
		if (!ev.stack_id)
			continue;
		w->with_stack++;
		if (gt_stack(r, ev.stack_id, &frames) <= 0) {
			if (!w->unresolved++)
				w->first_unresolved = ev.stack_id;
		}
	}
}

static void test_v2_fixture(void)
{
	char path[4096];
	const struct gt_summary *s;
	const uint64_t *frames;
	const char *sym = NULL;
	struct gt_reader *r;
	struct walk w;
	size_t i;
	int n;

	snprintf(path, sizeof(path), "%s/data/v2-stacks.trace", srcdir);
	if (gt_open_file(path, &r)) {
		ok(0, "version 2 fixture opens: %s", gt_error(NULL));
		return;
	}
	ok(gt_header(r)->version == 2, "fixture is format version %u (2)",
	   gt_header(r)->version);
	walk(r, &w);
	s = gt_summary(r);
	ok(w.ret == 0 && s->complete && !s->truncated,
	   "version 2 fixture decodes to its END (ret %d: %s)", w.ret,
	   gt_error(r));
	ok(w.events == s->events, "%zu events decoded, END says %llu",
	   w.events,
	   (unsigned long long)s->events);
	ok(gt_nr_stacks(r) > 0 && w.with_stack > 0 && !w.unresolved,
	   "every stack id resolves: %zu events with a stack, %zu stacks, %zu unresolved (first %u)",
	   w.with_stack, gt_nr_stacks(r), w.unresolved, w.first_unresolved);
	for (i = 0; i < gt_nr_stacks(r) && !sym; i++) {
		n = gt_stack(r, gt_stack_id(r, i), &frames);
		if (n > 0)
			sym = gt_symbol(r, frames[0], NULL, NULL);
	}
	ok(sym != NULL, "its stacks are symbolised from its SYMBOLS record (%s)",
	   sym ? sym : "none");
	gt_close(r);

	ok(sh("'%s' dump '%s' >'%s/v2.dump' && test -s '%s/v2.dump'", tool,
	      path, outdir, outdir) == 0, "gotrace dump reads the version 2 fixture");
	ok(sh("'%s' stats '%s' >/dev/null", tool, path) == 0,
	   "gotrace stats reads the version 2 fixture");
	ok(sh("'%s' convert -q --format=perfetto -o '%s/v2.json' '%s' && test -s '%s/v2.json'",
	      tool, outdir, path, outdir) == 0,
	   "gotrace convert reads the version 2 fixture");
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

	test_v2_fixture();
	printf("1..%d\n", nr_tests);
	if (nr_failed)
		printf("# %d of %d tests failed\n", nr_failed, nr_tests);
	return nr_failed ? 1 : 0;
}
