// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace dump: print the events of a trace file, ftrace-like, in
 * timestamp order across CPUs.
 *
 * The text is formatted by hand into one output buffer written with
 * write(2): printing, not decoding, is what a dump costs.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"
#include "gotrace_reader.h"

#define OUT_BUF_SIZE	(256 * 1024)
/*
 * Room left in the buffer before each event line: a line is at most about
 * 1500 bytes (a 255-byte exec filename and two comms, each byte escaped
 * to 4, a gfp string, numbers) and the fixed-size copies below write up
 * to 48 bytes past its end.
 */
#define LINE_ROOM	2048

static const struct gt_cmdopt dump_opts[] = {
	{ GO_RAW },
	{ GO_STACKS },
	{ GO_RELATIVE },
	{ GO_GFP_NAMES },
	{ GO_GFP_HEX },
	GT_FILTER_OPTS,
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec dump_cmd = {
	.name = "dump",
	.synopsis = "[--raw] [--stacks] [--relative] [--gfp-hex] [FILTERS] FILE",
	.about = "Print one line per event of a trace file, in timestamp order across\n"
		 "CPUs:  <ts ns> cpu=<N> <tracepoint> field=value ...  FILE may be '-'\n"
		 "(standard input).\n",
	.opts = dump_opts,
	.notes = "Task names and strings (comm, exec filename) are escaped so that a line\n"
		 "splits on spaces and a field on its first '=': a space, '=', '\"', '\\'\n"
		 "and every byte outside printable ASCII (0x21 to 0x7e) are written \\xNN\n"
		 "(two lowercase hex digits).  A task without a known name is <...>, the\n"
		 "idle task swapper/CPU.\n",
};

/* The output buffer of stdout. */
struct out {
	char *p;		/* where the next byte goes */
	char *lim;		/* flush before a line that starts past it */
	char *buf;
	int err;		/* errno of the last failed write, 0: none */
};

static char out_space[OUT_BUF_SIZE];

/*
 * Write what the buffer holds.  Like stdio, a failed write drops the
 * buffered text and later flushes try again; the error is reported at
 * the end.
 */
static void out_flush(struct out *o)
{
	const char *s = o->buf;
	size_t n = o->p - o->buf;

	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			break;
		}
		s += w;
		n -= w;
	}
	o->p = o->buf;
}

/* Append n bytes of any length. */
static void out_mem(struct out *o, const char *s, size_t n)
{
	while (n) {
		size_t room = o->buf + OUT_BUF_SIZE - o->p;

		if (!room) {
			out_flush(o);
			continue;
		}
		if (room > n)
			room = n;
		memcpy(o->p, s, room);
		o->p += room;
		s += room;
		n -= room;
	}
}

/* "00" to "99", filled by dump_init() */
static char digit_pairs[200];
static const char hex_digits[] = "0123456789abcdef";

/* 10^i, with 0 at 0 so that dec_len(0) is 1 */
static const uint64_t pow10_tab[20] = {
	0ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

/* Number of decimal digits of v: log10 from the bit length (1233/4096). */
static inline unsigned int dec_len(uint64_t v)
{
	unsigned int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;

	return t + 1 - (v < pow10_tab[t]);
}

static inline char *put_u64(char *p, uint64_t v)
{
	char *e = p + dec_len(v);

	p = e;
	while (v >= 100) {
		p -= 2;
		memcpy(p, digit_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + v * 2, 2);
	} else {
		*--p = '0' + v;
	}
	return e;
}

/* A signed tracepoint field (int) carried as a raw varint. */
static inline char *put_int(char *p, uint64_t v)
{
	int64_t s = v <= 0xffffffffULL ? (int64_t)(int32_t)v : (int64_t)v;

	if (s < 0) {
		*p++ = '-';
		return put_u64(p, -(uint64_t)s);
	}
	return put_u64(p, (uint64_t)s);
}

static inline char *put_hex(char *p, uint64_t v)
{
	unsigned int n = (67 - __builtin_clzll(v | 1)) / 4;
	char *e;

	*p++ = '0';
	*p++ = 'x';
	e = p + n;
	p = e;
	do {
		*--p = hex_digits[v & 15];
		v >>= 4;
	} while (v);
	return e;
}

static inline char *put_pfn(char *p, uint64_t pfn)
{
	if (pfn == ~0ULL) {
		memcpy(p, "-1", 2);
		return p + 2;
	}
	return put_hex(p, pfn);
}

static inline char *put_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define PUT_LIT(p, s)	put_mem(p, s, sizeof(s) - 1)

/* Index of the first zero byte of the 8 bytes of x (8: none). */
static inline unsigned int zero_byte(uint64_t x)
{
	uint64_t m = (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;

	return m ? __builtin_ctzll(m) / 8 : 8;
}

/*
 * Bytes written \xNN in names and strings (see dump's notes): space, '=',
 * '"', '\\' and everything outside printable ASCII.  Filled by dump_init().
 */
static uint8_t needs_escape[256];

/* The n bytes at s, escaped; at most 4 * n bytes. */
static char *put_escaped(char *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];

		if (!needs_escape[c]) {
			*p++ = (char)c;
			continue;
		}
		*p++ = '\\';
		*p++ = 'x';
		*p++ = hex_digits[c >> 4];
		*p++ = hex_digits[c & 15];
	}
	return p;
}

