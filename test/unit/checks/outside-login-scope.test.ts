/** outside-login-scope: not in a login session's scope cgroup; critical when logind's KillUserProcesses applies (docs/fate.md, "logind"). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck } from '../../helpers/check.js';
import { cgroupOf, hostWith, scopedDaemon, SESSION_SCOPE } from '../../helpers/fate.js';
import { makeSnapshot } from '../../helpers/snapshot.js';

const ID = 'outside-login-scope';
const EXPECTED = 'not in a session-N.scope';
const YES = '[Login]\nKillUserProcesses=yes\n';
const NO = '[Login]\nKillUserProcesses=no\n';
const SCOPE = 'session-3.scope (/user.slice/user-1000.slice/session-3.scope)';

describe(ID, () => {
  describe('valid', () => {
    it('passes in the root cgroup, naming it', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot({ host: hostWith(YES) }));
      expect(row).toMatchObject({ status: 'pass', severity: 'warning', observed: '/', expected: EXPECTED });
      expect(messageId).toBe('noLoginScope');
    });

    it('passes as a system service', () => {
      const row = runCheck(
        ID,
        makeSnapshot({ cgroup: cgroupOf('0::/system.slice/nginx.service'), host: hostWith(YES) }),
      );
      expect(row).toMatchObject({ status: 'pass', observed: '/system.slice/nginx.service' });
    });

    it('passes as a user service (systemd-run --user): the fix the check recommends', () => {
      const row = runCheck(
        ID,
        makeSnapshot({
          cgroup: cgroupOf('0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-u12.service'),
          host: hostWith(YES),
        }),
      );
      expect(row.status).toBe('pass');
    });

    it("passes without host facts: out of every scope, logind's settings do not matter", () => {
      expect(runCheck(ID, makeSnapshot({ host: null })).status).toBe('pass');
    });
  });

  describe('invalid', () => {
    it("fails, critical, when KillUserProcesses=yes applies to its user: the detail is the fate's story", () => {
      const { row, messageId, data } = checkMessage(ID, scopedDaemon(hostWith(YES)));
      expect(row).toMatchObject({ status: 'fail', severity: 'critical', observed: SCOPE, expected: EXPECTED });
      expect(messageId).toBe('dies');
      expect(data.why).toContain('systemd-logind stops session-3.scope: SIGTERM, then SIGKILL, to every process in it');
      expect(data.why).toContain('KillUserProcesses=yes (/etc/systemd/logind.conf:2)');
    });

    it('fails when the packaged default comment says yes', () => {
      expect(runCheck(ID, scopedDaemon(hostWith('[Login]\n#KillUserProcesses=yes\n')))).toMatchObject({
        status: 'fail',
        severity: 'critical',
      });
    });

    it('warns, at its own severity, when logind would leave it running today (KillUserProcesses=no)', () => {
      const { row, messageId, data } = checkMessage(ID, scopedDaemon(hostWith(NO)));
      expect(row).toMatchObject({ status: 'warn', severity: 'warning', observed: SCOPE });
      expect(messageId).toBe('inLoginScope');
      expect(data.session).toBe('3');
      expect(data.why).toContain('KillUserProcesses=no');
    });

    it('warns for root, spared by default', () => {
      const { row, data } = checkMessage(
        ID,
        scopedDaemon(hostWith(YES), '0::/user.slice/user-0.slice/session-1.scope', { uid: 0, name: 'root' }),
      );
      expect(row).toMatchObject({
        status: 'warn',
        observed: 'session-1.scope (/user.slice/user-0.slice/session-1.scope)',
      });
      expect(data.why).toContain('root is spared by default');
    });

    it('warns when systemd is not pid 1 (still in a scope, which would matter under systemd)', () => {
      const { row, data } = checkMessage(ID, scopedDaemon(hostWith(YES, { systemdPid1: false })));
      expect(row.status).toBe('warn');
      expect(data.why).toContain('systemd is not pid 1 here');
    });

    it('warns when the user is in KillExcludeUsers=', () => {
      expect(
        runCheck(ID, scopedDaemon(hostWith('[Login]\nKillUserProcesses=yes\nKillExcludeUsers=alice\n'))).status,
      ).toBe('warn');
    });
  });

  describe('unknown', () => {
    it('is unknown when the cgroup could not be read, naming the errno', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ cgroup: null, unreadable: { cgroup: 'EACCES' }, auditorUid: 1000 }),
      );
      expect(row).toMatchObject({ status: 'unknown', observed: 'cgroup unreadable (EACCES)', expected: EXPECTED });
      expect(messageId).toBe('unreadable');
      expect(data.fact).toBe('cgroup');
      expect(data.reason).toMatch(/^permission denied/);
    });

    it('warns, saying it is unknown whether logind kills it, when the build default decides and no comment tells it', () => {
      const { row, messageId, data } = checkMessage(ID, scopedDaemon(hostWith('[Login]\n')));
      expect(row.status).toBe('warn');
      expect(messageId).toBe('inLoginScopeUnknown');
      expect(data.why).toContain('busctl');
    });

    it('warns with unknown when there are no host facts', () => {
      const { row, data } = checkMessage(ID, scopedDaemon(null));
      expect(row.status).toBe('warn');
      expect(data.why).toContain('no host facts');
    });

    it('warns with unknown when logind.conf cannot be read', () => {
      const { row, data } = checkMessage(
        ID,
        scopedDaemon(hostWith([{ path: '/etc/systemd/logind.conf', text: '', error: 'EACCES' }])),
      );
      expect(row.status).toBe('warn');
      expect(data.why).toContain('cannot be read by this user (EACCES)');
    });
  });

  describe('edge cases', () => {
    it('finds the scope on the v1 name=systemd line', () => {
      const row = runCheck(
        ID,
        scopedDaemon(hostWith(YES), '5:memory:/user.slice\n1:name=systemd:/user.slice/user-1000.slice/session-3.scope'),
      );
      expect(row).toMatchObject({ status: 'fail', observed: SCOPE });
    });

    it('strips a removed scope\'s " (deleted)" from observed', () => {
      const row = runCheck(ID, scopedDaemon(hostWith(YES), `${SESSION_SCOPE} (deleted)\n1:name=systemd:/`));
      expect(row.observed).toBe(SCOPE);
    });

    it('says "no systemd cgroup" when no line is systemd\'s', () => {
      const row = runCheck(
        ID,
        makeSnapshot({ cgroup: cgroupOf('4:memory:/user.slice/user-1000.slice/session-3.scope'), host: hostWith(YES) }),
      );
      expect(row).toMatchObject({ status: 'pass', observed: 'no systemd cgroup' });
    });

    it('a session-N.scope outside user-UID.slice is no login scope (logind creates them only there)', () => {
      const row = runCheck(
        ID,
        makeSnapshot({ cgroup: cgroupOf('0::/machine.slice/session-3.scope'), host: hostWith(YES) }),
      );
      expect(row.status).toBe('pass');
    });
  });
});
