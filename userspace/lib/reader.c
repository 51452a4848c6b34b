// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace stream reader: opening, closing, errors, accessors.  The index
 * pass is in index.c, the merge of the CPUs in merge.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static __thread char open_errmsg[GT_ERR_LEN];

void gt_set_error(struct gt_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
}

void gt_cursor_error(struct gt_cursor *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->errmsg)
		c->errmsg = malloc(GT_ERR_LEN);
	if (!c->errmsg)
		return;
	va_start(ap, fmt);
	vsnprintf(c->errmsg, GT_ERR_LEN, fmt, ap);
	va_end(ap);
}

const char *gt_error(const struct gt_reader *r)
{
	if (!r)
		return open_errmsg;
	return r->errmsg;
}

static __printf(2, 3)
int open_fail(int err, const char *fmt, ...);

static int open_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(open_errmsg, sizeof(open_errmsg), fmt, ap);
	va_end(ap);
	return err;
}

static struct gt_reader *reader_alloc(void)
{
	struct gt_reader *r = calloc(1, sizeof(*r));

	if (r)
		r->fd = -1;
	return r;
}

int gt_open_mem(const void *buf, size_t len, struct gt_reader **out)
{
	struct gt_reader *r;
	int ret;

	*out = NULL;
	if (!buf && len)
		return open_fail(-EINVAL, "NULL buffer");
	r = reader_alloc();
	if (!r)
		return open_fail(-ENOMEM, "%s", strerror(ENOMEM));
	r->mem = buf;
	r->size = len;
	ret = gt_reader_init(r, "<memory>", open_errmsg,
			     sizeof(open_errmsg));
	if (ret) {
		gt_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

int gt_open_file(const char *path, struct gt_reader **out)
{
	struct gt_reader *r;
	struct stat st;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return open_fail(ret, "%s: %s", path, strerror(-ret));
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return open_fail(ret, "%s: %s", path, strerror(-ret));
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return open_fail(-ESPIPE,
				 "%s: not a regular file (the reader needs a seekable input; save the stream to a file first)",
				 path);
	}
	r = reader_alloc();
	if (!r) {
		close(fd);
		return open_fail(-ENOMEM, "%s", strerror(ENOMEM));
	}
	r->fd = fd;
	r->size = (uint64_t)st.st_size;
	ret = gt_reader_init(r, path, open_errmsg, sizeof(open_errmsg));
	if (ret) {
		gt_close(r);
		return ret;
	}
	*out = r;
	return 0;
}

void gt_close(struct gt_reader *r)
{
	uint32_t i;

	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	for (i = 0; r->idx && i < r->nr_cpus; i++)
		free(r->idx[i].b);
	for (i = 0; r->cur && i < r->nr_cpus; i++) {
		free(r->cur[i].buf);
		free(r->cur[i].zbuf);
		free(r->cur[i].errmsg);
	}
	free(r->idx);
	free(r->cpus);
	free(r->cur);
	free(r->heap);
	gt_comm_free(&r->comms);
	free(r->gfp);
	free(r->stacks);
	free(r->frames);
	free(r->syms);
	free(r->sympool);
	free(r->zones);
	free(r->lines);
	free(r->linepool);
	free(r->tasks);
	free(r->losses);
	gt_unpack_free(r->unpack);
	free(r);
}

const struct gotrace_task *gt_task(const struct gt_reader *r, uint32_t pid)
{
	size_t lo = 0, hi = r->nr_tasks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->tasks[mid].pid == pid)
			return &r->tasks[mid];
		if (r->tasks[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct gotrace_header *gt_header(const struct gt_reader *r)
{
	return &r->hdr;
}

const struct gt_summary *gt_summary(struct gt_reader *r)
{
	return &r->sum;
}

const char *gt_comm(const struct gt_reader *r, uint32_t pid)
{
	return gt_comm_get(&r->comms, pid);
}


static int loss_cmp(const void *a, const void *b)
{
	const struct gt_loss *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

long gt_losses(struct gt_reader *r, const struct gt_loss **out)
{
	size_t n = 0, i, k = 0;
	uint32_t cpu;

	if (!r->losses) {
		for (cpu = 0; cpu < r->nr_cpus; cpu++)
			for (i = 0; i < r->idx[cpu].nr; i++)
				n += r->idx[cpu].b[i].lost != 0;
		r->losses = calloc(n ? n : 1, sizeof(*r->losses));
		if (!r->losses)
			return -ENOMEM;
		for (cpu = 0; cpu < r->nr_cpus; cpu++) {
			for (i = 0; i < r->idx[cpu].nr; i++) {
				const struct gt_batch_ref *b = &r->idx[cpu].b[i];

				if (!b->lost)
					continue;
				r->losses[k].ts = b->base_ts;
				r->losses[k].lost = b->lost;
				r->losses[k].cpu = cpu;
				k++;
			}
		}
		qsort(r->losses, n, sizeof(*r->losses), loss_cmp);
		r->nr_losses = (long)n;
	}
	*out = r->losses;
	return r->nr_losses;
}
