// SPDX-License-Identifier: GPL-2.0
/*
 * Names of event and record types, ftrace-style prev_state strings.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char * const event_names[GOTRACE_EV_COUNT] = {
	[GOTRACE_EV_NONE]			= "none",
	[GOTRACE_EV_COMM]			= "comm",
	[GOTRACE_EV_SCHED_SWITCH]		= "sched_switch",
	[GOTRACE_EV_SCHED_WAKEUP]		= "sched_wakeup",
	[GOTRACE_EV_SCHED_WAKEUP_NEW]		= "sched_wakeup_new",
	[GOTRACE_EV_SCHED_PROCESS_FORK]		= "sched_process_fork",
	[GOTRACE_EV_SCHED_PROCESS_EXIT]		= "sched_process_exit",
	[GOTRACE_EV_SCHED_PROCESS_EXEC]		= "sched_process_exec",
	[GOTRACE_EV_SCHED_MIGRATE_TASK]		= "sched_migrate_task",
	[GOTRACE_EV_MM_PAGE_ALLOC]		= "mm_page_alloc",
	[GOTRACE_EV_MM_PAGE_FREE]		= "mm_page_free",
	[GOTRACE_EV_MM_PAGE_FREE_BATCHED]	= "mm_page_free_batched",
	[GOTRACE_EV_MM_PAGE_PCPU_DRAIN]		= "mm_page_pcpu_drain",
	[GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG]	= "mm_page_alloc_extfrag",
	[GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN] =
		"mm_vmscan_direct_reclaim_begin",
	[GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END] =
		"mm_vmscan_direct_reclaim_end",
	[GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE]	= "mm_vmscan_kswapd_wake",
	[GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP]	= "mm_vmscan_kswapd_sleep",
	[GOTRACE_EV_MM_COMPACTION_BEGIN]	= "mm_compaction_begin",
	[GOTRACE_EV_MM_COMPACTION_END]		= "mm_compaction_end",
};

/* Numeric arguments (the length of COMM/EXEC strings excluded). */
static const unsigned char event_nargs[GOTRACE_EV_COUNT] = {
	[GOTRACE_EV_COMM]			= 1,
	[GOTRACE_EV_SCHED_SWITCH]		= 5,
	[GOTRACE_EV_SCHED_WAKEUP]		= 3,
	[GOTRACE_EV_SCHED_WAKEUP_NEW]		= 3,
	[GOTRACE_EV_SCHED_PROCESS_FORK]		= 3,
	[GOTRACE_EV_SCHED_PROCESS_EXIT]		= 3,
	[GOTRACE_EV_SCHED_PROCESS_EXEC]		= 2,
	[GOTRACE_EV_SCHED_MIGRATE_TASK]		= 4,
	[GOTRACE_EV_MM_PAGE_ALLOC]		= 5,
	[GOTRACE_EV_MM_PAGE_FREE]		= 3,
	[GOTRACE_EV_MM_PAGE_FREE_BATCHED]	= 2,
	[GOTRACE_EV_MM_PAGE_PCPU_DRAIN]		= 4,
	[GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG]	= 6,
	[GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN] = 3,
	[GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END] = 2,
	[GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE]	= 3,
	[GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP]	= 1,
	[GOTRACE_EV_MM_COMPACTION_BEGIN]	= 4,
	[GOTRACE_EV_MM_COMPACTION_END]		= 5,
};

_Static_assert(GOTRACE_EV_COUNT == 20,
	       "new event types: update the tables of names.c");

const char *gt_event_name(unsigned int type)
{
	if (type >= GOTRACE_EV_COUNT)
		return "unknown";
	return event_names[type];
}

unsigned int gt_event_nargs(unsigned int type)
{
	if (type >= GOTRACE_EV_COUNT)
		return 0;
	return event_nargs[type];
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
	case GOTRACE_REC_PACKED:
		return "PACKED";
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
