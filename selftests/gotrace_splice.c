// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_splice: splice(2) from /dev/gotrace gives the
 * stream of read(), byte for byte in structure: the header first,
 * generations, CPU_ENDs and END, end of file after it, one reader; a
 * reader may mix read() and splice(); a batch page in a pipe is not
 * written again while the pipe holds it, even after the trace is gone;
 * STOP, a reader leaving and a CPU going offline mid-stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"

#define GTT_TIMEOUT	120
#define NSEC_PER_SEC	1000000000ULL
/* 4 batches of 16 KiB per CPU: page-backed, not slab, so spliced whole. */
#define SMALL_POOL	(64U << 10)
#define REFCNT_PATH	"/sys/module/gotrace/refcnt"
#define BATCH_PARAM	"/sys/module/gotrace/parameters/test_batch_size"

FIXTURE(spl) {
	int fd;
	int p[2];
};

FIXTURE_SETUP(spl)
{
	FILE *f = fopen(BATCH_PARAM, "w");

	/* Batches follow the buffer size (another suite may have set it). */
	if (f) {
		fputs("0\n", f);
		fclose(f);
	}
	GTT_DEVICE_SETUP(0);
	ASSERT_EQ(0, pipe2(self->p, O_CLOEXEC));
}

FIXTURE_TEARDOWN(spl)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->p[0] >= 0)
		close(self->p[0]);
	if (self->p[1] >= 0)
		close(self->p[1]);
	gtt_make_idle();
}

static void small_workload(void)
{
	long psize = sysconf(_SC_PAGESIZE);
	void *p;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	p = gtt_touch_pages(64);
	if (p)
		munmap(p, 64 * psize);
	gtt_msleep(5);
}

/*
 * Moves what the pipe holds into b, in reads of piece bytes (0: random
 * small ones), so that the pipe's buffers are consumed in part.
 */
static int drain_pipe(int rfd, struct gtt_buf *b, size_t piece,
		      unsigned int *seed)
{
	int avail;

	while (!ioctl(rfd, FIONREAD, &avail) && avail > 0) {
		size_t n = piece ? piece : 1 + rand_r(seed) % 5000;
		ssize_t r = gtt_read_once(rfd, b, n);

		if (r <= 0)
			return r < 0 ? (int)r : -EIO;
	}
	return 0;
}

/* splice() to EOF through the pipe; 0 or -errno. */
static int splice_all(int fd, int p[2], struct gtt_buf *b, size_t len,
		      size_t piece)
{
	unsigned int seed = 1;

	for (;;) {
		ssize_t n = splice(fd, NULL, p[1], NULL, len, 0);

		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (drain_pipe(p[0], b, piece, &seed))
			return -EIO;
	}
}

#define CHECK_STREAM(buf, len, raw) do {				\
	const void *__buf = (buf);					\
	size_t __len = (len);						\
	struct gtt_raw *__raw = (raw);					\
	char __err[256];						\
									\
	ASSERT_EQ(0, gtt_raw_parse(__buf, __len, __raw)) {		\
		TH_LOG("raw stream: %s", __raw->err);			\
	}								\
	ASSERT_EQ(0, gtt_raw_check_totals(__raw)) {			\
		TH_LOG("totals: %s", __raw->err);			\
	}								\
	ASSERT_LE(0, gtt_lib_check(__buf, __len, __err, sizeof(__err))) { \
		TH_LOG("libgotrace: %s", __err);			\
	}								\
} while (0)

/* A stream some batches of which a reader that left took: no totals. */
#define CHECK_LEFT_STREAM(buf, len, raw) do {				\
	const void *__buf = (buf);					\
	size_t __len = (len);						\
	struct gtt_raw *__raw = (raw);					\
	char __err[256];						\
									\
	ASSERT_EQ(0, gtt_raw_parse(__buf, __len, __raw)) {		\
		TH_LOG("raw stream: %s", __raw->err);			\
	}								\
	ASSERT_LE(0, gtt_lib_check(__buf, __len, __err, sizeof(__err))) { \
		TH_LOG("libgotrace: %s", __err);			\
	}								\
} while (0)

