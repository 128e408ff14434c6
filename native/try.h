/*
 * daemon-check-helper try: the throwaway login of `daemon-check try`
 * (docs/try.md; the recipe is the "try" part of docs/watch.md).  The helper
 * holds what Node cannot: it is a child subreaper, it makes a cgroup v2 leaf
 * where it can, it owns the pty master (close-on-exec) and starts the login
 * shell on the slave as its controlling terminal.  Everything else (what to
 * type, when the line has settled, how to end the login, who counts) is the
 * TypeScript side's, which speaks to the helper in lines:
 *
 *   stdin (one command a line)       stdout (JSON lines, "kind" first)
 *                                    start {helper, shell, pty, cgroup, cgroupError}
 *   type HEX   bytes to the master   output {hex}: what the pty printed
 *   hangup     close the master      hungup
 *   kill PID.. end them (pidfd),     killed {pids, cgroupKill}
 *              and the cgroup's
 *   release    move the cgroup's     released {pids}
 *              processes out of it
 *   quit       remove the cgroup     end {cgroupRemoved}
 *              and exit 0
 *                                    reaped {pid, status}: every child reaped
 *                                    error {command, errno, error}
 * EOF on stdin is `kill` of the cgroup (cgroup.kill), then `quit`.
 * A failure before `start` is one line on stderr ({"stage":"try-..."} with
 * --json-errors) and exit 1 (2 for usage).
 *
 * Files: try-main.c (top level, loop, commands), try-pty.c (pty, the login
 * shell's child side), try-cgroup.c (the leaf, kills by pidfd).
 */
#ifndef DAEMON_CHECK_TRY_H
#define DAEMON_CHECK_TRY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "protocol.h"

#define TRY_MAX_ENV 64

struct try_opts {
	bool json_errors;
	const char *user;          /* --user NAME: the login's user (root only) */
	const char *arg0;          /* --arg0 NAME: the shell's argv[0] ("-bash") */
	const char *dir;           /* --chdir DIR: where the login starts (else its HOME) */
	const char *env[TRY_MAX_ENV + 1]; /* --env K=V, in order, NULL-ended */
	size_t nenv;
	char **argv;               /* -- SHELL ARGS */
};

struct try_run {
	pid_t self, shell;
	int master;                /* -1 once hung up */
	char pty[64];
	char cgroup[420];          /* the leaf's directory, "" when none */
	char home_cgroup[400];     /* the helper's own cgroup directory (release) */
	char cgroup_error[480];    /* why no leaf, "" when there is one */
};

struct try_failure {
	const char *stage;         /* a TRY_STAGE_* name */
	int err;
	const char *value;
	char text[256];
};

/* try-pty.c: the pty, and the shell started on it (the child never returns). */
int try_open_pty(struct try_run *r, struct try_failure *f);
int try_start_shell(struct try_run *r, const struct try_opts *o, struct try_failure *f);

/* try-cgroup.c */
/* Makes the leaf (r->cgroup) under the helper's own cgroup v2 directory; on
 * failure r->cgroup is "" and r->cgroup_error says why (never fatal). */
void try_cgroup_make(struct try_run *r);
/* In the child, before exec: joins the leaf (best effort). */
void try_cgroup_join(const struct try_run *r);
/* `kill`: cgroup.kill, then SIGKILL by pidfd to each of PIDS still ours. */
int try_kill(struct try_run *r, const pid_t *pids, size_t n, bool *cgroup_kill, pid_t *killed, size_t *nkilled);
/* `release`: moves the leaf's processes to the helper's own cgroup. */
size_t try_release(struct try_run *r, pid_t *moved, size_t room);
/* Removes the leaf, waiting briefly for it to empty: true when gone. */
bool try_cgroup_remove(struct try_run *r);

int try_main(int argc, char **argv);

#endif
