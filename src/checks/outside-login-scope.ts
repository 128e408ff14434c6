import { defineCheck, type CheckOutcome } from './check.js';
import { loginScopeOf } from '../fate/logout.js';
import { describeErrno } from '../core/errors.js';

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
  evaluate(snap, ctx): CheckOutcome {
    if (!snap.cgroup) {
      const errno = snap.unreadable.cgroup ?? 'EIO';
      return {
        status: 'unknown',
        observed: `cgroup unreadable (${errno})`,
        expected: EXPECTED,
        detail: `cgroup: ${describeErrno(errno, snap.auditorUid === 0)}`,
      };
    }
    const scope = loginScopeOf(snap);
    if (!scope) {
      const c = snap.cgroup.find(
        (e) => (e.hierarchy === '0' && e.controllers === '') || e.controllers === 'name=systemd',
      );
      return {
        status: 'pass',
        observed: c ? c.path : 'no systemd cgroup',
        expected: EXPECTED,
        detail: "it is in no login session's scope: ending a login cannot take it down through logind",
      };
    }
    const logout = ctx.fate.logout;
    const observed = `${scope.scope} (${scope.path})`;
    if (logout.outcome === 'dies')
      return { status: 'fail', severity: 'critical', observed, expected: EXPECTED, detail: logout.why };
    const state =
      logout.outcome === 'lives' ? 'logind would leave it running today' : 'whether logind kills it is unknown';
    return {
      status: 'warn',
      observed,
      expected: EXPECTED,
      detail: `it is in login session ${scope.session}'s scope; ${state}: ${logout.why}`,
    };
  },
});
