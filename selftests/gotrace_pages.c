// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_pages: page behaviour (issue 3).  Kernel stacks of page faults,
 * the stack table without duplicates, outstanding pages of a process that
 * keeps its pages mapped (through the analysis of "gotrace stats"), the
 * TASKS statedump, the pid/children filter and the CPU mask, reclaim
 * events under memory pressure, and "gotrace stats --json" against the
 * events this test decodes itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"
#include "../userspace/analysis.h"

#define GTP_TIMEOUT	240
#define NR_FAULT	256		/* pages faulted in by (a) */
#define NR_KEEP		64		/* pages of the children of (b) */

FIXTURE(pg) {
	int fd;
	struct gtt_bg bg;
	struct gtt_buf buf;
	struct gtt_raw raw;
	struct gt_reader *rd;
	char err[256];
};

FIXTURE_SETUP(pg)
{
	GTT_DEVICE_SETUP(0);
	memset(&self->raw, 0, sizeof(self->raw));
	self->rd = NULL;
}

FIXTURE_TEARDOWN(pg)
{
	if (self->rd)
		gt_close(self->rd);
	gtt_raw_free(&self->raw);
	gtt_buf_free(&self->buf);
	GTT_DEVICE_TEARDOWN();
}

/* A fresh reader on the same stream (to iterate again). */
static struct gt_reader *reopen(struct gtt_buf *buf)
{
	struct gt_reader *r;

	return gt_open_mem(buf->data, buf->len, &r) ? NULL : r;
}

static const char * const fault_syms[] = {
	"handle_mm_fault", "__handle_mm_fault", "do_anonymous_page",
	"handle_pte_fault", "do_pte_missing", "do_user_addr_fault",
	"exc_page_fault",
};

/* Does stack id go through the page-fault path? */
static bool fault_stack(struct gt_reader *r, uint32_t id, char *frames,
			size_t len)
{
	const uint64_t *f;
	int i, n = gt_stack(r, id, &f);
	size_t k, used = 0;
	bool found = false;

	if (frames)
		frames[0] = 0;
	for (i = 0; i < n; i++) {
		const char *s = gtt_ksym_name(f[i]);

		if (frames && used < len)
			used += snprintf(frames + used, len - used, " %s",
					 s ? s : "?");
		for (k = 0; s && k < sizeof(fault_syms) / sizeof(*fault_syms);
		     k++)
			if (!strcmp(s, fault_syms[k]))
				found = true;
	}
	return found;
}

/* ---- (a) stacks of page faults, each distinct stack once ---------------- */

