// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroups on the reader side (format version 4): CGROUP records by id,
 * each task's cgroup over time (TASK_CGROUP, CGROUP_ATTACH_TASK, fork),
 * malformed CGROUP records, and the by-cgroup numbers of stats (text,
 * --by cgroup, --json) on a trace whose pages are known.
 *
 *   test_cgroups GOTRACE_BINARY OUTDIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../analysis.h"
#include "encoder.h"
#include "gotrace_reader.h"
#include "proc.h"
#include "tap.h"

#define A(...)	((const uint64_t[]){ __VA_ARGS__ })
#define T0	1000000ULL
#define ROOT_ID	1ULL
#define WEB_ID	0x100000042ULL
#define DB_ID	0x100000043ULL
/* An id of 20 digits: the text columns still line up. */
#define WIDE_ID	0xfffffffffffff042ULL

static const char *tool, *outdir;

/* A CGROUP record: id, flags, path (padded with zeros to 8). */
static void enc_cgroup(struct enc *e, uint64_t id, uint32_t flags,
		       const char *path, uint32_t path_len)
{
	struct gotrace_cgroup c;
	static const uint8_t zero[8];
	size_t n = strlen(path);

	memset(&c, 0, sizeof(c));
	c.rec.type = GOTRACE_REC_CGROUP;
	c.rec.len = sizeof(c) + ((n + 7) & ~(size_t)7);
	c.id = id;
	c.flags = flags;
	c.path_len = path_len;
	enc_bytes(e, &c, sizeof(c));
	enc_bytes(e, path, n);
	enc_bytes(e, zero, ((n + 7) & ~(size_t)7) - n);
}

static void enc_generation(struct enc *e, uint32_t gen, uint32_t batches,
			   uint32_t cgroups)
{
	struct gotrace_generation g;

	memset(&g, 0, sizeof(g));
	g.rec.type = GOTRACE_REC_GENERATION;
	g.rec.len = sizeof(g);
	g.gen = gen;
	g.batches = batches;
	g.cgroups = cgroups;
	enc_bytes(e, &g, sizeof(g));
}

/*
 * Task 100 (in /web) allocates 4 + 1 pages and frees the 1; task 200
 * (root) allocates 2; 100 forks 101, which inherits /web and allocates 1;
 * 101 is moved to /db and allocates 8 there, which 100 frees (they
 * leave /db, whoever frees).  Task 300 allocates 1 with no cgroup known.
 * Outstanding at the end: /web 4 + 1 = 5 pages, root 2, none 1, /db 0.
 * 10 events (TASK_CGROUP is not one).  /web's id is web_id.
 */
static void build(struct enc *e, uint64_t groups, uint64_t web_id)
{
	static const uint32_t pids[] = { 100, 200 };
	static const char *const names[] = { "web", "init" };
	size_t off = GOTRACE_MAGIC_LEN + offsetof(struct gotrace_header,
						  groups);

	enc_init(e, 1, T0);
	memcpy(e->buf + off, &groups, sizeof(groups));
	enc_tasks(e, 2, pids, names);
	enc_batch_begin(e, 0, 0, T0 + 1000, 0);
	enc_event(e, GOTRACE_EV_TASK_CGROUP, 0, T0 + 1000, A(100, web_id),
		  NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 1001,
		  A(0x1000, 2, 0xcc0, 1, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 1001,
		  A(0x1010, 0, 0xcc0, 1, 100), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 1002, A(0x1010, 0, 100),
		  NULL);
	enc_event(e, GOTRACE_EV_TASK_CGROUP, 0, T0 + 1003, A(200, ROOT_ID),
		  NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 1004,
		  A(0x2000, 1, 0xcc0, 1, 200), NULL);
	enc_event(e, GOTRACE_EV_SCHED_PROCESS_FORK, 0, T0 + 1005,
		  A(100, 101, 101), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 1006,
		  A(0x3000, 0, 0xcc0, 1, 101), NULL);
	enc_batch_end(e, 0);
	enc_cgroup(e, web_id, 0, "/web", 4);
	enc_cgroup(e, ROOT_ID, 0, "/", 1);
	enc_generation(e, 1, 1, 2);

	enc_batch_begin(e, 0, 1, T0 + 2000, 0);
	enc_event(e, GOTRACE_EV_CGROUP_ATTACH_TASK, 0, T0 + 2000,
		  A(DB_ID, 1, 101, 1), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 2001,
		  A(0x4000, 3, 0xcc0, 1, 101), NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_FREE, 0, T0 + 2002, A(0x4000, 3, 100),
		  NULL);
	enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 2003,
		  A(0x5000, 0, 0xcc0, 1, 300), NULL);
	enc_batch_end(e, 0);
	enc_cgroup(e, DB_ID, 0, "/db", 3);
	enc_generation(e, 2, 1, 1);
	enc_cpu_end(e, 0, 2, 10, 0, 0);
	enc_end(e, T0 + 3000, 10, 0, 0);
}

