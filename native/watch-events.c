/*
 * The kernel's events, kept for the watched processes only, as the lines of
 * the event contract (src/watch/events.ts).  T is CLOCK_MONOTONIC seconds
 * (trace_clock mono, the connector's timestamp_ns); a line's "t" is
 * CLOCK_REALTIME, T plus the offset measured at start.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "watch.h"

#define REAL(r, t) ((t) + (r)->real_minus_mono)

static const char *const results[] = { "delivered", "ignored", "pending", "overflow", "lost-info" };

/* si_code's name (asm-generic/siginfo.h): the SI_* codes, then the
 * positive kernel codes, which mean something per signal. */
static const char *code_name(int sig, int code)
{
	static const char *const si[] = { "SI_USER", "SI_QUEUE", "SI_TIMER", "SI_MESGQ", "SI_ASYNCIO", "SI_SIGIO",
					  "SI_TKILL" };
	static const char *const segv[] = { "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR" };
	static const char *const bus[] = { "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR",
					   "BUS_MCEERR_AO" };
	static const char *const ill[] = { "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP",
					   "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC", "ILL_BADSTK" };
	static const char *const fpe[] = { "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF",
					   "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB" };
	static const char *const cld[] = { "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
					   "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED" };
	static const char *const trap[] = { "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT" };
#define PICK(table) (code >= 1 && (size_t)code <= sizeof table / sizeof *table ? table[code - 1] : NULL)

	if (code == 0x80)
		return "SI_KERNEL";
	if (code <= 0 && code >= -6)
		return si[-code];
	switch (sig) {
	case SIGSEGV:
		return PICK(segv);
	case SIGBUS:
		return PICK(bus);
	case SIGILL:
		return PICK(ill);
	case SIGFPE:
		return PICK(fpe);
	case SIGCHLD:
		return PICK(cld);
	case SIGTRAP:
		return PICK(trap);
	default:
		return NULL;
	}
#undef PICK
}

static void put_sig(struct jline *l, int sig)
{
	char name[32];
	signame(sig, name, sizeof name);
	jl_int(l, "sig", sig);
	jl_str(l, "signal", name);
}

/*
 * Whether a signal SIG to PID, which is not watched, is context for the
 * story: the terminal's hangup (SIGHUP, SIGCONT) or the end (SIGKILL, the
 * short-circuit of a fatal signal, in deliver) of the leader of a watched
 * process's session. A shell's forwarded SIGHUP is told as "forwarded the
 * terminal's hangup" only when that hangup is seen.
 */
static bool context(struct watch_run *r, pid_t pid, int sig)
{
	if (sig != SIGHUP && sig != SIGCONT && sig != SIGKILL)
		return false;
	for (size_t i = 0; i < r->nw; i++)
		if (r->w[i].sid == pid && r->w[i].pid != pid)
			return true;
	return false;
}

/* f: sig, errno, code, target tid, group, result (signal_generate). */
int ev_signal(struct watch_run *r, double t, pid_t sender, const int f[6])
{
	pid_t target = procmap_tgid(&r->map, f[3]);
	struct watched *w = watched_find(r, target);
	bool leader = !w && context(r, target, f[0]);
	struct jline l;
	char json[128];

	if (!w && !leader)
		return 0;
	/* The OOM killer's SIGKILL: the cgroup is read now, as an exiting task moves to the root cgroup. */
	if (w && f[0] == SIGKILL && f[2] == 0x80)
		remember_memcg(w);
	jl_begin(&l, "signal", REAL(r, t));
	jl_int(&l, "pid", target);
	jl_int(&l, "tid", f[3]);
	put_sig(&l, f[0]);
	jl_int(&l, "code", f[2]);
	jl_str(&l, "codeName", code_name(f[0], f[2]));
	if (sender > 0) {
		pid_t tgid = procmap_tgid(&r->map, sender);
		struct jline s = { .len = 0 };
		jl_str(&s, "comm", procmap_comm(&r->map, tgid, sender));
		snprintf(json, sizeof json, "{\"pid\":%ld%.*s}", (long)tgid, (int)s.len, s.buf);
		jl_raw(&l, "sender", json);
	} else {
		/* common_pid 0: generated with no task (interrupt on the idle task). */
		jl_null(&l, "sender");
	}
	jl_bool(&l, "group", f[4] != 0);
	jl_str(&l, "result", f[5] >= 0 && f[5] <= 4 ? results[f[5]] : "unknown");
	jl_int(&l, "errno", f[1]);
	if (leader)
		jl_bool(&l, "context", true);
	return jl_end(&l, r->out);
}

