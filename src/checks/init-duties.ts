import { processLabel } from '../core/words.js';
import { defineCheck, unknownBecause, type CheckOutcome } from './check.js';
import { isForwardingInit, programKind } from '../classify.js';
import { dispositionOf, waitsForSignal } from '../fate/disposition.js';
import { isNamespaceInit } from '../proc/status.js';
import { SIGNALS } from '../proc/signals.js';

const EXPECTED = 'SIGTERM handled, children reaped';

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
  evaluate(snap): CheckOutcome {
    if (!snap.status) return unknownBecause(snap, 'status', EXPECTED);
    if (!isNamespaceInit(snap)) {
      const ns = snap.status?.nspid;
      return {
        status: 'skip',
        observed: ns?.length ? `NSpid ${ns.join(' ')}` : 'not a namespace init',
        expected: EXPECTED,
        detail: 'only the init of a pid namespace has these duties',
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
        detail: `${snap.stat.comm} is an init or supervisor built for it: it handles SIGTERM and reaps orphans`,
      };
    }
    const problems: string[] = [];
    const term = dispositionOf(snap.status, SIGNALS.SIGTERM);
    const how =
      term === 'blocked'
        ? 'blocked with nothing waiting for it, so it stays pending'
        : `${term === 'ignored' ? 'ignored' : 'left at its default action'}, and a namespace's init gets no signal with the default action`;
    if (term !== 'caught' && !waitsForSignal(snap, SIGNALS.SIGTERM))
      problems.push(`SIGTERM is ${how}: it does not stop on SIGTERM (docker stop waits its timeout and sends SIGKILL)`);
    const zombies = snap.children.filter((c) => c.state === 'Z');
    if (zombies.length)
      problems.push(
        `${zombies.length} zombie child(ren) not reaped (${zombies
          .slice(0, 5)
          .map((z) => processLabel(z))
          .join(', ')}): orphans of the namespace pile up here`,
      );
    if (problems.length === 0)
      return {
        status: 'pass',
        observed: `${ns}, SIGTERM ${term === 'caught' ? 'caught' : 'waited for'}`,
        expected: EXPECTED,
        detail: 'it handles SIGTERM and has no unreaped children',
      };
    return { status: 'warn', observed: `${ns}, SIGTERM ${term}`, expected: EXPECTED, detail: problems.join('; ') };
  },
});