/* A thread splicing the stream to EOF while the test runs. */
struct splicer {
	pthread_t thread;
	int fd;
	int p[2];
	struct gtt_buf buf;
	int err;
};

static void *splicer_fn(void *arg)
{
	struct splicer *s = arg;

	s->err = splice_all(s->fd, s->p, &s->buf, 1 << 20, 0);
	return NULL;
}

static int module_refcnt(void)
{
	FILE *f = fopen(REFCNT_PATH, "r");
	int n = -1;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* While tracing, blocking splices; STOP wakes them; then EOF, twice. */
TEST_F_TIMEOUT(spl, stream_while_tracing, GTT_TIMEOUT)
{
	struct splicer s = { .fd = self->fd };
	struct gtt_raw raw;
	int i;

	memcpy(s.p, self->p, sizeof(s.p));
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, SMALL_POOL, 20));
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, splicer_fn, &s));
	for (i = 0; i < 100; i++)
		small_workload();
	/* STOP while the splicer waits or splices. */
	ASSERT_EQ(0, gtt_stop(self->fd, GOTRACE_STOP_WAIT));
	ASSERT_EQ(0, pthread_join(s.thread, NULL));
	ASSERT_EQ(0, s.err);
	EXPECT_EQ(0, splice(self->fd, NULL, self->p[1], NULL, 4096, 0));
	EXPECT_EQ(0, splice(self->fd, NULL, self->p[1], NULL, 4096, 0));
	CHECK_STREAM(s.buf.data, s.buf.len, &raw);
	EXPECT_LT(4, raw.batches);
	EXPECT_EQ(0, raw.end.reader_skipped);
	EXPECT_EQ(0, memcmp(s.buf.data, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN));
	gtt_raw_free(&raw);
	gtt_buf_free(&s.buf);
}

/* Pipe reads of 1 byte and of odd sizes: the pipe's buffers in part. */
TEST_F_TIMEOUT(spl, partial_pipe_reads, GTT_TIMEOUT)
{
	struct gtt_buf b1 = { 0 };
	struct gtt_raw raw;
	int i;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, SMALL_POOL, 0));
	for (i = 0; i < 3; i++)
		small_workload();
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	/* The first 10000 bytes a byte at a time, then random pieces. */
	ASSERT_LT(0, splice(self->fd, NULL, self->p[1], NULL, 10000, 0));
	ASSERT_EQ(0, drain_pipe(self->p[0], &b1, 1, NULL));
	ASSERT_EQ(0, splice_all(self->fd, self->p, &b1, 3 * 4096 + 5, 0));
	CHECK_STREAM(b1.data, b1.len, &raw);
	gtt_raw_free(&raw);
	gtt_buf_free(&b1);
}

/*
 * Device -> pipe -> file, as gotrace record does.  (sendfile(2) from the
 * device is EINVAL: splice_direct_to_actor() takes regular files and
 * block devices only.)
 */
TEST_F_TIMEOUT(spl, splice_to_file, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	ssize_t n, w;
	int i, out;

	out = memfd_create("gotrace_splice", MFD_CLOEXEC);
	ASSERT_LE(0, out);
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, SMALL_POOL, 0));
	for (i = 0; i < 20; i++)
		small_workload();
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	while ((n = splice(self->fd, NULL, self->p[1], NULL, 1 << 20, 0)) > 0) {
		for (; n > 0; n -= w) {
			w = splice(self->p[0], NULL, out, NULL, n, SPLICE_F_MOVE);
			ASSERT_LT(0, w) {
				TH_LOG("splice to the file: %s", strerror(errno));
			}
		}
	}
	ASSERT_EQ(0, n);
	ASSERT_EQ(0, lseek(out, 0, SEEK_SET));
	ASSERT_EQ(0, gtt_read_all(out, &b, 1 << 20));
	close(out);
	CHECK_STREAM(b.data, b.len, &raw);
	EXPECT_LT(0, raw.batches);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

