/**
 * A check is metadata plus one pure function (ESLint's rule shape): `explain`,
 * the table, JUnit, the generated docs and scan all read the same metadata.
 * `needs` names the facts `evaluate` reads; scan uses it to tell which checks
 * the process table alone can decide.
 */
import type { ProgramKind } from '../classify.js';
import type { ProfileName, Severity, Status } from '../core/types.js';
import type { Fate, SessionView } from '../fate/index.js';
import type { PeerHolder, Snapshot } from '../snapshot/types.js';
import { describeErrno } from '../core/errors.js';

/**
 * Facts derived once from a Snapshot (deriveContext, src/context.ts) and shared
 * by the checks and the diagnosis.
 */
export interface CheckContext {
  /** What each event does to it (src/fate): every sentence about signals reads its story from here. */
  fate: Fate;
  session: SessionView;
  profile: ProfileName;
  options: CheckOptions;
  parentKind: ProgramKind | null;
  leaderKind: ProgramKind | null;
  /** The parent is itself detached (no tty, not a shell, not in a terminal session). */
  parentIsDaemon: boolean;
  /** The process's session belongs to no terminal login: it leads it, the leader is gone, or the leader is a daemon. */
  daemonSession: boolean;
  /** Whether a process holding one of our pipes/sockets is part of the daemon itself. */
  isInside(pid: number): boolean;
  /** A holder whose end of our stdio pipe is there by design: a log collector, a supervisor or init. */
  isLogReader(holder: PeerHolder): boolean;
}

/** The facts of a Snapshot a check can read. */
export type Fact =
  | 'stat'
  | 'status'
  | 'cmdline'
  | 'environ'
  | 'cwd'
  | 'mounts'
  | 'fds'
  | 'peers'
  | 'locks'
  | 'pidfile'
  | 'parent'
  | 'sessionLeader'
  | 'ancestors'
  | 'children'
  | 'sockets'
  | 'cgroup'
  | 'host';

/** What a table-scope snapshot (scan's first pass) reads: stat, status, cmdline and the table. */
export const TABLE_FACTS: ReadonlySet<Fact> = new Set<Fact>([
  'stat',
  'status',
  'cmdline',
  'parent',
  'sessionLeader',
  'ancestors',
  'children',
]);

/** The audit options a check reads (they change what passes); AuditOptions (src/audit-types.ts) extends them. */
export interface CheckOptions {
  expectUmask?: number;
  expectCwd?: string;
  pidfile?: string;
}

export type CheckOption = keyof CheckOptions;

export interface CheckOutcome {
  status: Status;
  observed: string;
  expected: string;
  detail: string;
  /** Some rows change weight with the options (single-instance with --pidfile). */
  severity?: Severity;
}

export interface Check<Id extends string = string> {
  id: Id;
  title: string;
  /** When it passes, in a few words (the README's table). */
  passWhen: string;
  severity: Severity;
  /** How the severity changes with the options, when it does. */
  severityNote?: string;
  /** Why the rule exists. */
  rationale: string;
  /** Where in /proc the evidence comes from. */
  evidence: string;
  /** What to change when it does not pass. */
  fix: string;
  /** Skipped under the managed profile. */
  sysvOnly?: boolean;
  /** Who fixes a miss: how the program is launched (the default; a manager's setting does it), or the program itself. */
  fixedBy?: 'launch' | 'program';
  needs: readonly Fact[];
  options?: readonly CheckOption[];
  evaluate(snap: Snapshot, ctx: CheckContext): CheckOutcome;
}

/** Keeps the id's literal type, so CheckId can be derived from the registry. */
export function defineCheck<const Id extends string>(check: Check<Id>): Check<Id> {
  return check;
}

/** The row for evidence that could not be read: never a pass. */
export function unknownBecause(snap: Snapshot, fact: string, expected: string): CheckOutcome {
  const errno = snap.unreadable[fact] ?? 'EIO';
  return {
    status: 'unknown',
    observed: `${fact} unreadable (${errno})`,
    expected,
    detail: `${fact}: ${describeErrno(errno, snap.auditorUid === 0)}`,
  };
}
