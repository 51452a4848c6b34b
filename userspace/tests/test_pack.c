// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of PACKED records (lib/pack.c), of the stream filter that
 * writes them (pack_stream.c) and of `gotrace pack`.  TAP output.
 *
 *   test_pack GOTRACE_BINARY OUTDIR
 *
 * The property under test: a packed trace reads exactly like the stream
 * it came from, unpacks to it byte for byte, and a damaged one gives an
 * error, never a crash or silently different events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "encoder.h"
#include "../pack_stream.h"
#include "proc.h"
#include "tap.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static const char *tool;
static const char *outdir;

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * A value as traces have them: mostly one of a few (gfp flags, orders,
 * pids), sometimes any small number, now and then any 64-bit one.
 */
static uint64_t rnd_val(void)
{
	static const uint64_t common[] = {
		0, 1, 120, 0xcc0, 0x140cca, 4242, 37, 1ULL << 40,
	};

	switch (rnd() % 10) {
	case 0:
		return rnd();
	case 1:
	case 2:
		return rnd() % 100000;
	default:
		return common[rnd() % 8];
	}
}

/*
 * A stream of nr_batches batches over nr_cpus CPUs, of events of every
 * type with random arguments and strings, stack ids on some types when
 * stacks, lost counts, and the records around them.
 */
static void build_random(struct enc *e, uint64_t seed, uint32_t nr_cpus,
			 unsigned int nr_batches, unsigned int per_batch,
			 int stacks)
{
	uint64_t stack_mask = (1ULL << GOTRACE_EV_MM_PAGE_ALLOC) |
			      (1ULL << GOTRACE_EV_SCHED_SWITCH) |
			      (1ULL << GOTRACE_EV_SCHED_PROCESS_EXEC);
	uint32_t seq[64] = { 0 };
	uint64_t ts = 1000, args[GT_MAX_ARGS];
	char str[GOTRACE_FILENAME_MAX + 1];
	unsigned int b, i, j, type, n;

	rng = seed * 2654435761ULL + 1;
	enc_init(e, nr_cpus, ts);
	if (stacks)
		enc_set_stack_events(e, stack_mask);
	for (b = 0; b < nr_batches; b++) {
		uint32_t cpu = b % nr_cpus;

		enc_batch_begin(e, cpu, seq[cpu]++, ts,
				rnd() % 5 ? 0 : rnd() % 1000);
		n = per_batch ? per_batch : (unsigned int)(rnd() % 300);
		for (i = 0; i < n; i++) {
			type = 1 + rnd() % (GOTRACE_EV_COUNT - 1);
			/* the type numbers are not dense */
			if (!gt_event_desc(type))
				type = GOTRACE_EV_SCHED_SWITCH;
			ts += rnd() % 50 ? rnd() % 3000 : rnd() % (1ULL << 40);
			for (j = 0; j < gt_event_nargs(type); j++)
				args[j] = rnd_val();
			str[0] = '\0';
			if (type == GOTRACE_EV_COMM ||
			    type == GOTRACE_EV_SCHED_PROCESS_EXEC) {
				size_t len = rnd() % (type == GOTRACE_EV_COMM ?
						      16 : 256);

				for (j = 0; j < len; j++)
					str[j] = 'a' + rnd() % 4;
				str[len] = '\0';
			}
			enc_event_stack(e, type, rnd() % 3, ts, args,
					type == GOTRACE_EV_COMM ||
					type == GOTRACE_EV_SCHED_PROCESS_EXEC ?
					str : NULL,
					stacks ? (uint32_t)rnd_val() % 5000 : 0);
		}
		enc_batch_end(e, 0);
	}
	for (i = 0; i < nr_cpus; i++)
		enc_cpu_end(e, i, seq[i], 0, 0, 0);
	enc_end(e, ts + 1, 0, 0, 0);
}

