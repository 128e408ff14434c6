/*
 * daemon-check-helper scan-read PROC_ROOT
 *
 * The bytes a scan reads of every process, in one pass, for the JavaScript
 * side to parse (src/proc/bulk.ts).  This is only a faster way to do the
 * reads: no file is interpreted here, and the TypeScript code parses exactly
 * the bytes it would have read itself, so every fact keeps one source.
 * Node spends ~6-8 us on top of the kernel's work per open/read/close or
 * readlink; a scan of 2,000 processes makes ~28,000 such calls.
 *
 * For each numeric entry of PROC_ROOT (in readdir order), except this
 * process itself:
 *
 *   p PID\n                      a process begins
 *   f NAME LEN\n<LEN bytes>      a file's content: stat, status, cmdline,
 *                                environ, cgroup (at most SCAN_READ_CAP bytes)
 *   l NAME LEN\n<LEN bytes>      a link's target: cwd; root and ns/mnt when
 *                                cwd is not / (the mount table is wanted
 *                                then); fd/N for every entry of fd/; ns/net
 *                                when one of them is a socket
 *   f fdinfo/N LEN\n<LEN bytes>  the fdinfo of the fds a scan examines
 *                                (not stdio on /dev/null, a pipe or a socket)
 *   d fd\n                       fd/ was listed (its entries follow as
 *                                l fd/N or e fd/N records)
 *   e NAME ERRNO\n               NAME could not be read: errno, decimal
 *                                (NAME "*": the process's directory itself)
 *
 * The processes are shared out among up to MAX_WORKERS threads (one per
 * online CPU): the time goes into the kernel's work for each file, which
 * runs in parallel for different processes.  Each thread builds its
 * records in memory and writes them out in batches of whole processes
 * (about BATCH_BYTES each), so the reader parses while the rest is read:
 * the processes come in no particular order, each one's records together.
 *
 * Nothing else is read; whatever a scan needs beyond these (stat() of an
 * fd's file, net tables, mountinfo) it reads itself.  Exit status 0, or 1
 * with one line on stderr when PROC_ROOT cannot be listed or stdout fails.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "protocol.h" /* SCAN_READ_CAP, FD_DETAIL_CAP, the stdio rule: shared with TypeScript */
#include "scan-read.h"

static void record(struct worker *w, const char *kind, const char *name, const char *data, size_t len)
{
	fprintf(w->out, "%s %s %zu\n", kind, name, len);
	fwrite(data, 1, len, w->out);
}

static void failed(struct worker *w, const char *name, int err)
{
	fprintf(w->out, "e %s %d\n", name, err);
}

/*
 * One read() is enough for the per-process files read here: the kernel hands
 * out everything that fits (src/proc/source.ts relies on the same), so the
 * read that would only say EOF is made only when the buffer came back full.
 * That saves one syscall per file: 10,000 in a scan of 2,000 processes.
 */
static void file(struct worker *w, int dir, const char *name)
{
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		failed(w, name, errno);
		return;
	}
	size_t used = 0;
	for (;;) {
		ssize_t n = read(fd, w->buf + used, w->buf_size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			failed(w, name, e);
			return;
		}
		used += (size_t)n;
		if (n == 0 || used < w->buf_size || w->buf_size == SCAN_READ_CAP)
			break;
		size_t bigger = w->buf_size * 2 > SCAN_READ_CAP ? SCAN_READ_CAP : w->buf_size * 2;
		char *b = realloc(w->buf, bigger);
		if (!b) {
			close(fd);
			failed(w, name, ENOMEM);
			return;
		}
		w->buf = b;
		w->buf_size = bigger;
	}
	close(fd);
	record(w, "f", name, w->buf, used);
}

/* Returns the target's length (in w->target), or -1 (the error recorded). */
static ssize_t link_at(struct worker *w, int dir, const char *name, const char *shown)
{
	ssize_t n = readlinkat(dir, name, w->target, sizeof w->target);
	if (n < 0)
		failed(w, shown, errno);
	else
		record(w, "l", shown, w->target, (size_t)n);
	return n;
}

/* Stdio on /dev/null, a pipe or a socket: a scan reads neither its stat nor
 * its fdinfo (protocol.h PLAIN_STDIO_*, src/proc/fd.ts plainStdio), so
 * neither is read here. */
static bool starts(const char *target, ssize_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len > (ssize_t)n && memcmp(target, prefix, n) == 0;
}

