/*
 * The cgroup v2 leaf of a try login, and the kills at its end (watch.md,
 * "try" steps 1 and 7).  The leaf lists every process the login started,
 * setsid'd and double-forked ones included, and `cgroup.kill` ends them all
 * at once.  The cgroup2 mount is read from /proc/self/mountinfo (it is
 * /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid one)
 * and the helper's own directory from the "0::" line of /proc/self/cgroup;
 * the leaf is made there, so that a delegated subtree works without root.
 * Where no leaf can be made the helper, a child subreaper, still has every
 * descendant, and says why in `start`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "try.h"
#include "util.h"

/* The mount point of the cgroup2 filesystem, or -ENOENT. */
static int cgroup2_mount(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof line, f)) {
		char mnt[128], type[64];
		const char *dash = strstr(line, " - ");
		/* id parent maj:min root mountpoint ... - fstype source options */
		if (!dash || sscanf(line, "%*s %*s %*s %*s %127s", mnt) != 1 || sscanf(dash, " - %63s", type) != 1)
			continue;
		if (strcmp(type, "cgroup2") == 0) {
			snprintf(out, size, "%s", mnt);
			err = 0;
		}
	}
	fclose(f);
	return err;
}

/* The helper's own cgroup v2 path ("/" or "/a/b"). */
static int own_cgroup(char *out, size_t size)
{
	char buf[4096];
	long n = read_text("/proc/self/cgroup", buf, sizeof buf);
	char *p = n > 0 ? strstr(buf, "0::") : NULL;

	if (n < 0)
		return (int)n;
	if (!p || (p != buf && p[-1] != '\n'))
		return -ENOENT;
	p += 3;
	p[strcspn(p, "\n")] = '\0';
	snprintf(out, size, "%s", p);
	return 0;
}

void try_cgroup_make(struct try_run *r)
{
	char mnt[128], own[240];
	int err;

	r->cgroup[0] = '\0';
	if ((err = cgroup2_mount(mnt, sizeof mnt)) < 0) {
		snprintf(r->cgroup_error, sizeof r->cgroup_error, "no cgroup2 filesystem is mounted");
		return;
	}
	if ((err = own_cgroup(own, sizeof own)) < 0) {
		snprintf(r->cgroup_error, sizeof r->cgroup_error, "/proc/self/cgroup has no cgroup v2 line");
		return;
	}
	snprintf(r->home_cgroup, sizeof r->home_cgroup, "%s%s", mnt, strcmp(own, "/") == 0 ? "" : own);
	snprintf(r->cgroup, sizeof r->cgroup, "%s/" TRY_CGROUP_PREFIX "%ld", r->home_cgroup, (long)r->self);
	if (mkdir(r->cgroup, 0755) < 0) {
		snprintf(r->cgroup_error, sizeof r->cgroup_error, "mkdir %s: %s", r->cgroup, strerror(errno));
		r->cgroup[0] = '\0';
	}
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[640];
	int fd, err = 0;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		err = -errno;
	close(fd);
	return err;
}

void try_cgroup_join(const struct try_run *r)
{
	if (r->cgroup[0])
		(void)write_file(r->cgroup, "cgroup.procs", "0");
}

/* The parent pid of PID from /proc/PID/stat, or -1. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[1024];
	long ppid;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if (read_text(path, buf, sizeof buf) <= 0)
		return -1;
	const char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* Whether PID is one of the login's: a descendant of the helper, or in the leaf. */
static bool ours(const struct try_run *r, pid_t pid)
{
	pid_t p = pid;
	for (int depth = 0; depth < 4096 && p > 1; depth++) {
		p = parent_of(p);
		if (p == r->self)
			return true;
	}
	if (!r->cgroup[0])
		return false;
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%ld/cgroup", (long)pid);
	if (read_text(path, buf, sizeof buf) <= 0)
		return false;
	const char *leaf = strrchr(r->cgroup, '/');
	const char *line = strstr(buf, "0::");
	if (!leaf || !line)
		return false;
	size_t len = strcspn(line, "\n");
	size_t ll = strlen(leaf);
	return len >= ll && strncmp(line + len - ll, leaf, ll) == 0;
}

int try_kill(struct try_run *r, const pid_t *pids, size_t n, bool *cgroup_kill, pid_t *killed, size_t *nkilled)
{
	*cgroup_kill = r->cgroup[0] && write_file(r->cgroup, "cgroup.kill", "1") == 0;
	*nkilled = 0;
	for (size_t i = 0; i < n; i++) {
		/* The pidfd first, then the check: a pid reused before the open is
		 * not ours and is left alone; after it, the pidfd holds the one we checked. */
		int fd = (int)syscall(SYS_pidfd_open, pids[i], 0);
		if (fd < 0)
			continue;
		if (pids[i] != r->self && ours(r, pids[i]) &&
		    syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0)
			killed[(*nkilled)++] = pids[i];
		close(fd);
	}
	return 0;
}

size_t try_release(struct try_run *r, pid_t *moved, size_t room)
{
	char path[640], buf[65536];
	size_t n = 0;

	if (!r->cgroup[0])
		return 0;
	snprintf(path, sizeof path, "%s/cgroup.procs", r->cgroup);
	if (read_text(path, buf, sizeof buf) <= 0)
		return 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (write_file(r->home_cgroup, "cgroup.procs", line) == 0 && n < room)
			moved[n++] = (pid_t)atol(line);
	return n;
}

bool try_cgroup_remove(struct try_run *r)
{
	if (!r->cgroup[0])
		return true;
	/* The killed processes leave the cgroup as they are reaped: give them a moment. */
	for (int i = 0; i < 200; i++) {
		if (rmdir(r->cgroup) == 0 || errno == ENOENT) {
			r->cgroup[0] = '\0';
			return true;
		}
		if (errno != EBUSY)
			return false;
		nap(0.01);
	}
	return false;
}
