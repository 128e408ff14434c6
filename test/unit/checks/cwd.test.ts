/** cwd: the working directory is / or --expect-cwd; flags deleted and other-mount cwds (checklist.md). */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../helpers/check.js';
import { makeSnapshot } from '../../helpers/snapshot.js';
import type { MountEntry } from '../../../src/proc/mountinfo.js';

const ID = 'cwd';

function mount(id: number, mountPoint: string, fsType = 'ext4'): MountEntry {
  return {
    id,
    parent: 1,
    dev: `8:${id}`,
    root: '/',
    mountPoint,
    options: 'rw',
    fsType,
    source: `/dev/sda${id}`,
    superOptions: 'rw',
  };
}

const MOUNTS = [mount(1, '/'), mount(2, '/home'), mount(3, '/srv', 'xfs'), mount(4, '/srv/data', 'nfs4')];

describe(ID, () => {
  describe('valid', () => {
    it('passes in /', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/', mounts: MOUNTS }));
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'warning',
        observed: '/',
        expected: '/',
        detail: 'the root directory pins no mount',
      });
    });

    it('passes the directory given with --expect-cwd, even on another mount', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/srv/app', mounts: MOUNTS }), { expectCwd: '/srv/app' });
      expect(row).toMatchObject({
        status: 'pass',
        observed: '/srv/app',
        expected: '/srv/app',
        detail: 'the expected working directory',
      });
    });
  });

  describe('invalid', () => {
    it('warns on a cwd on another mount, naming the mount it keeps busy', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/home/alice/src', mounts: MOUNTS }));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('/home/alice/src');
      expect(row.expected).toBe('/');
      expect(row.detail).toBe(
        'working directory /home/alice/src; it is on the mount /home (ext4), which it keeps busy',
      );
    });

    it('names the innermost mount (nested mounts)', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/srv/data/x', mounts: MOUNTS }));
      expect(row.detail).toContain('on the mount /srv/data (nfs4)');
    });

    it('warns on a cwd on the root file system without a mount story', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/opt/app', mounts: MOUNTS }));
      expect(row.status).toBe('warn');
      expect(row.detail).toBe('working directory /opt/app');
    });

    it('warns on a deleted cwd', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/tmp/build (deleted)', mounts: MOUNTS }));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('/tmp/build (deleted)');
      expect(row.detail).toContain('has been deleted');
    });

    it('warns on a deleted cwd even when it was the --expect-cwd directory', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/srv/app (deleted)', mounts: MOUNTS }), { expectCwd: '/srv/app' });
      expect(row).toMatchObject({ status: 'warn', expected: '/srv/app' });
      expect(row.detail).toContain('deleted');
    });

    it('warns in / when --expect-cwd names another directory', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/', mounts: MOUNTS }), { expectCwd: '/srv/app' });
      expect(row).toMatchObject({ status: 'warn', observed: '/', expected: '/srv/app', detail: 'working directory /' });
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when cwd could not be read, naming the reason', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: null, unreadable: { cwd: 'EACCES' }, auditorUid: 1000 }));
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('cwd unreadable (EACCES)');
      expect(row.expected).toBe('/');
      expect(row.detail).toContain('cwd: permission denied');
    });

    it('expects the --expect-cwd directory when unknown', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: null, unreadable: { cwd: 'EACCES' } }), { expectCwd: '/srv' });
      expect(row).toMatchObject({ status: 'unknown', expected: '/srv' });
    });
  });

  describe('edge cases', () => {
    it('still warns, without a mount story, when mountinfo was unreadable', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/home/alice', mounts: null, unreadable: { mountinfo: 'EACCES' } }));
      expect(row).toMatchObject({ status: 'warn', detail: 'working directory /home/alice' });
    });

    it('a sibling with a common prefix (/srvx) is not on the /srv mount', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/srvx', mounts: MOUNTS }));
      expect(row).toMatchObject({ status: 'warn', detail: 'working directory /srvx' });
    });

    it('a cwd that is a mount point itself is on that mount', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: '/home', mounts: MOUNTS }));
      expect(row.detail).toContain('on the mount /home (ext4)');
    });
  });
});