/* read() and splice() in turns, at odd sizes: one stream. */
TEST_F_TIMEOUT(spl, mixed_read_and_splice, GTT_TIMEOUT)
{
	unsigned int seed = 7, turn = 0;
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	ssize_t n;
	int i;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, SMALL_POOL, 0));
	for (i = 0; i < 60; i++)
		small_workload();
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	do {
		size_t len = 1 + rand_r(&seed) % 30000;

		if (turn++ % 2) {
			n = gtt_read_once(self->fd, &b, len);
		} else {
			n = splice(self->fd, NULL, self->p[1], NULL, len, 0);
			if (n < 0)
				n = -errno;
			ASSERT_EQ(0, drain_pipe(self->p[0], &b, 0, &seed));
		}
		ASSERT_LE(0, n) {
			TH_LOG("turn %u: %s", turn, strerror(-n));
		}
	} while (n > 0);
	CHECK_STREAM(b.data, b.len, &raw);
	EXPECT_LE(2, raw.batches);
	EXPECT_EQ(0, raw.end.reader_skipped);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

/* One reader: splice and read() from another file get EBUSY. */
TEST_F_TIMEOUT(spl, one_reader, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	struct gtt_raw raw;
	int fd2;
	char c;

	fd2 = gtt_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, GOTRACE_MAX_FLUSH_MS));
	ASSERT_LT(0, splice(self->fd, NULL, self->p[1], NULL, 100, 0));
	EXPECT_EQ(-1, splice(fd2, NULL, self->p[1], NULL, 100, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, read(fd2, &c, 1));
	EXPECT_EQ(EBUSY, errno);
	/* The splicer's own read() goes on where its splice stopped. */
	ASSERT_EQ(0, gtt_stop(fd2, 0));
	ASSERT_EQ(0, drain_pipe(self->p[0], &b, 4096, NULL));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	EXPECT_EQ(0, splice(self->fd, NULL, self->p[1], NULL, 100, 0));
	CHECK_STREAM(b.data, b.len, &raw);
	close(fd2);
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
}

/* Nothing ready: EAGAIN with SPLICE_F_NONBLOCK or an O_NONBLOCK file. */
TEST_F_TIMEOUT(spl, nonblock_eagain, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 };
	ssize_t n = 0;
	int i, nfd;

	nfd = gtt_open(O_NONBLOCK);
	ASSERT_LE(0, nfd);
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, GOTRACE_MAX_FLUSH_MS));
	for (i = 0; i < 1000; i++) {
		n = splice(self->fd, NULL, self->p[1], NULL, 1 << 16,
			   SPLICE_F_NONBLOCK);
		if (n <= 0)
			break;
		ASSERT_EQ(0, drain_pipe(self->p[0], &b, 1 << 16, NULL));
	}
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(GTT_HDR_BYTES, b.len);
	/* The reader is self->fd; nfd may not even try. */
	EXPECT_EQ(-1, splice(nfd, NULL, self->p[1], NULL, 100, 0));
	EXPECT_EQ(EBUSY, errno);
	close(self->fd);
	self->fd = -1;
	/* An O_NONBLOCK file, now the reader: its header, then EAGAIN. */
	for (i = 0; i < 1000; i++) {
		n = splice(nfd, NULL, self->p[1], NULL, 1 << 16, 0);
		if (n <= 0)
			break;
		ASSERT_EQ(0, drain_pipe(self->p[0], &b, 1 << 16, NULL));
	}
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno);
	close(nfd);
	gtt_buf_free(&b);
}

/*
 * The pipe holds batch pages while the probes fill and the reader
 * recycles many more batches: what the pipe gives is what was spliced
 * (a tee() into a second pipe copied it at once).  Then the reader leaves,
 * the trace is thrown away (START --discard): the pipe's pages are still
 * there, and the module is pinned until the pipe lets them go.
 */
