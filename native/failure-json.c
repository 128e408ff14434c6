/* A failure as one JSON line on stderr (--json-errors; the keys are listed
 * in protocol.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "failure.h"
#include "util.h"

#define X(name, text) [STAGE_##name] = text,
static const char *const stage_names[STAGE_COUNT] = { [STAGE_NONE] = "none", HELPER_STAGES(X) };
#undef X

static void json_text(const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(stderr, ",\"%s\":", key);
	json_string(stderr, value);
}

static void json_long(const char *key, long value)
{
	if (value >= 0)
		fprintf(stderr, ",\"%s\":%ld", key, value);
}

static void json_true(const char *key, bool value)
{
	if (value)
		fprintf(stderr, ",\"%s\":true", key);
}

void failure_print_json(const struct failure *f)
{
	fputs("{\"stage\":", stderr);
	json_string(stderr, stage_names[f->stage]);
	if (f->err) {
		fprintf(stderr, ",\"errno\":%d", f->err);
		json_text("error", strerror(f->err));
	}
	json_text("command", f->command);
	json_text("path", f->path);
	json_text("searchPath", f->search_path);
	json_text("pidfile", f->pidfile);
	json_text("dir", f->dir);
	json_text("user", f->user);
	json_text("group", f->group);
	json_text("option", f->option);
	json_text("value", f->value);
	json_text("arg", f->arg);
	json_text("reason", f->reason);
	json_long("gid", f->gid);
	json_long("links", f->links);
	if (f->stage == STAGE_PIDFILE_LOCKED && f->running_pid <= 0)
		fputs(",\"runningPid\":null", stderr);
	json_long("runningPid", f->running_pid);
	json_long("pid", f->pid);
	json_long("launcher", f->launcher);
	json_long("daemonPid", f->daemon_pid);
	json_long("waitStatus", f->wait_status);
	json_long("report", f->report);
	if (f->has_status && WIFEXITED(f->status)) {
		fprintf(stderr, ",\"exitStatus\":%d", WEXITSTATUS(f->status));
	} else if (f->has_status) {
		char sig[32];
		signame(WTERMSIG(f->status), sig, sizeof sig);
		json_text("signal", sig);
	}
	if (f->settle >= 0)
		fprintf(stderr, ",\"settle\":%.17g", f->settle);
	if (f->timeout >= 0)
		fprintf(stderr, ",\"timeout\":%.17g", f->timeout);
	json_true("beforeReady", f->before_ready);
	json_true("userDenied", f->user_denied);
	json_true("stderrNull", f->stderr_null);
	if (f->stopped.done) {
		fputs(",\"stopped\":{\"pids\":[", stderr);
		for (size_t i = 0; i < f->stopped.count && i < 8; i++)
			fprintf(stderr, "%s%ld", i ? "," : "", (long)f->stopped.pids[i]);
		fprintf(stderr, "],\"count\":%zu,\"killed\":%s}", f->stopped.count, f->stopped.killed ? "true" : "false");
	}
	fputs("}\n", stderr);
}

