// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin that counts the guest instructions executed between
 * two markers the guest executes (bench/icount.h), for `make bench`: a
 * measure of a tracer's cost that host load cannot move, as wall time is
 * moved by whatever else the host runs.
 *
 *   qemu-system-x86_64 -accel tcg,thread=single \
 *     -plugin icount-plugin.so,out=FILE[,label=FILE][,map=FILE] ...
 *
 * Every translated block (TB) gets an inline counter of its executions;
 * the instructions of a phase are the sum over blocks of executions
 * during the phase times the block's instruction count, on all vCPUs,
 * user and kernel.  A block is counted when it starts, so an exception in
 * its middle (a page fault) counts the rest of it too: the count is that
 * of QEMU's blocks, repeatable, not the CPU's retired instructions.  The
 * inline adds are not atomic: run single-threaded TCG (thread=single),
 * where the vCPUs take turns on one host thread.
 *
 * At START the plugin reads the phase's label from the first line of the
 * label file (the guest writes it on a shared directory just before); at
 * STOP it reads the map file, if any (lines "LO HI NAME", hex addresses,
 * e.g. the functions of a module from the guest's /proc/kallsyms), and
 * appends to the out file:
 *
 *   phase SEQ LABEL insns=N user=N kernel=N
 *   range SEQ NAME insns=N calls=N       (per map range that ran)
 *
 * calls is how many times a block starting at the range's first address
 * ran: for a function, how many times it was entered.  Blocks are
 * attributed by their first address.
 *
 * QEMU 7.2 (Debian 12) exports plugin API version 1 and installs no
 * header for it; the few declarations used here follow that version's
 * documented API (include/qemu/qemu-plugin.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icount.h"

/* ---- QEMU plugin API, version 1 (QEMU 4.2 to 8.1) ---- */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
#define QEMU_PLUGIN_VERSION 1

typedef uint64_t qemu_plugin_id_t;

typedef struct {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};

enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv);
/* ---- end of the API declarations ---- */

/* One translated block (vaddr, length); its counter never moves. */
struct block {
	uint64_t vaddr;
	uint64_t exec;		/* the inline counter: executions so far */
	uint64_t at_start;	/* exec at the phase's START */
	uint32_t ninsns;
};

#define CHUNK_BLOCKS	4096

static struct {
	pthread_mutex_t lock;	/* translation may run on several threads */
	struct block **chunks;	/* CHUNK_BLOCKS blocks each */
	size_t nr_chunks, nr_blocks;
	struct block **hash;	/* open addressing, by (vaddr, ninsns) */
	size_t hash_size;	/* a power of two */
	const char *out_path, *label_path, *map_path;
	bool active;
	unsigned long seq;
	char label[256];
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Errors go to QEMU's stderr: its plugin log is off unless -d plugin. */
static void say(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, fmt, a, b);
}

static size_t block_hash(uint64_t vaddr, uint32_t ninsns)
{
	uint64_t h = (vaddr ^ ((uint64_t)ninsns << 52)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20);
}

static bool hash_grow(void)
{
	size_t size = st.hash_size ? st.hash_size * 2 : 1 << 16, i, j;
	struct block **h = calloc(size, sizeof(*h));

	if (!h)
		return false;
	for (i = 0; i < st.hash_size; i++) {
		struct block *b = st.hash[i];

		if (!b)
			continue;
		for (j = block_hash(b->vaddr, b->ninsns) & (size - 1); h[j];
		     j = (j + 1) & (size - 1))
			;
		h[j] = b;
	}
	free(st.hash);
	st.hash = h;
	st.hash_size = size;
	return true;
}

/* The block (vaddr, ninsns), created on first sight; NULL: no memory. */
static struct block *block_get(uint64_t vaddr, uint32_t ninsns)
{
	struct block *b;
	size_t i;

	if ((st.nr_blocks + 1) * 2 > st.hash_size && !hash_grow())
		return NULL;
	for (i = block_hash(vaddr, ninsns) & (st.hash_size - 1); st.hash[i];
	     i = (i + 1) & (st.hash_size - 1))
		if (st.hash[i]->vaddr == vaddr && st.hash[i]->ninsns == ninsns)
			return st.hash[i];
	if (st.nr_blocks == st.nr_chunks * CHUNK_BLOCKS) {
		struct block **c = realloc(st.chunks, (st.nr_chunks + 1) *
					   sizeof(*c));

		if (!c)
			return NULL;
		st.chunks = c;
		c[st.nr_chunks] = calloc(CHUNK_BLOCKS, sizeof(struct block));
		if (!c[st.nr_chunks])
			return NULL;
		st.nr_chunks++;
	}
	b = &st.chunks[st.nr_blocks / CHUNK_BLOCKS][st.nr_blocks % CHUNK_BLOCKS];
	st.nr_blocks++;
	b->vaddr = vaddr;
	b->ninsns = ninsns;
	st.hash[i] = b;
	return b;
}

static struct block *block_at(size_t i)
{
	return &st.chunks[i / CHUNK_BLOCKS][i % CHUNK_BLOCKS];
}

struct range {
	uint64_t lo, hi;	/* [lo, hi) */
	uint64_t insns, calls;
	char name[128];
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The map file's ranges, sorted; *n = 0 when there is no map. */
static struct range *map_read(size_t *n)
{
	struct range *r = NULL, *t;
	size_t cap = 0;
	char line[512];
	FILE *f;

	*n = 0;
	if (!st.map_path)
		return NULL;
	f = fopen(st.map_path, "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		struct range x = { 0 };

		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %127s",
			   &x.lo, &x.hi, x.name) != 3 || x.hi <= x.lo)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			t = realloc(r, cap * sizeof(*r));
			if (!t)
				break;
			r = t;
		}
		r[(*n)++] = x;
	}
	fclose(f);
	if (*n)
		qsort(r, *n, sizeof(*r), range_cmp);
	return r;
}

