// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace convert --format=perfetto-proto: Perfetto's own protobuf trace
 * (perfetto.protos.Trace), as traced_probes writes it from ftrace, so that
 * Perfetto's trace processor gives CPU tracks and thread states (from
 * sched_switch and sched_waking), direct reclaim slices, and every page,
 * vmscan and compaction event in its ftrace_event table with its fields.
 *
 * Packets, each on trusted_packet_sequence_id 1:
 *   system_info (utsname.release: the trace processor decodes sched_switch
 *     prev_state by the kernel version; page size, CPUs);
 *   ftrace_events: an FtraceEventBundle per CPU of up to BUNDLE_BYTES of
 *     events, in time order, lost_events set on the bundle that follows
 *     events the CPU lost;
 *   process_tree at the end: every task seen, with its tgid and last name
 *     (TASKS record, sched_process_fork, COMM).
 * A flight snapshot's fired triggers (libgotrace's gt_fired_at()) go on
 * sequence 2: a track_descriptor per CPU that fired one, "cpu N
 * triggers" (the trace processor's CPU tracks take no TrackEvents), and
 * an instant TrackEvent per fired trigger on it at its event's time, named
 * as the JSON conversion names it ("trigger reclaim:10ms"), with the CPU,
 * task, event and what it measured as debug annotations.
 *
 * Each event keeps the fields gotrace records (struct page addresses and
 * compaction's migrate/free pfns are not recorded, so they are absent);
 * FtraceEvent.pid is the current task (ftrace's common_pid): the event's
 * own pid field where the schema has it (CURRENT), sched_switch's
 * prev_pid, or the task running on the CPU (from sched_switch) for
 * wakeups, migrations and kswapd events.  Memory: one bundle per CPU and
 * the task table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "convert.h"
#include "protobuf.h"

#define BUNDLE_BYTES	(64 * 1024)
#define SEQ_ID		1
#define SEQ_ID_MARKS	2
#define SEQ_INCREMENTAL_STATE_CLEARED	1
#define TRIGGER_TRACK(cpu)	((uint64_t)(cpu) + 1)	/* uuid, not 0 */

/* perfetto.protos field numbers (protos/perfetto/trace/...) */
enum {
	TRACE_PACKET = 1,

	PACKET_FTRACE_EVENTS = 1,
	PACKET_PROCESS_TREE = 2,
	PACKET_TIMESTAMP = 8,
	PACKET_SEQ_ID = 10,
	PACKET_TRACK_EVENT = 11,
	PACKET_SEQ_FLAGS = 13,
	PACKET_SYSTEM_INFO = 45,
	PACKET_TRACK_DESCRIPTOR = 60,

	BUNDLE_CPU = 1,
	BUNDLE_EVENT = 2,
	BUNDLE_LOST_EVENTS = 3,

	EVENT_TIMESTAMP = 1,
	EVENT_PID = 2,

	TREE_PROCESSES = 1,
	TREE_THREADS = 2,
	PROCESS_PID = 1,
	PROCESS_PPID = 2,
	PROCESS_CMDLINE = 3,
	THREAD_TID = 1,
	THREAD_NAME = 2,
	THREAD_TGID = 3,

	SYSINFO_UTSNAME = 1,
	SYSINFO_PAGE_SIZE = 6,
	SYSINFO_NUM_CPUS = 8,
	UTSNAME_SYSNAME = 1,
	UTSNAME_RELEASE = 3,
	UTSNAME_MACHINE = 4,

	TRACK_UUID = 1,
	TRACK_NAME = 2,
	TRACK_EVENT_ANNOTATIONS = 4,
	TRACK_EVENT_TYPE = 9,
	TRACK_EVENT_TRACK = 11,
	TRACK_EVENT_CATEGORIES = 22,
	TRACK_EVENT_NAME = 23,
	TRACK_EVENT_INSTANT = 3,
	ANNOTATION_UINT = 3,
	ANNOTATION_STRING = 6,
	ANNOTATION_NAME = 10,
};

/* FtraceEvent's oneof field of each event type; 0: not an ftrace event. */
static const unsigned int ftrace_field[GOTRACE_EV_COUNT] = {
	[GOTRACE_EV_SCHED_SWITCH]			= 4,
	[GOTRACE_EV_SCHED_WAKEUP]			= 17,
	[GOTRACE_EV_SCHED_WAKING]			= 20,
	[GOTRACE_EV_SCHED_WAKEUP_NEW]			= 114,
	[GOTRACE_EV_SCHED_PROCESS_EXEC]			= 237,
	[GOTRACE_EV_SCHED_PROCESS_EXIT]			= 238,
	[GOTRACE_EV_SCHED_PROCESS_FORK]			= 239,
	[GOTRACE_EV_SCHED_MIGRATE_TASK]			= 491,
	[GOTRACE_EV_MM_PAGE_ALLOC]			= 307,
	[GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG]		= 308,
	[GOTRACE_EV_MM_PAGE_FREE]			= 310,
	[GOTRACE_EV_MM_PAGE_FREE_BATCHED]		= 311,
	[GOTRACE_EV_MM_PAGE_PCPU_DRAIN]			= 312,
	[GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN]	= 46,
	[GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END]	= 47,
	[GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE]		= 48,
	[GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP]		= 49,
	[GOTRACE_EV_MM_COMPACTION_BEGIN]		= 99,
	[GOTRACE_EV_MM_COMPACTION_END]			= 103,
};

struct pt_task {
	uint32_t pid;
	uint32_t tgid;		/* 0: unknown */
	uint32_t ppid;		/* parent's tgid, 0: unknown */
};

struct pt_cpu {
	struct pb ev;		/* FtraceEvent messages of the open bundle */
	uint32_t cur;		/* task on the CPU (last sched_switch next) */
	int lost;		/* the open bundle follows lost events */
	int trigger_track;	/* its triggers' track is described */
};

struct pt {
	FILE *f;
	struct gt_reader *r;
	struct convert_stats *st;
	struct pb pkt;
	struct pt_cpu *cpus;
	uint32_t nr_cpus;
	struct cv_map tasks;	/* pid -> struct pt_task */
	const struct gt_loss *losses;
	long nr_losses, next_loss;
	int marks_seq;		/* sequence SEQ_ID_MARKS started */
	int err;
};

static struct pt_task *task_of(struct pt *p, uint32_t pid)
{
	const struct gotrace_task *ti;
	struct pt_task *t = cv_map_get(&p->tasks, pid);

	if (t || !pid)
		return t;
	t = cv_map_add_zeroed(&p->tasks, pid, sizeof(*t));
	if (!t) {
		p->err = -ENOMEM;
		return NULL;
	}
	t->pid = pid;
	ti = gt_task(p->r, pid);
	if (ti) {
		t->tgid = ti->tgid;
		t->ppid = ti->ppid;
	}
	p->st->tasks++;
	return t;
}

/*
 * ftrace's name of a task: its comm, "swapper/N" for the idle tasks; ""
 * when the trace does not name it (the field is then left out).
 */
static const char *comm_of(struct pt *p, uint32_t pid, uint32_t cpu,
			   char *buf, size_t n)
{
	const char *c;

	if (!pid) {
		snprintf(buf, n, "swapper/%u", cpu);
		return buf;
	}
	task_of(p, pid);
	c = gt_comm(p->r, pid);
	return c ? c : "";
}

static void put_comm(struct pb *b, unsigned int field, const char *comm)
{
	if (*comm)
		pb_str(b, field, comm);
}

static int write_pkt(struct pt *p)
{
	if (p->pkt.err)
		return p->pkt.err;
	if (fwrite(p->pkt.buf, 1, p->pkt.len, p->f) != p->pkt.len)
		return -EIO;
	pb_reset(&p->pkt);
	return 0;
}

static int flush_bundle(struct pt *p, uint32_t cpu)
{
	struct pt_cpu *c = &p->cpus[cpu];

	if (c->ev.err)
		return c->ev.err;
	if (!c->ev.len && !c->lost)
		return 0;
	pb_begin(&p->pkt, TRACE_PACKET);
	pb_begin(&p->pkt, PACKET_FTRACE_EVENTS);
	pb_varint(&p->pkt, BUNDLE_CPU, cpu);
	pb_raw(&p->pkt, c->ev.buf, c->ev.len);
	if (c->lost)
		pb_varint(&p->pkt, BUNDLE_LOST_EVENTS, 1);
	pb_end(&p->pkt);
	pb_varint(&p->pkt, PACKET_SEQ_ID, SEQ_ID);
	pb_end(&p->pkt);
	pb_reset(&c->ev);
	c->lost = 0;
	return write_pkt(p);
}

/* int32 fields: the value's 32-bit two's complement, sign-extended. */
static inline int64_t s32(uint64_t v)
{
	return (int32_t)(uint32_t)v;
}

static void put_event(struct pt *p, const struct gt_event *ev)
{
	struct pt_cpu *c = &p->cpus[ev->cpu];
	const uint64_t *x = ev->args;
	struct pb *b = &c->ev;
	uint64_t common = c->cur;
	struct pt_task *t;
	char n1[32], n2[32];

	switch (ev->type) {
	case GOTRACE_EV_SCHED_SWITCH:		/* prev_pid */
	case GOTRACE_EV_SCHED_PROCESS_FORK:	/* the parent */
	case GOTRACE_EV_SCHED_PROCESS_EXIT:
	case GOTRACE_EV_SCHED_PROCESS_EXEC:
		common = x[0];
		break;
	case GOTRACE_EV_SCHED_WAKEUP:
	case GOTRACE_EV_SCHED_WAKEUP_NEW:
	case GOTRACE_EV_SCHED_WAKING:
	case GOTRACE_EV_SCHED_MIGRATE_TASK:
	case GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE:
	case GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP:
		break;
	default:
		/* page, reclaim and compaction events: pid is the last arg */
		common = x[ev->nargs - 1];
		break;
	}
	pb_begin(b, BUNDLE_EVENT);
	pb_varint(b, EVENT_TIMESTAMP, ev->ts);
	pb_varint(b, EVENT_PID, (uint32_t)common);
	pb_begin(b, ftrace_field[ev->type]);
	switch (ev->type) {
	case GOTRACE_EV_SCHED_SWITCH:
		put_comm(b, 1, comm_of(p, (uint32_t)x[0], ev->cpu, n1, sizeof(n1)));
		pb_int(b, 2, s32(x[0]));
		pb_int(b, 3, s32(x[1]));
		pb_int(b, 4, (int64_t)x[2]);
		put_comm(b, 5, comm_of(p, (uint32_t)x[3], ev->cpu, n2, sizeof(n2)));
		pb_int(b, 6, s32(x[3]));
		pb_int(b, 7, s32(x[4]));
		c->cur = (uint32_t)x[3];
		break;
	case GOTRACE_EV_SCHED_WAKEUP:
	case GOTRACE_EV_SCHED_WAKEUP_NEW:
	case GOTRACE_EV_SCHED_WAKING:
		put_comm(b, 1, comm_of(p, (uint32_t)x[0], ev->cpu, n1, sizeof(n1)));
		pb_int(b, 2, s32(x[0]));
		pb_int(b, 3, s32(x[1]));
		pb_int(b, 4, 1);	/* success: always 1 since 4.x */
		pb_int(b, 5, s32(x[2]));
		break;
	case GOTRACE_EV_SCHED_PROCESS_FORK:
		put_comm(b, 1, comm_of(p, (uint32_t)x[0], ev->cpu, n1, sizeof(n1)));
		pb_int(b, 2, s32(x[0]));
		/* the child runs under its parent's name until it execs */
		put_comm(b, 3, comm_of(p, (uint32_t)x[0], ev->cpu, n1, sizeof(n1)));
		pb_int(b, 4, s32(x[1]));
		t = task_of(p, (uint32_t)x[1]);
		if (t) {
			struct pt_task *parent = task_of(p, (uint32_t)x[0]);

			t->tgid = (uint32_t)x[2];
			if (t->tgid != t->pid)
				t->ppid = parent ? parent->ppid : 0;
			else if (parent)
				t->ppid = parent->tgid;
		}
		break;
	case GOTRACE_EV_SCHED_PROCESS_EXIT:
		put_comm(b, 1, comm_of(p, (uint32_t)x[0], ev->cpu, n1, sizeof(n1)));
		pb_int(b, 2, s32(x[0]));
		t = task_of(p, (uint32_t)x[0]);
		if (t && t->tgid)
			pb_int(b, 3, t->tgid);
		pb_int(b, 4, s32(x[1]));
		break;
	case GOTRACE_EV_SCHED_PROCESS_EXEC:
		pb_str(b, 1, ev->str ? ev->str : "");
		pb_int(b, 2, s32(x[0]));
		pb_int(b, 3, s32(x[1]));
		task_of(p, (uint32_t)x[0]);
		break;
	case GOTRACE_EV_SCHED_MIGRATE_TASK:
		put_comm(b, 1, comm_of(p, (uint32_t)x[0], ev->cpu, n1, sizeof(n1)));
		pb_int(b, 2, s32(x[0]));
		pb_int(b, 3, s32(x[1]));
		pb_int(b, 4, s32(x[2]));
		pb_int(b, 5, s32(x[3]));
		break;
	case GOTRACE_EV_MM_PAGE_ALLOC:
		pb_varint(b, 1, (uint32_t)x[2]);
		pb_int(b, 2, s32(x[3]));
		pb_varint(b, 3, (uint32_t)x[1]);
		pb_varint(b, 5, x[0]);
		break;
	case GOTRACE_EV_MM_PAGE_FREE:
		pb_varint(b, 1, (uint32_t)x[1]);
		pb_varint(b, 3, x[0]);
		break;
	case GOTRACE_EV_MM_PAGE_FREE_BATCHED:
		pb_varint(b, 3, x[0]);
		break;
	case GOTRACE_EV_MM_PAGE_PCPU_DRAIN:
		pb_int(b, 1, s32(x[2]));
		pb_varint(b, 2, (uint32_t)x[1]);
		pb_varint(b, 4, x[0]);
		break;
	case GOTRACE_EV_MM_PAGE_ALLOC_EXTFRAG:
		pb_int(b, 1, s32(x[3]));
		pb_int(b, 2, s32(x[1]));
		pb_int(b, 3, s32(x[4]));
		pb_int(b, 4, s32(x[2]));
		pb_varint(b, 7, x[0]);
		break;
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN:
		pb_int(b, 1, s32(x[0]));
		pb_varint(b, 3, (uint32_t)x[1]);
		break;
	case GOTRACE_EV_MM_VMSCAN_DIRECT_RECLAIM_END:
		pb_varint(b, 1, x[0]);
		break;
	case GOTRACE_EV_MM_VMSCAN_KSWAPD_WAKE:
		pb_int(b, 1, s32(x[0]));
		pb_int(b, 2, s32(x[2]));
		pb_int(b, 3, s32(x[1]));
		break;
	case GOTRACE_EV_MM_VMSCAN_KSWAPD_SLEEP:
		pb_int(b, 1, s32(x[0]));
		break;
	case GOTRACE_EV_MM_COMPACTION_BEGIN:
	case GOTRACE_EV_MM_COMPACTION_END:
		pb_varint(b, 1, x[0]);
		pb_varint(b, 4, x[1]);
		pb_varint(b, 5, !!x[2]);	/* sync: mode != MIGRATE_ASYNC */
		if (ev->type == GOTRACE_EV_MM_COMPACTION_END)
			pb_int(b, 6, s32(x[3]));
		break;
	}
	pb_end(b);
	pb_end(b);
	if (ev->type != GOTRACE_EV_SCHED_SWITCH && common)
		task_of(p, (uint32_t)common);
	p->st->events_out++;
}

static void put_system_info(struct pt *p)
{
	const struct gotrace_header *h = gt_header(p->r);
	char buf[80];

	pb_begin(&p->pkt, TRACE_PACKET);
	pb_begin(&p->pkt, PACKET_SYSTEM_INFO);
	pb_begin(&p->pkt, SYSINFO_UTSNAME);
	pb_str(&p->pkt, UTSNAME_SYSNAME, "Linux");
	snprintf(buf, sizeof(buf), "%.*s", (int)sizeof(h->release),
		 h->release);
	pb_str(&p->pkt, UTSNAME_RELEASE, buf);
	snprintf(buf, sizeof(buf), "%.*s", (int)sizeof(h->machine),
		 h->machine);
	pb_str(&p->pkt, UTSNAME_MACHINE, buf);
	pb_end(&p->pkt);
	if (h->page_size)
		pb_varint(&p->pkt, SYSINFO_PAGE_SIZE, h->page_size);
	pb_varint(&p->pkt, SYSINFO_NUM_CPUS, h->nr_cpus);
	pb_end(&p->pkt);
	pb_varint(&p->pkt, PACKET_SEQ_ID, SEQ_ID);
	pb_end(&p->pkt);
}

struct tree_ctx {
	struct pt *p;
	int processes;		/* this pass writes processes, else threads */
};

static void put_tree_entry(void *val, void *arg)
{
	struct tree_ctx *tc = arg;
	struct pt_task *t = val;
	struct pb *b = &tc->p->pkt;
	const char *comm = gt_comm(tc->p->r, t->pid);

	if (tc->processes) {
		if (t->tgid != t->pid)
			return;
		pb_begin(b, TREE_PROCESSES);
		pb_int(b, PROCESS_PID, t->pid);
		if (t->ppid)
			pb_int(b, PROCESS_PPID, t->ppid);
		if (comm)
			pb_str(b, PROCESS_CMDLINE, comm);
		pb_end(b);
		return;
	}
	pb_begin(b, TREE_THREADS);
	pb_int(b, THREAD_TID, t->pid);
	if (comm)
		pb_str(b, THREAD_NAME, comm);
	if (t->tgid)
		pb_int(b, THREAD_TGID, t->tgid);
	pb_end(b);
}

static void put_process_tree(struct pt *p, uint64_t ts)
{
	struct tree_ctx tc = { .p = p, .processes = 1 };

	pb_begin(&p->pkt, TRACE_PACKET);
	pb_varint(&p->pkt, PACKET_TIMESTAMP, ts);
	pb_begin(&p->pkt, PACKET_PROCESS_TREE);
	cv_map_each(&p->tasks, put_tree_entry, &tc);
	tc.processes = 0;
	cv_map_each(&p->tasks, put_tree_entry, &tc);
	pb_end(&p->pkt);
	pb_varint(&p->pkt, PACKET_SEQ_ID, SEQ_ID);
	pb_end(&p->pkt);
}

static void put_annotation(struct pb *b, const char *name, uint64_t u,
			   const char *str)
{
	pb_begin(b, TRACK_EVENT_ANNOTATIONS);
	pb_str(b, ANNOTATION_NAME, name);
	if (str)
		pb_str(b, ANNOTATION_STRING, str);
	else
		pb_varint(b, ANNOTATION_UINT, u);
	pb_end(b);
}

/* The n triggers the event ev fired: an instant each on its CPU's track. */
static int put_trigger_marks(struct pt *p, const struct gt_event *ev,
			     const struct gotrace_fired *f, size_t n)
{
	struct pt_cpu *c = &p->cpus[ev->cpu];
	char name[64], buf[48];
	size_t i;
	int ret;

	if (!c->trigger_track) {
		pb_begin(&p->pkt, TRACE_PACKET);
		pb_begin(&p->pkt, PACKET_TRACK_DESCRIPTOR);
		pb_varint(&p->pkt, TRACK_UUID, TRIGGER_TRACK(ev->cpu));
		snprintf(name, sizeof(name), "cpu %u triggers", ev->cpu);
		pb_str(&p->pkt, TRACK_NAME, name);
		pb_end(&p->pkt);
		pb_varint(&p->pkt, PACKET_SEQ_ID, SEQ_ID_MARKS);
		if (!p->marks_seq)
			pb_varint(&p->pkt, PACKET_SEQ_FLAGS,
				  SEQ_INCREMENTAL_STATE_CLEARED);
		pb_end(&p->pkt);
		ret = write_pkt(p);
		if (ret)
			return ret;
		c->trigger_track = 1;
		p->marks_seq = 1;
	}
	for (i = 0; i < n; i++) {
		pb_begin(&p->pkt, TRACE_PACKET);
		pb_varint(&p->pkt, PACKET_TIMESTAMP, ev->ts);
		pb_begin(&p->pkt, PACKET_TRACK_EVENT);
		pb_varint(&p->pkt, TRACK_EVENT_TYPE, TRACK_EVENT_INSTANT);
		pb_varint(&p->pkt, TRACK_EVENT_TRACK, TRIGGER_TRACK(ev->cpu));
		pb_str(&p->pkt, TRACK_EVENT_CATEGORIES, "trigger");
		snprintf(name, sizeof(name), "trigger %s",
			 gt_fired_trigger_str(p->r, &f[i], buf, sizeof(buf)));
		pb_str(&p->pkt, TRACK_EVENT_NAME, name);
		put_annotation(&p->pkt, "cpu", f[i].cpu, NULL);
		put_annotation(&p->pkt, "pid", f[i].pid, NULL);
		put_annotation(&p->pkt, "event", 0, gt_event_name(f[i].event));
		if (*gt_fired_value_str(&f[i], buf, sizeof(buf)))
			put_annotation(&p->pkt, "measured", 0, buf);
		pb_end(&p->pkt);
		pb_varint(&p->pkt, PACKET_SEQ_ID, SEQ_ID_MARKS);
		pb_end(&p->pkt);
		ret = write_pkt(p);
		if (ret)
			return ret;
	}
	return 0;
}

/* Mark the bundles that follow losses seen up to ts. */
static int note_losses(struct pt *p, uint64_t ts)
{
	int ret = 0;

	while (p->next_loss < p->nr_losses &&
	       p->losses[p->next_loss].ts <= ts) {
		uint32_t cpu = p->losses[p->next_loss++].cpu;

		if (cpu >= p->nr_cpus)
			continue;
		/* the events before the loss go in their own bundle */
		ret = flush_bundle(p, cpu);
		if (ret)
			break;
		p->cpus[cpu].lost = 1;
	}
	return ret;
}

int convert_perfetto_proto(struct gt_reader *r, FILE *out,
			   const struct convert_opts *o,
			   struct convert_stats *st)
{
	const struct gotrace_header *h = gt_header(r);
	struct gt_filter sel = o->filter;
	const struct gotrace_fired *fired;
	uint64_t from, to;
	size_t nr_fired;
	struct gt_event ev;
	uint32_t c;
	int ret, ret2;
	struct pt p = {
		.f = out,
		.r = r,
		.st = st,
	};

	from = h->start_ns + o->filter.from_ns;
	to = o->filter.to_ns == ~0ULL ? ~0ULL : h->start_ns + o->filter.to_ns;
	p.nr_cpus = h->nr_cpus;
	p.cpus = calloc(p.nr_cpus ? p.nr_cpus : 1, sizeof(*p.cpus));
	if (!p.cpus)
		return -ENOMEM;
	for (c = 0; c < p.nr_cpus; c++)
		pb_init(&p.cpus[c].ev);
	pb_init(&p.pkt);
	cv_map_init(&p.tasks);
	p.nr_losses = gt_losses(r, &p.losses);
	if (p.nr_losses < 0) {
		ret = (int)p.nr_losses;
		goto out;
	}
	put_system_info(&p);
	ret = write_pkt(&p);
	while (!ret && (ret = gt_next(r, &ev)) > 0) {
		ret = 0;
		if (!GOTRACE_EV_IS_META(ev.type))
			st->events_in++;
		if (ev.ts > to)
			break;
		ret = note_losses(&p, ev.ts);
		if (ret || ev.ts < from || ev.cpu >= p.nr_cpus ||
		    ev.type >= GOTRACE_EV_COUNT)
			continue;
		/* an event that fired a trigger is marked, ftrace's or not */
		nr_fired = gt_fired_at(r, ev.cpu, ev.ts, ev.type, &fired);
		if (!ftrace_field[ev.type] && !nr_fired)
			continue;
		ret = gt_filter_select(&sel, r, &ev);
		if (ret <= 0)
			continue;
		ret = nr_fired ? put_trigger_marks(&p, &ev, fired, nr_fired) : 0;
		if (ret || !ftrace_field[ev.type])
			continue;
		put_event(&p, &ev);
		if (p.err)
			ret = p.err;
		else if (p.cpus[ev.cpu].ev.len >= BUNDLE_BYTES)
			ret = flush_bundle(&p, ev.cpu);
	}
	/* a decode error: what decoded is still written, then reported */
	if (ret != -ENOMEM && ret != -EIO) {
		ret2 = note_losses(&p, ~0ULL);
		for (c = 0; c < p.nr_cpus && !ret2; c++)
			ret2 = flush_bundle(&p, c);
		if (!ret2) {
			put_process_tree(&p, h->start_ns);
			ret2 = write_pkt(&p);
		}
		if (ret2)
			ret = ret2;
	}
out:
	for (c = 0; c < p.nr_cpus; c++)
		pb_free(&p.cpus[c].ev);
	free(p.cpus);
	pb_free(&p.pkt);
	cv_map_free(&p.tasks, 1);
	gt_filter_release(&sel);
	return ret < 0 ? ret : 0;
}
