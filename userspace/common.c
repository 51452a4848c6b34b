// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the gotrace subcommands: messages, /dev/gotrace,
 * parsing of sizes and event groups.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "gotrace_reader.h"
#include "opts.h"

void gt_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("gotrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void gt_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("gotrace: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int dev_open(int flags)
{
	int fd = open(GOTRACE_DEVICE, flags | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		gt_err("module not loaded? (%s: %s)", GOTRACE_DEVICE,
		       strerror(errno));
		break;
	case EACCES:
	case EPERM:
		gt_err("%s: %s (need CAP_PERFMON, CAP_SYS_ADMIN or the group grant: man 4 gotrace)",
		       GOTRACE_DEVICE, strerror(errno));
		break;
	case EBUSY:
		gt_err("%s: %s (another gotrace is reading the trace)",
		       GOTRACE_DEVICE, strerror(errno));
		break;
	default:
		gt_err("%s: %s", GOTRACE_DEVICE, strerror(errno));
		break;
	}
	return -1;
}

void dev_ioctl_err(const char *what, int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		gt_err("%s: %s (need CAP_PERFMON or CAP_SYS_ADMIN)", what,
		       strerror(err));
		break;
	case ENOTTY:
		gt_err("%s: %s (kernel module and tool do not match?)", what,
		       strerror(err));
		break;
	default:
		gt_err("%s: %s", what, strerror(err));
		break;
	}
}

int parse_size(const char *s, uint32_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		goto bad;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		goto bad;
	if (*end) {
		switch (*end) {
		case 'k':
		case 'K':
			mul = 1ULL << 10;
			break;
		case 'm':
		case 'M':
			mul = 1ULL << 20;
			break;
		case 'g':
		case 'G':
			mul = 1ULL << 30;
			break;
		default:
			goto bad;
		}
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			goto bad;
	}
	if (v > GOTRACE_MAX_BUFFER_SIZE / mul) {
		gt_err("buffer size '%s' too large (max %uM per CPU)", s,
		       GOTRACE_MAX_BUFFER_SIZE >> 20);
		return -1;
	}
	v *= mul;
	if (v < GOTRACE_MIN_BUFFER_SIZE) {
		gt_err("buffer size '%s' too small (min %uK per CPU)", s,
		       GOTRACE_MIN_BUFFER_SIZE >> 10);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
bad:
	gt_err("bad size '%s' (expected bytes or a number with K, M or G)", s);
	return -1;
}

/* sched,page,reclaim,oom,cgroup,all (mm: page) -> GOTRACE_GROUP_*; -1: bad */
static int group_bits(const char *s, uint64_t *out)
{
	char *dup = strdup(s), *tok, *save = NULL;
	uint64_t g = 0;

	if (!dup)
		return -1;
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcasecmp(tok, "sched")) {
			g |= GOTRACE_GROUP_SCHED;
		} else if (!strcasecmp(tok, "page") || !strcasecmp(tok, "mm")) {
			g |= GOTRACE_GROUP_PAGE;
		} else if (!strcasecmp(tok, "reclaim")) {
			g |= GOTRACE_GROUP_RECLAIM;
		} else if (!strcasecmp(tok, "oom")) {
			g |= GOTRACE_GROUP_OOM;
		} else if (!strcasecmp(tok, "cgroup")) {
			g |= GOTRACE_GROUP_CGROUP;
		} else if (!strcasecmp(tok, "all")) {
			g |= GOTRACE_GROUP_ALL;
		} else {
			free(dup);
			return -1;
		}
	}
	free(dup);
	if (!g)
		return -1;
	*out = g;
	return 0;
}

int parse_groups_quiet(const char *s, uint64_t *out)
{
	return group_bits(s, out);
}

int parse_groups(const char *s, uint64_t *out)
{
	if (group_bits(s, out)) {
		gt_err("bad event groups '%s' (known: sched, page, reclaim, oom, cgroup, all)",
		       s);
		return -1;
	}
	return 0;
}

