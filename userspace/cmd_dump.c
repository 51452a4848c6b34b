// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace dump: print the events of a trace file, ftrace-like, in
 * timestamp order across CPUs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "gotrace_reader.h"

#define OUT_BUF_SIZE	(1024 * 1024)
#define LINE_MAX_LEN	1024

static void dump_usage(FILE *f)
{
	fprintf(f,
		"Usage: gotrace dump [--raw] [--stacks] [--gfp-names] FILE\n"
		"\n"
		"Print one line per event of a trace file, in timestamp order across\n"
		"CPUs:  <ts ns> cpu=<N> <tracepoint> field=value ...\n"
		"\n"
		"  -r, --raw    also print the comm records of the stream\n"
		"  -s, --stacks print the kernel stacks of the events that have one\n"
		"  -g, --gfp-names  print gfp_flags with the traced kernel's names\n"
		"  -h, --help   show this help\n");
}

/* A line under construction; every put_* keeps room for the tail. */
struct line {
	char *p;
	char buf[LINE_MAX_LEN];
};

static inline void put_mem(struct line *l, const char *s, size_t n)
{
	size_t room = l->buf + LINE_MAX_LEN - 64 - l->p;

	if (n > room)
		n = room;
	memcpy(l->p, s, n);
	l->p += n;
}

static inline void put_str(struct line *l, const char *s)
{
	put_mem(l, s, strlen(s));
}

static inline void put_u64(struct line *l, uint64_t v)
{
	char tmp[24];
	char *t = tmp + sizeof(tmp);

	do {
		*--t = '0' + v % 10;
		v /= 10;
	} while (v);
	memcpy(l->p, t, tmp + sizeof(tmp) - t);
	l->p += tmp + sizeof(tmp) - t;
}

/* A signed tracepoint field (int) carried as a raw varint. */
static inline void put_int(struct line *l, uint64_t v)
{
	int64_t s = v <= 0xffffffffULL ? (int64_t)(int32_t)v : (int64_t)v;

	if (s < 0) {
		*l->p++ = '-';
		put_u64(l, -(uint64_t)s);
	} else {
		put_u64(l, (uint64_t)s);
	}
}

static inline void put_hex(struct line *l, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[20];
	char *t = tmp + sizeof(tmp);

	do {
		*--t = digits[v & 15];
		v >>= 4;
	} while (v);
	*l->p++ = '0';
	*l->p++ = 'x';
	memcpy(l->p, t, tmp + sizeof(tmp) - t);
	l->p += tmp + sizeof(tmp) - t;
}

static inline void put_pfn(struct line *l, uint64_t pfn)
{
	if (pfn == ~0ULL)
		put_str(l, "-1");
	else
		put_hex(l, pfn);
}

static void put_comm(struct line *l, struct gt_reader *r, uint64_t pid,
		     uint32_t cpu)
{
	const char *c;

	if (!pid) {
		put_str(l, "swapper/");
		put_u64(l, cpu);
		return;
	}
	c = pid <= 0xffffffffULL ? gt_comm(r, (uint32_t)pid) : NULL;
	put_str(l, c ? c : "<...>");
}

static const char * const ctx_names[] = {
	[GOTRACE_CTX_TASK]	= "",
	[GOTRACE_CTX_SOFTIRQ]	= " [softirq]",
	[GOTRACE_CTX_HARDIRQ]	= " [hardirq]",
	[GOTRACE_CTX_NMI]	= " [nmi]",
};

#define F(l, name)	put_mem(l, name, sizeof(name) - 1)

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
};

struct field {
	const char *name;	/* " name=", as ftrace prints it */
	uint8_t len;
	uint8_t kind;		/* enum field_kind */
	uint8_t arg;		/* index in gt_event.args */
};

#define FLD(n, k, i)	{ n, sizeof(n) - 1, k, i }
#define MAX_FIELDS	8

