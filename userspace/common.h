/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the gotrace subcommands.
 */
#ifndef GOTRACE_COMMON_H
#define GOTRACE_COMMON_H

#include <stdint.h>
#include <linux/gotrace.h>

#define GOTRACE_TOOL_VERSION	"0.1"

/* Exit statuses. */
#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_LOST	2	/* record: trace complete, events were lost */
#define EXIT_NOEXEC	127	/* record: COMMAND could not be executed */

__attribute__((format(printf, 1, 2)))
void gt_err(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void gt_warn(const char *fmt, ...);

/* Open /dev/gotrace; print a clear error and return -1 on failure. */
int dev_open(int flags);
/* Print a clear error for a failed ioctl (errno) named what. */
void dev_ioctl_err(const char *what, int err);

int parse_size(const char *s, uint32_t *out);
int parse_groups(const char *s, uint64_t *out);
int parse_ulong(const char *s, const char *what, unsigned long min,
		unsigned long max, unsigned long *out);
int parse_seconds(const char *s, double *out);

/* Start options common to "start" and "record". */
struct start_opts {
	uint64_t groups;
	uint32_t buffer_size;
	uint32_t flush_ms;
	int discard;
};

/* getopt_long codes of the shared options. */
enum {
	OPT_FLUSH_MS = 0x100,
	OPT_DISCARD,
	OPT_JSON,
	OPT_WAIT,
	OPT_RAW,
};

/* Handle one of -e, -b, --flush-ms, --discard; 1 if it was one, -1 error. */
int start_opt(struct start_opts *so, int opt, const char *arg);
/* ioctl(GOTRACE_IOC_START); print a clear error, return 0 or -1. */
int start_trace(int fd, const struct start_opts *so);
void groups_str(uint64_t groups, char *buf, size_t size);
const char *tp_name(unsigned int tp);

int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_dump(int argc, char **argv);

#endif /* GOTRACE_COMMON_H */
