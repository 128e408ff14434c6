/*
 * Failures as fields, and the two ways to print them (see failure.h and
 * protocol.h).  The English here is what a person running the helper reads;
 * src/daemonize/failure.ts builds the same line from the JSON fields, and
 * test/live/daemonize/failure-fields.test.ts checks that the two agree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "failure.h"
#include "util.h"


void failure_init(struct failure *f, enum stage stage, int err)
{
	*f = (struct failure){
		.stage = stage, .err = err, .gid = -1, .links = -1, .running_pid = -1, .pid = -1,
		.launcher = -1, .daemon_pid = -1, .wait_status = -1, .report = -1, .settle = -1, .timeout = -1,
	};
}

int failure_exit_code(const struct failure *f)
{
	if (f->stage >= STAGE_USAGE_SECONDS && f->stage <= STAGE_USAGE_EMPTY_PATH)
		return HELPER_EXIT_USAGE;
	if (f->stage == STAGE_PIDFILE_LOCKED)
		return HELPER_EXIT_LOCKED;
	if (f->stage == STAGE_EXEC)
		return f->err == ENOENT ? HELPER_EXIT_NOTFOUND : HELPER_EXIT_NOEXEC;
	return HELPER_EXIT_FAILED;
}

/* "; stopped pid 12 with SIGTERM", or "" when nothing was running. */
static void stopped_note(const struct stopped *s, char *buf, size_t size)
{
	size_t shown = s->count < 8 ? s->count : 8, len;

	buf[0] = '\0';
	if (!s->done || s->count == 0)
		return;
	/* At most 8 pids of at most 11 characters each: never truncated. */
	len = (size_t)snprintf(buf, size, "; stopped pid%s", s->count == 1 ? "" : "s");
	for (size_t i = 0; i < shown && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, " %ld", (long)s->pids[i]);
	if (s->count > 8 && len < size)
		len += (size_t)snprintf(buf + len, size - len, " and %zu more", s->count - 8);
	if (len < size)
		snprintf(buf + len, size - len, " with %s", s->killed ? "SIGTERM, then SIGKILL" : "SIGTERM");
}

/* Why a program that forked itself away was not followed. */
static void forked_away_reason(const struct failure *f, char *buf, size_t size)
{
	const char *r = f->reason ? f->reason : "";

	if (strcmp(r, FORKED_AWAY_NO_LOCK) == 0)
		snprintf(buf, size, "no process it left holds the pidfile (they closed the inherited fd), so its lock cannot last as long as the daemon");
	else if (strcmp(r, FORKED_AWAY_AMBIGUOUS) == 0)
		snprintf(buf, size, "cannot tell which of the processes it left is the daemon");
	else if (strcmp(r, FORKED_AWAY_UNSTABLE) == 0)
		snprintf(buf, size, "the processes it left kept changing for %g s", f->settle);
	else
		snprintf(buf, size, "pid %ld, the process it left, exited at once", f->daemon_pid);
}

/* The stages whose message is "PREFIX: <strerror>". */
static const char *errno_prefix(enum stage s)
{
	switch (s) {
	case STAGE_CWD: return "cannot determine the current directory";
	case STAGE_NOTIFY_RANDOM: return "cannot create the readiness socket: getrandom";
	case STAGE_NOTIFY_SOCKET: return "cannot create the readiness socket";
	case STAGE_NOTIFY_SETUP: return "cannot set up the readiness socket";
	case STAGE_SUBREAPER: return "cannot become a child subreaper";
	case STAGE_PIPE: return "cannot create a pipe";
	case STAGE_FORK: return "cannot fork";
	case STAGE_SETSID: return "setsid failed";
	case STAGE_STDIN: return "cannot open /dev/null";
	case STAGE_FDS: return "cannot close inherited file descriptors";
	case STAGE_PROC: return "cannot read /proc";
	default: return NULL;
	}
}

