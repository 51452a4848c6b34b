// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroups of a trace (version 4, GOTRACE_GROUP_CGROUP): the CGROUP
 * records (id -> path), read by the index pass, and each task's cgroup
 * over time, which gt_next() follows from the TASK_CGROUP,
 * CGROUP_ATTACH_TASK and fork events it returns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int task_set(struct gt_pid_table *t, uint32_t pid, uint64_t id)
{
	struct gt_task_cgroup *e = gt_pid_add(t, pid, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->id = id;
	return 0;
}

uint64_t gt_task_cgroup(const struct gt_reader *r, uint32_t pid)
{
	const struct gt_task_cgroup *e = gt_pid_get(&r->task_cgroups, pid);

	return e ? e->id : 0;
}

/*
 * ev was returned by gt_next(): a task's cgroup given or changed.  A
 * forked task is in its parent's cgroup until its own TASK_CGROUP says
 * otherwise (CLONE_INTO_CGROUP).  0 or -ENOMEM.
 */
int gt_cgroups_follow(struct gt_reader *r, const struct gt_event *ev)
{
	uint64_t id;

	switch (ev->type) {
	case GOTRACE_EV_TASK_CGROUP:
		return task_set(&r->task_cgroups, (uint32_t)ev->args[0],
				ev->args[1]);
	case GOTRACE_EV_CGROUP_ATTACH_TASK:
		return task_set(&r->task_cgroups, (uint32_t)ev->args[2],
				ev->args[0]);
	case GOTRACE_EV_SCHED_PROCESS_FORK:
		id = gt_task_cgroup(r, (uint32_t)ev->args[0]);
		if (!id)
			return 0;
		return task_set(&r->task_cgroups, (uint32_t)ev->args[1], id);
	}
	return 0;
}

/* A CGROUP record that does not parse stops the index pass (1). */
static int cgroup_bad(struct gt_reader *r, uint64_t off, const char *what)
{
	snprintf(r->scan_msg, sizeof(r->scan_msg),
		 "CGROUP record at byte %llu: %s", (unsigned long long)off,
		 what);
	r->scan_err = -EINVAL;
	return 1;
}

int gt_scan_cgroup(struct gt_reader *r, const struct gotrace_cgroup *c,
		   uint64_t off, uint32_t len)
{
	struct gt_cgroup *e;
	char *path;
	int ret;

	if (c->path_len > len - sizeof(*c) ||
	    c->path_len > GOTRACE_CGROUP_PATH_MAX)
		return cgroup_bad(r, off, "its path does not fit in it");
	path = malloc(c->path_len + 1);
	if (!path)
		return -ENOMEM;
	ret = gt_read_at(r, off + sizeof(*c), path, c->path_len);
	if (ret) {
		free(path);
		return ret;
	}
	path[c->path_len] = '\0';
	/* A NUL inside would hide the rest of the path from a printer. */
	if (strlen(path) != c->path_len) {
		free(path);
		return cgroup_bad(r, off, "NUL byte inside the path");
	}
	if (r->nr_cgroups == r->cap_cgroups) {
		size_t cap = r->cap_cgroups ? r->cap_cgroups * 2 : 64;

		e = realloc(r->cgroups, cap * sizeof(*e));
		if (!e) {
			free(path);
			return -ENOMEM;
		}
		r->cgroups = e;
		r->cap_cgroups = cap;
	}
	e = &r->cgroups[r->nr_cgroups++];
	e->id = c->id;
	e->flags = c->flags;
	e->path = path;
	return 0;
}

static int cgroup_cmp(const void *a, const void *b)
{
	const struct gt_cgroup *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Sorted by id, one entry an id (a reader that came back resends). */
void gt_cgroups_finish(struct gt_reader *r)
{
	size_t k, n;

	if (r->nr_cgroups > 1)
		qsort(r->cgroups, r->nr_cgroups, sizeof(*r->cgroups),
		      cgroup_cmp);
	for (k = n = 0; k < r->nr_cgroups; k++) {
		if (n && r->cgroups[k].id == r->cgroups[n - 1].id) {
			free((char *)r->cgroups[k].path);
			continue;
		}
		r->cgroups[n++] = r->cgroups[k];
	}
	r->nr_cgroups = n;
}

const struct gt_cgroup *gt_cgroup(const struct gt_reader *r, uint64_t id)
{
	size_t lo = 0, hi = r->nr_cgroups;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->cgroups[mid].id == id)
			return &r->cgroups[mid];
		if (r->cgroups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t gt_nr_cgroups(const struct gt_reader *r)
{
	return r->nr_cgroups;
}

const struct gt_cgroup *gt_cgroup_at(const struct gt_reader *r, size_t i)
{
	return i < r->nr_cgroups ? &r->cgroups[i] : NULL;
}

void gt_cgroups_free(struct gt_reader *r)
{
	size_t i;

	for (i = 0; i < r->nr_cgroups; i++)
		free((char *)r->cgroups[i].path);
	free(r->cgroups);
	r->cgroups = NULL;
	r->nr_cgroups = 0;
	gt_pid_free(&r->task_cgroups);
}
