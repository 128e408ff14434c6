import { processLabel } from '../core/words.js';
import { defineCheck, unknownBecause, type CheckOutcome, type Said } from './check.js';
import { isForwardingInit, programKind } from '../classify.js';
import { dispositionOf, waitsForSignal } from '../fate/disposition.js';
import { isNamespaceInit } from '../proc/status.js';
import { SIGNALS } from '../proc/signals.js';

const EXPECTED = 'SIGTERM handled, children reaped';

const STOP = 'it does not stop on SIGTERM (docker stop waits its timeout and sends SIGKILL)';

const MESSAGES = {
  notNamespaceInit: 'only the init of a pid namespace has these duties',
  builtForIt: '{{comm}} is an init or supervisor built for it: it handles SIGTERM and reaps orphans',
  dutiesDone: 'it handles SIGTERM and has no unreaped children',
  problems: '{{problems}}',
  sigtermBlocked: `SIGTERM is blocked with nothing waiting for it, so it stays pending: ${STOP}`,
  sigtermIgnored: `SIGTERM is ignored, and a namespace's init gets no signal with the default action: ${STOP}`,
  sigtermDefault: `SIGTERM is left at its default action, and a namespace's init gets no signal with the default action: ${STOP}`,
  zombies: '{{count}} zombie child(ren) not reaped ({{zombies}}): orphans of the namespace pile up here',
} as const;

export const initDuties = defineCheck({
  id: 'init-duties',
  title: "Does the duties of a pid namespace's init",
  passWhen:
    'only for pid 1 of a pid namespace: SIGTERM is handled (caught, or blocked and waited for) and children are reaped',
  severity: 'warning',
  rationale:
    "The first process of a pid namespace (a container's pid 1) gets no signal whose action is the default: `docker stop` sends SIGTERM, which a plain program as pid 1 never sees, waits ten seconds and kills it. Orphans of the namespace are reparented to it, so an init that never waits collects zombies. tini, dumb-init, docker-init and catatonit do both jobs.",
  evidence:
    '/proc/PID/status NSpid (last value 1), SigCgt, SigBlk; wchan, syscall and signalfd fds; the zombies among its children.',
  fix: 'Run the program under a small init: `docker run --init`, or tini / dumb-init as the entrypoint; or catch SIGTERM and reap children in the program.',
  needs: ['status', 'children', 'fds'],
  messages: MESSAGES,
  evaluate(snap): CheckOutcome<typeof MESSAGES> {
    if (!snap.status) return unknownBecause(snap, 'status', EXPECTED);
    if (!isNamespaceInit(snap)) {
      const ns = snap.status?.nspid;
      return {
        status: 'skip',
        observed: ns?.length ? `NSpid ${ns.join(' ')}` : 'not a namespace init',
        expected: EXPECTED,
        messageId: 'notNamespaceInit',
      };
    }
    const ns = `NSpid ${snap.status!.nspid.join(' ')}`;
    if (
      isForwardingInit(snap.stat.comm, snap.cmdline) ||
      programKind(snap.pid, snap.stat.comm, snap.cmdline) === 'supervisor'
    ) {
      return {
        status: 'pass',
        observed: `${ns}, ${snap.stat.comm}`,
        expected: EXPECTED,
        messageId: 'builtForIt',
        data: { comm: snap.stat.comm },
      };
    }
    const problems: Said<typeof MESSAGES>[] = [];
    const term = dispositionOf(snap.status, SIGNALS.SIGTERM);
    if (term !== 'caught' && !waitsForSignal(snap, SIGNALS.SIGTERM))
      problems.push({
        messageId: term === 'blocked' ? 'sigtermBlocked' : term === 'ignored' ? 'sigtermIgnored' : 'sigtermDefault',
      });
    const zombies = snap.children.filter((c) => c.state === 'Z');
    if (zombies.length)
      problems.push({
        messageId: 'zombies',
        data: {
          count: zombies.length,
          zombies: zombies
            .slice(0, 5)
            .map((z) => processLabel(z))
            .join(', '),
        },
      });
    if (problems.length === 0)
      return {
        status: 'pass',
        observed: `${ns}, SIGTERM ${term === 'caught' ? 'caught' : 'waited for'}`,
        expected: EXPECTED,
        messageId: 'dutiesDone',
      };
    return {
      status: 'warn',
      observed: `${ns}, SIGTERM ${term}`,
      expected: EXPECTED,
      messageId: 'problems',
      data: { problems },
    };
  },
});
