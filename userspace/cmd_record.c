// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace record: start a trace, copy the stream of /dev/gotrace to a file
 * while a command runs (or for some time, or until SIGINT/SIGTERM), then
 * stop the trace and read it to its end.
 *
 * One thread, one poll() loop over the device, a signalfd and timerfds.
 *
 * Into a regular file, the stream goes by splice(2), device -> pipe ->
 * file, without a copy through this process: with --raw into FILE itself,
 * else into an unnamed temporary file beside it, which is packed into
 * FILE (each BATCH as a PACKED record, pack_stream.c) once the trace has
 * ended, at idle priority, so the traced workload never waits for zstd.
 * The records are followed as they are packed, or, with --raw, by a walk
 * over the fixed part of each record of FILE at the end.  Into anything
 * else (a pipe, -o -), or from a module without splice, the stream is
 * read(), followed and packed as it goes by.
 *
 * Exit status: 0 the trace is complete, 2 complete but events were lost,
 * 1 on errors or an incomplete trace, 127 when COMMAND cannot be executed.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "common.h"
#include "opts.h"
#include "pack_stream.h"

#define READ_CHUNK	(1024 * 1024)
/* The pipe between device and file: as large as pipe-max-size allows. */
#define SPLICE_PIPE	(1024 * 1024)

static const struct gt_cmdopt record_opts[] = {
	{ GO_OUTPUT, "trace file to write (required; - for stdout)" },
	{ GO_DURATION },
	{ GO_COMMAND_ONLY },
	{ GO_NO_SYMBOLS },
	{ GO_NO_PACK },
	{ GO_NO_SPLICE },
	{ GO_PACK_LEVEL },
	GT_START_OPTS,
	{ GO_HELP },
	{ GO_END }
};

static const struct gt_cmdspec record_cmd = {
	.name = "record",
	.synopsis = "-o FILE [-e GROUPS] [-b SIZE] [--flush-ms N]\n"
		    "                      [--stacks[=EVS]] [-p PID | --tid TID] [-C LIST]\n"
		    "                      [-d SECONDS] [-c] [--discard] [--no-pack]\n"
		    "                      [--no-splice]\n"
		    "                      [-- COMMAND [ARGS...]]",
	.about = "Trace while COMMAND runs, for SECONDS, or until SIGINT/SIGTERM, and\n"
		 "save the stream to FILE.\n",
	.opts = record_opts,
	.notes = "Exit status: 0 the trace is complete, 2 it is complete but events were\n"
		 "lost (or a usage error: then nothing ran), 1 on errors or when the\n"
		 "trace is incomplete, 127 when COMMAND cannot be executed.  The exit\n"
		 "status of COMMAND is reported, not returned.\n",
	.flags = GT_CMD_POSIX,
};

/* What the records of the stream say, as it is copied. */
struct tracker {
	struct gt_stream scan;
	int have_header;
	int have_end;
	struct gotrace_header header;
	struct gotrace_end end;
	uint64_t events;	/* nr_events of the batches so far */
	uint64_t lost;
	uint64_t batches;
};

/* The scanner holds the fixed part of each record (of either version). */
static int track_piece(void *arg, const struct gt_piece *pc)
{
	struct tracker *t = arg;
	struct gotrace_batch b;

	if (pc->kind != GT_PIECE_RECORD && pc->kind != GT_PIECE_HEAD)
		return 0;
	switch (pc->type) {
	case GOTRACE_REC_HEADER:
		memset(&t->header, 0, sizeof(t->header));
		memcpy(&t->header, pc->data,
		       pc->n < sizeof(t->header) ? pc->n : sizeof(t->header));
		t->have_header = 1;
		break;
	case GOTRACE_REC_BATCH:
		memcpy(&b, pc->data, sizeof(b));
		t->events += b.nr_events;
		t->lost += b.lost;
		t->batches++;
		break;
	case GOTRACE_REC_END:
		memset(&t->end, 0, sizeof(t->end));
		memcpy(&t->end, pc->data,
		       pc->n < sizeof(t->end) ? pc->n : sizeof(t->end));
		t->have_end = 1;
		break;
	}
	return 0;
}