/* Batches of page allocations with regular values, as a device writes. */
static void build_regular(struct enc *e, unsigned int nr_batches,
			  unsigned int per_batch)
{
	uint64_t a[GT_MAX_ARGS] = { 0 }, ts = 100;
	unsigned int b, i;

	enc_init(e, 2, ts);
	for (b = 0; b < nr_batches; b++) {
		enc_batch_begin(e, b % 2, b / 2, ts, 0);
		for (i = 0; i < per_batch; i++) {
			ts += 700 + i % 13;
			a[0] = 0x10000 + b * 4096 + i;	/* pfn */
			a[1] = 0;
			a[2] = 0x140cca;
			a[3] = 1;
			a[4] = 4242 + i / 500;
			enc_event(e, GOTRACE_EV_MM_PAGE_ALLOC, 0, ts, a, NULL);
		}
		enc_batch_end(e, 0);
	}
	enc_end(e, ts, (uint64_t)nr_batches * per_batch, 0, 0);
}

struct membuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	int fail_at;		/* emit fails at this call (0: never) */
	int calls;
};

static int mem_emit(void *arg, const uint8_t *p, size_t n)
{
	struct membuf *m = arg;

	if (++m->calls == m->fail_at)
		return -1;
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->p = realloc(m->p, m->cap);
		if (!m->p)
			exit(2);
	}
	memcpy(m->p + m->len, p, n);
	m->len += n;
	return 0;
}

/*
 * Run the stream filter over in, fed in pieces of chunk bytes (0: random
 * sizes); the result in *out.  Return ps_finish()'s result.
 */
static int filter(const uint8_t *in, size_t len, int unpack, size_t chunk,
		  struct membuf *out, struct pack_stream *ps)
{
	size_t off = 0, k;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (ps_init(ps, unpack, GT_PACK_LEVEL, mem_emit, out))
		return -1;
	while (off < len && !ret) {
		k = chunk ? chunk : 1 + rnd() % 70000;
		if (k > len - off)
			k = len - off;
		ret = ps_feed(ps, in + off, k);
		off += k;
	}
	if (!ret)
		ret = ps_finish(ps);
	return ret;
}

/* The events and summaries of a and b are the same; why says where not. */
static int same_reading(const uint8_t *a, size_t alen, const uint8_t *b,
			size_t blen, char *why, size_t size)
{
	struct gt_reader *ra = NULL, *rb = NULL;
	struct gt_event ea, eb;
	const struct gt_summary *sa, *sb;
	int na, nb, good = 0;
	size_t n = 0;

	snprintf(why, size, "cannot open");
	if (gt_open_mem(a, alen, &ra) || gt_open_mem(b, blen, &rb))
		goto out;
	for (;;) {
		na = gt_next(ra, &ea);
		nb = gt_next(rb, &eb);
		if (na != nb) {
			snprintf(why, size, "event %zu: gt_next %d vs %d (%s | %s)",
				 n, na, nb, gt_error(ra), gt_error(rb));
			goto out;
		}
		if (na <= 0)
			break;
		if (ea.ts != eb.ts || ea.cpu != eb.cpu ||
		    ea.type != eb.type || ea.ctx != eb.ctx ||
		    ea.nargs != eb.nargs || ea.stack_id != eb.stack_id ||
		    memcmp(ea.args, eb.args, ea.nargs * sizeof(ea.args[0])) ||
		    ea.str_len != eb.str_len ||
		    (ea.str_len && memcmp(ea.str, eb.str, ea.str_len))) {
			snprintf(why, size, "event %zu differs (ts %llu)", n,
				 (unsigned long long)ea.ts);
			goto out;
		}
		n++;
	}
	sa = gt_summary(ra);
	sb = gt_summary(rb);
	if (sa->events != sb->events || sa->lost != sb->lost ||
	    sa->complete != sb->complete || sa->truncated != sb->truncated) {
		snprintf(why, size, "summaries differ");
		goto out;
	}
	snprintf(why, size, "%zu events", n);
	good = 1;
out:
	gt_close(ra);
	gt_close(rb);
	return good;
}

static size_t count_type(const uint8_t *p, size_t len, uint32_t type)
{
	struct gotrace_record r;
	size_t off = GOTRACE_MAGIC_LEN, n = 0;

	while (off + sizeof(r) <= len) {
		memcpy(&r, p + off, sizeof(r));
		if (r.len < sizeof(r))
			break;
		n += r.type == type;
		off += r.len;
	}
	return n;
}