/* Is any of the n bytes at s escaped? */
static inline int any_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (needs_escape[(uint8_t)s[i]])
			return 1;
	return 0;
}

/*
 * Copy a comm of gt_comm(): its 16 bytes are copied at once and the line
 * advances by its length (names to escape, rare, go the slow way).  The
 * reader keeps each name in a slot of GOTRACE_COMM_LEN + 1 bytes, so
 * reading GOTRACE_COMM_LEN stays inside.
 */
_Static_assert(GOTRACE_COMM_LEN == 16, "put_comm_str() copies 16 bytes");

static inline char *put_comm_str(char *p, const char *c)
{
	uint64_t a, b;
	unsigned int n;

	memcpy(&a, c, 8);
	memcpy(&b, c + 8, 8);
	memcpy(p, &a, 8);
	memcpy(p + 8, &b, 8);
	n = zero_byte(le64toh(a));
	if (n == 8)
		n += zero_byte(le64toh(b));
	if (__builtin_expect(any_escaped(c, n), 0))
		return put_escaped(p, c, n);
	return p + n;
}

static const struct {
	char s[16];
	uint8_t len;
} ctx_names[] = {
	[GOTRACE_CTX_TASK]	= { "", 0 },
	[GOTRACE_CTX_SOFTIRQ]	= { " [softirq]", 10 },
	[GOTRACE_CTX_HARDIRQ]	= { " [hardirq]", 10 },
	[GOTRACE_CTX_NMI]	= { " [nmi]", 6 },
};

/* How a field of the tracefs format is printed from the event. */
enum field_kind {
	K_U64,		/* args[arg] in decimal */
	K_INT,		/* args[arg] as a signed 32-bit value */
	K_HEX,		/* args[arg] in hex */
	K_PFN,		/* args[arg] as a pfn (-1: no page) */
	K_COMM,		/* the name of pid args[arg] */
	K_CHILD_COMM,	/* a fork's child: its name, else its parent's */
	K_STATE,	/* args[arg] as a task state (ftrace's letters) */
	K_GFP,		/* args[arg] as gfp flags */
	K_STR,		/* the event's string (comm, exec filename) */
	K_SYNC,		/* args[arg]: compaction mode */
	K_BOOL,		/* args[arg]: false, true; other values: no field */
	K_CGROUP_PATH,	/* the path of cgroup id args[arg] */
};

/* How a value of a schema kind (enum gotrace_arg_kind) is printed. */
static uint8_t kind_of(uint8_t arg_kind)
{
	switch (arg_kind) {
	case GOTRACE_ARG_PRIO:
	case GOTRACE_ARG_CPU:
	case GOTRACE_ARG_ORDER:
	case GOTRACE_ARG_INT:
		return K_INT;
	case GOTRACE_ARG_HEX:
		return K_HEX;
	case GOTRACE_ARG_PFN:
		return K_PFN;
	case GOTRACE_ARG_STATE:
		return K_STATE;
	case GOTRACE_ARG_GFP:
		return K_GFP;
	case GOTRACE_ARG_MODE:
		return K_SYNC;
	case GOTRACE_ARG_BOOL:
		return K_BOOL;
	case GOTRACE_ARG_STRING:
		return K_STR;
	default:	/* pids, counts */
		return K_U64;
	}
}