static void test_reader_side(void)
{
	const struct gt_cgroup *c;
	struct gt_reader *r;
	struct gt_event ev;
	uint64_t at_alloc[8] = { 0 };
	unsigned int n = 0, meta = 0;
	struct enc e;
	int ret;

	build(&e, GOTRACE_GROUP_ALL, WEB_ID);
	ret = gt_open_mem(e.buf, e.len, &r);
	ok(!ret, "a version %u trace with cgroups opens (%d: %s)",
	   GOTRACE_VERSION, ret, ret ? gt_error(NULL) : "");
	if (ret) {
		enc_free(&e);
		return;
	}
	ok(gt_nr_cgroups(r) == 3, "three CGROUP records (%zu)",
	   gt_nr_cgroups(r));
	c = gt_cgroup(r, WEB_ID);
	ok(c && !strcmp(c->path, "/web") && !c->flags,
	   "id %#llx is /web (%s)", WEB_ID, c ? c->path : "none");
	c = gt_cgroup(r, ROOT_ID);
	ok(c && !strcmp(c->path, "/"), "id 1 is / (%s)", c ? c->path : "none");
	ok(!gt_cgroup(r, 77), "an id without a record: NULL");
	ok(gt_task_cgroup(r, 100) == 0, "no task's cgroup before gt_next()");
	while ((ret = gt_next(r, &ev)) > 0) {
		if (ev.type == GOTRACE_EV_TASK_CGROUP)
			meta++;
		if (ev.type == GOTRACE_EV_MM_PAGE_ALLOC && n < 8)
			at_alloc[n++] = gt_task_cgroup(r, (uint32_t)ev.args[4]);
	}
	ok(ret == 0, "decoded to the end (%d: %s)", ret, gt_error(r));
	ok(meta == 2, "TASK_CGROUP events are returned (%u)", meta);
	ok(n == 6 && at_alloc[0] == WEB_ID && at_alloc[1] == WEB_ID &&
	   at_alloc[2] == ROOT_ID && at_alloc[3] == WEB_ID &&
	   at_alloc[4] == DB_ID && !at_alloc[5],
	   "each allocation's task cgroup at its time: web, web, root, web (fork), db (moved), none");
	ok(gt_task_cgroup(r, 101) == DB_ID && gt_task_cgroup(r, 100) == WEB_ID,
	   "at the end: 101 in /db, 100 still in /web");
	ok(gt_summary(r)->events == 10 && gt_summary(r)->cpus[0].events_seen == 10,
	   "TASK_CGROUP is not an event: the batches' counts match END's 10");
	gt_close(r);
	enc_free(&e);
}

