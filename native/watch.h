/*
 * daemon-check-helper watch: what ends the watched processes, as JSON lines
 * (the event contract: docs in /work/shared/spec/watch.md and the keys in
 * src/watch/events.ts).  The mode's options sit in one const struct
 * (watch_opts), its run state in another (watch_run); the steps return
 * -errno and only watch_main() (watch.c) prints a failure and exits.
 *
 * Files: watch.c (top level, loop), watch-opts.c (command line),
 * watch-out.c (JSON lines, failures), watch-tracefs.c (the tracefs
 * instance), watch-trace-parse.c (trace_pipe lines), watch-connector.c
 * (the netlink proc connector), watch-procmap.c (tid -> tgid, comm),
 * watch-events.c (the watched set and the event lines), watch-child.c
 * (-- CMD, reaping, pidfds), watch-ptrace.c (--ptrace: PTRACE_SEIZE).
 */
#ifndef DAEMON_CHECK_WATCH_H
#define DAEMON_CHECK_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "protocol.h"

#define COMM_LEN 16

struct watch_opts {
	bool tree, verbose, json_errors, force_parent;
	bool ptrace;               /* --ptrace: PTRACE_SEIZE (watch-ptrace.c) */
	double seconds;            /* --for; 0: no limit */
	const char *instance;      /* --instance NAME; NULL: dc-watch-<pid> */
	int rcvbuf;                /* --rcvbuf BYTES (hidden, tests): 0 = default */
	int bufsize_kb;            /* --bufsize KB (hidden, tests): 0 = default */
	int events_fd;             /* --events-fd N: where the lines go (1) */
	pid_t *pids;
	size_t npids;
	char **argv;               /* -- CMD ARGS, or NULL */
};

/* tid -> (tgid, comm) for every task of the host (watch-procmap.c). */
struct task_entry {
	pid_t tid, tgid;           /* tid 0: empty slot */
	char comm[COMM_LEN];
};
struct procmap {
	struct task_entry *slots;
	size_t size, used;         /* size: a power of two */
};

struct watched {
	pid_t pid;
	char comm[COMM_LEN];
	unsigned long long start;  /* starttime from /proc/PID/stat, 0: unknown */
	pid_t sid;                 /* its session when it joined (0: unknown); its leader's hangup is context */
	char memcg[128];           /* its memory cgroup at its last exec or kernel SIGKILL ("": not read) */
	bool ended;                /* the exit line is out */
	bool dead;                 /* tracefs saw the last thread exit */
	double dead_t;             /* when (monotonic seconds) */
	bool has_status, core;
	int status;                /* the wait status (connector or waitpid) */
	double status_t;
	int pidfd;                 /* -1: none */
};

struct watch_run {
	const char *mechanism;     /* "tracefs", "ptrace", "parent", "pidfd" */
	bool traced;               /* ptrace: every watched task is our tracee */
	bool use_ptrace;           /* ptrace chosen: --ptrace, or as root where tracefs cannot be had */
	double real_minus_mono;    /* CLOCK_REALTIME - CLOCK_MONOTONIC at start */
	int out;                   /* the events fd */
	int sigfd;
	/* tracefs */
	char tracing[64];          /* the tracefs mount point */
	char instance[96];         /* instance name, "" when none */
	bool mounted, instance_made;
	int trace_fd;              /* trace_pipe, -1 */
	char tbuf[65536];
	size_t tlen;
	unsigned long long trace_lost;
	/* connector */
	int cn_fd;                 /* -1 */
	unsigned int cn_seq[1024]; /* last seq per cpu + 1, 0: none yet */
	unsigned long long cn_lost, cn_reported;
	bool cn_overflow;          /* ENOBUFS seen, not yet counted by a gap */
	/* -- CMD */
	pid_t child;
	bool parent;               /* we are the parent/subreaper of the tree */
	bool no_children;          /* waitpid said ECHILD */
	/* Statuses of processes not (yet) watched: a short-lived child's exit
	 * may be read from the connector before its fork from the trace. */
	struct recent {
		pid_t pid;
		int status;
		double t;
	} recent[1024];
	size_t nrecent;
	/* the watched set */
	struct procmap map;
	struct watched *w;
	size_t nw, wroom;
	char notes[4][200];
	size_t nnotes;
};

/* watch-opts.c: 0, or -EINVAL with *bad set to the offending argument. */
int watch_opts_parse(struct watch_opts *o, int argc, char **argv, const char **bad, const char **why);

/* watch-out.c: one JSON line, written with one write(2). */
struct jline {
	char buf[8192];
	size_t len;
	bool overflow;
};
void jl_begin(struct jline *l, const char *kind, double real_t);
void jl_int(struct jline *l, const char *key, long long v);
void jl_str(struct jline *l, const char *key, const char *s);
void jl_null(struct jline *l, const char *key);
void jl_bool(struct jline *l, const char *key, bool v);
void jl_raw(struct jline *l, const char *key, const char *json);
int jl_end(struct jline *l, int fd);
/* A failure: one JSON line (json) or "daemon-check: ..." on FD. */
struct watch_failure {
	const char *stage;         /* a WATCH_STAGE_* name */
	int err;
	pid_t pid;
	const char *path, *option, *value, *command;
	char text[256];            /* room for a path or value built when it fails */
};
void watch_failure_print(const struct watch_failure *f, bool json, int fd);