TEST_F_TIMEOUT(spl, pipe_pages_outlive_reuse_and_trace, GTT_TIMEOUT)
{
	struct gtt_buf snap = { 0 }, later = { 0 }, b = { 0 };
	int q[2], fd2, ref_open, ref_before, ref_held, i;
	struct gtt_raw raw;
	ssize_t held;

	ASSERT_EQ(0, pipe2(q, O_CLOEXEC));
	ref_open = module_refcnt();
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, SMALL_POOL, 20));
	/*
	 * The head, then batch pages, until a batch's pages are in the pipe
	 * (each such batch holds a module reference).
	 */
	held = 0;
	for (i = 0; i < 500; i++) {
		ssize_t n = splice(self->fd, NULL, self->p[1], NULL, 1 << 20,
				   SPLICE_F_NONBLOCK);

		if (n > 0)
			held += n;
		if (ref_open < 0 || module_refcnt() > ref_open)
			break;
		ASSERT_TRUE(n > 0 || errno == EAGAIN);
		small_workload();
	}
	ASSERT_LT(0, held);
	if (ref_open >= 0)
		ASSERT_LT(ref_open, module_refcnt());
	ASSERT_EQ(held, tee(self->p[0], q[1], held, 0));
	ASSERT_EQ(0, drain_pipe(q[0], &snap, 65536, NULL));
	ASSERT_EQ((size_t)held, snap.len);

	/* Dozens of pool turns while the pipe keeps its pages. */
	for (i = 0; i < 60; i++) {
		small_workload();
		ASSERT_LE(0, gtt_read_once(self->fd, &b, 1 << 20));
	}
	ref_before = module_refcnt();
	/* The reader leaves; another stops and reads it all. */
	close(self->fd);
	self->fd = -1;
	ref_held = module_refcnt();
	fd2 = gtt_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, gtt_stop(fd2, 0));
	gtt_buf_free(&b);
	ASSERT_EQ(0, gtt_read_all(fd2, &b, 1 << 20));
	CHECK_LEFT_STREAM(b.data, b.len, &raw);
	EXPECT_LT(0, raw.end.reader_skipped);
	gtt_raw_free(&raw);
	/* A new trace frees the old one's buffers (and reuses the memory). */
	ASSERT_EQ(0, gtt_start(fd2, 0, 0, SMALL_POOL, 0));
	for (i = 0; i < 10; i++)
		small_workload();
	ASSERT_EQ(0, gtt_stop(fd2, 0));
	gtt_buf_free(&b);
	ASSERT_EQ(0, gtt_read_all(fd2, &b, 1 << 20));
	close(fd2);

	ASSERT_EQ(0, drain_pipe(self->p[0], &later, 4096, NULL));
	ASSERT_EQ(snap.len, later.len);
	EXPECT_EQ(0, memcmp(snap.data, later.data, snap.len)) {
		TH_LOG("a page in the pipe was written after it was spliced");
	}
	/* Batch pages in a pipe pin the module; an empty pipe does not. */
	if (ref_before >= 0) {
		EXPECT_LE(1, ref_held);
		EXPECT_EQ(ref_before - 1, ref_held);
		EXPECT_EQ(0, module_refcnt());
	}
	close(q[0]);
	close(q[1]);
	gtt_buf_free(&snap);
	gtt_buf_free(&later);
	gtt_buf_free(&b);
}

/*
 * A socket that takes spliced pages keeps its own reference to them (the
 * network and unix socket paths get_page() each one) and sends them after
 * the pipe has let go: those pages must not be filled again while the
 * socket holds them.  The unread end of a unix socket pair stands for a
 * slow peer.
 */
