/*
 * The pty of a try login and the login shell on it (watch.md, "try" steps 2
 * and 3): the master is opened close-on-exec, so that neither the shell nor
 * its jobs hold it and closing ours hangs the terminal up; the child makes a
 * new session, takes the slave as its controlling terminal and execs the
 * shell with argv[0] "-name" (a login shell: bash's huponexit applies to
 * login shells only).  The child reports an exec failure's errno over a
 * close-on-exec pipe, as start.c does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "try.h"

int try_open_pty(struct try_run *r, struct try_failure *f)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	f->stage = TRY_STAGE_PTY;
	if (fd < 0)
		return -errno;
	if (grantpt(fd) < 0 || unlockpt(fd) < 0 || ptsname_r(fd, r->pty, sizeof r->pty) != 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	/* A terminal of a usual size: some programs (screen) refuse a 0x0 one. */
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	ioctl(fd, TIOCSWINSZ, &ws);
	r->master = fd;
	return 0;
}

/* The child's environment: the login's own (HOME, USER, LOGNAME, SHELL from
 * the user's passwd entry), then --env in order (later ones win). */
static void login_env(const struct passwd *pw, const struct try_opts *o)
{
	clearenv();
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("LOGNAME", pw->pw_name, 1);
	setenv("SHELL", o->argv[0], 1);
	for (size_t i = 0; i < o->nenv; i++)
		putenv((char *)o->env[i]);
}

/* Everything the child does before exec; returns -errno on failure. */
static int child_setup(const struct try_run *r, const struct try_opts *o, const struct passwd *pw)
{
	sigset_t none;
	int slave;

	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	try_cgroup_join(r);
	if (setsid() < 0)
		return -errno;
	if ((slave = open(r->pty, O_RDWR)) < 0)
		return -errno;
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return -errno;
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		return -errno;
	if (slave > 2)
		close(slave);
	if (o->user) {
		if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
			return -errno;
		if (setuid(0) == 0)
			return -EPERM; /* the drop did not stick */
	}
	login_env(pw, o);
	/* The caller's directory (so that ./job.sh is the caller's), else the user's home. */
	if ((!o->dir || chdir(o->dir) < 0) && chdir(pw->pw_dir) < 0 && chdir("/") < 0)
		return -errno;
	return 0;
}

int try_start_shell(struct try_run *r, const struct try_opts *o, struct try_failure *f)
{
	int pipefd[2], err = 0;
	struct passwd *pw;

	errno = 0;
	pw = o->user ? getpwnam(o->user) : getpwuid(getuid());
	if (!pw) {
		f->stage = TRY_STAGE_USER;
		f->value = o->user ? o->user : "(the invoking user)";
		return errno ? -errno : -ENOENT;
	}
	f->stage = TRY_STAGE_SHELL;
	f->value = o->argv[0];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	r->shell = fork();
	if (r->shell < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (r->shell == 0) {
		close(pipefd[0]);
		err = child_setup(r, o, pw);
		if (err == 0) {
			/* Every other fd goes: the helper's pipes to daemon-check must not leak into the login. */
			if (pipefd[1] > 3)
				syscall(SYS_close_range, 3, pipefd[1] - 1, 0);
			syscall(SYS_close_range, pipefd[1] + 1, ~0U, 0);
			char *path = o->argv[0];
			o->argv[0] = (char *)(o->arg0 ? o->arg0 : path);
			execv(path, o->argv);
			err = -errno;
		}
		int code = -err;
		(void)!write(pipefd[1], &code, sizeof code);
		_exit(127);
	}
	close(pipefd[1]);
	int code = 0;
	ssize_t n;
	while ((n = read(pipefd[0], &code, sizeof code)) < 0 && errno == EINTR)
		;
	close(pipefd[0]);
	if (n == (ssize_t)sizeof code) {
		waitpid(r->shell, NULL, 0);
		r->shell = 0;
		return -code;
	}
	return 0;
}
