/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbol tables (kallsyms, System.map, a vmlinux's ELF symbols)
 * and the SYMBOLS and LINES records built from them for a trace's stacks.
 */
#ifndef GOTRACE_KSYMS_H
#define GOTRACE_KSYMS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/gotrace.h>

struct ksym {
	uint64_t addr;
	uint64_t size;		/* from ELF; 0: up to the next symbol */
	char *name;
	char *module;		/* NULL: vmlinux */
};

struct ksyms {
	struct ksym *s;
	size_t nr;
	size_t cap;
	uint8_t build_id[20];	/* of a vmlinux */
	size_t build_id_len;	/* 0: none */
};

/* Default of symbolize --max-offset: how far past a symbol resolves. */
#define KSYMS_DEFAULT_MAX_OFFSET	0x10000ULL

void ksyms_free(struct ksyms *k);
/* kallsyms or System.map text ("addr type name [module]"); -1: message */
int ksyms_load_text(const char *path, struct ksyms *k);
/* The text (and build-id) of a vmlinux ELF, through libelf; -1: message */
int ksyms_load_elf(const char *path, struct ksyms *k);
int ksyms_add(struct ksyms *k, uint64_t addr, uint64_t size, const char *name,
	      const char *module);
void ksyms_sort(struct ksyms *k);
/* Drop the module symbols (of another boot); how many were dropped. */
size_t ksyms_drop_modules(struct ksyms *k);
/* Address of the first vmlinux symbol called name; 0 if none. */
uint64_t ksyms_lookup(const struct ksyms *k, const char *name);

/*
 * The SYMBOLS record of the trace's stack addresses addrs[0..n) (runtime
 * addresses, sorted and unique) from k, whose vmlinux symbols are shifted
 * by shift (the KASLR offset between k and the trace: with a shift, drop
 * module symbols first, they are of another boot).  An address
 * resolves at most max_off bytes past its symbol.  *nr_syms: entries.
 */
uint8_t *ksyms_build_record(const struct ksyms *k, const uint64_t *addrs,
			    size_t n, int64_t shift, uint64_t max_off,
			    size_t *rlen, size_t *nr_syms);

/*
 * The LINES record of addrs[0..n) from the DWARF of vmlinux (libdw),
 * shifted as above.  NULL and *rlen 0 if vmlinux has no debug information
 * (after a message); NULL and *rlen 1 on other errors (after one).
 */
uint8_t *dwarf_build_lines(const char *vmlinux, const uint64_t *addrs,
			   size_t n, int64_t shift, size_t *rlen,
			   size_t *nr_lines);

/* Unique return addresses of all the trace's stacks, sorted; NULL: ENOMEM */
struct gt_reader;
uint64_t *stack_addrs(struct gt_reader *r, size_t *nr);

/* Append rec (rlen bytes) to the trace at path; -1 after a message. */
int append_record(const char *path, const uint8_t *rec, size_t rlen);

#endif