TEST_F_TIMEOUT(pg, fault_stacks, GTP_TIMEOUT)
{
	struct gotrace_start s = {
		.flags = GOTRACE_START_STACKS,
		.groups = GOTRACE_GROUP_PAGE,
	};
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t pfn[NR_FAULT];
	uint32_t sid[NR_FAULT] = { 0 }, ids[NR_FAULT];
	unsigned int no_alloc = 0, no_stack = 0, no_fault = 0, nids = 0;
	unsigned int dups = 0, i, j;
	pid_t me = gettid();
	struct gt_event e;
	char frames[1024];
	size_t ns;
	int pm;
	char *p;

	ASSERT_LT(1000, gtt_ksyms_load()) TH_LOG("no kallsyms addresses");
	pm = open("/proc/self/pagemap", O_RDONLY);
	ASSERT_LE(0, pm);
	GTT_TRACE_START(&s);
	p = gtt_touch_pages(NR_FAULT);
	ASSERT_NE(NULL, p);
	for (i = 0; i < NR_FAULT; i++)
		pfn[i] = gtt_pagemap_pfn(pm, p + i * psize);
	GTT_TRACE_STOP();
	close(pm);
	munmap(p, NR_FAULT * psize);
	if (!pfn[0])
		SKIP(return, "pagemap shows no pfn");
	ASSERT_TRUE(gt_header(self->rd)->start_flags & GOTRACE_START_STACKS);

	while (gt_next(self->rd, &e) > 0) {
		if (e.type != GOTRACE_EV_MM_PAGE_ALLOC ||
		    e.args[4] != (uint64_t)me)
			continue;
		for (i = 0; i < NR_FAULT; i++)
			if (e.args[0] == pfn[i] && !sid[i])
				sid[i] = e.stack_id ? e.stack_id : UINT32_MAX;
	}
	for (i = 0; i < NR_FAULT; i++) {
		if (!sid[i]) {
			no_alloc++;
			continue;
		}
		if (sid[i] == UINT32_MAX) {
			no_stack++;
			continue;
		}
		if (!fault_stack(self->rd, sid[i], frames, sizeof(frames))) {
			if (!no_fault)
				TH_LOG("stack %u of page %u:%s", sid[i], i,
				       frames);
			no_fault++;
		}
		for (j = 0; j < nids && ids[j] != sid[i]; j++)
			;
		if (j == nids)
			ids[nids++] = sid[i];
	}
	fault_stack(self->rd, sid[0] != UINT32_MAX ? sid[0] : 0, frames,
		    sizeof(frames));
	TH_LOG("%u pages, %u distinct stacks; first:%s", NR_FAULT, nids,
	       frames);
	EXPECT_EQ(0, no_alloc);
	EXPECT_EQ(0, no_stack);
	EXPECT_EQ(0, no_fault);
	/* the same fault path: a few stacks, not one per page */
	EXPECT_GE(NR_FAULT / 4, nids);

	/* the stack table: every STACK record distinct */
	ns = gt_nr_stacks(self->rd);
	EXPECT_EQ(self->raw.stacks, ns);
	if (!(self->raw.end.flags & GOTRACE_END_STACKS_DROPPED))
		EXPECT_EQ(self->raw.end.stacks, self->raw.stacks);
	{
		uint64_t (*fr)[GOTRACE_MAX_STACK_DEPTH] =
			calloc(ns + 1, sizeof(*fr));
		int *nf = calloc(ns + 1, sizeof(*nf));
		size_t a, b;

		ASSERT_TRUE(fr && nf);
		for (a = 0; a < ns; a++) {
			const uint64_t *f;
			int n = gt_stack(self->rd, gt_stack_id(self->rd, a),
					 &f);

			ASSERT_LE(0, n);
			ASSERT_GE(GOTRACE_MAX_STACK_DEPTH, n);
			nf[a] = n;
			memcpy(fr[a], f, n * sizeof(*f));
			if (a)
				EXPECT_NE(gt_stack_id(self->rd, a - 1),
					  gt_stack_id(self->rd, a));
		}
		for (a = 0; a < ns; a++)
			for (b = a + 1; b < ns; b++)
				if (nf[a] == nf[b] &&
				    !memcmp(fr[a], fr[b], nf[a] * 8))
					dups++;
		free(fr);
		free(nf);
	}
	EXPECT_EQ(0, dups) TH_LOG("%u pairs of identical stacks among %zu",
				  dups, ns);
}

/* ---- (b) outstanding pages -------------------------------------------------- */

/* Touch NR_KEEP pages, send their pfns, then keep or unmap them. */
static void keeper(int wfd, bool keep)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t pfn[NR_KEEP];
	int pm = open("/proc/self/pagemap", O_RDONLY), i;
	char *p = gtt_touch_pages(NR_KEEP);

	if (pm < 0 || !p)
		_exit(1);
	for (i = 0; i < NR_KEEP; i++)
		pfn[i] = gtt_pagemap_pfn(pm, p + i * psize);
	if (!keep)
		munmap(p, NR_KEEP * psize);
	if (write(wfd, pfn, sizeof(pfn)) != sizeof(pfn))
		_exit(1);
	if (keep)
		for (;;)
			pause();
	_exit(0);
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n <= 0)
			return -1;
		got += n;
	}
	return 0;
}

/* How many of pfn[] are alive (allocated, not freed) at the end. */
static unsigned int alive_at_end(struct gt_reader *r, const uint64_t *pfn,
				 unsigned int n, pid_t pid)
{
	bool alive[NR_KEEP] = { false };
	unsigned int i, count = 0;
	struct gt_event e;

	while (gt_next(r, &e) > 0) {
		bool is_alloc = e.type == GOTRACE_EV_MM_PAGE_ALLOC;

		if (!is_alloc && e.type != GOTRACE_EV_MM_PAGE_FREE &&
		    e.type != GOTRACE_EV_MM_PAGE_FREE_BATCHED)
			continue;
		if (is_alloc && e.args[4] != (uint64_t)pid)
			continue;
		for (i = 0; i < n; i++)
			if (pfn[i] == e.args[0])
				alive[i] = is_alloc;
	}
	for (i = 0; i < n; i++)
		count += alive[i];
	return count;
}