/* The fields of each event type, in the order of its tracefs format. */
static const struct field event_fields[GOTRACE_EV_COUNT][MAX_FIELDS + 1] = {
	[GOTRACE_EV_COMM] = {
		FLD(" pid=", K_U64, 0), FLD(" comm=", K_STR, 0),
	},
	[GOTRACE_EV_SCHED_SWITCH] = {
		FLD(" prev_comm=", K_COMM, 0), FLD(" prev_pid=", K_U64, 0),
		FLD(" prev_prio=", K_INT, 1), FLD(" prev_state=", K_STATE, 2),
		FLD(" ==> next_comm=", K_COMM, 3), FLD(" next_pid=", K_U64, 3),
		FLD(" next_prio=", K_INT, 4),
	},
	[GOTRACE_EV_SCHED_WAKEUP] = {
		FLD(" comm=", K_COMM, 0), FLD(" pid=", K_U64, 0),
		FLD(" prio=", K_INT, 1), FLD(" target_cpu=", K_INT, 2),
	},
	[GOTRACE_EV_SCHED_WAKEUP_NEW] = {
		FLD(" comm=", K_COMM, 0), FLD(" pid=", K_U64, 0),
		FLD(" prio=", K_INT, 1), FLD(" target_cpu=", K_INT, 2),
	},
	[GOTRACE_EV_SCHED_PROCESS_FORK] = {
		FLD(" comm=", K_COMM, 0), FLD(" pid=", K_U64, 0),
		FLD(" child_comm=", K_CHILD_COMM, 1),
		FLD(" child_pid=", K_U64, 1), FLD(" child_tgid=", K_U64, 2),
	},
	[GOTRACE_EV_SCHED_PROCESS_EXIT] = {
		FLD(" comm=", K_COMM, 0), FLD(" pid=", K_U64, 0),
		FLD(" prio=", K_INT, 1),
	},
	[GOTRACE_EV_SCHED_PROCESS_EXEC] = {
		FLD(" filename=", K_STR, 0), FLD(" pid=", K_U64, 0),
		FLD(" old_pid=", K_U64, 1),
	},
	[GOTRACE_EV_SCHED_MIGRATE_TASK] = {
		FLD(" comm=", K_COMM, 0), FLD(" pid=", K_U64, 0),
		FLD(" prio=", K_INT, 1), FLD(" orig_cpu=", K_INT, 2),
		FLD(" dest_cpu=", K_INT, 3),
	},
	[GOTRACE_EV_MM_PAGE_ALLOC] = {
		FLD(" pfn=", K_PFN, 0), FLD(" order=", K_INT, 1),
		FLD(" gfp_flags=", K_GFP, 2), FLD(" migratetype=", K_INT, 3),
		FLD(" pid=", K_U64, 4), FLD(" comm=", K_COMM, 4),
	},
	[GOTRACE_EV_MM_PAGE_FREE] = {
		FLD(" pfn=", K_PFN, 0), FLD(" order=", K_INT, 1),
		FLD(" pid=", K_U64, 2), FLD(" comm=", K_COMM, 2),
	},
	[GOTRACE_EV_MM_PAGE_FREE_BATCHED] = {
		FLD(" pfn=", K_PFN, 0), FLD(" pid=", K_U64, 1),
	},
	[GOTRACE_EV_MM_PAGE_PCPU_DRAIN] = {
		FLD(" pfn=", K_PFN, 0), FLD(" order=", K_INT, 1),
		FLD(" migratetype=", K_INT, 2), FLD(" pid=", K_U64, 3),
	},
	[GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG] = {
		FLD(" pfn=", K_PFN, 0), FLD(" alloc_order=", K_INT, 1),
		FLD(" fallback_order=", K_INT, 2),
		FLD(" alloc_migratetype=", K_INT, 3),
		FLD(" fallback_migratetype=", K_INT, 4),
		FLD(" pid=", K_U64, 5),
	},
	[GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN] = {
		FLD(" order=", K_INT, 0), FLD(" gfp_flags=", K_GFP, 1),
		FLD(" pid=", K_U64, 2), FLD(" comm=", K_COMM, 2),
	},
	[GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END] = {
		FLD(" nr_reclaimed=", K_U64, 0), FLD(" pid=", K_U64, 1),
		FLD(" comm=", K_COMM, 1),
	},
	[GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE] = {
		FLD(" nid=", K_INT, 0), FLD(" zid=", K_INT, 1),
		FLD(" order=", K_INT, 2),
	},
	[GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP] = {
		FLD(" nid=", K_INT, 0),
	},
	[GOTRACE_EV_MM_COMPACTION_BEGIN] = {
		FLD(" zone_start=", K_HEX, 0), FLD(" zone_end=", K_HEX, 1),
		FLD(" mode=", K_SYNC, 2), FLD(" pid=", K_U64, 3),
	},
	[GOTRACE_EV_MM_COMPACTION_END] = {
		FLD(" zone_start=", K_HEX, 0), FLD(" zone_end=", K_HEX, 1),
		FLD(" mode=", K_SYNC, 2), FLD(" status=", K_INT, 3),
		FLD(" pid=", K_U64, 4),
	},
};