/* The English for the usage stages and those about the command or user. */
static bool english_start(const struct failure *f, char *b, size_t n)
{
	const char *e = strerror(f->err);
	const char *v = f->value, *o = f->option;
	bool zero_ok = o && strcmp(o, "--settle") == 0;

	switch (f->stage) {
	case STAGE_USAGE_SECONDS:
		snprintf(b, n, "bad %s value '%s': expected seconds %s, e.g. %s=%s", o, v, zero_ok ? ">= 0" : "> 0", o,
			 zero_ok ? "1.5" : "10");
		break;
	case STAGE_USAGE_NEEDS_VALUE: snprintf(b, n, "option --%s needs a value", o); break;
	case STAGE_USAGE_UNEXPECTED: snprintf(b, n, "unexpected argument '%s' (put the command after '--')", f->arg); break;
	case STAGE_USAGE_EMPTY_PIDFILE: snprintf(b, n, "--pidfile needs a file name"); break;
	case STAGE_USAGE_UMASK: snprintf(b, n, "bad --umask '%s': expected an octal mode such as 022", v); break;
	case STAGE_USAGE_ENV: snprintf(b, n, "bad --env '%s': expected NAME=VALUE", v); break;
	case STAGE_USAGE_UNKNOWN: snprintf(b, n, "unknown option '%s' (see --help)", f->arg); break;
	case STAGE_USAGE_NO_SEPARATOR:
		snprintf(b, n, "missing '--' before the command (usage: daemon-check-helper [options] -- CMD [ARGS...])");
		break;
	case STAGE_USAGE_NO_COMMAND: snprintf(b, n, "missing command after '--'"); break;
	case STAGE_USAGE_EMPTY_PATH: snprintf(b, n, "--chdir, --stdout and --stderr need a non-empty path"); break;
	case STAGE_MEMORY: snprintf(b, n, "out of memory"); break;
	case STAGE_EXEC:
		if (f->search_path)
			snprintf(b, n, "cannot execute %s: %s (not found in PATH=%s)", f->command, e, f->search_path);
		else
			snprintf(b, n, "cannot execute %s: %s", f->command, e);
		break;
	case STAGE_USER: snprintf(b, n, "unknown user '%s' (no passwd entry; check the --user name)", f->user); break;
	case STAGE_GROUP: snprintf(b, n, "unknown group '%s' (no group entry; check --user USER:GROUP)", f->group); break;
	case STAGE_USER_NOT_ROOT:
		snprintf(b, n, "cannot switch to user '%s': only root can (run as root or drop --user)", f->user);
		break;
	case STAGE_CHDIR:
		snprintf(b, n, "cannot chdir to %s: %s%s", f->path, e, f->user_denied ? " (not accessible to the --user)" : "");
		break;
	case STAGE_STDOUT:
	case STAGE_STDERR:
		snprintf(b, n, "cannot open --%s %s: %s%s", f->stage == STAGE_STDOUT ? "stdout" : "stderr", f->path, e,
			 f->user_denied ? " (the --user must be able to write it)" : "");
		break;
	case STAGE_INITGROUPS: snprintf(b, n, "cannot set the supplementary groups of user %s: %s", f->user, e); break;
	case STAGE_SETGID: snprintf(b, n, "cannot switch to group %ld of user %s: %s", f->gid, f->user, e); break;
	case STAGE_SETUID: snprintf(b, n, "cannot switch to user %s: %s", f->user, e); break;
	case STAGE_VERIFY_PRIVILEGES:
		snprintf(b, n, "privileges could not be dropped to user %s (refusing to start)", f->user);
		break;
	default: return false;
	}
	return true;
}

