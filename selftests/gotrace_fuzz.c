// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_fuzz: bad input to /dev/gotrace.
 *
 * - ioctl_fuzz: random commands (the real ones, the real ones with other
 *   size/direction bits, other numbers of the gotrace type, anything),
 *   random argument structs, NULL, unmapped, misaligned and kernel
 *   pointers, random read()s, for a bounded time; every call must succeed
 *   or fail with an errno of the documented kind, and the module must
 *   still work afterwards.
 * - compat32: the same table of ioctl cases run by a 32-bit process (the
 *   -m32 build of this file, embedded in this binary) and by this 64-bit
 *   one must give the same results.
 *
 * Built twice: normally (kselftest harness), and with GT_COMPAT32 as a
 * static -m32 program that only runs the case table ("--cases").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/gotrace.h>

/* Same layout for 32-bit and 64-bit processes (else: other ioctl numbers). */
_Static_assert(sizeof(struct gotrace_start) == GOTRACE_START_SIZE_VER2,
	       "gotrace_start");
_Static_assert(GOTRACE_START_SIZE_VER2 == 80, "gotrace_start");
_Static_assert(sizeof(struct gotrace_status) == GOTRACE_STATUS_SIZE_VER2,
	       "gotrace_status");
_Static_assert(GOTRACE_STATUS_SIZE_VER1 == 160, "gotrace_status");
_Static_assert(GOTRACE_STATUS_SIZE_VER2 == 176, "gotrace_status");
_Static_assert(sizeof(struct gotrace_trigger) == GOTRACE_TRIGGER_SIZE_VER0,
	       "gotrace_trigger");
_Static_assert(sizeof(struct gotrace_fired) == 48, "gotrace_fired");
_Static_assert(sizeof(struct gotrace_triggers) == GOTRACE_TRIGGERS_SIZE_VER0,
	       "gotrace_triggers");
_Static_assert(sizeof(struct gotrace_triggers_rec) == 24,
	       "gotrace_triggers_rec");
_Static_assert(sizeof(struct gotrace_snapshot) == 40, "gotrace_snapshot");
_Static_assert(sizeof(struct gotrace_window) == 72, "gotrace_window");
_Static_assert(sizeof(struct gotrace_bench) == 56, "gotrace_bench");
_Static_assert(sizeof(struct gotrace_cpu_stats) == 32, "gotrace_cpu_stats");
_Static_assert(sizeof(struct gotrace_header) == 272, "gotrace_header");
_Static_assert(sizeof(struct gotrace_batch) == 40, "gotrace_batch");

/* ---- the case table (both builds) ---- */

static long page_size;
static uint8_t *guard_area;	/* page_size RW, then page_size PROT_NONE */
static uint8_t *unmapped;	/* an address with nothing mapped */

static int map_areas(void)
{
	page_size = sysconf(_SC_PAGESIZE);
	guard_area = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard_area == MAP_FAILED)
		return -1;
	if (mprotect(guard_area + page_size, page_size, PROT_NONE))
		return -1;
	unmapped = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (unmapped == MAP_FAILED)
		return -1;
	munmap(unmapped, page_size);
	return 0;
}

/* Just below the guard page: a struct of n bytes that ends at it. */
static void *at_guard(size_t n)
{
	return guard_area + page_size - n;
}

/* An address userspace cannot pass: kernel text (64-bit) / above TASK_SIZE. */
static uintptr_t kernel_ptr(void)
{
	return sizeof(void *) == 8 ? (uintptr_t)0xffffffff81000000ULL :
				     (uintptr_t)0xfffff000UL;
}

static void *volatile null_ptr;

