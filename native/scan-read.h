/* daemon-check-helper scan-read: see scan-read.c (a worker's reads) and
 * scan-main.c (the listing and the threads). */
#ifndef DAEMON_CHECK_SCAN_READ_H
#define DAEMON_CHECK_SCAN_READ_H

#include <limits.h>
#include <pthread.h>
#include <stdio.h>

int scan_read_main(int argc, char **argv);

/* Threads: one per online CPU, at most this many. */
#define MAX_WORKERS 8
/* Fewer processes than this per thread are not worth a thread's start. */
#define PER_WORKER 128
/* A worker hands its records on once it holds this many bytes (whole processes only). */
#define BATCH_BYTES (32 * 1024)

/* Where every worker's batches go: one write at a time. */
struct scan_out {
	pthread_mutex_t lock;
	int fd;
};

struct worker {
	int root;                  /* the proc root, open */
	char **pids;               /* this worker's share of the listing */
	size_t count;
	struct scan_out *dest;     /* shared by the workers */
	FILE *out;                 /* the batch being built, in memory */
	char *mem;
	size_t mem_len;
	char *buf;                 /* file contents */
	size_t buf_size;
	/* /proc links are at most PATH_MAX (d_path fails beyond that) plus " (deleted)". */
	char target[PATH_MAX + 64];
	char ents[32768];          /* getdents64 */
	int err;                   /* 0, or why it stopped */
};

/* Reads the processes of the worker ARG, writing its records to ARG's dest in batches of whole processes. */
void *scan_work(void *arg);

#endif
