/**
 * Each observed ending held against the prediction that the fate model
 * (docs/fate.md) made for the same event when the watch began: a terminal's
 * hangup (told by the kernel or forwarded by the shell) or an orphaned
 * group is the `hangup` event, systemd stopping the scope is `logout` (or
 * `stop` where the model does not expect logind to kill it), a SIGTERM from
 * anyone is `stop`, a crash is `crash`. Pure: no I/O.
 */
import type { Fate, FateEvent, Outcome } from '../core/types.js';
import type { Cause } from './events.js';
import type { Ending } from './story.js';

export interface Prediction {
  event: FateEvent;
  outcome: Outcome;
}

export interface Judged extends Ending {
  predicted: Prediction | null;
  /** What became of it: dies (ended) or lives (still running when the watch ended). */
  observed: 'dies' | 'lives';
  /** Whether the prediction and the observation agree; null when there was none, or it cannot be told. */
  agrees: boolean | null;
}

/** The fate event a cause is an instance of, or null (an exit, a broken pipe, the OOM killer, a plain kill). */
function eventOf(cause: Cause, signal: string | null, fate: Fate): FateEvent | null {
  switch (cause) {
    case 'terminal-hangup':
    case 'shell-forwarded-hangup':
    case 'orphaned-group':
      return 'hangup';
    case 'scope-stop':
      // Where the model says logind kills it at logout, the scope stop is that logout; else a unit was stopped.
      return fate.logout.outcome === 'dies' ? 'logout' : 'stop';
    case 'crash':
      return 'crash';
    case 'killed':
      return signal === 'SIGTERM' ? 'stop' : null;
    default:
      return null;
  }
}

/**
 * The prediction that matches ENDING, and whether it held. An ending that is
 * an exit after a hangup or a caught SIGTERM is held against that event too:
 * "hangup: lives" for a program that then ended at its next write to the dead
 * terminal is a prediction that did not hold. A crash's prediction speaks of
 * a replacement (a supervisor starting it again), which the watch does not
 * see: only "dies" can be checked. For a process whose terminal was a
 * multiplexer's pane (PANE), a hangup seen is the pane's own terminal going
 * (its server or window ended), not the login's that `hangup` predicts: it is
 * held against no prediction.
 */
export function judge(ending: Ending, fate: Fate | null, pane = false): Judged {
  const observed = ending.ended === 'alive' ? 'lives' : 'dies';
  if (!fate) return { ...ending, predicted: null, observed, agrees: null };
  const ended = ending.ended !== 'alive' && ending.cause !== 'exit';
  const event = ended
    ? eventOf(ending.cause, ending.signal, fate)
    : ending.survived && eventOf(ending.survived.cause, ending.survived.signal, fate);
  if (!event || (pane && event === 'hangup')) return { ...ending, predicted: null, observed, agrees: null };
  const predicted = { event, outcome: fate[event].outcome };
  const agrees =
    predicted.outcome === 'unknown' || (event === 'crash' && predicted.outcome === 'lives')
      ? null
      : predicted.outcome === observed;
  return { ...ending, predicted, observed, agrees };
}
