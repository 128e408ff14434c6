/**
 * The fate model: what each event (docs/fate.md) does to a process, decided
 * from its snapshot alone. The report's `fate`, the checks' details about
 * signals, startedAs and the remediation all read their story from here.
 */
import { processLabel } from '../core/words.js';
import type { ProgramKind } from '../classify.js';
import type { Snapshot } from '../snapshot/types.js';
import { crashFate } from './crash.js';
import { hangupFate } from './hangup.js';
import { loginScopeOf, logoutFate } from './logout.js';
import { sessionView, type SessionView } from './session.js';
import { shellExitFate } from './shell-exit.js';
import { stopFate } from './stop.js';
import { eitherOf, entry } from './types.js';
import type { Fate, FateEntry } from '../core/types.js';

export type { Fate } from '../core/types.js';
export type { SessionView } from './session.js';

export interface FateResult {
  fate: Fate;
  session: SessionView;
}

// uid 0 is root by definition, even when no name could be read for it (logind's lists name users).
const userOf = (u: Snapshot['scopeUser']): string | null =>
  u ? (u.name ?? (u.uid === 0 ? 'root' : String(u.uid))) : null;

export function computeFate(snap: Snapshot, parentKind: ProgramKind | null): FateResult {
  const session = sessionView(snap);
  return {
    session,
    fate: {
      hangup: hangupFate(snap, session),
      'shell-exit': shellExitFate(snap, session),
      logout: paneLogout(snap, session) ?? logoutFate(snap, userOf(snap.scopeUser)),
      stop: stopFate(snap),
      crash: crashFate(snap, parentKind),
    },
  };
}

/**
 * A multiplexer pane outside any login scope whose server is in one: when
 * logind ends the server, the pane's pty goes with it and the kernel hangs
 * the pane's session up, as a closed login terminal would (measured with
 * tmux). null: the pane's own cgroup decides.
 */
function paneLogout(snap: Snapshot, session: SessionView): FateEntry | null {
  const m = session.multiplexer;
  if (!m || !snap.multiplexerCgroup || !snap.cgroup || loginScopeOf(snap)) return null;
  const serverSnap: Snapshot = { ...snap, cgroup: snap.multiplexerCgroup };
  const scope = loginScopeOf(serverSnap);
  if (!scope) return null;
  const server = logoutFate(serverSnap, userOf(snap.multiplexerScopeUser));
  const name = processLabel(m);
  if (server.outcome !== 'dies') {
    return server.outcome === 'unknown'
      ? entry(
          'unknown',
          `Its terminal ${session.tty} is a pty of ${name}, which is in ${scope.scope}; what logind does to that scope is unknown: ${server.why}`,
        )
      : null;
  }
  const h = hangupFate(snap, { ...session, multiplexer: null });
  const chain = `Its terminal ${session.tty} is a pty of ${name}, which is in ${scope.scope}: when logind ends that scope, the server dies and the kernel hangs its ptys up`;
  return entry(h.outcome, `${chain}. ${h.why}`, h.by ?? null, eitherOf(server.unless, h.unless));
}
