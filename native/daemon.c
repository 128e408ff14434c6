/* The forked side (see daemon.h).  Failures cannot be printed here: they go
 * to the original process as a report record, and it says what went wrong. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"
#include "pidfile.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

static void send_report(int fd, int stage, int value)
{
	struct report r = { stage, value };
	/* If the original died the write fails (EPIPE/SIGPIPE); nobody is left
	 * to tell anyway. */
	if (write(fd, &r, sizeof r) != (ssize_t)sizeof r) {
		/* ignored */
	}
}

/* Tells the original which STAGE failed and leaves: the forked processes'
 * only way out on failure. */
static _Noreturn void fail(int rep, int stage, int err)
{
	send_report(rep, stage, err);
	_exit(stage == STAGE_EXEC ? (err == ENOENT ? HELPER_EXIT_NOTFOUND : HELPER_EXIT_NOEXEC) : HELPER_EXIT_FAILED);
}

static void redirect(int target, const char *path, int flags, mode_t mode, int rep, int stage)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0)
		fail(rep, stage, errno);
	if (dup2(fd, target) < 0) /* dup2 clears FD_CLOEXEC on target */
		fail(rep, stage, errno);
	close(fd);
}

static void drop_privileges(const struct run *r, int rep)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	/* Order matters: groups and gid need privilege, so setuid comes last. */
	if (initgroups(r->user_name, r->gid) != 0)
		fail(rep, STAGE_INITGROUPS, errno);
	if (setgid(r->gid) != 0)
		fail(rep, STAGE_SETGID, errno);
	if (setuid(r->uid) != 0)
		fail(rep, STAGE_SETUID, errno);
	/* Verify it stuck: real, effective and saved ids, and no way back. */
	if (getresuid(&ru, &eu, &su) != 0 || ru != r->uid || eu != r->uid || su != r->uid ||
	    getresgid(&rg, &eg, &sg) != 0 || rg != r->gid || eg != r->gid || sg != r->gid)
		fail(rep, STAGE_VERIFY_PRIVILEGES, EPERM);
	if (r->uid != 0 && setuid(0) == 0)
		fail(rep, STAGE_VERIFY_PRIVILEGES, EPERM);
}

/* Make every fd >= 3 close-on-exec.  Unlike closing them now, this keeps the
 * report pipe usable until exec itself (which must be able to report its
 * own failure); the caller then clears FD_CLOEXEC on the pidfile fd. */
static int cloexec_from_3(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
#endif
	/* Kernels before 5.11: walk /proc/self/fd. */
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		struct dirent *de;
		int dfd = dirfd(d);
		while ((de = readdir(d))) {
			int fd = atoi(de->d_name);
			if (fd >= 3 && fd != dfd)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
		closedir(d);
		return 0;
	}
	/* No /proc either: try every possible fd. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	/* Capped at the kernel's default nr_open so RLIM_INFINITY terminates. */
	for (rlim_t fd = 3; fd < rl.rlim_cur && fd < (rlim_t)1048576; fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* The daemon (grandchild), from umask to exec. */
static _Noreturn void become_daemon(const struct options *o, const struct run *r, int rep)
{
	umask(o->umask);
	/* Privileges are dropped *before* chdir and opening --stdout/--stderr:
	 * the files are then opened with the daemon's own credentials, so a
	 * link planted by that user cannot make us append to a root-owned
	 * file, new logs belong to the daemon's user (it can reopen them on
	 * rotation), and an inaccessible --chdir fails now instead of leaving
	 * the daemon in a directory it cannot use. */
	if (r->switch_user)
		drop_privileges(r, rep);
	if (chdir(r->chdir) != 0)
		fail(rep, STAGE_CHDIR, errno);
	redirect(0, "/dev/null", O_RDONLY, 0, rep, STAGE_STDIN);
	redirect(1, r->stdout_path ? r->stdout_path : "/dev/null",
		 r->stdout_path ? O_WRONLY | O_APPEND | O_CREAT : O_WRONLY, 0640, rep, STAGE_STDOUT);
	redirect(2, r->stderr_path ? r->stderr_path : "/dev/null",
		 r->stderr_path ? O_WRONLY | O_APPEND | O_CREAT : O_WRONLY, 0640, rep, STAGE_STDERR);
	environ = r->envp;

	/* The file was already emptied under the lock; the write truncates
	 * again to be sure. */
	int err = r->pidfile_fd >= 0 ? pidfile_write_pid(r->pidfile_fd, getpid()) : 0;
	if (err < 0)
		fail(rep, STAGE_PIDFILE_WRITE, -err);
	if (cloexec_from_3() != 0)
		fail(rep, STAGE_FDS, errno);
	/* The pidfile fd survives exec: the lock lives as long as the daemon. */
	if (r->pidfile_fd >= 0 && fcntl(r->pidfile_fd, F_SETFD, 0) != 0)
		fail(rep, STAGE_FDS, errno);

	/* exec_path is absolute, so execvp does no PATH search; it is used for
	 * its fallback of running a script without "#!" through /bin/sh. */
	execvp(r->exec_path, o->argv);
	fail(rep, STAGE_EXEC, errno);
}

_Noreturn void daemon_child(const struct options *o, const struct run *r, int rep)
{
	/* New session: no controlling terminal, own process group. */
	if (setsid() < 0)
		fail(rep, STAGE_SETSID, errno);
	pid_t pid = fork();
	if (pid < 0)
		fail(rep, STAGE_FORK, errno);
	if (pid == 0)
		become_daemon(o, r, rep);
	/* The first child tells the original the daemon's pid (it is the one
	 * that knows it for sure) and exits, so the daemon is not a session
	 * leader and can never reacquire a terminal. */
	send_report(rep, REPORT_PID, (int)pid);
	close(rep);
	if (r->pidfile_fd >= 0)
		close(r->pidfile_fd);
	_exit(0);
}
