/* Small helpers with no state of their own: time, paths, names, JSON. */
#ifndef DAEMON_CHECK_UTIL_H
#define DAEMON_CHECK_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* CLOCK_MONOTONIC in seconds. */
double now(void);
/* Sleep SECONDS (< 1). */
void nap(double seconds);
/* DIR + "/" + NAME for a relative NAME, else a copy; malloc'd, or NULL with
 * errno set (ENOMEM, or getcwd()'s errno). */
char *absolutize(const char *name);
/* "SIGKILL", or the number when the C library has no name for it. */
void signame(int sig, char *buf, size_t size);
/* "exited with status 3" or "was killed by signal SIGKILL". */
void status_text(int status, char *buf, size_t size);
/* One read of the small file PATH (a /proc or tracefs file) into BUF, ended
 * with a NUL: the bytes read (> 0), 0 for an empty file, or -errno. */
long read_text(const char *path, char *buf, size_t size);
/* S as a JSON string (UTF-8 passes through as is). */
void json_string(FILE *out, const char *s);
#endif
