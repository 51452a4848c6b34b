// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include "convert.h"
int convert_go(struct gt_reader *r, FILE *out, const struct convert_opts *o,
	       struct convert_stats *st)
{
	(void)r; (void)out; (void)o; (void)st;
	return -ENOSYS;
}
