/**
 * What to do about it: the fix for each check that fell short, a command line
 * that would start the program properly, and, for a process tied to a login,
 * the story of what ends it, told from the fate model.
 */
import { checks } from '../checks/index.js';
import { processLabel } from '../context.js';
import { outcomeClause } from '../fate/clauses.js';
import type { Fate } from '../fate/types.js';
import type { Snapshot } from '../snapshot/types.js';
import type { CheckResult, ProfileName, StartedAs, Verdict } from '../types.js';
import { commandOf, shellQuote } from './command.js';

/** Where fds 1 and 2 lead, in words an operator can act on. */
function outputText(snap: Snapshot): string | null {
  if (!snap.fds) return null;
  const out = snap.fds.find((f) => f.fd === 1);
  const err = snap.fds.find((f) => f.fd === 2);
  const where = (f: typeof out): string => {
    if (!f) return 'nowhere (closed)';
    if (f.terminal) return `the terminal ${f.target}`;
    if (f.target === '/dev/null') return '/dev/null';
    if (f.type === 'file') return `${f.target}${f.deleted ? '' : ', which nothing rotates'}`;
    return f.target;
  };
  if (out && err && out.target === err.target) return `Its stdout and stderr go to ${where(out)}.`;
  return `Its stdout goes to ${where(out)}; its stderr to ${where(err)}.`;
}

const TIED: ReadonlySet<StartedAs['kind']> = new Set(['nohup-job', 'shell-job', 'foreground', 'orphaned-job', 'multiplexer-pane']);

/** For a process tied to a login: what the login's end does to it, from the fate entries. */
function story(snap: Snapshot, fate: Fate, startedAs: StartedAs): string | null {
  if (!TIED.has(startedAs.kind)) return null;
  const leader = snap.sessionLeader;
  const where = snap.tty ? ` on ${snap.tty}` : '';
  const of = leader ? `the session of ${processLabel(leader)}${where}` : `session ${snap.stat.session}${where}`;
  const clauses = [outcomeClause('hangup', fate.hangup), outcomeClause('shell-exit', fate['shell-exit'])];
  if (fate.logout.outcome !== 'lives') clauses.push(outcomeClause('logout', fate.logout));
  const out = outputText(snap);
  return `It is in ${of}: ${clauses.join('; ')}.${out ? ` ${out}` : ''}`;
}

/** A `daemon-check run` line that would start this program properly. */
function runCommandFor(snap: Snapshot): string | null {
  const cmd = commandOf(snap);
  if (!cmd) return null;
  const parts = ['daemon-check', 'run'];
  const cwd = snap.cwd && !snap.cwd.endsWith(' (deleted)') ? snap.cwd : null;
  // Relative paths in its arguments only work from where it was started.
  if (cwd && cwd !== '/' && cmd.argv.some((a, i) => (i === 0 ? a.includes('/') && !a.startsWith('/') : a.startsWith('./') || a.startsWith('../')))) {
    parts.push('--chdir', shellQuote(cwd));
  }
  const out = (snap.fds ?? []).find((f) => f.fd === 1 && f.type === 'file' && !f.deleted);
  const err = (snap.fds ?? []).find((f) => f.fd === 2 && f.type === 'file' && !f.deleted);
  if (out) parts.push('--stdout', shellQuote(out.target));
  if (err) parts.push('--stderr', shellQuote(err.target));
  const name = snap.stat.comm.replace(/[^A-Za-z0-9_.-]/g, '') || 'daemon';
  parts.push('--pidfile', shellQuote(`/run/${name}.pid`));
  parts.push('--', ...cmd.argv.map(shellQuote));
  return parts.join(' ') + (cmd.note ? ` (${cmd.note})` : '');
}

function fixesFor(rows: CheckResult[]): string[] {
  return rows.filter((r) => r.status === 'fail' || r.status === 'warn').flatMap((r) => {
    const fix = checks.find((c) => c.id === r.id)?.fix;
    return fix ? [`${r.id}: ${fix}`] : [];
  });
}

export function remediation(snap: Snapshot, rows: CheckResult[], verdict: Verdict, startedAs: StartedAs, profile: ProfileName, fate: Fate): string[] {
  const lines: string[] = [];
  const told = story(snap, fate, startedAs);
  if (told) lines.push(told);
  lines.push(...fixesFor(rows));
  if (profile === 'managed') {
    const cmd = commandOf(snap);
    lines.push(
      'Under a service manager, stay in the foreground and let it do the daemon work: e.g. a systemd unit with [Service] Type=simple (or Type=notify), ExecStart=' +
        (cmd ? cmd.argv.map(shellQuote).join(' ') : snap.stat.comm) +
        `, UMask=0022, WorkingDirectory=/, and no self-daemonizing${cmd?.note ? ` (${cmd.note})` : ''}.`,
    );
    return lines;
  }
  const run = runCommandFor(snap);
  if (verdict !== 'daemon' && run) lines.push(`Start it properly with: ${run}`);
  if (lines.length === 0) lines.push('Nothing to fix: it meets every rule of the checklist.');
  return lines;
}
