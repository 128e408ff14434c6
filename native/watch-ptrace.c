/*
 * `watch --ptrace`: the "ptrace" mechanism.  Every thread of each watched
 * process is attached with PTRACE_SEIZE (with -- CMD, the child before it
 * execs), and the stops tell what tracefs would:
 *   signal-delivery-stop  PTRACE_GETSIGINFO: si_pid, si_code -> `signal`,
 *                         the disposition from /proc/TID/status -> `deliver`;
 *                         then the signal is RE-INJECTED (PTRACE_CONT with
 *                         it): traced, even an ignored signal stops the
 *                         tracee, and a signal not passed on is lost;
 *   group-stop            PTRACE_LISTEN: stopped as it would be untraced,
 *                         and left so should the tracer die;
 *   PTRACE_EVENT_FORK/VFORK/CLONE  `fork` (--tree, -- CMD), threads followed;
 *   PTRACE_EVENT_EXEC     `exec`;
 *   PTRACE_EVENT_EXIT     the exit status (PTRACE_GETEVENTMSG), kept until
 *                         waitpid reports the leader dead (after its last
 *                         thread), whose status makes the `exit` line.
 * PTRACE_O_EXITKILL is never set: when the watcher ends, or is killed, the
 * kernel detaches the tracees and they go on (watch.md, "What ptrace
 * changes in the watched program").
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "watch.h"

#define YAMA "/proc/sys/kernel/yama/ptrace_scope"

static long options(const struct watch_opts *o)
{
	long opt = PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT;
	if (o->tree || o->argv)
		opt |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
	return opt;
}

static int yama_scope(void)
{
	FILE *f = fopen(YAMA, "re");
	int scope = -1;
	if (f) {
		if (fscanf(f, "%d", &scope) != 1)
			scope = -1;
		fclose(f);
	}
	return scope;
}

void ptrace_notes(char notes[][200], size_t room, size_t *n, const struct watch_opts *o)
{
	int scope = yama_scope();

	if (*n < room)
		snprintf(notes[(*n)++], 200, "%s",
			 "the watched program is being traced: strace and gdb cannot attach to it while the "
			 "watch runs, and a stopped process reads `t (tracing stop)`");
	/* 1: descendants only (-- CMD is ours); 2: CAP_SYS_PTRACE only; 3: none. */
	if (*n < room && scope >= (o->argv ? 2 : 1) && geteuid() != 0)
		snprintf(notes[(*n)++], 200,
			 "Yama ptrace_scope is %d (%s): attaching to %s needs CAP_SYS_PTRACE", scope,
			 YAMA, o->argv ? "even a child" : "a process that is not our descendant");
}

/* Seizes every thread of PID (the leader first: its failure is the
 * watch's), again until /proc/PID/task lists none new, since a thread not
 * yet seized may start another.  EPERM for a thread: already ours. */
int ptrace_attach(struct watch_run *r, const struct watch_opts *o, pid_t pid)
{
	char path[64];
	bool more = true;

	r->traced = true;
	if (ptrace(PTRACE_SEIZE, pid, 0L, options(o)) < 0)
		return -errno;
	if (o->argv)
		return 0; /* not yet exec'd: one thread */
	snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
	for (int round = 0; more && round < 100; round++) {
		DIR *d = opendir(path);
		struct dirent *e;
		if (!d)
			return -errno;
		more = false;
		while ((e = readdir(d))) {
			char *end;
			long tid = strtol(e->d_name, &end, 10);
			if (tid <= 0 || *end || tid == pid)
				continue;
			if (ptrace(PTRACE_SEIZE, (pid_t)tid, 0L, options(o)) == 0) {
				procmap_put(&r->map, (pid_t)tid, pid, "");
				more = true;
			}
		}
		closedir(d);
	}
	return 0;
}

/* A SigIgn/SigCgt mask of /proc/TID/status: is SIG in it? */
static bool in_mask(const char *status, const char *key, int sig)
{
	const char *p = strstr(status, key);
	unsigned long long mask = p ? strtoull(p + strlen(key), NULL, 16) : 0;
	return sig >= 1 && sig <= 64 && (mask >> (sig - 1)) & 1;
}

/* 0 default, 1 ignore, 2 caught: the tracee is stopped, its disposition
 * cannot change under us. */
static int disposition(pid_t tid, int sig)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%ld/status", (long)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (in_mask(buf, "\nSigIgn:", sig))
		return 1;
	return in_mask(buf, "\nSigCgt:", sig) ? 2 : 0;
}

