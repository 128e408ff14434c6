/**
 * The verdict rules (docs/checklist.md "Statuses and verdict") and the one
 * answer to "does this row count against the process?", used by the exit
 * code and by every renderer.
 */
import type { CheckResult, Report } from './audit-types.js';
import type { FateEvent, Status, Verdict } from './core/types.js';
import { outcomeClause } from './fate/clauses.js';

export type FailOn = 'fail' | 'warn';

const STATUS_ORDER: Record<Status, number> = { fail: 0, unknown: 1, warn: 2, info: 3, pass: 4, skip: 5 };
const VERDICT_ORDER: Record<Verdict, number> = {
  'not-a-daemon': 0,
  inconclusive: 1,
  'daemon-with-warnings': 2,
  daemon: 3,
};

/** Worst first: fail, unknown, warn, info, pass, skip. */
export function statusRank(s: Status): number {
  return STATUS_ORDER[s];
}

/** Worst first: not-a-daemon, inconclusive, daemon-with-warnings, daemon. */
export function verdictRank(v: Verdict): number {
  return VERDICT_ORDER[v];
}

/**
 * The verdict from the rows. A critical check fails only where its risk can
 * happen here: the checks of a tie to a login's terminal (no-controlling-tty,
 * own-session, detached-parent) warn when the fate model says the events
 * they guard against spare the process (checks/check.ts hangupSpared), so a
 * nohup job that outlives its login is a daemon with warnings, not "not a
 * daemon" beside a fate that says it lives.
 */
export function computeVerdict(rows: readonly CheckResult[]): Verdict {
  if (rows.some((r) => r.severity === 'critical' && r.status === 'fail')) return 'not-a-daemon';
  if (rows.some((r) => r.severity === 'critical' && r.status === 'unknown')) return 'inconclusive';
  if (rows.some((r) => r.status === 'warn' || r.status === 'fail')) return 'daemon-with-warnings';
  return 'daemon';
}

/**
 * Whether a row counts against the process: a failure, a warning under
 * --fail-on warn, or critical evidence that could not be read.
 */
export function isShortfall(row: Pick<CheckResult, 'status' | 'severity'>, failOn: FailOn): boolean {
  if (row.status === 'fail') return true;
  if (row.status === 'warn') return failOn === 'warn';
  return row.status === 'unknown' && row.severity === 'critical';
}

/** A problem worth listing in a scan row: a miss, or evidence missing for a check that matters. */
export function isProblem(row: Pick<CheckResult, 'status' | 'severity'>): boolean {
  return row.status === 'fail' || row.status === 'warn' || (row.status === 'unknown' && row.severity !== 'info');
}

/** Whether a report falls short of the bar (exit 1): not-a-daemon, a required check, or warnings under --fail-on warn. */
export function fallsShort(r: Report, failOn: FailOn): boolean {
  return (
    r.verdict === 'not-a-daemon' ||
    r.requireFailed.length > 0 ||
    (failOn === 'warn' && r.verdict === 'daemon-with-warnings')
  );
}

/** Exit codes (docs/interface.md): 1 when any report falls short, else 3 when any is inconclusive, else 0. */
export function exitCodeFor(reports: readonly Report[], failOn: FailOn = 'fail'): number {
  if (reports.some((r) => fallsShort(r, failOn))) return 1;
  if (reports.some((r) => r.verdict === 'inconclusive')) return 3;
  return 0;
}

const LOGIN_EVENTS: readonly FateEvent[] = ['hangup', 'shell-exit', 'logout'];

const idsOf = (r: Report, pred: (c: CheckResult) => boolean) =>
  r.checks
    .filter(pred)
    .map((c) => c.id)
    .join(', ');

/**
 * The verdict's reason, in one line: for a process that is not a daemon, the
 * first event of a login's end that ends it (else the critical checks that
 * failed); the unreadable evidence of an inconclusive one; the warnings.
 */
export function verdictReason(r: Report): string {
  switch (r.verdict) {
    case 'not-a-daemon': {
      const ev = LOGIN_EVENTS.find((e) => r.fate[e].outcome === 'dies');
      const failed = idsOf(r, (c) => c.severity === 'critical' && c.status === 'fail');
      return ev ? `${outcomeClause(ev, r.fate[ev])}; ${failed} failed` : `${failed} failed`;
    }
    case 'inconclusive':
      return `${idsOf(r, (c) => c.severity === 'critical' && c.status === 'unknown')} could not be read`;
    case 'daemon-with-warnings': {
      const n = r.checks.filter((c) => c.status === 'warn' || c.status === 'fail').length;
      const warnings = `${n} warning${n === 1 ? '' : 's'}`;
      const tied = r.checks.some((c) => c.severity === 'critical' && c.status === 'warn');
      if (!tied) return `${warnings}: ${idsOf(r, (c) => c.status === 'warn' || c.status === 'fail')}`;
      const outlives = LOGIN_EVENTS.every((e) => r.fate[e].outcome === 'lives');
      return `${outlives ? 'it outlives the end of its login, but stays' : 'it is still'} in the login's session (${warnings})`;
    }
    default:
      return 'no check failed or warned';
  }
}
