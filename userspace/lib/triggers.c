// SPDX-License-Identifier: GPL-2.0
/*
 * TRIGGERS record: the triggers a flight recorder was started with and
 * those that fired inside a snapshot's window.  A record that does not
 * parse is set aside with a one-line reason (gt_triggers_error()); the
 * events and every other record of the trace are read as usual.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int triggers_bad(struct gt_reader *r, uint64_t off, const char *fmt,
			...) __printf(3, 4);

static int triggers_bad(struct gt_reader *r, uint64_t off, const char *fmt,
			...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(r->trig_err, sizeof(r->trig_err),
		 "TRIGGERS record at byte %llu: %s (its triggers are ignored)",
		 (unsigned long long)off, why);
	return 0;
}

/* By the event each one names: ts, then CPU, event type, seq. */
static int fired_cmp(const void *a, const void *b)
{
	const struct gotrace_fired *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	if (x->event != y->event)
		return x->event < y->event ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int gt_scan_triggers(struct gt_reader *r, uint64_t off, uint32_t len)
{
	const size_t hl = sizeof(struct gotrace_triggers_rec);
	const size_t ts = sizeof(struct gotrace_trigger);
	const size_t fs = sizeof(struct gotrace_fired);
	struct gotrace_triggers_rec th;
	struct gotrace_trigger *t = NULL;
	struct gotrace_fired *f = NULL, *sorted = NULL;
	uint64_t need;
	int ret;

	if (r->has_triggers || r->trig_err[0])
		return triggers_bad(r, off, "a second one");
	ret = gt_read_at(r, off, &th, hl);
	if (ret)
		return ret;
	need = hl + (uint64_t)th.nr_triggers * ts + (uint64_t)th.nr_fired * fs;
	if (need > len)
		return triggers_bad(r, off,
				    "%u triggers and %u fired do not fit in %u bytes",
				    th.nr_triggers, th.nr_fired, len);
	/* the module writes the exact length (every entry 8-byte sized) */
	if (need < len)
		return triggers_bad(r, off,
				    "%llu bytes after %u triggers and %u fired",
				    (unsigned long long)(len - need),
				    th.nr_triggers, th.nr_fired);
	if (th.nr_fired > th.fired)
		return triggers_bad(r, off,
				    "%u fired in the window, %llu in the trace",
				    th.nr_fired, (unsigned long long)th.fired);
	if (th.nr_triggers) {
		t = malloc((size_t)th.nr_triggers * ts);
		if (!t)
			return -ENOMEM;
		ret = gt_read_at(r, off + hl, t, (size_t)th.nr_triggers * ts);
		if (ret)
			goto fail;
	}
	if (th.nr_fired) {
		uint32_t i;

		f = malloc((size_t)th.nr_fired * fs);
		sorted = malloc((size_t)th.nr_fired * fs);
		ret = -ENOMEM;
		if (!f || !sorted)
			goto fail;
		ret = gt_read_at(r, off + hl + (size_t)th.nr_triggers * ts, f,
				 (size_t)th.nr_fired * fs);
		if (ret)
			goto fail;
		for (i = 0; i < th.nr_fired; i++) {
			if (f[i].index >= th.nr_triggers) {
				triggers_bad(r, off,
					     "fired entry %u names trigger %u of %u",
					     i, f[i].index, th.nr_triggers);
				ret = 0;
				goto fail;
			}
		}
		memcpy(sorted, f, (size_t)th.nr_fired * fs);
		qsort(sorted, th.nr_fired, fs, fired_cmp);
	}
	r->has_triggers = 1;
	r->triggers = t;
	r->nr_triggers = th.nr_triggers;
	r->fired = f;
	r->fired_sorted = sorted;
	r->nr_fired = th.nr_fired;
	r->fired_total = th.fired;
	return 0;
fail:
	free(t);
	free(f);
	free(sorted);
	return ret;
}

void gt_triggers_short(struct gt_reader *r, uint64_t off, uint32_t len)
{
	if (r->has_triggers || r->trig_err[0])
		triggers_bad(r, off, "a second one");
	else
		triggers_bad(r, off, "too short (%u bytes)", len);
}

void gt_triggers_free(struct gt_reader *r)
{
	free(r->triggers);
	free(r->fired);
	free(r->fired_sorted);
}

const struct gotrace_trigger *gt_triggers(const struct gt_reader *r,
					  size_t *nr)
{
	*nr = r->nr_triggers;
	return r->triggers;
}

const struct gotrace_fired *gt_fired(const struct gt_reader *r, size_t *nr,
				     uint64_t *total)
{
	*nr = r->nr_fired;
	if (total)
		*total = r->fired_total;
	return r->fired;
}

int gt_has_triggers(const struct gt_reader *r)
{
	return r->has_triggers;
}

const char *gt_triggers_error(const struct gt_reader *r)
{
	return r->trig_err[0] ? r->trig_err : NULL;
}

size_t gt_fired_at(const struct gt_reader *r, uint32_t cpu, uint64_t ts,
		   unsigned int type, const struct gotrace_fired **out)
{
	const struct gotrace_fired *s = r->fired_sorted;
	struct gotrace_fired key = { .ts = ts, .cpu = cpu, .event = type };
	size_t lo = 0, hi = r->nr_fired, n;

	*out = NULL;
	/* most events are not one: two compares reject them */
	if (!hi || ts < s[0].ts || ts > s[hi - 1].ts)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		/* seq 0 sorts before every entry of the same event */
		if (fired_cmp(&s[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (n = 0; lo + n < r->nr_fired; n++) {
		const struct gotrace_fired *f = &s[lo + n];

		if (f->ts != ts || f->cpu != cpu || f->event != type)
			break;
	}
	if (n)
		*out = &s[lo];
	return n;
}

/* By kind (the uapi's GOTRACE_TRIGGER_KINDS); name NULL: no such kind. */
static const struct {
	const char *name;
	uint64_t groups;
	int value;
} kinds[] = {
#define KIND_(N, n, kind, group, val) \
	[kind] = { n, GOTRACE_GROUP_##group, GOTRACE_TRIGGER_VALUE_##val },
	GOTRACE_TRIGGER_KINDS(KIND_)
#undef KIND_
};

#define NR_KINDS	ARRAY_SIZE(kinds)

const char *gt_trigger_kind_name(uint32_t kind)
{
	return kind < NR_KINDS ? kinds[kind].name : NULL;
}

int gt_trigger_kind(const char *name)
{
	size_t k;

	for (k = 0; k < NR_KINDS; k++)
		if (kinds[k].name && !strcmp(name, kinds[k].name))
			return (int)k;
	return -1;
}

uint64_t gt_trigger_groups(uint32_t kind)
{
	return kind < NR_KINDS ? kinds[kind].groups : 0;
}

int gt_trigger_value_kind(uint32_t kind)
{
	return kind < NR_KINDS && kinds[kind].name ? kinds[kind].value : -1;
}

/* Whether a kind's value is a duration in ns (else an order, or none). */
static int kind_is_duration(uint32_t kind)
{
	return gt_trigger_value_kind(kind) == GOTRACE_TRIGGER_VALUE_NS;
}

char *gt_duration_str(uint64_t ns, char *buf, size_t size)
{
	static const struct { uint64_t div; const char *unit; } u[] = {
		{ 1000000000ULL, "s" }, { 1000000, "ms" }, { 1000, "us" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(u); i++) {
		if (ns && !(ns % u[i].div)) {
			snprintf(buf, size, "%llu%s",
				 (unsigned long long)(ns / u[i].div),
				 u[i].unit);
			return buf;
		}
	}
	snprintf(buf, size, "%lluns", (unsigned long long)ns);
	return buf;
}

char *gt_trigger_str(uint32_t kind, uint64_t value, char *buf, size_t size)
{
	const char *name = gt_trigger_kind_name(kind);
	char v[32];

	if (!name)
		snprintf(buf, size, "kind%u:%llu", kind,
			 (unsigned long long)value);
	else if (kind == GOTRACE_TRIGGER_OOM)
		snprintf(buf, size, "%s", name);
	else if (kind_is_duration(kind))
		snprintf(buf, size, "%s:%s", name,
			 gt_duration_str(value, v, sizeof(v)));
	else
		snprintf(buf, size, "%s:%llu", name,
			 (unsigned long long)value);
	return buf;
}

/* f comes from gt_fired()/gt_fired_at(): its index was checked by the scan. */
char *gt_fired_trigger_str(const struct gt_reader *r,
			   const struct gotrace_fired *f, char *buf,
			   size_t size)
{
	size_t nr;
	const struct gotrace_trigger *t = gt_triggers(r, &nr);

	return gt_trigger_str(f->kind, f->index < nr ? t[f->index].value : 0,
			      buf, size);
}

char *gt_fired_value_str(const struct gotrace_fired *f, char *buf,
			 size_t size)
{
	if (kind_is_duration(f->kind) && f->value < 1000)
		snprintf(buf, size, "%lluns", (unsigned long long)f->value);
	else if (kind_is_duration(f->kind) && f->value < 1000000)
		snprintf(buf, size, "%.1fus", f->value / 1e3);
	else if (kind_is_duration(f->kind) && f->value < 1000000000)
		snprintf(buf, size, "%.1fms", f->value / 1e6);
	else if (kind_is_duration(f->kind))
		snprintf(buf, size, "%.3fs", f->value / 1e9);
	else if (f->kind == GOTRACE_TRIGGER_ALLOC_FAIL)
		snprintf(buf, size, "order %llu",
			 (unsigned long long)f->value);
	else
		buf[0] = '\0';
	return buf;
}
