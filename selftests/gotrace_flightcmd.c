// SPDX-License-Identifier: GPL-2.0
/*
 * gotrace_flightcmd: 'gotrace flight', end to end (issue 13, item 3).
 *
 * - oom: 'gotrace flight -o DIR -t oom --max 1 --stacks' runs while a
 *   memory hog in a memory cgroup of 32 MiB is OOM-killed: within
 *   seconds one DIR/<time>-oom.trace appears (no temporary file left)
 *   and the command exits 0 with its line; 'gotrace dump --stacks' of
 *   the file shows the hog's mark_victim event marked as the trigger and
 *   the hog's page allocations, each with its stack; 'gotrace stats'
 *   points at the trigger.  The OOM report's stack dump is taken out of
 *   the kernel log (the suite fails a test whose log has a "Call
 *   Trace"); the rest of the log goes back.
 * - busy: with a trace running, flight gives one line and exit 1, and
 *   the running trace is left as it was.
 * - stopped: 'gotrace stop' from elsewhere ends flight's wait: one line,
 *   exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gotrace_test.h"

#define GTC_TIMEOUT	300
#define GOTRACE_BIN	"/bin/gotrace"
#define HOG_LIMIT	(32U << 20)
#define DIR		"/tmp/gtc-flight"

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The whole of a file, NUL-terminated (malloc'ed), or NULL. */
static char *slurp(const char *path)
{
	struct stat sb;
	char *s;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	s = fstat(fd, &sb) ? NULL : malloc(sb.st_size + 1);
	if (!s) {
		close(fd);
		return NULL;
	}
	if (read(fd, s, sb.st_size) != sb.st_size) {
		free(s);
		close(fd);
		return NULL;
	}
	s[sb.st_size] = '\0';
	close(fd);
	return s;
}

FIXTURE(fc) {
	int unused;
};

FIXTURE_SETUP(fc)
{
	ASSERT_EQ(0, gtt_make_idle());
	if (access(GOTRACE_BIN, X_OK))
		SKIP(return, "no %s in this VM", GOTRACE_BIN);
	ASSERT_EQ(0, run("rm -rf " DIR " && mkdir -p " DIR));
}

FIXTURE_TEARDOWN(fc)
{
	gtt_make_idle();
	run("rm -rf " DIR);
}

/* The lines of text that contain all of a, b and c (b, c may be NULL). */
static int count_lines(const char *text, const char *a, const char *b,
		       const char *c, int with_stack)
{
	const char *line = text, *next;
	int n = 0;

	for (; line && *line; line = next) {
		char buf[1024];
		size_t len;

		next = strchr(line, '\n');
		len = next ? (size_t)(next - line) : strlen(line);
		if (next)
			next++;
		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		if (!strstr(buf, a) || (b && !strstr(buf, b)) ||
		    (c && !strstr(buf, c)))
			continue;
		/* dump --stacks: " => frame" lines follow the event */
		if (with_stack && (!next || strncmp(next, " => ", 4)))
			continue;
		n++;
	}
	return n;
}

