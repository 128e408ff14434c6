import { defineCheck, unknownBecause, type Said } from './check.js';
import { SIGNALS, hasSignal, signalList } from '../proc/signals.js';
import { isForwardingInit, programKind } from '../classify.js';
import { waitsForSignal } from '../fate/disposition.js';
import { isNamespaceInit } from '../proc/status.js';
import type { Snapshot } from '../snapshot/types.js';

/**
 * A blocked mask is no fault where the process takes those signals itself
 * (sigtimedwait, sigwaitinfo, signalfd: tini) or is an init or supervisor,
 * which block signals around their own loops (runsvdir blocks SIGCHLD).
 */
function blockedByDesign(snap: Snapshot, mask: bigint): string | null {
  for (let signo = 1; signo <= 64; signo++) {
    if (!hasSignal(mask, signo)) continue;
    const waits = waitsForSignal(snap, signo);
    if (waits) return waits;
  }
  if (snap.pid === 1 || isNamespaceInit(snap) || isForwardingInit(snap.stat.comm, snap.cmdline))
    return 'it is an init, which takes signals on its own terms';
  if (programKind(snap.pid, snap.stat.comm, snap.cmdline) === 'supervisor')
    return 'it is a supervisor, which blocks signals around its own loop';
  return null;
}

const MESSAGES = {
  noneBlocked: 'no blocked signals{{hup}}',
  byDesign: 'blocked: {{blocked}}, by design: {{why}}{{hup}}',
  problems: '{{problems}}{{hup}}',
  blockedSignals: 'blocked: {{signals}}',
  ignoredSignals: 'ignored: {{signals}}',
  hupIgnored: ' (SIGHUP ignored: a sign of nohup)',
} as const;

type Message = Said<typeof MESSAGES>;

export const signalMask = defineCheck({
  id: 'signal-mask',
  title: 'No inherited blocked or ignored signals',
  passWhen: 'nothing blocked; SIGTERM/SIGINT not ignored',
  severity: 'warning',
  rationale:
    'The signal mask and ignored dispositions survive fork and exec. A launcher that blocked signals, or ignored SIGTERM or SIGINT, hands on a daemon that `kill` cannot stop cleanly. An ignored SIGHUP is what `nohup` leaves behind. A process that blocks signals to take them synchronously (sigtimedwait, signalfd), or an init or supervisor, does so by design.',
  evidence:
    '/proc/PID/status SigBlk and SigIgn (hex masks, bit N-1 = signal N); wchan, syscall and signalfd fds for how it waits.',
  fix: 'Reset every disposition to SIG_DFL and unblock all signals before exec (sigprocmask(SIG_SETMASK, empty)); daemon-check run does.',
  needs: ['status', 'fds'],
  messages: MESSAGES,
  evaluate(snap) {
    const st = snap.status;
    if (!st || st.sigBlk === null || st.sigIgn === null)
      return unknownBecause(snap, 'status', 'nothing blocked; SIGTERM/SIGINT not ignored');
    const blocked = signalList(st.sigBlk);
    const bad: Message[] = [];
    const byDesign = blocked.length ? blockedByDesign(snap, st.sigBlk) : null;
    if (blocked.length && !byDesign) bad.push({ messageId: 'blockedSignals', data: { signals: blocked.join(' ') } });
    const ignoredBad = [SIGNALS.SIGTERM, SIGNALS.SIGINT]
      .filter((s) => hasSignal(st.sigIgn!, s))
      .map((s) => (s === 15 ? 'SIGTERM' : 'SIGINT'));
    if (ignoredBad.length) bad.push({ messageId: 'ignoredSignals', data: { signals: ignoredBad.join(' ') } });
    // An optional clause: a list of zero or one message.
    const hup: Message[] = hasSignal(st.sigIgn, SIGNALS.SIGHUP) ? [{ messageId: 'hupIgnored' }] : [];
    const observed = `SigBlk ${st.sigBlk.toString(16)} SigIgn ${st.sigIgn.toString(16)}`;
    if (bad.length === 0) {
      const said = byDesign
        ? ({ messageId: 'byDesign', data: { blocked: blocked.join(' '), why: byDesign, hup } } as const)
        : ({ messageId: 'noneBlocked', data: { hup } } as const);
      return { status: 'pass', observed, expected: 'nothing blocked; SIGTERM/SIGINT not ignored', ...said };
    }
    return {
      status: 'warn',
      observed,
      expected: 'nothing blocked; SIGTERM/SIGINT not ignored',
      messageId: 'problems',
      data: { problems: bad, hup },
    };
  },
});
