/*
 * The original process of `daemon-check-helper [options] -- CMD`: validate,
 * lock the pidfile, fork, wait for the report, watch the settle window,
 * print the daemon's pid (helper.md).  This is the mode's top level: every
 * step below returns a status and fills a struct failure, and only
 * start_main() prints it (failure.c) and chooses the exit code.
 *
 * Being single-threaded is what makes it fine to call malloc/getpwnam/
 * initgroups between fork() and exec() in the child (daemon.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "failure.h"
#include "follow.h"
#include "notify.h"
#include "opts.h"
#include "pidfile.h"
#include "resolve.h"
#include "start.h"
#include "util.h"

#ifndef NSIG
#define NSIG 65
#endif

void run_init(struct run *r)
{
	*r = (struct run){ .pidfile_fd = -1, .notify_fd = -1, .report_rd = -1 };
}

void run_free(struct run *r)
{
	if (r->pidfile_fd >= 0)
		close(r->pidfile_fd);
	if (r->notify_fd >= 0)
		close(r->notify_fd);
	if (r->report_rd >= 0)
		close(r->report_rd);
	free(r->exec_path);
	free(r->chdir);
	free(r->stdout_path);
	free(r->stderr_path);
	free(r->pidfile);
	free(r->pidfile_dir);
	free(r->user_name);
	free(r->user_spec);
	free(r->envp);
	free(r->notify_env);
	run_init(r);
}

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	/* The daemon must not inherit ignored or blocked signals from whoever
	 * ran us (nohup, Node, ...).  It also matters here: an inherited
	 * SIG_IGN for SIGCHLD would make waitpid() fail with ECHILD.  SIGKILL,
	 * SIGSTOP and glibc's internal signals fail with EINVAL; that is fine. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* If fd 0, 1 or 2 is closed, the pidfile or a pipe could land on it and be
 * clobbered by a later dup2(); fill the gaps with /dev/null first.  0 or -1. */
static int ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/null", O_RDWR);
		if (n < 0)
			return -1;
		if (n != fd) { /* cannot happen: open returns the lowest free fd */
			close(n);
			return -1;
		}
	}
	return 0;
}

/* Collects report records (daemon.h) until every write end is closed (the
 * daemon's closes on a successful exec, O_CLOEXEC): the daemon's pid into
 * *PID, the first failure into *STAGE and *ERR.  Records are written whole,
 * but a read() may still end mid-record: keep the remainder. */
