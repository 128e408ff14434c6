/*
 * Programs that daemonize themselves (nginx, redis-server --daemonize yes,
 * memcached -d, supervisord): they fork, the process we exec'd exits 0 and a
 * child lives on.  For --settle seconds (default 1.5) after the exec we are
 * a child subreaper and watch for that: the orphans it leaves become our
 * children.  We then follow the real daemon (the process below us that holds
 * the pidfile - it inherited our locked fd -, or without a pidfile our only
 * child or the only new session leader), write *its* pid into the pidfile
 * and report it; or, when we cannot tell which process it is or it does not
 * hold the lock, we stop everything the program started and fail, so that
 * neither our output nor the pidfile ever names a dead process.  The price:
 * a program that keeps running is only known to keep running once the window
 * is over, and what a program that forked away left behind is only known to
 * stay once the window is over too, so a start takes the whole window unless
 * the program fails or sends READY=1 (--settle 0: no wait, no following).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "follow.h"
#include "notify.h"
#include "pidfile.h"
#include "subtree.h"
#include "util.h"

/* After the program exits 0 in the window: how long what it left behind must
 * stay unchanged before we decide which process is the daemon (the middle
 * process of a double fork exits within milliseconds). */
#define QUIET_SECONDS 0.3

/* pick_daemon()'s answers other than a pid. */
enum { PICK_NONE = 0, PICK_AMBIGUOUS = -1, PICK_NOLOCK = -2, PICK_UNSTABLE = -3 };

static bool parent_holds(const struct proc *p, size_t n, pid_t ppid)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].pid == ppid)
			return p[i].holds;
	return false;
}

/* Which of the processes below us is the daemon?  With a pidfile: the one
 * that holds it and whose parent does not (nginx's master, not its workers,
 * which inherited the fd from it).  Without: our only child (the orphan the
 * program left), else the only child that leads its own session. */
static pid_t pick_daemon(const struct run *r, const struct proc *p, size_t n)
{
	pid_t self = getpid(), holder = 0, kid = 0, leader = 0;
	size_t holders = 0, kids = 0, leaders = 0;

	if (n == 0)
		return PICK_NONE;
	for (size_t i = 0; i < n; i++) {
		if (p[i].holds && !parent_holds(p, n, p[i].ppid)) {
			holders++;
			holder = p[i].pid;
		}
		if (p[i].ppid == self) {
			kids++;
			kid = p[i].pid;
			if (p[i].sid == p[i].pid) {
				leaders++;
				leader = p[i].pid;
			}
		}
	}
	if (r->pidfile_fd >= 0)
		return holders == 1 ? holder : holders == 0 ? PICK_NOLOCK : PICK_AMBIGUOUS;
	return kids == 1 ? kid : leaders == 1 ? leader : PICK_AMBIGUOUS;
}

/* Stops what the program started and empties the pidfile: the failure in *F
 * then leaves nothing running. */
static int stop_all(const struct run *r, struct failure *f)
{
	pidfile_clear(r);
	stop_descendants(r, &f->stopped, f);
	return -1;
}

/* Report PID instead of the program: write it into the pidfile (our fd
 * shares the locked open file description, so the lock is held throughout),
 * then check it is still running and still holds the pidfile.  1 if so,
 * 0 if not, -1 with *F set if the pid could not be written. */
static int adopt(const struct run *r, pid_t pid, struct failure *f)
{
	struct proc p;

	if (r->pidfile_fd >= 0) {
		int err = pidfile_write_pid(r->pidfile_fd, pid);
		if (err < 0) {
			failure_init(f, STAGE_PIDFILE_WRITE, -err);
			f->pidfile = r->pidfile;
			return stop_all(r, f);
		}
	}
	return proc_read_stat(pid, &p) && p.state != 'Z' && p.state != 'X' &&
	       (r->pidfile_fd < 0 || pidfile_held_by(r, pid));
}

/* We will not report a daemon: say why (WHY is a PICK_* or the pid that
 * died as we adopted it), stop what the program started, empty the pidfile. */
