// SPDX-License-Identifier: GPL-2.0
/*
 * A vmlinux as a symbol source: its ELF symbols and build-id (libelf), and
 * the source position and inline chain of return addresses from its DWARF
 * (libdw, as Debian's linux-image-*-dbg packages ship it).
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "ksyms.h"

#define NT_GNU_BUILD_ID_	3

/* The build-id note of e, if any. */
static void elf_build_id(Elf *e, struct ksyms *k)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		size_t off = 0, noff, doff;
		GElf_Shdr sh;
		GElf_Nhdr nh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID_ && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + noff, "GNU", 4) &&
			    nh.n_descsz && nh.n_descsz <= sizeof(k->build_id)) {
				memcpy(k->build_id, (char *)d->d_buf + doff,
				       nh.n_descsz);
				k->build_id_len = nh.n_descsz;
				return;
			}
		}
	}
}

/* Does section index shndx of e hold code? */
static int exec_section(Elf *e, size_t shndx)
{
	Elf_Scn *scn = elf_getscn(e, shndx);
	GElf_Shdr sh;

	return scn && gelf_getshdr(scn, &sh) &&
	       (sh.sh_flags & SHF_EXECINSTR);
}

int ksyms_load_elf(const char *path, struct ksyms *k)
{
	Elf_Scn *scn = NULL;
	int fd, ret = -1;
	Elf *e;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		gt_err("symbolize: %s: %s", path, strerror(errno));
		return -1;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		gt_err("symbolize: %s: not an ELF file", path);
		goto out;
	}
	elf_build_id(e, k);
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = d ? d->d_size / sh.sh_entsize : 0;
		for (i = 0; i < n; i++) {
			const char *name;
			GElf_Sym sym;
			int type;

			if (!gelf_getsym(d, (int)i, &sym))
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			if ((type != STT_FUNC && type != STT_NOTYPE) ||
			    sym.st_shndx == SHN_UNDEF ||
			    sym.st_shndx >= SHN_LORESERVE ||
			    !exec_section(e, sym.st_shndx))
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			if (ksyms_add(k, sym.st_value, sym.st_size, name, NULL)) {
				gt_err("symbolize: %s", strerror(ENOMEM));
				goto out;
			}
		}
	}
	if (!k->nr) {
		gt_err("symbolize: %s has no symbol table (stripped?)", path);
		goto out;
	}
	ksyms_sort(k);
	ret = 0;
out:
	if (e)
		elf_end(e);
	close(fd);
	return ret;
}

struct lines_buf {
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t nr;
};

static int lines_put(struct lines_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		uint8_t *nb;

		while (b->len + n > nc)
			nc *= 2;
		nb = realloc(b->buf, nc);
		if (!nb)
			return -1;
		b->buf = nb;
		b->cap = nc;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	return 0;
}

static int line_entry(struct lines_buf *b, uint64_t addr, const char *func,
		      const char *file, uint32_t line)
{
	static const uint8_t zero[8];
	struct gotrace_line e = {
		.addr = addr,
		.line = line,
		.func_len = (uint16_t)strnlen(func ? func : "", UINT16_MAX),
		.file_len = (uint16_t)strnlen(file ? file : "", UINT16_MAX),
	};

	if (lines_put(b, &e, sizeof(e)) ||
	    lines_put(b, func ? func : "", e.func_len) ||
	    lines_put(b, file ? file : "", e.file_len) ||
	    lines_put(b, zero, (8 - b->len % 8) % 8))
		return -1;
	b->nr++;
	return 0;
}