/* CGROUP records that do not parse stop the reader with a clear error. */
static void test_bad_records(void)
{
	struct gt_reader *r;
	struct enc e;
	int ret;

	enc_init(&e, 1, T0);
	enc_batch_begin(&e, 0, 0, T0 + 1, 0);
	enc_event(&e, GOTRACE_EV_TASK_CGROUP, 0, T0 + 1, A(1, 5), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 2,
		  A(0x1000, 0, 0xcc0, 1, 1), NULL);
	enc_batch_end(&e, 0);
	enc_cgroup(&e, 5, 0, "/x", 200);	/* path_len past the record */
	enc_generation(&e, 1, 1, 1);
	enc_end(&e, T0 + 10, 1, 0, 0);
	ret = gt_open_mem(e.buf, e.len, &r);
	if (!ret) {
		struct gt_event ev;

		while ((ret = gt_next(r, &ev)) > 0)
			;
		ok(ret == -EINVAL && strstr(gt_error(r), "CGROUP record"),
		   "a path longer than its record: an error naming it (%s)",
		   gt_error(r));
		gt_close(r);
	} else {
		ok(!!strstr(gt_error(NULL), "CGROUP"),
		   "a path longer than its record: refused (%s)",
		   gt_error(NULL));
	}
	enc_free(&e);

	enc_init(&e, 1, T0);
	enc_batch_begin(&e, 0, 0, T0 + 1, 0);
	enc_event(&e, GOTRACE_EV_TASK_CGROUP, 0, T0 + 1, A(1, 5), NULL);
	enc_event(&e, GOTRACE_EV_MM_PAGE_ALLOC, 0, T0 + 2,
		  A(0x1000, 0, 0xcc0, 1, 1), NULL);
	enc_batch_end(&e, 0);
	enc_cgroup(&e, 5, 0, "/a\0b", 4);
	enc_generation(&e, 1, 1, 1);
	enc_end(&e, T0 + 10, 1, 0, 0);
	ret = gt_open_mem(e.buf, e.len, &r);
	if (!ret) {
		struct gt_event ev;

		while ((ret = gt_next(r, &ev)) > 0)
			;
		ok(ret == -EINVAL && strstr(gt_error(r), "NUL"),
		   "a NUL inside a path: an error (%s)", gt_error(r));
		gt_close(r);
	} else {
		ok(!!strstr(gt_error(NULL), "NUL"),
		   "a NUL inside a path: refused (%s)", gt_error(NULL));
	}
	enc_free(&e);

	/* A version 3 reader would not know the event: neither do we. */
	enc_init(&e, 1, T0);
	{
		uint32_t v = 3;

		memcpy(e.buf + GOTRACE_MAGIC_LEN +
		       offsetof(struct gotrace_header, version), &v, sizeof(v));
	}
	enc_batch_begin(&e, 0, 0, T0 + 1, 0);
	enc_event(&e, GOTRACE_EV_TASK_CGROUP, 0, T0 + 1, A(1, 5), NULL);
	enc_batch_end(&e, 0);
	enc_end(&e, T0 + 10, 0, 0, 0);
	ret = gt_open_mem(e.buf, e.len, &r);
	if (!ret) {
		struct gt_event ev;

		while ((ret = gt_next(r, &ev)) > 0)
			;
		ok(ret == -EINVAL && strstr(gt_error(r), "unknown event type"),
		   "a version 3 trace with a version 4 event: unknown type (%s)",
		   gt_error(r));
		gt_close(r);
	}
	enc_free(&e);
}

static const struct ga_cgroup *row_of(const struct ga_result *res,
				      uint64_t id)
{
	size_t i;

	for (i = 0; i < res->cg.nr; i++)
		if (res->cg.rows[i].id == id)
			return &res->cg.rows[i];
	return NULL;
}