static int refuse(const struct options *o, const struct run *r, pid_t launcher, pid_t why, struct failure *f)
{
	failure_init(f, why == PICK_NONE ? STAGE_LEFT_NOTHING : STAGE_FORKED_AWAY, 0);
	f->command = o->argv[0];
	f->launcher = launcher;
	f->before_ready = o->wait_ready;
	switch (why) {
	case PICK_NONE: break;
	case PICK_NOLOCK: f->reason = FORKED_AWAY_NO_LOCK; break;
	case PICK_AMBIGUOUS: f->reason = FORKED_AWAY_AMBIGUOUS; break;
	case PICK_UNSTABLE:
		f->reason = FORKED_AWAY_UNSTABLE;
		f->settle = o->settle;
		break;
	default:
		f->reason = FORKED_AWAY_DAEMON_EXITED;
		f->daemon_pid = why;
		break;
	}
	return stop_all(r, f);
}

/* The program LAUNCHER exited 0 in the window: it forked itself away (or
 * just quit).  Watch what it left below us until the window ENDs and the
 * answer has not changed for QUIET_SECONDS (the middle process of a double
 * fork is gone, a daemon that closes its fds has done so), then follow the
 * daemon, or refuse.  Deciding at once would be quicker, but a daemon that
 * drops the lock a little later would then be reported holding it. */
static pid_t follow(const struct options *o, struct run *r, pid_t launcher, double end, struct failure *f)
{
	double quiet = o->settle < QUIET_SECONDS ? o->settle : QUIET_SECONDS;
	double since = now(), give_up = end + o->settle;
	pid_t pick, last = PICK_UNSTABLE;
	int st;

	/* The pidfile names the program, which is dead: empty it until we
	 * know better.  (A starter that finds it locked meanwhile waits up to
	 * ~1 s for a pid to appear in it; see read_running_pid.) */
	pidfile_clear(r);
	for (;;) {
		struct proc *p = NULL;
		reap(0, &st);
		long n = descendants(r, &p);
		if (n < 0) {
			failure_init(f, n == -ENOMEM ? STAGE_MEMORY : STAGE_PROC, (int)-n);
			return -1;
		}
		pick = pick_daemon(r, p, (size_t)n);
		free(p);
		if (pick == PICK_NONE)
			break; /* nothing below us: nothing can appear any more */
		if (pick != last) {
			last = pick;
			since = now();
		} else if (now() >= end && now() - since >= quiet) {
			break;
		}
		if (now() >= give_up) {
			pick = PICK_UNSTABLE;
			break;
		}
		nap(0.01);
	}
	if (pick <= 0)
		return refuse(o, r, launcher, pick, f);
	int adopted = adopt(r, pick, f);
	if (adopted < 0)
		return -1;
	if (!adopted)
		return refuse(o, r, launcher, pick, f);
	r->followed_launcher = launcher;
	return pick;
}

pid_t settle(const struct options *o, struct run *r, pid_t pid, double ready_deadline, struct failure *f)
{
	double end = now() + o->settle;
	int status = 0;

	if (o->wait_ready && ready_deadline < end)
		end = ready_deadline;
	while (!reap(pid, &status)) {
		if (now() >= end)
			return pid; /* still running: the normal case */
		struct pollfd pfd = { .fd = r->notify_fd, .events = POLLIN };
		if (r->notify_fd < 0) {
			nap(0.01);
		} else if (poll(&pfd, 1, 10) > 0 && notify_got_ready(r)) {
			r->ready_seen = true; /* it is up, and did not fork away */
			return pid;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return follow(o, r, pid, end, f);
	failure_init(f, STAGE_EXITED, 0);
	f->command = o->argv[0];
	f->pid = pid;
	f->status = status;
	f->has_status = true;
	f->before_ready = o->wait_ready;
	f->stderr_null = !o->stderr_path;
	return stop_all(r, f); /* anything it left behind */
}
