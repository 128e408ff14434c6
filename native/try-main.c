/*
 * daemon-check-helper try [--json-errors] [--user USER] [--arg0 NAME] [--chdir DIR]
 *     [--env K=V]... -- SHELL [ARGS...]
 * The mode's top level (see try.h for the protocol): options, the set-up
 * (subreaper, cgroup leaf, pty, shell), then one poll loop over stdin (the
 * commands), the master (the pty's output) and a signalfd (SIGCHLD: every
 * child is reaped and reported, adopted orphans included).  The steps return
 * -errno; only try_main prints a failure and chooses the exit code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "try.h"
#include "util.h"

#define MAX_KILL 8192

static int parse(struct try_opts *o, int argc, char **argv, struct try_failure *f)
{
	f->stage = TRY_STAGE_USAGE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (strcmp(a, "--") == 0) {
			if (!more)
				break;
			o->argv = argv + i + 1;
			return 0;
		} else if (strcmp(a, "--json-errors") == 0) {
			o->json_errors = true;
		} else if (strcmp(a, "--user") == 0 && more) {
			o->user = argv[++i];
		} else if (strcmp(a, "--chdir") == 0 && more) {
			o->dir = argv[++i];
		} else if (strcmp(a, "--arg0") == 0 && more) {
			o->arg0 = argv[++i];
		} else if (strcmp(a, "--env") == 0 && more && o->nenv < TRY_MAX_ENV && strchr(argv[i + 1], '=')) {
			o->env[o->nenv++] = argv[++i];
		} else {
			f->value = a;
			return -EINVAL;
		}
	}
	f->value = "-- SHELL";
	return -EINVAL;
}

static void hex_line(const char *kind, const unsigned char *buf, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	printf("{\"kind\":\"%s\",\"hex\":\"", kind);
	for (size_t i = 0; i < n; i++)
		putchar(digits[buf[i] >> 4]), putchar(digits[buf[i] & 15]);
	printf("\"}\n");
	fflush(stdout);
}

static void reap(void)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		printf("{\"kind\":\"reaped\",\"pid\":%ld,\"status\":%d}\n", (long)pid, status);
		fflush(stdout);
	}
}

static void pid_list(const char *kind, const char *key, const pid_t *pids, size_t n, const char *extra)
{
	printf("{\"kind\":\"%s\",\"%s\":[", kind, key);
	for (size_t i = 0; i < n; i++)
		printf("%s%ld", i ? "," : "", (long)pids[i]);
	printf("]%s}\n", extra);
	fflush(stdout);
}

static int unhex(const char *s, unsigned char *out, size_t room, size_t *n)
{
	*n = 0;
	for (; s[0] && s[1] && *n < room; s += 2) {
		unsigned int byte;
		if (sscanf(s, "%2x", &byte) != 1)
			return -EINVAL;
		out[(*n)++] = (unsigned char)byte;
	}
	return 0;
}

static void command_error(const char *cmd, int err)
{
	printf("{\"kind\":\"error\",\"command\":");
	json_string(stdout, cmd);
	printf(",\"errno\":%d,\"error\":", -err);
	json_string(stdout, strerror(-err));
	printf("}\n");
	fflush(stdout);
}

static void kill_all(struct try_run *r, char *args)
{
	static pid_t pids[MAX_KILL], killed[MAX_KILL];
	size_t n = 0, nkilled;
	bool by_cgroup;

	for (char *t = strtok(args, " "); t && n < MAX_KILL; t = strtok(NULL, " "))
		if (atol(t) > 0)
			pids[n++] = (pid_t)atol(t);
	try_kill(r, pids, n, &by_cgroup, killed, &nkilled);
	pid_list("killed", "pids", killed, nkilled, by_cgroup ? ",\"cgroupKill\":true" : ",\"cgroupKill\":false");
}

static bool quit(struct try_run *r)
{
	reap();
	bool removed = try_cgroup_remove(r);
	reap();
	printf("{\"kind\":\"end\",\"cgroupRemoved\":%s}\n", removed ? "true" : "false");
	fflush(stdout);
	return removed;
}

/* One command line; returns 1 when the helper is to exit. */
static int command(struct try_run *r, char *line)
{
	static unsigned char bytes[8192];
	static pid_t moved[MAX_KILL];
	size_t n;

	if (strncmp(line, "type ", 5) == 0) {
		int err = r->master < 0 ? -EBADF : unhex(line + 5, bytes, sizeof bytes, &n);
		if (err == 0 && write(r->master, bytes, n) < 0)
			err = -errno;
		if (err)
			command_error("type", err);
	} else if (strcmp(line, "hangup") == 0) {
		if (r->master >= 0)
			close(r->master);
		r->master = -1;
		printf("{\"kind\":\"hungup\"}\n");
		fflush(stdout);
	} else if (strncmp(line, "kill", 4) == 0) {
		kill_all(r, line + 4);
	} else if (strcmp(line, "release") == 0) {
		n = try_release(r, moved, MAX_KILL);
		pid_list("released", "pids", moved, n, "");
	} else if (strcmp(line, "quit") == 0) {
		return 1;
	} else {
		command_error(line, -EINVAL);
	}
	return 0;
}