TEST_F_TIMEOUT(pg, outstanding_pages, GTP_TIMEOUT)
{
	struct gotrace_start s = {
		.flags = GOTRACE_START_STACKS,
		.groups = GOTRACE_GROUP_PAGE | GOTRACE_GROUP_SCHED,
	};
	uint64_t pk[NR_KEEP], pu[NR_KEEP], stacked = 0;
	const struct ga_task *tk, *tu;
	const struct ga_result *res;
	int kp[2], up[2], st;
	pid_t k, u;
	struct gt_reader *r;
	struct ga *a;
	size_t i;

	ASSERT_EQ(0, pipe(kp));
	ASSERT_EQ(0, pipe(up));
	GTT_TRACE_START(&s);
	k = fork();
	ASSERT_LE(0, k);
	if (!k)
		keeper(kp[1], true);
	u = fork();
	ASSERT_LE(0, u);
	if (!u)
		keeper(up[1], false);
	ASSERT_EQ(0, read_full(kp[0], pk, sizeof(pk)));
	ASSERT_EQ(0, read_full(up[0], pu, sizeof(pu)));
	ASSERT_EQ(u, waitpid(u, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	gtt_drain_lru();	/* the unmapper's last pages, held in LRU batches */
	GTT_TRACE_STOP();
	kill(k, SIGKILL);
	waitpid(k, NULL, 0);
	if (!pk[0])
		SKIP(return, "pagemap shows no pfn");

	a = ga_new(self->rd, NULL);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, ga_run(a));
	res = ga_result(a);
	tk = ga_task_find(res, k);
	tu = ga_task_find(res, u);
	ASSERT_NE(NULL, tk);
	ASSERT_NE(NULL, tu);
	for (i = 0; i < res->nr_leak_groups; i++)
		if (res->groups[i].key[GA_KEY_PID] == (uint32_t)k &&
		    res->groups[i].key[GA_KEY_STACK])
			stacked += res->groups[i].outstanding_pages;
	TH_LOG("keeper %d: %llu outstanding pages (%llu with a stack); unmapper %d: %llu; all: %llu pages in %zu groups",
	       k, (unsigned long long)tk->outstanding_pages,
	       (unsigned long long)stacked, u,
	       (unsigned long long)tu->outstanding_pages,
	       (unsigned long long)res->outstanding_pages,
	       res->nr_leak_groups);
	EXPECT_LE(NR_KEEP, tk->outstanding_pages);
	EXPECT_LE(NR_KEEP, stacked);
	/*
	 * The unmapper did what the keeper did but unmapped its pages: it
	 * has the same page tables and kernel objects outstanding (on debug
	 * kernels, slabs in KASAN's quarantine too), not the pages.
	 */
	EXPECT_LE(tu->outstanding_pages + NR_KEEP / 2, tk->outstanding_pages);
	EXPECT_STREQ("gotrace_pages", tk->comm ? tk->comm : "(null)");
	ga_free(a);

	r = reopen(&self->buf);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(NR_KEEP, alive_at_end(r, pk, NR_KEEP, k));
	gt_close(r);
	r = reopen(&self->buf);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, alive_at_end(r, pu, NR_KEEP, u));
	gt_close(r);
}

/* ---- (c) TASKS --------------------------------------------------------- */

/* The TASKS entry of pid in the stream, or NULL. */
static const struct gotrace_task *find_task(const struct gtt_buf *b,
					    pid_t pid, uint32_t *flags)
{
	size_t off = GOTRACE_MAGIC_LEN;

	while (off + sizeof(struct gotrace_record) <= b->len) {
		const struct gotrace_record *rec = (const void *)(b->data + off);

		if (rec->len < sizeof(*rec) || rec->len > b->len - off)
			return NULL;
		if (rec->type == GOTRACE_REC_TASKS) {
			const struct gotrace_tasks *th = (const void *)rec;
			const struct gotrace_task *t = (const void *)(th + 1);
			uint32_t i;

			if (sizeof(*th) + (size_t)th->nr * sizeof(*t) >
			    rec->len)
				return NULL;
			*flags = th->flags;
			for (i = 0; i < th->nr; i++)
				if (t[i].pid == (uint32_t)pid)
					return &t[i];
			return NULL;
		}
		off += rec->len;
	}
	return NULL;
}