int parse_ulong(const char *s, const char *what, unsigned long min,
		unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-') {
		gt_err("bad %s '%s'", what, s);
		return -1;
	}
	if (v < min || v > max) {
		gt_err("%s %lu out of range [%lu, %lu]", what, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_trace_time(const char *s, const char *what, uint64_t *ns)
{
	static const struct { const char *sfx; double mul; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "", 1e9 },
	};
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v >= 0) || *s == '-')
		goto bad;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (!strcmp(end, units[i].sfx)) {
			v *= units[i].mul;
			if (v >= 1.8e19)
				goto bad;
			*ns = (uint64_t)v;
			return 0;
		}
	}
bad:
	gt_err("bad %s '%s' (seconds, or a number with ns, us, ms or s)",
	       what, s);
	return -1;
}

#define TRIGGER_SPECS	"oom, alloc-fail[:ORDER], reclaim:T, compaction:T, wakeup:T"

int parse_trigger(const char *spec, struct gotrace_trigger *t)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *val = colon ? colon + 1 : NULL;
	char name[32], what[64];
	unsigned long order;
	uint64_t ns;
	int kind;

	memset(t, 0, sizeof(*t));
	snprintf(name, sizeof(name), "%.*s", (int)nlen, spec);
	kind = nlen < sizeof(name) ? gt_trigger_kind(name) : -1;
	if (kind < 0) {
		gt_err("unknown trigger '%s' (known: " TRIGGER_SPECS ")", spec);
		return -1;
	}
	t->kind = (uint32_t)kind;
	switch (gt_trigger_value_kind(t->kind)) {
	case GOTRACE_TRIGGER_VALUE_NONE:
		if (val) {
			gt_err("trigger '%s': %s takes no value", spec, name);
			return -1;
		}
		return 0;
	case GOTRACE_TRIGGER_VALUE_ORDER:
		/* no ORDER: any failed allocation (order 0 and up) */
		if (!val)
			return 0;
		if (parse_ulong(val, "alloc-fail order", 0,
				GOTRACE_MAX_TRIGGER_ORDER, &order))
			return -1;
		t->value = order;
		return 0;
	}
	if (!val || !*val) {
		gt_err("trigger '%s': %s needs a duration, e.g. %s:10ms", spec,
		       name, name);
		return -1;
	}
	snprintf(what, sizeof(what), "%s duration", name);
	if (parse_trace_time(val, what, &ns))
		return -1;
	t->value = ns;
	if (!ns || ns > GOTRACE_MAX_TRIGGER_NS) {
		gt_err("trigger '%s': the duration must be above 0 and at most %llu s",
		       spec, GOTRACE_MAX_TRIGGER_NS / 1000000000ULL);
		return -1;
	}
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 ||
	    v > 1e9) {
		gt_err("bad duration '%s' (expected seconds > 0)", s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_stack_events(const char *s, uint64_t *out)
{
	char *dup = strdup(s), *tok, *save = NULL;
	uint64_t m = 0;
	unsigned int t;

	if (!dup) {
		gt_err("%s", strerror(ENOMEM));
		return -1;
	}
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (t = GOTRACE_EV_COMM + 1; t < GOTRACE_EV_COUNT; t++) {
			if (gt_event_desc(t) && !GOTRACE_EV_IS_META(t) &&
			    !strcmp(tok, gt_event_name(t)))
				break;
		}
		if (t == GOTRACE_EV_COUNT) {
			gt_err("--stacks: unknown event '%s' (e.g. mm_page_alloc, sched_switch)",
			       tok);
			free(dup);
			return -1;
		}
		m |= 1ULL << t;
	}
	free(dup);
	*out = m;
	return 0;
}

int parse_cpu_list(const char *s, int (*add)(void *ctx, uint32_t first,
					     uint32_t last), void *ctx)
{
	const char *p = s;

	if (!*p)
		goto bad;
	while (*p) {
		unsigned long a, b;
		char *end;

		errno = 0;
		a = strtoul(p, &end, 10);
		if (end == p || errno || a >= 65536 || *p == '-')
			goto bad;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtoul(p + 1, &end, 10);
			if (end == p + 1 || errno || b >= 65536 || b < a)
				goto bad;
			p = end;
		}
		if (add(ctx, (uint32_t)a, (uint32_t)b))
			goto bad;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	return 0;
bad:
	gt_err("bad CPU list '%s' (expected e.g. 0-3,6)", s);
	return -1;
}

/* A CPU range into the device's mask (bitmap of 64-bit words). */
static int start_add_cpus(void *ctx, uint32_t a, uint32_t b)
{
	struct start_opts *so = ctx;
	uint32_t words = so->cpu_mask_size / 8;

	if (b / 64 + 1 > words) {
		uint64_t *m = realloc(so->cpu_mask, (b / 64 + 1) * 8);

		if (!m)
			return -1;
		memset(m + words, 0, (b / 64 + 1 - words) * 8);
		so->cpu_mask = m;
		so->cpu_mask_size = (b / 64 + 1) * 8;
	}
	for (; a <= b; a++)
		so->cpu_mask[a / 64] |= 1ULL << (a % 64);
	return 0;
}

static int filter_add_cpus(void *ctx, uint32_t a, uint32_t b)
{
	return gt_filter_add_cpus(ctx, a, b);
}

int parse_event_list(const char *s, uint64_t *types)
{
	char *dup = strdup(s), *tok, *save = NULL;
	uint64_t m = 0, groups;
	unsigned int t;
	int type;

	if (!dup) {
		gt_err("%s", strerror(ENOMEM));
		return -1;
	}
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		type = gt_event_type(tok);
		if (type > 0) {
			m |= 1ULL << type;
			continue;
		}
		if (parse_groups_quiet(tok, &groups)) {
			gt_err("unknown event or group '%s' (e.g. mm_page_alloc, sched_switch, sched, page, reclaim, oom, cgroup)",
			       tok);
			free(dup);
			return -1;
		}
		for (t = GOTRACE_EV_COMM + 1; t < GOTRACE_EV_COUNT; t++) {
			if (gt_event_desc(t) && gt_event_desc(t)->group & groups)
				m |= 1ULL << t;
		}
	}
	free(dup);
	if (!m) {
		gt_err("no event in '%s'", s);
		return -1;
	}
	*types = m;
	return 0;
}

