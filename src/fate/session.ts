/**
 * The facts about a process's session that decide what a hangup or a shell's
 * exit does to it: whose terminal it has, which interactive shell's job table
 * holds its process group, whether it holds the terminal's foreground, and
 * whether it is stopped. Derived from the snapshot alone (no I/O).
 *
 * The rules (measured over real SSH logins; docs/fate.md): on a hangup the
 * kernel signals only the session's leader (tty_jobctrl.c,
 * tty_signal_session_leader); an interactive bash then sends SIGHUP to every
 * job in its table (jobs.c, hangup_all_jobs), SIGCONT too to stopped ones.
 */
import { isAtd, isCron, isMultiplexer, programKindOf } from '../classify.js';
import type { ProcStat } from '../proc/stat.js';
import { groupMembers } from '../snapshot/members.js';
import type { RelatedProcess, Snapshot } from '../snapshot/types.js';
import { shellInfo, type ShellInfo } from './shell.js';

/**
 * What kind of session it is in:
 * own: it leads it (no terminal); login-terminal / multiplexer: a terminal's;
 * cron / at: a job's of cron or atd; job-step: a CI job runner or build step
 * leads it or sits between it and the leader; script: a shell without a
 * terminal (a script) leads it or sits in between; daemon: a detached
 * daemon leads it, or the leader is gone and its group is the session's (the
 * double fork); orphaned: the leader is gone and it is in a group of its own
 * (a job whose shell died); unknown: the leader could not be read.
 */
export type SessionKind =
  'own' | 'login-terminal' | 'multiplexer' | 'cron' | 'at' | 'job-step' | 'script' | 'daemon' | 'orphaned' | 'unknown';

export interface SessionView {
  kind: SessionKind;
  /** The process that makes it that kind: cron or atd, the job runner, the script's shell. */
  keeper: { pid: number; comm: string } | null;
  /** Its session's terminal: its own controlling terminal, else its leader's (a process forked before the leader took one has none). */
  tty: string | null;
  /** The tmux or screen server whose pty that terminal is, when it is one. */
  multiplexer: { pid: number; comm: string } | null;
  /** The session's leader; null when it has exited (or is unreadable). */
  leader: RelatedProcess | null;
  /** The leader as a shell, when it is one. */
  leaderShell: ShellInfo | null;
  isLeader: boolean;
  /** The interactive shell whose job table holds its process group (disown is invisible in /proc). */
  jobOf: ShellInfo | null;
  /**
   * How a hangup reaches that shell: it is the session's leader (the kernel
   * signals it), it holds the terminal's foreground (the kernel signals that
   * group when the leader exits), or it is a job of a shell reached so; null
   * when it is not reached.
   */
  jobOfReached: 'leader' | 'foreground' | 'job' | null;
  /** It shares the leader shell's own process group (job control off: set +m). */
  inLeaderGroup: boolean;
  foreground: boolean;
  stopped: boolean;
  /** Its group will be orphaned when the leader exits (a parent in the session, in another group, goes away). */
  orphanedOnLeaderExit: boolean;
  /** Terminal devices on fds 0-2, by fd. */
  stdioTerminal: Array<{ fd: number; target: string }>;
}

function chainOf(snap: Snapshot): ProcStat[] {
  return [snap.stat, ...snap.ancestors];
}

/** The argv of a process the snapshot read in full (parent, leader), or null. */
function argvOf(snap: Snapshot, pid: number): string[] | null {
  for (const r of [snap.parent, snap.sessionLeader, snap.sessionLeaderParent]) if (r && r.pid === pid) return r.cmdline;
  return pid === snap.pid ? snap.cmdline : null;
}

function shellOf(snap: Snapshot, st: ProcStat): ShellInfo | null {
  return shellInfo(st.pid, st.comm, argvOf(snap, st.pid), st.ttyNr !== 0);
}

/**
 * The interactive shell that created the job holding `chain[0]`'s process
 * group: walking up, the first ancestor outside the group whose child is in
 * it. When the walk leaves the session or reaches init (the launching
 * subshell exited), another member of the group may still be the shell's
 * direct child: the job lives on in the table while one of its own processes does.
 */
