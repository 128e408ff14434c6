/**
 * For a process tied to a login whose output goes to a file: where, which
 * the operator must keep (or rotate) when it is started properly. What the login's end does to it is
 * the fate model's to say ("What ends it"), never repeated here.
 */
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

/** Only output to a file is told: a terminal as stdout is stdio-detached's finding, said there. */
export function story(snap: Snapshot, startedAs: StartedAs): string | null {
  const toFile = (snap.fds ?? []).some((f) => (f.fd === 1 || f.fd === 2) && f.type === 'file');
  return TIED.has(startedAs.kind) && toFile ? outputText(snap) : null;
}
