// SPDX-License-Identifier: GPL-2.0
/*
 * The event filter of the commands that read traces (--from, --to, --pid,
 * --cpu, --event): one implementation for dump, stats, convert and report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

_Static_assert(GOTRACE_EV_COUNT <= 64, "gt_filter.types is one word");

void gt_filter_init(struct gt_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->to_ns = UINT64_MAX;
	f->pid = -1;
	f->types = ~0ULL;
	f->all_cpus = 1;
}

void gt_filter_release(struct gt_filter *f)
{
	free(f->threads);
	f->threads = NULL;
	f->nr_threads = 0;
	f->cap_threads = 0;
}

int gt_filter_add_cpus(struct gt_filter *f, uint32_t first, uint32_t last)
{
	if (first > last || last >= GT_FILTER_MAX_CPUS)
		return -ERANGE;
	if (f->all_cpus) {
		memset(f->cpus, 0, sizeof(f->cpus));
		f->all_cpus = 0;
	}
	for (; first <= last; first++)
		f->cpus[first / 64] |= 1ULL << (first % 64);
	return 0;
}

int gt_filter_cpu(const struct gt_filter *f, uint32_t cpu)
{
	if (f->all_cpus)
		return 1;
	return cpu < GT_FILTER_MAX_CPUS &&
	       (f->cpus[cpu / 64] >> (cpu % 64) & 1);
}

int gt_filter_type(const struct gt_filter *f, unsigned int type)
{
	return type < 64 && (f->types >> type & 1);
}

int gt_filter_time(const struct gt_filter *f, const struct gt_reader *r,
		   uint64_t ts)
{
	uint64_t start = gt_header(r)->start_ns;
	uint64_t rel = ts >= start ? ts - start : 0;

	if (ts < start + f->from_ns || start + f->from_ns < start)
		return -1;
	if (f->to_ns != UINT64_MAX && rel > f->to_ns)
		return 1;
	return 0;
}

unsigned int gt_event_pids(const struct gt_event *ev, uint64_t *pids,
			   unsigned int max)
{
	const struct gt_event_desc *d = gt_event_desc(ev->type);
	unsigned int i, n = 0;

	for (i = 0; d && i < d->nfields && n < max; i++) {
		const struct gt_field *fl = &d->fields[i];

		switch (fl->kind) {
		case GOTRACE_ARG_PID:
		case GOTRACE_ARG_TASK:
		case GOTRACE_ARG_NEXT_TASK:
		case GOTRACE_ARG_CHILD:
		case GOTRACE_ARG_CURRENT:
		case GOTRACE_ARG_CURRENT_COMM:
			if (fl->arg < ev->nargs)
				pids[n++] = ev->args[fl->arg];
			break;
		default:
			break;
		}
	}
	return n;
}

static int is_thread(const struct gt_filter *f, uint64_t pid)
{
	size_t i;

	for (i = 0; i < f->nr_threads; i++) {
		if (f->threads[i] == pid)
			return 1;
	}
	return 0;
}

int gt_filter_pid(const struct gt_filter *f, const struct gt_reader *r,
		  uint64_t pid)
{
	const struct gotrace_task *t;

	if (f->pid < 0 || pid == (uint64_t)f->pid)
		return 1;
	if (is_thread(f, pid))
		return 1;
	t = r && pid <= UINT32_MAX ? gt_task(r, (uint32_t)pid) : NULL;
	return t && t->tgid == (uint64_t)f->pid;
}

/* A fork into the --pid process: its child is one of its threads. */
static int learn_fork(struct gt_filter *f, const struct gt_event *ev)
{
	uint64_t *t;

	if (f->pid < 0 || ev->type != GOTRACE_EV_SCHED_PROCESS_FORK ||
	    ev->nargs < 3 || ev->args[2] != (uint64_t)f->pid ||
	    is_thread(f, ev->args[1]))
		return 0;
	if (f->nr_threads == f->cap_threads) {
		size_t cap = f->cap_threads ? 2 * f->cap_threads : 16;

		t = realloc(f->threads, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		f->threads = t;
		f->cap_threads = cap;
	}
	f->threads[f->nr_threads++] = ev->args[1];
	return 0;
}

int gt_filter_match(struct gt_filter *f, const struct gt_reader *r,
		    const struct gt_event *ev)
{
	int ret = gt_filter_select(f, r, ev);

	if (ret <= 0)
		return ret;
	return !gt_filter_time(f, r, ev->ts);
}

int gt_filter_select(struct gt_filter *f, const struct gt_reader *r,
		     const struct gt_event *ev)
{
	uint64_t pids[4];
	unsigned int i, n;
	int ret;

	ret = learn_fork(f, ev);
	if (ret)
		return ret;
	if (!gt_filter_cpu(f, ev->cpu) || !gt_filter_type(f, ev->type))
		return 0;
	if (f->pid < 0)
		return 1;
	n = gt_event_pids(ev, pids, 4);
	for (i = 0; i < n; i++) {
		if (gt_filter_pid(f, r, pids[i]))
			return 1;
	}
	return 0;
}