int filter_opt(struct gt_filter *f, int id, const char *arg)
{
	unsigned long v;

	switch (id) {
	case GO_FROM:
		return parse_trace_time(arg, "--from", &f->from_ns) ? -1 : 1;
	case GO_TO:
		return parse_trace_time(arg, "--to", &f->to_ns) ? -1 : 1;
	case GO_PID:
		if (parse_ulong(arg, "pid", 0, GT_PID_MAX, &v))
			return -1;
		f->pid = (int64_t)v;
		return 1;
	case GO_CPU:
		return parse_cpu_list(arg, filter_add_cpus, f) ? -1 : 1;
	case GO_EVENT:
		return parse_event_list(arg, &f->types) ? -1 : 1;
	}
	return 0;
}

void start_opts_free(struct start_opts *so)
{
	free(so->cpu_mask);
	so->cpu_mask = NULL;
}

int start_opt(struct start_opts *so, int id, const char *arg)
{
	unsigned long v;

	switch (id) {
	case GO_STACKS_AT:
		so->stacks = 1;
		if (arg && parse_stack_events(arg, &so->stack_events))
			return -1;
		return 1;
	case GO_STACK_DEPTH:
		if (parse_ulong(arg, "--stack-depth", 1,
				GOTRACE_MAX_STACK_DEPTH, &v))
			return -1;
		so->stacks = 1;
		so->stack_depth = (uint32_t)v;
		return 1;
	case GO_PID:
	case GO_TID:
		if (parse_ulong(arg, id == GO_PID ? "pid" : "tid", 1,
				GT_PID_MAX, &v))
			return -1;
		so->filter_pid = (uint32_t)v;
		so->filter_flags = id == GO_PID ? GOTRACE_FILTER_TGID |
						  GOTRACE_FILTER_CHILDREN : 0;
		return 1;
	case GO_CPU:
		return parse_cpu_list(arg, start_add_cpus, so) ? -1 : 1;
	case GO_GROUPS:
		return parse_groups(arg, &so->groups) ? -1 : 1;
	case GO_BUFFER_SIZE:
	case GO_FLIGHT:
		if (so->flight || so->buffer_set) {
			gt_err("--flight SIZE is the buffer size per CPU: give it or -b, once");
			return -1;
		}
		so->flight = id == GO_FLIGHT;
		so->buffer_set = 1;
		return parse_size(arg, &so->buffer_size) ? -1 : 1;
	case GO_FLUSH_MS:
		if (parse_ulong(arg, "--flush-ms", GOTRACE_MIN_FLUSH_MS,
				GOTRACE_MAX_FLUSH_MS, &v))
			return -1;
		so->flush_ms = (uint32_t)v;
		return 1;
	case GO_DISCARD:
		so->discard = 1;
		return 1;
	}
	return 0;
}

