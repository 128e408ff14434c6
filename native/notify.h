/* Readiness (helper.md step 8): the NOTIFY_SOCKET the daemon reports to. */
#ifndef DAEMON_CHECK_NOTIFY_H
#define DAEMON_CHECK_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "state.h"

/* Creates the socket into r->notify_fd and sets NOTIFY_SOCKET in r->envp.
 * 0, or -1 with *F set. */
int notify_open(struct run *r, struct failure *f);
/* Drains pending datagrams; true if one from root or the daemon's user has
 * a line "READY=1". */
bool notify_got_ready(const struct run *r);
/* Waits until DEADLINE for READY=1 from the daemon PID, our child (we are a
 * subreaper).  0 once it is ready; -1 with *F set if it died first or timed
 * out (then it and what it started have been stopped). */
int notify_wait(const struct options *o, struct run *r, pid_t pid, double deadline, struct failure *f);

#endif
