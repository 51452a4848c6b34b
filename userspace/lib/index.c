// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace reader, index pass: gt_open_*() walks the records once, reading
 * only their headers, and builds a list of the BATCH records (or PACKED
 * ones, whose BATCH header is readable as it is) of each CPU,
 * the totals of the CPU_END and END records, the comm table of the TASKS
 * record, the list of STACK records (wherever they are: at the end in
 * version 2, with their generation since version 3) and the generations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define SCAN_WINDOW	(64 * 1024)

/* Sizes of the first version of the records; later ones only grow. */
#define HEADER_MIN_LEN	offsetof(struct gotrace_header, stack_events)
#define END_MIN_LEN	offsetof(struct gotrace_end, stacks)

/* Read exactly len bytes at off; 0 or -errno (-EIO on a short file). */
int gt_read_at(struct gt_reader *r, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (!len)
		return 0;
	if (r->fd < 0) {
		if (off > r->size || len > r->size - off)
			return -EIO;
		memcpy(buf, r->mem + off, len);
		return 0;
	}
	while (len) {
		ssize_t n = pread(r->fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

struct scan_win {
	uint8_t buf[SCAN_WINDOW];
	uint64_t off;
	size_t len;
};

/*
 * Return a pointer to len bytes at off (len <= SCAN_WINDOW, and the bytes
 * exist in the input), through a read-ahead window for files.
 */
static const void *scan_peek(struct gt_reader *r, struct scan_win *w,
			     uint64_t off, size_t len, int *err)
{
	size_t n;
	int ret;

	if (r->fd < 0)
		return r->mem + off;
	if (off >= w->off && off + len <= w->off + w->len)
		return w->buf + (off - w->off);
	n = SCAN_WINDOW;
	if (n > r->size - off)
		n = r->size - off;
	ret = gt_read_at(r, off, w->buf, n);
	if (ret) {
		*err = ret;
		return NULL;
	}
	w->off = off;
	w->len = n;
	return w->buf;
}

static int index_add(struct gt_cpu_index *ci, uint64_t off, uint32_t len,
		     const struct gotrace_batch *bh, int packed, uint32_t gen)
{
	if (ci->nr == ci->cap) {
		size_t cap = ci->cap ? ci->cap * 2 : 64;
		struct gt_batch_ref *b = realloc(ci->b, cap * sizeof(*b));

		if (!b)
			return -ENOMEM;
		ci->b = b;
		ci->cap = cap;
	}
	ci->b[ci->nr].off = off;
	ci->b[ci->nr].len = len;
	ci->b[ci->nr].seq = bh->seq;
	ci->b[ci->nr].raw_len = bh->rec.len;
	ci->b[ci->nr].packed = packed;
	ci->b[ci->nr].gen = gen;
	ci->b[ci->nr].base_ts = bh->base_ts;
	ci->b[ci->nr].lost = bh->lost;
	ci->nr++;
	return 0;
}

static __printf(2, 3)
void scan_fail(struct gt_reader *r, const char *fmt, ...);

static void scan_fail(struct gt_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->scan_msg, sizeof(r->scan_msg), fmt, ap);
	va_end(ap);
	r->scan_err = -EINVAL;
}

/* A BATCH record, or the BATCH header inside a PACKED record of len bytes. */
static int scan_batch(struct gt_reader *r, const struct gotrace_batch *b,
		      uint64_t off, uint32_t len, int packed)
{
	struct gt_cpu_index *ci;
	struct gt_cpu_summary *cs;

	if (b->cpu >= r->nr_cpus) {
		scan_fail(r, "BATCH record at byte %llu: cpu %u >= nr_cpus %u",
			  (unsigned long long)off, b->cpu, r->nr_cpus);
		return 1;
	}
	ci = &r->idx[b->cpu];
	cs = &r->cpus[b->cpu];
	if (b->seq > ci->next_seq)
		cs->seq_gaps += b->seq - ci->next_seq;
	else if (b->seq < ci->next_seq)
		cs->seq_gaps++;		/* out of order or repeated */
	ci->next_seq = b->seq + 1;
	if (index_add(ci, off, len, b, packed, r->gen_open))
		return -ENOMEM;
	cs->batches_seen++;
	cs->events_seen += b->nr_events;
	cs->lost_in_batches += b->lost;
	ci->bytes_seen += b->rec.len;
	return 0;
}

static int scan_cpu_end(struct gt_reader *r, const struct gotrace_cpu_end *e,
			uint64_t off)
{
	struct gt_cpu_summary *cs;
	struct gt_cpu_index *ci;

	if (e->cpu >= r->nr_cpus) {
		scan_fail(r, "CPU_END record at byte %llu: cpu %u >= nr_cpus %u",
			  (unsigned long long)off, e->cpu, r->nr_cpus);
		return 1;
	}
	cs = &r->cpus[e->cpu];
	ci = &r->idx[e->cpu];
	cs->has_end = 1;
	cs->batches = e->batches;
	cs->events = e->events;
	cs->lost = e->lost;
	cs->bytes = e->bytes;
	if (e->batches > ci->next_seq) {
		cs->seq_gaps += e->batches - ci->next_seq;
		ci->next_seq = e->batches;
	}
	return 0;
}

/*
 * After END: records a tool appended (SYMBOLS).  The trace is complete, so
 * damage here only ends the walk.
 */
static int scan_after_end(struct gt_reader *r, struct scan_win *w,
			  uint64_t off)
{
	struct gotrace_record rec;
	const void *p;
	int err = 0, ret;

	while (r->size - off >= sizeof(rec)) {
		p = scan_peek(r, w, off, sizeof(rec), &err);
		if (!p)
			return err;
		memcpy(&rec, p, sizeof(rec));
		if (rec.len < sizeof(rec) || rec.len % 8 ||
		    rec.len > r->size - off)
			return 0;
		ret = 0;
		if (rec.type == GOTRACE_REC_SYMBOLS &&
		    rec.len >= sizeof(struct gotrace_symbols))
			ret = gt_load_symbols(r, off, rec.len);
		else if (rec.type == GOTRACE_REC_LINES &&
			 rec.len >= sizeof(struct gotrace_lines))
			ret = gt_load_lines(r, off, rec.len);
		if (ret < 0)
			return ret;
		off += rec.len;
	}
	return 0;
}

static const size_t rec_min_len[] = {
	[GOTRACE_REC_HEADER]	= HEADER_MIN_LEN,
	[GOTRACE_REC_BATCH]	= sizeof(struct gotrace_batch),
	[GOTRACE_REC_CPU_END]	= sizeof(struct gotrace_cpu_end),
	[GOTRACE_REC_END]	= END_MIN_LEN,
	[GOTRACE_REC_GFP_NAMES]	= sizeof(struct gotrace_gfp_names),
	[GOTRACE_REC_TASKS]	= sizeof(struct gotrace_tasks),
	[GOTRACE_REC_STACK]	= sizeof(struct gotrace_stack),
	[GOTRACE_REC_SYMBOLS]	= sizeof(struct gotrace_symbols),
	[GOTRACE_REC_PACKED]	= sizeof(struct gotrace_packed),
	[GOTRACE_REC_LINES]	= sizeof(struct gotrace_lines),
	[GOTRACE_REC_ZONES]	= sizeof(struct gotrace_zones),
	[GOTRACE_REC_GENERATION] = sizeof(struct gotrace_generation),
	[GOTRACE_REC_WINDOW]	= sizeof(struct gotrace_window),
	[GOTRACE_REC_CGROUP]	= sizeof(struct gotrace_cgroup),
	[GOTRACE_REC_TRIGGERS]	= sizeof(struct gotrace_triggers_rec),
};

/* A record type this reader knows (its fixed part has a size). */
static int rec_known(uint32_t type)
{
	return type < ARRAY_SIZE(rec_min_len) && rec_min_len[type];
}

size_t gt_record_min_len(uint32_t type)
{
	if (rec_known(type))
		return rec_min_len[type];
	return sizeof(struct gotrace_record);
}

/* GFP_NAMES: kept for gt_gfp_str(); a malformed record is ignored. */
static int scan_gfp_names(struct gt_reader *r, uint64_t off, uint32_t len)
{
	const size_t hl = sizeof(struct gotrace_gfp_names);
	struct gotrace_gfp_names gh;
	struct gotrace_gfp_name *g;
	uint32_t i;
	int ret;

	ret = gt_read_at(r, off, &gh, hl);
	if (ret)
		return ret;
	if (gh.nr > (len - hl) / sizeof(*g) || !gh.nr)
		return 0;
	g = malloc((size_t)gh.nr * sizeof(*g));
	if (!g)
		return -ENOMEM;
	ret = gt_read_at(r, off + hl, g, (size_t)gh.nr * sizeof(*g));
	if (ret) {
		free(g);
		return ret;
	}
	for (i = 0; i < gh.nr; i++)
		g[i].name[sizeof(g[i].name) - 1] = '\0';
	free(r->gfp);
	r->gfp = g;
	r->nr_gfp = gh.nr;
	return 0;
}

/* ZONES: kept for gt_zones(); a malformed record is ignored. */
static int scan_zones(struct gt_reader *r, uint64_t off, uint32_t len)
{
	const size_t hl = sizeof(struct gotrace_zones);
	struct gotrace_zones zh;
	struct gotrace_zone *z;
	uint32_t i;
	int ret;

	ret = gt_read_at(r, off, &zh, hl);
	if (ret)
		return ret;
	if (zh.nr > (len - hl) / sizeof(*z) || !zh.nr)
		return 0;
	z = malloc((size_t)zh.nr * sizeof(*z));
	if (!z)
		return -ENOMEM;
	ret = gt_read_at(r, off + hl, z, (size_t)zh.nr * sizeof(*z));
	if (ret) {
		free(z);
		return ret;
	}
	for (i = 0; i < zh.nr; i++)
		z[i].name[sizeof(z[i].name) - 1] = '\0';
	free(r->zones);
	r->zones = z;
	r->nr_zones = zh.nr;
	return 0;
}

static int task_cmp(const void *a, const void *b)
{
	const struct gotrace_task *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/*
 * WINDOW: a flight recorder's snapshot.  Each CPU's batches start at its
 * first_seq: the ones before were overwritten, which is not a gap.
 */
static int scan_window(struct gt_reader *r, const struct gotrace_window *w,
		       uint64_t off, uint32_t len)
{
	const size_t hl = sizeof(*w);
	uint32_t i, n = w->nr_cpus, seq;
	uint8_t *buf = NULL;
	const uint8_t *p;
	int ret;

	if (r->sum.snapshot) {
		scan_fail(r, "second WINDOW record at byte %llu",
			  (unsigned long long)off);
		return 1;
	}
	if (n > (len - hl) / sizeof(seq)) {
		scan_fail(r, "WINDOW record at byte %llu: %u CPUs do not fit in %u bytes",
			  (unsigned long long)off, n, len);
		return 1;
	}
	if (r->fd < 0) {
		p = r->mem + off;
	} else {
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		ret = gt_read_at(r, off, buf, len);
		if (ret) {
			free(buf);
			return ret;
		}
		p = buf;
	}
	for (i = 0; i < n && i < r->nr_cpus; i++) {
		memcpy(&seq, p + hl + (size_t)i * sizeof(seq), sizeof(seq));
		if (!r->cpus[i].batches_seen)
			r->idx[i].next_seq = seq;
	}
	free(buf);
	r->sum.snapshot = 1;
	r->sum.window_start_ns = w->start_ns;
	r->sum.overwritten_batches = w->overwritten_batches;
	r->sum.overwritten_events = w->overwritten_events;
	r->sum.overwritten_lost = w->overwritten_lost;
	return 0;
}

/* TASKS: name the tasks that existed at the start, keep their tgids. */
static int scan_tasks(struct gt_reader *r, uint64_t off, uint32_t len)
{
	const size_t hl = sizeof(struct gotrace_tasks);
	struct gotrace_tasks th;
	struct gotrace_task t;
	const uint8_t *p;
	uint8_t *buf = NULL;
	uint32_t i;
	int ret;

	if (r->fd < 0) {
		p = r->mem + off;
	} else {
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		ret = gt_read_at(r, off, buf, len);
		if (ret) {
			free(buf);
			return ret;
		}
		p = buf;
	}
	memcpy(&th, p, hl);
	if (th.nr > (len - hl) / sizeof(t)) {
		scan_fail(r, "TASKS record at byte %llu: %u tasks do not fit in %u bytes",
			  (unsigned long long)off, th.nr, len);
		free(buf);
		return 1;
	}
	free(r->tasks);
	r->nr_tasks = 0;
	r->tasks = malloc(((size_t)th.nr + 1) * sizeof(t));
	if (!r->tasks) {
		free(buf);
		return -ENOMEM;
	}
	for (i = 0; i < th.nr; i++) {
		memcpy(&t, p + hl + (size_t)i * sizeof(t), sizeof(t));
		if (gt_comm_set(&r->comms, t.pid, t.comm,
				strnlen(t.comm, sizeof(t.comm)))) {
			free(buf);
			return -ENOMEM;
		}
		t.comm[sizeof(t.comm) - 1] = '\0';
		r->tasks[r->nr_tasks++] = t;
	}
	if (r->nr_tasks > 1)
		qsort(r->tasks, r->nr_tasks, sizeof(t), task_cmp);
	free(buf);
	return 0;
}

static int scan_stack(struct gt_reader *r, const struct gotrace_stack *st,
		      uint64_t off)
{
	struct gt_stack_ref *s;

	if (st->nr > (st->rec.len - sizeof(*st)) / sizeof(uint64_t)) {
		scan_fail(r, "STACK record at byte %llu: %u frames do not fit in %u bytes",
			  (unsigned long long)off, st->nr, st->rec.len);
		return 1;
	}
	if (r->nr_stacks == r->cap_stacks) {
		size_t cap = r->cap_stacks ? r->cap_stacks * 2 : 256;

		s = realloc(r->stacks, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		r->stacks = s;
		r->cap_stacks = cap;
	}
	s = &r->stacks[r->nr_stacks++];
	s->id = st->id;
	s->nr = st->nr;
	s->off = off + sizeof(*st);
	return 0;
}

int gt_stack_cmp(const void *a, const void *b)
{
	const struct gt_stack_ref *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Walk all records after the HEADER.  Return 0 or -ENOMEM/-EIO. */
static int scan_records(struct gt_reader *r, struct scan_win *w, uint64_t off)
{
	struct gotrace_record rh, *rec = &rh;
	const void *p;
	union {
		struct gotrace_batch b;
		struct gotrace_cpu_end ce;
		struct gotrace_end e;
		struct gotrace_header h;
		struct gotrace_stack st;
		struct gotrace_symbols sy;
		struct gotrace_packed pk;
		struct gotrace_generation g;
		struct gotrace_window win;
		struct gotrace_cgroup cg;
	} u;
	int err = 0;
	int ret;

	while (off < r->size) {
		size_t need;

		if (r->sum.complete) {
			/* after END: only appended records (SYMBOLS) */
			ret = scan_after_end(r, w, off);
			return ret;
		}

		if (r->size - off < sizeof(*rec)) {
			r->sum.truncated = 1;
			gt_set_error(r, "truncated at byte %llu inside a record header (at %llu)",
				     (unsigned long long)r->size,
				     (unsigned long long)off);
			return 0;
		}
		p = scan_peek(r, w, off, sizeof(*rec), &err);
		if (!p)
			return err;
		memcpy(&rh, p, sizeof(rh));
		if (rec->len < sizeof(*rec) || rec->len % 8) {
			scan_fail(r, "bad record length %u (type %u) at byte %llu",
				  rec->len, rec->type, (unsigned long long)off);
			return 0;
		}
		if (rec->len > r->size - off) {
			r->sum.truncated = 1;
			gt_set_error(r, "truncated at byte %llu inside a %s record (%u bytes at %llu)",
				     (unsigned long long)r->size,
				     gt_record_name(rec->type), rec->len,
				     (unsigned long long)off);
			return 0;
		}
		if (rec_known(rec->type)) {
			need = rec_min_len[rec->type];
			if (rec->len < need &&
			    rec->type == GOTRACE_REC_TRIGGERS) {
				/* set aside, like any bad TRIGGERS */
				gt_triggers_short(r, off, rec->len);
				off += rec->len;
				continue;
			}
			if (rec->len < need) {
				scan_fail(r, "%s record at byte %llu too short (%u bytes)",
					  gt_record_name(rec->type),
					  (unsigned long long)off, rec->len);
				return 0;
			}
			/* the known part, newer fields zero if absent */
			need = rec->len < sizeof(u) ? rec->len : sizeof(u);
			p = scan_peek(r, w, off, need, &err);
			if (!p)
				return err;
			memset(&u, 0, sizeof(u));
			memcpy(&u, p, need);
		}
		switch (rec->type) {
		case GOTRACE_REC_HEADER:
			scan_fail(r, "second HEADER record at byte %llu",
				  (unsigned long long)off);
			return 0;
		case GOTRACE_REC_BATCH:
			ret = scan_batch(r, &u.b, off, rec->len, 0);
			if (ret)
				return ret < 0 ? ret : 0;
			break;
		case GOTRACE_REC_PACKED:
			if (u.pk.batch.rec.type != GOTRACE_REC_BATCH ||
			    u.pk.batch.rec.len < sizeof(u.pk.batch) ||
			    u.pk.batch.rec.len % 8 ||
			    u.pk.batch.rec.len > GT_PACKED_BATCH_MAX) {
				scan_fail(r, "PACKED record at byte %llu: bad BATCH header inside",
					  (unsigned long long)off);
				return 0;
			}
			ret = scan_batch(r, &u.pk.batch, off, rec->len, 1);
			if (ret)
				return ret < 0 ? ret : 0;
			break;
		case GOTRACE_REC_CPU_END:
			if (scan_cpu_end(r, &u.ce, off))
				return 0;
			break;
		case GOTRACE_REC_END:
			r->sum.complete = 1;
			r->sum.events = u.e.events;
			r->sum.lost = u.e.lost;
			r->sum.reader_skipped = u.e.reader_skipped;
			r->sum.cgroups_lost = u.e.cgroups_lost;
			r->sum.stop_ns = u.e.stop_ns;
			break;
		case GOTRACE_REC_TASKS:
			ret = scan_tasks(r, off, rec->len);
			if (ret)
				return ret < 0 ? ret : 0;
			break;
		case GOTRACE_REC_GFP_NAMES:
			ret = scan_gfp_names(r, off, rec->len);
			if (ret < 0)
				return ret;
			break;
		case GOTRACE_REC_ZONES:
			ret = scan_zones(r, off, rec->len);
			if (ret < 0)
				return ret;
			break;
		case GOTRACE_REC_STACK:
			ret = scan_stack(r, &u.st, off);
			if (ret)
				return ret < 0 ? ret : 0;
			break;
		case GOTRACE_REC_SYMBOLS:
			ret = gt_load_symbols(r, off, rec->len);
			if (ret < 0)
				return ret;
			break;
		case GOTRACE_REC_LINES:
			ret = gt_load_lines(r, off, rec->len);
			if (ret < 0)
				return ret;
			break;
		case GOTRACE_REC_WINDOW:
			ret = scan_window(r, &u.win, off, rec->len);
			if (ret)
				return ret < 0 ? ret : 0;
			break;
		case GOTRACE_REC_CGROUP:
			ret = gt_scan_cgroup(r, &u.cg, off, rec->len);
			if (ret)
				return ret < 0 ? ret : 0;
			break;
		case GOTRACE_REC_TRIGGERS:
			ret = gt_scan_triggers(r, off, rec->len);
			if (ret < 0)
				return ret;
			break;
		case GOTRACE_REC_GENERATION:
			if (!r->gen_open || u.g.gen != r->gen_open) {
				scan_fail(r, "GENERATION record at byte %llu: generation %u, expected %u",
					  (unsigned long long)off, u.g.gen,
					  r->gen_open);
				return 0;
			}
			r->sum.generations++;
			r->gen_open++;
			break;
		default:
			break;		/* unknown record: skipped */
		}
		off += rec->len;
	}
	return 0;
}

static void finish_summary(struct gt_reader *r)
{
	uint64_t events = 0, lost = 0;
	uint32_t i;
	size_t k, n;

	if (r->nr_stacks > 1)
		qsort(r->stacks, r->nr_stacks, sizeof(*r->stacks), gt_stack_cmp);
	/* A stack sent twice (a reader came back mid-stream): keep one. */
	for (k = n = 0; k < r->nr_stacks; k++)
		if (!n || r->stacks[k].id != r->stacks[n - 1].id)
			r->stacks[n++] = r->stacks[k];
	r->nr_stacks = n;
	gt_cgroups_finish(r);

	for (i = 0; i < r->nr_cpus; i++) {
		struct gt_cpu_summary *cs = &r->cpus[i];

		cs->cpu = i;
		if (!cs->has_end) {
			cs->batches = cs->batches_seen;
			cs->events = cs->events_seen;
			cs->lost = cs->lost_in_batches;
			cs->bytes = r->idx[i].bytes_seen;
		}
		events += cs->events;
		lost += cs->lost;
	}
	r->sum.nr_cpus = r->nr_cpus;
	r->sum.cpus = r->cpus;
	if (!r->sum.complete) {
		r->sum.events = events;
		r->sum.lost = lost;
	}
}

int gt_reader_init(struct gt_reader *r, const char *name, char *msg,
		   size_t msglen)
{
	const struct gotrace_header *h;
	const void *hp;
	size_t hlen;
	struct scan_win *w;
	uint64_t hoff = GOTRACE_MAGIC_LEN;
	const char *magic;
	int err = 0;
	int ret;

	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->off = 0;
	w->len = 0;
	ret = -EINVAL;
	if (r->size < GOTRACE_MAGIC_LEN) {
		snprintf(msg, msglen,
			 "%s: truncated at byte %llu inside the magic", name,
			 (unsigned long long)r->size);
		goto out;
	}
	magic = scan_peek(r, w, 0, GOTRACE_MAGIC_LEN, &err);
	if (!magic) {
		ret = err;
		snprintf(msg, msglen, "%s: %s", name,
			 strerror(-err));
		goto out;
	}
	if (memcmp(magic, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN)) {
		snprintf(msg, msglen,
			 "%s: not a gotrace stream (bad magic)", name);
		goto out;
	}
	if (r->size - hoff < HEADER_MIN_LEN) {
		snprintf(msg, msglen,
			 "%s: truncated at byte %llu inside the HEADER record",
			 name, (unsigned long long)r->size);
		goto out;
	}
	hlen = r->size - hoff < sizeof(*h) ? r->size - hoff : sizeof(*h);
	hp = scan_peek(r, w, hoff, hlen, &err);
	if (!hp) {
		ret = err;
		snprintf(msg, msglen, "%s: %s", name,
			 strerror(-err));
		goto out;
	}
	memcpy(&r->hdr, hp, hlen);
	h = &r->hdr;
	if (h->rec.type != GOTRACE_REC_HEADER) {
		snprintf(msg, msglen,
			 "%s: first record is type %u, not HEADER", name,
			 h->rec.type);
		goto out;
	}
	if (h->rec.len < HEADER_MIN_LEN || h->rec.len % 8) {
		snprintf(msg, msglen,
			 "%s: bad HEADER record length %u", name, h->rec.len);
		goto out;
	}
	if (h->rec.len > r->size - hoff) {
		snprintf(msg, msglen,
			 "%s: truncated at byte %llu inside the HEADER record",
			 name, (unsigned long long)r->size);
		goto out;
	}
	if (h->rec.len < sizeof(*h))	/* older header: no newer fields */
		memset((char *)&r->hdr + h->rec.len, 0,
		       sizeof(*h) - h->rec.len);
	if (h->version < GT_VERSION_MIN || h->version > GOTRACE_VERSION) {
		snprintf(msg, msglen,
			 "%s: format version %u; this gotrace reads versions %u to %u",
			 name, h->version, GT_VERSION_MIN, GOTRACE_VERSION);
		goto out;
	}
	/* Version 2 has no generations: its batches are of generation 0. */
	r->gen_open = h->version >= 3;
	if (!h->nr_cpus || h->nr_cpus > GT_MAX_CPUS) {
		snprintf(msg, msglen,
			 "%s: bad nr_cpus %u in HEADER", name, h->nr_cpus);
		goto out;
	}
	r->hdr.release[sizeof(r->hdr.release) - 1] = '\0';
	r->hdr.machine[sizeof(r->hdr.machine) - 1] = '\0';
	r->nr_cpus = h->nr_cpus;
	r->idx = calloc(r->nr_cpus, sizeof(*r->idx));
	r->cpus = calloc(r->nr_cpus, sizeof(*r->cpus));
	r->cur = calloc(r->nr_cpus, sizeof(*r->cur));
	r->heap = calloc(r->nr_cpus, sizeof(*r->heap));
	if (!r->idx || !r->cpus || !r->cur || !r->heap) {
		ret = -ENOMEM;
		snprintf(msg, msglen, "%s: %s", name,
			 strerror(ENOMEM));
		goto out;
	}
	ret = scan_records(r, w, hoff + h->rec.len);
	if (ret) {
		snprintf(msg, msglen, "%s: %s", name,
			 strerror(-ret));
		goto out;
	}
	finish_summary(r);
	ret = 0;
out:
	free(w);
	return ret;
}