static void put_field(struct line *l, struct gt_reader *r,
		      const struct gt_event *ev, const struct field *f,
		      int gfp_names)
{
	uint64_t v = ev->args[f->arg];
	char buf[256];

	put_mem(l, f->name, f->len);
	switch (f->kind) {
	case K_U64:
		put_u64(l, v);
		break;
	case K_INT:
		put_int(l, v);
		break;
	case K_HEX:
		put_hex(l, v);
		break;
	case K_PFN:
		put_pfn(l, v);
		break;
	case K_COMM:
		put_comm(l, r, v, ev->cpu);
		break;
	case K_CHILD_COMM:
		/* a child has its parent's comm until it execs */
		if (v <= 0xffffffffULL && gt_comm(r, (uint32_t)v))
			put_comm(l, r, v, ev->cpu);
		else
			put_comm(l, r, ev->args[0], ev->cpu);
		break;
	case K_STATE:
		put_str(l, gt_state_str(v, buf, sizeof(buf)));
		break;
	case K_GFP:
		if (gfp_names)
			put_str(l, gt_gfp_str(r, v, buf, sizeof(buf)));
		else
			put_hex(l, v);
		break;
	case K_STR:
		put_str(l, ev->str ? ev->str : "");
		break;
	case K_SYNC:
		put_str(l, v ? "sync" : "async");
		break;
	}
}

/* Format ev into l; return 0 if the event is not printed. */
static int format_event(struct line *l, struct gt_reader *r,
			const struct gt_event *ev, int raw, int gfp_names)
{
	const struct field *f;

	if (ev->type == GOTRACE_EV_COMM && !raw)
		return 0;
	l->p = l->buf;
	put_u64(l, ev->ts);
	F(l, " cpu=");
	put_u64(l, ev->cpu);
	*l->p++ = ' ';
	put_str(l, gt_event_name(ev->type));
	if (ev->type < GOTRACE_EV_COUNT)
		for (f = event_fields[ev->type]; f->name; f++)
			put_field(l, r, ev, f, gfp_names);
	if (ev->stack_id) {
		F(l, " stack_id=");
		put_u64(l, ev->stack_id);
	}
	put_str(l, ctx_names[ev->ctx & 3]);
	*l->p++ = '\n';
	return 1;
}

/* The frames of a stack, one " => " line each, as ftrace prints them. */
static void print_stack(struct gt_reader *r, uint32_t id)
{
	const uint64_t *f;
	int i, n = gt_stack(r, id, &f);

	if (n < 0) {
		printf(" => <stack %u not in the trace>\n", id);
		return;
	}
	for (i = 0; i < n; i++) {
		const char *mod, *name;
		uint64_t off;

		name = gt_symbol(r, f[i], &off, &mod);
		if (!name)
			printf(" => 0x%llx\n", (unsigned long long)f[i]);
		else if (mod)
			printf(" => %s+0x%llx [%s]\n", name,
			       (unsigned long long)off, mod);
		else
			printf(" => %s+0x%llx\n", name,
			       (unsigned long long)off);
	}
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
	static const struct option opts[] = {
		{ "raw",  no_argument, NULL, 'r' },
		{ "stacks", no_argument, NULL, 's' },
		{ "gfp-names", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct gt_reader *r;
	struct gt_event ev;
	struct line l;
	const char *path;
	char *obuf;
	int opt, raw = 0, stacks = 0, ret, status = EXIT_OK;
	int gfp_names = 0;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "rsgh", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			raw = 1;
			break;
		case 's':
			stacks = 1;
			break;
		case 'g':
			gfp_names = 1;
			break;
		case 'h':
			dump_usage(stdout);
			return EXIT_OK;
		default:
			dump_usage(stderr);
			return EXIT_ERR;
		}
	}
	if (optind != argc - 1) {
		gt_err("dump: expected one FILE (see 'gotrace dump -h')");
		return EXIT_ERR;
	}
	path = argv[optind];
	ret = gt_open_file(path, &r);
	if (ret < 0) {
		gt_err("%s", gt_error(NULL));
		return EXIT_ERR;
	}
	obuf = malloc(OUT_BUF_SIZE);
	if (obuf)
		setvbuf(stdout, obuf, _IOFBF, OUT_BUF_SIZE);
	while ((ret = gt_next(r, &ev)) > 0) {
		if (!format_event(&l, r, &ev, raw, gfp_names))
			continue;
		fwrite_unlocked(l.buf, 1, l.p - l.buf, stdout);
		if (stacks && ev.stack_id)
			print_stack(r, ev.stack_id);
	}
	if (fflush(stdout) || ferror(stdout)) {
		gt_err("writing the output: %s", strerror(errno));
		status = EXIT_ERR;
	}
	if (ret < 0) {
		gt_err("%s: malformed trace: %s", path, gt_error(r));
		status = EXIT_ERR;
	} else {
		report_end(r, path);
	}
	gt_close(r);
	/* stdout still uses obuf until exit: flushed above, never freed */
	return status;
}