TEST_F_TIMEOUT(spl, socket_pages_not_rewritten, GTT_TIMEOUT)
{
	struct gtt_buf snap = { 0 }, later = { 0 }, b = { 0 };
	int q[2], sp[2], ref_open, i;
	ssize_t held, moved;

	ASSERT_EQ(0, pipe2(q, O_CLOEXEC));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp));
	ref_open = module_refcnt();
	ASSERT_LE(0, ref_open);
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, SMALL_POOL, 20));
	held = 0;
	for (i = 0; i < 500; i++) {
		ssize_t n = splice(self->fd, NULL, self->p[1], NULL, 1 << 20,
				   SPLICE_F_NONBLOCK);

		if (n > 0)
			held += n;
		if (module_refcnt() > ref_open)
			break;
		ASSERT_TRUE(n > 0 || errno == EAGAIN);
		small_workload();
	}
	ASSERT_LT(ref_open, module_refcnt());
	ASSERT_EQ(held, tee(self->p[0], q[1], held, 0));
	ASSERT_EQ(0, drain_pipe(q[0], &snap, 65536, NULL));
	/* Into the socket: the pipe releases its buffers, the socket holds. */
	moved = 0;
	while (moved < held) {
		ssize_t n = splice(self->p[0], NULL, sp[0], NULL, held - moved,
				   SPLICE_F_NONBLOCK);

		ASSERT_LT(0, n) {
			TH_LOG("splice to the socket: %s", strerror(errno));
		}
		moved += n;
	}
	/* Dozens of pool turns while the socket keeps the pages. */
	for (i = 0; i < 60; i++) {
		small_workload();
		ASSERT_LE(0, gtt_read_once(self->fd, &b, 1 << 20));
	}
	while (later.len < snap.len)
		ASSERT_LT(0, gtt_read_once(sp[1], &later, snap.len - later.len));
	ASSERT_EQ(snap.len, later.len);
	EXPECT_EQ(0, memcmp(snap.data, later.data, snap.len)) {
		TH_LOG("a page a socket held was filled again");
	}
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	close(sp[0]);
	close(sp[1]);
	close(q[0]);
	close(q[1]);
	gtt_buf_free(&snap);
	gtt_buf_free(&later);
	gtt_buf_free(&b);
}

/* The reader leaves with a batch half in its pipe: the next starts over. */
TEST_F_TIMEOUT(spl, reader_exits_midstream, GTT_TIMEOUT)
{
	struct gtt_buf b = { 0 }, head = { 0 };
	struct gtt_raw raw;
	int fd2, i;

	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, SMALL_POOL, 0));
	for (i = 0; i < 10; i++)
		small_workload();
	ASSERT_LT(0, splice(self->fd, NULL, self->p[1], NULL, 3 * 4096 + 100,
			    0));
	ASSERT_EQ(0, drain_pipe(self->p[0], &head, 4096, NULL));
	close(self->fd);
	self->fd = -1;
	fd2 = gtt_open(0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, gtt_stop(fd2, 0));
	ASSERT_EQ(0, splice_all(fd2, self->p, &b, 1 << 20, 0));
	close(fd2);
	CHECK_LEFT_STREAM(b.data, b.len, &raw);
	ASSERT_LE(GTT_HDR_BYTES, head.len);
	EXPECT_EQ(0, memcmp(head.data, b.data, GTT_HDR_BYTES));
	gtt_raw_free(&raw);
	gtt_buf_free(&b);
	gtt_buf_free(&head);
}

static int cpu_online_set(int cpu, int on)
{
	char path[64];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fprintf(f, "%d\n", on) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

/* A CPU goes offline and comes back while a splicer reads. */
TEST_F_TIMEOUT(spl, cpu_offline_while_splicing, GTT_TIMEOUT)
{
	struct splicer s = { .fd = self->fd };
	struct gtt_raw raw;
	int i, cpu = 1, err;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU online");
	memcpy(s.p, self->p, sizeof(s.p));
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, SMALL_POOL, 20));
	ASSERT_EQ(0, pthread_create(&s.thread, NULL, splicer_fn, &s));
	for (i = 0; i < 10; i++)
		small_workload();
	err = cpu_online_set(cpu, 0);
	if (!err) {
		for (i = 0; i < 20; i++)
			small_workload();
		ASSERT_EQ(0, cpu_online_set(cpu, 1));
		for (i = 0; i < 10; i++)
			small_workload();
	}
	ASSERT_EQ(0, gtt_stop(self->fd, GOTRACE_STOP_WAIT));
	ASSERT_EQ(0, pthread_join(s.thread, NULL));
	ASSERT_EQ(0, s.err);
	CHECK_STREAM(s.buf.data, s.buf.len, &raw);
	gtt_raw_free(&raw);
	gtt_buf_free(&s.buf);
	if (err)
		SKIP(return, "cpu%d cannot go offline: %s", cpu,
		     strerror(-err));
}

TEST_HARNESS_MAIN
