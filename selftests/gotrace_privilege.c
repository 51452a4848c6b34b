// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_privilege: who may trace, and what the stream reveals.
 *
 * - Without CAP_PERFMON or CAP_SYS_ADMIN, /dev/gotrace cannot be opened in
 *   any mode, so nothing can be started, stopped, read or queried; an
 *   O_PATH descriptor (which needs no open()) gives no access either; the
 *   gotrace tool fails cleanly.
 * - The stream carries no kernel pointer unless kernel stacks were asked
 *   for (STACK records are kernel return addresses by design, and only a
 *   privileged opener gets them).
 * - Sizes multiplied by CPU counts or table dimensions cannot overflow:
 *   the largest values are refused or fail cleanly, never wrap.
 * - The group grant (module parameter group_access): with it on, a
 *   process without capabilities in the device node's group may trace
 *   (but gets no kernel stacks); one outside the group may not, whatever
 *   the node's mode; with it off, the group gives nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "gotrace_rel.h"

#define GTT_TIMEOUT	300
#ifndef CAP_PERFMON
#define CAP_PERFMON	38
#endif
/* Lowest address of the x86_64 kernel half. */
#define KERNEL_HALF	0xffff800000000000ULL

static int caps_set(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = (uint32_t)caps;
	d[0].permitted = (uint32_t)caps;
	d[1].effective = (uint32_t)(caps >> 32);
	d[1].permitted = (uint32_t)(caps >> 32);
	return syscall(SYS_capset, &hdr, d) ? -errno : 0;
}

/*
 * Becomes uid/gid 65534 (if nobody) with the supplementary groups gids
 * (ngids of them, none if 0) and exactly caps; 0 or -1.
 */
static int drop_to(bool nobody, const gid_t *gids, int ngids, uint64_t caps)
{
	if (nobody) {
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) ||
		    setgroups(ngids, gids) ||
		    setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			return -1;
	}
	if (caps_set(caps))
		return -1;
	/* no way back: a child cannot regain what it dropped */
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -1 : 0;
}

/* Root as it is, all its capabilities (trace_in_child's caps). */
#define ROOT_AS_IS	(~0ULL)

/*
 * In a child: become nobody (uid/gid 65534, the groups gids[ngids]) or
 * stay root, with exactly caps (ROOT_AS_IS: root keeps everything); open
 * the device and trace a workload (with kernel stacks if stacks), stop
 * and read the trace back.  Exit code: 0 traced, 1 open refused with
 * EPERM, 2 START refused with EPERM, else the step that failed otherwise.
 */
static int trace_in_child(bool nobody, const gid_t *gids, int ngids,
			  uint64_t caps, bool stacks)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct gotrace_start s = {
			.size = sizeof(s),
			.flags = stacks ? GOTRACE_START_STACKS : 0,
		};
		struct gtt_buf b = { 0 };
		int fd, ret;

		if ((nobody || caps != ROOT_AS_IS) &&
		    drop_to(nobody, gids, ngids, caps))
			_exit(100);
		fd = gtt_open(0);
		if (fd == -EPERM)
			_exit(1);
		if (fd < 0)
			_exit(101);
		ret = gtt_start_raw(fd, &s);
		if (ret == -EPERM)
			_exit(2);
		if (ret)
			_exit(102);
		rel_workload(10);
		if (gtt_stop(fd, 0) || gtt_read_all(fd, &b, 1 << 20))
			_exit(103);
		_exit(b.len > GTT_HDR_BYTES ? 0 : 104);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	gtt_make_idle();
	return WEXITSTATUS(status);
}

FIXTURE(priv) {
	int fd;
};

FIXTURE_SETUP(priv)
{
	ASSERT_EQ(0, rel_ensure_loaded());
	GTT_DEVICE_SETUP(0);
}

FIXTURE_TEARDOWN(priv)
{
	GTT_DEVICE_TEARDOWN();
}

/*
 * In a child with the given identity: every way in must fail.  Exit code:
 * 0 all refused as expected, else the number of the step that got in.
 */