struct recorder {
	const char *path;
	int dev;
	int out;
	int out_is_stdout;	/* -o -: COMMAND's stdout goes to stderr */
	int sfd;
	int tfd_dur;
	int tfd_prog;
	pid_t child;
	int go_fd;
	int err_fd;
	int child_status;
	int child_done;
	int stopped;
	int eof;
	int write_failed;
	int interrupted;
	int progress_shown;
	uint64_t written;
	struct timespec t0;
	struct tracker tr;
	struct pack_stream *ps;	/* NULL: --raw */
	uint64_t raw_bytes;	/* bytes read from the device */
	uint8_t *buf;
	int splice;		/* device -> pipe[] -> sink by splice(2) */
	int pipe[2];
	int sink;		/* out, or tmp */
	int tmp;		/* raw stream to pack at the end, or -1 */
};

static double elapsed(const struct recorder *rc)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - rc->t0.tv_sec) + (t.tv_nsec - rc->t0.tv_nsec) / 1e9;
}

static void stop_trace(struct recorder *rc)
{
	if (rc->stopped)
		return;
	rc->stopped = 1;
	if (ioctl(rc->dev, GOTRACE_IOC_STOP, 0UL) < 0 && errno != EINVAL)
		dev_ioctl_err("cannot stop the trace", errno);
}

static void clear_progress(struct recorder *rc)
{
	if (rc->progress_shown) {
		fprintf(stderr, "\r%-78s\r", "");
		rc->progress_shown = 0;
	}
}

static void show_progress(struct recorder *rc)
{
	uint64_t events = rc->tr.events, lost = rc->tr.lost;
	uint64_t bytes = rc->written;
	struct gotrace_status st;

	/* Spliced records go by unseen: the device's counts instead. */
	if (rc->splice) {
		memset(&st, 0, sizeof(st));
		st.size = sizeof(st);
		if (!ioctl(rc->dev, GOTRACE_IOC_STATUS, &st)) {
			events = st.events;
			lost = st.lost;
		}
		bytes = rc->raw_bytes;
	}
	fprintf(stderr, "\rgotrace: %s %.0f s, %llu events, %.1f MiB, %llu lost ",
		rc->stopped ? "finishing" : "recording", elapsed(rc),
		(unsigned long long)events, bytes / 1048576.0,
		(unsigned long long)lost);
	rc->progress_shown = 1;
}

/* Write all of buf; 0 or -1 after an error message (the trace stops). */
static int write_out(void *arg, const uint8_t *buf, size_t n)
{
	struct recorder *rc = arg;

	while (n) {
		ssize_t w = write(rc->out, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			clear_progress(rc);
			if (errno == ENOSPC)
				gt_err("%s: %s: stopping the trace; the file is valid up to byte %llu",
				       rc->path, strerror(errno),
				       (unsigned long long)rc->written);
			else
				gt_err("%s: write error: %s: stopping the trace; the file is valid up to byte %llu",
				       rc->path, strerror(errno),
				       (unsigned long long)rc->written);
			return -1;
		}
		rc->written += w;
		buf += w;
		n -= w;
	}
	return 0;
}

/* The device refused a read or splice: one line, -1. */
static int dev_read_err(struct recorder *rc, int err)
{
	clear_progress(rc);
	if (err == EBUSY)
		gt_err("reading %s: another process is reading the trace",
		       GOTRACE_DEVICE);
	else
		gt_err("reading %s: %s", GOTRACE_DEVICE, strerror(err));
	return -1;
}

/* n bytes of the stream in rc->buf: followed, packed or written. */
static void consume(struct recorder *rc, size_t n)
{
	if (rc->write_failed)
		return;		/* drain the trace, keep the file as it is */
	gt_stream_feed(&rc->tr.scan, rc->buf, n);
	rc->raw_bytes += n;
	if (rc->ps ? ps_feed(rc->ps, rc->buf, n) : write_out(rc, rc->buf, n)) {
		rc->write_failed = 1;
		stop_trace(rc);
	}
}

/* One read() from the device; -1 on a read error. */
static int read_dev(struct recorder *rc)
{
	ssize_t n = read(rc->dev, rc->buf, READ_CHUNK);

	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		return dev_read_err(rc, errno);
	}
	if (n == 0) {
		rc->eof = 1;
		return 0;
	}
	consume(rc, n);
	return 0;
}