static void test_analysis(void)
{
	const struct ga_cgroup *web, *db, *root, *none;
	const struct ga_result *res;
	struct gt_reader *r;
	struct ga *a;
	struct enc e;

	build(&e, GOTRACE_GROUP_ALL, WEB_ID);
	if (gt_open_mem(e.buf, e.len, &r)) {
		ok(0, "open: %s", gt_error(NULL));
		return;
	}
	a = ga_new(r, NULL);
	ok(a && !ga_run(a), "analysed");
	if (!a) {
		gt_close(r);
		return;
	}
	res = ga_result(a);
	web = row_of(res, WEB_ID);
	db = row_of(res, DB_ID);
	root = row_of(res, ROOT_ID);
	none = row_of(res, 0);
	ok(res->cg.traced && res->cg.nr == 4, "four rows (%zu)", res->cg.nr);
	ok(web && web->allocs == 3 && web->alloc_pages == 6 &&
	   web->freed_pages == 1 && web->outstanding == 2 &&
	   web->outstanding_pages == 5 && !strcmp(web->path, "/web"),
	   "/web: 3 allocs, 6 pages, 1 freed, 5 outstanding (the fork's page too)");
	ok(db && db->alloc_pages == 8 && db->freed_pages == 8 &&
	   !db->outstanding_pages,
	   "/db: 8 pages allocated after the move, freed by another task");
	ok(root && root->alloc_pages == 2 && root->outstanding_pages == 2,
	   "/: 2 pages outstanding");
	ok(none && none->alloc_pages == 1 && !none->path,
	   "a task with no cgroup known: the id 0 row");
	ok(res->cg.rows[0].id == WEB_ID,
	   "rows by outstanding pages: /web first");
	ga_free(a);
	gt_close(r);
	enc_free(&e);

	/* Without the cgroup group: no table. */
	build(&e, GOTRACE_GROUP_PAGE | GOTRACE_GROUP_SCHED, WEB_ID);
	if (!gt_open_mem(e.buf, e.len, &r)) {
		a = ga_new(r, NULL);
		ok(a && !ga_run(a) && !ga_result(a)->cg.traced &&
		   !ga_result(a)->cg.nr,
		   "a trace without the cgroup group: no cgroup rows");
		ga_free(a);
		gt_close(r);
	}
	enc_free(&e);
}

static char *out_path(const char *name)
{
	char *p = malloc(strlen(outdir) + strlen(name) + 2);

	if (p)
		sprintf(p, "%s/%s", outdir, name);
	return p;
}

/* build()'s trace, all groups, into path; -1 (a failed test): not written. */
static int write_trace(const char *path, uint64_t web_id)
{
	struct enc e;
	FILE *f;
	int rc = 0;

	build(&e, GOTRACE_GROUP_ALL, web_id);
	f = fopen(path, "we");
	if (!f || fwrite(e.buf, 1, e.len, f) != e.len || fclose(f)) {
		ok(0, "write %s", path);
		rc = -1;
	}
	enc_free(&e);
	return rc;
}

static void test_tool(void)
{
	char *trace = out_path("cgroups.trace"), *out = out_path("cgroups.out");
	char *err = out_path("cgroups.err"), *s;
	int rc;

	if (write_trace(trace, WEB_ID))
		return;

	{
		char *const argv[] = { (char *)tool, "stats", "--by", "cgroup", trace,
				       NULL };

		rc = run_cmd(argv, out, err, NULL);
		s = slurp(out);
		ok(rc == 0 && s && strstr(s, "== By cgroup") &&
		   strstr(s, "/web") && strstr(s, "/db") &&
		   strstr(s, "  by cgroup:\n") &&
		   strstr(s, "      cgroup path ") &&
		   strstr(s, "  4294967362 /web ") &&
		   strstr(s, "           0 (no task cgroup) "),
		   "stats --by cgroup: outstanding pages by cgroup, and the cgroup table (rc %d)",
		   rc);
		ok(s && strstr(s, "(no task cgroup)"),
		   "stats --by cgroup: the row of tasks with no cgroup");
		free(s);
	}
	{
		char *const argv[] = { (char *)tool, "stats", "--json", trace, NULL };

		rc = run_cmd(argv, out, err, NULL);
		s = slurp(out);
		ok(rc == 0 && s &&
		   strstr(s, "\"cgroups\":[{\"id\":4294967362,\"path\":\"/web\","
			  "\"path_cut\":false,\"allocs\":3,\"alloc_pages\":6,"
			  "\"freed_pages\":1,\"outstanding\":2,"
			  "\"outstanding_pages\":5}"),
		   "stats --json: cgroups, /web first with its numbers (rc %d)",
		   rc);
		free(s);
	}
	{
		char *const argv[] = { (char *)tool, "stats", "--by", "comm", trace,
				       NULL };

		rc = run_cmd(argv, out, err, NULL);
		s = slurp(err);
		ok(rc == 2 && s && strstr(s, "--by"),
		   "stats --by with an unknown key: usage error (rc %d)", rc);
		free(s);
	}
	{
		char *const argv[] = { (char *)tool, "dump", trace, NULL };

		rc = run_cmd(argv, out, err, NULL);
		s = slurp(out);
		ok(rc == 0 && s &&
		   strstr(s, " task_cgroup comm=web pid=100 cgroup_id=4294967362"
			  " cgroup_path=/web") &&
		   strstr(s, " cgroup_attach_task dst_id=4294967363 dst_path=/db"
			  " dst_level=1 comm=<...> pid=101 threadgroup=1"),
		   "dump: the cgroup events with their paths (rc %d)", rc);
		free(s);
	}
	{
		char *const argv[] = { (char *)tool, "report", "-o", out, trace,
				       NULL };

		char *log = out_path("report.log");

		rc = run_cmd(argv, log, err, NULL);
		free(log);
		s = slurp(out);
		ok(rc == 0 && s && strstr(s, "t-cgroups") &&
		   strstr(s, "\"path\":\"/db\""),
		   "report: the cgroup table and its data (rc %d)", rc);
		free(s);
	}
	free(trace);
	free(out);
	free(err);
}

