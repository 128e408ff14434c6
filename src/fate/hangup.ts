/**
 * `hangup`: the terminal of the process's login goes away (the SSH
 * connection drops, the window closes). The kernel sends SIGHUP and SIGCONT
 * to the session's controlling process only; an interactive bash then sends
 * SIGHUP to each job in its table, SIGCONT too to stopped ones, and SIGTERM
 * and SIGCONT to stopped jobs as it exits (jobs.c: hangup_all_jobs,
 * end_job_control). A process group orphaned with a stopped member gets
 * SIGHUP and SIGCONT from the kernel (kernel/exit.c, kill_orphaned_pgrp).
 */
import { SIGNALS } from '../proc/signals.js';
import type { Snapshot } from '../snapshot/types.js';
import { dispositionOf } from './disposition.js';
import type { SessionView } from './session.js';
import { shellLabel } from './shell.js';
import { entry, eitherOf, type FateEntry } from './types.js';
import { deadTerminalIo, hupOutcome, DISOWN } from './wording.js';

function notOnLoginTerminal(v: SessionView): FateEntry | null {
  if (v.tty === null) {
    return entry('lives', 'Neither it nor its session has a controlling terminal, so a hangup of a login terminal signals nothing in its session.', null, deadTerminalIo(v, 'the hangup'));
  }
  if (v.multiplexer) {
    const m = `${v.multiplexer.comm} (${v.multiplexer.pid})`;
    return entry('lives', `Its terminal ${v.tty} is a pty of the multiplexer server ${m}, not the login's terminal: a hangup of the login does not touch it, and it runs as long as that server and pane do.`);
  }
  return null;
}

export function hangupFate(snap: Snapshot, v: SessionView): FateEntry {
  const off = notOnLoginTerminal(v);
  if (off) return off;
  const hup = dispositionOf(snap.status, SIGNALS.SIGHUP);
  const leader = v.leader;
  if (v.isLeader) {
    if (v.leaderShell) return entry('dies', `It leads the session of ${v.tty}: the kernel sends it SIGHUP and SIGCONT, and a shell exits on SIGHUP.`, 'the kernel');
    return hupOutcome(hup, `The kernel sends SIGHUP and SIGCONT to it, the leader of ${v.tty}'s session`, 'the kernel', null);
  }
  if (!leader) return entry('unknown', `Its session's leader (${snap.stat.session}) could not be read, and it is the leader that the kernel signals.`);
  const leaderName = `${leader.comm} (${leader.pid})`;
  if (v.jobOf && v.jobOfReached) {
    const via = v.jobOf.pid === leader.pid ? '' : `, which sends SIGHUP to its jobs, ${shellLabel(v.jobOf)} among them, and ${shellLabel(v.jobOf)} in turn`;
    const stop = v.stopped ? ' (and SIGCONT, as it is stopped)' : '';
    const chain = `The kernel sends SIGHUP to ${leaderName}, the session's leader${via}; ${v.jobOf.pid === leader.pid ? leaderName : shellLabel(v.jobOf)} sends SIGHUP${stop} to the jobs in its table, this one among them`;
    return hupOutcome(hup, chain, shellLabel(v.jobOf), DISOWN(v.jobOf), v.stopped ? dispositionOf(snap.status, SIGNALS.SIGTERM) : null);
  }
  if (!v.leaderShell?.interactive || v.leaderShell.flavor !== 'bash') {
    return entry('unknown', `The kernel sends SIGHUP to ${leaderName} alone, the leader of ${v.tty}'s session; what ${leaderName} passes on to this process is up to it (this model knows an interactive bash's rules).`);
  }
  if (v.foreground) {
    // disassociate_ctty(): when the leader exits after the hangup, the group that held the foreground gets SIGHUP and SIGCONT.
    return hupOutcome(hup, `It holds the terminal's foreground but is in no job of ${leaderName}: when ${leaderName} exits after the hangup, the kernel sends SIGHUP and SIGCONT to the process group that held the foreground`, 'the kernel', null);
  }
  if (v.stopped && v.orphanedOnLeaderExit) {
    return hupOutcome(hup, `It is stopped and in no job of ${leaderName}: when ${leaderName} exits, its process group is orphaned with a stopped member, and the kernel sends the group SIGHUP and SIGCONT`, 'the kernel', null);
  }
  const gone = snap.stat.ppid === 1 || snap.parent?.stat.session !== snap.stat.session ? ` (it was started by a subshell or script that has exited; its parent is now ${snap.parent ? `${snap.parent.comm} (${snap.parent.pid})` : snap.stat.ppid})` : '';
  const why = `The kernel sends SIGHUP to ${leaderName}, the session's leader, and bash sends SIGHUP only to the jobs in its table; this process's group is not one of them${gone}, so no SIGHUP reaches it.`;
  return entry('lives', why, null, eitherOf(deadTerminalIo(v, 'the hangup')));
}