static bool plain_stdio(const char *fd, const char *target, ssize_t len)
{
	if (!(fd[0] >= '0' && fd[0] <= '0' + PLAIN_STDIO_MAX_FD && fd[1] == '\0'))
		return false;
	return (len == (ssize_t)strlen(PLAIN_STDIO_NULL) && memcmp(target, PLAIN_STDIO_NULL, (size_t)len) == 0) ||
	       starts(target, len, PLAIN_STDIO_PIPE_PREFIX) || starts(target, len, PLAIN_STDIO_SOCKET_PREFIX);
}

/*
 * fd/ listed with getdents64 straight on the directory (fdopendir's fcntl
 * and fstat are two syscalls per process more), each link read, and the
 * fdinfo of the first FD_DETAIL_CAP fds a scan examines (procfs lists fds in
 * ascending order, as the scan takes them); ns/net when one is a socket,
 * whose peers are looked up in that namespace's tables.
 */
static void fds(struct worker *w, int dir)
{
	int fd = openat(dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		failed(w, "fd", errno);
		return;
	}
	fputs("d fd\n", w->out);
	char shown[300];
	size_t examined = 0;
	bool socket = false;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, w->ents, sizeof w->ents);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* an error midway: the fds listed so far stand, as with readdir() */
		for (long off = 0; off < n;) {
			struct dirent64 *e = (struct dirent64 *)(w->ents + off);
			off += e->d_reclen;
			if (e->d_name[0] == '.')
				continue;
			snprintf(shown, sizeof shown, "fd/%s", e->d_name);
			ssize_t len = link_at(w, fd, e->d_name, shown);
			if (examined++ >= FD_DETAIL_CAP || len < 0)
				continue;
			if (starts(w->target, len, PLAIN_STDIO_SOCKET_PREFIX))
				socket = true;
			if (!plain_stdio(e->d_name, w->target, len)) {
				snprintf(shown, sizeof shown, "fdinfo/%s", e->d_name);
				file(w, dir, shown);
			}
		}
	}
	close(fd);
	if (socket)
		link_at(w, dir, "ns/net", "ns/net");
}

static void one(struct worker *w, const char *pid)
{
	static const char *const files[] = { "stat", "status", "cmdline", "environ", "cgroup" };
	fprintf(w->out, "p %s\n", pid);
	int dir = openat(w->root, pid, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		/* Gone since the listing: every read under it would say the same. */
		failed(w, "*", errno);
		return;
	}
	for (size_t i = 0; i < sizeof files / sizeof *files; i++)
		file(w, dir, files[i]);
	/* The mount table is looked up (by ns/mnt and root) only for a cwd other than /. */
	ssize_t n = link_at(w, dir, "cwd", "cwd");
	if (n > 0 && !(n == 1 && w->target[0] == '/')) {
		link_at(w, dir, "root", "root");
		link_at(w, dir, "ns/mnt", "ns/mnt");
	}
	fds(w, dir);
	close(dir);
}

/* A new batch, in memory. */
static int batch_open(struct worker *w)
{
	w->mem = NULL;
	w->mem_len = 0;
	w->out = open_memstream(&w->mem, &w->mem_len);
	return w->out ? 0 : -ENOMEM;
}

/* The batch, whole, to the shared output (one writer at a time, so batches never interleave). */
static int batch_flush(struct worker *w)
{
	int ret = fclose(w->out) == 0 ? 0 : -(errno ? errno : ENOMEM);
	w->out = NULL;
	pthread_mutex_lock(&w->dest->lock);
	for (size_t done = 0; ret == 0 && done < w->mem_len;) {
		ssize_t n = write(w->dest->fd, w->mem + done, w->mem_len - done);
		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	pthread_mutex_unlock(&w->dest->lock);
	free(w->mem);
	w->mem = NULL;
	return ret;
}

void *scan_work(void *arg)
{
	struct worker *w = arg;
	w->buf_size = 64 * 1024;
	w->buf = malloc(w->buf_size);
	int ret = w->buf ? batch_open(w) : -ENOMEM;
	for (size_t i = 0; i < w->count && ret == 0; i++) {
		one(w, w->pids[i]);
		if (ftello(w->out) >= BATCH_BYTES && (ret = batch_flush(w)) == 0)
			ret = batch_open(w);
	}
	if (ret == 0)
		ret = batch_flush(w); /* the last, perhaps empty */
	w->err = -ret;
	return NULL;
}
