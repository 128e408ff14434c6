/**
 * A check is metadata plus one pure function (ESLint's rule shape): `explain`,
 * the table, JUnit, the generated docs and scan all read the same metadata.
 * `needs` names the facts `evaluate` reads; scan uses it to tell which checks
 * the process table alone can decide.
 */
import type { CheckContext } from '../context.js';
import type { Snapshot } from '../snapshot/types.js';
import type { Severity, Status } from '../types.js';
import { describeErrno } from '../errors.js';

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

/** The audit options a check reads (they change what passes). */
export type CheckOption = 'expectUmask' | 'expectCwd' | 'pidfile';

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