static int try_everything(bool nobody, uint64_t caps)
{
	static const int modes[] = {
		O_RDONLY, O_WRONLY, O_RDWR, O_RDONLY | O_NONBLOCK,
		O_RDWR | O_NONBLOCK | O_CLOEXEC,
	};
	struct gotrace_status st = { .size = sizeof(st) };
	char buf[64];
	unsigned int i;
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (drop_to(nobody, NULL, 0, caps))
			_exit(100);
		for (i = 0; i < ARRAY_SIZE(modes); i++) {
			fd = open(GOTRACE_DEVICE, modes[i]);
			if (fd >= 0 || (errno != EPERM && errno != EACCES))
				_exit(1 + i);
		}
		/* O_PATH needs no open(): and gives nothing */
		fd = open(GOTRACE_DEVICE, O_PATH);
		if (fd >= 0) {
			if (ioctl(fd, GOTRACE_IOC_STATUS, &st) == 0 ||
			    errno != EBADF)
				_exit(20);
			if (ioctl(fd, GOTRACE_IOC_STOP, 0) == 0 || errno != EBADF)
				_exit(21);
			if (read(fd, buf, sizeof(buf)) >= 0 || errno != EBADF)
				_exit(22);
			/* nor can it be reopened through /proc */
			snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
			if (open(buf, O_RDWR) >= 0 ||
			    (errno != EPERM && errno != EACCES))
				_exit(23);
			close(fd);
		}
		/* the tool says so and fails */
		if (!access("/bin/gotrace", X_OK)) {
			int devnull = open("/dev/null", O_WRONLY);

			dup2(devnull, 2);
			dup2(devnull, 1);
			if (system("/bin/gotrace status") == 0)
				_exit(30);
			if (system("/bin/gotrace start") == 0)
				_exit(31);
			if (system("/bin/gotrace stop") == 0)
				_exit(32);
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F_TIMEOUT(priv, unprivileged_gets_nothing, GTT_TIMEOUT)
{
	struct gotrace_status st0, st;

	/* A trace is running: an unprivileged process must not stop it. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	ASSERT_EQ(0, gtt_status(self->fd, &st0, NULL, 0));

	EXPECT_EQ(0, try_everything(false, 0));		/* root, no caps */
	EXPECT_EQ(0, try_everything(true, 0));		/* nobody */
	EXPECT_EQ(0, try_everything(true, 1ULL << CAP_DAC_OVERRIDE));
	EXPECT_EQ(0, try_everything(false, (1ULL << CAP_SYS_PTRACE) |
					   (1ULL << CAP_SYSLOG) |
					   (1ULL << CAP_SYS_RESOURCE)));

	/* Still the same trace, still running, no reader attached. */
	ASSERT_EQ(0, gtt_status(self->fd, &st, NULL, 0));
	EXPECT_EQ(GOTRACE_STATE_TRACING, st.state);
	EXPECT_EQ(st0.trace_id, st.trace_id);
	EXPECT_EQ(0, st.reader);
	EXPECT_EQ(0, st.bytes_read);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
}

/* As nobody with exactly caps (and DAC override): 0 if it traces. */
static int trace_as(uint64_t caps)
{
	return trace_in_child(true, NULL, 0,
			      caps | (1ULL << CAP_DAC_OVERRIDE), false);
}

TEST_F_TIMEOUT(priv, perfmon_or_sysadmin_suffices, GTT_TIMEOUT)
{
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, trace_as(1ULL << CAP_PERFMON));
	EXPECT_EQ(0, trace_as(1ULL << CAP_SYS_ADMIN));
	EXPECT_EQ(1, trace_as(1ULL << CAP_SYS_PTRACE));
}

/* Checks the 8-byte words of a fixed-layout record. */
static int words_ok(const uint8_t *p, size_t len, size_t *bad_off)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, 8);
		if (v >= KERNEL_HALF && v != ~0ULL) {
			*bad_off = i;
			return -1;
		}
	}
	return 0;
}