/* watch-procmap.c */
int procmap_init(struct procmap *m);
void procmap_free(struct procmap *m);
int procmap_seed(struct procmap *m);
struct task_entry *procmap_get(struct procmap *m, pid_t tid);
struct task_entry *procmap_put(struct procmap *m, pid_t tid, pid_t tgid, const char *comm);
void procmap_del(struct procmap *m, pid_t tid);
/* The tgid of TID (the map, else /proc), TID itself when unknown. */
pid_t procmap_tgid(struct procmap *m, pid_t tid);
/* The comm of the process TGID (its leader), else of TID; "" when unknown. */
const char *procmap_comm(struct procmap *m, pid_t tgid, pid_t tid);
/* /proc/PID/stat: state and starttime; -errno when PID is gone. */
int proc_stat(pid_t pid, char *state, unsigned long long *start, pid_t *sid);
/* The memory cgroup of PID (v1 memory controller, else the v2 path), "" when it cannot be read. */
void memory_cgroup(pid_t pid, char *out, size_t size);
void remember_memcg(struct watched *w);
int read_comm(pid_t pid, char *buf);

/* watch-tracefs.c */
int tracefs_open(struct watch_run *r, const struct watch_opts *o);
void tracefs_close(struct watch_run *r);
void tracefs_remove_stale(struct watch_run *r);
unsigned long long tracefs_lost(struct watch_run *r);
/* Reads what trace_pipe has (non-blocking) and handles every whole line. */
int tracefs_drain(struct watch_run *r, const struct watch_opts *o);

/* watch-trace-parse.c: one trace_pipe line. */
void trace_line(struct watch_run *r, const struct watch_opts *o, char *line);

/* watch-connector.c */
int connector_open(struct watch_run *r, const struct watch_opts *o);
void connector_close(struct watch_run *r);
int connector_drain(struct watch_run *r, const struct watch_opts *o);

/* watch-events.c: the watched set and its lines.  T is monotonic seconds. */
struct watched *watched_find(struct watch_run *r, pid_t pid);
/* Adds PID; with ANNOUNCE writes its `watching` line. */
int watched_add(struct watch_run *r, pid_t pid, const char *comm, double t, bool announce);
int emit_watching(struct watch_run *r, const struct watched *w, double t);
bool watched_all_ended(const struct watch_run *r);
int emit_start(struct watch_run *r, const struct watch_opts *o);
int emit_lost(struct watch_run *r, const char *source, unsigned long long count);
/* The losses counted since the last look (tracefs overruns, connector gaps), each as a `lost` line. */
int watch_report_lost(struct watch_run *r);
int emit_end(struct watch_run *r, const char *reason, const char *error);
int ev_signal(struct watch_run *r, double t, pid_t sender, const int f[6]);
int ev_deliver(struct watch_run *r, double t, pid_t tid, int sig, int code, unsigned long handler);
int ev_newtask(struct watch_run *r, const struct watch_opts *o, double t, pid_t parent, pid_t child,
	       unsigned long long flags);
int ev_rename(struct watch_run *r, const struct watch_opts *o, double t, pid_t tid, const char *comm, bool exec);
int ev_exec(struct watch_run *r, double t, pid_t pid, pid_t old_pid, const char *filename);
int ev_task_exit(struct watch_run *r, double t, pid_t tid, bool group_dead);
int ev_oom(struct watch_run *r, double t, pid_t pid, const char *comm, long uid, long rss_kb, int adj);
int ev_sid(struct watch_run *r, double t, pid_t tgid);
int ev_status(struct watch_run *r, double t, pid_t pid, int status, bool core);
int ev_core(struct watch_run *r, pid_t pid);
bool recent_status(struct watch_run *r, pid_t pid, double t0, int *status);
/* Exit lines that waited for a status long enough; with PROBE, pids found
 * gone; FINAL: every pending exit line now. */
int ev_sweep(struct watch_run *r, double now_t, bool probe, bool final);
int emit_exit(struct watch_run *r, struct watched *w, double t);

/* watch-child.c */
int child_start(struct watch_run *r, const struct watch_opts *o, int *exec_err);
int child_reap(struct watch_run *r);
int pidfds_open(struct watch_run *r);
/* Every process given ended before its events could be seen: stage `watch-ended`, -ESRCH. */
int watch_check_started(struct watch_run *r, struct watch_failure *f);
int pidfds_check(struct watch_run *r, double t);

/* watch-ptrace.c: attach (PIDs: every thread of each; -- CMD: the child,
 * before it execs), and handle every stop and death waitpid has. */
int ptrace_attach(struct watch_run *r, const struct watch_opts *o, pid_t pid);
int ptrace_drain(struct watch_run *r, const struct watch_opts *o);
/* Notes for the start line: the program is traced; what Yama forbids. */
void ptrace_notes(char notes[][200], size_t room, size_t *n, const struct watch_opts *o);

int watch_main(int argc, char **argv);

#endif
