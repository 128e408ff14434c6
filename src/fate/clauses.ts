/**
 * Short clauses for check details and diagnoses, taken from the fate entries,
 * so that no sentence outside the fate model can say more (or other) than it.
 */
import type { FateEntry, FateEvent } from '../core/types.js';

const EVENT_TEXT: Record<FateEvent, string> = {
  hangup: "a hangup of the login's terminal",
  'shell-exit': "the login shell's `exit`",
  logout: 'the end of the login session (logind)',
  stop: 'SIGTERM',
  crash: 'a crash',
};

/** "a hangup of the login's terminal ends it (bash (6264) sends SIGHUP)"; crash reads as "... nobody restarts it". */
export function outcomeClause(event: FateEvent, e: FateEntry): string {
  const what = EVENT_TEXT[event];
  if (event === 'crash') {
    if (e.outcome === 'lives') return `${e.by ?? 'its supervisor'} restarts it after a crash`;
    return e.outcome === 'dies'
      ? 'nothing restarts it after a crash'
      : 'whether anything restarts it after a crash is unknown';
  }
  if (e.outcome === 'unknown') return `what ${what} does to it is unknown`;
  const by = e.by ? ` (${e.by})` : '';
  return e.outcome === 'dies' ? `${what} ends it${by}` : `${what} does not end it`;
}
