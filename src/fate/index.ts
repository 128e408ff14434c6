/**
 * The fate model: what each event (docs/fate.md) does to a process, decided
 * from its snapshot alone. The report's `fate`, the checks' details about
 * signals, startedAs and the remediation all read their story from here.
 */
import type { ProgramKind } from '../classify.js';
import type { Snapshot } from '../snapshot/types.js';
import { crashFate } from './crash.js';
import { hangupFate } from './hangup.js';
import { logoutFate } from './logout.js';
import { sessionView, type SessionView } from './session.js';
import { shellExitFate } from './shell-exit.js';
import { stopFate } from './stop.js';
import type { Fate } from './types.js';

export type { Fate } from './types.js';
export type { SessionView } from './session.js';

export interface FateResult {
  fate: Fate;
  session: SessionView;
}

export function computeFate(snap: Snapshot, parentKind: ProgramKind | null): FateResult {
  const session = sessionView(snap);
  return {
    session,
    fate: {
      hangup: hangupFate(snap, session),
      'shell-exit': shellExitFate(snap, session),
      logout: logoutFate(snap, snap.scopeUser ? (snap.scopeUser.name ?? String(snap.scopeUser.uid)) : null),
      stop: stopFate(snap),
      crash: crashFate(snap, parentKind),
    },
  };
}
