/*
 * The netlink proc connector (linux/cn_proc.h): the exit status of every
 * process (exit_code is the wait(2) status), core dumps, setsid and
 * PR_SET_NAME.  It needs root in the initial namespaces.  When the socket
 * buffer fills, recv() fails with ENOBUFS and events are gone (watch.md:
 * after 11 events with 4 KiB and 300 forks), so the buffer is enlarged,
 * and the loss is counted from the per-CPU sequence numbers (cn_msg.seq
 * counts each CPU's proc events): a gap of N is N events lost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "watch.h"

#define DEFAULT_RCVBUF (4 * 1024 * 1024)

static int send_op(int fd, enum proc_cn_mcast_op op)
{
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) msg;

	memset(&msg, 0, sizeof msg);
	msg.nl.nlmsg_len = sizeof msg;
	msg.nl.nlmsg_type = NLMSG_DONE;
	msg.nl.nlmsg_pid = 0;
	msg.cn.id.idx = CN_IDX_PROC;
	msg.cn.id.val = CN_VAL_PROC;
	msg.cn.len = sizeof op;
	msg.op = op;
	return send(fd, &msg, sizeof msg, 0) < 0 ? -errno : 0;
}

int connector_open(struct watch_run *r, const struct watch_opts *o)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	int size = o->rcvbuf > 0 ? o->rcvbuf : DEFAULT_RCVBUF;
	int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);

	if (fd < 0)
		return -errno;
	/* SO_RCVBUFFORCE passes rmem_max (root); SO_RCVBUF is the fallback. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || send_op(fd, PROC_CN_MCAST_LISTEN) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	r->cn_fd = fd;
	return 0;
}

void connector_close(struct watch_run *r)
{
	if (r->cn_fd < 0)
		return;
	send_op(r->cn_fd, PROC_CN_MCAST_IGNORE);
	close(r->cn_fd);
	r->cn_fd = -1;
}

/* The gap in CPU's sequence, counted as lost. */
static void sequence(struct watch_run *r, unsigned int cpu, unsigned int seq)
{
	if (cpu >= sizeof r->cn_seq / sizeof *r->cn_seq)
		return;
	if (r->cn_seq[cpu] && seq > r->cn_seq[cpu] - 1) {
		unsigned int gap = seq - r->cn_seq[cpu];
		if (gap) {
			r->cn_lost += gap;
			r->cn_overflow = false;
		}
	}
	r->cn_seq[cpu] = seq + 1;
}

static int event(struct watch_run *r, const struct watch_opts *o, const struct cn_msg *cn)
{
	const struct proc_event *ev = (const void *)cn->data;
	double t = (double)ev->timestamp_ns / 1e9;
	struct jline l;

	/* The answer to LISTEN (PROC_EVENT_NONE) carries no event sequence. */
	if (ev->what != PROC_EVENT_NONE)
		sequence(r, ev->cpu, cn->seq);
	switch (ev->what) {
	case PROC_EVENT_EXIT: {
		const struct exit_proc_event *x = &ev->event_data.exit;
		/* A thread's exit (tgid != pid) is not the process's. */
		if (x->process_pid != x->process_tgid)
			return 0;
		return ev_status(r, t, x->process_tgid, (int)x->exit_code, false);
	}
	case PROC_EVENT_COREDUMP:
		return ev_core(r, ev->event_data.coredump.process_tgid);
	case PROC_EVENT_SID:
		return ev_sid(r, t, ev->event_data.sid.process_tgid);
	case PROC_EVENT_COMM: {
		const struct comm_proc_event *c = &ev->event_data.comm;
		char comm[COMM_LEN];
		snprintf(comm, sizeof comm, "%.*s", COMM_LEN - 1, c->comm);
		if (!o->verbose || !watched_find(r, c->process_tgid))
			return 0;
		jl_begin(&l, "comm", t + r->real_minus_mono);
		jl_int(&l, "pid", c->process_tgid);
		jl_int(&l, "tid", c->process_pid);
		jl_str(&l, "comm", comm);
		return jl_end(&l, r->out);
	}
	default:
		return 0;
	}
}

int connector_drain(struct watch_run *r, const struct watch_opts *o)
{
	char buf[16384] __attribute__((aligned(8)));

	if (r->cn_fd < 0)
		return 0;
	for (;;) {
		ssize_t n = recv(r->cn_fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0 && errno == ENOBUFS) {
			/* Counted by the next gap in the sequence; at least one. */
			r->cn_overflow = true;
			continue;
		}
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_NOOP)
				continue;
			const struct cn_msg *cn = NLMSG_DATA(h);
			if (cn->id.idx != CN_IDX_PROC || cn->len < offsetof(struct proc_event, event_data))
				continue;
			int err = event(r, o, cn);
			if (err < 0)
				return err;
		}
	}
}
