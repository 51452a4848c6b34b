// SPDX-License-Identifier: GPL-2.0
/*
 * pid -> comm table of the reader (open addressing, linear probing).
 * It grows with the number of distinct pids, never with the events.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static inline size_t comm_hash(uint32_t pid, size_t size)
{
	return (size_t)((pid * 2654435761U) & (size - 1));
}

static struct gt_comm_ent *comm_slot(struct gt_comm_ent *ent, size_t size,
				     uint32_t pid)
{
	size_t i = comm_hash(pid, size);

	while (ent[i].used && ent[i].pid != pid)
		i = (i + 1) & (size - 1);
	return &ent[i];
}

static int comm_grow(struct gt_comm_table *t)
{
	size_t size = t->size ? t->size * 2 : 1024;
	struct gt_comm_ent *ent;
	size_t i;

	ent = calloc(size, sizeof(*ent));
	if (!ent)
		return -1;
	for (i = 0; i < t->size; i++) {
		if (t->ent[i].used)
			*comm_slot(ent, size, t->ent[i].pid) = t->ent[i];
	}
	free(t->ent);
	t->ent = ent;
	t->size = size;
	return 0;
}

int gt_comm_set(struct gt_comm_table *t, uint32_t pid, const char *comm,
		size_t len)
{
	struct gt_comm_ent *e;

	if ((t->used + 1) * 2 > t->size && comm_grow(t))
		return -1;
	e = comm_slot(t->ent, t->size, pid);
	if (!e->used) {
		e->used = 1;
		e->pid = pid;
		t->used++;
	}
	if (len > GOTRACE_COMM_LEN)
		len = GOTRACE_COMM_LEN;
	memcpy(e->comm, comm, len);
	e->comm[len] = '\0';
	return 0;
}

const char *gt_comm_get(const struct gt_comm_table *t, uint32_t pid)
{
	size_t i;

	if (!t->size)
		return NULL;
	i = comm_hash(pid, t->size);
	while (t->ent[i].used) {
		if (t->ent[i].pid == pid)
			return t->ent[i].comm;
		i = (i + 1) & (t->size - 1);
	}
	return NULL;
}

void gt_comm_free(struct gt_comm_table *t)
{
	free(t->ent);
	t->ent = NULL;
	t->size = 0;
	t->used = 0;
}
