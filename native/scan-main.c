/* daemon-check-helper scan-read PROC_ROOT: the listing, shared out among
 * the workers (scan-read.c), which write their records to stdout as they go. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan-read.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "daemon-check-helper: %s: %s\n", what, strerror(err));
	return 1;
}

int scan_read_main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '\0') {
		fputs("usage: daemon-check-helper scan-read PROC_ROOT\n", stderr);
		return 2;
	}
	const char *root = argv[1];
	DIR *procs = opendir(root);
	if (!procs) {
		fprintf(stderr, "daemon-check-helper: cannot list %s: %s\n", root, strerror(errno));
		return 1;
	}

	/* The listing first, in /proc's order, without this process. */
	char self[32];
	snprintf(self, sizeof self, "%ld", (long)getpid());
	size_t count = 0, room = 1024;
	char **pids = malloc(room * sizeof *pids);
	if (!pids)
		return fail("listing processes", ENOMEM);
	struct dirent *e;
	while ((e = readdir(procs))) {
		const char *pid = e->d_name;
		if (pid[0] < '1' || pid[0] > '9' || pid[strspn(pid, "0123456789")] != '\0' || strcmp(pid, self) == 0)
			continue;
		if (count == room) {
			char **more = realloc(pids, (room *= 2) * sizeof *pids);
			if (!more)
				return fail("listing processes", ENOMEM);
			pids = more;
		}
		if (!(pids[count++] = strdup(pid)))
			return fail("listing processes", ENOMEM);
	}

	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus < 1 ? 1 : cpus > MAX_WORKERS ? MAX_WORKERS : (size_t)cpus;
	if (n > count / PER_WORKER)
		n = count / PER_WORKER ? count / PER_WORKER : 1;
	/* ~37 KiB each: on the heap, not the stack. */
	struct worker *workers = calloc(n, sizeof *workers);
	pthread_t threads[MAX_WORKERS];
	if (!workers)
		return fail("reading processes", ENOMEM);
	struct scan_out dest = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = STDOUT_FILENO };
	for (size_t i = 0; i < n; i++) {
		workers[i].dest = &dest;
		workers[i].root = dirfd(procs);
		workers[i].pids = pids + count * i / n;
		workers[i].count = count * (i + 1) / n - count * i / n;
	}
	/* Worker 0 runs on this thread, and so does the share of a thread that could not start. */
	bool started[MAX_WORKERS] = { false };
	for (size_t i = 1; i < n; i++)
		started[i] = pthread_create(&threads[i], NULL, scan_work, &workers[i]) == 0;
	scan_work(&workers[0]);
	for (size_t i = 1; i < n; i++) {
		if (started[i])
			pthread_join(threads[i], NULL);
		else
			scan_work(&workers[i]);
	}
	closedir(procs);
	int err = 0;
	for (size_t i = 0; i < n; i++) {
		if (!err)
			err = workers[i].err;
		free(workers[i].buf);
	}
	free(workers);
	for (size_t i = 0; i < count; i++)
		free(pids[i]);
	free(pids);
	return err ? fail(err == ENOMEM ? "reading processes" : "writing the records", err) : 0;
}