static struct range *range_find(struct range *r, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a < r[mid].lo)
			hi = mid;
		else if (a >= r[mid].hi)
			lo = mid + 1;
		else
			return &r[mid];
	}
	return NULL;
}

static void read_label(void)
{
	FILE *f = st.label_path ? fopen(st.label_path, "r") : NULL;
	size_t i;

	strcpy(st.label, "-");
	if (!f)
		return;
	if (!fgets(st.label, sizeof(st.label), f))
		strcpy(st.label, "-");
	fclose(f);
	st.label[strcspn(st.label, "\r\n")] = '\0';
	for (i = 0; st.label[i]; i++)
		if (st.label[i] == ' ' || st.label[i] == '\t')
			st.label[i] = '_';
	if (!st.label[0])
		strcpy(st.label, "-");
}

static void phase_start(void)
{
	size_t i;

	if (st.active)
		say("icount: START of '%s' without a STOP of '%s'; restarting\n",
		    "next", st.label);
	for (i = 0; i < st.nr_blocks; i++)
		block_at(i)->at_start = block_at(i)->exec;
	read_label();
	st.active = true;
}

static void phase_stop(void)
{
	uint64_t total = 0, user = 0, kernel = 0;
	struct range *r, *x;
	size_t i, nr;
	FILE *f;

	if (!st.active) {
		say("icount: STOP without START; ignored%s%s\n", "", "");
		return;
	}
	st.active = false;
	st.seq++;
	r = map_read(&nr);
	for (i = 0; i < st.nr_blocks; i++) {
		struct block *b = block_at(i);
		uint64_t d = b->exec - b->at_start, insns = d * b->ninsns;

		if (!d)
			continue;
		total += insns;
		if (b->vaddr >> 63)
			kernel += insns;
		else
			user += insns;
		x = nr ? range_find(r, nr, b->vaddr) : NULL;
		if (x) {
			x->insns += insns;
			if (b->vaddr == x->lo)
				x->calls += d;
		}
	}
	f = fopen(st.out_path, "a");
	if (!f) {
		say("icount: %s: %s\n", st.out_path, strerror(errno));
	} else {
		fprintf(f, "phase %lu %s insns=%" PRIu64 " user=%" PRIu64
			" kernel=%" PRIu64 "\n", st.seq, st.label, total, user,
			kernel);
		for (i = 0; i < nr; i++)
			if (r[i].insns)
				fprintf(f, "range %lu %s insns=%" PRIu64
					" calls=%" PRIu64 "\n", st.seq,
					r[i].name, r[i].insns, r[i].calls);
		fclose(f);
	}
	free(r);
}

static void on_marker(unsigned int vcpu, void *udata)
{
	pthread_mutex_lock(&st.lock);
	if ((uintptr_t)udata == ICOUNT_CMD_START)
		phase_start();
	else
		phase_stop();
	pthread_mutex_unlock(&st.lock);
}

/* The command of a marker instruction, 0 for any other instruction. */
static unsigned int marker_cmd(const struct qemu_plugin_insn *insn)
{
	const uint8_t *p = qemu_plugin_insn_data(insn);
	unsigned int cmd;

	if (qemu_plugin_insn_size(insn) != 7 || p[0] != 0x0f || p[1] != 0x1f ||
	    p[2] != 0x80)
		return 0;
	if ((p[3] | p[4] << 8 | p[5] << 16) != ICOUNT_MAGIC)
		return 0;
	cmd = p[6];
	return cmd == ICOUNT_CMD_START || cmd == ICOUNT_CMD_STOP ? cmd : 0;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	struct block *b;

	pthread_mutex_lock(&st.lock);
	b = block_get(qemu_plugin_tb_vaddr(tb), (uint32_t)n);
	pthread_mutex_unlock(&st.lock);
	if (!b) {
		say("icount: out of memory; counts are wrong%s%s\n", "", "");
		return;
	}
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->exec, 1);
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		unsigned int cmd = marker_cmd(insn);

		if (cmd)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker,
							       QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)cmd);
	}
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "icount: %lu phases, %zu blocks\n", st.seq,
		 st.nr_blocks);
	qemu_plugin_outs(msg);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			st.out_path = argv[i] + 4;
		} else if (!strncmp(argv[i], "label=", 6)) {
			st.label_path = argv[i] + 6;
		} else if (!strncmp(argv[i], "map=", 4)) {
			st.map_path = argv[i] + 4;
		} else {
			say("icount: unknown argument '%s'%s\n", argv[i], "");
			return -1;
		}
	}
	if (!st.out_path) {
		say("icount: out=FILE is required%s%s\n", "", "");
		return -1;
	}
	if (!hash_grow())
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