/* A write to the sink failed: say what is left, stop the trace. */
static void sink_err(struct recorder *rc, int err)
{
	clear_progress(rc);
	if (rc->sink == rc->tmp)
		gt_err("%s: temporary file: %s: stopping the trace; nothing of it is kept",
		       rc->path, strerror(err));
	else if (err == ENOSPC)
		gt_err("%s: %s: stopping the trace; the file is valid up to byte %llu",
		       rc->path, strerror(err),
		       (unsigned long long)rc->written);
	else
		gt_err("%s: write error: %s: stopping the trace; the file is valid up to byte %llu",
		       rc->path, strerror(err),
		       (unsigned long long)rc->written);
	rc->write_failed = 1;
	stop_trace(rc);
}

/* From here on the stream is read(), followed and written as it goes. */
static void splice_off(struct recorder *rc)
{
	rc->splice = 0;
	rc->sink = rc->out;
	if (rc->tmp >= 0)
		close(rc->tmp);
	rc->tmp = -1;
}

/*
 * One splice from the device into the pipe, then from the pipe into the
 * sink; -1 on a device error.  A module without splice_read (EINVAL
 * before any byte) sends the rest of the stream through read().
 */
static int splice_dev(struct recorder *rc)
{
	ssize_t n = splice(rc->dev, NULL, rc->pipe[1], NULL, SPLICE_PIPE,
			   SPLICE_F_NONBLOCK);

	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		if (errno == EINVAL && !rc->raw_bytes) {
			splice_off(rc);
			return 0;
		}
		return dev_read_err(rc, errno);
	}
	if (n == 0) {
		rc->eof = 1;
		return 0;
	}
	while (n > 0) {
		ssize_t w = splice(rc->pipe[0], NULL, rc->sink, NULL, n,
				   SPLICE_F_MOVE);

		if (w < 0 && errno == EINTR)
			continue;
		/*
		 * A file system without splice_write: the first bytes, still
		 * all in the pipe, and the rest of the stream go by read().
		 */
		if (w < 0 && errno == EINVAL && !rc->raw_bytes) {
			splice_off(rc);
			w = read(rc->pipe[0], rc->buf, n);
			if (w != n)
				return dev_read_err(rc, w < 0 ? errno : EIO);
			consume(rc, n);
			return 0;
		}
		if (w <= 0) {
			sink_err(rc, w < 0 ? errno : EIO);
			/* What is left of the trace is read and dropped. */
			splice_off(rc);
			return 0;
		}
		if (rc->sink == rc->out)
			rc->written += w;
		rc->raw_bytes += w;
		n -= w;
	}
	return 0;
}

static void handle_signals(struct recorder *rc)
{
	struct signalfd_siginfo si;

	while (read(rc->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			int st;

			if (rc->child > 0 && !rc->child_done &&
			    waitpid(rc->child, &st, WNOHANG) == rc->child) {
				rc->child_done = 1;
				rc->child_status = st;
				stop_trace(rc);
			}
			continue;
		}
		/* SIGINT or SIGTERM */
		if (rc->stopped && rc->interrupted) {
			clear_progress(rc);
			gt_err("interrupted again: abandoning the rest of the trace");
			rc->eof = -1;
			return;
		}
		rc->interrupted = 1;
		if (rc->child > 0 && !rc->child_done)
			kill(rc->child, si.ssi_signo);
		stop_trace(rc);
	}
}

static int make_timer(double first, double interval)
{
	struct itimerspec its;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0) {
		gt_err("timerfd_create: %s", strerror(errno));
		return -1;
	}
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)first;
	its.it_value.tv_nsec = (long)((first - (time_t)first) * 1e9);
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	its.it_interval.tv_sec = (time_t)interval;
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		gt_err("timerfd_settime: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Fork the child that runs COMMAND: it waits for the go of spawn_go() (so
 * that the trace, possibly filtered on its pid, starts first), resets the
 * signal mask and dispositions and execs.  Return 0 or an errno.
 */
