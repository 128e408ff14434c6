/*
 * The pidfile.  Locking design: we use an open-file-description lock
 * (F_OFD_SETLK, Linux >= 3.15) rather than a classic POSIX record lock.
 * Classic fcntl locks belong to a *process*: they are not inherited by fork()
 * and vanish as soon as the process that took them closes any fd on the file
 * or exits, so a lock taken here would have to be dropped and re-taken by the
 * daemon, leaving a window where a second starter could slip in.  An OFD lock
 * belongs to the open file description, which fork() shares and exec()
 * preserves (the daemon's copy has FD_CLOEXEC cleared).  So the lock is held
 * continuously from before the first fork until the last holder of the
 * description - normally the daemon itself - exits.  It still conflicts with
 * classic POSIX locks taken by other tools.  /proc/locks shows it as "OFDLCK"
 * with pid -1; that is expected.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pidfile.h"

/* Read the pid a lock holder wrote.  The holder may be between taking the
 * lock and writing its pid (another helper mid-start), so wait up to ~1 s
 * for a complete "N\n". */
static long read_running_pid(int fd)
{
	for (int tries = 0; tries < 20; tries++) {
		char buf[32];
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			char *end;
			long pid = strtol(buf, &end, 10);
			if (pid > 0 && *end == '\n')
				return pid;
		}
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int failed(struct failure *f, enum stage stage, int err, const char *pidfile)
{
	failure_init(f, stage, err);
	f->pidfile = pidfile;
	return -1;
}

/* r->pidfile: the absolute name, in a directory that is safe to use. */
static int locate(const struct options *o, struct run *r, struct failure *f)
{
	const char *given = o->pidfile, *slash = strrchr(given, '/');
	const char *base = slash ? slash + 1 : given;
	struct stat st;
	char *rdir;

	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return failed(f, STAGE_PIDFILE_NAME, 0, given);
	r->pidfile_dir = !slash ? strdup(".") : slash == given ? strdup("/") : strndup(given, (size_t)(slash - given));
	if (!r->pidfile_dir)
		return failed(f, STAGE_MEMORY, ENOMEM, NULL);
	rdir = realpath(r->pidfile_dir, NULL);
	if (!rdir || stat(rdir, &st) != 0) {
		failed(f, STAGE_PIDFILE_DIR, errno, given);
		f->dir = r->pidfile_dir;
		free(rdir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		failed(f, STAGE_PIDFILE_NOT_DIR, 0, given);
		f->dir = r->pidfile_dir;
		free(rdir);
		return -1;
	}
	free(r->pidfile_dir);
	r->pidfile_dir = rdir;
	/* Anyone could swap the pidfile for a link or their own file in such a
	 * directory; sticky directories (/tmp) only let owners rename/unlink. */
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		failed(f, STAGE_PIDFILE_UNSAFE_DIR, 0, given);
		f->dir = rdir;
		return -1;
	}
	if (asprintf(&r->pidfile, "%s/%s", strcmp(rdir, "/") ? rdir : "", base) < 0) {
		r->pidfile = NULL;
		return failed(f, STAGE_MEMORY, ENOMEM, NULL);
	}
	return 0;
}

/* The lock is taken: any content is stale. */
static int lock(struct run *r, struct failure *f)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

	if (fcntl(r->pidfile_fd, F_OFD_SETLK, &fl) != 0) {
		int err = errno;
		if (err == EAGAIN || err == EACCES) {
			failed(f, STAGE_PIDFILE_LOCKED, err, r->pidfile);
			f->running_pid = read_running_pid(r->pidfile_fd);
			return -1;
		}
		return failed(f, err == EINVAL ? STAGE_PIDFILE_NO_OFD : STAGE_PIDFILE_LOCK, err, r->pidfile);
	}
	/* We hold the lock, so any content is stale: clear it now so that the
	 * file never shows a dead pid while locked.  The daemon writes its pid
	 * once, in full. */
	if (ftruncate(r->pidfile_fd, 0) != 0)
		return failed(f, STAGE_PIDFILE_TRUNCATE, errno, r->pidfile);
	/* The file mode must not depend on the caller's umask. */
	if (fchmod(r->pidfile_fd, 0644) != 0)
		return failed(f, STAGE_PIDFILE_CHMOD, errno, r->pidfile);
	return 0;
}

int pidfile_open(const struct options *o, struct run *r, struct failure *f)
{
	struct stat st;

	if (locate(o, r, f) != 0)
		return -1;
	/* O_NOFOLLOW: a symlink in the last component fails with ELOOP and its
	 * target is neither created nor truncated.  O_NOCTTY in case someone
	 * points us at a terminal. */
	r->pidfile_fd = open(r->pidfile, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
	if (r->pidfile_fd < 0)
		return failed(f, errno == ELOOP ? STAGE_PIDFILE_SYMLINK : STAGE_PIDFILE_OPEN, errno, r->pidfile);
	if (fstat(r->pidfile_fd, &st) != 0)
		return failed(f, STAGE_PIDFILE_STAT, errno, r->pidfile);
	if (!S_ISREG(st.st_mode))
		return failed(f, STAGE_PIDFILE_TYPE, 0, r->pidfile);
	r->pidfile_dev = st.st_dev;
	r->pidfile_ino = st.st_ino;
	/* A second hard link may be someone else's file (e.g. planted in a
	 * shared directory); we would truncate it. */
	if (st.st_nlink > 1) {
		failed(f, STAGE_PIDFILE_LINKS, 0, r->pidfile);
		f->links = (long)st.st_nlink;
		return -1;
	}
	return lock(r, f);
}

int pidfile_write_pid(int fd, pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)pid);

	/* Truncate first: the file may hold a longer pid (the program's). */
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n || fsync(fd) != 0)
		return -(errno ? errno : EIO);
	return 0;
}

void pidfile_clear(const struct run *r)
{
	if (r->pidfile_fd >= 0 && ftruncate(r->pidfile_fd, 0) != 0) {
		/* Nothing better to do; the lock is released when we exit. */
	}
}

bool pidfile_held_by(const struct run *r, pid_t pid)
{
	char path[64];
	bool found = false;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	DIR *d = opendir(path);
	if (!d)
		return false;
	for (struct dirent *de; !found && (de = readdir(d));) {
		struct stat st;
		/* stat() follows the magic link to the open file itself. */
		found = de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
			st.st_dev == r->pidfile_dev && st.st_ino == r->pidfile_ino;
	}
	closedir(d);
	return found;
}
