/**
 * The pure /proc/PID/cgroup parser of src/proc/cgroup-scope.ts: login scopes
 * found in the unified line and in name=systemd, other cgroups classified, odd
 * lines skipped. The same parser on real processes moved into a login scope:
 * test/live/login-scope.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  cgroupPlacements,
  classifyCgroupPath,
  findLoginScope,
  systemdCgroupLines,
} from '../../src/proc/cgroup-scope.js';

describe('cgroup-scope parser (pure)', () => {
  it('finds session-N.scope of user-UID.slice in the unified line first, else in name=systemd', () => {
    const both =
      '12:pids:/user.slice/user-1000.slice/session-7.scope\n1:name=systemd:/user.slice/user-1000.slice/session-7.scope\n0::/user.slice/user-1000.slice/session-7.scope\n';
    expect(findLoginScope(both)).toEqual({
      scope: 'session-7.scope',
      session: '7',
      uid: 1000,
      hierarchy: 'unified',
      deleted: false,
      path: '/user.slice/user-1000.slice/session-7.scope',
    });
    expect(findLoginScope('1:name=systemd:/user.slice/user-0.slice/session-c1.scope\n0::/\n')).toMatchObject({
      session: 'c1',
      uid: 0,
      hierarchy: 'name=systemd',
    });
    expect(findLoginScope('0::/user.slice/user-1000.slice/session-3.scope (deleted)\n')).toMatchObject({
      session: '3',
      deleted: true,
    });
  });

  it('a user manager, services and scopes elsewhere are not login scopes', () => {
    const um = '0::/user.slice/user-1000.slice/user@1000.service/app.slice/tmux-spawn-1.scope\n';
    expect(findLoginScope(um)).toBeNull();
    expect(cgroupPlacements(um)[0]).toMatchObject({
      kind: 'user-manager',
      unit: 'user@1000.service',
      leaf: 'tmux-spawn-1.scope',
      uid: 1000,
    });
    expect(classifyCgroupPath('/system.slice/cron.service')).toMatchObject({ kind: 'service', unit: 'cron.service' });
    expect(classifyCgroupPath('/machine.slice/session-2.scope')).toMatchObject({ kind: 'scope', session: null });
    expect(classifyCgroupPath('/user.slice/user-1000.slice')).toMatchObject({ kind: 'slice', uid: 1000 });
    expect(classifyCgroupPath('/')).toMatchObject({ kind: 'root' });
    expect(classifyCgroupPath('/docker/0123abcd')).toMatchObject({ kind: 'other', unit: null });
  });

  it('odd lines are skipped, never thrown on; a path may contain colons', () => {
    const odd = [
      '',
      'garbage',
      '::',
      'x::/user.slice/user-1.slice/session-1.scope',
      '0::relative',
      '3:cpu:/a',
      '0::/user.slice/user-99999999999.slice/session-1.scope',
      '4:name=systemd:/odd:dir/x.service',
    ].join('\n');
    expect(() => cgroupPlacements(odd)).not.toThrow();
    expect(systemdCgroupLines(odd)).toEqual([
      { hierarchy: 'unified', path: '/user.slice/user-99999999999.slice/session-1.scope', deleted: false },
      { hierarchy: 'name=systemd', path: '/odd:dir/x.service', deleted: false },
    ]);
    expect(findLoginScope(odd)).toMatchObject({ session: '1', uid: null }); // uid out of range
  });
});
