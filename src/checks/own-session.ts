import { defineCheck, unknownBecause, type CheckOutcome } from './check.js';
import { processLabel } from '../core/words.js';
import type { CheckContext } from './check.js';
import { outcomeClause } from '../fate/clauses.js';
import type { Snapshot } from '../snapshot/types.js';

const EXPECTED = "own session, or a daemon's";

/** What cron does with a job's output, from where its stdout actually leads. */
function cronOutput(snap: Snapshot, cron: string): string {
  const out = (snap.fds ?? []).find((f) => f.fd === 1);
  if (out?.type === 'pipe')
    return `${cron} waits for end of file on the output pipe, then mails the output: a background child that keeps that pipe open keeps it waiting`;
  if (out?.deleted)
    return `${cron} collects the job's output in a temporary file (${out.target}) and mails it when the job's shell exits`;
  return `${cron} mails what the job writes`;
}

/** A session without a terminal that is still someone's: a cron or at job, a script, a CI step. */
function keptSession(snap: Snapshot, ctx: CheckContext): CheckOutcome | null {
  const v = ctx.session;
  const sid = snap.stat.session;
  const keeper = v.keeper ? processLabel(v.keeper) : `session ${sid}`;
  const observed = `session ${sid}${snap.sessionLeader ? ` led by ${processLabel(snap.sessionLeader)}` : ''}`;
  switch (v.kind) {
    case 'cron':
      return {
        status: 'warn',
        observed,
        expected: EXPECTED,
        detail: `it runs in a cron job's session, which has no terminal: ${cronOutput(snap, keeper)}`,
      };
    case 'at':
      return {
        status: 'warn',
        observed,
        expected: EXPECTED,
        detail: `it runs in an at job's session under ${keeper}, which has no terminal; atd mails what the job writes when it ends`,
      };
    case 'script':
      return {
        status: 'warn',
        observed,
        expected: EXPECTED,
        detail: `it is in the session of the script ${keeper}, which has no terminal; the script neither waits for nor signals its background jobs, which are orphaned when it ends`,
      };
    case 'job-step':
      return {
        status: 'fail',
        observed,
        expected: EXPECTED,
        detail: `it is in the session of the job step ${keeper}: a CI runner kills the step's processes when the step ends`,
      };
    default:
      return null;
  }
}

export const ownSession = defineCheck({
  id: 'own-session',
  title: 'Outside any login session',
  passWhen:
    'not in a terminal login session: leads its own, or the leader is gone or is itself a daemon; a cron, at or script session without a terminal warns',
  severity: 'critical',
  rationale:
    "A session with a terminal is a login's: the terminal's hangup goes to its leader, and an interactive shell passes it on to its jobs. A session without one is safe from hangups but may still belong to something that waits for its output or kills it at the end of a step: cron, atd, a script, a CI runner.",
  evidence:
    "/proc/PID/stat field 6 (session) and 7 (tty_nr); the session leader's stat, comm and argv, and its parent (cron, a multiplexer).",
  fix: 'Call setsid() in a forked child (or start it with daemon-check run), so it is in a session of its own with no terminal.',
  needs: ['stat', 'sessionLeader', 'parent', 'ancestors'],
  evaluate(snap, ctx) {
    const sid = snap.stat.session;
    const v = ctx.session;
    if (v.kind === 'own')
      return {
        status: 'pass',
        observed: `leads session ${sid}`,
        expected: EXPECTED,
        detail: 'it is the leader of its own session',
      };
    const leader = snap.sessionLeader;
    if (v.kind === 'login-terminal' || v.kind === 'multiplexer') {
      const who = leader ? ` led by ${processLabel(leader)}` : '';
      const pane = v.multiplexer ? `, a pty of ${processLabel(v.multiplexer)}` : '';
      const on = v.tty ? ` on ${v.tty}` : '';
      const what = v.tty
        ? `the terminal ${v.tty}${pane}`
        : `a terminal, which its leader ${leader ? processLabel(leader) : ''} owns`;
      return {
        status: 'fail',
        observed: `session ${sid}${who}${on}`,
        expected: 'a session with no terminal',
        detail: `the session has ${what}, and it stays in that session as long as it runs: ${outcomeClause('hangup', ctx.fate.hangup)}`,
      };
    }
    if (v.kind === 'unknown') return unknownBecause(snap, 'sessionLeader', EXPECTED);
    const kept = keptSession(snap, ctx);
    if (kept) return kept;
    if (!leader) {
      const orphan = v.kind === 'orphaned' ? ' (it was a job in a group of its own; its shell is gone)' : '';
      return {
        status: 'pass',
        observed: `session ${sid}, leader gone`,
        expected: EXPECTED,
        detail: `the session's leader has exited and the session has no terminal${orphan}: no hangup can reach it`,
      };
    }
    return {
      status: 'pass',
      observed: `session ${sid} led by ${processLabel(leader)}`,
      expected: EXPECTED,
      detail: `the session leader ${processLabel(leader)} is itself detached (no terminal, not a shell)`,
    };
  },
});
