/**
 * A check is metadata plus one pure function (ESLint's rule shape). `explain`,
 * the table, JUnit and the docs all read the same metadata.
 */
import type { CheckContext } from '../context.js';
import type { Snapshot } from '../snapshot.js';
import type { CheckId, Severity, Status } from '../types.js';
import { describeErrno } from '../errors.js';

export interface CheckOutcome {
  status: Status;
  observed: string;
  expected: string;
  detail: string;
  /** Some rows change weight with the options (single-instance with --pidfile). */
  severity?: Severity;
}

export interface Check {
  id: CheckId;
  title: string;
  severity: Severity;
  /** Why the rule exists. */
  rationale: string;
  /** Where in /proc the evidence comes from. */
  evidence: string;
  /** What to change when it does not pass. */
  fix: string;
  /** Skipped under the managed profile. */
  sysvOnly?: boolean;
  evaluate(snap: Snapshot, ctx: CheckContext): CheckOutcome;
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

/** The status a miss gets at a given severity. */
export function missStatus(severity: Severity): Status {
  return severity === 'critical' ? 'fail' : severity === 'warning' ? 'warn' : 'info';
}
