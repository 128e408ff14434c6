import { defineCheck, unknownBecause } from './check.js';
import { dispositionOf, waitsForSignal } from '../fate/disposition.js';
import { SIGNALS } from '../proc/signals.js';

const EXPECTED = 'SIGTERM caught or waited for';

export const handlesSigterm = defineCheck({
  id: 'handles-sigterm',
  title: 'Handles SIGTERM for a clean shutdown',
  passWhen: 'SIGTERM is caught, or blocked and waited for (sigtimedwait, signalfd)',
  severity: 'info',
  rationale:
    'SIGTERM is how init scripts, `kill` and service managers ask a daemon to stop. With the default action it dies on the spot and leaves its pidfile, sockets and half-written state behind; as the init of a pid namespace, the kernel drops it and the process does not stop at all.',
  evidence:
    '/proc/PID/status SigCgt, SigBlk and SigIgn; wchan, syscall and signalfd fds for a process that takes signals synchronously.',
  fix: 'Install a SIGTERM handler that removes the pidfile, closes listeners and exits.',
  fixedBy: 'program',
  needs: ['status', 'fds'],
  messages: {
    caught: 'a SIGTERM handler is installed',
    waited: '{{waits}}: {{why}}',
    notHandled: '{{why}}',
  },
  evaluate(snap, ctx) {
    const term = dispositionOf(snap.status, SIGNALS.SIGTERM);
    if (term === 'unknown') return unknownBecause(snap, 'status', EXPECTED);
    const stop = ctx.fate.stop;
    if (term === 'caught')
      return {
        status: 'pass',
        observed: 'SIGTERM caught',
        expected: EXPECTED,
        messageId: 'caught',
      };
    const waits = waitsForSignal(snap, SIGNALS.SIGTERM);
    if (waits)
      return {
        status: 'pass',
        observed: 'SIGTERM waited for',
        expected: EXPECTED,
        messageId: 'waited',
        data: { waits, why: stop.why },
      };
    const observed = term === 'ignored' ? 'SIGTERM ignored' : term === 'blocked' ? 'SIGTERM blocked' : 'default action';
    return { status: 'info', observed, expected: EXPECTED, messageId: 'notHandled', data: { why: stop.why } };
  },
});
