/**
 * `shell-exit`: the user types `exit` (or Ctrl-D) in the login shell. bash
 * sends its jobs SIGHUP only with `shopt -s huponexit` in a login shell;
 * with stopped jobs it refuses the first `exit` and sends SIGTERM and
 * SIGCONT to them at the second (jobs.c: exit_shell, end_job_control). The
 * kernel sends SIGHUP to the terminal's foreground process group when the
 * controlling process exits (tty_jobctrl.c, disassociate_ctty), and SIGHUP
 * and SIGCONT to a group orphaned with a stopped member.
 */
import { processLabel } from '../core/words.js';
import { SIGNALS } from '../proc/signals.js';
import type { Snapshot } from '../snapshot/types.js';
import { dispositionOf } from './disposition.js';
import type { SessionView } from './session.js';
import type { ShellInfo } from './shell.js';
import { entry, eitherOf } from './types.js';
import type { FateEntry } from '../core/types.js';
import { deadTerminalIo, hupOutcome, termOutcome, unlessLeftTable } from './wording.js';
import { jobRules, noRulesFor, type JobRules } from './shell-rules.js';

function huponexit(shell: ShellInfo): string | null {
  if (!shell.login) return null; // bash honours huponexit in login shells only
  return `\`shopt -s huponexit\` is set in ${processLabel(shell)} (not visible in /proc): bash then sends SIGHUP to its jobs as it exits`;
}

function outsideTheLogin(v: SessionView, snap: Snapshot): FateEntry | null {
  if (v.tty === null)
    return entry(
      'lives',
      "Neither it nor its session has a controlling terminal: `exit` in a login shell signals nothing outside that shell's terminal session.",
      null,
      deadTerminalIo(v, 'the login ends'),
    );
  if (v.multiplexer)
    return entry(
      'lives',
      v.multiplexer.comm === 'sudo'
        ? `Its terminal ${v.tty} is a pty that ${processLabel(v.multiplexer)} made for its command (sudo's use_pty): \`exit\` in the login shell does not reach it.`
        : `Its terminal ${v.tty} belongs to the multiplexer server ${processLabel(v.multiplexer)}: \`exit\` in the login shell does not reach it.`,
    );
  if (v.isLeader) {
    return v.leaderShell
      ? entry('dies', 'It is the shell that exits.')
      : entry(
          'lives',
          `It leads its own session on ${v.tty} and is not a shell: \`exit\` typed in a login shell does not reach it.`,
        );
  }
  if (!v.leader) return entry('unknown', `Its session's leader (${snap.stat.session}) could not be read.`);
  if (!v.leaderShell?.interactive) {
    return entry(
      'unknown',
      `Its session's leader ${processLabel(v.leader)} is not an interactive shell whose rules this model knows (bash, zsh, fish, dash).`,
    );
  }
  if (!jobRules(v.leaderShell, snap.shellRc))
    return entry('unknown', `Its session's leader is ${processLabel(v.leader)}: ${noRulesFor(v.leaderShell)}.`);
  return null;
}

function stoppedJob(snap: Snapshot, v: SessionView, shell: ShellInfo, rules: JobRules): FateEntry | null {
  if (!v.stopped) return null;
  const hup = dispositionOf(snap.status, SIGNALS.SIGHUP);
  const name = processLabel(shell);
  if (v.jobOf?.pid === shell.pid && rules.stoppedAtExit === 'sigterm') {
    const chain = `${name} refuses the first \`exit\` while it has stopped jobs ("There are stopped jobs."); at the second it sends SIGTERM and SIGCONT to them, this one among them`;
    const unless =
      hup === 'ignored'
        ? `it was removed from ${name}'s job table with \`disown\` (not visible in /proc): then only the kernel's SIGHUP to its orphaned group reaches it, which it ignores`
        : null;
    return termOutcome(dispositionOf(snap.status, SIGNALS.SIGTERM), chain, name, unless);
  }
  const refused = rules.refusal ? ` refuses the first \`exit\` ("${rules.refusal.text}"), then` : '';
  if (v.jobOf?.pid === shell.pid && rules.stoppedAtExit === 'cont-hup') {
    const chain = `${name}${refused} sends SIGCONT and SIGHUP to its jobs as it exits, this one among them`;
    return hupOutcome(hup, chain, name, hup === 'ignored' ? null : unlessLeftTable(rules, shell));
  }
  if (v.orphanedOnLeaderExit) {
    const chain =
      v.jobOf?.pid === shell.pid
        ? `It is a stopped job of ${name}, which${refused} exits without signalling its stopped jobs: its process group is orphaned with a stopped member, and the kernel sends the group SIGHUP and SIGCONT`
        : `It is stopped and in no job of ${name}: when ${rules.name} exits, its process group is orphaned with a stopped member, and the kernel sends the group SIGHUP and SIGCONT`;
    return hupOutcome(hup, chain, 'the kernel', null);
  }
  return null;
}