/*
 * The name is copied with one fixed-size memcpy (FIELD_NAME_MAX bytes),
 * then the line advances by len: no per-field variable-length copy.
 */
#define FIELD_NAME_MAX	24

struct field {
	char name[FIELD_NAME_MAX];	/* " name=", as ftrace prints it */
	uint8_t len;			/* 0: end of the fields */
	uint8_t kind;		/* enum field_kind */
	uint8_t arg;		/* index in gt_event.args */
};

#define MAX_FIELDS	10	/* mark_victim: 8 arguments and its comm */

/*
 * The printed fields of each event type, in the order of its tracefs
 * format: the schema's fields (gt_event_desc()), with the comm that tracefs
 * prints for a task and dump adds for the current task where the kind says
 * so.  Built once by fields_init().
 */
static struct field event_fields[GOTRACE_EV_COUNT][MAX_FIELDS + 1];

static void field_add(struct field **f, struct field *end, const char *pre,
		      const char *name, const char *post, uint8_t kind,
		      uint8_t arg)
{
	int n;

	if (*f >= end) {
		fprintf(stderr, "gotrace: dump: more than %d fields\n",
			MAX_FIELDS);
		abort();
	}
	n = snprintf((*f)->name, FIELD_NAME_MAX, "%s%s%s=", pre, name, post);
	if (n < 0 || n >= FIELD_NAME_MAX) {
		fprintf(stderr, "gotrace: dump: field name %s too long\n", name);
		abort();
	}
	(*f)->len = (uint8_t)n;
	(*f)->kind = kind;
	(*f)->arg = arg;
	(*f)++;
}

static void fields_init(void)
{
	unsigned int t, i;

	for (t = 0; t < GOTRACE_EV_COUNT; t++) {
		const struct gt_event_desc *d = gt_event_desc(t);
		struct field *f = event_fields[t], *end = f + MAX_FIELDS;

		for (i = 0; d && i < d->nfields; i++) {
			const struct gt_field *sf = &d->fields[i];
			/* "prev_pid" -> "prev_", the prefix of its comm */
			size_t plen = strlen(sf->name) > 3 ?
				      strlen(sf->name) - 3 : 0;
			char prefix[FIELD_NAME_MAX];

			snprintf(prefix, sizeof(prefix), "%.*s", (int)plen,
				 sf->name);
			switch (sf->kind) {
			case GOTRACE_ARG_TASK:
			case GOTRACE_ARG_NEXT_TASK:
			case GOTRACE_ARG_CHILD:
				field_add(&f, end,
					  sf->kind == GOTRACE_ARG_NEXT_TASK ?
					  " ==> " : " ", prefix, "comm",
					  sf->kind == GOTRACE_ARG_CHILD ?
					  K_CHILD_COMM : K_COMM, sf->arg);
				field_add(&f, end, " ", sf->name, "", K_U64,
					  sf->arg);
				break;
			case GOTRACE_ARG_CURRENT_COMM:
				field_add(&f, end, " ", sf->name, "", K_U64,
					  sf->arg);
				field_add(&f, end, " ", "comm", "", K_COMM,
					  sf->arg);
				break;
			case GOTRACE_ARG_CGROUP:
				/* "dst_id" -> "dst_path", as tracefs */
				snprintf(prefix, sizeof(prefix), "%.*s",
					 (int)(strlen(sf->name) - 2), sf->name);
				field_add(&f, end, " ", sf->name, "", K_U64,
					  sf->arg);
				field_add(&f, end, " ", prefix, "path",
					  K_CGROUP_PATH, sf->arg);
				break;
			default:
				field_add(&f, end, " ", sf->name, "",
					  kind_of(sf->kind), sf->arg);
				break;
			}
		}
	}
}

/* " <event name>", padded for a fixed-size copy */
#define EV_NAME_MAX	48

/* A gfp value and its --gfp-names string. */
struct gfp_ent {
	uint64_t flags;
	char *str;		/* NULL: free slot */
	size_t len;
};

#define GFP_CACHE_BITS	10
#define GFP_CACHE_SIZE	(1 << GFP_CACHE_BITS)	/* filled up to half */
#define STATE_CACHE	(2 * GOTRACE_STATE_PREEMPTED)