function jobOwner(
  snap: Snapshot,
  chain: ProcStat[],
  leader: ProcStat | null,
): { owner: ShellInfo | null; index: number } {
  const g = chain[0]!.pgrp;
  for (let i = 1; i < chain.length; i++) {
    const a = chain[i]!;
    if (chain[i - 1]!.pgrp !== g || a.session !== chain[0]!.session) break;
    if (a.pgrp === g) continue;
    const sh = shellOf(snap, a);
    return { owner: sh?.interactive ? sh : null, index: i };
  }
  if (leader && groupMembers(snap.sessionMembers, g).some((m) => m.ppid === leader.pid && m.pid !== leader.pid)) {
    const sh = shellOf(snap, leader);
    return { owner: sh?.interactive ? sh : null, index: chain.findIndex((c) => c.pid === leader.pid) };
  }
  return { owner: null, index: -1 };
}

/** How a hangup reaches the job's owner (see SessionView.jobOfReached). */
function reached(
  snap: Snapshot,
  chain: ProcStat[],
  job: { owner: ShellInfo | null; index: number },
  leader: ProcStat | null,
  depth = 0,
): SessionView['jobOfReached'] {
  if (!leader || !job.owner) return null;
  if (job.owner.pid === leader.pid) return 'leader';
  if (job.index < 0 || depth > 8) return null;
  const owner = chain[job.index]!;
  const rest = chain.slice(job.index);
  // A shell reached so passes SIGHUP to its jobs; that path comes first.
  if (reached(snap, rest, jobOwner(snap, rest, leader), leader, depth + 1)) return 'job';
  // tty_jobctrl.c: when the leader exits after the hangup, the group that held the foreground gets SIGHUP.
  return owner.ttyNr !== 0 && owner.pgrp === owner.tpgid ? 'foreground' : null;
}

function multiplexerOf(snap: Snapshot): { pid: number; comm: string } | null {
  if (snap.stat.ttyNr === 0 && (snap.sessionLeader?.stat.ttyNr ?? 0) === 0) return null;
  const p = snap.sessionLeaderParent;
  if (p && isMultiplexer(p.comm, p.cmdline)) return { pid: p.pid, comm: p.comm };
  return sudoPty(snap);
}

/**
 * `sudo -b CMD` under use_pty (Debian's sudoers default): sudo's monitor
 * leads a session on a pty that sudo made, under the main sudo, which went to
 * the background (its parent is init). That pty is not the login's terminal:
 * its hangup does not reach the monitor or the command (measured over SSH),
 * as with a multiplexer's pane. In the foreground, the main sudo relays the
 * login's signals to the command: not this case.
 */
function sudoPty(snap: Snapshot): { pid: number; comm: string } | null {
  const leader = snap.sessionLeader;
  const p = snap.sessionLeaderParent;
  if (!leader || !p || leader.comm !== 'sudo' || p.comm !== 'sudo' || p.stat.ppid !== 1) return null;
  return leader.stat.ttyNr !== 0 && leader.stat.ttyNr !== p.stat.ttyNr ? { pid: p.pid, comm: p.comm } : null;
}

type Kind = Pick<SessionView, 'kind' | 'keeper'>;

const ref = (p: { pid: number; comm: string }) => ({ pid: p.pid, comm: p.comm });

/** Within its session, between it and the leader: the first job runner, else the first shell. */
function inBetween(snap: Snapshot): Kind | null {
  const sid = snap.stat.session;
  const inSession = snap.ancestors.filter((a) => a.session === sid);
  const runner = inSession.find((a) => programKindOf(a) === 'job-runner');
  if (runner) return { kind: 'job-step', keeper: ref(runner) };
  const shell = inSession.find((a) => a.pid !== sid && programKindOf(a) === 'shell');
  return shell ? { kind: 'script', keeper: ref(shell) } : null;
}

