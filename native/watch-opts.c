/*
 * daemon-check-helper watch [--tree] [--for SECONDS] [--instance NAME]
 *                           [--verbose] [--json-errors] [--ptrace] PID...
 * daemon-check-helper watch [same options] -- CMD ARGS...
 *
 * Hidden options for the tests and the TypeScript reader:
 *   --rcvbuf BYTES    the proc connector's socket buffer (default 4 MiB)
 *   --bufsize KB      the tracefs instance's per-CPU buffer
 *   --events-fd N     write the lines (and a --json-errors failure) to fd N
 *                     instead of stdout; -- CMD then keeps stdout
 *   --parent          do not use tracefs even as root (the "parent" and
 *                     "pidfd" mechanisms, as without root)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "watch.h"

static int number(const char *s, double *out)
{
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !(v >= 0) || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}

static int whole(const char *s, long max, long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The option NAME's value (argv[*i + 1]). */
static const char *value_of(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int option(struct watch_opts *o, int argc, char **argv, int *i, const char **why)
{
	const char *a = argv[*i], *v;
	double d;
	long n;

	if (!strcmp(a, "--tree"))
		o->tree = true;
	else if (!strcmp(a, "--verbose"))
		o->verbose = true;
	else if (!strcmp(a, "--json-errors"))
		o->json_errors = true;
	else if (!strcmp(a, "--parent"))
		o->force_parent = true;
	else if (!strcmp(a, "--ptrace"))
		o->ptrace = true;
	else if (!strcmp(a, "--for") || !strcmp(a, "--instance") || !strcmp(a, "--rcvbuf") ||
		 !strcmp(a, "--bufsize") || !strcmp(a, "--events-fd")) {
		if (!(v = value_of(argc, argv, i))) {
			*why = "needs a value";
			return -EINVAL;
		}
		if (!strcmp(a, "--instance")) {
			if (!*v || strchr(v, '/') || strlen(v) > 64 || v[0] == '.') {
				*why = "not a plain name of at most 64 bytes";
				return -EINVAL;
			}
			o->instance = v;
		} else if (!strcmp(a, "--for")) {
			if (number(v, &d) < 0 || d == 0) {
				*why = "not a positive number of seconds";
				return -EINVAL;
			}
			o->seconds = d;
		} else if (whole(v, INT_MAX / 2, &n) < 0) {
			*why = "not a whole number";
			return -EINVAL;
		} else if (!strcmp(a, "--rcvbuf"))
			o->rcvbuf = (int)n;
		else if (!strcmp(a, "--bufsize"))
			o->bufsize_kb = (int)n;
		else
			o->events_fd = (int)n;
	} else {
		*why = "unknown option";
		return -EINVAL;
	}
	return 0;
}

int watch_opts_parse(struct watch_opts *o, int argc, char **argv, const char **bad, const char **why)
{
	int i;
	long n;

	memset(o, 0, sizeof *o);
	o->events_fd = 1;
	o->pids = calloc((size_t)argc + 1, sizeof *o->pids);
	if (!o->pids)
		return -ENOMEM;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		*bad = a;
		if (!strcmp(a, "--")) {
			if (i + 1 >= argc) {
				*why = "-- needs a command";
				return -EINVAL;
			}
			o->argv = argv + i + 1;
			break;
		}
		if (a[0] == '-') {
			if (option(o, argc, argv, &i, why) < 0)
				return -EINVAL;
			continue;
		}
		if (whole(a, INT_MAX, &n) < 0 || n < 1) {
			*why = "not a pid";
			return -EINVAL;
		}
		o->pids[o->npids++] = (pid_t)n;
	}
	*bad = NULL;
	if (o->argv && o->npids) {
		*why = "give pids or -- CMD, not both";
		return -EINVAL;
	}
	if (!o->argv && !o->npids) {
		*why = "nothing to watch: give pids or -- CMD";
		return -EINVAL;
	}
	return 0;
}