/* What format_event() needs besides the event. */
struct dump_ctx {
	struct gt_reader *r;
	int gfp_names;
	int relative;
	uint64_t start_ns;	/* the trace start, for relative */
	struct {
		char s[EV_NAME_MAX];
		uint8_t len;
	} ev_names[GOTRACE_EV_COUNT];
	/* the prev_state strings of the states without unknown bits */
	struct {
		char s[24];
		uint8_t len;	/* 0: not formatted yet */
	} states[STATE_CACHE];
	struct gfp_ent *gfp;	/* GFP_CACHE_SIZE slots, or NULL */
	size_t gfp_used;
	/* the TRIGGERS record: fired triggers to mark */
	int has_fired;
};

static void dump_init(struct dump_ctx *d, struct gt_reader *r, int gfp_names,
		      int relative)
{
	unsigned int i;
	size_t nr;

	for (i = 0; i < 100; i++) {
		digit_pairs[2 * i] = '0' + i / 10;
		digit_pairs[2 * i + 1] = '0' + i % 10;
	}
	for (i = 0; i < 256; i++)
		needs_escape[i] = i < 0x21 || i > 0x7e || i == '=' ||
				  i == '"' || i == '\\';
	memset(d, 0, sizeof(*d));
	d->r = r;
	d->gfp_names = gfp_names;
	d->relative = relative;
	d->start_ns = gt_header(r)->start_ns;
	gt_fired(r, &nr, NULL);
	d->has_fired = nr > 0;
	fields_init();
	for (i = 0; i < GOTRACE_EV_COUNT; i++) {
		const char *name = gt_event_name(i);
		size_t n = strlen(name);

		/* len 0: too long for a fixed-size copy */
		if (n + 1 > EV_NAME_MAX)
			continue;
		d->ev_names[i].s[0] = ' ';
		memcpy(d->ev_names[i].s + 1, name, n);
		d->ev_names[i].len = n + 1;
	}
	if (gfp_names)
		d->gfp = calloc(GFP_CACHE_SIZE, sizeof(*d->gfp));
}

static void dump_free(struct dump_ctx *d)
{
	size_t i;

	if (!d->gfp)
		return;
	for (i = 0; i < GFP_CACHE_SIZE; i++)
		free(d->gfp[i].str);
	free(d->gfp);
}

static char *put_state(char *p, struct dump_ctx *d, uint64_t v)
{
	char buf[256];
	size_t len;

	if (v < STATE_CACHE && d->states[v].len) {
		memcpy(p, d->states[v].s, 16);
		return p + d->states[v].len;
	}
	gt_state_str(v, buf, sizeof(buf));
	len = strlen(buf);
	/* at most "S|D|T|t|X|Z|P|I+" without unknown bits */
	if (v < STATE_CACHE && len && len <= 16) {
		memcpy(d->states[v].s, buf, len);
		d->states[v].len = len;
	}
	return put_mem(p, buf, len);
}

/* gt_gfp_str() of the few distinct gfp values of a trace, cached. */
static char *put_gfp_names(char *p, struct dump_ctx *d, uint64_t v)
{
	char buf[256];
	struct gfp_ent *e = NULL;
	size_t i, len;

	if (d->gfp) {
		i = (size_t)((v * 0x9e3779b97f4a7c15ULL) >>
			     (64 - GFP_CACHE_BITS));
		while (d->gfp[i].str && d->gfp[i].flags != v)
			i = (i + 1) & (GFP_CACHE_SIZE - 1);
		e = &d->gfp[i];
		if (e->str)
			return put_mem(p, e->str, e->len);
	}
	gt_gfp_str(d->r, v, buf, sizeof(buf));
	len = strlen(buf);
	if (e && d->gfp_used < GFP_CACHE_SIZE / 2) {
		e->str = malloc(len + 1);
		if (e->str) {
			memcpy(e->str, buf, len + 1);
			e->flags = v;
			e->len = len;
			d->gfp_used++;
		}
	}
	return put_mem(p, buf, len);
}

/*
 * A cgroup's path from its CGROUP record ("?" without one), as one
 * key=value token: bytes outside printable ASCII, space, backslash and '='
 * as \xNN, cut after CGROUP_PATH_SHOWN bytes ("...") so that a line
 * stays within LINE_ROOM (stats and the JSON have whole paths).
 */
#define CGROUP_PATH_SHOWN	256

