/* The settle window: programs that fork themselves away. */
#ifndef DAEMON_CHECK_FOLLOW_H
#define DAEMON_CHECK_FOLLOW_H

#include <sys/types.h>

#include "state.h"

/* Watches the program PID for o->settle seconds.  Returns the pid to report
 * (the program, or the daemon it forked itself away into, with
 * r->followed_launcher set), or -1 with *F set: the program failed in the
 * window, or forked away into something we cannot follow.  Either way
 * nothing it started is left running then, and the pidfile is empty. */
pid_t settle(const struct options *o, struct run *r, pid_t pid, double ready_deadline, struct failure *f);

#endif
