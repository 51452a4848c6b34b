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

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Standard input as a seekable file: itself when it is one, else (a pipe)
 * its bytes copied to an unlinked temporary file that then becomes
 * standard input, so that "-" can be opened again (report reads twice).
 */
static int open_stdin(void)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[4096], buf[65536];
	struct stat st;
	ssize_t n;
	int fd, err;

	if (fstat(STDIN_FILENO, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(tmpl, sizeof(tmpl), "%s/gotrace-stdin-XXXXXX", dir);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd < 0)
			return -errno;
		unlink(tmpl);
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write_all(fd, buf, (size_t)n))
			goto fail;
	}
	if (dup2(fd, STDIN_FILENO) < 0)
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int gt_open_file(const char *path, struct gt_reader **out)
{
	struct gt_reader *r;
	struct stat st;
	int fd, ret;

	*out = NULL;
	if (!strcmp(path, "-")) {
		path = "<stdin>";
		fd = open_stdin();
		if (fd < 0) {
			errno = -fd;
			fd = -1;
		}
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
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
	gt_pid_free(&r->comms);
	gt_cgroups_free(r);
	gt_triggers_free(r);
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