static char *put_cgroup_path(char *p, struct dump_ctx *d, uint64_t id)
{
	static const char hex[] = "0123456789abcdef";
	const struct gt_cgroup *cg = gt_cgroup(d->r, id);
	const unsigned char *s;
	size_t i;

	if (!cg || !cg->path[0])
		return PUT_LIT(p, "?");
	s = (const unsigned char *)cg->path;
	for (i = 0; s[i] && i < CGROUP_PATH_SHOWN; i++) {
		if (s[i] > ' ' && s[i] < 0x7f && s[i] != '\\' && s[i] != '=') {
			*p++ = (char)s[i];
			continue;
		}
		*p++ = '\\';
		*p++ = 'x';
		*p++ = hex[s[i] >> 4];
		*p++ = hex[s[i] & 15];
	}
	if (s[i])
		p = PUT_LIT(p, "...");
	return p;
}

static inline char *put_comm(char *p, struct dump_ctx *d, uint64_t pid,
			     uint32_t cpu)
{
	const char *c;

	if (!pid) {
		p = PUT_LIT(p, "swapper/");
		return put_u64(p, cpu);
	}
	c = pid <= 0xffffffffULL ? gt_comm(d->r, (uint32_t)pid) : NULL;
	if (!c)
		return PUT_LIT(p, "<...>");
	return put_comm_str(p, c);
}

/*
 * " <- trigger reclaim:1ms reclaim:10ms (12.3ms)" after an event that
 * fired triggers (a snapshot's TRIGGERS record): the triggers, then what
 * the event measured.  At most GOTRACE_MAX_TRIGGERS fire on one event:
 * well inside LINE_ROOM.
 */
static char *put_fired(char *p, struct dump_ctx *d, const struct gt_event *ev)
{
	const struct gotrace_fired *f;
	size_t i, n = gt_fired_at(d->r, ev->cpu, ev->ts, ev->type, &f);
	char buf[48];

	if (!n)
		return p;
	p = PUT_LIT(p, " <- trigger");
	for (i = 0; i < n && i < GOTRACE_MAX_TRIGGERS; i++) {
		gt_fired_trigger_str(d->r, &f[i], buf, sizeof(buf));
		*p++ = ' ';
		p = put_mem(p, buf, strlen(buf));
	}
	gt_fired_value_str(&f[0], buf, sizeof(buf));
	if (buf[0]) {
		p = PUT_LIT(p, " (");
		p = put_mem(p, buf, strlen(buf));
		*p++ = ')';
	}
	return p;
}

/*
 * Format ev at p, which has LINE_ROOM bytes; return the end of the line.
 */
/* ns as seconds with 9 decimals: "12.000345678" */
static char *put_seconds(char *p, uint64_t ns)
{
	uint64_t frac = ns % 1000000000ULL;
	char *e;
	int i;

	p = put_u64(p, ns / 1000000000ULL);
	*p++ = '.';
	e = p + 9;
	for (i = 8; i >= 0; i--) {
		p[i] = '0' + frac % 10;
		frac /= 10;
	}
	return e;
}

