// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer targets of the stream decoders (RELIABILITY.md):
 *
 *   fuzz_reader  libgotrace: gt_open_mem(), then every event through
 *                gt_next() and the lookups a tool makes with it (comm,
 *                gfp names, prev_state, stacks, symbols, summary).
 *   fuzz_dump    (built with -DFUZZ_DUMP) `gotrace dump` itself, on the
 *                input written to a memfd, with the options picked from
 *                the input's length; stdout goes to /dev/null.
 *
 * Built and run by scripts/fuzz.sh with clang -fsanitize=fuzzer,address,
 * undefined; seeds in userspace/tests/corpus/ (fuzz_seeds.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "../common.h"		/* cmd_dump() */
#include "gotrace_reader.h"
#include "fuzz_reader.h"

#ifndef FUZZ_DUMP

/* Keeps the compiler from dropping what is computed. */
static volatile uint64_t sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct gt_summary *s;
	const uint64_t *frames;
	struct gt_reader *r;
	struct gt_event ev;
	char buf[512];
	size_t i, nev = 0;
	uint32_t c;
	int ret, n;

	if (gt_open_mem(data, size, &r) < 0)
		return 0;
	sink += gt_header(r)->nr_cpus;
	s = gt_summary(r);
	for (c = 0; c < s->nr_cpus; c++)
		sink += s->cpus[c].events + s->cpus[c].lost;
	while ((ret = gt_next(r, &ev)) > 0 && nev++ < 1000000) {
		const char *comm;

		if (ev.nargs > GT_MAX_ARGS)
			abort();
		if (ev.str && strlen(ev.str) != ev.str_len)
			abort();
		sink += strlen(gt_event_name(ev.type)) + gt_event_nargs(ev.type);
		if (ev.nargs)
			comm = gt_comm(r, (uint32_t)ev.args[0]);
		else
			comm = NULL;
		if (comm)
			sink += strlen(comm);
		if (ev.type == GOTRACE_EV_MM_PAGE_ALLOC && ev.nargs >= 3)
			sink += strlen(gt_gfp_str(r, ev.args[2], buf, sizeof(buf)));
		if (ev.type == GOTRACE_EV_SCHED_SWITCH && ev.nargs >= 3)
			sink += strlen(gt_state_str(ev.args[2], buf, sizeof(buf)));
		{
			const struct gotrace_fired *f;
			size_t k, nf = gt_fired_at(r, ev.cpu, ev.ts, ev.type,
						   &f);

			for (k = 0; k < nf; k++)
				sink += f[k].seq +
					strlen(gt_fired_value_str(&f[k], buf,
								  sizeof(buf)));
		}
		if (ev.stack_id) {
			n = gt_stack(r, ev.stack_id, &frames);
			for (i = 0; n > 0 && i < (size_t)n; i++) {
				uint64_t off;
				const char *mod, *name;

				name = gt_symbol(r, frames[i], &off, &mod);
				if (name)
					sink += strlen(name) + off +
						(mod ? strlen(mod) : 0);
			}
		}
	}
	if (ret < 0)
		sink += strlen(gt_error(r));
	{
		const struct gotrace_trigger *t;
		size_t k, nt;

		t = gt_triggers(r, &nt);
		for (k = 0; k < nt; k++)
			sink += strlen(gt_trigger_str(t[k].kind, t[k].value,
						      buf, sizeof(buf)));
		gt_fired(r, &nt, NULL);
		sink += nt;
		if (gt_triggers_error(r))
			sink += strlen(gt_triggers_error(r));
	}
	for (i = 0; i < gt_nr_stacks(r); i++)
		sink += gt_stack(r, gt_stack_id(r, i), &frames);
	gt_close(r);
	return 0;
}

#else /* FUZZ_DUMP */

static int mfd = -1;
static char path[64];

/*
 * cmd_dump() gives stdout a buffer it never frees (it runs once per
 * process in the tool): in this loop, keep stdout as it is and free it.
 */
int __wrap_setvbuf(FILE *f, char *buf, int mode, size_t size)
{
	(void)f;
	(void)mode;
	(void)size;
	free(buf);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char **argv[])
{
	(void)argc;
	(void)argv;
	if (!freopen("/dev/null", "w", stdout))
		abort();
	mfd = memfd_create("fuzz_dump", 0);
	if (mfd < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[8];
	int argc = 0;

	if (ftruncate(mfd, 0) || pwrite(mfd, data, size, 0) != (ssize_t)size)
		abort();
	argv[argc++] = "dump";
	if (size & 1)
		argv[argc++] = "--stacks";
	if (size & 2)
		argv[argc++] = "--gfp-hex";
	if (size & 4)
		argv[argc++] = "--raw";
	if (size & 8)
		argv[argc++] = "--relative";
	argv[argc++] = path;
	argv[argc] = NULL;
	cmd_dump(argc, argv);
	return 0;
}

#endif /* FUZZ_DUMP */
