/**
 * `hangup`: the terminal of the process's login goes away (the SSH
 * connection drops, the window closes). The kernel sends SIGHUP and SIGCONT
 * to the session's controlling process only; an interactive bash then sends
 * SIGHUP to each job in its table, SIGCONT too to stopped ones, and SIGTERM
 * and SIGCONT to stopped jobs as it exits (jobs.c: hangup_all_jobs,
 * end_job_control). A process group orphaned with a stopped member gets
 * SIGHUP and SIGCONT from the kernel (kernel/exit.c, kill_orphaned_pgrp).
 */
import { processLabel } from '../core/words.js';
import { SIGNALS } from '../proc/signals.js';
import type { Snapshot } from '../snapshot/types.js';
import { dispositionOf, type Disposition } from './disposition.js';
import type { SessionView } from './session.js';
import type { ShellInfo } from './shell.js';
import { entry, eitherOf } from './types.js';
import type { FateEntry } from '../core/types.js';
import { deadTerminalIo, hupOutcome, unlessDisownedOrTrapped } from './wording.js';

function notOnLoginTerminal(v: SessionView): FateEntry | null {
  if (v.tty === null) {
    return entry(
      'lives',
      'Neither it nor its session has a controlling terminal, so a hangup of a login terminal signals nothing in its session.',
      null,
      deadTerminalIo(v, 'the hangup'),
    );
  }
  if (v.multiplexer) {
    const m = processLabel(v.multiplexer);
    return entry(
      'lives',
      `Its terminal ${v.tty} is a pty of the multiplexer server ${m}, not the login's terminal: a hangup of the login does not touch it, and it runs as long as that server and pane do.`,
    );
  }
  return null;
}

/** A parent that exists but could not be read (hidepid, another user's namespace): the job chain is hidden. */
function parentUnseen(snap: Snapshot): boolean {
  return snap.stat.ppid > 1 && snap.parent === null && snap.unreadable.parent !== undefined;
}

/** A job of an interactive shell that the hangup reaches: that shell sends SIGHUP to its jobs. */
function jobHangup(snap: Snapshot, v: SessionView, shell: ShellInfo, leaderName: string, hup: Disposition): FateEntry {
  const name = processLabel(shell);
  // Only bash's rules were measured; another shell's are not claimed.
  if (shell.flavor !== 'bash')
    return entry(
      'unknown',
      `It is a job of ${name}, an interactive ${shell.comm}: this model knows an interactive bash's rules on a hangup, not ${shell.comm}'s.`,
    );
  const how =
    v.jobOfReached === 'leader'
      ? `The kernel sends SIGHUP to ${leaderName}, the session's leader`
      : v.jobOfReached === 'foreground'
        ? `When ${leaderName}, the session's leader, exits after the hangup, the kernel sends SIGHUP to the group holding the terminal's foreground, ${name}'s`
        : `The kernel sends SIGHUP to ${leaderName}, the session's leader, which sends SIGHUP to its jobs, ${name} among them (itself a job, or the job of a shell that is one)`;
  const stop = v.stopped ? ' (and SIGCONT, as it is stopped)' : '';
  const chain = `${how}; ${name} sends SIGHUP${stop} to the jobs in its table, this one among them`;
  // A stopped job with SIGHUP's default action dies either way: out of the table, its orphaned group
  // gets the kernel's SIGHUP. One that ignores SIGHUP dies of bash's SIGTERM at exit, which disown prevents.
  const unless = v.stopped && hup !== 'ignored' ? null : unlessDisownedOrTrapped(shell);
  return hupOutcome(hup, chain, name, unless, v.stopped ? dispositionOf(snap.status, SIGNALS.SIGTERM) : null);
}

export function hangupFate(snap: Snapshot, v: SessionView): FateEntry {
  const off = notOnLoginTerminal(v);
  if (off) return off;
  const hup = dispositionOf(snap.status, SIGNALS.SIGHUP);
  const leader = v.leader;
  if (v.isLeader) {
    if (v.leaderShell)
      return entry(
        'dies',
        `It leads the session of ${v.tty}: the kernel sends it SIGHUP and SIGCONT, and a shell exits on SIGHUP.`,
        'the kernel',
      );
    return hupOutcome(
      hup,
      `The kernel sends SIGHUP and SIGCONT to it, the leader of ${v.tty}'s session`,
      'the kernel',
      null,
    );
  }
  if (!leader)
    return entry(
      'unknown',
      `Its session's leader (${snap.stat.session}) could not be read, and it is the leader that the kernel signals.`,
    );
  const leaderName = processLabel(leader);
  if (v.jobOf && v.jobOfReached) return jobHangup(snap, v, v.jobOf, leaderName, hup);
  if (parentUnseen(snap)) {
    return entry(
      'unknown',
      `Its parent ${snap.stat.ppid} could not be read (${snap.unreadable.parent}), so whose job it is cannot be told, and only jobs of an interactive shell get its SIGHUP.`,
    );
  }
  if (!v.leaderShell?.interactive || v.leaderShell.flavor !== 'bash') {
    return entry(
      'unknown',
      `The kernel sends SIGHUP to ${leaderName} alone, the leader of ${v.tty}'s session; what ${leaderName} passes on to this process is up to it (this model knows an interactive bash's rules).`,
    );
  }
  if (v.foreground) {
    // disassociate_ctty(): when the leader exits after the hangup, the group that held the foreground gets SIGHUP and SIGCONT.
    return hupOutcome(
      hup,
      `It holds the terminal's foreground but is in no job of ${leaderName}: when ${leaderName} exits after the hangup, the kernel sends SIGHUP and SIGCONT to the process group that held the foreground`,
      'the kernel',
      null,
    );
  }
  if (v.stopped && v.orphanedOnLeaderExit) {
    return hupOutcome(
      hup,
      `It is stopped and in no job of ${leaderName}: when ${leaderName} exits, its process group is orphaned with a stopped member, and the kernel sends the group SIGHUP and SIGCONT`,
      'the kernel',
      null,
    );
  }
  const gone =
    snap.stat.ppid === 1 || snap.parent?.stat.session !== snap.stat.session
      ? ` (it was started by a subshell or script that has exited; its parent is now ${snap.parent ? processLabel(snap.parent) : snap.stat.ppid})`
      : '';
  const why = `The kernel sends SIGHUP to ${leaderName}, the session's leader, and bash sends SIGHUP only to the jobs in its table; this process's group is not one of them${gone}, so no SIGHUP reaches it.`;
  return entry('lives', why, null, eitherOf(deadTerminalIo(v, 'the hangup')));
}