static void read_report(int fd, pid_t *pid, int *stage, int *err)
{
	unsigned char buf[sizeof(struct report) * 8];
	size_t have = 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof buf - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		size_t off = 0;
		for (; have - off >= sizeof(struct report); off += sizeof(struct report)) {
			struct report r;
			memcpy(&r, buf + off, sizeof r);
			if (r.stage == REPORT_PID) {
				*pid = r.value;
			} else if (!*stage) {
				*stage = r.stage;
				*err = r.value;
			}
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
}

/* The stages a report record may name (daemon.c). */
static bool child_stage(int stage)
{
	switch (stage) {
	case STAGE_FORK: case STAGE_SETSID: case STAGE_INITGROUPS: case STAGE_SETGID: case STAGE_SETUID:
	case STAGE_VERIFY_PRIVILEGES: case STAGE_CHDIR: case STAGE_STDIN: case STAGE_STDOUT: case STAGE_STDERR:
	case STAGE_PIDFILE_WRITE: case STAGE_FDS: case STAGE_EXEC:
		return true;
	default:
		return false;
	}
}

/* The failure a report record names, with what the message needs. */
static void reported(const struct options *o, const struct run *r, int stage, int err, struct failure *f)
{
	if (!child_stage(stage)) {
		failure_init(f, STAGE_REPORT, 0);
		f->report = stage;
		return;
	}
	failure_init(f, (enum stage)stage, err);
	f->user = o->user ? o->user : "";
	switch (f->stage) {
	case STAGE_SETGID: f->gid = (long)r->gid; break;
	case STAGE_CHDIR: f->path = r->chdir; break;
	case STAGE_STDOUT: f->path = r->stdout_path; break;
	case STAGE_STDERR: f->path = r->stderr_path; break;
	case STAGE_PIDFILE_WRITE: f->pidfile = r->pidfile; break;
	case STAGE_EXEC: f->command = o->argv[0]; break;
	default: break;
	}
	/* The --user's access is the likely cause: privileges were dropped
	 * before the directory was entered and the files were opened. */
	if (f->path)
		f->user_denied = r->switch_user && err == EACCES;
}

/* The result line: the pid, or with --json {pid, pidfile, command} and,
 * when we followed a program that forked itself away, followed: {launcher,
 * status} (the status is always 0: only a clean exit is followed). */
static void print_result(const struct options *o, const struct run *r, pid_t daemon_pid)
{
	if (!o->json) {
		printf("%ld\n", (long)daemon_pid);
		return;
	}
	printf("{\"pid\":%ld,\"pidfile\":", (long)daemon_pid);
	if (r->pidfile)
		json_string(stdout, r->pidfile);
	else
		fputs("null", stdout);
	fputs(",\"command\":[", stdout);
	for (char **a = o->argv; *a; a++) {
		if (a != o->argv)
			putchar(',');
		json_string(stdout, *a);
	}
	putchar(']');
	if (r->followed_launcher > 0)
		printf(",\"followed\":{\"launcher\":%ld,\"status\":0}", (long)r->followed_launcher);
	puts("}");
}

static int failed(struct failure *f, enum stage stage, int err)
{
	failure_init(f, stage, err);
	return -1;
}

/* Forks the first child (daemon.c) and reads its report: the daemon's pid,
 * or -1 with *F set. */
static pid_t launch(const struct options *o, struct run *r, struct failure *f)
{
	int pipefd[2], status = 0, stage = 0, err = 0;
	pid_t pid, daemon_pid = -1;

	/* O_CLOEXEC: a successful exec closes the daemon's write end, so EOF
	 * with no error record means the exec worked. */
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return failed(f, STAGE_PIPE, errno);
	r->report_rd = pipefd[0];
	fflush(NULL); /* no stdio buffer may be duplicated into the children */
	pid = fork();
	if (pid < 0) {
		close(pipefd[1]);
		return failed(f, STAGE_FORK, errno);
	}
	if (pid == 0) {
		close(pipefd[0]);
		if (r->notify_fd >= 0)
			close(r->notify_fd);
		daemon_child(o, r, pipefd[1]);
	}
	close(pipefd[1]);
	read_report(r->report_rd, &daemon_pid, &stage, &err);
	/* Reap the first child.  Once it is gone the daemon has been
	 * reparented (to init, or to us as a subreaper). */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (stage) {
		if ((o->wait_ready || o->settle > 0) && daemon_pid > 0) /* our child: reap it */
			waitpid(daemon_pid, NULL, 0);
		pidfile_clear(r);
		reported(o, r, stage, err, f);
		return -1;
	}
	if (daemon_pid <= 0) {
		failure_init(f, STAGE_INTERMEDIATE, 0);
		f->command = o->argv[0];
		f->wait_status = status;
		return -1;
	}
	return daemon_pid;
}

/* Every step up to the pid to print, or -1 with *F set. */
static pid_t start(const struct options *o, struct run *r, struct failure *f)
{
	if (resolve_all(o, r, f) != 0 || (o->pidfile && pidfile_open(o, r, f) != 0))
		return -1;
	reset_signals();
	if (o->wait_ready && notify_open(r, f) != 0)
		return -1;
	/* Become the daemon's parent once the first child exits, so we can
	 * waitpid() it (how did it die before READY=1?  did it exit 0 in the
	 * settle window?), and adopt the orphans it leaves if it forks itself
	 * away.  When we exit, they all go on to init (or the next subreaper). */
	if ((o->wait_ready || o->settle > 0) && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		return failed(f, STAGE_SUBREAPER, errno);
	pid_t pid = launch(o, r, f);
	double ready_deadline = now() + o->ready_timeout;
	if (pid > 0 && o->settle > 0)
		pid = settle(o, r, pid, ready_deadline, f);
	if (pid > 0 && o->wait_ready && notify_wait(o, r, pid, ready_deadline, f) != 0)
		return -1;
	return pid;
}

int start_main(int argc, char **argv)
{
	struct options o;
	struct run r;
	struct failure f;
	int code = HELPER_EXIT_OK;

	if (ensure_std_fds() != 0)
		return HELPER_EXIT_FAILED; /* not even stderr to say so */
	run_init(&r);
	int parsed = opts_parse(argc, argv, &o, &f);
	if (parsed == 1) {
		opts_usage(stdout);
	} else if (parsed < 0) {
		failure_print(&f, o.json_errors);
		code = failure_exit_code(&f);
	} else {
		pid_t pid = start(&o, &r, &f);
		if (pid > 0) {
			print_result(&o, &r, pid);
		} else {
			failure_print(&f, o.json_errors);
			code = failure_exit_code(&f);
		}
	}
	run_free(&r);
	opts_free(&o);
	if (fflush(stdout) != 0 && code == HELPER_EXIT_OK)
		return HELPER_EXIT_FAILED; /* nothing to print to: stdout itself failed */
	return code;
}