function terminalLessKind(snap: Snapshot, multiplexer: { pid: number; comm: string } | null): Kind {
  const leader = snap.sessionLeader;
  const lp = snap.sessionLeaderParent;
  // Its session has a terminal even if it has none itself: the leader's, or a terminal program leads it.
  if (leader && (leader.stat.ttyNr !== 0 || programKindOf(leader) === 'terminal')) {
    return multiplexer ? { kind: 'multiplexer', keeper: multiplexer } : { kind: 'login-terminal', keeper: ref(leader) };
  }
  // Debian's cron: the job's shell leads its session under a CRON child; others keep the job in the child's session.
  if (leader && lp && isCron(lp.comm, lp.cmdline)) return { kind: 'cron', keeper: ref(lp) };
  if (leader && isCron(leader.comm, leader.cmdline)) return { kind: 'cron', keeper: ref(leader) };
  // atd runs each job under a child of its own, in its own session.
  const atChild = snap.ancestors.find(
    (a, i) => isAtd(a.comm) && snap.ancestors[i + 1] !== undefined && isAtd(snap.ancestors[i + 1]!.comm),
  );
  if (atChild) return { kind: 'at', keeper: ref(atChild) };
  const between = inBetween(snap);
  if (!leader) {
    if (snap.unreadable.sessionLeader) return { kind: 'unknown', keeper: null };
    if (between?.kind === 'job-step') return between;
    return { kind: snap.stat.pgrp === snap.stat.session ? 'daemon' : 'orphaned', keeper: null };
  }
  const lk = programKindOf(leader);
  if (lk === 'job-runner') return { kind: 'job-step', keeper: ref(leader) };
  if (between) return between;
  if (lk === 'shell') return { kind: 'script', keeper: ref(leader) };
  return { kind: 'daemon', keeper: ref(leader) };
}

function kindOf(snap: Snapshot, multiplexer: { pid: number; comm: string } | null): Kind {
  if (snap.stat.ttyNr !== 0)
    return multiplexer ? { kind: 'multiplexer', keeper: multiplexer } : { kind: 'login-terminal', keeper: null };
  if (snap.stat.session === snap.pid) return { kind: 'own', keeper: null };
  return terminalLessKind(snap, multiplexer);
}

export function sessionView(snap: Snapshot): SessionView {
  const st = snap.stat;
  const leader = snap.sessionLeader;
  const isLeader = st.session === snap.pid;
  const chain = chainOf(snap);
  const leaderStat = leader?.stat ?? null;
  const job = isLeader ? { owner: null, index: -1 } : jobOwner(snap, chain, leaderStat);
  const leaderShell = leader ? shellInfo(leader.pid, leader.comm, leader.cmdline, leader.stat.ttyNr !== 0) : null;
  const inLeaderGroup =
    !isLeader && leaderStat !== null && st.pgrp === leaderStat.pgrp && (leaderShell?.interactive ?? false);
  const parentInSession =
    snap.parent !== null && snap.parent.stat.session === st.session && snap.parent.stat.pgrp !== st.pgrp;
  const multiplexer = multiplexerOf(snap);
  // Listed, not spread: a literal that starts with a spread is built one slow
  // property store at a time (~25 µs a process, measured in a scan).
  const { kind, keeper } = kindOf(snap, multiplexer);
  return {
    kind,
    keeper,
    tty: snap.tty ?? leader?.tty ?? null,
    multiplexer,
    leader,
    leaderShell,
    isLeader,
    jobOf: inLeaderGroup ? leaderShell : job.owner,
    jobOfReached: inLeaderGroup ? 'leader' : reached(snap, chain, job, leaderStat),
    inLeaderGroup,
    foreground: st.ttyNr !== 0 && st.tpgid === st.pgrp,
    stopped: st.state === 'T',
    orphanedOnLeaderExit: parentInSession && snap.parent!.pid === leader?.pid,
    stdioTerminal: (snap.fds ?? []).filter((f) => f.fd <= 2 && f.terminal).map((f) => ({ fd: f.fd, target: f.target })),
  };
}
