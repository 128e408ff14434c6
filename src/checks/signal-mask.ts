import { defineCheck, unknownBecause } from './check.js';
import { SIGNALS, hasSignal, signalList } from '../proc/signals.js';

export const signalMask = defineCheck({
  id: 'signal-mask',
  title: 'No inherited blocked or ignored signals',
  passWhen: 'nothing blocked; SIGTERM/SIGINT not ignored',
  severity: 'warning',
  rationale:
    'The signal mask and ignored dispositions survive fork and exec. A launcher that blocked signals, or ignored SIGTERM or SIGINT, hands on a daemon that `kill` cannot stop cleanly. An ignored SIGHUP is what `nohup` leaves behind.',
  evidence: '/proc/PID/status SigBlk and SigIgn (hex masks, bit N-1 = signal N).',
  fix: 'Reset every disposition to SIG_DFL and unblock all signals before exec (sigprocmask(SIG_SETMASK, empty)); daemon-check run does.',
  needs: ['status'],
  evaluate(snap) {
    const st = snap.status;
    if (!st || st.sigBlk === null || st.sigIgn === null) return unknownBecause(snap, 'status', 'nothing blocked; SIGTERM/SIGINT not ignored');
    const blocked = signalList(st.sigBlk);
    const bad: string[] = [];
    if (blocked.length) bad.push(`blocked: ${blocked.join(' ')}`);
    const ignoredBad = [SIGNALS.SIGTERM, SIGNALS.SIGINT].filter((s) => hasSignal(st.sigIgn!, s)).map((s) => (s === 15 ? 'SIGTERM' : 'SIGINT'));
    if (ignoredBad.length) bad.push(`ignored: ${ignoredBad.join(' ')}`);
    const hup = hasSignal(st.sigIgn, SIGNALS.SIGHUP) ? ' (SIGHUP ignored: a sign of nohup)' : '';
    const observed = `SigBlk ${st.sigBlk.toString(16)} SigIgn ${st.sigIgn.toString(16)}`;
    if (bad.length === 0) {
      return { status: 'pass', observed, expected: 'nothing blocked; SIGTERM/SIGINT not ignored', detail: `no blocked signals${hup}` };
    }
    return { status: 'warn', observed, expected: 'nothing blocked; SIGTERM/SIGINT not ignored', detail: bad.join('; ') + hup };
  },
});