/* Scans a stream for kernel pointers; returns how many values it checked. */
static long scan_stream(struct __test_metadata *_metadata, struct gtt_buf *b,
			bool stacks_expected, unsigned long *stack_frames)
{
	size_t off = GOTRACE_MAGIC_LEN, bad = 0;
	struct gt_reader *r;
	struct gt_event ev;
	long checked = 0;
	int ret;

	*stack_frames = 0;
	while (b->len - off >= sizeof(struct gotrace_record)) {
		struct gotrace_record rec;

		memcpy(&rec, b->data + off, sizeof(rec));
		if (rec.len < sizeof(rec) || b->len - off < rec.len)
			break;
		switch (rec.type) {
		case GOTRACE_REC_HEADER: {
			struct gotrace_header h;

			/*
			 * By design: where the kernel's text was, for offline
			 * symbols, in a trace with stacks only; zero
			 * otherwise.  The rest of the header, as below.
			 */
			ASSERT_LE(sizeof(h), rec.len);
			memcpy(&h, b->data + off, sizeof(h));
			if (stacks_expected) {
				EXPECT_LE(KERNEL_HALF, h.kernel_stext);
				EXPECT_LE(KERNEL_HALF, h.anchor_addr);
			} else {
				EXPECT_EQ(0, h.kernel_stext);
				EXPECT_EQ(0, h.anchor_addr);
			}
			h.kernel_stext = 0;
			h.anchor_addr = 0;
			EXPECT_EQ(0, words_ok((const uint8_t *)&h, sizeof(h),
					      &bad)) {
				TH_LOG("header: kernel address at +%zu", bad);
			}
			EXPECT_EQ(0, words_ok(b->data + off + sizeof(h),
					      rec.len - sizeof(h), &bad)) {
				TH_LOG("header: kernel address at +%zu",
				       sizeof(h) + bad);
			}
			checked += rec.len / 8;
			break;
		}
		case GOTRACE_REC_CPU_END:
		case GOTRACE_REC_END:
		case GOTRACE_REC_TASKS:
		case GOTRACE_REC_GFP_NAMES:
		case GOTRACE_REC_GENERATION:
			EXPECT_EQ(0, words_ok(b->data + off, rec.len, &bad)) {
				TH_LOG("record type %u at %zu: kernel address at +%zu",
				       rec.type, off, bad);
			}
			checked += rec.len / 8;
			break;
		case GOTRACE_REC_STACK: {
			struct gotrace_stack s;
			uint64_t f;
			uint32_t i;

			EXPECT_TRUE(stacks_expected);
			memcpy(&s, b->data + off, sizeof(s));
			for (i = 0; i < s.nr; i++) {
				memcpy(&f, b->data + off + sizeof(s) + 8 * i, 8);
				/* by design: kernel return addresses */
				EXPECT_LE(KERNEL_HALF, f);
				(*stack_frames)++;
			}
			break;
		}
		}
		off += rec.len;
	}
	/* Every decoded argument: small numbers, pfns, never addresses. */
	ret = gt_open_mem(b->data, b->len, &r);
	EXPECT_EQ(0, ret);
	if (ret)
		return -1;
	while (gt_next(r, &ev) > 0) {
		unsigned int i;

		for (i = 0; i < ev.nargs; i++, checked++) {
			bool pfn = i == 0 && gt_event_desc(ev.type)->has_pfn;

			if (pfn && ev.args[0] == ~0ULL)
				continue;	/* failed allocation */
			EXPECT_GT(KERNEL_HALF, ev.args[i]) {
				TH_LOG("%s arg %u = 0x%llx", gt_event_name(ev.type),
				       i, (unsigned long long)ev.args[i]);
			}
			if (pfn)
				EXPECT_GT(1ULL << 40, ev.args[0]);
		}
	}
	gt_close(r);
	return checked;
}

TEST_F_TIMEOUT(priv, no_kernel_pointers_in_stream, GTT_TIMEOUT)
{
	struct gotrace_start s = {
		.size = sizeof(s), .flags = GOTRACE_START_STACKS,
		.stack_events = (1ULL << GOTRACE_EV_MM_PAGE_ALLOC) |
				(1ULL << GOTRACE_EV_SCHED_SWITCH),
	};
	struct gtt_buf b = { 0 };
	unsigned long frames;
	long n1, n2;

	/* Without stacks: nothing that looks like a kernel address. */
	ASSERT_EQ(0, gtt_start(self->fd, 0, 0, 0, 0));
	rel_workload(200);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	n1 = scan_stream(_metadata, &b, false, &frames);
	EXPECT_LT(1000, n1);
	EXPECT_EQ(0, frames);
	gtt_buf_free(&b);

	/* With stacks (asked for, privileged): kernel addresses, in STACK only. */
	ASSERT_EQ(0, gtt_start_raw(self->fd, &s));
	rel_workload(200);
	ASSERT_EQ(0, gtt_stop(self->fd, 0));
	ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
	n2 = scan_stream(_metadata, &b, true, &frames);
	EXPECT_LT(1000, n2);
	EXPECT_LT(0, frames);
	gtt_buf_free(&b);
	TH_LOG("RELIABILITY no_kernel_pointers values_checked=%ld (+%ld with stacks, %lu stack frames)",
	       n1, n2, frames);
}