static int xioctl(int fd, unsigned long cmd, uintptr_t arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static int drain(int fd, size_t *bytes)
{
	static uint8_t buf[1 << 16];
	ssize_t n;

	*bytes = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*bytes += n;
	return n < 0 ? errno : 0;
}

struct gtcase_out {
	char line[128];
};

/*
 * Runs the table on fd (a fresh, idle device); one line per case into
 * out[] ("name=errno[,extra]"), and returns the number of cases; *bad
 * counts the cases whose errno is not the expected one.
 */
static int run_cases(int fd, struct gtcase_out *out, int max, int *bad)
{
	struct gotrace_start s;
	struct gotrace_status st;
	struct gotrace_bench bb;
	struct gotrace_cpu_stats *cs;
	uint8_t *big, mask[8] = { 1 };
	size_t bytes = 0;
	int n = 0, e;

	*bad = 0;
#define CASE(name, expect, call, fmt, ...) do {				\
	int __unexpected;						\
									\
	e = (call);							\
	__unexpected = e != (expect);					\
	if (__unexpected)						\
		(*bad)++;						\
	if (n < max)							\
		snprintf(out[n].line, sizeof(out[n].line), "%s=%d%s" fmt, \
			 (name), e, __unexpected ? " UNEXPECTED" : "",	\
			 ##__VA_ARGS__);				\
	n++;								\
} while (0)
#define START_OK(...) do {						\
	memset(&s, 0, sizeof(s)); s.size = sizeof(s); __VA_ARGS__;	\
} while (0)

	big = calloc(1, 4096);
	cs = calloc(64, sizeof(*cs));
	if (!big || !cs)
		return 0;

	/* STATUS */
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	CASE("status", 0, xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)&st),
	     ",state=%u,nr_cpus=%u", st.state, st.nr_cpus);
	st.size = 0;
	CASE("status-size0", EINVAL, xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)&st), "");
	st.size = 8;
	CASE("status-size8", EINVAL, xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)&st), "");
	memset(big, 0, 4096);
	((struct gotrace_status *)big)->size = 4096;
	CASE("status-size4096", 0, xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)big), "");
	memset(big, 0, 4096);
	((struct gotrace_status *)big)->size = 4096;
	big[4000] = 1;
	CASE("status-tail", E2BIG, xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)big), "");
	CASE("status-null", EFAULT, xioctl(fd, GOTRACE_IOC_STATUS, 0), "");
	CASE("status-unmapped", EFAULT,
	     xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)unmapped), "");
	CASE("status-kernel", EFAULT, xioctl(fd, GOTRACE_IOC_STATUS, kernel_ptr()), "");
	memset(at_guard(sizeof(st) - 8), 0, sizeof(st) - 8);
	*(uint32_t *)at_guard(sizeof(st) - 8) = sizeof(st);
	CASE("status-straddles-guard", EFAULT,
	     xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)at_guard(sizeof(st) - 8)), "");
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.cpu_len = 1;
	CASE("status-cpus-null", EFAULT, xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)&st), "");
	st.cpu_len = 64;
	st.cpu_stats = (uintptr_t)cs;
	CASE("status-cpus", 0, xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)&st),
	     ",flags0=%u", cs[0].flags);
	st.cpu_len = 0xffffffff;
	st.cpu_stats = (uintptr_t)at_guard(sizeof(*cs));
	CASE("status-cpus-guard", st.nr_cpus > 1 ? EFAULT : 0,
	     xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)&st), "");
	st.cpu_len = 2;
	st.cpu_stats = (uint64_t)0xffffffff81000000ULL;
	CASE("status-cpus-kernel", EFAULT, xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)&st), "");

	/* TRIGGERS (no trace: ENODATA once the argument is read) */
	{
		struct gotrace_triggers tg = { .size = sizeof(tg) };

		CASE("triggers-notrace", ENODATA,
		     xioctl(fd, GOTRACE_IOC_TRIGGERS, (uintptr_t)&tg), "");
		tg.size = 8;
		CASE("triggers-size8", EINVAL,
		     xioctl(fd, GOTRACE_IOC_TRIGGERS, (uintptr_t)&tg), "");
		CASE("triggers-null", EFAULT,
		     xioctl(fd, GOTRACE_IOC_TRIGGERS, 0), "");
		CASE("triggers-kernel", EFAULT,
		     xioctl(fd, GOTRACE_IOC_TRIGGERS, kernel_ptr()), "");
	}

	/* START: sizes */
	START_OK(s.size = 0);
	CASE("start-size0", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.size = GOTRACE_START_SIZE_VER0 - 1);
	CASE("start-size23", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	memset(big, 0, 4096);
	((struct gotrace_start *)big)->size = 4096;
	big[2000] = 0x5a;
	CASE("start-tail", E2BIG, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)big), "");
	CASE("start-null", EFAULT, xioctl(fd, GOTRACE_IOC_START, 0), "");
	CASE("start-kernel", EFAULT, xioctl(fd, GOTRACE_IOC_START, kernel_ptr()), "");
	CASE("start-unmapped", EFAULT, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)unmapped), "");
	/* START: fields */
	START_OK(s.flags = 0x80);
	CASE("start-flags", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.groups = 1ULL << 40);
	CASE("start-groups", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.buffer_size = 1);
	CASE("start-buf-small", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.buffer_size = 0xffffffffU);
	CASE("start-buf-u32max", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.buffer_size = GOTRACE_MAX_BUFFER_SIZE);
	CASE("start-buf-max", ENOMEM, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.flush_ms = 1);
	CASE("start-flush", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.stack_depth = 4);
	CASE("start-depth-nostacks", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.flags = GOTRACE_START_STACKS; s.stack_depth = 65);
	CASE("start-depth-max", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.flags = GOTRACE_START_STACKS;
		 s.stack_entries = GOTRACE_MAX_STACK_ENTRIES + 1);
	CASE("start-entries-max", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.filter_flags = GOTRACE_FILTER_TGID);
	CASE("start-filter-nopid", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.filter_pid = 0x7fffffff);
	CASE("start-filter-bigpid", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.cpu_mask = (uintptr_t)mask);
	CASE("start-mask-nosize", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.cpu_mask = (uintptr_t)unmapped; s.cpu_mask_size = 8);
	CASE("start-mask-unmapped", EFAULT, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.cpu_mask = (uint64_t)0xffffffff81000000ULL; s.cpu_mask_size = 8);
	CASE("start-mask-kernel", EFAULT, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	memset(big, 0, 4096);
	START_OK(s.cpu_mask = (uintptr_t)big; s.cpu_mask_size = 4096);
	CASE("start-mask-empty", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	START_OK(s.__reserved = 1);
	CASE("start-reserved", EINVAL, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");

	/* STOP while idle, bad flags */
	CASE("stop-idle", EINVAL, xioctl(fd, GOTRACE_IOC_STOP, 0), "");
	CASE("stop-flags", EINVAL, xioctl(fd, GOTRACE_IOC_STOP, 2), "");

	/* Unknown commands and wrong encodings of the known ones */
	CASE("ioc-nr9", ENOTTY, xioctl(fd, _IO(GOTRACE_IOC_MAGIC, 9), 0), "");
	CASE("ioc-start-dir", ENOTTY,
	     xioctl(fd, _IOR(GOTRACE_IOC_MAGIC, 1, struct gotrace_start), (uintptr_t)&s), "");
	/* The size bits don't count: the struct's size does (s: reserved set). */
	CASE("ioc-start-size", EINVAL,
	     xioctl(fd, _IOW(GOTRACE_IOC_MAGIC, 1, int), (uintptr_t)&s), "");
	CASE("ioc-status-size", EFAULT,
	     xioctl(fd, _IOWR(GOTRACE_IOC_MAGIC, 3, uint64_t), (uintptr_t)&st), "");
	CASE("ioc-other-type", ENOTTY, xioctl(fd, _IO('T', 1), 0), "");

	/* BENCH */
	memset(&bb, 0, sizeof(bb));
	bb.size = 8;
	CASE("bench-size8", EINVAL, xioctl(fd, GOTRACE_IOC_BENCH, (uintptr_t)&bb), "");
	memset(&bb, 0, sizeof(bb));
	bb.size = sizeof(bb);
	bb.nr_events = GOTRACE_BENCH_MAX_EVENTS + 1;
	CASE("bench-too-many", EINVAL, xioctl(fd, GOTRACE_IOC_BENCH, (uintptr_t)&bb), "");
	bb.nr_events = 1000;
	bb.buffer_size = 64 << 10;
	CASE("bench", 0, xioctl(fd, GOTRACE_IOC_BENCH, (uintptr_t)&bb),
	     ",written=%llu,lost=%llu", (unsigned long long)bb.written,
	     (unsigned long long)bb.lost);

	/* A real trace: VER0 struct, one CPU, reads with bad buffers */
	START_OK(s.size = GOTRACE_START_SIZE_VER0; s.buffer_size = 64 << 10);
	CASE("start-ver0", 0, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	CASE("start-again", EBUSY, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	CASE("bench-busy", EBUSY, xioctl(fd, GOTRACE_IOC_BENCH, (uintptr_t)&bb), "");
	CASE("read-null", EFAULT, read(fd, null_ptr, 64) < 0 ? errno : 0, "");
	CASE("read-kernel", EFAULT, read(fd, (void *)kernel_ptr(), 64) < 0 ? errno : 0, "");
	/* Up to the guard page and not a byte further (short, or EFAULT). */
	{
		ssize_t r = read(fd, at_guard(8), 64);

		CASE("read-guard", 0, r > 0 && r <= 8 ? 0 : r < 0 ? errno : -1,
		     "");
	}
	CASE("stop", 0, xioctl(fd, GOTRACE_IOC_STOP, 0), "");
	CASE("stop-again", EINVAL, xioctl(fd, GOTRACE_IOC_STOP, 0), "");
	CASE("drain", 0, drain(fd, &bytes), ",nonempty=%d", bytes > 0);
	START_OK(s.cpu_mask = (uintptr_t)mask; s.cpu_mask_size = sizeof(mask);
		 s.buffer_size = 64 << 10);
	CASE("start-cpu0", 0, xioctl(fd, GOTRACE_IOC_START, (uintptr_t)&s), "");
	CASE("stop-cpu0", 0, xioctl(fd, GOTRACE_IOC_STOP, 0), "");
	CASE("drain-cpu0", 0, drain(fd, &bytes), ",nonempty=%d", bytes > 0);
	memset(&st, 0, sizeof(st));
	st.size = GOTRACE_STATUS_SIZE_VER0;
	CASE("status-end", 0, xioctl(fd, GOTRACE_IOC_STATUS, (uintptr_t)&st),
	     ",state=%u", st.state);
#undef CASE
#undef START_OK
	free(big);
	free(cs);
	return n;
}

#ifdef GT_COMPAT32

/* The 32-bit program: run the table, print it. */
int main(int argc, char **argv)
{
	static struct gtcase_out out[128];
	int fd, n, bad, i;

	if (argc != 2 || strcmp(argv[1], "--cases"))
		return 2;
	if (map_areas())
		return 3;
	fd = open(GOTRACE_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		printf("open=%d\n", errno);
		return 1;
	}
	n = run_cases(fd, out, 128, &bad);
	for (i = 0; i < n && i < 128; i++)
		printf("%s\n", out[i].line);
	return bad ? 1 : 0;
}

#else /* !GT_COMPAT32 */

#include "kselftest_harness.h"
#include "gotrace_rel.h"

#define GTT_TIMEOUT	300

FIXTURE(fuzz) {
	int fd;
	struct rel_pin pin;
};

FIXTURE_SETUP(fuzz)
{
	ASSERT_EQ(0, rel_ensure_loaded());
	rel_pin_if_mttcg(&self->pin);
	GTT_DEVICE_SETUP(O_NONBLOCK);
	ASSERT_EQ(0, map_areas());
}

FIXTURE_TEARDOWN(fuzz)
{
	rel_unpin_tracepoints(&self->pin);
	GTT_DEVICE_TEARDOWN();
}

/* The device still traces, and the stream is whole. */
static int works(char *err, size_t len)
{
	struct gtt_buf b = { 0 };
	int fd, ret;

	ret = gtt_make_idle();
	if (ret) {
		snprintf(err, len, "make idle: %s", strerror(-ret));
		return ret;
	}
	fd = gtt_open(0);
	if (fd < 0)
		return fd;
	ret = gtt_start(fd, 0, 0, 0, 0);
	if (!ret) {
		rel_workload(20);
		ret = gtt_stop(fd, 0);
	}
	if (!ret)
		ret = gtt_read_all(fd, &b, 1 << 20);
	if (ret)
		snprintf(err, len, "trace: %s", strerror(-ret));
	else
		ret = rel_check_stream(b.data, b.len, true, err, len);
	gtt_buf_free(&b);
	close(fd);
	return ret;
}

TEST_F_TIMEOUT(fuzz, case_table, GTT_TIMEOUT)
{
	static struct gtcase_out out[128];
	int n, bad, i;

	n = run_cases(self->fd, out, 128, &bad);
	for (i = 0; i < n && i < 128; i++)
		if (strstr(out[i].line, "UNEXPECTED"))
			TH_LOG("%s", out[i].line);
	EXPECT_EQ(0, bad);
	TH_LOG("RELIABILITY ioctl_cases=%d unexpected=%d", n, bad);
}

#ifdef GT32_PATH
/* The -m32 build of this file, embedded. */
asm(".pushsection .rodata\n"
	".global gt32_bin\n"
	"gt32_bin:\n"
	".incbin \"" GT32_PATH "\"\n"
	".global gt32_bin_end\n"
	"gt32_bin_end:\n"
	".popsection\n");
extern const char gt32_bin[], gt32_bin_end[];

TEST_F_TIMEOUT(fuzz, compat32_same_results, GTT_TIMEOUT)
{
	static struct gtcase_out out[128];
	const char *path = "/tmp/gotrace_fuzz32";
	struct gtt_buf b = { 0 };
	char *line, *save = NULL;
	int n, bad, i, fd, p[2], status;
	pid_t pid;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_LE(0, fd);
	ASSERT_EQ(gt32_bin_end - gt32_bin,
		  write(fd, gt32_bin, gt32_bin_end - gt32_bin));
	close(fd);
	ASSERT_EQ(0, pipe(p));
	close(self->fd);
	self->fd = -1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(p[1], 1);
		execl(path, path, "--cases", (char *)NULL);
		printf("exec=%d\n", errno);
		_exit(126);
	}
	close(p[1]);
	while (gtt_read_once(p[0], &b, 4096) > 0)
		;
	close(p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	b.data = realloc(b.data, b.len + 1);
	ASSERT_NE(NULL, b.data);
	b.data[b.len] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126 &&
	    !strncmp((char *)b.data, "exec=", 5) &&
	    atoi((char *)b.data + 5) == ENOEXEC)
		SKIP(return, "no IA32 emulation in this kernel (exec: ENOEXEC)");

	/* The same table from this 64-bit process. */
	ASSERT_EQ(0, gtt_make_idle());
	self->fd = gtt_open(O_NONBLOCK);
	ASSERT_LE(0, self->fd);
	n = run_cases(self->fd, out, 128, &bad);
	EXPECT_EQ(0, bad);
	i = 0;
	for (line = strtok_r((char *)b.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		EXPECT_LT(i, n);
		if (i >= n)
			break;
		EXPECT_STREQ(out[i].line, line) {
			TH_LOG("case %d: 64-bit '%s', 32-bit '%s'", i,
			       out[i].line, line);
		}
	}
	EXPECT_EQ(n, i);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	gtt_buf_free(&b);
	unlink(path);
	TH_LOG("RELIABILITY compat32 cases=%d identical", i);
}
#endif

/* ---- the fuzzer ---- */

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static const uint64_t interesting[] = {
	0, 1, 2, 3, 7, 8, 16, 24, 63, 64, 65, 120, 127, 128, 255, 256,
	4095, 4096, 4097, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
	0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, 0xffffffffffffffffULL,
	GOTRACE_MIN_BUFFER_SIZE, GOTRACE_MAX_BUFFER_SIZE,
	GOTRACE_DEFAULT_BUFFER_SIZE, GOTRACE_MIN_FLUSH_MS, GOTRACE_MAX_FLUSH_MS,
	GOTRACE_MAX_STACK_DEPTH, GOTRACE_MAX_STACK_ENTRIES,
	GOTRACE_START_FLAGS, GOTRACE_GROUP_ALL, GOTRACE_FILTER_FLAGS,
};

struct fuzz_state {
	unsigned int seed;
	uint8_t *buf;		/* 2 pages RW + guard page */
	uint8_t *mask;		/* a valid cpu mask, 4 pages */
};

static uint64_t rnd64(struct fuzz_state *f)
{
	return ((uint64_t)rand_r(&f->seed) << 33) ^
	       ((uint64_t)rand_r(&f->seed) << 11) ^ rand_r(&f->seed);
}

static uint64_t fuzz_value(struct fuzz_state *f)
{
	switch (rand_r(&f->seed) % 4) {
	case 0:
		return rnd64(f);
	case 1:
		return rand_r(&f->seed) % 256;
	default:
		return interesting[rand_r(&f->seed) % ARRAY_SIZE(interesting)];
	}
}

static uint64_t fuzz_ptr(struct fuzz_state *f)
{
	switch (rand_r(&f->seed) % 6) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)unmapped;
	case 2:
		return 0xffffffff81000000ULL + (rand_r(&f->seed) % 4096);
	case 3:
		return 0xffff800000000000ULL | rnd64(f);
	case 4:
		return (uintptr_t)f->mask;
	default:
		return (uintptr_t)(f->buf + rand_r(&f->seed) % (2 * page_size));
	}
}

/* Fills buf with a plausible or random argument struct. */
static void fuzz_struct(struct fuzz_state *f, uint8_t *p, size_t room)
{
	size_t i;

	if (room < 8 || rand_r(&f->seed) % 4 == 0) {
		for (i = 0; i < room; i++)
			p[i] = rand_r(&f->seed);
		return;
	}
	memset(p, 0, room);
	/* u32 size, then fields: u32 and u64 slots with interesting values */
	for (i = 4; i + 8 <= 128 && i + 8 <= room; i += 4)
		if (rand_r(&f->seed) % 3 == 0) {
			uint64_t v = fuzz_value(f);

			memcpy(p + i, &v, rand_r(&f->seed) % 2 ? 4 : 8);
		}
	/* the pointer fields of START (cpu_mask at 48) and STATUS (112) */
	if (room >= 64 && rand_r(&f->seed) % 3 == 0) {
		uint64_t v = fuzz_ptr(f);

		memcpy(p + 48, &v, 8);
	}
	if (room >= 120 && rand_r(&f->seed) % 3 == 0) {
		uint64_t v = fuzz_ptr(f);

		memcpy(p + 112, &v, 8);
	}
	*(uint32_t *)p = (uint32_t)interesting[rand_r(&f->seed) %
					       ARRAY_SIZE(interesting)];
	if (rand_r(&f->seed) % 2)
		*(uint32_t *)p = rand_r(&f->seed) % 3 == 0 ? 64 :
				 rand_r(&f->seed) % 2 ? 120 : 56;
}

/*
 * The only constraints, to keep the run bounded in time on an emulated
 * CPU: BENCH runs at most 5000 events, and giant buffers or stack tables
 * are let through one time in 20.
 */
static void bound_cost(struct fuzz_state *f, unsigned long cmd, uint8_t *p,
		       size_t room)
{
	if (room < 64)
		return;
	if (_IOC_TYPE(cmd) == GOTRACE_IOC_MAGIC && _IOC_NR(cmd) == 4) {
		struct gotrace_bench *b = (void *)p;

		if (!b->nr_events || b->nr_events > 5000)
			b->nr_events = 1 + rand_r(&f->seed) % 5000;
	}
	if (_IOC_TYPE(cmd) == GOTRACE_IOC_MAGIC && _IOC_NR(cmd) == 1 &&
	    rand_r(&f->seed) % 20) {
		struct gotrace_start *s = (void *)p;

		if (s->buffer_size > (8U << 20))
			s->buffer_size = 8U << 20;
		if (s->stack_entries > 65536)
			s->stack_entries = 65536;
	}
}

static bool errno_ok(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case ENOTTY: case EBUSY: case ENOMEM:
	case E2BIG: case EAGAIN: case EINTR:
	/* START: no task of the filter's pid */
	case ESRCH:
		return true;
	}
	return false;
}

/* Commands of other types may be the VFS's own (FIGETBSZ, FIFREEZE, ...). */
static bool ioctl_errno_ok(unsigned long cmd, int e)
{
	if (errno_ok(e))
		return true;
	return _IOC_TYPE(cmd) != GOTRACE_IOC_MAGIC &&
	       (e == EOPNOTSUPP || e == EPERM || e == EBADF || e == EXDEV);
}

TEST_F_TIMEOUT(fuzz, ioctl_fuzz, GTT_TIMEOUT)
{
	static const unsigned long real[] = {
		GOTRACE_IOC_START, GOTRACE_IOC_STOP, GOTRACE_IOC_STATUS,
		GOTRACE_IOC_BENCH,
	};
	unsigned int secs = 10 * rel_scale();
	unsigned long calls = 0, ok = 0, reads = 0, errs[160] = { 0 };
	struct itimerval it = { { 0, 100000 }, { 0, 100000 } };
	struct fuzz_state f = { .seed = 12345 };
	uint64_t end = gtt_now_ns() + secs * REL_NS_PER_SEC;
	struct sigaction sa;
	char err[256], first_bad[160] = "";
	unsigned long bad = 0;
	int e;

	f.buf = mmap(NULL, 3 * page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f.buf);
	ASSERT_EQ(0, mprotect(f.buf + 2 * page_size, page_size, PROT_NONE));
	/* Room for any read or STATUS the fuzzer may aim at it. */
	f.mask = mmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f.mask);
	f.mask[0] = 3;
	{
		const char *s = getenv("GTT_FUZZ_SEED");

		if (s)
			f.seed = strtoul(s, NULL, 0);
	}
	/* Every blocking call (STOP_WAIT, a blocking read) is interrupted. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);

	while (gtt_now_ns() < end) {
		unsigned int r = rand_r(&f.seed) % 100;
		unsigned long cmd;
		uintptr_t arg;
		size_t room = 0;
		uint8_t *p = NULL;

		if (self->fd < 0 || r < 2) {
			if (self->fd >= 0)
				close(self->fd);
			self->fd = gtt_open(rand_r(&f.seed) % 2 ? O_NONBLOCK : 0);
			ASSERT_LE(0, self->fd);
			continue;
		}
		if (r < 12) {	/* a read */
			size_t len = rand_r(&f.seed) % (3 * page_size);
			void *dst = (void *)(uintptr_t)fuzz_ptr(&f);
			ssize_t n;

			if (rand_r(&f.seed) % 2)
				dst = f.buf + rand_r(&f.seed) % (2 * page_size);
			n = read(self->fd, dst, len);
			e = n < 0 ? errno : 0;
			reads++;
			if (n < 0 && !errno_ok(e) && !bad++)
				snprintf(first_bad, sizeof(first_bad),
					 "read(%zu) -> %s", len, strerror(e));
			continue;
		}
		/* the command */
		r = rand_r(&f.seed) % 100;
		cmd = real[rand_r(&f.seed) % 4];
		if (r < 30) {		/* other size/direction bits */
			cmd = _IOC(rand_r(&f.seed) % 4, GOTRACE_IOC_MAGIC,
				   _IOC_NR(cmd), rand_r(&f.seed) % 2 ?
				   rand_r(&f.seed) % 0x3fff : _IOC_SIZE(cmd));
		} else if (r < 45) {	/* other numbers */
			cmd = _IOC(rand_r(&f.seed) % 4, GOTRACE_IOC_MAGIC,
				   rand_r(&f.seed) % 256, rand_r(&f.seed) % 0x3fff);
		} else if (r < 55) {	/* anything */
			cmd = (uint32_t)rnd64(&f);
		}
		/* the argument */
		r = rand_r(&f.seed) % 100;
		if (r < 10) {
			arg = 0;
		} else if (r < 18) {
			arg = (uintptr_t)unmapped;
		} else if (r < 26) {
			arg = rand_r(&f.seed) % 2 ? 0xffffffff81000000ULL :
			      0xffff800000000000ULL | rnd64(&f);
		} else if (r < 34) {
			arg = rand_r(&f.seed) % 8;	/* STOP's flags */
		} else {
			/* in the buffer, maybe straddling the guard page */
			room = r < 42 ? 1 + rand_r(&f.seed) % 127 :
			       2 * page_size;
			p = f.buf + 2 * page_size - room;
			fuzz_struct(&f, p, room);
			if (r >= 42 && rand_r(&f.seed) % 2) {
				p = f.buf + rand_r(&f.seed) % 64;
				memmove(p, f.buf + 2 * page_size - room, 256);
				room = 2 * page_size - (p - f.buf);
			}
			bound_cost(&f, cmd, p, room);
			arg = (uintptr_t)p;
		}
		e = ioctl(self->fd, cmd, arg) ? errno : 0;
		calls++;
		if (!e)
			ok++;
		else if (!ioctl_errno_ok(cmd, e) && !bad++)
			snprintf(first_bad, sizeof(first_bad),
				 "ioctl(0x%lx, 0x%lx) -> %s", cmd,
				 (unsigned long)arg, strerror(e));
		errs[e < 160 ? e : 0]++;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_IGN);

	EXPECT_EQ(0, bad) {
		TH_LOG("%lu unexpected results; first: %s", bad, first_bad);
	}
	/* The fuzzer's fd may hold the stream (one reader at a time). */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, works(err, sizeof(err))) {
		TH_LOG("after the fuzzer: %s", err);
	}
	TH_LOG("RELIABILITY ioctl_fuzz secs=%u ioctls=%lu ok=%lu EINVAL=%lu EFAULT=%lu ENOTTY=%lu EBUSY=%lu ENOMEM=%lu E2BIG=%lu EINTR=%lu reads=%lu unexpected=%lu",
	       secs, calls, ok, errs[EINVAL], errs[EFAULT], errs[ENOTTY],
	       errs[EBUSY], errs[ENOMEM], errs[E2BIG], errs[EINTR], reads, bad);
	munmap(f.buf, 3 * page_size);
	munmap(f.mask, 4 * page_size);
}

TEST_HARNESS_MAIN

#endif /* !GT_COMPAT32 */
