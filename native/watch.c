/*
 * daemon-check-helper watch: the mode's top level (see watch.h for the
 * files).  Mechanisms, chosen here:
 *   tracefs  as root: a tracefs instance (signals, forks, execs, exits,
 *            oom:mark_victim) plus the proc connector for exit statuses;
 *   ptrace   --ptrace, root or not, and as root where tracefs cannot be
 *            had: PTRACE_SEIZE of the watched processes (watch-ptrace.c);
 *            with -- CMD the helper is also the parent;
 *   parent   without root, -- CMD: the helper is CMD's parent and a child
 *            subreaper, so it reaps the tree with exact statuses;
 *   pidfd    without root, PIDs: a pidfd gives the time of death only.
 * The watch ends when every watched process has ended, at --for, or on
 * SIGINT, SIGTERM or SIGHUP; then it prints the `end` line and exits 0.
 * The tracefs instance goes on every way out (stale ones of a killed
 * watcher are removed by the next one).
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
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "watch.h"

#define TICK 0.25
/* Reads at most this often.  Every event of the host goes through the
 * instance and the connector, so a fork flood elsewhere would wake the poll
 * for each one (thousands a second, most of the watcher's CPU); waiting
 * this long after a read lets the kernel's buffers gather the next ones,
 * which then cost one wake-up and a few reads.  It delays a line by at most
 * this, well within the buffers (4 MiB for the connector). */
#define BATCH 0.02

static void note(struct watch_run *r, const char *text)
{
	if (r->nnotes < sizeof r->notes / sizeof *r->notes)
		snprintf(r->notes[r->nnotes++], sizeof r->notes[0], "%s", text);
}

/* The PIDs, each a live process (not a thread), watched from now. */
static int add_pids(struct watch_run *r, const struct watch_opts *o, struct watch_failure *f)
{
	for (size_t i = 0; i < o->npids; i++) {
		char comm[COMM_LEN + 2];
		if (watched_find(r, o->pids[i]))
			continue;
		if (procmap_tgid(&r->map, o->pids[i]) != o->pids[i] || read_comm(o->pids[i], comm) < 0) {
			f->stage = WATCH_STAGE_UNKNOWN_PID;
			f->pid = o->pids[i];
			return -ESRCH;
		}
		int err = watched_add(r, o->pids[i], comm, now(), false);
		if (err < 0)
			return err;
	}
	return 0;
}

/* The ptrace mechanism: every watched process traced (-- CMD's child is
 * attached before its exec, in watch-child.c). */
static int use_ptrace(struct watch_run *r, const struct watch_opts *o, struct watch_failure *f)
{
	int err;

	r->use_ptrace = true;
	r->mechanism = "ptrace";
	ptrace_notes(r->notes, sizeof r->notes / sizeof *r->notes, &r->nnotes, o);
	for (size_t i = 0; i < r->nw; i++)
		if ((err = ptrace_attach(r, o, r->w[i].pid)) < 0) {
			snprintf(f->text, sizeof f->text, "attaching to %ld with ptrace", (long)r->w[i].pid);
			f->value = f->text;
			return err;
		}
	return 0;
}

/* Where tracefs cannot be had even as root (a container, a user namespace,
 * tracefs not built or refused): the errors that mean so. */
static bool no_tracefs(int err)
{
	return err == -EPERM || err == -EACCES || err == -ENODEV || err == -EROFS || err == -ENOENT;
}

static int mechanism(struct watch_run *r, const struct watch_opts *o, struct watch_failure *f)
{
	int err;
	char text[200];

	if (o->ptrace)
		return use_ptrace(r, o, f);
	if (geteuid() != 0 || o->force_parent) {
		r->mechanism = o->argv ? "parent" : "pidfd";
		note(r, o->argv ? "not root: the exit statuses of the command and of the orphans it leaves are "
				  "exact; root adds every signal with its sender, the forks and the execs"
				: "not root: only the time of death is known; root adds every signal with its "
				  "sender, the exit status, the forks and the execs");
		return 0;
	}
	r->mechanism = "tracefs";
	if ((err = tracefs_open(r, o)) < 0) {
		if (no_tracefs(err)) {
			tracefs_close(r);
			snprintf(text, sizeof text, "tracefs could not be had (%s): the processes are traced with ptrace instead",
				 strerror(-err));
			note(r, text);
			return use_ptrace(r, o, f);
		}
		snprintf(f->text, sizeof f->text, "%s/instances/%s", r->tracing, r->instance);
		f->stage = WATCH_STAGE_TRACEFS;
		f->path = r->instance_made || r->instance[0] ? f->text : r->tracing;
		return err;
	}
	if ((err = connector_open(r, o)) < 0) {
		snprintf(text, sizeof text, "the proc connector refused (%s): exit statuses only for the "
			 "processes the watcher reaps", strerror(-err));
		note(r, text);
	}
	return procmap_seed(&r->map);
}

