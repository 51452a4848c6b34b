// SPDX-License-Identifier: GPL-2.0
/*
 * The reader's tables by pid (comms, tasks' cgroups): open addressing,
 * linear probing, entries of a fixed size that start with a struct
 * gt_pid_ent.  They grow with the number of distinct pids, never with
 * the events.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static inline size_t pid_hash(uint32_t pid, size_t size)
{
	return (size_t)((pid * 2654435761U) & (size - 1));
}

static struct gt_pid_ent *pid_ent(unsigned char *ent, size_t ent_size,
				  size_t i)
{
	return (struct gt_pid_ent *)(ent + i * ent_size);
}

/* pid's entry, or the free one where it would go. */
static struct gt_pid_ent *pid_slot(unsigned char *ent, size_t ent_size,
				   size_t size, uint32_t pid)
{
	size_t i = pid_hash(pid, size);
	struct gt_pid_ent *e;

	while ((e = pid_ent(ent, ent_size, i))->used && e->pid != pid)
		i = (i + 1) & (size - 1);
	return e;
}

static int pid_grow(struct gt_pid_table *t)
{
	size_t size = t->size ? t->size * 2 : 1024;
	unsigned char *ent;
	size_t i;

	ent = calloc(size, t->ent_size);
	if (!ent)
		return -1;
	for (i = 0; i < t->size; i++) {
		struct gt_pid_ent *e = pid_ent(t->ent, t->ent_size, i);

		if (e->used)
			memcpy(pid_slot(ent, t->ent_size, size, e->pid), e,
			       t->ent_size);
	}
	free(t->ent);
	t->ent = ent;
	t->size = size;
	return 0;
}

void *gt_pid_add(struct gt_pid_table *t, uint32_t pid, size_t ent_size)
{
	struct gt_pid_ent *e;

	if (!t->size)
		t->ent_size = ent_size;
	if ((t->used + 1) * 2 > t->size && pid_grow(t))
		return NULL;
	e = pid_slot(t->ent, t->ent_size, t->size, pid);
	if (!e->used) {
		e->used = 1;
		e->pid = pid;
		t->used++;
	}
	return e;
}

void *gt_pid_get(const struct gt_pid_table *t, uint32_t pid)
{
	struct gt_pid_ent *e;

	if (!t->size)
		return NULL;
	e = pid_slot(t->ent, t->ent_size, t->size, pid);
	return e->used ? e : NULL;
}

void gt_pid_free(struct gt_pid_table *t)
{
	free(t->ent);
	t->ent = NULL;
	t->ent_size = 0;
	t->size = 0;
	t->used = 0;
}