/* Pack and unpack each BATCH of e with the library calls. */
static int lib_roundtrip(const struct enc *e, uint64_t stack_events,
			 char *why, size_t size)
{
	struct gt_pack_ctx *pc = gt_pack_new(GT_PACK_LEVEL);
	struct gt_unpack_ctx *uc = gt_unpack_new();
	size_t i, n = 0, plen;
	uint8_t *p = NULL, *u = NULL;
	int good = 0, ret;
	char msg[128];

	snprintf(why, size, "no memory");
	if (!pc || !uc)
		goto out;
	for (i = 0; i + 1 < e->nr_bounds; i++) {
		const uint8_t *rec = e->buf + e->bounds[i];
		size_t len = e->bounds[i + 1] - e->bounds[i];
		struct gotrace_record r;

		memcpy(&r, rec, sizeof(r));
		if (r.type != GOTRACE_REC_BATCH)
			continue;
		p = realloc(p, gt_pack_bound(len));
		u = realloc(u, len);
		ret = gt_pack_batch(pc, stack_events, rec, len, p,
				    gt_pack_bound(len), &plen);
		if (ret) {
			snprintf(why, size, "batch %zu: gt_pack_batch %d", n,
				 ret);
			goto out;
		}
		ret = gt_unpack_batch(uc, stack_events, p, plen, u, len, msg,
				      sizeof(msg));
		if (ret || memcmp(u, rec, len)) {
			snprintf(why, size, "batch %zu: unpack %d %s", n, ret,
				 ret ? msg : "differs");
			goto out;
		}
		n++;
	}
	snprintf(why, size, "%zu batches", n);
	good = n > 0;
out:
	free(p);
	free(u);
	gt_pack_free(pc);
	gt_unpack_free(uc);
	return good;
}

static void test_roundtrip(void)
{
	static const size_t chunks[] = { 0, 1, 3, 8, 4096, 1 << 20 };
	struct membuf packed, again, raw;
	struct pack_stream ps;
	unsigned int seed, c;
	char why[256];
	struct enc e;

	for (seed = 1; seed <= 6; seed++) {
		int stacks = seed % 2;
		int good = 1;

		build_random(&e, seed, 1 + seed % 4, 4 + seed * 3, 0, stacks);
		ok(lib_roundtrip(&e, e.stack_events, why, sizeof(why)),
		   "seed %u%s: each batch packs and unpacks to itself: %s",
		   seed, stacks ? " (stacks)" : "", why);
		filter(e.buf, e.len, 0, 0, &packed, &ps);
		ps_free(&ps);
		/* random values compress badly: some batches may stay */
		ok(count_type(packed.p, packed.len, GOTRACE_REC_PACKED) > 0 &&
		   count_type(packed.p, packed.len, GOTRACE_REC_PACKED) +
		   count_type(packed.p, packed.len, GOTRACE_REC_BATCH) ==
		   count_type(e.buf, e.len, GOTRACE_REC_BATCH) &&
		   packed.len < e.len,
		   "seed %u%s: batches packed (those that shrink), %zu -> %zu bytes",
		   seed, stacks ? " (stacks)" : "", e.len, packed.len);
		ok(same_reading(e.buf, e.len, packed.p, packed.len, why,
				sizeof(why)),
		   "seed %u: packed reads like the stream: %s", seed, why);
		for (c = 0; c < ARRAY_SIZE(chunks); c++) {
			filter(e.buf, e.len, 0, chunks[c], &again, &ps);
			ps_free(&ps);
			if (again.len != packed.len ||
			    memcmp(again.p, packed.p, packed.len))
				good = 0;
			free(again.p);
		}
		ok(good, "seed %u: the same output fed in pieces of 1, 3, 8, 4096, 1M and random bytes",
		   seed);
		filter(packed.p, packed.len, 1, 0, &raw, &ps);
		ok(ps.converted == count_type(packed.p, packed.len,
					      GOTRACE_REC_PACKED) &&
		   !ps.failures && raw.len == e.len &&
		   !memcmp(raw.p, e.buf, e.len),
		   "seed %u: unpacks to the stream byte for byte (%llu batches)",
		   seed, (unsigned long long)ps.converted);
		ps_free(&ps);
		free(raw.p);
		free(packed.p);
		enc_free(&e);
	}

	/* a stream like the device's: every batch shrinks, a lot */
	{
		build_regular(&e, 8, 2000);
		filter(e.buf, e.len, 0, 0, &packed, &ps);
		ok(ps.converted == 8 && !ps.kept && packed.len * 4 < e.len &&
		   same_reading(e.buf, e.len, packed.p, packed.len, why,
				sizeof(why)),
		   "device-like stream: all 8 batches packed, %zu -> %zu bytes, same reading (%s)",
		   e.len, packed.len, why);
		ps_free(&ps);
		free(packed.p);
		enc_free(&e);
	}

	/* empty batches, and an empty trace */
	enc_init(&e, 2, 5);
	enc_batch_begin(&e, 0, 0, 5, 3);
	enc_batch_end(&e, 0);
	enc_end(&e, 9, 0, 3, 0);
	filter(e.buf, e.len, 0, 0, &packed, &ps);
	ps_free(&ps);
	filter(packed.p, packed.len, 1, 0, &raw, &ps);
	ok(raw.len == e.len && !memcmp(raw.p, e.buf, e.len) &&
	   same_reading(e.buf, e.len, packed.p, packed.len, why, sizeof(why)),
	   "a batch without events round-trips (%s)", why);
	ps_free(&ps);
	free(raw.p);
	free(packed.p);
	enc_free(&e);
}

