import { defineCheck, unknownBecause } from './check.js';
import { processLabel } from '../context.js';
import { isInteractiveKind } from '../classify.js';

export const ownSession = defineCheck({
  id: 'own-session',
  title: 'Outside any login session',
  passWhen: 'not in a terminal login session: leads its own, or the leader is gone or is itself a daemon',
  severity: 'critical',
  rationale:
    'When a terminal closes, the kernel sends SIGHUP to the session leader (the login shell), and bash passes it on to every job in its job table. A process that is still a member of that session, or of a session that has a terminal, goes down with it.',
  evidence: '/proc/PID/stat field 6 (session); the session leader\'s stat and comm.',
  fix: 'Call setsid() in a forked child (or start it with daemon-check run), so it is in a session of its own with no terminal.',
  needs: ['stat', 'sessionLeader', 'parent', 'ancestors'],
  evaluate(snap, ctx) {
    const sid = snap.stat.session;
    if (sid === snap.pid && snap.stat.ttyNr === 0) {
      return { status: 'pass', observed: `leads session ${sid}`, expected: 'own session', detail: 'it is the leader of its own session' };
    }
    const leader = snap.sessionLeader;
    if (snap.stat.ttyNr !== 0) {
      const who = leader ? ` led by ${processLabel(leader)}` : '';
      return {
        status: 'fail',
        observed: `session ${sid}${who} on ${snap.tty}`,
        expected: 'a session with no terminal',
        detail: `the session has the terminal ${snap.tty}: a hangup there reaches everything in it`,
      };
    }
    if (!leader) {
      // Its stat there but unreadable or garbled (EACCES under hidepid=1, a broken capture) is not "exited".
      if (snap.unreadable.sessionLeader) return unknownBecause(snap, 'sessionLeader', 'own session');
      return {
        status: 'pass',
        observed: `session ${sid}, leader gone`,
        expected: 'own session',
        detail: 'the session leader has exited and the session has no terminal: the double fork\'s signature',
      };
    }
    const kind = ctx.leaderKind;
    if (isInteractiveKind(kind)) {
      const what = kind === 'shell' ? 'a shell' : kind === 'terminal' ? 'a terminal or login program' : 'a job runner';
      return {
        status: 'fail',
        observed: `session ${sid} led by ${processLabel(leader)}`,
        expected: 'own session',
        detail: `the session leader ${processLabel(leader)} is ${what}: when it ends or hangs up, its session's jobs get SIGHUP`,
      };
    }
    if (leader.stat.ttyNr !== 0) {
      return {
        status: 'fail',
        observed: `session ${sid} led by ${processLabel(leader)} on ${leader.tty}`,
        expected: 'own session',
        detail: 'the session leader has a controlling terminal',
      };
    }
    return {
      status: 'pass',
      observed: `session ${sid} led by ${processLabel(leader)}`,
      expected: 'own session',
      detail: `the session leader ${processLabel(leader)} is itself detached (no terminal, not a shell)`,
    };
  },
});
