// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the gotrace selftests (see gotrace_test.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "gotrace_test.h"

int gtt_open(int flags)
{
	int fd = open(GOTRACE_DEVICE, O_RDWR | O_CLOEXEC | flags);

	return fd < 0 ? -errno : fd;
}

int gtt_start_raw(int fd, const void *arg)
{
	return ioctl(fd, GOTRACE_IOC_START, arg) ? -errno : 0;
}

int gtt_start(int fd, uint32_t flags, uint64_t groups, uint32_t buffer_size,
	      uint32_t flush_ms)
{
	struct gotrace_start s = {
		.size = sizeof(s),
		.flags = flags,
		.groups = groups,
		.buffer_size = buffer_size,
		.flush_ms = flush_ms,
	};

	return gtt_start_raw(fd, &s);
}

int gtt_stop(int fd, unsigned long flags)
{
	return ioctl(fd, GOTRACE_IOC_STOP, flags) ? -errno : 0;
}

int gtt_status(int fd, struct gotrace_status *st,
	       struct gotrace_cpu_stats *cpus, uint32_t cpu_len)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->cpu_len = cpu_len;
	st->cpu_stats = (uintptr_t)cpus;
	return ioctl(fd, GOTRACE_IOC_STATUS, st) ? -errno : 0;
}

int gtt_state(int fd)
{
	struct gotrace_status st;
	int ret = gtt_status(fd, &st, NULL, 0);

	return ret ? ret : (int)st.state;
}

int gtt_make_idle(void)
{
	struct gtt_buf b = { 0 };
	int fd, ret, tries;

	/* The previous owner of the stream may still be closing: retry. */
	for (tries = 0; tries < 100; tries++) {
		fd = gtt_open(0);
		if (fd < 0)
			return fd;
		gtt_stop(fd, 0);
		ret = gtt_state(fd);
		if (ret == GOTRACE_STATE_STOPPED) {
			ret = gtt_read_all(fd, &b, 1 << 20);
			gtt_buf_free(&b);
			if (!ret)
				ret = gtt_state(fd);
		}
		close(fd);
		if (ret == GOTRACE_STATE_IDLE)
			return 0;
		gtt_msleep(20);
	}
	return ret < 0 ? ret : -EBUSY;
}

unsigned int gtt_complete_recs(const struct gtt_buf *b, uint32_t type,
			       size_t *end)
{
	size_t off = GTT_HDR_BYTES;
	unsigned int n = 0;
	struct gotrace_record rec;

	while (b->len >= off && b->len - off >= sizeof(rec)) {
		memcpy(&rec, b->data + off, sizeof(rec));
		if (rec.len < sizeof(rec) || b->len - off < rec.len)
			break;
		if (rec.type == type)
			n++;
		off += rec.len;
	}
	*end = off;
	return n;
}