/* Streams the packer must copy as they are. */
static void test_kept(void)
{
	struct membuf out;
	struct pack_stream ps;
	char why[256];
	struct enc e;
	size_t cut;

	/* an unknown event type: the batch is kept, the error stays */
	build_regular(&e, 3, 200);
	e.buf[e.bounds[1] + sizeof(struct gotrace_batch)] = 0x3e;
	filter(e.buf, e.len, 0, 0, &out, &ps);
	ok(ps.kept == 1 && ps.converted == 2 &&
	   same_reading(e.buf, e.len, out.p, out.len, why, sizeof(why)),
	   "a batch that does not parse is kept as it is: %llu kept, %llu packed, same reading (%s)",
	   (unsigned long long)ps.kept, (unsigned long long)ps.converted,
	   why);
	ps_free(&ps);
	free(out.p);

	/* cut inside a batch: the cut-off record is written as it came */
	cut = e.bounds[2] + 20;
	filter(e.buf, cut, 0, 7, &out, &ps);
	ok(out.len > 0 && !memcmp(out.p + out.len - 20, e.buf + cut - 20, 20) &&
	   same_reading(e.buf, cut, out.p, out.len, why, sizeof(why)),
	   "a stream cut inside a batch: the tail is kept, reads the same (%s)",
	   why);
	ps_free(&ps);
	free(out.p);
	enc_free(&e);

	/* not a gotrace stream at all */
	{
		static const uint8_t junk[] = "not a trace, just some text\n";

		filter(junk, sizeof(junk), 0, 5, &out, &ps);
		ok(ps.scan.bad && out.len == sizeof(junk) &&
		   !memcmp(out.p, junk, sizeof(junk)),
		   "a stream that is not gotrace is copied through");
		ps_free(&ps);
		free(out.p);
	}

	/* a write error stops the filter and is reported */
	build_random(&e, 12, 2, 6, 30, 0);
	{
		struct membuf m;
		size_t off;
		int ret = 0;

		memset(&m, 0, sizeof(m));
		m.fail_at = 3;
		ps_init(&ps, 0, GT_PACK_LEVEL, mem_emit, &m);
		for (off = 0; off < e.len && !ret; off += 100)
			ret = ps_feed(&ps, e.buf + off,
				      e.len - off < 100 ? e.len - off : 100);
		ok(ret == -1 && ps_finish(&ps) == -1,
		   "a failing write stops the filter (-1 from feed and finish)");
		ps_free(&ps);
		free(m.p);
	}
	enc_free(&e);
}