static int spawn_prepare(struct recorder *rc, char **argv,
			 const sigset_t *oldmask)
{
	int go[2], ep[2], err;

	if (pipe2(go, O_CLOEXEC) < 0)
		return errno;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		err = errno;
		close(go[0]);
		close(go[1]);
		return err;
	}
	fflush(NULL);
	rc->child = fork();
	if (rc->child < 0) {
		err = errno;
		close(go[0]);
		close(go[1]);
		close(ep[0]);
		close(ep[1]);
		return err;
	}
	if (!rc->child) {
		static const int sigs[] = {
			SIGINT, SIGTERM, SIGCHLD, SIGPIPE, SIGQUIT, SIGHUP,
		};
		size_t i;
		char c;

		close(go[1]);
		close(ep[0]);
		/* EOF without a byte: the trace did not start */
		if (read(go[0], &c, 1) != 1)
			_exit(EXIT_NOEXEC);
		for (i = 0; i < ARRAY_SIZE(sigs); i++)
			signal(sigs[i], SIG_DFL);
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		/* The trace goes to stdout (-o -): COMMAND's output must not. */
		if (rc->out_is_stdout &&
		    dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(EXIT_NOEXEC);
		execvp(argv[0], argv);
		err = errno;
		if (write(ep[1], &err, sizeof(err)) < 0)
			_exit(EXIT_NOEXEC);
		_exit(EXIT_NOEXEC);
	}
	close(go[0]);
	close(ep[1]);
	rc->go_fd = go[1];
	rc->err_fd = ep[0];
	return 0;
}

