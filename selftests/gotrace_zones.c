// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_zones: the ZONES record (issue 14, item 5).  Its zones are the
 * kernel's: one entry per populated zone of /proc/zoneinfo, with its
 * node, name, start_pfn and spanned pages.  Pages a task allocates while
 * bound to the last node (set_mempolicy MPOL_BIND) land in that node's
 * zones, as gt_zone_of() attributes them.  Meaningful on a VM with two
 * nodes (VM_QEMU_ARGS with -numa, see selftests/vm/run-vm.sh); on one
 * node the binding part checks node 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"
#include "gotrace_reader.h"

#define GZ_TIMEOUT	300
#define MPOL_BIND_	2

struct kzone {
	unsigned int nid;
	char name[16];
	unsigned long long start, spanned, present;
};

/* Populated zones of /proc/zoneinfo; their number. */
static int read_zoneinfo(struct kzone *z, int cap)
{
	char line[256], name[16];
	unsigned int nid;
	unsigned long long v;
	int n = -1;
	FILE *f = fopen("/proc/zoneinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %u, zone %15s", &nid, name) == 2) {
			if (n + 1 >= cap)
				break;
			n++;
			memset(&z[n], 0, sizeof(z[n]));
			z[n].nid = nid;
			snprintf(z[n].name, sizeof(z[n].name), "%s", name);
		} else if (n >= 0 && sscanf(line, " present %llu", &v) == 1) {
			z[n].present = v;
		} else if (n >= 0 && sscanf(line, " spanned %llu", &v) == 1) {
			z[n].spanned = v;
		} else if (n >= 0 && sscanf(line, " start_pfn: %llu", &v) == 1) {
			z[n].start = v;
		}
	}
	fclose(f);
	n++;
	/* keep the populated ones, as the module does */
	{
		int i, k = 0;

		for (i = 0; i < n; i++)
			if (z[i].present && z[i].spanned)
				z[k++] = z[i];
		n = k;
	}
	return n;
}

TEST(zones_match_zoneinfo)
{
	struct gtt_buf buf = { 0 };
	const struct gotrace_zone *gz;
	struct kzone kz[64];
	struct gt_reader *r;
	size_t n, i;
	unsigned int last_nid = 0, in_last = 0, elsewhere = 0;
	unsigned long mask;
	struct gt_event ev;
	size_t len = 512 << 12;
	int fd, nk;
	char *p;

	ASSERT_EQ(0, gtt_make_idle());
	nk = read_zoneinfo(kz, 64);
	ASSERT_LT(0, nk);
	fd = gtt_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gtt_start(fd, 0, GOTRACE_GROUP_PAGE, 0, 0));
	for (i = 0; i < (size_t)nk; i++)
		if (kz[i].nid > last_nid)
			last_nid = kz[i].nid;
	/* allocate while bound to the last node */
	mask = 1UL << last_nid;
	ASSERT_EQ(0, syscall(SYS_set_mempolicy, MPOL_BIND_, &mask,
			     sizeof(mask) * 8));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, len);
	EXPECT_EQ(0, syscall(SYS_set_mempolicy, 0, NULL, 0));
	ASSERT_EQ(0, gtt_stop(fd, 0));
	ASSERT_EQ(0, gtt_read_all(fd, &buf, 1 << 20));
	close(fd);
	munmap(p, len);

	ASSERT_EQ(0, gt_open_mem(buf.data, buf.len, &r));
	gz = gt_zones(r, &n);
	EXPECT_EQ((size_t)nk, n);
	for (i = 0; i < n && i < (size_t)nk; i++) {
		EXPECT_EQ(kz[i].nid, gz[i].nid);
		EXPECT_STREQ(kz[i].name, gz[i].name);
		EXPECT_EQ(kz[i].start, gz[i].start_pfn);
		EXPECT_EQ(kz[i].start + kz[i].spanned, gz[i].end_pfn);
		EXPECT_EQ(kz[i].present, gz[i].present_pages);
		TH_LOG("node %u %s: pfns %#llx-%#llx", gz[i].nid, gz[i].name,
		       (unsigned long long)gz[i].start_pfn,
		       (unsigned long long)gz[i].end_pfn);
	}
	/* this task's allocations while bound */
	while (gt_next(r, &ev) > 0) {
		const struct gotrace_zone *z;

		if (ev.type != GOTRACE_EV_MM_PAGE_ALLOC || ev.args[0] == ~0ULL ||
		    ev.args[4] != (uint64_t)getpid())
			continue;
		/*
		 * Pages, not allocations: 6.12 aligns a 2 MiB anonymous
		 * mapping to a huge page, one order-9 allocation.
		 */
		z = gt_zone_of(r, ev.args[0]);
		if (z && z->nid == last_nid)
			in_last += 1U << ev.args[1];
		else
			elsewhere += 1U << ev.args[1];
	}
	TH_LOG("%u pages allocated on node %u, %u elsewhere (page tables, before the binding)",
	       in_last, last_nid, elsewhere);
	EXPECT_LE(256, in_last);
	EXPECT_GT(in_last, 4 * elsewhere);
	gt_close(r);
	gtt_buf_free(&buf);
}

TEST_HARNESS_MAIN
