// SPDX-License-Identifier: GPL-2.0
/*
 * Names of event and record types, ftrace-style prev_state strings.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* The fields of each event type, from the schema (COMM: by hand). */
#define FIELD_(name, kind)	{ #name, GOTRACE_ARG_##kind, 0 },
#define FIELDS_(N, n, type, sys, group, args)				\
	static struct gt_field fields_##n[] = { args };
GOTRACE_EVENTS(FIELDS_, FIELD_)

static struct gt_field fields_comm[] = {
	{ "pid", GOTRACE_ARG_PID, 0 },
	{ "comm", GOTRACE_ARG_STRING, 0 },
};

static struct gt_field fields_task_cgroup[] = {
	{ "pid", GOTRACE_ARG_TASK, 0 },
	{ "cgroup_id", GOTRACE_ARG_CGROUP, 0 },
};

static struct gt_event_desc descs[GOTRACE_EV_COUNT] = {
	[GOTRACE_EV_COMM] = {
		.name = "comm", .system = "", .tp = -1,
		.nfields = 2, .fields = fields_comm,
	},
	[GOTRACE_EV_TASK_CGROUP] = {
		.name = "task_cgroup", .system = "", .tp = -1,
		.group = GOTRACE_GROUP_CGROUP,
		.nfields = 2, .fields = fields_task_cgroup,
	},
#define DESC_(N, n, id, sys, grp, args)				\
	[GOTRACE_EV_##N] = {						\
		.name = #n, .system = #sys,				\
		.group = GOTRACE_GROUP_##grp, .tp = GOTRACE_TP_##N,	\
		.nfields = ARRAY_SIZE(fields_##n),			\
		.fields = fields_##n,					\
	},
	GOTRACE_EVENTS(DESC_, GOTRACE_ARG_IGNORE_)
};

/*
 * Argument indexes, nargs and the string/pfn flags follow from the kinds
 * and the order of the fields: numeric fields take args[0], args[1], ...
 */
__attribute__((constructor))
static void descs_init(void)
{
	unsigned int t, i;

	for (t = 0; t < GOTRACE_EV_COUNT; t++) {
		struct gt_event_desc *d = &descs[t];

		for (i = 0; i < d->nfields; i++) {
			struct gt_field *f = (struct gt_field *)&d->fields[i];

			if (f->kind == GOTRACE_ARG_STRING) {
				d->has_string = 1;
				continue;
			}
			if (f->kind == GOTRACE_ARG_PFN && d->nargs == 0)
				d->has_pfn = 1;
			f->arg = d->nargs++;
		}
	}
}

/* Type numbers are not dense (a number reserved for another event). */
const struct gt_event_desc *gt_event_desc(unsigned int type)
{
	if (type == GOTRACE_EV_NONE || type >= GOTRACE_EV_COUNT ||
	    !descs[type].name)
		return NULL;
	return &descs[type];
}

const char *gt_event_name(unsigned int type)
{
	if (type == GOTRACE_EV_NONE)
		return "none";
	if (type >= GOTRACE_EV_COUNT || !descs[type].name)
		return "unknown";
	return descs[type].name;
}

unsigned int gt_event_nargs(unsigned int type)
{
	if (type >= GOTRACE_EV_COUNT)
		return 0;
	return descs[type].nargs;
}

int gt_event_type(const char *name)
{
	unsigned int t;

	for (t = GOTRACE_EV_COMM; t < GOTRACE_EV_COUNT; t++) {
		if (descs[t].name && !strcmp(descs[t].name, name))
			return (int)t;
	}
	return -1;
}

const char *gt_record_name(uint32_t type)
{
	switch (type) {
	case GOTRACE_REC_HEADER:
		return "HEADER";
	case GOTRACE_REC_BATCH:
		return "BATCH";
	case GOTRACE_REC_CPU_END:
		return "CPU_END";
	case GOTRACE_REC_END:
		return "END";
	case GOTRACE_REC_GFP_NAMES:
		return "GFP_NAMES";
	case GOTRACE_REC_TASKS:
		return "TASKS";
	case GOTRACE_REC_STACK:
		return "STACK";
	case GOTRACE_REC_SYMBOLS:
		return "SYMBOLS";
	case GOTRACE_REC_LINES:
		return "LINES";
	case GOTRACE_REC_ZONES:
		return "ZONES";
	case GOTRACE_REC_PACKED:
		return "PACKED";
	case GOTRACE_REC_GENERATION:
		return "GENERATION";
	case GOTRACE_REC_WINDOW:
		return "WINDOW";
	case GOTRACE_REC_CGROUP:
		return "CGROUP";
	case GOTRACE_REC_TRIGGERS:
		return "TRIGGERS";
	}
	return "unknown";
}

char *gt_gfp_str(const struct gt_reader *r, uint64_t flags, char *buf,
		 size_t size)
{
	size_t n = 0;
	uint32_t i;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < r->nr_gfp && flags; i++) {
		uint64_t v = r->gfp[i].value;

		if (!v || (flags & v) != v)
			continue;
		flags &= ~v;
		n += snprintf(buf + n, n < size ? size - n : 0, "%s%s",
			      n ? "|" : "", r->gfp[i].name);
	}
	if (flags || !n)
		n += snprintf(buf + n, n < size ? size - n : 0, "%s0x%llx",
			      n ? "|" : "", (unsigned long long)flags);
	if (n >= size)
		buf[size - 1] = '\0';
	return buf;
}

/* ftrace's sched_switch prev_state letters, bit i = state_chars[i]. */
static const char state_chars[] = "SDTtXZPI";

char *gt_state_str(uint64_t state, char *buf, size_t size)
{
	uint64_t bits = state & (GOTRACE_STATE_PREEMPTED - 1);
	uint64_t rest = state & ~(uint64_t)(2 * GOTRACE_STATE_PREEMPTED - 1);
	size_t n = 0;
	unsigned int i;

	if (!size)
		return buf;
	buf[0] = '\0';
	if (!bits && !rest) {
		if (size > 1)
			buf[n++] = 'R';
	}
	for (i = 0; i < sizeof(state_chars) - 1; i++) {
		if (!(bits & (1ULL << i)))
			continue;
		if (n && n + 1 < size)
			buf[n++] = '|';
		if (n + 1 < size)
			buf[n++] = state_chars[i];
	}
	buf[n] = '\0';
	if (rest)
		n += snprintf(buf + n, size - n, "%s0x%llx", n ? "|" : "",
			      (unsigned long long)rest);
	if (n >= size)
		n = size - 1;
	if (n + 1 < size && (state & GOTRACE_STATE_PREEMPTED)) {
		buf[n++] = '+';
		buf[n] = '\0';
	}
	return buf;
}
