import { defineCheck, unknownBecause } from './check.js';
import { loginScopeOf } from '../fate/logout.js';

const EXPECTED = 'not in a session-N.scope';

export const outsideLoginScope = defineCheck({
  id: 'outside-login-scope',
  title: "Outside a login session's scope cgroup",
  passWhen:
    "not in a login session's scope cgroup (session-N.scope); critical when logind's KillUserProcesses applies to its user",
  severity: 'warning',
  severityNote: 'critical when KillUserProcesses applies',
  rationale:
    'systemd-logind puts each login in a scope unit, user.slice/user-UID.slice/session-N.scope, and every process started from that login inherits it, however it was forked. With KillUserProcesses=yes, logind stops the scope when the login ends: SIGTERM, then SIGKILL, to everything in it, whatever its signal dispositions. A perfect double-forked daemon, a tmux or screen server, a nohup job: all die together.',
  evidence:
    '/proc/PID/cgroup (the unified 0:: line, or the v1 name=systemd line); logind.conf and its drop-ins, /var/lib/systemd/linger and /run/systemd/system under the host root.',
  fix: 'Run it as a service outside the login: a system unit, or `systemd-run --user --unit=NAME CMD` with `loginctl enable-linger USER` (the user manager then outlives the login).',
  needs: ['cgroup', 'host'],
  messages: {
    noLoginScope: "it is in no login session's scope: ending a login cannot take it down through logind",
    dies: '{{why}}',
    inLoginScope: "it is in login session {{session}}'s scope; logind would leave it running today: {{why}}",
    inLoginScopeUnknown: "it is in login session {{session}}'s scope; whether logind kills it is unknown: {{why}}",
  },
  evaluate(snap, ctx) {
    if (!snap.cgroup) return unknownBecause(snap, 'cgroup', EXPECTED);
    const scope = loginScopeOf(snap);
    if (!scope) {
      const c = snap.cgroup.find(
        (e) => (e.hierarchy === '0' && e.controllers === '') || e.controllers === 'name=systemd',
      );
      return {
        status: 'pass',
        observed: c ? c.path : 'no systemd cgroup',
        expected: EXPECTED,
        messageId: 'noLoginScope',
      };
    }
    const logout = ctx.fate.logout;
    const observed = `${scope.scope} (${scope.path})`;
    if (logout.outcome === 'dies')
      return {
        status: 'fail',
        severity: 'critical',
        observed,
        expected: EXPECTED,
        messageId: 'dies',
        data: { why: logout.why },
      };
    return {
      status: 'warn',
      observed,
      expected: EXPECTED,
      messageId: logout.outcome === 'lives' ? 'inLoginScope' : 'inLoginScopeUnknown',
      data: { session: scope.session, why: logout.why },
    };
  },
});
