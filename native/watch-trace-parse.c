/*
 * One line of trace_pipe, in the text form of this kernel's format files:
 *
 *             bash-14421   [000] d..1.  2748.474311: signal_deliver: sig=17 ...
 *
 * The header is "%16s-%-7d [%03d] FLAGS TIMESTAMP: " (trace_print_context):
 * a comm is at most 15 bytes, so the '-' before the tid is at byte 16.  That
 * comm is looked up when the line is read, so it is never used (the map in
 * watch-procmap.c has the sender as it was).  Strings in the fields (a comm,
 * a file name) are printed raw and may hold anything, so each record is
 * read from its fixed numeric prefix and from the LAST occurrence of the
 * fixed text that follows the string, which a string cannot fake.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watch.h"

static char *last(char *s, const char *needle)
{
	char *found = NULL, *p = s;
	while ((p = strstr(p, needle))) {
		found = p;
		p++;
	}
	return found;
}

/* The tid, the time, the event name and its fields; false: not a record. */
static bool header(char *line, pid_t *tid, double *t, char **event, char **fields)
{
	char *p, *end;

	if (strlen(line) > 17 && line[16] == '-')
		p = line + 17;
	else {
		/* A comm of another width: the last "-DIGITS [" before the cpu. */
		char *cpu = strstr(line, " [");
		if (!cpu)
			return false;
		for (p = cpu; p > line && p[-1] == ' '; p--)
			;
		while (p > line && p[-1] >= '0' && p[-1] <= '9')
			p--;
		if (p == line || p[-1] != '-')
			return false;
	}
	*tid = (pid_t)strtol(p, &end, 10);
	if (end == p || !(p = strstr(end, "] ")))
		return false;
	p += 2;
	/* Then FLAGS (with the irq-info option) and the timestamp, "SECS.USECS:". */
	for (int i = 0; i < 2; i++) {
		p += strspn(p, " ");
		end = p + strcspn(p, " ");
		if (end > p && end[-1] == ':')
			break;
		p = end;
	}
	*t = strtod(p, &end);
	if (end == p || *end != ':' || end[1] != ' ')
		return false;
	*event = end + 2;
	if (!(p = strstr(*event, ": ")))
		return false;
	*p = '\0';
	*fields = p + 2;
	return true;
}

static void generate(struct watch_run *r, double t, pid_t sender, char *f)
{
	/* sig errno code comm=... pid grp res */
	int v[6];
	char *tail = last(f, " pid=");
	if (!tail || sscanf(f, "sig=%d errno=%d code=%d", &v[0], &v[1], &v[2]) != 3 ||
	    sscanf(tail, " pid=%d grp=%d res=%d", &v[3], &v[4], &v[5]) != 3)
		return;
	ev_signal(r, t, sender, v);
}

static void rename_task(struct watch_run *r, const struct watch_opts *o, double t, char *f)
{
	int pid;
	char *tail = last(f, " oom_score_adj="), *p;

	if (!tail || sscanf(f, "pid=%d", &pid) != 1)
		return;
	*tail = '\0';
	/* "oldcomm=OLD newcomm=NEW": OLD is known to the map, else the last " newcomm=". */
	struct task_entry *e = procmap_get(&r->map, pid);
	char expect[COMM_LEN + 32];
	snprintf(expect, sizeof expect, " oldcomm=%s newcomm=", e ? e->comm : "");
	if (e && (p = strstr(f, expect)))
		p += strlen(expect);
	else if ((p = last(f, " newcomm=")))
		p += 9;
	else
		return;
	ev_rename(r, o, t, pid, p, false);
}

static void exec_task(struct watch_run *r, double t, char *f)
{
	int pid, old;
	char *tail = last(f, " pid=");

	if (!tail || strncmp(f, "filename=", 9) != 0 || sscanf(tail, " pid=%d old_pid=%d", &pid, &old) != 2)
		return;
	*tail = '\0';
	ev_exec(r, t, pid, old, f + 9);
}

static void exit_task(struct watch_run *r, double t, char *f)
{
	int pid;
	char dead[8] = "";
	char *tail = last(f, " pid=");

	if (!tail || sscanf(tail, " pid=%d prio=%*d group_dead=%7s", &pid, dead) < 1)
		return;
	ev_task_exit(r, t, pid, strcmp(dead, "true") == 0);
}

static void victim(struct watch_run *r, double t, char *f)
{
	int pid;
	unsigned long vm, anon, file, shmem, tables;
	unsigned int uid;
	short adj;
	char *tail = last(f, " total-vm="), *comm = strstr(f, " comm=");

	if (!tail || !comm || sscanf(f, "pid=%d", &pid) != 1 ||
	    sscanf(tail, " total-vm=%lukB anon-rss=%lukB file-rss:%lukB shmem-rss:%lukB uid=%u pgtables=%lukB oom_score_adj=%hd",
		   &vm, &anon, &file, &shmem, &uid, &tables, &adj) != 7)
		return;
	*tail = '\0';
	ev_oom(r, t, pid, comm + 6, (long)uid, (long)(anon + file + shmem), adj);
}

void trace_line(struct watch_run *r, const struct watch_opts *o, char *line)
{
	pid_t tid;
	double t;
	char *event, *f;

	if (!header(line, &tid, &t, &event, &f))
		return;
	if (!strcmp(event, "signal_generate")) {
		generate(r, t, tid, f);
	} else if (!strcmp(event, "signal_deliver")) {
		int sig, err, code;
		unsigned long handler, flags;
		if (sscanf(f, "sig=%d errno=%d code=%d sa_handler=%lx sa_flags=%lx", &sig, &err, &code, &handler,
			   &flags) == 5)
			ev_deliver(r, t, tid, sig, code, handler);
	} else if (!strcmp(event, "task_newtask")) {
		int pid;
		unsigned long long flags;
		char *tail = last(f, " clone_flags=");
		if (tail && sscanf(f, "pid=%d", &pid) == 1 && sscanf(tail, " clone_flags=%llx", &flags) == 1)
			ev_newtask(r, o, t, tid, pid, flags);
	} else if (!strcmp(event, "task_rename")) {
		rename_task(r, o, t, f);
	} else if (!strcmp(event, "sched_process_exec")) {
		exec_task(r, t, f);
	} else if (!strcmp(event, "sched_process_exit")) {
		exit_task(r, t, f);
	} else if (!strcmp(event, "mark_victim")) {
		victim(r, t, f);
	}
}
