// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace: facts about the traced kernel for the head of the stream: the
 * memory layout (ZONES: nodes and zones' pfn spans), and, for the header,
 * which kernel build is traced and where its text lies, so that a trace
 * read with cat on a test box is symbolised on a workstation from that
 * build's System.map, kallsyms or vmlinux.
 *
 * The module has no name lookup (kallsyms_lookup_name is not exported);
 * the kernel's vmcoreinfo note, kept for kdump and exported by physical
 * address, already holds the build-id and the runtime address of _stext,
 * as "BUILD-ID=<hex>" and "SYMBOL(_stext)=<hex>" lines.  An exported
 * function (the anchor) gives a second address whose distance from
 * _stext differs between builds, for sources without a build-id.
 */
#include <linux/elf.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include "gotrace.h"
#include "gotrace_compat.h"

#define GT_ANCHOR	for_each_kernel_tracepoint

#if GT_HAVE_VMCOREINFO
/* The value of "key" in the note's text, or NULL; *len its length. */
static const char *gt_vmcoreinfo_value(const char *text, size_t size,
				       const char *key, size_t *len)
{
	size_t klen = strlen(key), pos = 0;

	while (pos < size) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', size - pos);
		size_t ll = nl ? nl - line : size - pos;

		if (ll > klen && !memcmp(line, key, klen)) {
			*len = ll - klen;
			return line + klen;
		}
		pos += ll + 1;
	}
	return NULL;
}

static void gt_parse_vmcoreinfo(struct gotrace_header *h, bool addresses)
{
	const struct elf_note *n = phys_to_virt(paddr_vmcoreinfo_note());
	const char *text, *v;
	char num[20];
	size_t len, i;
	u64 addr;

	if (!n || n->n_namesz > 16 || n->n_descsz > PAGE_SIZE)
		return;
	text = (const char *)(n + 1) + ALIGN(n->n_namesz, 4);
	v = gt_vmcoreinfo_value(text, n->n_descsz, "BUILD-ID=", &len);
	if (v && len % 2 == 0 && len / 2 <= sizeof(h->build_id)) {
		for (i = 0; i < len / 2; i++)
			if (hex2bin(&h->build_id[i], v + 2 * i, 1))
				break;
		h->build_id_len = i == len / 2 ? i : 0;
	}
	v = gt_vmcoreinfo_value(text, n->n_descsz, "SYMBOL(_stext)=", &len);
	if (addresses && v && len < sizeof(num)) {
		memcpy(num, v, len);
		num[len] = '\0';
		if (!kstrtou64(num, 16, &addr))
			h->kernel_stext = addr;
	}
}
#else
static void gt_parse_vmcoreinfo(struct gotrace_header *h, bool addresses)
{
}
#endif

/* addresses: may the tracer see kernel addresses (gt_ioctl_start())? */
void gt_fill_kernel_info(struct gotrace_header *h, bool addresses)
{
	gt_parse_vmcoreinfo(h, addresses);
	strscpy(h->anchor_name, __stringify(GT_ANCHOR), sizeof(h->anchor_name));
	if (addresses)
		h->anchor_addr = (unsigned long)GT_ANCHOR;
}

/* Entries the ZONES record can need: its size at most, with the header. */
size_t gt_zones_len(void)
{
	return sizeof(struct gotrace_zones) +
	       (size_t)num_possible_nodes() * MAX_NR_ZONES *
	       sizeof(struct gotrace_zone);
}

/*
 * Fills the ZONES record (room for gt_zones_len() bytes): a snapshot of
 * the populated zones of the online nodes.  A span hotplug changes under
 * us is read as it is at that moment, as /proc/zoneinfo does.
 */
void gt_fill_zones(struct gotrace_zones *rec)
{
	struct gotrace_zone *e = (struct gotrace_zone *)(rec + 1);
	u32 cap = num_possible_nodes() * MAX_NR_ZONES, n = 0;
	int nid, z;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (z = 0; z < MAX_NR_ZONES && n < cap; z++) {
			struct zone *zone = &pgdat->node_zones[z];
			unsigned long start = READ_ONCE(zone->zone_start_pfn);
			unsigned long span = READ_ONCE(zone->spanned_pages);

			if (!READ_ONCE(zone->present_pages) || !span)
				continue;
			e[n].start_pfn = start;
			e[n].end_pfn = start + span;
			e[n].present_pages = READ_ONCE(zone->present_pages);
			e[n].nid = nid;
			e[n].zid = z;
			strscpy(e[n].name, zone->name, sizeof(e[n].name));
			n++;
		}
	}
	rec->rec.type = GOTRACE_REC_ZONES;
	rec->rec.len = sizeof(*rec) + n * sizeof(*e);
	rec->nr = n;
}
