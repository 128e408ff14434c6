/** For a process tied to a login: what the login's end does to it, told from the fate entries. */
import { processLabel } from '../core/words.js';
import { outcomeClause } from '../fate/clauses.js';
import type { Fate } from '../core/types.js';
import type { Snapshot } from '../snapshot/types.js';
import type { StartedAs } from '../core/types.js';

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

const TIED: ReadonlySet<StartedAs['kind']> = new Set([
  'nohup-job',
  'shell-job',
  'foreground',
  'orphaned-job',
  'multiplexer-pane',
]);

export function story(snap: Snapshot, fate: Fate, startedAs: StartedAs): string | null {
  const logout = fate.logout.outcome === 'dies' ? outcomeClause('logout', fate.logout) : null;
  if (!TIED.has(startedAs.kind)) return logout ? `Though detached, it is in a login's scope: ${logout}.` : null;
  const leader = snap.sessionLeader;
  const where = snap.tty ? ` on ${snap.tty}` : '';
  const of = leader ? `the session of ${processLabel(leader)}${where}` : `session ${snap.stat.session}${where}`;
  const clauses = [outcomeClause('hangup', fate.hangup), outcomeClause('shell-exit', fate['shell-exit'])];
  if (logout) clauses.push(logout);
  const out = outputText(snap);
  return `It is in ${of}: ${clauses.join('; ')}.${out ? ` ${out}` : ''}`;
}