TEST_F_TIMEOUT(priv, sizes_cannot_overflow, GTT_TIMEOUT)
{
	long psize = sysconf(_SC_PAGESIZE);
	struct gotrace_start s;
	struct gotrace_status st;
	struct gotrace_bench bb;
	struct gtt_buf b = { 0 };
	uint8_t *area;
	int ret;

	area = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	ASSERT_EQ(0, mprotect(area + psize, psize, PROT_NONE));

	/* The largest per-CPU size times the CPUs: refused, not wrapped. */
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.buffer_size = GOTRACE_MAX_BUFFER_SIZE;
	EXPECT_EQ(-ENOMEM, gtt_start_raw(self->fd, &s));
	s.buffer_size = GOTRACE_MAX_BUFFER_SIZE + 1;
	EXPECT_EQ(-EINVAL, gtt_start_raw(self->fd, &s));
	s.buffer_size = 0xffffffffU;
	EXPECT_EQ(-EINVAL, gtt_start_raw(self->fd, &s));

	/* Largest stack table: entries x depth x 8 bytes = 512 MiB. */
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.flags = GOTRACE_START_STACKS;
	s.stack_depth = GOTRACE_MAX_STACK_DEPTH;
	s.stack_entries = GOTRACE_MAX_STACK_ENTRIES;
	s.buffer_size = GOTRACE_MIN_BUFFER_SIZE;
	ret = gtt_start_raw(self->fd, &s);
	EXPECT_TRUE(ret == 0 || ret == -ENOMEM) {
		TH_LOG("largest stack table: %s", strerror(-ret));
	}
	if (!ret) {
		ASSERT_EQ(0, gtt_stop(self->fd, 0));
		ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
		gtt_buf_free(&b);
	}
	EXPECT_EQ(GOTRACE_STATE_IDLE, gtt_state(self->fd));

	/* A CPU table of 2^32-1 entries in one page: the kernel stops at
	 * nr_cpu_ids entries and faults cleanly at the guard page.
	 */
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.cpu_len = 0xffffffffU;
	st.cpu_stats = (uintptr_t)(area + psize -
				   sizeof(struct gotrace_cpu_stats));
	ret = ioctl(self->fd, GOTRACE_IOC_STATUS, &st) ? -errno : 0;
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_CONF) > 1 ? -EFAULT : 0, ret);
	/* A CPU mask of 2^32-1 bytes: only cpumask_size() of it is read. */
	memset(area, 0, psize);
	area[0] = 1;
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.cpu_mask = (uintptr_t)area;
	s.cpu_mask_size = 0xffffffffU;
	ret = gtt_start_raw(self->fd, &s);
	EXPECT_TRUE(ret == 0 || ret == -EFAULT) {
		TH_LOG("huge cpu_mask_size: %s", strerror(-ret));
	}
	if (!ret) {
		ASSERT_EQ(0, gtt_stop(self->fd, 0));
		ASSERT_EQ(0, gtt_read_all(self->fd, &b, 1 << 20));
		gtt_buf_free(&b);
	}
	/* BENCH: at most GOTRACE_BENCH_MAX_EVENTS. */
	memset(&bb, 0, sizeof(bb));
	bb.size = sizeof(bb);
	bb.nr_events = ~0ULL;
	EXPECT_EQ(-1, ioctl(self->fd, GOTRACE_IOC_BENCH, &bb));
	EXPECT_EQ(EINVAL, errno);
	munmap(area, 2 * psize);
}

/*
 * Kernel addresses (STACK records) follow kptr_restrict as /proc/kallsyms
 * does: 0, any tracer; 1, only with CAP_SYSLOG; 2, nobody.  A START with
 * stacks that may not have them is EPERM; without stacks it is not
 * affected.
 */
static int start_as(uint64_t caps, bool stacks)
{
	return trace_in_child(false, NULL, 0, caps ? caps : ROOT_AS_IS, stacks);
}

#define KPTR_RESTRICT	"/proc/sys/kernel/kptr_restrict"