static int setup(struct watch_run *r, const struct watch_opts *o, struct watch_failure *f, int *code)
{
	struct timespec real, mono;
	int err, exec_err = 0;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	r->real_minus_mono = (double)(real.tv_sec - mono.tv_sec) + (double)(real.tv_nsec - mono.tv_nsec) / 1e9;
	if ((err = procmap_init(&r->map)) < 0 || (err = add_pids(r, o, f)) < 0 || (err = mechanism(r, o, f)) < 0)
		return err;
	if (o->argv) {
		if ((err = child_start(r, o, &exec_err)) < 0)
			return err;
		if (exec_err) {
			f->stage = WATCH_STAGE_EXEC;
			f->command = o->argv[0];
			*code = exec_err == ENOENT ? HELPER_EXIT_NOTFOUND : HELPER_EXIT_NOEXEC;
			return -exec_err;
		}
	} else if ((err = watch_check_started(r, f)) < 0) {
		return err;
	}
	if ((err = emit_start(r, o)) < 0)
		return err;
	for (size_t i = 0; i < r->nw; i++)
		if ((err = emit_watching(r, &r->w[i], now())) < 0)
			return err;
	return 0;
}

/* Everything the kernel has for us now, in the order that keeps an exit
 * after its signals: the connector first (statuses), then the trace. */
static int drain(struct watch_run *r, const struct watch_opts *o, int *stop)
{
	struct signalfd_siginfo si;
	int err;

	if ((err = connector_drain(r, o)) < 0 || (err = tracefs_drain(r, o)) < 0)
		return err;
	while (read(r->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
		if (si.ssi_signo != SIGCHLD)
			*stop = 1;
	if (r->traced && (err = ptrace_drain(r, o)) < 0)
		return err;
	if (!r->traced && r->parent && (err = child_reap(r)) < 0)
		return err;
	return pidfds_check(r, now());
}

static const char *loop(struct watch_run *r, const struct watch_opts *o, int *err)
{
	double start = now(), next = start + TICK, last = 0;
	unsigned ticks = 0;
	int stop = 0;

	for (;;) {
		struct pollfd p[3 + 64];
		nfds_t n = 0;
		p[n++] = (struct pollfd){ .fd = r->sigfd, .events = POLLIN };
		if (r->trace_fd >= 0)
			p[n++] = (struct pollfd){ .fd = r->trace_fd, .events = POLLIN };
		if (r->cn_fd >= 0)
			p[n++] = (struct pollfd){ .fd = r->cn_fd, .events = POLLIN };
		for (size_t i = 0; i < r->nw && n < sizeof p / sizeof *p; i++)
			if (r->w[i].pidfd >= 0)
				p[n++] = (struct pollfd){ .fd = r->w[i].pidfd, .events = POLLIN };
		double wait = next - now();
		if (o->seconds > 0 && start + o->seconds - now() < wait)
			wait = start + o->seconds - now();
		if (poll(p, n, wait > 0 ? (int)(wait * 1000) + 1 : 0) < 0 && errno != EINTR) {
			*err = -errno;
			return "error";
		}
		if (now() - last < BATCH)
			nap(BATCH - (now() - last));
		last = now();
		if ((*err = drain(r, o, &stop)) < 0)
			return "error";
		double t = now();
		if (t >= next) {
			next = t + TICK;
			if ((*err = ev_sweep(r, t, ++ticks % 4 == 0 && !r->traced, false)) < 0 || (*err = watch_report_lost(r)) < 0)
				return "error";
		}
		if (stop)
			return "signal";
		if (watched_all_ended(r) && (!r->parent || r->no_children))
			return "all-ended";
		if (o->seconds > 0 && t - start >= o->seconds)
			return "timeout";
	}
}

static int sigfd_open(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int watch_main(int argc, char **argv)
{
	struct watch_opts o;
	struct watch_run *r = calloc(1, sizeof *r);
	struct watch_failure f = { 0 };
	const char *bad = NULL, *why = NULL, *reason = NULL;
	int err, code = HELPER_EXIT_FAILED, stop = 0;
	bool json = false;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		json = json || !strcmp(argv[i], "--json-errors");
	if ((err = watch_opts_parse(&o, argc, argv, &bad, &why)) < 0 || !r) {
		struct watch_failure u = { .stage = WATCH_STAGE_USAGE, .option = why, .value = bad };
		watch_failure_print(err == -EINVAL ? &u : &(struct watch_failure){ .stage = WATCH_STAGE_SETUP,
										     .err = ENOMEM, .value = "memory" },
				    json, 2);
		return err == -EINVAL ? HELPER_EXIT_USAGE : HELPER_EXIT_FAILED;
	}
	r->out = o.events_fd;
	r->trace_fd = r->cn_fd = -1;
	/* The reader's death ends the watch as a SIGTERM would, cleanly. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		stop = 1;
	if ((r->sigfd = sigfd_open()) < 0) {
		err = r->sigfd;
		f.value = "signalfd";
	} else if ((err = setup(r, &o, &f, &code)) == 0) {
		reason = stop ? "signal" : loop(r, &o, &err);
		/* The last events, then every exit line still waiting. */
		if (err == 0)
			drain(r, &o, &stop);
		ev_sweep(r, now(), false, true);
		watch_report_lost(r);
		emit_end(r, reason, err ? strerror(-err) : NULL);
	}
	connector_close(r);
	tracefs_close(r);
	if (err < 0 && !reason) {
		if (!f.stage) {
			f.stage = WATCH_STAGE_SETUP;
			f.value = f.value ? f.value : "setting up the watch";
		}
		f.err = f.pid > 0 ? 0 : -err;
		watch_failure_print(&f, json, json && o.events_fd != 1 ? o.events_fd : 2);
		return code;
	}
	return err < 0 ? HELPER_EXIT_FAILED : HELPER_EXIT_OK;
}
