/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the reliability selftests (gotrace_faults, gotrace_fuzz,
 * gotrace_privilege, gotrace_exact): scaling of the bounded loops, module
 * unload/reload, a mixed workload, checks of complete and cut streams.
 *
 * GTT_SCALE (environment; the VM passes unknown kernel command line
 * parameters to /init as environment) multiplies the cycle counts and
 * durations: 1 in `make check`, more in `make stress`.
 */
#ifndef GOTRACE_REL_H
#define GOTRACE_REL_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/perf_event.h>

#include "gotrace_test.h"

#define REL_MODULE_PATH	"/gotrace.ko"
#define REL_MODULE_NAME	"gotrace"
#define REL_NS_PER_MS	1000000ULL
#define REL_NS_PER_SEC	1000000000ULL

static inline unsigned int rel_scale(void)
{
	const char *s = getenv("GTT_SCALE");
	long v = s ? strtol(s, NULL, 10) : 1;

	return v < 1 ? 1 : v > 1000 ? 1000 : (unsigned int)v;
}

#define REL_CPU1_ONLINE	"/sys/devices/system/cpu/cpu1/online"

/* Takes cpu1 offline (on = 0) or brings it online: 0 or -errno. */
static inline int rel_cpu1_set(int on)
{
	int fd = open(REL_CPU1_ONLINE, O_WRONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, on ? "1" : "0", 1) == 1 ? 0 : -errno;
	close(fd);
	return ret;
}

static inline int rel_wait_device(int present)
{
	int i;

	for (i = 0; i < 500; i++) {
		if ((access(GOTRACE_DEVICE, F_OK) == 0) == present)
			return 0;
		gtt_msleep(10);
	}
	return -ETIMEDOUT;
}

/* delete_module without waiting: 0 or -errno (EAGAIN/EBUSY while in use). */
static inline int rel_unload(void)
{
	if (syscall(SYS_delete_module, REL_MODULE_NAME, O_NONBLOCK))
		return -errno;
	return rel_wait_device(0);
}

/* Loads REL_MODULE_PATH; 0, -EEXIST when loaded, or -errno. */
static inline int rel_load(void)
{
	int fd = open(REL_MODULE_PATH, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	return rel_wait_device(1);
}

/* The module must be loaded at the end of every test: load it if not. */
static inline int rel_ensure_loaded(void)
{
	int ret;

	if (access(GOTRACE_DEVICE, F_OK) == 0)
		return 0;
	ret = rel_load();
	return ret == -EEXIST ? rel_wait_device(1) : ret;
}

/*
 * A bit of everything the probes see, for about ms: forks and exits, pipe
 * round trips (context switches), fresh anonymous pages (page faults,
 * allocations and frees).
 */
static inline void rel_workload(unsigned int ms)
{
	uint64_t end = gtt_now_ns() + ms * REL_NS_PER_MS;
	long psize = sysconf(_SC_PAGESIZE);

	do {
		uint64_t t0, t1;
		pid_t pid, child;
		void *p;

		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		if (!gtt_pingpong(50, -1, &child, &t0, &t1))
			waitpid(child, NULL, 0);
		p = gtt_touch_pages(64);
		if (p)
			munmap(p, 64 * psize);
	} while (gtt_now_ns() < end);
}

/* A complete stream passes both parsers and its totals add up. */
static inline int rel_check_stream(const void *buf, size_t len, bool totals,
				   char *err, size_t errlen)
{
	struct gtt_raw raw;
	int ret = gtt_raw_parse(buf, len, &raw);

	if (!ret && totals)
		ret = gtt_raw_check_totals(&raw);
	if (ret)
		snprintf(err, errlen, "raw: %.200s", raw.err);
	gtt_raw_free(&raw);
	if (!ret && gtt_lib_check(buf, len, err, errlen) < 0)
		ret = -1;
	return ret;
}

/* In a kselftest_harness test: the stream b passes rel_check_stream(). */
#define CHECK_STREAM(b, totals) do {					\
	const struct gtt_buf *__b = (b);				\
	char __e[256];							\
									\
	ASSERT_EQ(0, rel_check_stream(__b->data, __b->len, (totals),	\
				      __e, sizeof(__e))) {		\
		TH_LOG("stream of %zu bytes: %s", __b->len, __e);	\
	}								\
} while (0)

/*
 * A stream that may be cut anywhere (a file of a writer that died or ran
 * out of space): walks the complete records after the magic.  Returns the
 * number of complete BATCH records, their nr_events in *events, the end of
 * the last complete record in *good; -1 if the part before the cut is not
 * a gotrace stream.
 */
static inline long rel_walk_prefix(const uint8_t *buf, size_t len,
				   uint64_t *events, size_t *good)
{
	size_t off = GOTRACE_MAGIC_LEN;
	long batches = 0;

	*events = 0;
	*good = 0;
	if (len < GOTRACE_MAGIC_LEN ||
	    memcmp(buf, GOTRACE_MAGIC, GOTRACE_MAGIC_LEN))
		return -1;
	*good = off;
	while (len - off >= sizeof(struct gotrace_record)) {
		struct gotrace_record rec;

		memcpy(&rec, buf + off, sizeof(rec));
		if (rec.len < sizeof(rec) || rec.len % 8)
			return -1;
		if (len - off < rec.len)
			break;
		if (rec.type == GOTRACE_REC_BATCH) {
			struct gotrace_batch b;

			if (rec.len < sizeof(b))
				return -1;
			memcpy(&b, buf + off, sizeof(b));
			*events += b.nr_events;
			batches++;
		}
		off += rec.len;
		*good = off;
	}
	return batches;
}