/* State letter of /proc/pid/stat. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : 0;
}

TEST_F_TIMEOUT(pg, tasks_statedump, GTP_TIMEOUT)
{
	struct gotrace_start s = { .groups = GOTRACE_GROUP_SCHED };
	const struct gotrace_task *me, *sl, *kt;
	uint32_t tflags = 0;
	int p[2], i;
	char c;
	pid_t child;

	ASSERT_EQ(0, prctl(PR_SET_NAME, "gtp-self"));
	ASSERT_EQ(0, pipe(p));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		prctl(PR_SET_NAME, "gtp-sleeper");
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	for (i = 0; i < 500 && proc_state(child) != 'S'; i++)
		gtt_msleep(10);
	ASSERT_EQ('S', proc_state(child));
	GTT_TRACE_START(&s);
	gtt_msleep(20);
	GTT_TRACE_STOP();
	close(p[1]);
	waitpid(child, NULL, 0);

	me = find_task(&self->buf, getpid(), &tflags);
	sl = find_task(&self->buf, child, &tflags);
	kt = find_task(&self->buf, 2, &tflags);
	ASSERT_NE(NULL, me) TH_LOG("no TASKS entry of the test, pid %d",
				   getpid());
	EXPECT_STREQ("gtp-self", me->comm);
	EXPECT_EQ((uint32_t)getpid(), me->tgid);
	/* it was issuing START: running */
	EXPECT_EQ(0, me->state);
	EXPECT_TRUE(me->flags & GOTRACE_TASK_RUNNING);
	EXPECT_FALSE(me->flags & GOTRACE_TASK_KTHREAD);
	ASSERT_NE(NULL, sl);
	EXPECT_STREQ("gtp-sleeper", sl->comm);
	EXPECT_EQ(1, sl->state);	/* S: TASK_INTERRUPTIBLE */
	EXPECT_EQ((uint32_t)getpid(), sl->ppid);
	ASSERT_NE(NULL, kt);
	EXPECT_STREQ("kthreadd", kt->comm);
	EXPECT_TRUE(kt->flags & GOTRACE_TASK_KTHREAD);
	EXPECT_FALSE(tflags & GOTRACE_TASKS_TRUNCATED);
	/* the reader names them before any event */
	EXPECT_STREQ("gtp-sleeper", gt_comm(self->rd, child) ?: "(null)");
}

/* ---- (d) pid filter with children, CPU mask ----------------------------- */

static void touch_some(unsigned int ms)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t end = gtt_now_ns() + ms * 1000000ULL;

	do {
		char *p = gtt_touch_pages(16);

		if (p)
			munmap(p, 16 * psize);
		sched_yield();
	} while (gtt_now_ns() < end);
}

