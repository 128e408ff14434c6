/*
 * The helper's state, in three structs and no mutable globals:
 *   struct options  what the command line asked for; filled by opts_parse()
 *                   and read-only after it (passed as const struct options *);
 *   struct run      what the original process resolved, opened and learned
 *                   while starting the daemon;
 *   struct failure  why it did not work, as fields: only the mode's top
 *                   level (start.c) prints it (failure.c) and exits.
 */
#ifndef DAEMON_CHECK_STATE_H
#define DAEMON_CHECK_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "protocol.h"

#define DEFAULT_READY_TIMEOUT 10.0
#define DEFAULT_SETTLE 1.5

struct options {
	const char *pidfile;     /* as given; NULL: none */
	mode_t umask;            /* default 0022, as systemd's UMask= */
	const char *chdir;       /* as given; default "/" */
	const char *stdout_path; /* NULL: /dev/null */
	const char *stderr_path;
	const char *user;        /* USER[:GROUP] as given */
	bool clear_env, json, json_errors, wait_ready;
	double ready_timeout;
	double settle;           /* 0: do not watch */
	char **argv;             /* CMD ARGS..., NULL-terminated */
	const char **env;        /* the --env entries, in order */
	size_t envc;
};

#define X(name, text) STAGE_##name,
enum stage { STAGE_NONE = 0, HELPER_STAGES(X) STAGE_COUNT };
#undef X

/* What stop_descendants() stopped, for a message: the first 8 pids. */
struct stopped {
	bool done;   /* a stop ran (the fields below are meaningful) */
	pid_t pids[8];
	size_t count;
	bool killed; /* SIGKILL was needed */
};

/* One failure.  Absent numbers are -1, absent strings NULL (see protocol.h
 * for what each means in the JSON form). */
struct failure {
	enum stage stage;
	int err;                 /* errno, 0: none */
	const char *command, *path, *search_path, *pidfile, *dir;
	const char *user, *group, *option, *value, *arg, *reason;
	long gid, links, running_pid, pid, launcher, daemon_pid;
	long wait_status, report;
	int status;              /* the program's wait status, with has_status */
	bool has_status;
	double settle, timeout;  /* < 0: absent */
	bool before_ready, user_denied, stderr_null;
	struct stopped stopped;
};

void failure_init(struct failure *f, enum stage stage, int err);

struct run {
	/* Resolved before forking. */
	char *exec_path;         /* absolute path execvp() is given */
	char *chdir, *stdout_path, *stderr_path; /* absolute */
	char *pidfile;           /* absolute, for messages and --json */
	char *pidfile_dir;       /* its directory, for messages */
	bool switch_user;
	uid_t uid;
	gid_t gid;
	char *user_name;         /* for initgroups() */
	char *user_spec;         /* --user split at ':' into USER and GROUP */
	char **envp;             /* the daemon's environment */
	size_t envc;
	char *notify_env;        /* "NOTIFY_SOCKET=@..." (in envp) */
	/* fds of the original process, closed by run_free(). */
	int pidfile_fd, notify_fd, report_rd;
	/* The pidfile's identity: a process "holds" it if it has an fd on it. */
	dev_t pidfile_dev;
	ino_t pidfile_ino;
	/* Learned while watching the program. */
	pid_t followed_launcher; /* > 0: we followed it to the daemon */
	bool ready_seen;         /* READY=1 arrived during the settle window */
};

void run_init(struct run *r);
void run_free(struct run *r);

#endif
