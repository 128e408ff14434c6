/* The pidfile: open and lock, write the pid, clear, who holds it. */
#ifndef DAEMON_CHECK_PIDFILE_H
#define DAEMON_CHECK_PIDFILE_H

#include <stdbool.h>
#include <sys/types.h>

#include "state.h"

/* Opens and locks o->pidfile (helper.md step 2) into r->pidfile_fd, empty.
 * 0, or -1 with *F set. */
int pidfile_open(const struct options *o, struct run *r, struct failure *f);
/* Replaces the content of the pidfile open on FD with "PID\n", in one write
 * at offset 0, and syncs it.  0 or -errno. */
int pidfile_write_pid(int fd, pid_t pid);
/* Empties the pidfile, if there is one: the pid it names is not running.
 * Our fd shares the locked open file description, so this cannot race
 * another starter. */
void pidfile_clear(const struct run *r);
/* Has PID an fd open on the pidfile (its device and inode)?  That is the fd
 * the daemon inherited, and with it the lock. */
bool pidfile_held_by(const struct run *r, pid_t pid);

#endif