TEST_F_TIMEOUT(pg, pid_filter_children, GTP_TIMEOUT)
{
	struct gotrace_start s = {
		.groups = GOTRACE_GROUP_ALL,
		.filter_flags = GOTRACE_FILTER_TGID | GOTRACE_FILTER_CHILDREN,
	};
	unsigned int of_child = 0, of_grand = 0, of_other = 0, of_me = 0;
	unsigned int forks = 0;
	int go[2], rep[2], ugo[2], st;
	pid_t child, other, grand = 0;
	struct gt_event e;
	char c = 1;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(rep));
	ASSERT_EQ(0, pipe(ugo));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		pid_t g;

		if (read(go[0], &c, 1) != 1)
			_exit(1);
		g = fork();
		if (!g) {
			touch_some(150);
			_exit(0);
		}
		if (write(rep[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		touch_some(150);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	other = fork();
	ASSERT_LE(0, other);
	if (!other) {
		if (read(ugo[0], &c, 1) != 1)
			_exit(1);
		touch_some(300);
		_exit(0);
	}
	s.filter_pid = child;
	GTT_TRACE_START(&s);
	ASSERT_EQ(1, write(ugo[1], &c, 1));
	ASSERT_EQ(1, write(go[1], &c, 1));
	ASSERT_EQ(0, read_full(rep[0], &grand, sizeof(grand)));
	ASSERT_EQ(child, waitpid(child, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	ASSERT_EQ(other, waitpid(other, &st, 0));
	touch_some(20);
	GTT_TRACE_STOP();

	EXPECT_EQ((uint32_t)child, gt_header(self->rd)->filter_pid);
	while (gt_next(self->rd, &e) > 0) {
		uint64_t pid;

		switch (e.type) {
		case GOTRACE_EV_MM_PAGE_ALLOC:
		case GOTRACE_EV_MM_PAGE_FREE:
		case GOTRACE_EV_MM_PAGE_FREE_BATCHED:
			pid = e.args[e.nargs - 1];	/* current */
			break;
		case GOTRACE_EV_SCHED_PROCESS_FORK:
			pid = e.args[0];
			if (e.args[0] == (uint64_t)child &&
			    e.args[1] == (uint64_t)grand)
				forks++;
			break;
		default:
			continue;
		}
		of_child += pid == (uint64_t)child;
		of_grand += pid == (uint64_t)grand;
		of_other += pid == (uint64_t)other;
		of_me += pid == (uint64_t)getpid();
	}
	TH_LOG("child %d: %u events, grandchild %d: %u, other %d: %u, test %d: %u; %llu filtered",
	       child, of_child, grand, of_grand, other, of_other, getpid(),
	       of_me, (unsigned long long)self->raw.end.filtered);
	EXPECT_LT(0, of_child);
	EXPECT_LT(0, of_grand);
	EXPECT_EQ(1, forks);
	EXPECT_EQ(0, of_other);
	EXPECT_EQ(0, of_me);
	EXPECT_LT(0, self->raw.end.filtered);
}

static void busy_on(int cpu, unsigned int ms)
{
	gtt_pin_cpu(0, cpu);
	touch_some(ms);
}

TEST_F_TIMEOUT(pg, cpu_mask, GTP_TIMEOUT)
{
	struct gotrace_start s = { .groups = GOTRACE_GROUP_ALL };
	uint64_t mask = 1;	/* CPU 0 only */
	struct gotrace_cpu_stats cs[2];
	struct gotrace_status st;
	int cpus[2], n;
	pid_t w[2];
	int i;

	n = gtt_online_cpus(cpus, 2);
	if (n < 2 || cpus[0] != 0)
		SKIP(return, "needs CPUs 0 and 1 (%d allowed)", n);
	s.cpu_mask = (uintptr_t)&mask;
	s.cpu_mask_size = sizeof(mask);
	GTT_TRACE_START(&s);
	/* Only the CPUs in the mask get buffers. */
	ASSERT_EQ(0, gtt_status(self->fd, &st, cs, 2));
	EXPECT_TRUE(cs[0].flags & GOTRACE_CPU_TRACED);
	EXPECT_FALSE(cs[1].flags & GOTRACE_CPU_TRACED);
	for (i = 0; i < 2; i++) {
		w[i] = fork();
		ASSERT_LE(0, w[i]);
		if (!w[i]) {
			busy_on(cpus[i], 200);
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++)
		waitpid(w[i], NULL, 0);
	GTT_TRACE_STOP();
	TH_LOG("CPU 0: %u batches, %llu events; CPU %d: %u batches, %llu events",
	       self->raw.cpu[0].batches,
	       (unsigned long long)self->raw.cpu[0].events, cpus[1],
	       self->raw.cpu[cpus[1]].batches,
	       (unsigned long long)self->raw.cpu[cpus[1]].events);
	EXPECT_NE(0, gt_header(self->rd)->cpu_filter);
	EXPECT_LT(0, self->raw.cpu[0].batches);
	EXPECT_EQ(0, self->raw.cpu[cpus[1]].batches);
	EXPECT_EQ(0, self->raw.cpu[cpus[1]].events);
}

/* ---- (e) reclaim under memory pressure ----------------------------------- */

static long meminfo_kb(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void drop_slab_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		(void)!write(fd, "2", 1);
		close(fd);
	}
}

/* Direct reclaim stalls so far: the allocstall_* counters of /proc/vmstat. */
static long long allocstalls(void)
{
	char line[256];
	long long v = 0;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "allocstall_", 11)) {
			char *sp = strchr(line, ' ');

			if (sp)
				v += strtoll(sp + 1, NULL, 10);
		}
	fclose(f);
	return v;
}

/*
 * At most how many allocstall increments one traced direct reclaim makes,
 * per mm/vmscan.c of Debian's 6.1 and 6.12 sources.  The begin and end
 * tracepoints bracket one do_try_to_free_pages() in try_to_free_pages(),
 * the only counter of ALLOCSTALL besides hibernation's shrink_all_memory()
 * (memcg limit reclaim does not count it).  do_try_to_free_pages() counts
 * one stall at the top of every pass, and when its passes together have
 * reclaimed nothing (and compaction is not ready) it makes another pass,
 * for each of these reasons:
 *  - 6.12 (not 6.1): the passes so far may have walked the cgroup tree
 *    only partly (memcg_full_walk unset): one more pass, always, cgroups
 *    or not (the 2 stalls per begin of 6.12-rt that reclaimed 0 pages);
 *  - a pass skipped deactivating an active list (skipped_deactivate), which
 *    only the classic LRU does, not the multi-gen LRU;
 *  - memory.low protection made a pass skip a cgroup (memcg_low_skipped),
 *    which needs a memory cgroup besides the root; that retry drops the
 *    forced deactivation, so the previous reason can come once more.
 * The test cannot tell whether the kernel has the first reason: it counts
 * it always.  *classic: the classic LRU reclaims; *memcgs: the memory
 * cgroups /proc/cgroups counts (-1: unknown, taken as several).
 */
static int reclaim_passes_max(int *classic, int *memcgs)
{
	char line[128];
	int passes = 2;
	FILE *f;

	*classic = 1;
	f = fopen("/sys/kernel/mm/lru_gen/enabled", "re");
	if (f) {
		/* bit 0: the multi-gen LRU does the reclaim */
		if (fgets(line, sizeof(line), f) &&
		    (strtoul(line, NULL, 0) & 1))
			*classic = 0;
		fclose(f);
	}
	*memcgs = -1;
	f = fopen("/proc/cgroups", "re");
	if (f) {
		*memcgs = 0;
		while (fgets(line, sizeof(line), f)) {
			int hier, num, on;

			if (!strncmp(line, "memory\t", 7) &&
			    sscanf(line + 7, "%d %d %d", &hier, &num, &on) == 3)
				*memcgs = on ? num : 0;
		}
		fclose(f);
	}
	passes += *classic;
	if (*memcgs < 0 || *memcgs > 1)
		passes += 1 + *classic;
	return passes;
}

#define HOG_STALLS	1

/*
 * Anonymous memory of up to kb KiB, touched a MiB at a time, released at
 * exit.  The hog stops early once the kernel has counted HOG_STALLS direct
 * reclaim stalls since stall0: enough to trace, short of the OOM killer
 * (shrinking dentries frees slab pages slower than they are asked for).
 */
static pid_t hog(long kb, int cpu, long long stall0)
{
	pid_t pid = fork();

	if (!pid) {
		long psize = sysconf(_SC_PAGESIZE);
		size_t len = (size_t)kb * 1024, i;
		int fd = open("/proc/self/oom_score_adj", O_WRONLY);
		char *p;

		if (fd >= 0) {
			(void)!write(fd, "1000", 4);
			close(fd);
		}
		gtt_pin_cpu(0, cpu);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		madvise(p, len, MADV_NOHUGEPAGE);
		for (i = 0; i < len; i += psize) {
			p[i] = 1;
			if (!((i + psize) % (1 << 20)) && stall0 >= 0 &&
			    allocstalls() - stall0 >= HOG_STALLS)
				break;
		}
		_exit(0);
	}
	return pid;
}

TEST_F_TIMEOUT(pg, reclaim_pressure, GTP_TIMEOUT)
{
	struct gotrace_start s = { .groups = GOTRACE_GROUP_RECLAIM };
	const uint64_t need = (1ULL << GOTRACE_TP_MM_VMSCAN_DIRECT_RECLAIM_BEGIN) |
			      (1ULL << GOTRACE_TP_MM_VMSCAN_DIRECT_RECLAIM_END);
	long sr0, sr1, freekb, extra, per;
	long long stall0, stall1;
	unsigned long n, begins = 0, ends = 0, wakes = 0;
	const struct ga_result *res;
	struct gt_reader *r;
	struct gt_event e;
	char name[64];
	pid_t h[2];
	struct ga *a;
	int cpus[2], nc, i, passes, classic, memcgs;
	uint64_t t0;

	/* The kernel's own list of tracepoints, not the tracer's header. */
	if (access("/sys/kernel/tracing/events/vmscan/mm_vmscan_direct_reclaim_begin", F_OK) ||
	    access("/sys/kernel/tracing/events/vmscan/mm_vmscan_direct_reclaim_end", F_OK))
		SKIP(return, "no direct reclaim tracepoints in tracefs");

	/*
	 * The VM has no swap and no disk: anonymous and tmpfs pages cannot
	 * be reclaimed.  Negative dentries of sysfs (kernfs keeps them) are
	 * reclaimable slab: make ~160 MiB of them, then allocate more
	 * anonymous memory than is free, so that kswapd and direct reclaim
	 * shrink the dentries instead of the OOM killer killing anything.
	 */
	sr0 = meminfo_kb("SReclaimable");
	t0 = gtt_now_ns();
	for (n = 0; n < 2000000; n++) {
		struct stat sb;

		snprintf(name, sizeof(name), "/sys/gtp-negative-%lu", n);
		stat(name, &sb);
		if (!(n % 65536) &&
		    meminfo_kb("SReclaimable") - sr0 > 160 * 1024)
			break;
		if (gtt_now_ns() - t0 > 60000000000ULL)
			break;
	}
	sr1 = meminfo_kb("SReclaimable");
	freekb = meminfo_kb("MemFree");
	TH_LOG("%lu negative dentries: SReclaimable %ld -> %ld KiB, MemFree %ld KiB",
	       n, sr0, sr1, freekb);
	if (sr1 - sr0 < 64 * 1024) {
		drop_slab_caches();
		SKIP(return, "no reclaimable memory to pressure (SReclaimable grew %ld KiB)",
		     sr1 - sr0);
	}
	/* beyond free memory by half of what can be reclaimed */
	extra = (sr1 - sr0) / 2;
	nc = gtt_online_cpus(cpus, 2);
	if (nc < 2)
		cpus[1] = cpus[0];
	per = (freekb + extra) / 2;

	GTT_TRACE_START(&s);
	stall0 = allocstalls();
	for (i = 0; i < 2; i++) {
		h[i] = hog(per, cpus[i], stall0);
		ASSERT_LE(0, h[i]);
	}
	for (i = 0; i < 2; i++) {
		int st;

		ASSERT_EQ(h[i], waitpid(h[i], &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
			TH_LOG("hog %d: status %#x", h[i], st);
	}
	stall1 = allocstalls();
	GTT_TRACE_STOP();
	drop_slab_caches();
	EXPECT_EQ(0, gt_header(self->rd)->missing & need)
		TH_LOG("tracefs has the direct reclaim tracepoints, the trace says missing");
	/*
	 * Whether direct reclaim happened is the kernel's count (allocstall),
	 * decided before anything the trace says is looked at.
	 */
	if (stall1 - stall0 <= 0)
		SKIP(return, "kswapd kept up: the kernel counted no direct reclaim stall");

	r = reopen(&self->buf);
	ASSERT_NE(NULL, r);
	while (gt_next(r, &e) > 0) {
		begins += e.type == GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN;
		ends += e.type == GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END;
		wakes += e.type == GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE;
	}
	gt_close(r);

	a = ga_new(self->rd, NULL);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, ga_run(a));
	res = ga_result(a);
	TH_LOG("direct reclaim: %lu begin, %lu end; stalls %llu, total %llu ns, p50 %llu, max %llu; %llu pages reclaimed; kswapd %lu wakes, active %llu ns",
	       begins, ends, (unsigned long long)res->reclaim.count,
	       (unsigned long long)res->reclaim.sum,
	       (unsigned long long)ga_hist_pct(&res->reclaim, 50),
	       (unsigned long long)res->reclaim.max,
	       (unsigned long long)res->reclaimed, wakes,
	       (unsigned long long)res->kswapd_active_ns);
	passes = reclaim_passes_max(&classic, &memcgs);
	TH_LOG("allocstall counted %lld stalls while traced; at most %d per direct reclaim (%s LRU, %d memory cgroups)",
	       stall1 - stall0, passes, classic ? "classic" : "multi-gen",
	       memcgs);
	EXPECT_LT(0, begins + wakes) TH_LOG("no reclaim event at all");
	/*
	 * Every stall the kernel counted while traced was counted by a direct
	 * reclaim whose begin is in the trace (none runs at START: no memory
	 * pressure before the hogs), and one direct reclaim counts at most
	 * `passes` stalls (reclaim_passes_max()).  Stalls with no begin at
	 * all fail here, and so does a trace holding fewer than 1 in
	 * `passes` of the begins.
	 */
	EXPECT_LE(stall1 - stall0, (long long)passes * (long long)begins);
	EXPECT_LT(0, begins);
	EXPECT_LE(ends, begins);
	EXPECT_GE(ends + 2, begins);
	EXPECT_EQ(begins, res->reclaim.count);
	EXPECT_LT(0, res->reclaim.sum);
	EXPECT_LT(0, res->reclaim.max);
	ga_free(a);
}

/* ---- (f) stats --json agrees with the decoded events --------------------- */

/* The number after "key": at the first match of key after from, or -1. */
static long long json_num(const char *json, const char *from,
			  const char *key)
{
	const char *p = from ? strstr(json, from) : json;
	char k[96];

	if (!p)
		return -1;
	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(p, k);
	if (!p)
		return -1;
	return strtoll(p + strlen(k), NULL, 10);
}

static void mixed_work(void)
{
	pid_t c, t0c;
	uint64_t a, b;
	int i;

	gtt_pingpong(100, -1, &t0c, &a, &b);
	for (i = 0; i < 5; i++) {
		c = fork();
		if (!c) {
			touch_some(20);
			_exit(0);
		}
		waitpid(c, NULL, 0);
	}
}

TEST_F_TIMEOUT(pg, stats_json_agrees, GTP_TIMEOUT)
{
	struct gotrace_start s = { .groups = GOTRACE_GROUP_ALL };
	const char *tool = getenv("GOTRACE") ?: "/bin/gotrace";
	const char *trace = "/tmp/gtp-stats.trace";
	const char *out = "/tmp/gtp-stats.json";
	unsigned long long by_type[GOTRACE_EV_COUNT] = { 0 }, per_cpu[64] = { 0 };
	unsigned long long events = 0, allocs = 0, fails = 0, frees = 0;
	unsigned int t, c, bad = 0;
	struct gt_event e;
	char cmd[512], key[64];
	struct stat sb;
	char *json;
	FILE *f;
	int rc;

	if (access(tool, X_OK))
		SKIP(return, "no %s", tool);
	GTT_TRACE_START(&s);
	mixed_work();
	GTT_TRACE_STOP();
	f = fopen(trace, "we");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(self->buf.len, fwrite(self->buf.data, 1, self->buf.len, f));
	ASSERT_EQ(0, fclose(f));
	snprintf(cmd, sizeof(cmd), "%s stats --json %s > %s", tool, trace, out);
	rc = system(cmd);
	ASSERT_EQ(0, rc) TH_LOG("%s: status %#x", cmd, rc);
	ASSERT_EQ(0, stat(out, &sb));
	json = calloc(1, sb.st_size + 1);
	f = fopen(out, "re");
	ASSERT_NE(NULL, f);
	ASSERT_EQ((size_t)sb.st_size, fread(json, 1, sb.st_size, f));
	fclose(f);

	while (gt_next(self->rd, &e) > 0) {
		if (GOTRACE_EV_IS_META(e.type))
			continue;
		events++;
		by_type[e.type]++;
		if (e.cpu < 64)
			per_cpu[e.cpu]++;
		if (e.type == GOTRACE_EV_MM_PAGE_ALLOC) {
			if (e.args[0] == ~0ULL)
				fails++;
			else
				allocs++;
		}
		if (e.type == GOTRACE_EV_MM_PAGE_FREE ||
		    e.type == GOTRACE_EV_MM_PAGE_FREE_BATCHED)
			frees++;
	}
	EXPECT_EQ(0, unlink(trace));
	EXPECT_LT(0, allocs);
	EXPECT_LT(0, by_type[GOTRACE_EV_SCHED_SWITCH]);
	EXPECT_EQ((long long)events, json_num(json, "\"trace\":", "events"));
	EXPECT_EQ((long long)allocs, json_num(json, "\"pages\":", "allocs"));
	EXPECT_EQ((long long)fails,
		  json_num(json, "\"pages\":", "alloc_fails"));
	EXPECT_EQ((long long)frees, json_num(json, "\"pages\":", "frees"));
	for (t = GOTRACE_EV_SCHED_SWITCH; t < GOTRACE_EV_COUNT; t++) {
		/* stats counts the schema's events, not the meta ones */
		if (GOTRACE_EV_IS_META(t) || !gt_event_desc(t))
			continue;
		if ((long long)by_type[t] !=
		    json_num(json, "\"by_type\":", gt_event_name(t))) {
			TH_LOG("%s: %llu decoded, %lld in stats",
			       gt_event_name(t), by_type[t],
			       json_num(json, "\"by_type\":",
					gt_event_name(t)));
			bad++;
		}
	}
	for (c = 0; c < self->raw.nr_cpus && c < 64; c++) {
		snprintf(key, sizeof(key), "{\"cpu\":%u,", c);
		if ((long long)per_cpu[c] != json_num(json, key, "decoded") ||
		    self->raw.cpu[c].decoded != per_cpu[c]) {
			TH_LOG("cpu %u: %llu decoded, %llu raw, %lld in stats",
			       c, per_cpu[c],
			       (unsigned long long)self->raw.cpu[c].decoded,
			       json_num(json, key, "decoded"));
			bad++;
		}
	}
	EXPECT_EQ(0, bad);
	TH_LOG("%llu events, %llu allocs, %llu frees agree", events, allocs,
	       frees);
	free(json);
	unlink(out);
}

TEST_HARNESS_MAIN