int ev_deliver(struct watch_run *r, double t, pid_t tid, int sig, int code, unsigned long handler)
{
	pid_t pid = procmap_tgid(&r->map, tid);
	struct jline l;

	if (!watched_find(r, pid) && !context(r, pid, sig))
		return 0;
	jl_begin(&l, "deliver", REAL(r, t));
	jl_int(&l, "pid", pid);
	jl_int(&l, "tid", tid);
	put_sig(&l, sig);
	jl_int(&l, "code", code);
	jl_str(&l, "handler", handler == 0 ? "default" : handler == 1 ? "ignore" : "caught");
	return jl_end(&l, r->out);
}

int ev_newtask(struct watch_run *r, const struct watch_opts *o, double t, pid_t parent, pid_t child,
	       unsigned long long flags)
{
	pid_t ptgid = procmap_tgid(&r->map, parent);
	char comm[COMM_LEN];
	struct jline l;
	int err;

	snprintf(comm, sizeof comm, "%s", procmap_comm(&r->map, ptgid, parent));
	if (flags & CLONE_THREAD) {
		procmap_put(&r->map, child, ptgid, comm);
		return 0;
	}
	procmap_put(&r->map, child, child, comm);
	if (!(o->tree || o->argv) || !watched_find(r, ptgid) || watched_find(r, child))
		return 0;
	jl_begin(&l, "fork", REAL(r, t));
	jl_int(&l, "pid", ptgid);
	jl_int(&l, "child", child);
	jl_str(&l, "comm", comm);
	if ((err = jl_end(&l, r->out)) < 0)
		return err;
	return watched_add(r, child, comm, t, true);
}

int ev_rename(struct watch_run *r, const struct watch_opts *o, double t, pid_t tid, const char *comm, bool exec)
{
	struct task_entry *e = procmap_get(&r->map, tid);
	struct watched *w = watched_find(r, tid);

	(void)o;
	(void)t;
	(void)exec;
	if (e)
		snprintf(e->comm, COMM_LEN, "%s", comm);
	else
		procmap_put(&r->map, tid, procmap_tgid(&r->map, tid), comm);
	if (w)
		snprintf(w->comm, COMM_LEN, "%s", comm);
	return 0;
}

int ev_exec(struct watch_run *r, double t, pid_t pid, pid_t old_pid, const char *filename)
{
	struct watched *w = watched_find(r, pid);
	struct jline l;
	char name[2048];

	/* A thread that execs takes over the leader's pid (de_thread). */
	if (old_pid != pid)
		procmap_del(&r->map, old_pid);
	if (!w)
		return 0;
	remember_memcg(w);
	snprintf(name, sizeof name, "%s", filename);
	jl_begin(&l, "exec", REAL(r, t));
	jl_int(&l, "pid", pid);
	jl_str(&l, "comm", w->comm);
	jl_str(&l, "filename", name);
	return jl_end(&l, r->out);
}

int ev_task_exit(struct watch_run *r, double t, pid_t tid, bool group_dead)
{
	pid_t tgid = procmap_tgid(&r->map, tid);
	struct watched *w = watched_find(r, tgid);

	/* The entry stays: the exiting task still sends its parent SIGCHLD
	 * after this event, and a new task of the same tid replaces it. */
	if (!group_dead)
		return 0;
	if (!w || w->ended || w->dead)
		return 0;
	w->dead = true;
	w->dead_t = t;
	if (!w->has_status && recent_status(r, tgid, t, &w->status))
		w->has_status = true;
	/* The status is known, or nothing will bring one: the line goes now. */
	if (w->has_status || (r->cn_fd < 0 && !r->parent))
		return emit_exit(r, w, t);
	return 0;
}

/* The memory cgroup of PID (v1 memory controller, else the v2 path). */

int ev_oom(struct watch_run *r, double t, pid_t pid, const char *comm, long uid, long rss_kb, int adj)
{
	struct jline l;
	char cgroup[1024];

	struct watched *w = watched_find(r, pid);
	if (!w)
		return 0;
	memory_cgroup(pid, cgroup, sizeof cgroup);
	if ((!cgroup[0] || !strcmp(cgroup, "/")) && w->memcg[0])
		snprintf(cgroup, sizeof cgroup, "%s", w->memcg);
	jl_begin(&l, "oom", REAL(r, t));
	jl_int(&l, "pid", pid);
	jl_str(&l, "comm", comm);
	jl_int(&l, "uid", uid);
	jl_int(&l, "rssKb", rss_kb);
	jl_int(&l, "oomScoreAdj", adj);
	jl_str(&l, "cgroup", cgroup[0] ? cgroup : NULL);
	return jl_end(&l, r->out);
}

int ev_sid(struct watch_run *r, double t, pid_t tgid)
{
	struct jline l;

	if (!watched_find(r, tgid))
		return 0;
	jl_begin(&l, "setsid", REAL(r, t));
	jl_int(&l, "pid", tgid);
	jl_int(&l, "sid", tgid);
	return jl_end(&l, r->out);
}

int ev_core(struct watch_run *r, pid_t pid)
{
	struct watched *w = watched_find(r, pid);
	if (w)
		w->core = true;
	return 0;
}