/*
 * Decodes a possibly cut stream with libgotrace: the tracepoint events it
 * returns (COMM excluded) go to *events.  0, or -1 with err set when the
 * reader fails on the complete part.
 */
static inline int rel_lib_events(const void *buf, size_t len,
				 uint64_t *events, char *err, size_t errlen)
{
	struct gt_reader *r;
	struct gt_event ev;
	int ret;

	*events = 0;
	if (gt_open_mem(buf, len, &r) < 0) {
		snprintf(err, errlen, "open: %s", gt_error(NULL));
		return -1;
	}
	while ((ret = gt_next(r, &ev)) > 0)
		if (!GOTRACE_EV_IS_META(ev.type))	/* as nr_events */
			(*events)++;
	if (ret < 0)
		snprintf(err, errlen, "next: %s", gt_error(r));
	gt_close(r);
	return ret < 0 ? -1 : 0;
}

static inline int rel_read_file(const char *path, struct gtt_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = gtt_read_all(fd, b, 1 << 20);
	close(fd);
	return ret;
}

/* Runs argv with stdout/stderr to errfile; the wait status, or -errno. */
static inline int rel_run(char *const argv[], const char *errfile)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return status;
}

/*
 * Pinning the tracepoints.  Under QEMU's multi-threaded TCG, the text
 * patching of a tracepoint's static key and static call (text_poke_bp(),
 * when its first probe comes or its last goes, or it goes from one probe
 * to two) is not safe: another vCPU may execute the int3 after the patch
 * finished ("Oops: int3"), or spin in the int3 handler with interrupts off
 * so that the patching CPU waits for its IPI forever (soft lockup); seen
 * on 6.1 and 6.12 without gotrace too.  Tests that register and unregister
 * gotrace's probes hundreds of times therefore first give every tracepoint
 * two other probes, ftrace's event (recording off) and a perf event, so
 * that gotrace's START/STOP only swap the probe arrays: the module's own
 * paths are the same, the kernel's code patching is left out.
 * GTT_NO_PIN=1 disables this (real hardware, single-threaded TCG).
 */
#define REL_TP_(N, n, id, sys, grp, args)				\
	[GOTRACE_TP_##N] = #sys "/" #n,
static const char *const rel_tps[] = {
	GOTRACE_EVENTS(REL_TP_, GOTRACE_ARG_IGNORE_)
};

#define REL_NR_TPS	ARRAY_SIZE(rel_tps)
#define REL_EVENTS	"/sys/kernel/tracing/events/"

struct rel_pin {
	int perf_fd[REL_NR_TPS];
	bool ftrace[REL_NR_TPS];
	unsigned int pinned;
};

static inline int rel_tfs_put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -errno;
	close(fd);
	return ret;
}

/* Returns the number of tracepoints pinned (0: not done). */
static inline unsigned int rel_pin_tracepoints(struct rel_pin *p)
{
	const char *no = getenv("GTT_NO_PIN");
	char path[256], buf[32];
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < REL_NR_TPS; i++)
		p->perf_fd[i] = -1;
	if (no && *no == '1')
		return 0;
	rel_tfs_put("/sys/kernel/tracing/tracing_on", "0");
	for (i = 0; i < REL_NR_TPS; i++) {
		struct perf_event_attr attr;
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), REL_EVENTS "%s/id", rel_tps[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		snprintf(path, sizeof(path), REL_EVENTS "%s/enable", rel_tps[i]);
		p->ftrace[i] = !rel_tfs_put(path, "1");
		memset(&attr, 0, sizeof(attr));
		attr.type = PERF_TYPE_TRACEPOINT;
		attr.size = sizeof(attr);
		attr.config = strtoull(buf, NULL, 10);
		attr.disabled = 1;
		p->perf_fd[i] = syscall(SYS_perf_event_open, &attr, -1, 0, -1,
					PERF_FLAG_FD_CLOEXEC);
		if (p->ftrace[i] && p->perf_fd[i] >= 0)
			p->pinned++;
	}
	return p->pinned;
}

static inline void rel_unpin_tracepoints(struct rel_pin *p)
{
	char path[256];
	unsigned int i;

	for (i = 0; i < REL_NR_TPS; i++) {
		if (p->perf_fd[i] >= 0)
			close(p->perf_fd[i]);
		p->perf_fd[i] = -1;
		if (p->ftrace[i]) {
			snprintf(path, sizeof(path), REL_EVENTS "%s/enable",
				 rel_tps[i]);
			rel_tfs_put(path, "0");
			p->ftrace[i] = false;
		}
	}
	if (p->pinned)
		rel_tfs_put("/sys/kernel/tracing/tracing_on", "1");
	p->pinned = 0;
}

/*
 * The fault and fuzz suites run their START/STOP cycles unpinned, so that
 * they attach each tracepoint's first probe and detach its last (text
 * patching, the irq_work's lifetime): single-threaded TCG, every test VM's
 * default, patches text safely.  Under multi-threaded TCG (VM_ACCEL=tcg)
 * run-vm.sh and /init set GTT_PIN=1, and they pin as above.
 */
static inline unsigned int rel_pin_if_mttcg(struct rel_pin *p)
{
	const char *pin = getenv("GTT_PIN");
	unsigned int i;

	if (pin && *pin == '1')
		return rel_pin_tracepoints(p);
	memset(p, 0, sizeof(*p));
	for (i = 0; i < REL_NR_TPS; i++)
		p->perf_fd[i] = -1;
	return 0;
}

#endif /* GOTRACE_REL_H */