static int on_signal(struct watch_run *r, pid_t tid, int sig)
{
	siginfo_t si;
	char comm[COMM_LEN + 2];
	int err;

	memset(&si, 0, sizeof si);
	if (ptrace(PTRACE_GETSIGINFO, tid, 0L, &si) < 0)
		return 0;
	int handler = disposition(tid, sig);
	/* The kernel drops what a process ignores, and what it leaves at a
	 * default that ignores (signal(7)); traced, it stops on them anyway. */
	bool ignored = handler == 1 ||
		       (handler == 0 && (sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH));
	/* si_pid is the sender's tgid: its comm now, while it is most likely
	 * still there; else what the map knows. */
	/* SIGCHLD: the child that changed state sent it (as tracefs tells). */
	pid_t sender = si.si_code <= 0 || sig == SIGCHLD ? si.si_pid : 0;
	if (sender > 0 && read_comm(sender, comm) == 0) {
		struct task_entry *e = procmap_get(&r->map, sender);
		if (e)
			snprintf(e->comm, COMM_LEN, "%.*s", COMM_LEN - 1, comm);
		else
			procmap_put(&r->map, sender, sender, comm);
	}
	const int f[6] = { sig, si.si_errno, si.si_code, tid, si.si_code != SI_TKILL, ignored ? 1 : 0 };
	double t = now();
	if ((err = ev_signal(r, t, sender, f)) < 0)
		return err;
	return ignored ? 0 : ev_deliver(r, t, tid, sig, si.si_code, (unsigned long)handler);
}

/* A new task (thread or process) of PARENT. */
static int on_new(struct watch_run *r, const struct watch_opts *o, pid_t parent, pid_t child)
{
	char path[64];
	pid_t tgid = procmap_tgid(&r->map, parent);
	snprintf(path, sizeof path, "/proc/%ld/task/%ld", (long)tgid, (long)child);
	bool thread = access(path, F_OK) == 0;
	return ev_newtask(r, o, now(), parent, child, thread ? CLONE_THREAD : 0);
}

static int on_exec(struct watch_run *r, const struct watch_opts *o, pid_t tid)
{
	unsigned long old = (unsigned long)tid;
	char comm[COMM_LEN + 2], path[64], exe[1024];

	ptrace(PTRACE_GETEVENTMSG, tid, 0L, &old);
	pid_t pid = procmap_tgid(&r->map, tid);
	read_comm(tid, comm);
	ev_rename(r, o, now(), pid, comm, true);
	snprintf(path, sizeof path, "/proc/%ld/exe", (long)tid);
	ssize_t n = readlink(path, exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	return ev_exec(r, now(), pid, (pid_t)old, exe);
}

/* A stop of TID that is not the watch's: a process of no watched tgid
 * (a non-thread clone without --tree) is let go. */
static bool ours(struct watch_run *r, const struct watch_opts *o, pid_t tid, int *err)
{
	pid_t tgid = procmap_tgid(&r->map, tid);
	char path[64], buf[2048];
	*err = 0;
	if (watched_find(r, tgid))
		return true;
	/* Its first stop came before its parent's fork event. */
	snprintf(path, sizeof path, "/proc/%ld/status", (long)tid);
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	const char *p = strstr(buf, "\nPPid:");
	pid_t ppid = p ? (pid_t)strtol(p + 6, NULL, 10) : 0;
	if ((o->tree || o->argv) && tgid == tid && ppid > 0 && watched_find(r, ppid)) {
		*err = on_new(r, o, ppid, tid);
		return true;
	}
	return false;
}

static int on_stop(struct watch_run *r, const struct watch_opts *o, pid_t tid, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16, err = 0;
	unsigned long msg = 0;

	if (!ours(r, o, tid, &err)) {
		ptrace(PTRACE_DETACH, tid, 0L, event == 0 ? (long)sig : 0L);
		return err;
	}
	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		if (ptrace(PTRACE_GETEVENTMSG, tid, 0L, &msg) == 0)
			err = on_new(r, o, tid, (pid_t)msg);
		break;
	case PTRACE_EVENT_EXEC:
		err = on_exec(r, o, tid);
		break;
	case PTRACE_EVENT_EXIT:
		if (ptrace(PTRACE_GETEVENTMSG, tid, 0L, &msg) == 0) {
			struct watched *w = watched_find(r, tid);
			if (w && !w->has_status)
				w->status = (int)msg; /* the leader's; waitpid's is final */
		}
		break;
	case PTRACE_EVENT_STOP:
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			/* A group-stop: stay stopped, and report SIGCONT's end of it. */
			if (ptrace(PTRACE_LISTEN, tid, 0L, 0L) < 0 && errno != ESRCH)
				return -errno;
			return err;
		}
		break; /* a new tracee's first stop, or the end of a group-stop */
	case 0:
		err = on_signal(r, tid, sig);
		if (ptrace(PTRACE_CONT, tid, 0L, (long)sig) < 0 && errno != ESRCH)
			return -errno;
		return err;
	default:
		break;
	}
	if (ptrace(PTRACE_CONT, tid, 0L, 0L) < 0 && errno != ESRCH)
		return -errno;
	return err;
}

/* Every stop and death waitpid has now, handled in its order. */
int ptrace_drain(struct watch_run *r, const struct watch_opts *o)
{
	for (;;) {
		int status, err = 0;
		pid_t tid = waitpid(-1, &status, __WALL | WNOHANG);
		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0 && errno == ECHILD)
			r->no_children = true;
		if (tid < 0)
			return errno == ECHILD ? 0 : -errno;
		if (tid == 0)
			return 0;
		if (WIFSTOPPED(status)) {
			err = on_stop(r, o, tid, status);
		} else if (watched_find(r, tid)) {
			/* The leader, reported after its last thread. */
			err = ev_status(r, now(), tid, status, false);
		} else {
			procmap_del(&r->map, tid);
		}
		if (err < 0)
			return err;
	}
}