TEST_F_TIMEOUT(fc, oom, GTC_TIMEOUT)
{
	char dir[128], path[192], cmd[512], pid_s[32], file[256];
	const char *root;
	uint64_t t0, t1;
	int st, reports, rc, allocs, stacked;
	char *out, *dump, *stats;
	pid_t flight, h;
	FILE *ls;

	ASSERT_EQ(0, gtt_cg2_mount());
	root = gtt_cg_root;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
	if (gtt_write_str(path, "+memory")) {
		gtt_cg2_umount();
		SKIP(return, "no cgroup2 memory controller");
	}
	snprintf(dir, sizeof(dir), "%s/gotrace-flightcmd", root);
	rmdir(dir);
	ASSERT_EQ(0, mkdir(dir, 0755));
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	ASSERT_EQ(0, gtt_write_str(path, "33554432"));

	flight = fork();
	ASSERT_LE(0, flight);
	if (flight == 0) {
		execl("/bin/sh", "sh", "-c",
		      "exec " GOTRACE_BIN " flight -o " DIR
		      " -t oom --max 1 --stacks -e page,sched >" DIR
		      "/../gtc-out 2>" DIR "/../gtc-err",
		      (char *)NULL);
		_exit(127);
	}
	/* running once its line is out */
	for (rc = 0; rc < 200; rc++) {
		out = slurp("/tmp/gtc-err");
		if (out && strstr(out, "running")) {
			free(out);
			break;
		}
		free(out);
		gtt_msleep(50);
	}
	t0 = gtt_now_ns();
	h = gtt_oom_hog(dir, HOG_LIMIT);
	ASSERT_LT(0, h);
	ASSERT_EQ(h, waitpid(h, &st, 0));
	/* the file within seconds: flight exits after it (--max 1) */
	for (rc = -1; gtt_now_ns() - t0 < 20000000000ULL;) {
		if (waitpid(flight, &rc, WNOHANG) == flight)
			break;
		rc = -1;
		gtt_msleep(20);
	}
	t1 = gtt_now_ns();
	if (rc == -1) {
		kill(flight, SIGTERM);
		waitpid(flight, NULL, 0);
	}
	reports = gtt_klog_drop_oom_traces();
	rmdir(dir);
	gtt_cg2_umount();
	TH_LOG("file saved %llu ms after the hog started",
	       (unsigned long long)((t1 - t0) / 1000000));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		TH_LOG("hog status %#x", st);
	EXPECT_LE(1, reports);
	ASSERT_TRUE(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0)
		TH_LOG("flight: status %#x", rc);
	EXPECT_GT(10000000000ULL, t1 - t0);

	/* one file, named by its trigger; nothing else */
	ls = popen("ls -A " DIR, "r");
	ASSERT_NE(NULL, ls);
	ASSERT_NE(NULL, fgets(file, sizeof(file), ls));
	EXPECT_EQ(NULL, fgets(cmd, sizeof(cmd), ls)) TH_LOG("also %s", cmd);
	pclose(ls);
	file[strcspn(file, "\n")] = '\0';
	EXPECT_TRUE(strlen(file) > 10 &&
		    !strcmp(file + strlen(file) - 10, "-oom.trace"))
		TH_LOG("%s", file);
	out = slurp("/tmp/gtc-out");
	ASSERT_NE(NULL, out);
	TH_LOG("flight: %s", out);
	snprintf(pid_s, sizeof(pid_s), "pid %d", h);
	EXPECT_TRUE(strstr(out, file) && strstr(out, ": oom on cpu ") &&
		    strstr(out, pid_s)) TH_LOG("%s", out);
	free(out);

	snprintf(cmd, sizeof(cmd), GOTRACE_BIN " dump --stacks %s/%s >/tmp/gtc-dump",
		 DIR, file);
	ASSERT_EQ(0, run(cmd));
	dump = slurp("/tmp/gtc-dump");
	ASSERT_NE(NULL, dump);
	snprintf(pid_s, sizeof(pid_s), " pid=%d ", h);
	EXPECT_EQ(1, count_lines(dump, " mark_victim ", pid_s,
				 " <- trigger oom", 0));
	EXPECT_TRUE(strstr(dump, "# triggers: oom; ") == dump);
	/* the allocations that led to it, each with its stack */
	snprintf(pid_s, sizeof(pid_s), " pid=%d comm=", h);
	allocs = count_lines(dump, " mm_page_alloc ", pid_s, NULL, 0);
	stacked = count_lines(dump, " mm_page_alloc ", pid_s, NULL, 1);
	TH_LOG("the hog's allocations in the file: %d, with a stack: %d",
	       allocs, stacked);
	EXPECT_LT(256, allocs);
	EXPECT_EQ(allocs, stacked);
	free(dump);

	snprintf(cmd, sizeof(cmd), GOTRACE_BIN " stats %s/%s >/tmp/gtc-stats",
		 DIR, file);
	ASSERT_EQ(0, run(cmd));
	stats = slurp("/tmp/gtc-stats");
	ASSERT_NE(NULL, stats);
	snprintf(pid_s, sizeof(pid_s), "(%d)", h);
	TH_LOG("%.600s", strstr(stats, "== Triggers ==") ?
	       strstr(stats, "== Triggers ==") : stats);
	EXPECT_EQ(1, count_lines(stats, " oom ", pid_s, " mark_victim", 0));
	free(stats);
	unlink("/tmp/gtc-dump");
	unlink("/tmp/gtc-stats");
	unlink("/tmp/gtc-out");
	unlink("/tmp/gtc-err");
}

TEST_F_TIMEOUT(fc, busy, GTC_TIMEOUT)
{
	char *err;
	int fd;

	fd = gtt_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, gtt_start(fd, 0, GOTRACE_GROUP_SCHED, 0, 0));
	EXPECT_EQ(1, run(GOTRACE_BIN " flight -o " DIR " -t oom 2>/tmp/gtc-err"));
	err = slurp("/tmp/gtc-err");
	ASSERT_NE(NULL, err);
	EXPECT_TRUE(strstr(err, "cannot start") && strchr(err, '\n') ==
		    err + strlen(err) - 1) TH_LOG("%s", err);
	free(err);
	EXPECT_EQ(GOTRACE_STATE_TRACING, gtt_state(fd));
	EXPECT_EQ(0, run("test -z \"$(ls -A " DIR ")\""));
	close(fd);
	unlink("/tmp/gtc-err");
}

/* Someone else's 'gotrace stop': flight says so and exits 1. */
TEST_F_TIMEOUT(fc, stopped, GTC_TIMEOUT)
{
	uint64_t t0;
	char *err = NULL;
	int rc, i;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c",
		      "exec " GOTRACE_BIN " flight -o " DIR " -t reclaim:1s 2>/tmp/gtc-err",
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		free(err);
		err = slurp("/tmp/gtc-err");
		if (err && strstr(err, "running"))
			break;
		gtt_msleep(50);
	}
	ASSERT_EQ(0, run(GOTRACE_BIN " stop"));
	t0 = gtt_now_ns();
	for (rc = -1; gtt_now_ns() - t0 < 5000000000ULL;) {
		if (waitpid(pid, &rc, WNOHANG) == pid)
			break;
		rc = -1;
		gtt_msleep(20);
	}
	if (rc == -1) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	EXPECT_TRUE(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 1)
		TH_LOG("flight: status %#x", rc);
	free(err);
	err = slurp("/tmp/gtc-err");
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err, "stopped or replaced by someone else"))
		TH_LOG("%s", err);
	free(err);
	unlink("/tmp/gtc-err");
}

TEST_HARNESS_MAIN
