/* Small helpers with no state of their own (see util.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void nap(double seconds)
{
	struct timespec ts = { 0, (long)(seconds * 1e9) };
	nanosleep(&ts, NULL);
}

/* Relative paths are made absolute up front because the daemon runs from
 * --chdir (/ by default), not from the caller's directory. */
char *absolutize(const char *name)
{
	char cwd[PATH_MAX];
	char *p;

	if (name[0] == '/')
		return strdup(name);
	if (!getcwd(cwd, sizeof cwd))
		return NULL;
	if (asprintf(&p, "%s/%s", strcmp(cwd, "/") ? cwd : "", name) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

void signame(int sig, char *buf, size_t size)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev) {
		snprintf(buf, size, "SIG%s", abbrev);
		return;
	}
#endif
	snprintf(buf, size, "%d", sig);
}

void status_text(int status, char *buf, size_t size)
{
	char sig[32];

	if (WIFEXITED(status)) {
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
		return;
	}
	signame(WTERMSIG(status), sig, sizeof sig);
	snprintf(buf, size, "was killed by signal %s", sig);
}

void json_string(FILE *out, const char *s)
{
	putc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			putc(c, out);
	}
	putc('"', out);
}

long read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, size - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	return n;
}
