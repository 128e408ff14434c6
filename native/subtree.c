/* The processes below us (see subtree.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pidfile.h"
#include "subtree.h"
#include "util.h"

/* Stopping what we started: SIGTERM, then SIGKILL after this long. */
#define STOP_GRACE_SECONDS 3.0

bool proc_read_stat(pid_t pid, struct proc *p)
{
	char path[64], buf[512];
	long ppid, pgrp, sid;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if (read_text(path, buf, sizeof buf) <= 0)
		return false;
	/* The name may contain anything, ')' too: fields follow the last ')'. */
	char *rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 1, " %c %ld %ld %ld", &p->state, &ppid, &pgrp, &sid) != 4)
		return false;
	p->pid = pid;
	p->ppid = (pid_t)ppid;
	p->sid = (pid_t)sid;
	p->mine = p->holds = false;
	return true;
}

/* Every process, read from /proc. */
static long everyone(struct proc **out)
{
	struct proc *all = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return -errno;
	for (struct dirent *de; (de = readdir(d));) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (pid <= 0 || *end)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			struct proc *more = realloc(all, cap * sizeof *all);
			if (!more) {
				free(all);
				closedir(d);
				return -ENOMEM;
			}
			all = more;
		}
		if (proc_read_stat((pid_t)pid, &all[n]))
			n++;
	}
	closedir(d);
	*out = all;
	return (long)n;
}

long descendants(const struct run *r, struct proc **out)
{
	struct proc *all = NULL;
	pid_t self = getpid();
	long got = everyone(&all);
	size_t n, k = 0;

	if (got < 0)
		return got;
	n = (size_t)got;
	/* Mark our children, their children, ... until nothing changes. */
	for (bool more = true; more;) {
		more = false;
		for (size_t i = 0; i < n; i++) {
			bool below = all[i].ppid == self;
			for (size_t j = 0; !below && j < n; j++)
				below = all[j].mine && all[j].pid == all[i].ppid;
			if (below && !all[i].mine)
				all[i].mine = more = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!all[i].mine || all[i].state == 'Z' || all[i].state == 'X')
			continue;
		all[i].holds = r->pidfile_fd >= 0 && pidfile_held_by(r, all[i].pid);
		all[k++] = all[i];
	}
	*out = all;
	return (long)k;
}

bool reap(pid_t watch, int *status)
{
	bool hit = false;
	int st;
	pid_t r;

	while ((r = waitpid(-1, &st, WNOHANG)) > 0) {
		if (r == watch) {
			hit = true;
			*status = st;
		}
	}
	return hit;
}

static int trouble(struct failure *f, long err)
{
	failure_init(f, err == -ENOMEM ? STAGE_MEMORY : STAGE_PROC, (int)-err);
	return -1;
}

/* SIGTERM to each process once, SIGKILL to whatever is left after
 * STOP_GRACE_SECONDS.  It loops because a process that dies hands its
 * children to us.  By pid: the pids come from /proc just before, and our own
 * children cannot be reused before we reap them. */
int stop_descendants(const struct run *r, struct stopped *s, struct failure *f)
{
	double grace = now() + STOP_GRACE_SECONDS, give_up = grace + 2.0;
	pid_t *termed = NULL;
	size_t nterm = 0;
	int st;

	*s = (struct stopped){ .done = true };
	for (;;) {
		struct proc *p = NULL;
		reap(0, &st);
		long n = descendants(r, &p);
		if (n < 0) {
			free(termed);
			return trouble(f, n);
		}
		bool late = now() >= grace;
		for (long i = 0; i < n; i++) {
			size_t j = 0;
			while (j < nterm && termed[j] != p[i].pid)
				j++;
			if (late) {
				s->killed = kill(p[i].pid, SIGKILL) == 0 || s->killed;
			} else if (j == nterm) {
				pid_t *more = realloc(termed, (nterm + 1) * sizeof *termed);
				if (!more) {
					free(p);
					free(termed);
					return trouble(f, -ENOMEM);
				}
				termed = more;
				termed[nterm++] = p[i].pid;
				kill(p[i].pid, SIGTERM);
			}
		}
		free(p);
		if (n == 0 || now() >= give_up)
			break;
		nap(0.02);
	}
	s->count = nterm;
	for (size_t i = 0; i < nterm && i < sizeof s->pids / sizeof *s->pids; i++)
		s->pids[i] = termed[i];
	free(termed);
	return 0;
}