int start_trace(int fd, const struct start_opts *so)
{
	struct gotrace_start st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.flags = so->discard ? GOTRACE_START_DISCARD : 0;
	if (so->flight)
		st.flags |= GOTRACE_START_FLIGHT;
	st.groups = so->groups;
	st.buffer_size = so->buffer_size;
	st.flush_ms = so->flush_ms;
	if (so->stacks) {
		st.flags |= GOTRACE_START_STACKS;
		st.stack_events = so->stack_events;
		st.stack_depth = so->stack_depth;
	}
	st.filter_pid = so->filter_pid;
	st.filter_flags = so->filter_flags;
	st.cpu_mask = (uint64_t)(uintptr_t)so->cpu_mask;
	st.cpu_mask_size = so->cpu_mask_size;
	if (so->nr_triggers) {
		st.triggers = (uint64_t)(uintptr_t)so->triggers;
		st.nr_triggers = so->nr_triggers;
		st.trigger_size = sizeof(*so->triggers);
	}
	if (ioctl(fd, GOTRACE_IOC_START, &st) == 0)
		return 0;
	if (so->nr_triggers && errno == E2BIG) {
		gt_err("cannot start: the loaded module predates triggers (E2BIG)");
		return -1;
	}
	switch (errno) {
	case EBUSY:
		gt_err("cannot start: a trace is running or a stopped trace was not read; use 'gotrace stop', read it with 'gotrace record', or start with --discard");
		break;
	case ENOMEM:
		gt_err("cannot start: out of memory for the trace buffers (try a smaller -b)");
		break;
	case EINVAL:
		gt_err("cannot start: invalid parameters (%s)",
		       strerror(errno));
		break;
	default:
		dev_ioctl_err("cannot start", errno);
		break;
	}
	return -1;
}

void groups_str(uint64_t groups, char *buf, size_t size)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ GOTRACE_GROUP_SCHED, "sched" },
		{ GOTRACE_GROUP_PAGE, "page" },
		{ GOTRACE_GROUP_RECLAIM, "reclaim" },
		{ GOTRACE_GROUP_OOM, "oom" },
		{ GOTRACE_GROUP_CGROUP, "cgroup" },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!(groups & names[i].bit))
			continue;
		groups &= ~names[i].bit;
		n += snprintf(buf + n, n < size ? size - n : 0, "%s%s",
			      n ? "," : "", names[i].name);
	}
	if (groups)
		n += snprintf(buf + n, n < size ? size - n : 0, "%s0x%llx",
			      n ? "," : "", (unsigned long long)groups);
	if (!n)
		snprintf(buf, size, "none");
}

const char *tp_name(unsigned int tp)
{
#define TP_NAME_(N, n, id, sys, grp, args)				\
	[GOTRACE_TP_##N] = #n,
	static const char * const names[GOTRACE_TP_COUNT] = {
		GOTRACE_EVENTS(TP_NAME_, GOTRACE_ARG_IGNORE_)
	};

	return tp < GOTRACE_TP_COUNT ? names[tp] : "unknown";
}
