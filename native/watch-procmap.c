/*
 * The watcher's own tid -> (tgid, comm) map for every task of the host.
 * A signal's sender is a tid (tracefs's common_pid), and the trace resolves
 * its comm when the line is READ, from a cache that an exec may have
 * changed since (watch.md: `sh` shown for a bash that had exec'd sh).  So
 * the map is seeded from /proc at start and kept from the task events in
 * stream order (task_newtask, task_rename, sched_process_exec,
 * sched_process_exit): at each signal it holds the sender as it was then.
 *
 * Open addressing with linear probing, deletion by backward shift.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "watch.h"

static size_t slot_of(const struct procmap *m, pid_t tid)
{
	return ((size_t)tid * 2654435761u) & (m->size - 1);
}

int procmap_init(struct procmap *m)
{
	m->size = 4096;
	m->used = 0;
	m->slots = calloc(m->size, sizeof *m->slots);
	return m->slots ? 0 : -ENOMEM;
}

void procmap_free(struct procmap *m)
{
	free(m->slots);
	m->slots = NULL;
}

struct task_entry *procmap_get(struct procmap *m, pid_t tid)
{
	for (size_t i = slot_of(m, tid);; i = (i + 1) & (m->size - 1)) {
		if (m->slots[i].tid == tid)
			return &m->slots[i];
		if (m->slots[i].tid == 0)
			return NULL;
	}
}

static int grow(struct procmap *m)
{
	struct procmap bigger = { calloc(m->size * 2, sizeof *m->slots), m->size * 2, 0 };

	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->size; i++)
		if (m->slots[i].tid)
			procmap_put(&bigger, m->slots[i].tid, m->slots[i].tgid, m->slots[i].comm);
	free(m->slots);
	*m = bigger;
	return 0;
}

/* Adds or replaces; NULL only when memory runs out. */
struct task_entry *procmap_put(struct procmap *m, pid_t tid, pid_t tgid, const char *comm)
{
	if ((m->used + 1) * 2 > m->size && grow(m) < 0)
		return NULL;
	size_t i = slot_of(m, tid);
	while (m->slots[i].tid && m->slots[i].tid != tid)
		i = (i + 1) & (m->size - 1);
	if (!m->slots[i].tid)
		m->used++;
	m->slots[i].tid = tid;
	m->slots[i].tgid = tgid;
	snprintf(m->slots[i].comm, COMM_LEN, "%s", comm ? comm : "");
	return &m->slots[i];
}

void procmap_del(struct procmap *m, pid_t tid)
{
	size_t mask = m->size - 1, i = slot_of(m, tid);

	while (m->slots[i].tid != tid) {
		if (!m->slots[i].tid)
			return;
		i = (i + 1) & mask;
	}
	/* Backward shift: move up every later entry of the run whose home
	 * slot does not lie cyclically in (i, j]. */
	for (size_t j = (i + 1) & mask; m->slots[j].tid; j = (j + 1) & mask) {
		size_t home = slot_of(m, m->slots[j].tid);
		bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (stays)
			continue;
		m->slots[i] = m->slots[j];
		i = j;
	}
	m->slots[i].tid = 0;
	m->used--;
}

int read_comm(pid_t pid, char *buf)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
	long n = read_text(path, buf, COMM_LEN + 1);
	if (n < 0) {
		buf[0] = '\0';
		return n;
	}
	buf[strcspn(buf, "\n")] = '\0';
	buf[COMM_LEN - 1] = '\0';
	return 0;
}

int proc_stat(pid_t pid, char *state, unsigned long long *start, pid_t *sid)
{
	char path[64], buf[1024];
	int session;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	long n = read_text(path, buf, sizeof buf);
	if (n < 0)
		return n;
	/* The comm may hold ')': the fields start after the last one. */
	char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%c %*d %*d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 state, &session, start) != 3)
		return -EIO;
	if (sid)
		*sid = session;
	return 0;
}

static pid_t status_tgid(pid_t tid)
{
	char path[64], buf[2048];
	snprintf(path, sizeof path, "/proc/%ld/status", (long)tid);
	if (read_text(path, buf, sizeof buf) < 0)
		return 0;
	char *p = strstr(buf, "\nTgid:");
	return p ? (pid_t)strtol(p + 6, NULL, 10) : 0;
}

pid_t procmap_tgid(struct procmap *m, pid_t tid)
{
	struct task_entry *e = procmap_get(m, tid);
	if (e)
		return e->tgid;
	pid_t tgid = status_tgid(tid);
	if (tgid > 0) {
		char comm[COMM_LEN + 2];
		read_comm(tid, comm);
		procmap_put(m, tid, tgid, comm);
		return tgid;
	}
	return tid;
}

const char *procmap_comm(struct procmap *m, pid_t tgid, pid_t tid)
{
	struct task_entry *e = procmap_get(m, tgid);
	if (!e || !e->comm[0])
		e = procmap_get(m, tid);
	return e ? e->comm : "";
}

/* Every process and thread that /proc lists now. */
int procmap_seed(struct procmap *m)
{
	DIR *procs = opendir("/proc");
	struct dirent *e;

	if (!procs)
		return -errno;
	while ((e = readdir(procs))) {
		char *end, comm[COMM_LEN + 2], path[64];
		long pid = strtol(e->d_name, &end, 10);
		if (pid <= 0 || *end)
			continue;
		read_comm((pid_t)pid, comm);
		if (!procmap_put(m, (pid_t)pid, (pid_t)pid, comm))
			break;
		snprintf(path, sizeof path, "/proc/%ld/task", pid);
		DIR *tasks = opendir(path);
		if (!tasks)
			continue;
		struct dirent *t;
		while ((t = readdir(tasks))) {
			long tid = strtol(t->d_name, &end, 10);
			if (tid > 0 && !*end && tid != pid)
				procmap_put(m, (pid_t)tid, (pid_t)pid, comm);
		}
		closedir(tasks);
	}
	closedir(procs);
	return 0;
}

void memory_cgroup(pid_t pid, char *out, size_t size)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%ld/cgroup", (long)pid);
	out[0] = '\0';
	if (read_text(path, buf, sizeof buf) <= 0)
		return;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;
		if (!p)
			continue;
		*p = '\0';
		bool memory = strstr(c + 1, "memory") != NULL;
		if (memory || (!out[0] && c[1] == '\0'))
			snprintf(out, size, "%s", p + 1);
		if (memory)
			return;
	}
}

/* Keeps W's memory cgroup while it can be read: a task that exits moves to
 * the root cgroup (cgroup_exit), so the oom line, read after the kill, would
 * name "/" (never overwritten by "/" or an unreadable one). */
void remember_memcg(struct watched *w)
{
	char now[sizeof w->memcg];
	memory_cgroup(w->pid, now, sizeof now);
	if (now[0] && strcmp(now, "/") != 0)
		snprintf(w->memcg, sizeof w->memcg, "%s", now);
}