static char *format_event(char *p, struct dump_ctx *d,
			  const struct gt_event *ev)
{
	const struct field *f;

	if (!d->relative) {
		p = put_u64(p, ev->ts);
	} else if (ev->ts >= d->start_ns) {
		p = put_seconds(p, ev->ts - d->start_ns);
	} else {
		*p++ = '-';
		p = put_seconds(p, d->start_ns - ev->ts);
	}
	p = PUT_LIT(p, " cpu=");
	p = put_u64(p, ev->cpu);
	if (ev->type >= GOTRACE_EV_COUNT || !d->ev_names[ev->type].len) {
		/* (the reader returns no unknown type) */
		const char *name = gt_event_name(ev->type);

		*p++ = ' ';
		p = put_mem(p, name, strlen(name));
		if (ev->type >= GOTRACE_EV_COUNT)
			goto tail;
	} else {
		memcpy(p, d->ev_names[ev->type].s, EV_NAME_MAX);
		p += d->ev_names[ev->type].len;
	}
	for (f = event_fields[ev->type]; f->len; f++) {
		uint64_t v = ev->args[f->arg];

		if (f->kind == K_BOOL && v > 1)
			continue;	/* unknown: as tracefs, which lacks it */
		memcpy(p, f->name, FIELD_NAME_MAX);
		p += f->len;
		switch (f->kind) {
		case K_U64:
			p = put_u64(p, v);
			break;
		case K_INT:
			p = put_int(p, v);
			break;
		case K_HEX:
			p = put_hex(p, v);
			break;
		case K_PFN:
			p = put_pfn(p, v);
			break;
		case K_COMM:
			p = put_comm(p, d, v, ev->cpu);
			break;
		case K_CHILD_COMM:
			/* a child has its parent's comm until it execs */
			if (v <= 0xffffffffULL && gt_comm(d->r, (uint32_t)v))
				p = put_comm(p, d, v, ev->cpu);
			else
				p = put_comm(p, d, ev->args[0], ev->cpu);
			break;
		case K_STATE:
			p = put_state(p, d, v);
			break;
		case K_GFP:
			if (d->gfp_names)
				p = put_gfp_names(p, d, v);
			else
				p = put_hex(p, v);
			break;
		case K_STR:
			if (ev->str)
				p = put_escaped(p, ev->str, ev->str_len);
			break;
		case K_BOOL:
			if (v)
				p = PUT_LIT(p, "true");
			else
				p = PUT_LIT(p, "false");
			break;
		case K_SYNC:
			if (v)
				p = PUT_LIT(p, "sync");
			else
				p = PUT_LIT(p, "async");
			break;
		case K_CGROUP_PATH:
			p = put_cgroup_path(p, d, v);
			break;
		}
	}
tail:
	if (ev->stack_id) {
		p = PUT_LIT(p, " stack_id=");
		p = put_u64(p, ev->stack_id);
	}
	memcpy(p, ctx_names[ev->ctx & 3].s, 16);
	p += ctx_names[ev->ctx & 3].len;
	if (d->has_fired)
		p = put_fired(p, d, ev);
	*p++ = '\n';
	return p;
}

/* A frame's source lines (LINES record), indented under its " => ". */
static void put_srclines(struct out *o, struct gt_reader *r, uint64_t addr)
{
	char src[512];
	size_t n;
	int k;

	for (k = 0; (n = srcline_str(r, addr, k, src, sizeof(src))); k++) {
		if (o->p > o->lim)
			out_flush(o);
		o->p = PUT_LIT(o->p, "        ");
		out_mem(o, src, n);
		if (o->p > o->lim)
			out_flush(o);
		*o->p++ = '\n';
	}
}

/* The frames of a stack, one " => " line each, as ftrace prints them. */
static void put_stack(struct out *o, struct gt_reader *r, uint32_t id)
{
	const uint64_t *f;
	int i, n = gt_stack(r, id, &f);

	if (n < 0) {
		if (o->p > o->lim)
			out_flush(o);
		o->p = PUT_LIT(o->p, " => <stack ");
		o->p = put_u64(o->p, id);
		o->p = PUT_LIT(o->p, " not in the trace>\n");
		return;
	}
	for (i = 0; i < n; i++) {
		const char *mod, *name;
		uint64_t off;

		name = gt_symbol(r, f[i], &off, &mod);
		if (o->p > o->lim)
			out_flush(o);
		o->p = PUT_LIT(o->p, " => ");
		if (!name) {
			o->p = put_hex(o->p, f[i]);
			*o->p++ = '\n';
			continue;
		}
		/* names may be long: out_mem() flushes as needed */
		out_mem(o, name, strlen(name));
		if (o->p > o->lim)
			out_flush(o);
		*o->p++ = '+';
		o->p = put_hex(o->p, off);
		if (mod) {
			o->p = PUT_LIT(o->p, " [");
			out_mem(o, mod, strlen(mod));
			if (o->p > o->lim)
				out_flush(o);
			*o->p++ = ']';
		}
		*o->p++ = '\n';
		put_srclines(o, r, f[i]);
	}
}

/*
 * "# triggers: reclaim:10ms oom; 3 fired, 2 in the window" first, for a
 * snapshot with a TRIGGERS record.
 */
static void put_trigger_list(struct out *o, struct gt_reader *r)
{
	const struct gotrace_trigger *t;
	size_t i, nt, nf;
	uint64_t total;
	char buf[48];

	if (!gt_has_triggers(r))
		return;
	t = gt_triggers(r, &nt);
	gt_fired(r, &nf, &total);
	o->p = PUT_LIT(o->p, "# triggers:");
	for (i = 0; i < nt; i++) {
		gt_trigger_str(t[i].kind, t[i].value, buf, sizeof(buf));
		if (o->p > o->lim)
			out_flush(o);
		*o->p++ = ' ';
		out_mem(o, buf, strlen(buf));
	}
	if (o->p > o->lim)
		out_flush(o);
	o->p = PUT_LIT(o->p, "; ");
	o->p = put_u64(o->p, total);
	o->p = PUT_LIT(o->p, " fired, ");
	o->p = put_u64(o->p, nf);
	o->p = PUT_LIT(o->p, " in the window\n");
}

