// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace status: state of the tracer, per-CPU counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"
#include "opts.h"
#include "json.h"

static const struct gt_cmdopt status_opts[] = {
	{ GO_JSON },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec status_cmd = {
	.name = "status",
	.synopsis = "[--json]",
	.about = "Show the state of the tracer, the parameters of the current or last\n"
		 "trace and its per-CPU counters.\n",
	.opts = status_opts,
	.flags = GT_CMD_POSIX,
};

static const char *state_name(uint32_t state)
{
	switch (state) {
	case GOTRACE_STATE_IDLE:
		return "idle";
	case GOTRACE_STATE_TRACING:
		return "tracing";
	case GOTRACE_STATE_STOPPED:
		return "stopped";
	}
	return "unknown";
}

static void print_tps(uint64_t mask)
{
	unsigned int i, n = 0;

	for (i = 0; i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		if (i < GOTRACE_TP_COUNT)
			printf("%s%s", n ? " " : "", tp_name(i));
		else
			printf("%stp%u", n ? " " : "", i);
		n++;
	}
	if (!n)
		printf("none");
}

static void json_tps(struct jw *w, const char *key, uint64_t mask)
{
	char name[16];
	unsigned int i;

	jw_key(w, key);
	jw_arr_begin(w);
	for (i = 0; i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		if (i < GOTRACE_TP_COUNT) {
			jw_str(w, tp_name(i));
		} else {
			snprintf(name, sizeof(name), "tp%u", i);
			jw_str(w, name);
		}
	}
	jw_arr_end(w);
}

static void print_json(const struct gotrace_status *st,
		       const struct gotrace_cpu_stats *cs, uint32_t nr)
{
	char groups[64];
	struct jw w;
	uint32_t i;

	groups_str(st->groups, groups, sizeof(groups));
	jw_init(&w, stdout, true);
	jw_obj_begin(&w);
	jw_kv_str(&w, "state", state_name(st->state));
	jw_kv_u64(&w, "trace_id", st->trace_id);
	jw_kv_str(&w, "groups", groups);
	jw_kv_u64(&w, "buffer_size", st->buffer_size);
	jw_kv_u64(&w, "flush_ms", st->flush_ms);
	jw_kv_u64(&w, "start_flags", st->start_flags);
	jw_kv_u64(&w, "nr_cpus", st->nr_cpus);
	json_tps(&w, "missing", st->missing);
	json_tps(&w, "attached", st->attached);
	jw_kv_u64(&w, "events", st->events);
	jw_kv_u64(&w, "lost", st->lost);
	jw_kv_u64(&w, "bytes_queued", st->bytes_queued);
	jw_kv_u64(&w, "bytes_read", st->bytes_read);
	jw_kv_u64(&w, "start_ns", st->start_ns);
	jw_kv_u64(&w, "stop_ns", st->stop_ns);
	jw_kv_bool(&w, "reader", st->reader);
	if (st->start_flags & GOTRACE_START_FLIGHT) {
		jw_key(&w, "flight");
		jw_obj_begin(&w);
		jw_kv_u64(&w, "start_ns", st->flight_start_ns);
		jw_kv_u64(&w, "end_ns", st->flight_end_ns);
		jw_kv_u64(&w, "bytes", st->flight_bytes);
		jw_kv_u64(&w, "batches", st->flight_batches);
		jw_kv_u64(&w, "generations", st->flight_generations);
		jw_kv_u64(&w, "overwritten_batches", st->flight_overwritten);
		jw_obj_end(&w);
	}
	/* zero from a module before STATUS VER2: a trace without triggers */
	if (st->nr_triggers) {
		jw_key(&w, "triggers");
		jw_obj_begin(&w);
		jw_kv_u64(&w, "nr", st->nr_triggers);
		jw_kv_u64(&w, "fired", st->triggers_fired);
		jw_obj_end(&w);
	}
	jw_key(&w, "cpus");
	jw_arr_begin(&w);
	for (i = 0; i < nr; i++) {
		jw_obj_begin(&w);
		jw_kv_u64(&w, "cpu", i);
		jw_kv_u64(&w, "events", cs[i].events);
		jw_kv_u64(&w, "lost", cs[i].lost);
		jw_kv_u64(&w, "bytes", cs[i].bytes);
		jw_kv_u64(&w, "batches", cs[i].batches);
		jw_kv_bool(&w, "online", cs[i].flags & GOTRACE_CPU_ONLINE);
		jw_kv_bool(&w, "traced", cs[i].flags & GOTRACE_CPU_TRACED);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	putchar('\n');
}

static void print_text(const struct gotrace_status *st,
		       const struct gotrace_cpu_stats *cs, uint32_t nr)
{
	char groups[64];
	uint32_t i;

	groups_str(st->groups, groups, sizeof(groups));
	printf("state:        %s%s\n", state_name(st->state),
	       st->reader ? " (a reader holds the stream)" : "");
	printf("trace id:     %llu\n", (unsigned long long)st->trace_id);
	printf("groups:       %s\n", groups);
	printf("buffer size:  %u bytes per CPU\n", st->buffer_size);
	printf("flush:        %u ms\n", st->flush_ms);
	if (st->start_flags)
		printf("start flags:  0x%x\n", st->start_flags);
	printf("attached:     ");
	print_tps(st->attached);
	printf("\nmissing:      ");
	print_tps(st->missing);
	printf("\nevents:       %llu\n", (unsigned long long)st->events);
	printf("lost:         %llu\n", (unsigned long long)st->lost);
	printf("queued:       %llu bytes\n",
	       (unsigned long long)st->bytes_queued);
	printf("read:         %llu bytes\n", (unsigned long long)st->bytes_read);
	printf("start ns:     %llu\n", (unsigned long long)st->start_ns);
	if (st->stop_ns)
		printf("stop ns:      %llu (%.3f s)\n",
		       (unsigned long long)st->stop_ns,
		       (st->stop_ns - st->start_ns) / 1e9);
	if (st->start_flags & GOTRACE_START_FLIGHT)
		printf("flight:       %.3f s held (%.3f to %.3f s), %llu bytes, %u batches, %u generations, %llu batches overwritten\n",
		       st->flight_end_ns > st->flight_start_ns ?
		       (st->flight_end_ns - st->flight_start_ns) / 1e9 : 0.0,
		       st->flight_start_ns ?
		       (st->flight_start_ns - st->start_ns) / 1e9 : 0.0,
		       st->flight_end_ns ?
		       (st->flight_end_ns - st->start_ns) / 1e9 : 0.0,
		       (unsigned long long)st->flight_bytes,
		       st->flight_batches, st->flight_generations,
		       (unsigned long long)st->flight_overwritten);
	if (st->nr_triggers)
		printf("triggers:     %u, fired %llu times (gotrace flight saves them)\n",
		       st->nr_triggers,
		       (unsigned long long)st->triggers_fired);
	printf("\n%5s %14s %12s %14s %10s %s\n", "CPU", "EVENTS", "LOST",
	       "BYTES", "BATCHES", "ONLINE");
	for (i = 0; i < nr; i++) {
		printf("%5u %14llu %12llu %14llu %10u %s%s\n", i,
		       (unsigned long long)cs[i].events,
		       (unsigned long long)cs[i].lost,
		       (unsigned long long)cs[i].bytes, cs[i].batches,
		       cs[i].flags & GOTRACE_CPU_ONLINE ? "yes" : "no",
		       cs[i].flags & GOTRACE_CPU_TRACED ? "" : " (not traced)");
	}
}

int cmd_status(int argc, char **argv)
{
	struct gotrace_cpu_stats *cs = NULL;
	struct gotrace_status st;
	int id, fd, json = 0, tries;
	uint32_t nr = 0;
	struct gt_args a;

	gt_args_init(&a, &status_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		if (id == GO_JSON)
			json = 1;
	}
	if (!id && gt_args_operands(&a, 0, 0, "no operands"))
		id = -1;
	gt_args_free(&a);
	if (id < 0)
		return a.status;
	fd = dev_open(O_RDONLY);
	if (fd < 0)
		return EXIT_ERR;
	/* learn nr_cpus, then fetch the table (retry if it grew) */
	for (tries = 0; tries < 4; tries++) {
		memset(&st, 0, sizeof(st));
		st.size = sizeof(st);
		st.cpu_len = nr;
		st.cpu_stats = (uint64_t)(uintptr_t)cs;
		if (ioctl(fd, GOTRACE_IOC_STATUS, &st) < 0) {
			dev_ioctl_err("status", errno);
			free(cs);
			close(fd);
			return EXIT_ERR;
		}
		if (st.nr_cpus <= nr)
			break;
		nr = st.nr_cpus;
		free(cs);
		cs = calloc(nr, sizeof(*cs));
		if (!cs) {
			gt_err("%s", strerror(ENOMEM));
			close(fd);
			return EXIT_ERR;
		}
	}
	close(fd);
	if (nr > st.nr_cpus)
		nr = st.nr_cpus;
	if (json)
		print_json(&st, cs, nr);
	else
		print_text(&st, cs, nr);
	free(cs);
	return EXIT_OK;
}
