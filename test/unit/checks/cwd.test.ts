/** cwd: the working directory is / or --expect-cwd; flags deleted and other-mount cwds (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck } from '../../helpers/check.js';
import { makeFile, makeSnapshot } from '../../helpers/snapshot.js';
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
      const { row, messageId } = checkMessage(ID, makeSnapshot({ cwd: '/', mounts: MOUNTS }));
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'warning',
        observed: '/',
        expected: '/',
      });
      expect(messageId).toBe('root');
    });

    it('passes the directory given with --expect-cwd, even on another mount', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot({ cwd: '/srv/app', mounts: MOUNTS }), {
        expectCwd: '/srv/app',
      });
      expect(row).toMatchObject({
        status: 'pass',
        observed: '/srv/app',
        expected: '/srv/app',
      });
      expect(messageId).toBe('expectedDirectory');
    });
  });

  describe('working data: a directory its arguments or open files lean on', () => {
    const inApp = (cmdline: string[], fds = [makeFile(1, '/srv/app/app.log')]) =>
      makeSnapshot({ cwd: '/srv/app', cmdline, fds, mounts: MOUNTS });

    it('passes a bare script name, a module:attribute and a ./path, and never asks for /', () => {
      for (const [argv, uses] of [
        [['/usr/bin/python3', 'app.py'], 'app.py'],
        [['/usr/bin/node', 'app.js'], 'app.js'],
        [['/usr/bin/python3', '/usr/bin/gunicorn', '-b', '127.0.0.1:8000', 'wsgi:app'], 'wsgi:app'],
        [['/usr/bin/python3', '-m', 'myapp'], 'myapp'],
        [['/opt/bin/server', '--data=./data'], './data'],
        [['bin/server'], 'bin/server'],
      ] as const) {
        const { row, messageId, data } = checkMessage(ID, inApp([...argv]));
        expect(row, argv.join(' ')).toMatchObject({
          status: 'pass',
          observed: '/srv/app',
          expected: '/, or its working data',
        });
        expect({ messageId, data }, argv.join(' ')).toEqual({
          messageId: 'workingData',
          data: { cwd: '/srv/app', uses },
        });
      }
    });

    it('passes a directory holding a file it has open (fd 3 and up; not the stdout its shell opened there)', () => {
      const { row, data } = checkMessage(
        ID,
        inApp(['/usr/bin/myd'], [makeFile(1, '/srv/app/app.log'), makeFile(4, '/srv/app/db/x.db')]),
      );
      expect(row.status).toBe('pass');
      expect(data.uses).toBe('db/x.db open');
      expect(runCheck(ID, inApp(['/usr/bin/myd'])).status).toBe('warn');
    });

    it('numbers and absolute paths lean on nothing: sleep 100 and --config /etc/x.conf still warn', () => {
      expect(runCheck(ID, inApp(['/bin/sleep', '100', '1.5'])).status).toBe('warn');
      expect(runCheck(ID, inApp(['/usr/sbin/nginx', '-c', '/etc/nginx/nginx.conf', '-g', 'daemon off;'])).status).toBe(
        'warn',
      );
    });

    it('--expect-cwd still demands its directory exactly', () => {
      const row = runCheck(ID, inApp(['/usr/bin/python3', 'app.py']), { expectCwd: '/' });
      expect(row).toMatchObject({ status: 'warn', expected: '/' });
    });
  });

  describe('invalid', () => {
    it('warns on a cwd on another mount, naming the mount it keeps busy', () => {
      const { row, messageId, data } = checkMessage(ID, makeSnapshot({ cwd: '/home/alice/src', mounts: MOUNTS }));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('/home/alice/src');
      expect(row.expected).toBe('/');
      expect({ messageId, data }).toEqual({
        messageId: 'otherMount',
        data: { cwd: '/home/alice/src', mountPoint: '/home', fsType: 'ext4' },
      });
    });

    it('names the innermost mount (nested mounts)', () => {
      const { messageId, data } = checkMessage(ID, makeSnapshot({ cwd: '/srv/data/x', mounts: MOUNTS }));
      expect(messageId).toBe('otherMount');
      expect(data).toMatchObject({ mountPoint: '/srv/data', fsType: 'nfs4' });
    });

    it('warns on a cwd on the root file system without a mount story', () => {
      const { row, messageId, data } = checkMessage(ID, makeSnapshot({ cwd: '/opt/app', mounts: MOUNTS }));
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({ messageId: 'otherDirectory', data: { cwd: '/opt/app' } });
    });

    it('warns on a deleted cwd', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot({ cwd: '/tmp/build (deleted)', mounts: MOUNTS }));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('/tmp/build (deleted)');
      expect(messageId).toBe('deleted');
    });

    it('warns on a deleted cwd even when it was the --expect-cwd directory', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot({ cwd: '/srv/app (deleted)', mounts: MOUNTS }), {
        expectCwd: '/srv/app',
      });
      expect(row).toMatchObject({ status: 'warn', expected: '/srv/app' });
      expect(messageId).toBe('deleted');
    });

    it('warns in / when --expect-cwd names another directory', () => {
      const { row, messageId, data } = checkMessage(ID, makeSnapshot({ cwd: '/', mounts: MOUNTS }), {
        expectCwd: '/srv/app',
      });
      expect(row).toMatchObject({ status: 'warn', observed: '/', expected: '/srv/app' });
      expect({ messageId, data }).toEqual({ messageId: 'otherDirectory', data: { cwd: '/' } });
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when cwd could not be read, naming the reason', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ cwd: null, unreadable: { cwd: 'EACCES' }, auditorUid: 1000 }),
      );
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('cwd unreadable (EACCES)');
      expect(row.expected).toBe('/');
      expect(messageId).toBe('unreadable');
      expect(data.fact).toBe('cwd');
      expect(data.reason).toMatch(/^permission denied/);
    });

    it('expects the --expect-cwd directory when unknown', () => {
      const row = runCheck(ID, makeSnapshot({ cwd: null, unreadable: { cwd: 'EACCES' } }), { expectCwd: '/srv' });
      expect(row).toMatchObject({ status: 'unknown', expected: '/srv' });
    });
  });

  describe('edge cases', () => {
    it('still warns, without a mount story, when mountinfo was unreadable', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ cwd: '/home/alice', mounts: null, unreadable: { mountinfo: 'EACCES' } }),
      );
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({ messageId: 'otherDirectory', data: { cwd: '/home/alice' } });
    });

    it('a sibling with a common prefix (/srvx) is not on the /srv mount', () => {
      const { row, messageId, data } = checkMessage(ID, makeSnapshot({ cwd: '/srvx', mounts: MOUNTS }));
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({ messageId: 'otherDirectory', data: { cwd: '/srvx' } });
    });

    it('a cwd that is a mount point itself is on that mount', () => {
      const { messageId, data } = checkMessage(ID, makeSnapshot({ cwd: '/home', mounts: MOUNTS }));
      expect(messageId).toBe('otherMount');
      expect(data).toMatchObject({ mountPoint: '/home', fsType: 'ext4' });
    });
  });
});