/* The English for the pidfile's stages. */
static bool english_pidfile(const struct failure *f, char *b, size_t n)
{
	const char *e = strerror(f->err), *p = f->pidfile;

	switch (f->stage) {
	case STAGE_PIDFILE_NAME: snprintf(b, n, "bad pidfile %s: it names a directory, not a file", p); break;
	case STAGE_PIDFILE_DIR: snprintf(b, n, "cannot use pidfile %s: directory %s: %s", p, f->dir, e); break;
	case STAGE_PIDFILE_NOT_DIR: snprintf(b, n, "cannot use pidfile %s: %s is not a directory", p, f->dir); break;
	case STAGE_PIDFILE_UNSAFE_DIR:
		snprintf(b, n, "refusing pidfile %s: its directory %s is world-writable without the sticky bit (use a directory such as /run)",
			 p, f->dir);
		break;
	case STAGE_PIDFILE_SYMLINK:
		snprintf(b, n, "refusing pidfile %s: it is a symbolic link (pidfiles are never followed; remove the link)", p);
		break;
	case STAGE_PIDFILE_OPEN:
		snprintf(b, n, "cannot open pidfile %s: %s%s", p, e,
			 f->err == EACCES || f->err == EROFS
				 ? " (choose a directory you can write, e.g. /run or $XDG_RUNTIME_DIR)" : "");
		break;
	case STAGE_PIDFILE_STAT: snprintf(b, n, "cannot stat pidfile %s: %s", p, e); break;
	case STAGE_PIDFILE_TYPE: snprintf(b, n, "refusing pidfile %s: it is not a regular file", p); break;
	case STAGE_PIDFILE_LINKS:
		snprintf(b, n, "refusing pidfile %s: it has %ld hard links (remove it and let daemon-check recreate it)", p,
			 f->links);
		break;
	case STAGE_PIDFILE_LOCKED:
		if (f->running_pid > 0)
			snprintf(b, n, "already running as pid %ld (pidfile %s is locked)", f->running_pid, p);
		else
			snprintf(b, n, "already running (pidfile %s is locked by a process that has not written its pid)", p);
		break;
	case STAGE_PIDFILE_NO_OFD:
		snprintf(b, n, "cannot lock pidfile %s: this kernel lacks open file description locks (Linux >= 3.15 is needed)", p);
		break;
	case STAGE_PIDFILE_LOCK: snprintf(b, n, "cannot lock pidfile %s: %s", p, e); break;
	case STAGE_PIDFILE_TRUNCATE: snprintf(b, n, "cannot truncate pidfile %s: %s", p, e); break;
	case STAGE_PIDFILE_CHMOD: snprintf(b, n, "cannot chmod pidfile %s to 0644: %s", p, e); break;
	default: return false;
	}
	return true;
}

/* The English for the program's fate, and the rest. */
static void english_rest(const struct failure *f, char *b, size_t n)
{
	const char *c = f->command, *prefix = errno_prefix(f->stage);
	char note[320], status[64], why[192];

	stopped_note(&f->stopped, note, sizeof note);
	if (f->has_status)
		status_text(f->status, status, sizeof status);
	if (prefix) {
		snprintf(b, n, "%s: %s", prefix, strerror(f->err));
		return;
	}
	switch (f->stage) {
	case STAGE_PIDFILE_WRITE:
		snprintf(b, n, "cannot write the pid to pidfile %s: %s%s", f->pidfile, strerror(f->err), note);
		break;
	case STAGE_REPORT: snprintf(b, n, "internal error: unknown report %ld", f->report); break;
	case STAGE_INTERMEDIATE:
		snprintf(b, n, "the intermediate process died before starting %s (wait status %ld)", c, f->wait_status);
		break;
	case STAGE_EXITED:
		if (f->before_ready)
			snprintf(b, n, "%s (pid %ld) %s before it was ready%s", c, f->pid, status, note);
		else
			snprintf(b, n, "%s (pid %ld) %s at once%s%s", c, f->pid, status, note,
				 f->stderr_null ? " (its stderr went to /dev/null: --stderr FILE keeps its messages)" : "");
		break;
	case STAGE_LEFT_NOTHING:
		snprintf(b, n, "%s (pid %ld) exited with status 0 %s and left no process running", c, f->launcher,
			 f->before_ready ? "before it was ready" : "at once");
		break;
	case STAGE_FORKED_AWAY:
		forked_away_reason(f, why, sizeof why);
		snprintf(b, n, "%s (pid %ld) forked itself away: %s%s", c, f->launcher, why, note);
		break;
	case STAGE_READY_TIMEOUT:
		snprintf(b, n, "%s (pid %ld) did not report READY=1 within %g s; %s", c, f->pid, f->timeout,
			 f->stopped.killed ? "it ignored SIGTERM and was killed with SIGKILL" : "stopped it with SIGTERM");
		break;
	default: snprintf(b, n, "internal error: unknown failure %d", (int)f->stage); break;
	}
}

void failure_print(const struct failure *f, bool json)
{
	char buf[4096];

	if (json) {
		failure_print_json(f);
		return;
	}
	if (!english_start(f, buf, sizeof buf) && !english_pidfile(f, buf, sizeof buf))
		english_rest(f, buf, sizeof buf);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "daemon-check: %s\n", buf);
}
