/* The processes below us: as a child subreaper (start.c) we adopt every
 * orphan the program leaves, so everything it started that still runs is
 * below us in the tree. */
#ifndef DAEMON_CHECK_SUBTREE_H
#define DAEMON_CHECK_SUBTREE_H

#include <stdbool.h>
#include <sys/types.h>

#include "state.h"

struct proc {
	pid_t pid, ppid, sid;
	char state;
	bool mine;  /* a descendant of ours */
	bool holds; /* has an fd open on the pidfile */
};

/* Fields of /proc/PID/stat; false if the process is gone. */
bool proc_read_stat(pid_t pid, struct proc *p);
/* Our live descendants (zombies left out) into *OUT (malloc'd, the caller
 * frees it).  Returns how many, or -errno. */
long descendants(const struct run *r, struct proc **out);
/* Reap whatever below us has exited; true if WATCH did, its status in
 * *STATUS. */
bool reap(pid_t watch, int *status);
/* Stop everything below us: SIGTERM, then SIGKILL after a grace period.
 * What was stopped goes into *S.  0, or -1 with *F set (/proc unreadable,
 * out of memory). */
int stop_descendants(const struct run *r, struct stopped *s, struct failure *f);

#endif
