/*
 * The watch's own tracefs instance (watch.md): mounted if tracefs is not,
 * instances/dc-watch-<helper pid> made with trace_clock mono and only the
 * events the watch reads, removed on every way out, and stale instances of
 * watchers that were killed (SIGKILL leaves them) removed at start.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "watch.h"

#define TRACEFS "/sys/kernel/tracing"
/* Names the watcher that mounted tracefs (tmpfs: gone at reboot, as the mount). */
#define MOUNT_MARK "/run/daemon-check-watch.mount"

/* Every event of the instance.  task_newtask gives the clone flags (a new
 * thread or a process), task_rename the comm at exec and at PR_SET_NAME. */
static const char *const events[] = {
	"signal/signal_generate", "signal/signal_deliver", "task/task_newtask", "task/task_rename",
	"sched/sched_process_exec", "sched/sched_process_exit", "oom/mark_victim",
};

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static bool has_instances(const char *dir)
{
	char path[128];
	struct stat st;
	snprintf(path, sizeof path, "%s/instances", dir);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool live_watcher(pid_t pid);

/* The pid of the watcher that mounted tracefs (MOUNT_MARK), 0: none. */
static pid_t mount_owner(void)
{
	char buf[32];
	return read_text(MOUNT_MARK, buf, sizeof buf) > 0 ? (pid_t)strtol(buf, NULL, 10) : 0;
}

static void claim_mount(struct watch_run *r)
{
	char pid[32];
	int fd = open(MOUNT_MARK, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	r->mounted = true;
	if (fd < 0)
		return;
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (write(fd, pid, strlen(pid)) < 0)
		unlink(MOUNT_MARK);
	close(fd);
}

/* Where tracefs is, mounting it at /sys/kernel/tracing when it is nowhere.
 * A mount left by a watcher that was killed (its mark names a pid that is
 * no watcher now) is taken over, so that it goes at the end as it came. */
static int find_tracefs(struct watch_run *r)
{
	snprintf(r->tracing, sizeof r->tracing, "%s", TRACEFS);
	if (has_instances(TRACEFS)) {
		pid_t owner = mount_owner();
		if (owner > 0 && owner != getpid() && !live_watcher(owner))
			claim_mount(r);
		return 0;
	}
	if (has_instances("/sys/kernel/debug/tracing")) {
		snprintf(r->tracing, sizeof r->tracing, "/sys/kernel/debug/tracing");
		return 0;
	}
	if (mount("nodev", TRACEFS, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
	claim_mount(r);
	return has_instances(TRACEFS) ? 0 : -ENOTDIR;
}

/* Whether PID is a running `daemon-check-helper watch`. */
static bool live_watcher(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	long n = read_text(path, buf, sizeof buf);
	if (n <= 0)
		return false;
	const char *base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
	size_t len = strlen(buf);
	return strncmp(base, "daemon-check-helper", 19) == 0 && (size_t)n > len + 1 &&
	       strcmp(buf + len + 1, "watch") == 0;
}

void tracefs_remove_stale(struct watch_run *r)
{
	char path[400];
	snprintf(path, sizeof path, "%s/instances", r->tracing);
	DIR *d = opendir(path);
	struct dirent *e;
	size_t plen = strlen(WATCH_INSTANCE_PREFIX);

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		if (strncmp(e->d_name, WATCH_INSTANCE_PREFIX, plen) != 0)
			continue;
		long pid = strtol(e->d_name + plen, &end, 10);
		if (pid <= 0 || *end || pid == (long)getpid() || live_watcher((pid_t)pid))
			continue;
		snprintf(path, sizeof path, "%s/instances/%s", r->tracing, e->d_name);
		rmdir(path);
	}
	closedir(d);
}

static int setup_instance(const struct watch_opts *o, const char *dir)
{
	char size[32];
	int err;

	/* mono: the proc connector's timestamp_ns is CLOCK_MONOTONIC too. */
	if ((err = write_file(dir, "trace_clock", "mono")) < 0)
		return err;
	/* 0: poll() on trace_pipe wakes at the first event, not at half full. */
	if ((err = write_file(dir, "buffer_percent", "0")) < 0)
		return err;
	if (o->bufsize_kb > 0) {
		snprintf(size, sizeof size, "%d", o->bufsize_kb);
		if ((err = write_file(dir, "buffer_size_kb", size)) < 0)
			return err;
	}
	for (size_t i = 0; i < sizeof events / sizeof *events; i++) {
		char name[128];
		snprintf(name, sizeof name, "events/%s/enable", events[i]);
		err = write_file(dir, name, "1");
		/* oom:mark_victim is missing from kernels without it; the rest is needed. */
		if (err < 0 && !(err == -ENOENT && strstr(events[i], "oom")))
			return err;
	}
	return 0;
}

int tracefs_open(struct watch_run *r, const struct watch_opts *o)
{
	char dir[256];
	int err;

	if ((err = find_tracefs(r)) < 0)
		return err;
	tracefs_remove_stale(r);
	if (o->instance)
		snprintf(r->instance, sizeof r->instance, "%s", o->instance);
	else
		snprintf(r->instance, sizeof r->instance, "%s%ld", WATCH_INSTANCE_PREFIX, (long)getpid());
	snprintf(dir, sizeof dir, "%s/instances/%s", r->tracing, r->instance);
	if (mkdir(dir, 0700) < 0)
		return -errno;
	r->instance_made = true;
	if ((err = setup_instance(o, dir)) < 0)
		return err;
	snprintf(dir, sizeof dir, "%s/instances/%s/trace_pipe", r->tracing, r->instance);
	r->trace_fd = open(dir, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return r->trace_fd < 0 ? -errno : 0;
}

void tracefs_close(struct watch_run *r)
{
	char dir[256];

	if (r->trace_fd >= 0)
		close(r->trace_fd);
	r->trace_fd = -1;
	if (r->instance_made) {
		snprintf(dir, sizeof dir, "%s/instances/%s", r->tracing, r->instance);
		/* EBUSY while the kernel still holds a reference for a moment. */
		for (int i = 0; i < 50 && rmdir(dir) < 0 && errno == EBUSY; i++)
			nap(0.02);
		r->instance_made = false;
	}
	/* Another watcher may use the mount by now: then it stays (EBUSY),
	 * and the mark names a dead pid, so the last watcher takes it. */
	if (r->mounted && umount(r->tracing) == 0) {
		r->mounted = false;
		unlink(MOUNT_MARK);
	}
}

/* Overruns (overwrite mode) and dropped events over every CPU. */
unsigned long long tracefs_lost(struct watch_run *r)
{
	char path[256], buf[1024];
	unsigned long long total = 0;

	for (int cpu = 0; cpu < 1024; cpu++) {
		snprintf(path, sizeof path, "%s/instances/%s/per_cpu/cpu%d/stats", r->tracing, r->instance, cpu);
		long n = read_text(path, buf, sizeof buf);
		if (n == -ENOENT && cpu > 0)
			break;
		if (n <= 0)
			continue;
		const char *p;
		if ((p = strstr(buf, "\noverrun:")))
			total += strtoull(p + 9, NULL, 10);
		if ((p = strstr(buf, "dropped events:")))
			total += strtoull(p + 15, NULL, 10);
	}
	return total;
}

int tracefs_drain(struct watch_run *r, const struct watch_opts *o)
{
	if (r->trace_fd < 0)
		return 0;
	for (;;) {
		ssize_t n = read(r->trace_fd, r->tbuf + r->tlen, sizeof r->tbuf - 1 - r->tlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		r->tlen += (size_t)n;
		r->tbuf[r->tlen] = '\0';
		char *start = r->tbuf, *nl;
		while ((nl = memchr(start, '\n', r->tlen - (size_t)(start - r->tbuf)))) {
			*nl = '\0';
			trace_line(r, o, start);
			start = nl + 1;
		}
		r->tlen -= (size_t)(start - r->tbuf);
		memmove(r->tbuf, start, r->tlen);
		/* A line longer than the buffer (a huge file name): dropped. */
		if (r->tlen == sizeof r->tbuf - 1)
			r->tlen = 0;
	}
}
