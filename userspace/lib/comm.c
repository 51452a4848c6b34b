// SPDX-License-Identifier: GPL-2.0
/*
 * pid -> comm table of the reader (a gt_pid_table of gt_comm_ent).
 */
#include <string.h>

#include "internal.h"

int gt_comm_set(struct gt_pid_table *t, uint32_t pid, const char *comm,
		size_t len)
{
	struct gt_comm_ent *e = gt_pid_add(t, pid, sizeof(*e));

	if (!e)
		return -1;
	if (len > GOTRACE_COMM_LEN)
		len = GOTRACE_COMM_LEN;
	memcpy(e->comm, comm, len);
	e->comm[len] = '\0';
	return 0;
}

const char *gt_comm_get(const struct gt_pid_table *t, uint32_t pid)
{
	const struct gt_comm_ent *e = gt_pid_get(t, pid);

	return e ? e->comm : NULL;
}
