// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_stress: helper of `make stress` and `make check-debug` (not a
 * selftest of its own):
 *
 *   gotrace_stress load SECS     a load written in C (used when stress-ng
 *                                is missing): context switches, forks,
 *                                page faults, mmap churn, memory pressure
 *   gotrace_stress check [--slow-ms N] [--status]
 *                                reads a stream on stdin (`gotrace record
 *                                -o -`) record by record, without keeping
 *                                it, and checks that every event is
 *                                accounted for: per CPU, batches in seq
 *                                order without gaps, events decoded ==
 *                                nr_events, CPU_END == the batches' sums,
 *                                END == the CPU_ENDs; with --status, the
 *                                module's STATUS of the finished trace ==
 *                                END.  --slow-ms: a slow reader (sleeps
 *                                after every 64 KiB).
 *   gotrace_stress status SECS   STATUS in a loop for SECS seconds (it reads
 *                                every CPU's counters while the probes
 *                                write them: KCSAN's race to find)
 *   gotrace_stress failnth MAX   START with its n-th fault-injection point
 *                                failing (/proc/thread-self/fail-nth), for
 *                                n = 1.. until START passes them all: each
 *                                fails cleanly or works, the device stays
 *                                usable (KASAN and kmemleak watch).
 *
 * Prints "STRESS ..." result lines; exit status 0 when all is well.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "gotrace_rel.h"
#include "gotrace_reader.h"	/* gt_unpack_batch(): `gotrace record` packs */

#define MAX_CPUS	256

/* ---- load ---- */

static void load_switch(uint64_t end)
{
	while (gtt_now_ns() < end) {
		uint64_t t0, t1;
		pid_t child;

		if (!gtt_pingpong(2000, -1, &child, &t0, &t1))
			waitpid(child, NULL, 0);
	}
}

static void load_fork(uint64_t end)
{
	while (gtt_now_ns() < end) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

static void load_mmap(uint64_t end)
{
	long ps = sysconf(_SC_PAGESIZE);
	unsigned int seed = getpid();

	while (gtt_now_ns() < end) {
		size_t n = 1 + rand_r(&seed) % 512, i;
		char *p = mmap(NULL, n * ps, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			continue;
		for (i = 0; i < n; i += 1 + rand_r(&seed) % 4)
			p[i * ps] = 1;
		mprotect(p, n * ps / 2, PROT_READ);
		madvise(p, n * ps, MADV_DONTNEED);
		munmap(p, n * ps);
	}
}

/* Takes most of the free memory, touches it, gives it back, again. */
static void load_pressure(uint64_t end)
{
	long ps = sysconf(_SC_PAGESIZE);

	while (gtt_now_ns() < end) {
		long kb = 0;
		char line[128];
		FILE *f = fopen("/proc/meminfo", "r");
		size_t len, i;
		char *p;

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "MemAvailable:", 13))
				kb = strtol(line + 13, NULL, 10);
		if (f)
			fclose(f);
		len = (size_t)kb * 1024 * 6 / 10;
		if (len < (16 << 20)) {
			gtt_msleep(100);
			continue;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		for (i = 0; i < len && gtt_now_ns() < end; i += ps)
			p[i] = 1;
		munmap(p, len);
	}
}

static int cmd_load(unsigned int secs)
{
	void (*const fns[])(uint64_t) = {
		load_switch, load_switch, load_fork, load_fork, load_mmap,
		load_mmap, load_pressure,
	};
	uint64_t end = gtt_now_ns() + secs * REL_NS_PER_SEC;
	unsigned int i, n = ARRAY_SIZE(fns);
	int status, bad = 0;

	for (i = 0; i < n; i++) {
		if (fork() == 0) {
			fns[i](end);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	printf("STRESS load secs=%u workers=%u bad=%d\n", secs, n, bad);
	return bad ? 1 : 0;
}

/* ---- check ---- */

struct cpu_acc {
	uint64_t batches, events, decoded, lost, bytes;
	uint32_t next_seq;
	uint32_t gaps;
	bool end_seen;
	struct gotrace_cpu_end end;
};

static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned int shift = 0;

	*v = 0;
	while (*p < end && shift < 70) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
		shift += 7;
	}
	return false;
}

/* Counts the tracepoint events of a batch by walking its encoding. */
static long decode_batch(const uint8_t *p, const uint8_t *end,
			 uint64_t stack_events)
{
	long n = 0;

	while (p < end) {
		unsigned int type = *p++ & GOTRACE_EV_TYPE_MASK;
		unsigned int nargs, i;
		uint64_t v;

		if (type == GOTRACE_EV_NONE)
			break;		/* padding */
		if (type >= GOTRACE_EV_COUNT || !varint(&p, end, &v))
			return -1;
		nargs = gt_event_nargs(type);
		if (type == GOTRACE_EV_COMM || type == GOTRACE_EV_SCHED_PROCESS_EXEC) {
			/* numeric args, then len + bytes */
			for (i = 0; i < nargs; i++)
				if (!varint(&p, end, &v))
					return -1;
			if (!varint(&p, end, &v) || v > (uint64_t)(end - p))
				return -1;
			p += v;
		} else {
			for (i = 0; i < nargs; i++)
				if (!varint(&p, end, &v))
					return -1;
		}
		if (!GOTRACE_EV_IS_META(type) && (stack_events & (1ULL << type)) &&
		    !varint(&p, end, &v))
			return -1;
		if (!GOTRACE_EV_IS_META(type))
			n++;
	}
	return n;
}

static int readn(int fd, void *buf, size_t n, unsigned int slow_ms,
		 uint64_t *total)
{
	static uint64_t since_sleep;
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (uint8_t *)buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : (done ? -EPIPE : 1);
		done += r;
		*total += r;
		since_sleep += r;
		if (slow_ms && since_sleep >= (64 << 10)) {
			gtt_msleep(slow_ms);
			since_sleep = 0;
		}
	}
	return 0;
}

static int cmd_check(unsigned int slow_ms, bool status)
{
	static struct cpu_acc cpu[MAX_CPUS];
	uint64_t total = 0, stack_events = 0, sum_events = 0, sum_lost = 0;
	uint64_t records = 0, cpu_end_events = 0, cpu_end_lost = 0;
	struct gotrace_header hdr;
	struct gotrace_end end;
	uint8_t magic[GOTRACE_MAGIC_LEN], *rec = NULL, *unpacked = NULL;
	struct gt_unpack_ctx *uc = gt_unpack_new();
	size_t cap = 0, ucap = 0;
	uint64_t packed = 0;
	bool have_end = false, have_hdr = false;
	int bad = 0, ret;
	unsigned int c, nr_cpus = 0;

	memset(&end, 0, sizeof(end));
	if (readn(0, magic, sizeof(magic), slow_ms, &total) ||
	    memcmp(magic, GOTRACE_MAGIC, sizeof(magic))) {
		printf("STRESS check FAIL: no gotrace magic\n");
		return 1;
	}
	for (;;) {
		struct gotrace_record r;

		ret = readn(0, &r, sizeof(r), slow_ms, &total);
		if (ret == 1)
			break;
		if (ret || r.len < sizeof(r) || r.len % 8) {
			printf("STRESS check FAIL: bad record header at %llu (%d)\n",
			       (unsigned long long)total, ret);
			return 1;
		}
		if (r.len > cap) {
			cap = r.len;
			rec = realloc(rec, cap);
			if (!rec)
				return 1;
		}
		memcpy(rec, &r, sizeof(r));
		if (readn(0, rec + sizeof(r), r.len - sizeof(r), slow_ms, &total)) {
			printf("STRESS check FAIL: cut inside a record at %llu\n",
			       (unsigned long long)total);
			return 1;
		}
		records++;
		if (have_end && r.type != GOTRACE_REC_SYMBOLS)
			bad++;		/* nothing but SYMBOLS after END */
		if (r.type == GOTRACE_REC_PACKED) {
			/* check the BATCH it unpacks to, like any other */
			struct gotrace_packed ph;
			char msg[256];

			memcpy(&ph, rec, r.len < sizeof(ph) ? r.len : sizeof(ph));
			if (r.len < sizeof(ph) || !uc ||
			    ph.batch.rec.len > (64U << 20)) {
				printf("STRESS check FAIL: bad PACKED record at %llu\n",
				       (unsigned long long)total);
				return 1;
			}
			if (ucap < ph.batch.rec.len) {
				ucap = ph.batch.rec.len;
				unpacked = realloc(unpacked, ucap);
				if (!unpacked)
					return 1;
			}
			if (gt_unpack_batch(uc, stack_events, rec, r.len,
					    unpacked, ucap, msg, sizeof(msg))) {
				printf("STRESS check FAIL: PACKED record at %llu: %s\n",
				       (unsigned long long)total, msg);
				return 1;
			}
			if (cap < ph.batch.rec.len) {
				cap = ph.batch.rec.len;
				rec = realloc(rec, cap);
				if (!rec)
					return 1;
			}
			memcpy(rec, unpacked, ph.batch.rec.len);
			r = ph.batch.rec;
			packed++;
		}
		switch (r.type) {
		case GOTRACE_REC_HEADER:
			memset(&hdr, 0, sizeof(hdr));
			memcpy(&hdr, rec, r.len < sizeof(hdr) ? r.len : sizeof(hdr));
			stack_events = hdr.stack_events;
			nr_cpus = hdr.nr_cpus;
			have_hdr = true;
			break;
		case GOTRACE_REC_BATCH: {
			struct gotrace_batch b;
			long n;

			memcpy(&b, rec, sizeof(b));
			if (!have_hdr || b.cpu >= MAX_CPUS || b.cpu >= nr_cpus) {
				printf("STRESS check FAIL: batch of cpu %u\n", b.cpu);
				return 1;
			}
			n = decode_batch(rec + sizeof(b), rec + r.len, stack_events);
			if (b.seq != cpu[b.cpu].next_seq)
				cpu[b.cpu].gaps++;
			cpu[b.cpu].next_seq = b.seq + 1;
			cpu[b.cpu].batches++;
			cpu[b.cpu].events += b.nr_events;
			cpu[b.cpu].decoded += n < 0 ? 0 : n;
			if (n != (long)b.nr_events)
				bad++;
			cpu[b.cpu].lost += b.lost;
			cpu[b.cpu].bytes += r.len;
			break;
		}
		case GOTRACE_REC_CPU_END: {
			struct gotrace_cpu_end ce;

			memcpy(&ce, rec, sizeof(ce));
			if (ce.cpu < MAX_CPUS) {
				cpu[ce.cpu].end = ce;
				cpu[ce.cpu].end_seen = true;
			}
			cpu_end_events += ce.events;
			cpu_end_lost += ce.lost;
			break;
		}
		case GOTRACE_REC_END:
			memcpy(&end, rec, sizeof(end));
			have_end = true;
			break;
		}
	}
	if (!have_end) {
		printf("STRESS check FAIL: no END record (%llu bytes)\n",
		       (unsigned long long)total);
		return 1;
	}
	for (c = 0; c < nr_cpus && c < MAX_CPUS; c++) {
		struct cpu_acc *a = &cpu[c];

		sum_events += a->events;
		sum_lost += a->lost;
		if (!a->end_seen || a->gaps || a->decoded != a->events ||
		    a->end.batches != a->batches || a->end.events != a->events ||
		    a->end.bytes != a->bytes || a->end.lost < a->lost) {
			printf("STRESS check FAIL cpu %u: batches %llu/%u gaps %u events %llu decoded %llu end.events %llu lost %llu end.lost %llu\n",
			       c, (unsigned long long)a->batches, a->end.batches,
			       a->gaps, (unsigned long long)a->events,
			       (unsigned long long)a->decoded,
			       (unsigned long long)a->end.events,
			       (unsigned long long)a->lost,
			       (unsigned long long)a->end.lost);
			bad++;
		}
	}
	if (end.reader_skipped || end.events != cpu_end_events ||
	    end.events != sum_events || end.lost < cpu_end_lost) {
		printf("STRESS check FAIL: END events %llu (CPU_ENDs %llu, batches %llu) lost %llu (CPU_ENDs %llu) skipped %llu\n",
		       (unsigned long long)end.events,
		       (unsigned long long)cpu_end_events,
		       (unsigned long long)sum_events,
		       (unsigned long long)end.lost,
		       (unsigned long long)cpu_end_lost,
		       (unsigned long long)end.reader_skipped);
		bad++;
	}
	if (status) {
		struct gotrace_status st;
		int fd = gtt_open(0);

		if (fd < 0 || gtt_status(fd, &st, NULL, 0) ||
		    st.trace_id != hdr.trace_id || st.events != end.events ||
		    st.lost != end.lost) {
			printf("STRESS check FAIL: STATUS events %llu lost %llu (trace %llu) vs END events %llu lost %llu (trace %llu)\n",
			       (unsigned long long)(fd < 0 ? 0 : st.events),
			       (unsigned long long)(fd < 0 ? 0 : st.lost),
			       (unsigned long long)(fd < 0 ? 0 : st.trace_id),
			       (unsigned long long)end.events,
			       (unsigned long long)end.lost,
			       (unsigned long long)hdr.trace_id);
			bad++;
		}
		if (fd >= 0)
			close(fd);
	}
	printf("STRESS check %s: %llu bytes, %llu records (%llu packed), %llu events written, %llu lost, %.1f s traced, %u CPUs, slow_ms=%u\n",
	       bad ? "FAIL" : "ok", (unsigned long long)total,
	       (unsigned long long)records, (unsigned long long)packed,
	       (unsigned long long)end.events,
	       (unsigned long long)end.lost,
	       (end.stop_ns - hdr.start_ns) / 1e9, nr_cpus, slow_ms);
	free(rec);
	free(unpacked);
	gt_unpack_free(uc);
	return bad ? 1 : 0;
}

/* ---- failnth ---- */

static int set_fail_nth(unsigned int n)
{
	char s[16];
	int fd = open("/proc/thread-self/fail-nth", O_WRONLY);
	int ret;

	if (fd < 0)
		return -errno;
	snprintf(s, sizeof(s), "%u", n);
	ret = write(fd, s, strlen(s)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static int get_fail_nth(void)
{
	char s[16] = "";
	int fd = open("/proc/thread-self/fail-nth", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, s, sizeof(s) - 1);
	close(fd);
	return n > 0 ? atoi(s) : -EIO;
}

static int cmd_failnth(unsigned int max)
{
	uint8_t mask[8] = { 1 };
	struct gotrace_start s = {
		.size = sizeof(s), .flags = GOTRACE_START_STACKS,
		.buffer_size = 64 << 10, .filter_pid = 1,
		.filter_flags = GOTRACE_FILTER_CHILDREN,
		.cpu_mask = (uintptr_t)mask, .cpu_mask_size = sizeof(mask),
	};
	unsigned int n, injected = 0, failed = 0, worked = 0, bad = 0;
	struct gtt_buf b = { 0 };
	int fd, ret, left;

	fd = gtt_open(0);
	if (fd < 0 || gtt_make_idle()) {
		printf("STRESS failnth FAIL: no device\n");
		return 1;
	}
	if (set_fail_nth(0)) {
		printf("STRESS failnth SKIP: no /proc/thread-self/fail-nth\n");
		return 0;
	}
	for (n = 1; n <= max; n++) {
		if (set_fail_nth(n))
			return 1;
		ret = gtt_start_raw(fd, &s);
		left = get_fail_nth();
		set_fail_nth(0);
		if (left != 0) {
			/* START passed all its fault points: done */
			if (!ret) {
				gtt_stop(fd, 0);
				gtt_make_idle();
			}
			break;
		}
		injected++;
		if (ret == -ENOMEM || ret == -EINTR) {
			failed++;
		} else if (!ret) {
			worked++;
			rel_workload(5);
			if (gtt_stop(fd, 0) || gtt_read_all(fd, &b, 1 << 20) ||
			    b.len < GTT_HDR_BYTES)
				bad++;
			gtt_buf_free(&b);
		} else {
			printf("STRESS failnth: fault point %u: START gave %s\n",
			       n, strerror(-ret));
			bad++;
		}
		if (gtt_make_idle())
			bad++;
	}
	/* and it still works */
	s.flags = 0;
	s.cpu_mask = 0;
	s.cpu_mask_size = 0;
	s.filter_pid = 0;
	s.filter_flags = 0;
	if (gtt_start_raw(fd, &s) || gtt_stop(fd, 0) ||
	    gtt_read_all(fd, &b, 1 << 20) || b.len < GTT_HDR_BYTES)
		bad++;
	gtt_buf_free(&b);
	close(fd);
	printf("STRESS failnth %s: %u fault points in START injected: %u failed cleanly, %u still started, %u bad\n",
	       bad ? "FAIL" : "ok", injected, failed, worked, bad);
	return bad ? 1 : 0;
}

static int cmd_status(unsigned int secs)
{
	struct gotrace_cpu_stats cpus[64];
	struct gotrace_status st;
	uint64_t end = gtt_now_ns() + secs * 1000000000ULL;
	unsigned long n = 0, bad = 0;
	int fd = gtt_open(0);

	if (fd < 0) {
		printf("STRESS status FAIL: open: %s\n", strerror(-fd));
		return 1;
	}
	while (gtt_now_ns() < end) {
		if (gtt_status(fd, &st, cpus, 64))
			bad++;
		n++;
	}
	close(fd);
	printf("STRESS status %s: %lu STATUS calls in %u s, %lu failed\n",
	       bad ? "FAIL" : "ok", n, secs, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned int slow = 0;
	bool status = false;
	int i;

	if (argc >= 3 && !strcmp(argv[1], "load"))
		return cmd_load(atoi(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "status"))
		return cmd_status(atoi(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "failnth"))
		return cmd_failnth(atoi(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "check")) {
		for (i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "--slow-ms") && i + 1 < argc)
				slow = atoi(argv[++i]);
			else if (!strcmp(argv[i], "--status"))
				status = true;
		}
		return cmd_check(slow, status);
	}
	fprintf(stderr, "usage: %s load SECS | check [--slow-ms N] [--status] | status SECS | failnth MAX\n",
		argv[0]);
	return 2;
}
