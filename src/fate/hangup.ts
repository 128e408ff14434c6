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
import { deadTerminalIo, hupOutcome, unlessDisownedOrTrapped, unlessLeftTable } from './wording.js';
import { jobRules, noRulesFor } from './shell-rules.js';
import { SILENT_PROGRAMS } from '../knowledge/kinds.js';

function notOnLoginTerminal(v: SessionView): FateEntry | null {
  if (v.tty === null) {
    return entry(
      'lives',
      'Neither it nor its session has a controlling terminal, so a hangup of a login terminal signals nothing in its session.',
      null,
      deadTerminalIo(v, 'the hangup'),
    );
  }
  if (v.multiplexer?.comm === 'sudo') {
    return entry(
      'lives',
      `Its terminal ${v.tty} is a pty that ${processLabel(v.multiplexer)} made for its command (sudo's use_pty), not the login's terminal: a hangup of the login does not touch it.`,
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

/**
 * A job of an interactive shell that the hangup reaches: that shell sends
 * SIGHUP to its jobs (shell-rules.ts). null when it sends them nothing (dash;
 * zsh with `setopt nohup` in its startup files): the rest of the rules decide.
 */
function jobHangup(
  snap: Snapshot,
  v: SessionView,
  shell: ShellInfo,
  leaderName: string,
  hup: Disposition,
): FateEntry | null {
  const name = processLabel(shell);
  const rules = jobRules(shell, snap.shellRc);
  if (!rules) return entry('unknown', `It is a job of ${name}, an interactive ${shell.comm}: ${noRulesFor(shell)}.`);
  if (!rules.hupsOnHangup) return null;
  const how =
    v.jobOfReached === 'leader'
      ? `The kernel sends SIGHUP to ${leaderName}, the session's leader`
      : v.jobOfReached === 'foreground'
        ? `When ${leaderName}, the session's leader, exits after the hangup, the kernel sends SIGHUP to the group holding the terminal's foreground, ${name}'s`
        : `The kernel sends SIGHUP to ${leaderName}, the session's leader, which sends SIGHUP to its jobs, ${name} among them (itself a job, or the job of a shell that is one)`;
  const stop = v.stopped ? ' (and SIGCONT, as it is stopped)' : '';
  const option = rules.decidedBy
    ? ` (${rules.decidedBy})`
    : rules.name === 'zsh'
      ? ' (its HUP option, on by default)'
      : '';
  const chain = `${how}; ${name} sends SIGHUP${stop}${option} to the jobs in its table, this one among them`;
  const bash = rules.stoppedAtExit === 'sigterm';
  // A stopped job with SIGHUP's default action dies either way: out of the table, its orphaned group
  // gets the kernel's SIGHUP. One that ignores SIGHUP dies of bash's SIGTERM at exit, which disown prevents.
  const unless =
    v.stopped && hup !== 'ignored' ? null : bash ? unlessDisownedOrTrapped(shell) : unlessLeftTable(rules, shell);
  if (v.stopped && !bash && rules.name === 'zsh') {
    // zsh's killrunjobs skips stopped jobs: the kernel's SIGHUP and SIGCONT to the orphaned group reach it.
    return hupOutcome(
      hup,
      `${how}; ${name} exits without signalling its stopped jobs (killrunjobs skips them), so its process group is orphaned with a stopped member, and the kernel sends the group SIGHUP and SIGCONT`,
      'the kernel',
      null,
    );
  }
  return hupOutcome(hup, chain, name, unless, v.stopped && bash ? dispositionOf(snap.status, SIGNALS.SIGTERM) : null);
}

/**
 * A process that outlives the signals but writes to the session's terminal
 * (fd 1 or 2): after the hangup its next write fails with EIO, and a program
 * that stops on a write error ends (measured over SSH: `while echo tick; do
 * sleep 1; done`, even under nohup). A program known never to write there
 * (sleep) is left alone.
 */
function deadTerminalWriter(snap: Snapshot, v: SessionView, e: FateEntry): FateEntry {
  if (e.outcome !== 'lives' || v.isLeader || v.tty === null || v.multiplexer) return e;
  const out = v.stdioTerminal.filter((f) => f.fd >= 1 && (f.target === v.tty || f.target === '/dev/tty'));
  if (out.length === 0 || SILENT_PROGRAMS.has(snap.stat.comm)) return e;
  const fds = out.map((f) => `fd ${f.fd}`).join(', ');
  return entry(
    'dies',
    `${e.why} But its output (${fds}) goes to the terminal ${out[0]!.target}, which is dead after the hangup: its next write fails with EIO, and a program that stops on a write error ends there.`,
    'EIO on its next write to the dead terminal',
    eitherOf(
      'it ignores the write error (EIO) and carries on, as a shell loop whose `echo` is not tested does, or it never writes to the terminal again',
      e.unless && !/EIO/.test(e.unless) ? e.unless : null,
    ),
  );
}

export function hangupFate(snap: Snapshot, v: SessionView): FateEntry {
  const off = notOnLoginTerminal(v);
  if (off) return off;
  return deadTerminalWriter(snap, v, onLoginTerminal(snap, v));
}

function onLoginTerminal(snap: Snapshot, v: SessionView): FateEntry {
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
  const job = v.jobOf && v.jobOfReached ? jobHangup(snap, v, v.jobOf, leaderName, hup) : null;
  if (job) return job;
  if (parentUnseen(snap)) {
    return entry(
      'unknown',
      `Its parent ${snap.stat.ppid} could not be read (${snap.unreadable.parent}), so whose job it is cannot be told, and only jobs of an interactive shell get its SIGHUP.`,
    );
  }
  const rules = v.leaderShell?.interactive ? jobRules(v.leaderShell, snap.shellRc) : null;
  if (!rules) {
    return entry(
      'unknown',
      v.leaderShell?.interactive
        ? `The kernel sends SIGHUP to ${leaderName} alone, the leader of ${v.tty}'s session; what it passes on to this process is up to it: ${noRulesFor(v.leaderShell)}.`
        : `The kernel sends SIGHUP to ${leaderName} alone, the leader of ${v.tty}'s session; what ${leaderName} passes on to this process is up to it (this model knows the rules of an interactive bash, zsh, fish and dash).`,
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
  if (!rules.hupsOnHangup) {
    const how = rules.decidedBy
      ? `${rules.name} sends its jobs no SIGHUP (${rules.decidedBy})`
      : `${rules.name} sends its jobs no signal (it keeps no SIGHUP handler: the signal ends it)`;
    const why = `The kernel sends SIGHUP to ${leaderName}, the session's leader, and ${how}; this process's group is not the terminal's foreground${gone}, so no SIGHUP reaches it.`;
    return entry('lives', why, null, eitherOf(deadTerminalIo(v, 'the hangup')));
  }
  const why = `The kernel sends SIGHUP to ${leaderName}, the session's leader, and ${rules.name} sends SIGHUP only to the jobs in its table; this process's group is not one of them${gone}, so no SIGHUP reaches it.`;
  return entry('lives', why, null, eitherOf(deadTerminalIo(v, 'the hangup')));
}