/* Damaged PACKED records: errors, never crashes or different events. */
static void test_damage(void)
{
	struct membuf packed;
	struct pack_stream ps;
	struct gotrace_packed ph;
	struct gt_reader *r;
	struct gt_event ev;
	size_t off, i, tried = 0, errors = 0, same = 0, silent = 0;
	uint8_t *copy;
	char why[256];
	struct enc e;
	int ret;

	build_random(&e, 21, 2, 4, 200, 1);
	filter(e.buf, e.len, 0, 0, &packed, &ps);
	ps_free(&ps);
	off = GOTRACE_MAGIC_LEN;
	for (;;) {		/* the first PACKED record */
		struct gotrace_record rec;

		if (off + sizeof(rec) > packed.len) {
			ok(0, "no PACKED record to damage");
			free(packed.p);
			enc_free(&e);
			return;
		}
		memcpy(&rec, packed.p + off, sizeof(rec));
		if (rec.type == GOTRACE_REC_PACKED)
			break;
		off += rec.len;
	}
	memcpy(&ph, packed.p + off, sizeof(ph));
	copy = malloc(packed.len);

	/*
	 * Every byte of the record flipped in turn: no crash.  In the
	 * compressed data (checksummed), every flip must be an error.
	 */
	for (i = 0; i < ph.rec.len; i++) {
		int in_data = i >= sizeof(ph) && i < sizeof(ph) + ph.data_len;

		memcpy(copy, packed.p, packed.len);
		copy[off + i] ^= 0x5a;
		tried++;
		if (same_reading(e.buf, e.len, copy, packed.len, why,
				 sizeof(why))) {
			same++;
			continue;
		}
		errors++;
		if (in_data) {
			r = NULL;
			ret = gt_open_mem(copy, packed.len, &r);
			while (!ret && (ret = gt_next(r, &ev)) > 0)
				;
			if (ret >= 0)
				silent++;
			gt_close(r);
		}
	}
	ok(tried > 1000 && !silent,
	   "%zu single-byte corruptions of a PACKED record: %zu read differently or failed (%zu in the data without an error), %zu changed nothing read",
	   tried, errors, silent, same);

	/* specific damage and the message it gives */
	{
		static const struct {
			size_t field;
			uint32_t value;
			const char *msg;
		} cases[] = {
			{ offsetof(struct gotrace_packed, codec), 7,
			  "unknown codec 7" },
			{ offsetof(struct gotrace_packed, cols_len), 3,
			  "zstd" },
			{ offsetof(struct gotrace_packed, data_len), 1 << 30,
			  "do not fit" },
			{ offsetof(struct gotrace_packed, batch.rec.len),
			  1U << 31, "bad BATCH header inside" },
		};

		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			memcpy(copy, packed.p, packed.len);
			memcpy(copy + off + cases[i].field, &cases[i].value, 4);
			const char *msg;

			memcpy(copy, packed.p, packed.len);
			memcpy(copy + off + cases[i].field, &cases[i].value, 4);
			r = NULL;
			ret = gt_open_mem(copy, packed.len, &r);
			if (!ret) {
				while ((ret = gt_next(r, &ev)) > 0)
					;
			}
			msg = gt_error(r);
			ok(ret < 0 && strstr(msg, cases[i].msg) &&
			   strstr(msg, "PACKED"),
			   "PACKED with a bad field at +%zu: error '%s'",
			   cases[i].field, msg);
			gt_close(r);
		}
	}

	/* the unpacking filter keeps what it cannot unpack, and says so */
	{
		struct membuf raw;

		memcpy(copy, packed.p, packed.len);
		copy[off + sizeof(ph) + 2] ^= 0xff;	/* inside the data */
		filter(copy, packed.len, 1, 0, &raw, &ps);
		ok(ps.failures == 1 && strstr(ps.errmsg, "PACKED record") &&
		   raw.len > 0,
		   "unpacking a damaged record: 1 failure ('%s'), kept packed",
		   ps.errmsg);
		ps_free(&ps);
		free(raw.p);
	}

	/* truncated at every 97th byte: a truncated trace, never a crash */
	{
		size_t cut, bad = 0;

		for (cut = GOTRACE_MAGIC_LEN + 200; cut < packed.len;
		     cut += 97) {
			if (gt_open_mem(packed.p, cut, &r))
				continue;
			while ((ret = gt_next(r, &ev)) > 0)
				;
			if (ret < 0 || gt_summary(r)->complete)
				bad++;
			gt_close(r);
		}
		ok(!bad, "packed trace cut at every 97th byte: read as truncated, %zu bad",
		   bad);
	}
	free(copy);
	free(packed.p);
	enc_free(&e);
}

