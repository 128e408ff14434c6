/*
 * `watch -- CMD`: the helper becomes a child subreaper and the parent of
 * CMD, so every process of the tree ends as its child or its orphan, and
 * waitpid gives the exact status of each one it reaps, with or without
 * root.  `watch PID` without root: a pidfd says when the process ended.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "watch.h"

/* In the child: wait for the go, then exec; the errno goes back on ERRFD. */
static void run_child(const struct watch_opts *o, int go, int errfd)
{
	sigset_t none;
	char byte;
	int err;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	/* Our stdout carries the lines: CMD's output goes to stderr then. */
	if (o->events_fd == 1)
		dup2(2, 1);
	while (read(go, &byte, 1) < 0 && errno == EINTR)
		;
	execvp(o->argv[0], o->argv);
	err = errno;
	while (write(errfd, &err, sizeof err) < 0 && errno == EINTR)
		;
	_exit(127);
}

int child_start(struct watch_run *r, const struct watch_opts *o, int *exec_err)
{
	int go[2], errp[2], err = 0;
	const char *base = strrchr(o->argv[0], '/') ? strrchr(o->argv[0], '/') + 1 : o->argv[0];

	*exec_err = 0;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return -errno;
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		err = -errno;
		close(go[0]);
		close(go[1]);
		return err;
	}
	pid_t pid = fork();
	if (pid == 0)
		run_child(o, go[0], errp[1]);
	close(go[0]);
	close(errp[1]);
	if (pid < 0) {
		err = -errno;
		close(go[1]);
		close(errp[0]);
		return err;
	}
	r->child = pid;
	r->parent = true;
	/* Named after the program it is about to run; the exec line confirms it. */
	char comm[COMM_LEN];
	snprintf(comm, sizeof comm, "%s", base);
	procmap_put(&r->map, pid, pid, comm);
	err = watched_add(r, pid, comm, now(), false);
	/* ptrace (--ptrace, or no tracefs as root): traced from before its exec (watch-ptrace.c). */
	if (!err && r->use_ptrace && (err = ptrace_attach(r, o, pid)) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(go[1]);
		close(errp[0]);
		return err;
	}
	/* Go: the child execs now that it is watched. */
	while (write(go[1], "g", 1) < 0 && errno == EINTR)
		;
	close(go[1]);
	ssize_t n;
	while ((n = read(errp[0], exec_err, sizeof *exec_err)) < 0 && errno == EINTR)
		;
	close(errp[0]);
	if (n != (ssize_t)sizeof *exec_err)
		*exec_err = 0;
	if (*exec_err)
		waitpid(pid, NULL, 0);
	return err;
}

/* Reaps every child that has ended (CMD, and the orphans the subreaper
 * adopted); each one not yet watched is added first, while its /proc
 * entry (a zombie's) still names it. */
int child_reap(struct watch_run *r)
{
	for (;;) {
		siginfo_t info;
		int status, err;

		memset(&info, 0, sizeof info);
		if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				r->no_children = true;
			return errno == ECHILD ? 0 : -errno;
		}
		if (info.si_pid == 0)
			return 0;
		pid_t pid = info.si_pid;
		if (!watched_find(r, pid)) {
			char comm[COMM_LEN + 2];
			read_comm(pid, comm);
			if ((err = watched_add(r, pid, comm, now(), true)) < 0)
				return err;
		}
		if (waitpid(pid, &status, WNOHANG) != pid)
			continue;
		if ((err = ev_status(r, now(), pid, status, false)) < 0)
			return err;
	}
}

int pidfds_open(struct watch_run *r)
{
	for (size_t i = 0; i < r->nw; i++) {
		int fd = (int)syscall(SYS_pidfd_open, r->w[i].pid, 0);
		if (fd < 0)
			return -errno;
		r->w[i].pidfd = fd;
	}
	return 0;
}

/* The pidfds that say their process ended: dead now (pidfd mode: the exit
 * line, without a status), or -ESRCH at start for a process already gone. */
int pidfds_check(struct watch_run *r, double t)
{
	for (size_t i = 0; i < r->nw; i++) {
		struct watched *w = &r->w[i];
		struct pollfd p = { .fd = w->pidfd, .events = POLLIN };
		if (w->pidfd < 0 || w->ended || poll(&p, 1, 0) != 1)
			continue;
		if (!r->parent && r->trace_fd < 0 && r->cn_fd < 0) {
			int err = emit_exit(r, w, t);
			if (err < 0)
				return err;
		} else if (!w->dead) {
			w->dead = true;
			w->dead_t = t;
		}
	}
	return 0;
}

/* Every process given ended before its events could be seen: a failure. */
int watch_check_started(struct watch_run *r, struct watch_failure *f)
{
	int err = pidfds_open(r);
	if (err == -ESRCH)
		return 0; /* found by the poll below as a missing pidfd */
	if (err < 0)
		return err;
	for (size_t i = 0; i < r->nw; i++) {
		struct pollfd p = { .fd = r->w[i].pidfd, .events = POLLIN };
		if (r->w[i].pidfd < 0 || poll(&p, 1, 0) == 1) {
			f->stage = WATCH_STAGE_ENDED;
			f->pid = r->w[i].pid;
			return -ESRCH;
		}
		/* With events flowing, only pidfd mode needs the pidfds. */
		if (r->trace_fd >= 0 || r->traced) {
			close(r->w[i].pidfd);
			r->w[i].pidfd = -1;
		}
	}
	return 0;
}
