/*
 * Bench helper: start short-lived processes at a steady rate, elsewhere on
 * the host, for the watch benchmark (bench/entries/14-watch-busy.mjs).
 *
 *     forker RATE
 *
 * Forks RATE processes per second, each of which exits at once (_exit(0)),
 * and reaps each one (waitpid) before the next, so that at most one is alive
 * at a time and none is ever left behind.  The pace is kept against
 * CLOCK_MONOTONIC: when behind, it forks without pause; when ahead, it
 * sleeps until the next one is due.  Prints "ready" once running; on
 * SIGTERM, SIGINT, SIGHUP or when its parent dies (PR_SET_PDEATHSIG) it
 * stops and prints {"forks": N, "seconds": S} on stdout: the rate reached
 * is N / S.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double rate = argc > 1 ? atof(argv[1]) : 0;
	if (rate <= 0) {
		fprintf(stderr, "usage: forker RATE\n");
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 1;
	printf("ready\n");
	fflush(stdout);

	double t0 = now();
	unsigned long long forks = 0;
	while (!stop) {
		double due = t0 + (double)forks / rate;
		double t = now();
		if (t < due) {
			double wait = due - t;
			struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
			nanosleep(&ts, NULL);
			continue;
		}
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
			continue;
		}
		while (waitpid(pid, NULL, 0) < 0 && !stop)
			;
		forks++;
	}
	/* A child forked just before the stop signal is reaped by now: waitpid
	 * retries on EINTR until it succeeds or a stop was asked, then this. */
	while (waitpid(-1, NULL, 0) > 0)
		;
	printf("{\"forks\": %llu, \"seconds\": %.6f}\n", forks, now() - t0);
	return 0;
}