TEST_F_TIMEOUT(priv, stacks_follow_kptr_restrict, GTT_TIMEOUT)
{
	uint64_t perfmon = 1ULL << CAP_PERFMON;
	char old[16] = "";
	int fd;
	ssize_t n;

	fd = open(KPTR_RESTRICT, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "%s: %s", KPTR_RESTRICT, strerror(errno));
	n = read(fd, old, sizeof(old) - 1);
	ASSERT_LT(0, n);
	close(fd);
	old[n] = '\0';
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, rel_tfs_put(KPTR_RESTRICT, "2"));
	EXPECT_EQ(2, start_as(0, true)) TH_LOG("kptr_restrict=2, root, stacks");
	EXPECT_EQ(0, start_as(0, false));
	ASSERT_EQ(0, rel_tfs_put(KPTR_RESTRICT, "1"));
	EXPECT_EQ(0, start_as(0, true)) TH_LOG("kptr_restrict=1, root, stacks");
	EXPECT_EQ(2, start_as(perfmon, true))
		TH_LOG("kptr_restrict=1, CAP_PERFMON without CAP_SYSLOG, stacks");
	EXPECT_EQ(0, start_as(perfmon, false));
	ASSERT_EQ(0, rel_tfs_put(KPTR_RESTRICT, "0"));
	EXPECT_EQ(0, start_as(perfmon, true)) TH_LOG("kptr_restrict=0, stacks");
	EXPECT_EQ(0, rel_tfs_put(KPTR_RESTRICT, old));
}

/*
 * The group grant.  The node gets group GRANT_GID and mode 0666, so that
 * the file permissions let everybody through and what is tested is the
 * module's own check.  Each child is uid 65534 with no capabilities and
 * the supplementary groups given.
 */
#define GROUP_ACCESS	"/sys/module/gotrace/parameters/group_access"
#define GRANT_GID	4242

/* As nobody in the groups gids (n of them), no capabilities. */
static int trace_in_groups(const gid_t *gids, int n, bool stacks)
{
	return trace_in_child(true, gids, n, 0, stacks);
}

TEST_F_TIMEOUT(priv, group_grant, GTT_TIMEOUT)
{
	const gid_t member[] = { 100, GRANT_GID };
	const gid_t other[] = { 100, GRANT_GID + 1 };
	char old[8] = "N";
	struct stat st0;
	ssize_t n;
	int fd;

	close(self->fd);
	self->fd = -1;
	fd = open(GROUP_ACCESS, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", GROUP_ACCESS, strerror(errno));
	n = read(fd, old, sizeof(old) - 1);
	close(fd);
	ASSERT_LT(0, n);
	old[1] = '\0';
	ASSERT_EQ(0, stat(GOTRACE_DEVICE, &st0));
	ASSERT_EQ(0, chown(GOTRACE_DEVICE, 0, GRANT_GID));
	ASSERT_EQ(0, chmod(GOTRACE_DEVICE, 0666));

	/* Off (the default): the group gives nothing. */
	ASSERT_EQ(0, rel_tfs_put(GROUP_ACCESS, "0"));
	EXPECT_EQ(1, trace_in_groups(member, 2, false));
	EXPECT_EQ(1, trace_in_groups(other, 2, false));

	/* On: members trace, without kernel stacks; others do not. */
	ASSERT_EQ(0, rel_tfs_put(GROUP_ACCESS, "1"));
	EXPECT_EQ(0, trace_in_groups(member, 2, false));
	EXPECT_EQ(2, trace_in_groups(member, 2, true));
	EXPECT_EQ(1, trace_in_groups(other, 2, false));
	EXPECT_EQ(1, trace_in_groups(NULL, 0, false));
	/* The node's group is what counts: a new group, new members. */
	ASSERT_EQ(0, chown(GOTRACE_DEVICE, 0, GRANT_GID + 1));
	EXPECT_EQ(1, trace_in_groups(member, 2, false));
	EXPECT_EQ(0, trace_in_groups(other, 2, false));

	EXPECT_EQ(0, rel_tfs_put(GROUP_ACCESS, old));
	EXPECT_EQ(0, chown(GOTRACE_DEVICE, st0.st_uid, st0.st_gid));
	EXPECT_EQ(0, chmod(GOTRACE_DEVICE, st0.st_mode & 07777));
}

TEST_HARNESS_MAIN