static char *path_in_out(const char *name)
{
	static char buf[8][4096];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", outdir, name);
	return buf[k];
}

static int same_file(const char *a, const void *p, size_t n)
{
	FILE *f = fopen(a, "rb");
	uint8_t *buf = malloc(n + 1);
	int same;

	if (!f || !buf) {
		free(buf);
		if (f)
			fclose(f);
		return 0;
	}
	same = fread(buf, 1, n + 1, f) == n && !memcmp(buf, p, n);
	fclose(f);
	free(buf);
	return same;
}

static void test_cli(void)
{
	char *in = path_in_out("pack-in.trace");
	char *pk = path_in_out("pack-out.trace");
	char *un = path_in_out("pack-un.trace");
	char *out = path_in_out("pack.out");
	char *err = path_in_out("pack.err");
	char *o, *eo;
	struct enc e;
	int st;

	build_random(&e, 31, 4, 40, 0, 1);
	if (write_file(in, e.buf, e.len)) {
		ok(0, "cannot write %s", in);
		return;
	}
	{
		char *const argv[] = { (char *)tool, "pack", "-o", pk, in, NULL };

		st = run_cmd(argv, out, err, NULL);
		eo = slurp(err);
		ok(st == 0 && eo && strstr(eo, "gotrace: packed ") &&
		   strstr(eo, " batches ("),
		   "gotrace pack: exit %d, '%s'", st, eo ? eo : "");
		free(eo);
	}
	{
		char *const argv[] = { (char *)tool, "pack", "-u", "-q", "-o", un, pk,
				       NULL };

		st = run_cmd(argv, out, err, NULL);
		ok(st == 0 && same_file(un, e.buf, e.len),
		   "gotrace pack -u gives back the stream byte for byte (exit %d)",
		   st);
	}
	{
		char *const argv[] = { (char *)tool, "dump", pk, NULL };
		char *const argv2[] = { (char *)tool, "dump", in, NULL };
		char *o2;

		run_cmd(argv, out, err, NULL);
		o = slurp(out);
		run_cmd(argv2, out, err, NULL);
		o2 = slurp(out);
		ok(o && o2 && strlen(o) > 1000 && !strcmp(o, o2),
		   "gotrace dump prints the packed file as the raw one (%zu bytes)",
		   o ? strlen(o) : 0);
		free(o);
		free(o2);
	}
	{
		char *const argv[] = { (char *)tool, "pack", "-q", "-o", in, in,
				       NULL };

		st = run_cmd(argv, out, err, NULL);
		eo = slurp(err);
		ok(st == 1 && eo && strstr(eo, "is the input file") &&
		   same_file(in, e.buf, e.len),
		   "pack -o onto its own input: refused, input intact ('%s')",
		   eo ? eo : "");
		free(eo);
	}
	{
		char *const argv[] = { (char *)tool, "pack", "-o", pk,
				       "/nonexistent/x.trace", NULL };
		char *const argv2[] = { (char *)tool, "pack", "-l", "40", "-o", pk,
					in, NULL };

		st = run_cmd(argv, out, err, NULL);
		eo = slurp(err);
		ok(st == 1 && eo && strstr(eo, "No such file"),
		   "pack of a missing file: exit 1");
		free(eo);
		st = run_cmd(argv2, out, err, NULL);
		eo = slurp(err);
		ok(st == 2 && eo && strstr(eo, "level"),
		   "pack -l 40: rejected, exit 2 ('%s')", eo ? eo : "");
		free(eo);
	}
	enc_free(&e);
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

	test_roundtrip();
	test_kept();
	test_damage();
	test_cli();
	return tap_done();
}
