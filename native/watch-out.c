/* The watch's JSON lines, each built in memory and written with one
 * write(2), so a reader never sees half a line; and its failure line. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "watch.h"

static void put(struct jline *l, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof l->buf - l->len;

	if (l->overflow)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room - 2) {
		l->overflow = true;
		return;
	}
	l->len += (size_t)n;
}

/* S as a JSON string; bytes that are not printable ASCII are escaped, so
 * that a comm or a file name never breaks the line nor the UTF-8. */
static void put_string(struct jline *l, const char *s)
{
	put(l, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			put(l, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			put(l, "\\u%04x", c);
		else
			put(l, "%c", c);
	}
	put(l, "\"");
}

void jl_begin(struct jline *l, const char *kind, double real_t)
{
	l->len = 0;
	l->overflow = false;
	put(l, "{\"kind\":\"%s\",\"t\":%.6f", kind, real_t);
}

void jl_int(struct jline *l, const char *key, long long v)
{
	put(l, ",\"%s\":%lld", key, v);
}

void jl_str(struct jline *l, const char *key, const char *s)
{
	if (!s) {
		jl_null(l, key);
		return;
	}
	put(l, ",\"%s\":", key);
	put_string(l, s);
}

void jl_null(struct jline *l, const char *key)
{
	put(l, ",\"%s\":null", key);
}

void jl_bool(struct jline *l, const char *key, bool v)
{
	put(l, ",\"%s\":%s", key, v ? "true" : "false");
}

void jl_raw(struct jline *l, const char *key, const char *json)
{
	put(l, ",\"%s\":%s", key, json);
}

/* The line, ended; -EMSGSIZE when it did not fit (never for the fields we
 * print: a comm is 15 bytes, a file name is cut by the caller). */
int jl_end(struct jline *l, int fd)
{
	if (l->overflow)
		return -EMSGSIZE;
	l->buf[l->len++] = '}';
	l->buf[l->len++] = '\n';
	size_t off = 0;
	while (off < l->len) {
		ssize_t n = write(fd, l->buf + off, l->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

static void english(const struct watch_failure *f, char *buf, size_t size)
{
	const char *st = f->stage;
	const char *err = f->err ? strerror(f->err) : "";

	if (!strcmp(st, WATCH_STAGE_USAGE))
		snprintf(buf, size, "watch: %s%s%s", f->option ? f->option : "bad usage", f->value ? ": " : "",
			 f->value ? f->value : "");
	else if (!strcmp(st, WATCH_STAGE_UNKNOWN_PID))
		snprintf(buf, size, "watch: no process %ld", (long)f->pid);
	else if (!strcmp(st, WATCH_STAGE_ENDED))
		snprintf(buf, size, "watch: process %ld ended while the watch was starting", (long)f->pid);
	else if (!strcmp(st, WATCH_STAGE_TRACEFS))
		snprintf(buf, size, "watch: tracefs refused at %s: %s", f->path ? f->path : "?", err);
	else if (!strcmp(st, WATCH_STAGE_EXEC))
		snprintf(buf, size, "watch: cannot run %s: %s", f->command ? f->command : "?", err);
	else
		snprintf(buf, size, "watch: %s failed: %s", f->value ? f->value : "setting up", err);
}

void watch_failure_print(const struct watch_failure *f, bool json, int fd)
{
	struct jline l;

	if (!json) {
		char text[600];
		english(f, text, sizeof text);
		for (char *p = text; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = '?';
		dprintf(fd, "daemon-check: %s\n", text);
		return;
	}
	l.len = 0;
	l.overflow = false;
	put(&l, "{\"stage\":");
	put_string(&l, f->stage);
	if (f->err) {
		jl_int(&l, "errno", f->err);
		jl_str(&l, "error", strerror(f->err));
	}
	if (f->pid > 0)
		jl_int(&l, "pid", f->pid);
	if (f->path)
		jl_str(&l, "path", f->path);
	if (f->option)
		jl_str(&l, "option", f->option);
	if (f->value)
		jl_str(&l, "value", f->value);
	if (f->command)
		jl_str(&l, "command", f->command);
	jl_end(&l, fd);
}

/* The losses counted since the last look, each as a `lost` line. */
int watch_report_lost(struct watch_run *r)
{
	int err = 0;
	if (r->trace_fd >= 0) {
		unsigned long long total = tracefs_lost(r);
		if (total > r->trace_lost && (err = emit_lost(r, "tracefs", total - r->trace_lost)) == 0)
			r->trace_lost = total;
	}
	if (r->cn_overflow) {
		/* ENOBUFS with no gap seen yet: at least one. */
		r->cn_lost++;
		r->cn_overflow = false;
	}
	if (!err && r->cn_lost > r->cn_reported && (err = emit_lost(r, "connector", r->cn_lost - r->cn_reported)) == 0)
		r->cn_reported = r->cn_lost;
	return err;
}
