import { defineCheck, unknownBecause } from './check.js';
import { SIGNALS, hasSignal } from '../proc/signals.js';

export const handlesSigterm = defineCheck({
  id: 'handles-sigterm',
  title: 'Catches SIGTERM for a clean shutdown',
  passWhen: 'SIGTERM is caught',
  severity: 'info',
  rationale:
    'SIGTERM is how init scripts, `kill` and service managers ask a daemon to stop. With the default action it dies on the spot and leaves its pidfile, sockets and half-written state behind.',
  evidence: '/proc/PID/status SigCgt.',
  fix: 'Install a SIGTERM handler that removes the pidfile, closes listeners and exits.',
  needs: ['status'],
  evaluate(snap) {
    const st = snap.status;
    if (!st || st.sigCgt === null) return unknownBecause(snap, 'status', 'SIGTERM caught');
    if (hasSignal(st.sigCgt, SIGNALS.SIGTERM)) {
      return { status: 'pass', observed: 'SIGTERM caught', expected: 'SIGTERM caught', detail: 'a SIGTERM handler is installed' };
    }
    const ign = st.sigIgn !== null && hasSignal(st.sigIgn, SIGNALS.SIGTERM);
    return {
      status: 'info',
      observed: ign ? 'SIGTERM ignored' : 'default action',
      expected: 'SIGTERM caught',
      detail: ign ? 'SIGTERM is ignored: it cannot be stopped politely' : 'SIGTERM kills it without any cleanup (pidfile and sockets are left behind)',
    };
  },
});