static int report_end(struct gt_reader *r, const char *path)
{
	const struct gt_summary *s = gt_summary(r);
	uint64_t gaps = 0, skipped = s->reader_skipped;
	uint32_t i;

	for (i = 0; i < s->nr_cpus; i++)
		gaps += s->cpus[i].seq_gaps;
	if (s->truncated)
		gt_warn("%s: %s; printed the complete records", path,
			gt_error(r));
	else if (!s->complete)
		gt_warn("%s: no END record: the recording did not finish",
			path);
	if (!s->complete && gt_header(r)->stack_events &&
	    gt_header(r)->version >= 3)
		gt_warn("%s: stacks complete up to generation %u; the events after it may lack theirs",
			path, s->generations);
	if (s->lost)
		gt_warn("%s: %llu events were lost", path,
			(unsigned long long)s->lost);
	if (gaps)
		gt_warn("%s: %llu batches missing (seq gaps)", path,
			(unsigned long long)gaps);
	if (skipped)
		gt_warn("%s: %llu batches skipped by a reader that went away",
			path, (unsigned long long)skipped);
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	struct gt_reader *r;
	struct gt_event ev;
	struct gt_filter f;
	struct dump_ctx *d;
	struct out o;
	const char *path;
	int id, raw = 0, stacks = 0, ret, status = EXIT_OK;
	int gfp_names = 1, relative = 0;
	struct gt_args a;

	gt_filter_init(&f);
	gt_args_init(&a, &dump_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		switch (id) {
		case GO_RAW:
			raw = 1;
			break;
		case GO_STACKS:
			stacks = 1;
			break;
		case GO_GFP_NAMES:
			gfp_names = 1;
			break;
		case GO_GFP_HEX:
			gfp_names = 0;
			break;
		case GO_RELATIVE:
			relative = 1;
			break;
		default:
			if (filter_opt(&f, id, a.arg) < 0) {
				a.status = EXIT_USAGE;
				id = -1;
			}
			break;
		}
		if (id < 0)
			break;
	}
	if (!id && gt_args_operands(&a, 1, 1, "one FILE"))
		id = -1;
	gt_args_free(&a);
	if (id < 0)
		return a.status;
	path = argv[optind];
	ret = gt_open_file(path, &r);
	if (ret < 0) {
		gt_err("%s", gt_error(NULL));
		return EXIT_ERR;
	}
	d = malloc(sizeof(*d));
	if (!d) {
		gt_err("%s", strerror(ENOMEM));
		gt_close(r);
		return EXIT_ERR;
	}
	dump_init(d, r, gfp_names, relative);
	o.buf = out_space;
	o.p = o.buf;
	o.lim = o.buf + OUT_BUF_SIZE - LINE_ROOM;
	o.err = 0;
	if (gt_triggers_error(r))
		gt_warn("%s: %s", path, gt_triggers_error(r));
	put_trigger_list(&o, r);
	while ((ret = gt_next(r, &ev)) > 0) {
		int sel = gt_filter_match(&f, r, &ev);

		if (sel < 0) {
			gt_err("%s", strerror(-sel));
			status = EXIT_ERR;
			break;
		}
		if (!sel || (ev.type == GOTRACE_EV_COMM && !raw))
			continue;
		if (o.p > o.lim)
			out_flush(&o);
		o.p = format_event(o.p, d, &ev);
		if (stacks && ev.stack_id)
			put_stack(&o, r, ev.stack_id);
	}
	out_flush(&o);
	if (o.err) {
		gt_err("writing the output: %s", strerror(o.err));
		status = EXIT_ERR;
	}
	if (ret < 0) {
		gt_err("%s: malformed trace: %s", path, gt_error(r));
		status = EXIT_ERR;
	} else {
		report_end(r, path);
	}
	dump_free(d);
	free(d);
	gt_close(r);
	gt_filter_release(&f);
	return status;
}
