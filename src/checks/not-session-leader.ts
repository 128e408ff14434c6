import { defineCheck } from './check.js';

export const notSessionLeader = defineCheck({
  id: 'not-session-leader',
  title: 'Not a session leader (second fork done)',
  passWhen: 'pid != sid: the second fork was done',
  severity: 'warning',
  sysvOnly: true,
  rationale:
    'A session leader that opens a terminal without O_NOCTTY acquires it as its controlling terminal (System V semantics). Forking once more after setsid() leaves a process that is in the new session but can never acquire one.',
  evidence: '/proc/PID/stat: pid compared with field 6 (session).',
  fix: 'Fork a second time after setsid() and let the session leader exit (daemon-check run does), or open terminals with O_NOCTTY.',
  needs: ['stat'],
  messages: {
    notLeader: 'it cannot acquire a controlling terminal by opening one',
    leader:
      'it leads its session: opening a terminal device without O_NOCTTY would make it the controlling terminal (no second fork)',
  },
  evaluate(snap) {
    const sid = snap.stat.session;
    if (snap.pid !== sid) {
      return {
        status: 'pass',
        observed: `pid ${snap.pid}, sid ${sid}`,
        expected: 'pid != sid',
        messageId: 'notLeader',
      };
    }
    return {
      status: 'warn',
      observed: `pid ${snap.pid} = sid ${sid}`,
      expected: 'pid != sid',
      messageId: 'leader',
    };
  },
});
