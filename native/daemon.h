/* The forked side: the first child and the daemon (helper.md steps 4-7). */
#ifndef DAEMON_CHECK_DAEMON_H
#define DAEMON_CHECK_DAEMON_H

#include "state.h"

/* What the forked processes tell the original over the report pipe.  Each
 * record is one write() of 8 bytes (< PIPE_BUF, so atomic): REPORT_PID with
 * the daemon's pid (sent by the first child), or a stage that failed
 * (STAGE_FORK ... STAGE_EXEC) with its errno. */
#define REPORT_PID (-1)
struct report {
	int stage;
	int value;
};

/* Runs in the first child, which is its own top level: it never returns,
 * and it and the daemon leave by _exit() (or exec).  REP: the pipe's write
 * end. */
_Noreturn void daemon_child(const struct options *o, const struct run *r, int rep);

#endif
