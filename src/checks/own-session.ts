import { defineCheck, hangupSpared, unknownBecause, type CheckOutcome, type Said } from './check.js';
import { processLabel } from '../core/words.js';
import type { CheckContext } from './check.js';
import { outcomeClause } from '../fate/clauses.js';
import type { Snapshot } from '../snapshot/types.js';

const EXPECTED = "own session, or a daemon's";

const MESSAGES = {
  cronPipe:
    "it runs in a cron job's session, which has no terminal: {{cron}} waits for end of file on the output pipe, then mails the output: a background child that keeps that pipe open keeps it waiting",
  cronTempFile:
    "it runs in a cron job's session, which has no terminal: {{cron}} collects the job's output in a temporary file ({{file}}) and mails it when the job's shell exits",
  cronMail: "it runs in a cron job's session, which has no terminal: {{cron}} mails what the job writes",
  atJob:
    "it runs in an at job's session under {{keeper}}, which has no terminal; atd mails what the job writes when it ends",
  script:
    'it is in the session of the script {{keeper}}, which has no terminal; the script neither waits for nor signals its background jobs, which are orphaned when it ends',
  jobStep: "it is in the session of the job step {{keeper}}: a CI runner kills the step's processes when the step ends",
  leader: 'it is the leader of its own session',
  terminal: 'the session has the terminal {{tty}}, and it stays in that session as long as it runs: {{hangup}}',
  spared:
    "the session has the terminal {{tty}}, and it stays in that session as long as it runs: what is sent to the login's session (pkill -s {{sid}}) reaches it",
  pane: 'the session has the terminal {{tty}}, a pty of {{multiplexer}}, and it stays in that session as long as it runs: {{hangup}}',
  leaderTerminal:
    'the session has a terminal, which its leader {{leader}} owns, and it stays in that session as long as it runs: {{hangup}}',
  leaderGone: "the session's leader has exited and the session has no terminal: no hangup can reach it",
  orphanedJob:
    "the session's leader has exited and the session has no terminal (it was a job in a group of its own; its shell is gone): no hangup can reach it",
  detachedLeader: 'the session leader {{leader}} is itself detached (no terminal, not a shell)',
} as const;

type Outcome = CheckOutcome<typeof MESSAGES>;

/** What cron does with a job's output, from where its stdout actually leads. */
function cronOutput(snap: Snapshot, cron: string): Said<typeof MESSAGES> {
  const out = (snap.fds ?? []).find((f) => f.fd === 1);
  if (out?.type === 'pipe') return { messageId: 'cronPipe', data: { cron } };
  if (out?.deleted) return { messageId: 'cronTempFile', data: { cron, file: out.target } };
  return { messageId: 'cronMail', data: { cron } };
}

/** A session without a terminal that is still someone's: a cron or at job, a script, a CI step. */
function keptSession(snap: Snapshot, ctx: CheckContext): Outcome | null {
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
        ...cronOutput(snap, keeper),
      };
    case 'at':
      return {
        status: 'warn',
        observed,
        expected: EXPECTED,
        messageId: 'atJob',
        data: { keeper },
      };
    case 'script':
      return {
        status: 'warn',
        observed,
        expected: EXPECTED,
        messageId: 'script',
        data: { keeper },
      };
    case 'job-step':
      return {
        status: 'fail',
        observed,
        expected: EXPECTED,
        messageId: 'jobStep',
        data: { keeper },
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
  messages: MESSAGES,
  evaluate(snap, ctx): Outcome {
    const sid = snap.stat.session;
    const v = ctx.session;
    if (v.kind === 'own')
      return {
        status: 'pass',
        observed: `leads session ${sid}`,
        expected: EXPECTED,
        messageId: 'leader',
      };
    const leader = snap.sessionLeader;
    if (v.kind === 'login-terminal' || v.kind === 'multiplexer') {
      const who = leader ? ` led by ${processLabel(leader)}` : '';
      const on = v.tty ? ` on ${v.tty}` : '';
      const hangup = outcomeClause('hangup', ctx.fate.hangup);
      if (v.tty && hangupSpared(ctx))
        return {
          status: 'warn',
          observed: `session ${sid}${who}${on}`,
          expected: 'a session with no terminal',
          messageId: 'spared',
          data: { tty: v.tty, sid },
        };
      const what: Said<typeof MESSAGES> = !v.tty
        ? { messageId: 'leaderTerminal', data: { leader: leader ? processLabel(leader) : '', hangup } }
        : v.multiplexer
          ? { messageId: 'pane', data: { tty: v.tty, multiplexer: processLabel(v.multiplexer), hangup } }
          : { messageId: 'terminal', data: { tty: v.tty, hangup } };
      return {
        status: 'fail',
        observed: `session ${sid}${who}${on}`,
        expected: 'a session with no terminal',
        ...what,
      };
    }
    if (v.kind === 'unknown') return unknownBecause(snap, 'sessionLeader', EXPECTED);
    const kept = keptSession(snap, ctx);
    if (kept) return kept;
    if (!leader) {
      return {
        status: 'pass',
        observed: `session ${sid}, leader gone`,
        expected: EXPECTED,
        messageId: v.kind === 'orphaned' ? 'orphanedJob' : 'leaderGone',
      };
    }
    return {
      status: 'pass',
      observed: `session ${sid} led by ${processLabel(leader)}`,
      expected: EXPECTED,
      messageId: 'detachedLeader',
      data: { leader: processLabel(leader) },
    };
  },
});
