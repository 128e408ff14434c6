/*
 * The readiness socket: an abstract unix datagram socket with a random name,
 * as systemd's Type=notify and `start-stop-daemon --notify-await` use.
 * Abstract: nothing to clean up in the file system, and reachable by the
 * daemon after it drops privileges (a socket in a private 0700 directory
 * would not be).  Since abstract sockets have no permissions, SO_PASSCRED
 * lets us accept messages only from root or the daemon's uid
 * (kernel-verified credentials).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "env.h"
#include "notify.h"
#include "pidfile.h"
#include "subtree.h"
#include "util.h"

static int failed(struct failure *f, enum stage stage, int err)
{
	failure_init(f, stage, err);
	return -1;
}

int notify_open(struct run *r, struct failure *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char rnd[8];
	char name[64];
	int one = 1;

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return failed(f, STAGE_NOTIFY_RANDOM, errno);
	snprintf(name, sizeof name, "daemon-check/%ld/%02x%02x%02x%02x%02x%02x%02x%02x",
		 (long)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	r->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->notify_fd < 0)
		return failed(f, STAGE_NOTIFY_SOCKET, errno);
	/* sun_path[0] = '\0' selects the abstract namespace; the name is not
	 * NUL-terminated and its length is given by the address length. */
	memcpy(sa.sun_path + 1, name, strlen(name));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	if (bind(r->notify_fd, (struct sockaddr *)&sa, len) != 0 ||
	    setsockopt(r->notify_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0)
		return failed(f, STAGE_NOTIFY_SETUP, errno);
	/* sd_notify() convention: a leading '@' stands for the NUL byte. */
	if (asprintf(&r->notify_env, "NOTIFY_SOCKET=@%s", name) < 0) {
		r->notify_env = NULL;
		return failed(f, STAGE_MEMORY, ENOMEM);
	}
	env_set(r, r->notify_env);
	return 0;
}

/* Closes the fds a message passed (e.g. FDSTORE=1: we keep none); true if
 * its sender is root or UID. */
static bool trusted(struct msghdr *msg, uid_t uid)
{
	bool ok = false;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(c), sizeof cr);
			ok = cr.uid == 0 || cr.uid == uid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t j = 0; j < k; j++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + j * sizeof(int), sizeof fd);
				close(fd);
			}
		}
	}
	return ok;
}

bool notify_got_ready(const struct run *r)
{
	uid_t uid = r->switch_user ? r->uid : geteuid();
	bool ready = false;

	for (;;) {
		char buf[4096];
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(16 * sizeof(int))];
		} ctl;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
		ssize_t n = recvmsg(r->notify_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ready; /* EAGAIN: drained */
		}
		if (!trusted(&msg, uid))
			continue;
		/* Look for the exact line READY=1 in a newline-separated list. */
		for (ssize_t s = 0; s < n;) {
			ssize_t e = s;
			while (e < n && buf[e] != '\n')
				e++;
			if (e - s == 7 && memcmp(buf + s, "READY=1", 7) == 0)
				ready = true;
			s = e + 1;
		}
	}
}

int notify_wait(const struct options *o, struct run *r, pid_t pid, double deadline, struct failure *f)
{
	int status = 0;

	while (!r->ready_seen) {
		double left = deadline - now();
		struct pollfd pfd = { .fd = r->notify_fd, .events = POLLIN };
		/* Short slices so that a dead daemon is noticed promptly. */
		int ms = left <= 0 ? 0 : left > 0.1 ? 100 : (int)(left * 1000) + 1;

		if (poll(&pfd, 1, ms) > 0 && notify_got_ready(r))
			return 0;
		if (reap(pid, &status)) {
			pidfile_clear(r);
			failure_init(f, STAGE_EXITED, 0);
			f->command = o->argv[0];
			f->pid = pid;
			f->status = status;
			f->has_status = true;
			f->before_ready = true;
			stop_descendants(r, &f->stopped, f); /* what it left behind */
			return -1;
		}
		if (deadline - now() <= 0)
			break;
	}
	if (r->ready_seen)
		return 0;
	/* Timed out.  Leaving a daemon running that we report as failed would
	 * be worse (it holds the pidfile lock, and a retry would say "already
	 * running"), so stop it and whatever it started. */
	pidfile_clear(r);
	failure_init(f, STAGE_READY_TIMEOUT, 0);
	f->command = o->argv[0];
	f->pid = pid;
	f->timeout = o->ready_timeout;
	stop_descendants(r, &f->stopped, f);
	return -1;
}