/** A running job of the exiting shell: bash sends it nothing (unless huponexit), zsh (HUP) and fish SIGHUP. */
function runningJob(snap: Snapshot, v: SessionView, shell: ShellInfo, rules: JobRules): FateEntry {
  const hup = dispositionOf(snap.status, SIGNALS.SIGHUP);
  const io = deadTerminalIo(v, 'the login ends');
  const name = processLabel(shell);
  if (rules.hupsOnExit) {
    const refused = rules.refusal?.running
      ? ` refuses the first \`exit\` while it has running jobs ("${rules.refusal.text}"); at the second it`
      : '';
    const option = rules.decidedBy
      ? ` (${rules.decidedBy})`
      : rules.name === 'zsh'
        ? ' (its HUP option, on by default)'
        : '';
    const chain = `${name}${refused} sends SIGHUP${option} to its jobs as it exits, this one among them`;
    const unless =
      hup === 'ignored'
        ? null
        : rules.name === 'bash'
          ? `it was removed from ${name}'s job table with \`disown\` (not visible in /proc)`
          : unlessLeftTable(rules, shell);
    return hupOutcome(hup, chain, name, eitherOf(unless, rules.rcDoubt));
  }
  if (rules.name === 'bash') {
    const why = rules.decidedBy
      ? `${name} sends its jobs no signal when it exits (${rules.decidedBy}), and the kernel then signals only the terminal's foreground process group, which is bash's own.`
      : `${name} sends its jobs no signal when it exits (huponexit is off by default), and the kernel then signals only the terminal's foreground process group, which is bash's own.`;
    return entry(
      'lives',
      why,
      null,
      eitherOf(hup === 'ignored' ? null : huponexit(shell), hup === 'ignored' ? null : rules.rcDoubt, io),
    );
  }
  const how = rules.decidedBy ? ` (${rules.decidedBy})` : '';
  const why = `${name} sends its jobs no signal when it exits${how}, and the kernel then signals only the terminal's foreground process group, which is ${rules.name}'s own.`;
  return entry('lives', why, null, eitherOf(hup === 'ignored' ? null : rules.rcDoubt, io));
}

export function shellExitFate(snap: Snapshot, v: SessionView): FateEntry {
  const outside = outsideTheLogin(v, snap);
  if (outside) return outside;
  const shell = v.leaderShell!;
  const rules = jobRules(shell, snap.shellRc)!;
  const hup = dispositionOf(snap.status, SIGNALS.SIGHUP);
  const io = deadTerminalIo(v, 'the login ends');
  if (v.inLeaderGroup) {
    return hupOutcome(
      hup,
      `When ${processLabel(shell)}, the controlling process, exits, the kernel sends SIGHUP to the terminal's foreground process group, which is ${rules.name}'s own and holds this process (job control is off)`,
      'the kernel',
      null,
    );
  }
  if (v.foreground) {
    return entry(
      'lives',
      `It holds the terminal's foreground, so ${processLabel(shell)} reads no \`exit\` until it ends or is stopped: what is typed goes to it.`,
    );
  }
  const stopped = stoppedJob(snap, v, shell, rules);
  if (stopped) return stopped;
  if (v.jobOf?.pid === shell.pid) return runningJob(snap, v, shell, rules);
  return entry(
    'lives',
    `It is in no job of ${processLabel(shell)}, and the kernel signals only the terminal's foreground process group, which is ${rules.name}'s own, when ${rules.name} exits.`,
    null,
    io,
  );
}