/* Reads what stdin has; runs each whole line. 1: quit, 2: EOF. */
static int read_commands(struct try_run *r, char *buf, size_t size, size_t *len)
{
	ssize_t got = read(0, buf + *len, size - 1 - *len);
	if (got <= 0)
		return got < 0 && errno == EINTR ? 0 : 2;
	*len += (size_t)got;
	buf[*len] = '\0';
	char *nl;
	while ((nl = strchr(buf, '\n'))) {
		*nl = '\0';
		int done = command(r, buf);
		size_t used = (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, *len - used + 1);
		*len -= used;
		if (done)
			return 1;
	}
	if (*len >= size - 1)
		*len = 0; /* an overlong line: dropped */
	return 0;
}

static int loop(struct try_run *r, int sigfd)
{
	static char cmd[65536];
	size_t len = 0;
	unsigned char out[4096];

	for (;;) {
		struct pollfd p[3] = { { 0, POLLIN, 0 }, { sigfd, POLLIN, 0 }, { r->master, POLLIN, 0 } };
		if (poll(p, r->master >= 0 ? 3 : 2, -1) < 0 && errno != EINTR)
			return -errno;
		if (p[1].revents) {
			struct signalfd_siginfo si;
			(void)!read(sigfd, &si, sizeof si);
			reap();
		}
		if (r->master >= 0 && p[2].revents) {
			ssize_t n = read(r->master, out, sizeof out);
			if (n > 0)
				hex_line("output", out, (size_t)n);
		}
		if (p[0].revents) {
			int done = read_commands(r, cmd, sizeof cmd, &len);
			if (done == 1)
				return 0;
			if (done == 2) {
				char all[] = "";
				kill_all(r, all);
				return 0;
			}
		}
	}
}

static int setup(struct try_run *r, const struct try_opts *o, struct try_failure *f, int *sigfd)
{
	sigset_t chld;
	int err;

	f->stage = TRY_STAGE_SETUP;
	if (o->user && geteuid() != 0) {
		f->stage = TRY_STAGE_USER_NOT_ROOT;
		f->value = o->user;
		return -EPERM;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return -errno;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((*sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return -errno;
	try_cgroup_make(r);
	if ((err = try_open_pty(r, f)) < 0 || (err = try_start_shell(r, o, f)) < 0)
		return err;
	printf("{\"kind\":\"start\",\"helper\":%ld,\"shell\":%ld,\"pty\":", (long)r->self, (long)r->shell);
	json_string(stdout, r->pty);
	printf(",\"cgroup\":");
	if (r->cgroup[0])
		json_string(stdout, r->cgroup);
	else
		printf("null");
	printf(",\"cgroupError\":");
	if (r->cgroup_error[0])
		json_string(stdout, r->cgroup_error);
	else
		printf("null");
	printf("}\n");
	fflush(stdout);
	return 0;
}

static void print_failure(const struct try_failure *f, const struct try_opts *o)
{
	if (o->json_errors) {
		fprintf(stderr, "{\"stage\":\"%s\"", f->stage);
		if (f->err)
			fprintf(stderr, ",\"errno\":%d,\"error\":\"%s\"", f->err, strerror(f->err));
		if (f->value) {
			fprintf(stderr, ",\"value\":");
			json_string(stderr, f->value);
		}
		fprintf(stderr, "}\n");
	} else {
		fprintf(stderr, "daemon-check: try: %s%s%s%s%s\n", f->stage, f->value ? " " : "",
			f->value ? f->value : "", f->err ? ": " : "", f->err ? strerror(f->err) : "");
	}
}

int try_main(int argc, char **argv)
{
	struct try_opts o = { 0 };
	struct try_run r = { .master = -1 };
	struct try_failure f = { 0 };
	int err, sigfd = -1;

	r.self = getpid();
	if ((err = parse(&o, argc, argv, &f)) < 0) {
		print_failure(&f, &o);
		return HELPER_EXIT_USAGE;
	}
	if ((err = setup(&r, &o, &f, &sigfd)) < 0) {
		f.err = -err;
		print_failure(&f, &o);
		try_cgroup_remove(&r);
		return HELPER_EXIT_FAILED;
	}
	err = loop(&r, sigfd);
	bool removed = quit(&r);
	return err < 0 || !removed ? HELPER_EXIT_FAILED : HELPER_EXIT_OK;
}
