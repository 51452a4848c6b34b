// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace flight: keep a flight recorder running with triggers, and save
 * its window each time one fires.  The probes decide (GOTRACE_START
 * triggers); this process sleeps in poll() until the device reports
 * EPOLLPRI, takes the fired triggers (GOTRACE_IOC_TRIGGERS), waits --after
 * and saves a snapshot to DIR/<time>-<trigger>.trace, through a temporary
 * file that appears under its name only once complete.
 *
 * A trigger whose event is in the window of the file just saved is in
 * that file's TRIGGERS record: it starts no other file.  Neither does one
 * within --cooldown of the start of the last save.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "gotrace_reader.h"
#include "opts.h"

#define DEFAULT_AFTER_NS	(100 * 1000000ULL)

static const struct gt_cmdopt flight_opts[] = {
	{ GO_OUTPUT_DIR },
	{ GO_TRIGGER },
	{ GO_AFTER },
	{ GO_MAX },
	{ GO_COOLDOWN },
	{ GO_FLIGHT, "the ring of the flight recorder per CPU\n"
		     "(64K, 4M, 1G; -b says the same)" },
	GT_START_OPTS,
	{ GO_NO_SYMBOLS, "do not append the kernel symbols of the stacks" },
	{ GO_QUIET, "only the line of each file saved" },
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec flight_cmd = {
	.name = "flight",
	.synopsis = "-o DIR -t SPEC [-t SPEC...] [OPTIONS]",
	.about = "Run a flight recorder and save its window to DIR/<time>-<trigger>.trace\n"
		 "each time a trigger fires, with --after of what followed.  The probes\n"
		 "check the triggers; this command sleeps until one fires.  It adds the\n"
		 "event groups its triggers need, prints a line per file, and runs until\n"
		 "SIGINT or SIGTERM (or --max files), then stops the trace and exits 0.\n",
	.opts = flight_opts,
	.notes = "Triggers:\n"
		 "  oom                an OOM kill (oom:mark_victim, the oom group)\n"
		 "  alloc-fail[:ORDER] a failed page allocation of order >= ORDER\n"
		 "  reclaim:T          a direct reclaim stall of at least T\n"
		 "  compaction:T       a direct compaction of at least T\n"
		 "  wakeup:T           a task woken that waited at least T to run\n",
	.flags = GT_CMD_POSIX,
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct flight {
	int fd;
	const char *dir;
	int quiet, no_syms;
	uint64_t after_ns, cooldown_ns;
	unsigned long max_files;
	uint64_t trace_id;	/* of the trace this command started */
	const struct gotrace_trigger *trigs;
	/* state */
	unsigned long files;
	uint64_t last_end_ns;	/* trace clock: end of the last file's window */
	struct timespec last_save;	/* CLOCK_MONOTONIC, 0: none yet */
	uint64_t skipped;	/* fired in a saved window or the cooldown */
};

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* Sleep ns; the signals stay blocked, so the save goes on after it. */
static void sleep_ns(uint64_t ns)
{
	struct timespec t = {
		.tv_sec = (time_t)(ns / 1000000000ULL),
		.tv_nsec = (long)(ns % 1000000000ULL),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &t, &t) == EINTR)
		;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/*
 * DIR/<local time>-<trigger>.trace ("20261202-103512.345-reclaim-10ms"),
 * "-2", "-3"... when a file of that name exists: link() does not replace.
 */
static int publish(const struct flight *fl, const char *tmp,
		   const struct gotrace_fired *f, char *path, size_t size)
{
	char stamp[32], trig[48], *c;
	struct timespec now;
	struct tm tm;
	int i;

	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	gt_trigger_str(f->kind, fl->trigs[f->index].value, trig, sizeof(trig));
	for (c = trig; *c; c++)
		if (*c == ':')
			*c = '-';
	for (i = 1; i < 100; i++) {
		if (i == 1)
			snprintf(path, size, "%s/%s.%03ld-%s.trace", fl->dir,
				 stamp, now.tv_nsec / 1000000, trig);
		else
			snprintf(path, size, "%s/%s.%03ld-%s-%d.trace", fl->dir,
				 stamp, now.tv_nsec / 1000000, trig, i);
		if (!link(tmp, path)) {
			unlink(tmp);
			return 0;
		}
		if (errno == EEXIST)
			continue;
		/* a file system without hard links: rename, checked first */
		if (access(path, F_OK) && errno == ENOENT &&
		    !rename(tmp, path))
			return 0;
		gt_err("%s: %s", path, strerror(errno));
		return -1;
	}
	gt_err("%s: too many files of that name", path);
	return -1;
}

/* Save the window for the fired triggers f[0..n): 0, or -1 (error said). */
static int save(struct flight *fl, const struct gotrace_fired *f, size_t n)
{
	struct gotrace_snapshot sn;
	char tmp[4096], path[4096], trig[48], val[48];
	int fd;

	clock_gettime(CLOCK_MONOTONIC, &fl->last_save);
	if (fl->after_ns)
		sleep_ns(fl->after_ns);
	snprintf(tmp, sizeof(tmp), "%s/.gotrace-flight.%d.tmp", fl->dir,
		 (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		gt_err("%s: %s", tmp, strerror(errno));
		return -1;
	}
	close(fd);
	if (snapshot_save(fl->fd, tmp, fl->no_syms, 1, &sn) ||
	    fsync_path(tmp) || publish(fl, tmp, f, path, sizeof(path))) {
		unlink(tmp);
		return -1;
	}
	fsync_path(fl->dir);
	fl->last_end_ns = sn.end_ns;
	fl->files++;
	gt_fired_value_str(f, val, sizeof(val));
	printf("%s: %s on cpu %u, pid %u%s%s%s", path,
	       gt_trigger_str(f->kind, fl->trigs[f->index].value, trig,
			      sizeof(trig)),
	       f->cpu, f->pid, val[0] ? " (" : "", val, val[0] ? ")" : "");
	if (n > 1)
		printf(", and %zu more", n - 1);
	printf("; %.3f s window, %llu bytes\n",
	       sn.start_ns && sn.end_ns > sn.start_ns ?
	       (sn.end_ns - sn.start_ns) / 1e9 : 0.0,
	       (unsigned long long)sn.bytes);
	fflush(stdout);
	return 0;
}

/*
 * Take what fired; save a file for those neither in the last file's
 * window nor in the cooldown.  0, or -1 after an error.
 */
static int take_fired(struct flight *fl)
{
	struct gotrace_fired buf[GOTRACE_FIRED_MAX], *f = buf;
	struct gotrace_triggers tr;
	size_t n, i;

	memset(&tr, 0, sizeof(tr));
	tr.size = sizeof(tr);
	tr.buf = (uint64_t)(uintptr_t)buf;
	tr.len = GOTRACE_FIRED_MAX;
	if (ioctl(fl->fd, GOTRACE_IOC_TRIGGERS, &tr) < 0) {
		dev_ioctl_err("cannot take the fired triggers", errno);
		return -1;
	}
	if (tr.missed)
		gt_warn("%llu fired triggers were missed (the module keeps the last %u)",
			(unsigned long long)tr.missed, GOTRACE_FIRED_MAX);
	/* in the window of the file saved last: in its TRIGGERS record */
	for (i = n = 0; i < tr.nr; i++) {
		if (fl->last_end_ns && buf[i].ts <= fl->last_end_ns)
			fl->skipped++;
		else
			buf[n++] = buf[i];
	}
	if (!n)
		return 0;
	if (fl->files && fl->cooldown_ns) {
		uint64_t since = mono_ns() -
			((uint64_t)fl->last_save.tv_sec * 1000000000ULL +
			 (uint64_t)fl->last_save.tv_nsec);

		if (since < fl->cooldown_ns) {
			if (!fl->quiet)
				gt_warn("%zu fired triggers within the cooldown: no new file",
					n);
			fl->skipped += n;
			return 0;
		}
	}
	for (i = 0; i < n; i++)
		if (f[i].flags & GOTRACE_FIRED_LOST && !fl->quiet)
			gt_warn("a trigger fired on an event that was lost (no buffer): the file holds what is around it");
	return save(fl, f, n);
}

/* 0 and *st filled, or -1. */
static int status(int fd, struct gotrace_status *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, GOTRACE_IOC_STATUS, st) ? -1 : 0;
}

/* Whether the trace this command started is still running. */
static int ours_running(const struct flight *fl)
{
	struct gotrace_status st;

	return !status(fl->fd, &st) && st.trace_id == fl->trace_id &&
	       st.state == GOTRACE_STATE_TRACING;
}

/*
 * The device is readable or reports an error, and nothing fired: a
 * running flight recorder is neither, so the trace was stopped or
 * replaced by someone else.
 */
static void poll_err(const struct flight *fl)
{
	if (!ours_running(fl))
		gt_err("the trace was stopped or replaced by someone else (gotrace stop?)");
	else
		gt_err("the device reports an error and no fired trigger: does the module know triggers?");
}

static int run(struct flight *fl)
{
	/* POLLIN: no longer a running flight recorder */
	struct pollfd pfd = { .fd = fl->fd, .events = POLLPRI | POLLIN };
	sigset_t block, old;
	int ret;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (;;) {
		/* the signals come only here: a save in progress completes */
		sigset_t wait = old;

		sigdelset(&wait, SIGINT);
		sigdelset(&wait, SIGTERM);
		if (stop_signal)
			break;
		ret = ppoll(&pfd, 1, NULL, &wait);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			gt_err("poll: %s", strerror(errno));
			return -1;
		}
		if (pfd.revents & POLLPRI) {
			if (take_fired(fl))
				return -1;
			if (fl->max_files && fl->files >= fl->max_files)
				break;
			continue;
		}
		if (pfd.revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) {
			poll_err(fl);
			return -1;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

static int check_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st)) {
		gt_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		gt_err("%s: not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK)) {
		gt_err("%s: cannot write there: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_flight(int argc, char **argv)
{
	struct gotrace_trigger trigs[GOTRACE_MAX_TRIGGERS];
	struct flight fl = { .fd = -1, .after_ns = DEFAULT_AFTER_NS };
	struct start_opts so = { 0 };
	struct sigaction sa;
	unsigned long v;
	uint32_t nr = 0, i;
	struct gt_args a;
	int id, ret;

	gt_args_init(&a, &flight_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		switch (id) {
		case GO_OUTPUT_DIR:
			fl.dir = a.arg;
			continue;
		case GO_TRIGGER:
			if (nr == GOTRACE_MAX_TRIGGERS) {
				gt_err("flight: at most %u triggers",
				       GOTRACE_MAX_TRIGGERS);
				ret = -1;
			} else {
				ret = parse_trigger(a.arg, &trigs[nr++]);
			}
			break;
		case GO_AFTER:
			ret = parse_trace_time(a.arg, "--after", &fl.after_ns);
			break;
		case GO_COOLDOWN:
			ret = parse_trace_time(a.arg, "--cooldown",
					       &fl.cooldown_ns);
			break;
		case GO_MAX:
			ret = parse_ulong(a.arg, "--max", 1, 1UL << 30, &v);
			fl.max_files = v;
			break;
		case GO_QUIET:
			fl.quiet = 1;
			continue;
		case GO_NO_SYMBOLS:
			fl.no_syms = 1;
			continue;
		default:
			ret = start_opt(&so, id, a.arg) < 0 ? -1 : 0;
			break;
		}
		if (ret) {
			a.status = EXIT_USAGE;
			id = -1;
			break;
		}
	}
	if (!id && gt_args_operands(&a, 0, 0, "no operands"))
		id = -1;
	if (!id && !fl.dir) {
		a.status = gt_usage_err(&flight_cmd, "-o DIR is required");
		id = -1;
	}
	if (!id && !nr) {
		a.status = gt_usage_err(&flight_cmd,
					"give at least one --trigger SPEC");
		id = -1;
	}
	gt_args_free(&a);
	if (id < 0) {
		start_opts_free(&so);
		return a.status;
	}
	if (check_dir(fl.dir)) {
		start_opts_free(&so);
		return EXIT_ERR;
	}
	/* the event groups the triggers need (0: all, which has them) */
	for (i = 0; i < nr && so.groups; i++)
		so.groups |= gt_trigger_groups(trigs[i].kind);
	so.flight = 1;
	so.triggers = trigs;
	so.nr_triggers = nr;
	fl.trigs = trigs;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fl.fd = dev_open(O_RDONLY);
	if (fl.fd < 0) {
		start_opts_free(&so);
		return EXIT_ERR;
	}
	ret = start_trace(fl.fd, &so);
	start_opts_free(&so);
	if (ret) {
		close(fl.fd);
		return EXIT_ERR;
	}
	{
		struct gotrace_status st;

		fl.trace_id = status(fl.fd, &st) ? 0 : st.trace_id;
	}
	if (!fl.quiet)
		fprintf(stderr, "gotrace: flight recorder running with %u trigger%s; saving to %s\n",
			nr, nr > 1 ? "s" : "", fl.dir);
	ret = run(&fl);
	/* stop ours, not a trace someone started since */
	if (ours_running(&fl) && ioctl(fl.fd, GOTRACE_IOC_STOP, 0) < 0 &&
	    errno != EINVAL && errno != ENOENT && errno != ESRCH) {
		dev_ioctl_err("cannot stop", errno);
		ret = -1;
	}
	close(fl.fd);
	if (!fl.quiet)
		fprintf(stderr, "gotrace: flight: %lu file%s saved, %llu fired triggers in their windows or cooldowns\n",
			fl.files, fl.files == 1 ? "" : "s",
			(unsigned long long)fl.skipped);
	return ret ? EXIT_ERR : EXIT_OK;
}