void gtt_buf_free(struct gtt_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

static int gtt_buf_reserve(struct gtt_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 1 << 16;
	uint8_t *p;

	while (cap - b->len < more)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

ssize_t gtt_read_once(int fd, struct gtt_buf *b, size_t count)
{
	ssize_t n;

	if (gtt_buf_reserve(b, count))
		return -ENOMEM;
	n = read(fd, b->data + b->len, count);
	if (n < 0)
		return -errno;
	b->len += n;
	return n;
}

ssize_t gtt_read_ready(int fd, struct gtt_buf *b)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n, total = 0;

	while (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
		n = gtt_read_once(fd, b, 1 << 20);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		total += n;
	}
	return total;
}

static size_t gtt_random_chunk(unsigned int *seed)
{
	static const size_t sizes[] = { 1, 7, 13, 4096, 65536, 1 << 20 };
	unsigned int r = rand_r(seed);

	if (r % 4 == 0)
		return 1 + rand_r(seed) % 20000;
	return sizes[(r / 4) % ARRAY_SIZE(sizes)];
}

int gtt_read_all(int fd, struct gtt_buf *b, size_t chunk)
{
	unsigned int seed = (unsigned int)getpid();
	ssize_t n;

	for (;;) {
		n = gtt_read_once(fd, b, chunk ? chunk : gtt_random_chunk(&seed));
		if (n == 0)
			return 0;
		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
	}
}

static void *gtt_bg_fn(void *arg)
{
	struct gtt_bg *bg = arg;

	bg->err = gtt_read_all(bg->fd, &bg->buf, bg->chunk);
	return NULL;
}

int gtt_bg_start(struct gtt_bg *bg, int fd, size_t chunk)
{
	int ret;

	memset(bg, 0, sizeof(*bg));
	bg->fd = fd;
	bg->chunk = chunk;
	ret = pthread_create(&bg->thread, NULL, gtt_bg_fn, bg);
	if (ret)
		return -ret;
	bg->running = true;
	return 0;
}

int gtt_bg_join(struct gtt_bg *bg)
{
	if (!bg->running)
		return -EINVAL;
	pthread_join(bg->thread, NULL);
	bg->running = false;
	return bg->err;
}

/* ---- raw record walk ---- */

static int gtt_fail(struct gtt_raw *raw, const char *fmt, ...)
{
	va_list ap;

	if (!raw->err[0]) {
		va_start(ap, fmt);
		vsnprintf(raw->err, sizeof(raw->err), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool gtt_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned int shift = 0;
	uint64_t val = 0;

	while (*p < end && shift < 64) {
		uint8_t c = *(*p)++;

		val |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = val;
			return true;
		}
		shift += 7;
	}
	return false;
}

/* Numeric varints after the timestamp, not counting a string. */
static int gtt_ev_nargs(unsigned int type, bool *has_str)
{
	/* from the schema: the fields that are not the string */
#define GTT_NARG_(name, kind)	+ (GOTRACE_ARG_##kind != GOTRACE_ARG_STRING)
#define GTT_NARGS_(N, n, id, sys, grp, args)				\
	[GOTRACE_EV_##N] = 0 args,
	static const int nargs[GOTRACE_EV_COUNT] = {
		[GOTRACE_EV_COMM] = 1,
		[GOTRACE_EV_TASK_CGROUP] = 2,
		GOTRACE_EVENTS(GTT_NARGS_, GTT_NARG_)
	};

	if (type == GOTRACE_EV_NONE || type >= GOTRACE_EV_COUNT)
		return -1;
#define GTT_STR_(name, kind)	|| GOTRACE_ARG_##kind == GOTRACE_ARG_STRING
#define GTT_HAS_STR_(N, n, id, sys, grp, args)				\
	[GOTRACE_EV_##N] = 0 args,
	static const bool strs[GOTRACE_EV_COUNT] = {
		[GOTRACE_EV_COMM] = true,
		GOTRACE_EVENTS(GTT_HAS_STR_, GTT_STR_)
	};

	*has_str = strs[type];
	return nargs[type];
}

/* Counts the events of one batch; checks the padding after them. */
static int gtt_decode_batch(struct gtt_raw *raw, const struct gotrace_batch *bh,
			    uint64_t *nr)
{
	const uint8_t *p = (const uint8_t *)(bh + 1);
	const uint8_t *end = (const uint8_t *)bh + bh->rec.len;
	uint64_t v, ts = bh->base_ts, n = 0;

	*nr = 0;

	while (p < end) {
		unsigned int type = *p & GOTRACE_EV_TYPE_MASK;
		bool has_str = false;
		int i, nargs;

		if (*p == 0) {
			/* Padding: zeros up to the 8-byte aligned end. */
			if (end - p >= 8)
				return gtt_fail(raw, "cpu %u seq %u: %zd zero bytes inside batch",
						bh->cpu, bh->seq, end - p);
			for (; p < end; p++)
				if (*p)
					return gtt_fail(raw, "cpu %u seq %u: garbage in padding",
							bh->cpu, bh->seq);
			break;
		}
		nargs = gtt_ev_nargs(type, &has_str);
		if (nargs < 0)
			return gtt_fail(raw, "cpu %u seq %u: bad event type %u",
					bh->cpu, bh->seq, type);
		/* A trailing stack id on the types the header lists. */
		if (!GOTRACE_EV_IS_META(type) &&
		    (raw->hdr.stack_events & (1ULL << type)))
			nargs++;
		p++;
		if (!gtt_varint(&p, end, &v))
			return gtt_fail(raw, "cpu %u seq %u: truncated ts",
					bh->cpu, bh->seq);
		if (v > 3600ULL * 1000000000ULL)
			return gtt_fail(raw, "cpu %u seq %u: ts delta %llu too big",
					bh->cpu, bh->seq, (unsigned long long)v);
		ts += v;
		for (i = 0; i < nargs; i++)
			if (!gtt_varint(&p, end, &v))
				return gtt_fail(raw, "cpu %u seq %u: truncated %s",
						bh->cpu, bh->seq,
						gt_event_name(type));
		if (has_str) {
			if (!gtt_varint(&p, end, &v) || v > (uint64_t)(end - p))
				return gtt_fail(raw, "cpu %u seq %u: bad string in %s",
						bh->cpu, bh->seq,
						gt_event_name(type));
			if (type == GOTRACE_EV_COMM && v > GOTRACE_COMM_LEN)
				return gtt_fail(raw, "comm of %llu bytes",
						(unsigned long long)v);
			if (v > GOTRACE_FILENAME_MAX)
				return gtt_fail(raw, "string of %llu bytes",
						(unsigned long long)v);
			p += v;
		}
		if (!GOTRACE_EV_IS_META(type))
			n++;
	}
	*nr = n;
	return 0;
}

static int gtt_raw_batch(struct gtt_raw *raw, const struct gotrace_batch *bh)
{
	struct gtt_raw_cpu *c;
	uint64_t nr = 0;

	if (bh->rec.len < sizeof(*bh))
		return gtt_fail(raw, "batch of %u bytes", bh->rec.len);
	if (bh->rec.len > raw->hdr.batch_size)
		return gtt_fail(raw, "batch of %u bytes > batch_size %u",
				bh->rec.len, raw->hdr.batch_size);
	if (bh->cpu >= raw->nr_cpus)
		return gtt_fail(raw, "batch of cpu %u >= nr_cpus %u",
				bh->cpu, raw->nr_cpus);
	/* STACK records come with generations, between batches. */
	if (raw->cpu_ends || raw->has_end)
		return gtt_fail(raw, "batch after CPU_END/END");
	if (!!(bh->flags & GOTRACE_BATCH_LOST) != !!bh->lost)
		return gtt_fail(raw, "cpu %u seq %u: flags %#x but lost %llu",
				bh->cpu, bh->seq, bh->flags,
				(unsigned long long)bh->lost);
	c = &raw->cpu[bh->cpu];
	if (!c->batches)
		c->first_seq = bh->seq;
	if (bh->seq < c->next_seq)
		return gtt_fail(raw, "cpu %u: seq %u after %u", bh->cpu,
				bh->seq, c->next_seq - 1);
	c->seq_gaps += bh->seq - c->next_seq;
	c->next_seq = bh->seq + 1;
	if (gtt_decode_batch(raw, bh, &nr))
		return -1;
	if (nr != bh->nr_events)
		return gtt_fail(raw, "cpu %u seq %u: nr_events %u but %llu decoded",
				bh->cpu, bh->seq, bh->nr_events,
				(unsigned long long)nr);
	c->batches++;
	c->events += bh->nr_events;
	c->decoded += nr;
	c->lost += bh->lost;
	c->lost_batches += !!bh->lost;
	c->bytes += bh->rec.len;
	raw->batches++;
	return 0;
}

static int gtt_raw_cpu_end(struct gtt_raw *raw, const struct gotrace_cpu_end *ce)
{
	struct gtt_raw_cpu *c;

	if (ce->rec.len != sizeof(*ce))
		return gtt_fail(raw, "CPU_END of %u bytes", ce->rec.len);
	if (raw->has_end)
		return gtt_fail(raw, "CPU_END after END");
	if (ce->cpu >= raw->nr_cpus)
		return gtt_fail(raw, "CPU_END of cpu %u", ce->cpu);
	c = &raw->cpu[ce->cpu];
	if (c->has_end)
		return gtt_fail(raw, "two CPU_END for cpu %u", ce->cpu);
	c->has_end = true;
	c->end = *ce;
	raw->cpu_ends++;
	return 0;
}

static int gtt_raw_end(struct gtt_raw *raw, const struct gotrace_end *e)
{
	uint64_t events = 0, lost = 0;
	uint32_t i;

	if (e->rec.len != sizeof(*e))
		return gtt_fail(raw, "END of %u bytes", e->rec.len);
	if (raw->has_end)
		return gtt_fail(raw, "two END records");
	raw->has_end = true;
	raw->end = *e;
	if (e->nr_cpus != raw->nr_cpus || raw->cpu_ends != raw->nr_cpus)
		return gtt_fail(raw, "END nr_cpus %u, header %u, CPU_ENDs %u",
				e->nr_cpus, raw->nr_cpus, raw->cpu_ends);
	for (i = 0; i < raw->nr_cpus; i++) {
		events += raw->cpu[i].end.events;
		lost += raw->cpu[i].end.lost;
	}
	if (e->events != events)
		return gtt_fail(raw, "END events %llu, CPU_END sum %llu",
				(unsigned long long)e->events,
				(unsigned long long)events);
	/* END.lost may add events refused outside any CPU (NMI). */
	if (e->lost < lost)
		return gtt_fail(raw, "END lost %llu < CPU_END sum %llu",
				(unsigned long long)e->lost,
				(unsigned long long)lost);
	if (e->stacks != raw->stacks)
		return gtt_fail(raw, "END stacks %llu, %u STACK records",
				(unsigned long long)e->stacks, raw->stacks);
	if (e->cgroups != raw->cgroups)
		return gtt_fail(raw, "END cgroups %llu, %u CGROUP records",
				(unsigned long long)e->cgroups, raw->cgroups);
	if (e->generations != raw->generations || raw->gen_batches)
		return gtt_fail(raw, "END generations %llu, %u GENERATION records, %u batches after the last",
				(unsigned long long)e->generations,
				raw->generations, raw->gen_batches);
	if (e->stop_ns < raw->hdr.start_ns)
		return gtt_fail(raw, "stop_ns before start_ns");
	return 0;
}

int gtt_raw_parse(const void *buf, size_t len, struct gtt_raw *raw)
{
	const uint8_t *base = buf;
	size_t off;

	memset(raw, 0, sizeof(*raw));
	raw->stream_len = len;
	if (len < GTT_HDR_BYTES)
		return gtt_fail(raw, "stream of %zu bytes", len);
	if (memcmp(base, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN))
		return gtt_fail(raw, "bad magic");
	memcpy(&raw->hdr, base + GOTRACE_MAGIC_LEN, sizeof(raw->hdr));
	if (raw->hdr.rec.type != GOTRACE_REC_HEADER ||
	    raw->hdr.rec.len < sizeof(raw->hdr) || raw->hdr.rec.len % 8)
		return gtt_fail(raw, "bad HEADER record type %u len %u",
				raw->hdr.rec.type, raw->hdr.rec.len);
	if (raw->hdr.version != GOTRACE_VERSION)
		return gtt_fail(raw, "version %u", raw->hdr.version);
	if (!raw->hdr.nr_cpus || raw->hdr.nr_cpus > 8192)
		return gtt_fail(raw, "nr_cpus %u", raw->hdr.nr_cpus);
	if (raw->hdr.batch_size < sizeof(struct gotrace_batch) ||
	    raw->hdr.batch_size > raw->hdr.buffer_size)
		return gtt_fail(raw, "batch_size %u buffer_size %u",
				raw->hdr.batch_size, raw->hdr.buffer_size);
	raw->nr_cpus = raw->hdr.nr_cpus;
	raw->cpu = calloc(raw->nr_cpus, sizeof(*raw->cpu));
	if (!raw->cpu)
		return gtt_fail(raw, "out of memory");
	raw->records = 1;

	off = GOTRACE_MAGIC_LEN + raw->hdr.rec.len;
	while (off < len) {
		struct gotrace_record rec;
		const void *p = base + off;

		if (raw->has_end)
			return gtt_fail(raw, "%zu bytes after END", len - off);
		if (len - off < sizeof(rec))
			return gtt_fail(raw, "truncated record at %zu", off);
		memcpy(&rec, p, sizeof(rec));
		if (rec.len < sizeof(rec) || rec.len % 8 || rec.len > len - off)
			return gtt_fail(raw, "record at %zu: type %u len %u (stream %zu)",
					off, rec.type, rec.len, len);
		switch (rec.type) {
		case GOTRACE_REC_BATCH:
			if (raw->gen_stacks || raw->gen_cgroups)
				return gtt_fail(raw, "BATCH at %zu after its generation's STACKs or CGROUPs",
						off);
			if (gtt_raw_batch(raw, p))
				return -1;
			raw->gen_batches++;
			break;
		case GOTRACE_REC_GENERATION: {
			struct gotrace_generation g;

			if (rec.len != sizeof(g))
				return gtt_fail(raw, "GENERATION of %u bytes",
						rec.len);
			memcpy(&g, p, sizeof(g));
			if (g.gen != raw->generations + 1 || !raw->gen_batches ||
			    g.batches != raw->gen_batches ||
			    g.stacks != raw->gen_stacks ||
			    g.cgroups != raw->gen_cgroups ||
			    g.close_ns < g.open_ns)
				return gtt_fail(raw, "GENERATION %u at %zu: %u batches, %u stacks, %u cgroups; expected generation %u, %u batches, %u stacks, %u cgroups",
						g.gen, off, g.batches, g.stacks,
						g.cgroups, raw->generations + 1,
						raw->gen_batches,
						raw->gen_stacks, raw->gen_cgroups);
			raw->generations++;
			raw->gen_batches = 0;
			raw->gen_stacks = 0;
			raw->gen_cgroups = 0;
			break;
		}
		case GOTRACE_REC_CPU_END:
			if (gtt_raw_cpu_end(raw, p))
				return -1;
			break;
		case GOTRACE_REC_END:
			if (gtt_raw_end(raw, p))
				return -1;
			break;
		case GOTRACE_REC_WINDOW: {
			const uint8_t *seqs = (const uint8_t *)p +
					      sizeof(raw->window);
			uint32_t i, seq;

			memcpy(&raw->window, p, sizeof(raw->window));
			if (raw->snapshot || raw->batches ||
			    rec.len < sizeof(raw->window) +
			    raw->window.nr_cpus * sizeof(seq) ||
			    raw->window.nr_cpus != raw->nr_cpus)
				return gtt_fail(raw, "bad WINDOW record at %zu",
						off);
			raw->snapshot = true;
			for (i = 0; i < raw->nr_cpus; i++) {
				memcpy(&seq, seqs + i * sizeof(seq), sizeof(seq));
				raw->cpu[i].window_seq = seq;
				raw->cpu[i].next_seq = seq;
			}
			break;
		}
		case GOTRACE_REC_GFP_NAMES:
		case GOTRACE_REC_TASKS:
			/* Written at start: before any batch. */
			if (raw->batches || raw->stacks || raw->cpu_ends)
				return gtt_fail(raw, "record type %u after batches",
						rec.type);
			raw->start_records++;
			break;
		case GOTRACE_REC_STACK:
			if (raw->cpu_ends)
				return gtt_fail(raw, "STACK after CPU_END");
			if (!raw->gen_batches)
				return gtt_fail(raw, "STACK at %zu outside a generation",
						off);
			raw->stacks++;
			raw->gen_stacks++;
			break;
		case GOTRACE_REC_CGROUP: {
			struct gotrace_cgroup c;

			/* After the generation's STACKs, before its end. */
			if (!raw->gen_batches || rec.len < sizeof(c))
				return gtt_fail(raw, "CGROUP at %zu outside a generation, or short",
						off);
			memcpy(&c, p, sizeof(c));
			if (c.path_len > rec.len - sizeof(c) ||
			    rec.len - sizeof(c) - c.path_len >= 8)
				return gtt_fail(raw, "CGROUP at %zu: path of %u bytes in %u",
						off, c.path_len, rec.len);
			raw->cgroups++;
			raw->gen_cgroups++;
			break;
		}
		default:
			/* Readers skip what they do not know. */
			raw->unknown++;
			break;
		}
		raw->records++;
		off += rec.len;
	}
	if (!raw->has_end)
		return gtt_fail(raw, "no END record");
	return 0;
}

void gtt_raw_free(struct gtt_raw *raw)
{
	free(raw->cpu);
	raw->cpu = NULL;
}

int gtt_raw_check_totals(struct gtt_raw *raw)
{
	uint32_t i;

	for (i = 0; i < raw->nr_cpus; i++) {
		struct gtt_raw_cpu *c = &raw->cpu[i];

		if (c->seq_gaps || (c->batches && c->first_seq != c->window_seq))
			return gtt_fail(raw, "cpu %u: batches skipped", i);
		/* A snapshot's CPU_END counts the CPU's batches before it too. */
		if (c->window_seq + c->batches != c->end.batches)
			return gtt_fail(raw, "cpu %u: %u batches, CPU_END says %u",
					i, c->batches, c->end.batches);
		if (c->events != c->end.events)
			return gtt_fail(raw, "cpu %u: batches hold %llu events, CPU_END says %llu",
					i, (unsigned long long)c->events,
					(unsigned long long)c->end.events);
		if (c->bytes != c->end.bytes)
			return gtt_fail(raw, "cpu %u: batches are %llu bytes, CPU_END says %llu",
					i, (unsigned long long)c->bytes,
					(unsigned long long)c->end.bytes);
		/* Events lost after the last batch are only in CPU_END. */
		if (c->lost > c->end.lost)
			return gtt_fail(raw, "cpu %u: batches lost %llu > CPU_END lost %llu",
					i, (unsigned long long)c->lost,
					(unsigned long long)c->end.lost);
	}
	return 0;
}

long gtt_lib_check(const void *buf, size_t len, char *err, size_t errlen)
{
	const struct gt_summary *sum;
	struct gt_reader *r;
	struct gt_event ev;
	uint64_t *per_cpu = NULL, last_ts = 0;
	long n = 0;
	uint32_t i;
	int ret;

	err[0] = 0;
	ret = gt_open_mem(buf, len, &r);
	if (ret < 0) {
		snprintf(err, errlen, "gt_open_mem: %d %s", ret, gt_error(NULL));
		return -1;
	}
	sum = gt_summary(r);
	per_cpu = calloc(sum->nr_cpus ? sum->nr_cpus : 1, sizeof(*per_cpu));
	if (!per_cpu) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	while ((ret = gt_next(r, &ev)) > 0) {
		n++;
		if (ev.ts < last_ts) {
			snprintf(err, errlen, "ts %llu after %llu (%s cpu %u)",
				 (unsigned long long)ev.ts,
				 (unsigned long long)last_ts,
				 gt_event_name(ev.type), ev.cpu);
			goto out;
		}
		last_ts = ev.ts;
		if (ev.cpu >= sum->nr_cpus) {
			snprintf(err, errlen, "event on cpu %u", ev.cpu);
			goto out;
		}
		if (!GOTRACE_EV_IS_META(ev.type))
			per_cpu[ev.cpu]++;
	}
	if (ret < 0) {
		snprintf(err, errlen, "gt_next: %d %s", ret, gt_error(r));
		goto out;
	}
	sum = gt_summary(r);
	if (!sum->complete || sum->truncated) {
		snprintf(err, errlen, "summary: complete %d truncated %d",
			 sum->complete, sum->truncated);
		goto out;
	}
	for (i = 0; i < sum->nr_cpus; i++) {
		if (per_cpu[i] != sum->cpus[i].events_seen) {
			snprintf(err, errlen, "cpu %u: %llu events decoded, batches say %llu",
				 i, (unsigned long long)per_cpu[i],
				 (unsigned long long)sum->cpus[i].events_seen);
			goto out;
		}
	}
out:
	free(per_cpu);
	gt_close(r);
	return err[0] ? -1 : n;
}

/* ---- misc ---- */

uint64_t gtt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void gtt_msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int gtt_pin_cpu(pid_t pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(pid, sizeof(set), &set) ? -errno : 0;
}

int gtt_online_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (i = 0; i < CPU_SETSIZE && n < max; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	return n;
}

uint64_t gtt_pagemap_pfn(int pagemap_fd, const void *addr)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t ent;
	off_t off = (off_t)((uintptr_t)addr / psize) * sizeof(ent);

	if (pread(pagemap_fd, &ent, sizeof(ent), off) != sizeof(ent))
		return 0;
	if (!(ent & (1ULL << 63)))
		return 0;
	return ent & ((1ULL << 55) - 1);
}

void *gtt_touch_pages(size_t n)
{
	long psize = sysconf(_SC_PAGESIZE);
	char *p;
	size_t i;

	p = mmap(NULL, n * psize, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n * psize, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++)
		p[i * psize] = 1;
	return p;
}

int gtt_drain_lru(void)
{
	unsigned long node0 = 1;

	/* from node 0 to node 0: lru_cache_disable() runs, nothing moves */
	if (syscall(SYS_migrate_pages, 0, 8 * sizeof(node0) + 1, &node0,
		    &node0) < 0)
		return -errno;
	return 0;
}

int gtt_pingpong(int n, int cpu, pid_t *child, uint64_t *t0, uint64_t *t1)
{
	int ab[2], ba[2], i, status, ret = 0;
	char c = 0;
	pid_t pid;

	if (pipe(ab) || pipe(ba))
		return -errno;
	if (cpu >= 0 && gtt_pin_cpu(0, cpu))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(ab[1]);
		close(ba[0]);
		for (i = 0; i < n; i++) {
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(ab[0]);
	close(ba[1]);
	*child = pid;
	*t0 = gtt_now_ns();
	for (i = 0; i < n; i++) {
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) {
			ret = -EIO;
			break;
		}
	}
	*t1 = gtt_now_ns();
	close(ab[1]);
	close(ba[0]);
	if (waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		ret = ret ? ret : -ECHILD;
	return ret;
}

/* ---- kallsyms of the guest ---- */

struct ksym {
	uint64_t addr;
	char name[64];
};

static struct ksym *ksyms;
static size_t nr_ksyms;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

size_t gtt_ksyms_load(void)
{
	char line[512], name[256];
	unsigned long long a;
	size_t cap = 0, nonzero = 0;
	FILE *f;
	char t;

	if (ksyms)
		return nr_ksyms;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &a, &t, name) != 3 ||
		    !strchr("tTwW", t))
			continue;
		if (nr_ksyms == cap) {
			struct ksym *k;

			cap = cap ? cap * 2 : 65536;
			k = realloc(ksyms, cap * sizeof(*k));
			if (!k)
				break;
			ksyms = k;
		}
		ksyms[nr_ksyms].addr = a;
		snprintf(ksyms[nr_ksyms].name, sizeof(ksyms[0].name), "%.63s",
			 name);
		nr_ksyms++;
		nonzero += a != 0;
	}
	fclose(f);
	qsort(ksyms, nr_ksyms, sizeof(*ksyms), ksym_cmp);
	return nonzero;
}

const char *gtt_ksym_name(uint64_t addr)
{
	size_t lo = 0, hi = nr_ksyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? ksyms[lo - 1].name : NULL;
}

const char *gtt_ksym_name_or(uint64_t addr, const char *none)
{
	const char *s = gtt_ksym_name(addr);

	return s ? s : none;
}

/* ---- a trace with a background reader ---- */

/* START with s and a reader thread; 0 or -errno. */
int gtt_trace_start(int fd, struct gotrace_start *s, struct gtt_bg *bg)
{
	int ret;

	s->size = sizeof(*s);
	if (!s->flush_ms)
		s->flush_ms = 50;
	ret = gtt_start_raw(fd, s);
	if (ret)
		return ret;
	ret = gtt_bg_start(bg, fd, 1 << 20);
	if (ret)
		gtt_stop(fd, 0);
	return ret;
}

/* STOP, read to the end, check the records, open a reader; 0 or -1. */
int gtt_trace_stop(int fd, struct gtt_bg *bg, struct gtt_buf *buf,
		   struct gtt_raw *raw, struct gt_reader **rd, char *err,
		   size_t errlen)
{
	int ret = gtt_stop(fd, 0), jret = gtt_bg_join(bg);

	*buf = bg->buf;
	if (ret || jret) {
		snprintf(err, errlen, "stop %d, read %d", ret, jret);
		return -1;
	}
	if (gtt_raw_parse(buf->data, buf->len, raw)) {
		snprintf(err, errlen, "raw: %.200s", raw->err);
		return -1;
	}
	if (gt_open_mem(buf->data, buf->len, rd)) {
		snprintf(err, errlen, "open: %s", gt_error(NULL));
		return -1;
	}
	return 0;
}

uint64_t gtt_tp_mask(uint64_t groups)
{
#define GTT_TP_GROUP_(N, n, id, sys, grp, args)			\
	[GOTRACE_TP_##N] = GOTRACE_GROUP_##grp,
	static const uint64_t tp_group[GOTRACE_TP_COUNT] = {
		GOTRACE_EVENTS(GTT_TP_GROUP_, GOTRACE_ARG_IGNORE_)
	};
	uint64_t mask = 0;
	int tp;

	for (tp = 0; tp < GOTRACE_TP_COUNT; tp++) {
		if (tp_group[tp] & groups)
			mask |= 1ULL << tp;
	}
	return mask;
}

int gtt_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

/* ---- cgroup v2 and OOM kills ---- */

#define GTT_CGROUP2_MAGIC	0x63677270

char gtt_cg_root[64];
static int gtt_cg_mounted;

int gtt_cg2_mount(void)
{
	struct statfs sf;

	if (!statfs("/sys/fs/cgroup", &sf) && sf.f_type == GTT_CGROUP2_MAGIC) {
		snprintf(gtt_cg_root, sizeof(gtt_cg_root), "/sys/fs/cgroup");
		return 0;
	}
	snprintf(gtt_cg_root, sizeof(gtt_cg_root), "/tmp/gotrace-cg2.XXXXXX");
	if (!mkdtemp(gtt_cg_root))
		return -errno;
	if (mount("none", gtt_cg_root, "cgroup2", 0, NULL)) {
		int err = -errno;

		rmdir(gtt_cg_root);
		return err;
	}
	gtt_cg_mounted = 1;
	return 0;
}

void gtt_cg2_umount(void)
{
	if (gtt_cg_mounted) {
		umount(gtt_cg_root);
		rmdir(gtt_cg_root);
		gtt_cg_mounted = 0;
	}
}

int gtt_klog_drop_oom_traces(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	int n, reports = 0, in_report = 0, kfd;
	char *buf, *line, *next;

	if (size <= 0)
		return -1;
	buf = malloc(size + 1);
	if (!buf)
		return -1;
	n = klogctl(4 /* SYSLOG_ACTION_READ_CLEAR */, buf, size);
	if (n < 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	kfd = open("/dev/kmsg", O_WRONLY);
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strstr(line, "invoked oom-killer")) {
			in_report = 1;
			reports++;
		} else if (in_report && strstr(line, "Call Trace:")) {
			in_report = 0;
			continue;
		}
		if (kfd >= 0 && *line)
			(void)!write(kfd, line, strlen(line));
	}
	if (kfd >= 0)
		close(kfd);
	free(buf);
	return reports;
}

pid_t gtt_oom_hog(const char *dir, size_t limit)
{
	int go[2];
	pid_t pid;
	char c;

	if (pipe(go))
		return -1;
	pid = fork();
	if (pid == 0) {
		size_t len = 4 * limit, i;
		char *p;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		gtt_write_str("/proc/self/oom_score_adj", "1000");
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		madvise(p, len, MADV_NOHUGEPAGE);
		for (i = 0; i < len; i += 4096)
			p[i] = 1;
		_exit(0);
	}
	close(go[0]);
	if (pid > 0) {
		char path[256], s[32];

		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		snprintf(s, sizeof(s), "%d", pid);
		if (gtt_write_str(path, s)) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			pid = -1;
		} else {
			(void)!write(go[1], "g", 1);
		}
	}
	close(go[1]);
	return pid;
}