/* File name idx of cu's line table, or NULL. */
static const char *cu_file(Dwarf_Die *cu, Dwarf_Word idx)
{
	Dwarf_Files *files;
	size_t nfiles;

	if (dwarf_getsrcfiles(cu, &files, &nfiles) || idx >= nfiles)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

static int func_scope(Dwarf_Die *d)
{
	int tag = dwarf_tag(d);

	return tag == DW_TAG_inlined_subroutine || tag == DW_TAG_subprogram;
}

/*
 * The innermost function or inlined instance among the scopes that hold
 * die (die itself excluded: skip 1) into *out; 0 if none.
 */
static int outer_func(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes_die(die, &scopes), i, found = 0;

	for (i = 1; i < n && !found; i++) {
		if (func_scope(&scopes[i])) {
			*out = scopes[i];
			found = 1;
		}
	}
	free(scopes);
	return found;
}

/*
 * The frames of the call before return address pc (a link-time address):
 * innermost inlined function first, each at the position where the one
 * inside it was inlined, then the function pc's code belongs to.  The
 * chain is followed through the concrete tree (dwarf_getscopes_die), not
 * through the abstract origins that dwarf_getscopes continues with.
 */
static int addr_lines(struct lines_buf *b, Dwfl_Module *m, uint64_t pc,
		      uint64_t addr)
{
	Dwarf_Die *cu, *scopes = NULL, cur;
	const char *file = NULL;
	Dwarf_Addr bias;
	Dwfl_Line *l;
	int lineno = 0, n, i, ret = 0, found = 0, depth;

	cu = dwfl_module_addrdie(m, pc, &bias);
	if (!cu)
		return 0;
	l = dwfl_module_getsrc(m, pc);
	if (l)
		file = dwfl_lineinfo(l, NULL, &lineno, NULL, NULL, NULL);
	n = dwarf_getscopes(cu, pc - bias, &scopes);
	for (i = 0; i < n && !found; i++) {
		if (func_scope(&scopes[i])) {
			cur = scopes[i];
			found = 1;
		}
	}
	free(scopes);
	if (!found)
		return file ? line_entry(b, addr, NULL, file,
					 lineno > 0 ? (uint32_t)lineno : 0) : 0;
	for (depth = 0; depth < 64 && !ret; depth++) {
		Dwarf_Attribute a;
		Dwarf_Word cf, cl;

		ret = line_entry(b, addr, dwarf_diename(&cur), file,
				 lineno > 0 ? (uint32_t)lineno : 0);
		if (ret || dwarf_tag(&cur) != DW_TAG_inlined_subroutine)
			break;
		/* the caller's position: where this one was inlined */
		if (dwarf_formudata(dwarf_attr(&cur, DW_AT_call_file, &a), &cf))
			file = NULL;
		else
			file = cu_file(cu, cf);
		if (dwarf_formudata(dwarf_attr(&cur, DW_AT_call_line, &a), &cl))
			cl = 0;
		lineno = (int)cl;
		if (!outer_func(&cur, &cur))
			break;
	}
	return ret;
}

uint8_t *dwarf_build_lines(const char *vmlinux, const uint64_t *addrs,
			   size_t n, int64_t shift, size_t *rlen,
			   size_t *nr_lines)
{
	static const Dwfl_Callbacks cb = {
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
	};
	struct gotrace_lines lh = { 0 };
	struct lines_buf b = { 0 };
	Dwfl_Module *m;
	Dwarf_Addr bias;
	Dwfl *dwfl;
	size_t i;

	*rlen = 1;
	*nr_lines = 0;
	dwfl = dwfl_begin(&cb);
	if (!dwfl) {
		gt_err("symbolize: libdw: %s", dwfl_errmsg(-1));
		return NULL;
	}
	m = dwfl_report_offline(dwfl, "vmlinux", vmlinux, -1);
	if (!m || dwfl_report_end(dwfl, NULL, NULL)) {
		gt_err("symbolize: %s: %s", vmlinux, dwfl_errmsg(-1));
		goto fail;
	}
	if (!dwfl_module_getdwarf(m, &bias)) {
		gt_warn("%s has no debug information (install the -dbg image): no source lines",
			vmlinux);
		*rlen = 0;
		goto fail;
	}
	if (lines_put(&b, &lh, sizeof(lh)))
		goto nomem;
	for (i = 0; i < n; i++) {
		/* the call is before the return address */
		uint64_t pc = addrs[i] - shift - 1;

		if (addr_lines(&b, m, pc, addrs[i]))
			goto nomem;
	}
	dwfl_end(dwfl);
	lh.rec.type = GOTRACE_REC_LINES;
	lh.rec.len = (uint32_t)b.len;
	lh.nr = (uint32_t)b.nr;
	memcpy(b.buf, &lh, sizeof(lh));
	*rlen = b.len;
	*nr_lines = b.nr;
	return b.buf;
nomem:
	gt_err("symbolize: %s", strerror(ENOMEM));
fail:
	free(b.buf);
	dwfl_end(dwfl);
	return NULL;
}