/*
 * The column of word on the first line of s, from *from on, that has
 * line_has; -1: none.  *from moves past that line.
 */
static int col_of(const char **from, const char *line_has, const char *word)
{
	const char *l = strstr(*from, line_has), *bol, *eol, *w;

	if (!l)
		return -1;
	for (bol = l; bol > *from && bol[-1] != '\n'; bol--)
		;
	eol = strchr(l, '\n');
	if (!eol)
		eol = l + strlen(l);
	*from = eol;
	w = strstr(bol, word);
	return w && w < eol ? (int)(w - bol) : -1;
}

/* Cgroup ids of 20 digits: the text tables' path columns stay in line. */
static void test_wide_ids(void)
{
	char *trace = out_path("wide.trace"), *out = out_path("wide.out");
	char *err = out_path("wide.err"), *s;
	char *const argv[] = { (char *)tool, "stats", "--by", "cgroup", trace, NULL };
	/* Each table: the line above its header, the header's path word. */
	static const char *const tables[][3] = {
		{ "  by cgroup:", " path ", "outstanding" },
		{ "== By cgroup", " path", "cgroup" },
	};
	const char *p;
	int rc, bad = 0;
	size_t t;

	if (write_trace(trace, WIDE_ID))
		return;
	rc = run_cmd(argv, out, err, NULL);
	s = slurp(out);
	p = s ? s : "";
	for (t = 0; t < ARRAY_SIZE(tables); t++) {
		int head = -1, row;

		if (col_of(&p, tables[t][0], tables[t][0]) >= 0)
			head = col_of(&p, tables[t][1], tables[t][1]);
		row = col_of(&p, "18446744073709547586", " /web");
		ok(rc == 0 && head >= 0 && head == row,
		   "stats --by cgroup: a 20-digit id keeps the %s table's path column (header %d, row %d)",
		   tables[t][2], head, row);
		bad |= head < 0 || head != row;
	}
	for (p = s; p && bad && *p;) {
		int n = (int)strcspn(p, "\n");

		diag("%.*s", n, p);
		p += n + (p[n] == '\n');
	}
	free(s);
	free(trace);
	free(out);
	free(err);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s GOTRACE_BINARY OUTDIR\n", argv[0]);
		return 2;
	}
	tool = argv[1];
	outdir = argv[2];
	mkdir(outdir, 0755);
	test_reader_side();
	test_bad_records();
	test_analysis();
	test_tool();
	test_wide_ids();
	return tap_done();
}
