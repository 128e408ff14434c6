/*
 * The watched set and the watch's own lines: start, watching, exit, lost
 * and end.  An exit line needs two facts that come apart: the moment the
 * last thread died (tracefs, in order with the signals before it) and the
 * wait status (the proc connector, or waitpid as the parent).  The line is
 * written at the moment of death once the status is known, or without a
 * status when none came within STATUS_WAIT seconds (a lost connector
 * event, or a process reaped by a parent that is not the watcher).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "watch.h"

#define STATUS_WAIT 0.5
#define REAL(r, t) ((t) + (r)->real_minus_mono)

struct watched *watched_find(struct watch_run *r, pid_t pid)
{
	for (size_t i = r->nw; i-- > 0;)
		if (r->w[i].pid == pid)
			return &r->w[i];
	return NULL;
}

int emit_watching(struct watch_run *r, const struct watched *w, double t)
{
	struct jline l;
	jl_begin(&l, "watching", REAL(r, t));
	jl_int(&l, "pid", w->pid);
	jl_str(&l, "comm", w->comm);
	return jl_end(&l, r->out);
}

int watched_add(struct watch_run *r, pid_t pid, const char *comm, double t, bool announce)
{
	char state;

	if (r->nw == r->wroom) {
		size_t room = r->wroom ? r->wroom * 2 : 16;
		struct watched *more = realloc(r->w, room * sizeof *more);
		if (!more)
			return -ENOMEM;
		r->w = more;
		r->wroom = room;
	}
	struct watched *w = &r->w[r->nw++];
	memset(w, 0, sizeof *w);
	w->pid = pid;
	w->pidfd = -1;
	snprintf(w->comm, COMM_LEN, "%s", comm);
	if (proc_stat(pid, &state, &w->start, &w->sid) < 0)
		w->start = 0;
	remember_memcg(w);
	return announce ? emit_watching(r, w, t) : 0;
}

bool watched_all_ended(const struct watch_run *r)
{
	for (size_t i = 0; i < r->nw; i++)
		if (!r->w[i].ended)
			return false;
	return true;
}

int emit_start(struct watch_run *r, const struct watch_opts *o)
{
	struct jline l;
	char list[4096] = "[", notes[1024] = "[";
	size_t n = 1;

	for (size_t i = 0; i < r->nw && n < sizeof list - 16; i++)
		n += (size_t)snprintf(list + n, sizeof list - n, "%s%ld", i ? "," : "", (long)r->w[i].pid);
	snprintf(list + n, sizeof list - n, "]");
	n = 1;
	for (size_t i = 0; i < r->nnotes; i++) {
		struct jline s = { .len = 0 };
		jl_str(&s, "x", r->notes[i]);
		/* s.buf is ,"x":"..." : keep the string. */
		n += (size_t)snprintf(notes + n, sizeof notes - n, "%s%.*s", i ? "," : "", (int)s.len - 5, s.buf + 5);
	}
	snprintf(notes + n, sizeof notes - n, "]");
	jl_begin(&l, "start", REAL(r, now()));
	jl_str(&l, "mechanism", r->mechanism);
	jl_int(&l, "helperPid", getpid());
	jl_str(&l, "instance", r->instance_made ? r->instance : NULL);
	jl_bool(&l, "mounted", r->mounted);
	jl_raw(&l, "watched", list);
	jl_bool(&l, "tree", o->tree || o->argv);
	jl_raw(&l, "notes", notes);
	return jl_end(&l, r->out);
}

int emit_lost(struct watch_run *r, const char *source, unsigned long long count)
{
	struct jline l;
	jl_begin(&l, "lost", REAL(r, now()));
	jl_str(&l, "source", source);
	jl_int(&l, "count", (long long)count);
	return jl_end(&l, r->out);
}

int emit_end(struct watch_run *r, const char *reason, const char *error)
{
	struct jline l;
	jl_begin(&l, "end", REAL(r, now()));
	jl_str(&l, "reason", reason);
	if (error)
		jl_str(&l, "error", error);
	return jl_end(&l, r->out);
}

int emit_exit(struct watch_run *r, struct watched *w, double t)
{
	struct jline l;
	char sig[32];

	w->ended = true;
	if (w->pidfd >= 0)
		close(w->pidfd);
	w->pidfd = -1;
	jl_begin(&l, "exit", REAL(r, t));
	jl_int(&l, "pid", w->pid);
	jl_str(&l, "comm", w->comm);
	if (!w->has_status) {
		jl_null(&l, "status");
		jl_null(&l, "exitCode");
		jl_null(&l, "signal");
		jl_bool(&l, "core", w->core);
		return jl_end(&l, r->out);
	}
	jl_int(&l, "status", w->status);
	if (WIFEXITED(w->status)) {
		jl_int(&l, "exitCode", WEXITSTATUS(w->status));
		jl_null(&l, "signal");
	} else {
		signame(WTERMSIG(w->status), sig, sizeof sig);
		jl_null(&l, "exitCode");
		jl_str(&l, "signal", sig);
	}
	/* The status says whether a core was written (the connector's
	 * coredump event comes also when the core limit is 0). */
	jl_bool(&l, "core", WIFSIGNALED(w->status) && WCOREDUMP(w->status));
	return jl_end(&l, r->out);
}

/* A wait status (connector or waitpid) for PID at T. */
int ev_status(struct watch_run *r, double t, pid_t pid, int status, bool core)
{
	struct watched *w = watched_find(r, pid);

	if (!w) {
		struct recent *k = &r->recent[r->nrecent++ % (sizeof r->recent / sizeof *r->recent)];
		*k = (struct recent){ pid, status, t };
		return 0;
	}
	if (w->ended || w->has_status)
		return 0;
	w->has_status = true;
	w->status = status;
	w->status_t = t;
	w->core = w->core || core;
	if (w->dead || r->trace_fd < 0)
		return emit_exit(r, w, w->dead ? w->dead_t : t);
	return 0;
}

/* The status the connector gave for PID after T0 (its death), if any. */
bool recent_status(struct watch_run *r, pid_t pid, double t0, int *status)
{
	size_t n = sizeof r->recent / sizeof *r->recent;
	for (size_t i = 0; i < n && i < r->nrecent; i++) {
		const struct recent *k = &r->recent[(r->nrecent - 1 - i) % n];
		if (k->pid == pid && k->t >= t0 - 0.001 && k->t - t0 < 5) {
			*status = k->status;
			return true;
		}
	}
	return false;
}

int ev_sweep(struct watch_run *r, double now_t, bool probe, bool final)
{
	char state;
	unsigned long long start;
	int err = 0;

	for (size_t i = 0; i < r->nw && !err; i++) {
		struct watched *w = &r->w[i];
		if (w->ended)
			continue;
		if (w->dead && (w->has_status || final || now_t - w->dead_t > STATUS_WAIT)) {
			err = emit_exit(r, w, w->dead_t);
			continue;
		}
		if (w->has_status && (final || now_t - w->status_t > STATUS_WAIT)) {
			err = emit_exit(r, w, w->status_t);
			continue;
		}
		if (w->dead || !probe)
			continue;
		/* Last resort: a pid found gone (or a zombie) without any event. */
		int gone = proc_stat(w->pid, &state, &start, NULL);
		if (gone < 0 || state == 'Z' || state == 'X' || (w->start && start != w->start)) {
			w->dead = true;
			w->dead_t = now_t;
		}
	}
	return err;
}