/* Let the child exec; return 0, or the errno of its failed exec. */
static int spawn_go(struct recorder *rc)
{
	int err = 0;
	ssize_t n;

	if (write(rc->go_fd, "g", 1) != 1)
		err = errno;
	close(rc->go_fd);
	rc->go_fd = -1;
	do {
		n = read(rc->err_fd, &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(rc->err_fd);
	rc->err_fd = -1;
	if (n == sizeof(err)) {
		waitpid(rc->child, NULL, 0);
		rc->child = -1;
		return err ? err : ENOEXEC;
	}
	return 0;
}

/* The trace did not start: the waiting child exits without exec. */
static void spawn_cancel(struct recorder *rc)
{
	if (rc->child <= 0)
		return;
	close(rc->go_fd);
	close(rc->err_fd);
	rc->go_fd = -1;
	rc->err_fd = -1;
	waitpid(rc->child, NULL, 0);
	rc->child = -1;
}

/* The trace did not start: do not leave an empty file behind. */
static void remove_output(struct recorder *rc, int to_stdout)
{
	if (!to_stdout)
		unlink(rc->path);
}

static int loop(struct recorder *rc)
{
	while (rc->eof == 0) {
		struct pollfd pfd[4];
		int n = 0, i_dev, i_sig, i_dur = -1, i_prog = -1;
		uint64_t ticks;

		pfd[n].fd = rc->dev;
		pfd[n].events = POLLIN;
		i_dev = n++;
		pfd[n].fd = rc->sfd;
		pfd[n].events = POLLIN;
		i_sig = n++;
		if (rc->tfd_dur >= 0) {
			pfd[n].fd = rc->tfd_dur;
			pfd[n].events = POLLIN;
			i_dur = n++;
		}
		if (rc->tfd_prog >= 0) {
			pfd[n].fd = rc->tfd_prog;
			pfd[n].events = POLLIN;
			i_prog = n++;
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			gt_err("poll: %s", strerror(errno));
			return -1;
		}
		if (pfd[i_sig].revents & POLLIN) {
			handle_signals(rc);
			if (rc->eof)
				break;
		}
		if (i_dur >= 0 && (pfd[i_dur].revents & POLLIN)) {
			if (read(rc->tfd_dur, &ticks, sizeof(ticks)) > 0)
				stop_trace(rc);
		}
		if (i_prog >= 0 && (pfd[i_prog].revents & POLLIN)) {
			if (read(rc->tfd_prog, &ticks, sizeof(ticks)) > 0)
				show_progress(rc);
		}
		if (pfd[i_dev].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (rc->splice ? splice_dev(rc) : read_dev(rc))
				return -1;
		} else if (pfd[i_dev].revents & POLLNVAL) {
			gt_err("%s: poll: invalid file descriptor",
			       GOTRACE_DEVICE);
			return -1;
		}
	}
	return rc->eof < 0 ? -1 : 0;
}

/* Packing comes after the trace: at the lowest priority (best effort). */
static void idle_priority(void)
{
	struct sched_param sp = { 0 };

	if (setpriority(PRIO_PROCESS, 0, 19) == 0)
		sched_setscheduler(0, SCHED_IDLE, &sp);
}

/* The raw stream of the temporary file, followed and packed into FILE. */
static void pack_tmp(struct recorder *rc)
{
	off_t off = 0;
	ssize_t n;

	idle_priority();
	while ((n = pread(rc->tmp, rc->buf, READ_CHUNK, off)) > 0) {
		off += n;
		gt_stream_feed(&rc->tr.scan, rc->buf, n);
		if (ps_feed(rc->ps, rc->buf, n)) {
			rc->write_failed = 1;
			break;
		}
	}
	if (n < 0) {
		gt_err("%s: temporary file: %s", rc->path, strerror(errno));
		rc->write_failed = 1;
	}
}

/*
 * A raw stream spliced into FILE, followed for the summary: only the
 * fixed part of each record is read, the scanner says what to skip.
 */
static void track_output(struct recorder *rc)
{
	struct gt_stream *scan = &rc->tr.scan;
	off_t off = 0;
	ssize_t n;
	int fd = open(rc->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		gt_err("%s: %s", rc->path, strerror(errno));
		return;
	}
	while (!scan->bad && !scan->failed) {
		uint64_t skip = gt_stream_skippable(scan);

		if (skip) {
			gt_stream_skip(scan, skip);
			off += skip;
			continue;
		}
		n = pread(fd, rc->buf, 4096, off);
		if (n <= 0)
			break;
		gt_stream_feed(scan, rc->buf, n);
		off += n;
	}
	close(fd);
}

/*
 * The stream has ended: pack the temporary file, or follow the spliced
 * FILE, or write what the packer still holds.
 */
static void finish_output(struct recorder *rc)
{
	if (rc->tmp >= 0 && !rc->write_failed)
		pack_tmp(rc);
	else if (rc->sink == rc->out && rc->splice && !rc->write_failed)
		track_output(rc);
	if (rc->ps && !rc->write_failed && ps_finish(rc->ps))
		rc->write_failed = 1;
}

static int summary(struct recorder *rc)
{
	struct tracker *t = &rc->tr;
	struct gotrace_status st;
	uint64_t events, lost;
	double secs;

	clear_progress(rc);
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	if (ioctl(rc->dev, GOTRACE_IOC_STATUS, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (t->have_end) {
		events = t->end.events;
		lost = t->end.lost;
	} else {
		events = t->events;
		lost = t->lost > st.lost ? t->lost : st.lost;
	}
	if (t->have_end && t->have_header && t->end.stop_ns >= t->header.start_ns)
		secs = (t->end.stop_ns - t->header.start_ns) / 1e9;
	else
		secs = elapsed(rc);
	if (rc->write_failed) {
		fprintf(stderr, "gotrace: %s has %llu events (%llu bytes) from before the error\n",
			rc->path, (unsigned long long)t->events,
			(unsigned long long)rc->written);
		return EXIT_ERR;
	}
	fprintf(stderr, "gotrace: recorded %llu events (%llu lost) in %.2f s, ",
		(unsigned long long)events, (unsigned long long)lost, secs);
	fprintf(stderr, "%llu bytes (%.2f B/event",
		(unsigned long long)rc->written,
		events ? (double)rc->written / events : 0.0);
	if (rc->ps)
		fprintf(stderr, ", packed from %llu bytes",
			(unsigned long long)rc->raw_bytes);
	fprintf(stderr, ") to %s\n", rc->path);
	if (rc->child_done) {
		int s = rc->child_status;

		if (WIFEXITED(s) && WEXITSTATUS(s))
			gt_warn("the command exited with status %d",
				WEXITSTATUS(s));
		else if (WIFSIGNALED(s))
			gt_warn("the command was killed by signal %d (%s)",
				WTERMSIG(s), strsignal(WTERMSIG(s)));
	} else if (rc->child > 0) {
		gt_warn("the command (pid %d) is still running",
			(int)rc->child);
	}
	if (t->scan.bad)
		gt_warn("the stream did not parse as a gotrace stream: %s",
			t->scan.err);
	if (rc->write_failed)
		return EXIT_ERR;
	if (!t->have_end) {
		gt_err("the trace is incomplete (no END record in %s)",
		       rc->path);
		return EXIT_ERR;
	}
	if (lost) {
		gt_warn("%llu events were lost (try a bigger -b or a smaller --flush-ms)",
			(unsigned long long)lost);
		return EXIT_LOST;
	}
	return EXIT_OK;
}

/* What the command line asks of record, but for the output path. */
struct record_opts {
	struct start_opts so;
	double duration;	/* 0: none */
	char **cmd;		/* COMMAND, or NULL */
	unsigned long pack_level;
	int only_cmd;
	int no_syms;
	int raw;
	int no_splice;
};

/* The options of cmd_record(); -1 when it is done (*status). */
static int record_args(int argc, char **argv, struct record_opts *ro,
		       const char **path, int *status)
{
	struct gt_args a;
	int id;

	gt_args_init(&a, &record_cmd, argc, argv);
	while ((id = gt_args_next(&a)) > 0) {
		switch (id) {
		case GO_OUTPUT:
			*path = a.arg;
			continue;
		case GO_DURATION:
			if (parse_seconds(a.arg, &ro->duration))
				goto bad;
			continue;
		case GO_COMMAND_ONLY:
			ro->only_cmd = 1;
			continue;
		case GO_NO_SYMBOLS:
			ro->no_syms = 1;
			continue;
		case GO_NO_PACK:
			ro->raw = 1;
			continue;
		case GO_NO_SPLICE:
			ro->no_splice = 1;
			continue;
		case GO_PACK_LEVEL:
			if (parse_ulong(a.arg, "--pack-level", 1, 19,
					&ro->pack_level))
				goto bad;
			continue;
		}
		if (start_opt(&ro->so, id, a.arg) < 0)
			goto bad;
	}
	gt_args_free(&a);
	*status = a.status;
	if (id < 0)
		return -1;
	if (optind < argc)
		ro->cmd = argv + optind;
	if (!*path) {
		*status = gt_usage_err(&record_cmd, "-o FILE is required");
		return -1;
	}
	return 0;
bad:
	gt_args_free(&a);
	*status = EXIT_USAGE;
	return -1;
}

/* An unnamed file beside path for the raw stream, or -1. */
static int open_tmp(const char *path)
{
	char *copy = strdup(path);
	int fd = -1;

	if (copy) {
		fd = open(dirname(copy), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		free(copy);
	}
	return fd;
}

/*
 * Splice into a regular file: FILE itself with --raw, else a temporary
 * file to pack at the end.  Anything else is read().
 */
static void record_splice_open(struct recorder *rc)
{
	struct stat st;

	if (rc->out_is_stdout || fstat(rc->out, &st) || !S_ISREG(st.st_mode))
		return;
	if (rc->ps) {
		rc->tmp = open_tmp(rc->path);
		if (rc->tmp < 0)
			return;
		rc->sink = rc->tmp;
	}
	if (pipe2(rc->pipe, O_CLOEXEC)) {
		rc->pipe[0] = -1;
		rc->pipe[1] = -1;
		splice_off(rc);
		return;
	}
	/* Fewer round trips with a larger pipe; the default does too. */
	fcntl(rc->pipe[1], F_SETPIPE_SZ, SPLICE_PIPE);
	rc->splice = 1;
}

/* The read buffer, the packer, the device and the output file. */
static int record_open(struct recorder *rc, const struct record_opts *ro,
		       struct pack_stream *ps)
{
	rc->buf = malloc(READ_CHUNK);
	if (!rc->buf || gt_stream_init(&rc->tr.scan, track_piece, NULL,
				       &rc->tr)) {
		gt_err("%s", strerror(ENOMEM));
		return -1;
	}
	if (!ro->raw) {
		if (ps_init(ps, 0, (int)ro->pack_level, write_out, rc)) {
			ps_free(ps);
			gt_err("%s", strerror(ENOMEM));
			return -1;
		}
		rc->ps = ps;
	}
	/* non-blocking: only the poll() loop waits */
	rc->dev = dev_open(O_RDONLY | O_NONBLOCK);
	if (rc->dev < 0)
		return -1;
	if (!strcmp(rc->path, "-")) {
		rc->out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		rc->out_is_stdout = 1;
		rc->path = "<stdout>";
	} else {
		rc->out = open(rc->path,
			       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	if (rc->out < 0) {
		gt_err("%s: %s", rc->path, strerror(errno));
		return -1;
	}
	rc->sink = rc->out;
	if (!ro->no_splice)
		record_splice_open(rc);
	return 0;
}

/*
 * What the poll() loop waits for besides the device: SIGINT, SIGTERM and
 * SIGCHLD (blocked from now on: a late SIGINT must not kill us), the
 * duration and the progress line.
 */
static int record_events(struct recorder *rc, double duration,
			 sigset_t *oldmask)
{
	sigset_t mask;

	/* a closed output pipe is a write error (EPIPE), not a death */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, oldmask);
	rc->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (rc->sfd < 0) {
		gt_err("signalfd: %s", strerror(errno));
		return -1;
	}
	if (duration > 0) {
		rc->tfd_dur = make_timer(duration, 0);
		if (rc->tfd_dur < 0)
			return -1;
	}
	if (isatty(STDERR_FILENO)) {
		rc->tfd_prog = make_timer(1, 1);
		if (rc->tfd_prog < 0)
			return -1;
	}
	return 0;
}

/* Start the trace and COMMAND, copy the stream to its end: the status. */
static int record_trace(struct recorder *rc, struct record_opts *ro,
			const sigset_t *oldmask)
{
	char **cmd = ro->cmd;
	int err, status;

	if (cmd) {
		err = spawn_prepare(rc, cmd, oldmask);
		if (err) {
			gt_err("cannot run '%s': %s", cmd[0], strerror(err));
			remove_output(rc, rc->out_is_stdout);
			return EXIT_ERR;
		}
		if (ro->only_cmd) {
			ro->so.filter_pid = rc->child;
			ro->so.filter_flags = GOTRACE_FILTER_TGID |
					      GOTRACE_FILTER_CHILDREN;
		}
	} else if (ro->only_cmd) {
		gt_err("record: --command-only needs a COMMAND");
		remove_output(rc, rc->out_is_stdout);
		return EXIT_ERR;
	}
	if (start_trace(rc->dev, &ro->so)) {
		spawn_cancel(rc);
		remove_output(rc, rc->out_is_stdout);
		return EXIT_ERR;
	}
	clock_gettime(CLOCK_MONOTONIC, &rc->t0);
	if (cmd) {
		err = spawn_go(rc);
		if (err) {
			gt_err("cannot execute '%s': %s", cmd[0], strerror(err));
			stop_trace(rc);
			loop(rc);
			finish_output(rc);
			return EXIT_NOEXEC;
		}
	}
	if (loop(rc) < 0) {
		stop_trace(rc);
		finish_output(rc);
		return EXIT_ERR;
	}
	finish_output(rc);
	if (close(rc->out) < 0 && !rc->write_failed) {
		gt_err("%s: %s", rc->path, strerror(errno));
		rc->write_failed = 1;
	}
	rc->out = -1;
	status = summary(rc);
	if (rc->tr.have_end && !rc->write_failed && ro->so.stacks &&
	    !ro->no_syms && !rc->out_is_stdout) {
		size_t nsyms, nstacks;

		if (!append_symbols(rc->path, &nsyms, &nstacks) && nstacks)
			fprintf(stderr, "gotrace: %zu stacks, %zu kernel symbols added\n",
				nstacks, nsyms);
	}
	return status;
}

static void record_close(struct recorder *rc)
{
	clear_progress(rc);
	gt_stream_free(&rc->tr.scan);
	if (rc->tfd_dur >= 0)
		close(rc->tfd_dur);
	if (rc->tfd_prog >= 0)
		close(rc->tfd_prog);
	if (rc->sfd >= 0)
		close(rc->sfd);
	if (rc->out >= 0)
		close(rc->out);
	if (rc->dev >= 0)
		close(rc->dev);
	if (rc->tmp >= 0)
		close(rc->tmp);
	if (rc->pipe[0] >= 0)
		close(rc->pipe[0]);
	if (rc->pipe[1] >= 0)
		close(rc->pipe[1]);
	free(rc->buf);
	if (rc->ps)
		ps_free(rc->ps);
}

int cmd_record(int argc, char **argv)
{
	struct record_opts ro = { .pack_level = GT_PACK_LEVEL };
	struct recorder rc;
	struct pack_stream ps;
	sigset_t oldmask;
	int status = EXIT_ERR;

	memset(&rc, 0, sizeof(rc));
	rc.dev = -1;
	rc.out = -1;
	rc.sfd = -1;
	rc.tfd_dur = -1;
	rc.tfd_prog = -1;
	rc.go_fd = -1;
	rc.err_fd = -1;
	rc.child = -1;
	rc.tmp = -1;
	rc.pipe[0] = -1;
	rc.pipe[1] = -1;
	if (record_args(argc, argv, &ro, &rc.path, &status)) {
		start_opts_free(&ro.so);
		return status;
	}
	status = EXIT_ERR;
	if (!record_open(&rc, &ro, &ps) &&
	    !record_events(&rc, ro.duration, &oldmask))
		status = record_trace(&rc, &ro, &oldmask);
	record_close(&rc);
	start_opts_free(&ro.so);
	return status;
}
