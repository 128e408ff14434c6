/** single-instance: a write lock held on a file; with --pidfile, the pidfile checked (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck } from '../../helpers/check.js';
import { makeFd, makeFile, makeLock, makePidfile, makeSnapshot, withFds } from '../../helpers/snapshot.js';
import { parseLockLine } from '../../../src/proc/locks.js';
import type { FdEntry } from '../../../src/proc/fd.js';
import type { PidfileFacts } from '../../../src/host/pidfile.js';

const ID = 'single-instance';
const PIDFILE = { pidfile: '/run/daemon.pid' };

/** fd 3 on /run/daemon.pid (8:1:1003), with these fdinfo lock lines. */
function pidfileFd(locks = [makeLock()], partial: Partial<FdEntry> = {}): FdEntry {
  return makeFile(3, '/run/daemon.pid', { locks, ...partial });
}

/** A daemon holding fd 3 as described, audited with --pidfile /run/daemon.pid. */
function withPidfile(fd: FdEntry | null, pf: Partial<PidfileFacts> = {}) {
  const snap = fd ? withFds(fd) : withFds();
  snap.pidfile = makePidfile(pf);
  return snap;
}

describe(ID, () => {
  describe('valid', () => {
    it('passes when an fdinfo lock line shows its POSIX write lock, naming the file', () => {
      const { row, messageId, data } = checkMessage(ID, withFds(pidfileFd()));
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'info',
        observed: 'fd 3 /run/daemon.pid',
        expected: 'a write-locked file, or a bound socket',
      });
      expect({ messageId, data }).toEqual({ messageId: 'lockHeld', data: { files: '/run/daemon.pid' } });
    });

    it("passes on a FLOCK whose pid column is the launcher's (flock belongs to the open file)", () => {
      const lock = parseLockLine('1: FLOCK  ADVISORY  WRITE 4000 08:01:1003 0 EOF');
      expect(runCheck(ID, withFds(pidfileFd([lock]))).status).toBe('pass');
    });

    it('passes on an OFD lock (pid -1)', () => {
      expect(runCheck(ID, withFds(pidfileFd([makeLock({ kind: 'OFDLCK', pid: -1 })]))).status).toBe('pass');
    });

    it("passes on a /proc/locks entry matching the fd's dev:inode (fdinfo unreadable)", () => {
      const snap = withFds(pidfileFd([], { flags: null, cloexec: null }));
      snap.locks = [parseLockLine('7: POSIX  ADVISORY  WRITE 4242 08:01:1003 0 EOF')];
      const row = runCheck(ID, snap);
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('fd 3 /run/daemon.pid');
    });
  });

  describe('invalid', () => {
    it('is info when no file is locked, suggesting --pidfile', () => {
      const { row, messageId } = checkMessage(ID, withFds(makeFile(3, '/run/daemon.pid')));
      expect(row).toMatchObject({ status: 'info', severity: 'info', observed: 'no lock or bound socket' });
      expect(messageId).toBe('noGuard');
    });

    it('does not count a POSIX lock held by another pid (/proc/locks on the same inode)', () => {
      const snap = withFds(pidfileFd([], { flags: null }));
      snap.locks = [makeLock({ pid: 999 })];
      expect(runCheck(ID, snap).status).toBe('info');
    });

    it('does not count a POSIX lock line of another pid in fdinfo', () => {
      expect(runCheck(ID, withFds(pidfileFd([makeLock({ pid: 999 })]))).status).toBe('info');
    });

    it('does not count a read lock or a waiter', () => {
      expect(runCheck(ID, withFds(pidfileFd([makeLock({ mode: 'READ' })]))).status).toBe('info');
      expect(runCheck(ID, withFds(pidfileFd([makeLock({ waiter: true })]))).status).toBe('info');
    });

    it('does not count a lock on another inode', () => {
      const snap = withFds(pidfileFd([], { flags: null }));
      snap.locks = [makeLock({ ino: 9999 })];
      expect(runCheck(ID, snap).status).toBe('info');
    });

    it('does not count a lock on the same inode number of another device', () => {
      const snap = withFds(pidfileFd([], { flags: null }));
      snap.locks = [makeLock({ dev: '253:0' })];
      expect(runCheck(ID, snap).status).toBe('info');
    });
  });

  describe('with --pidfile (warning severity)', () => {
    it('passes, as a warning-severity row, when the pidfile holds its pid, is locked by it and is 0644', () => {
      const { row, messageId, data } = checkMessage(ID, withPidfile(pidfileFd()), PIDFILE);
      expect(row).toMatchObject({ status: 'pass', severity: 'warning', observed: 'holds 4242, locked' });
      expect(row.expected).toBe('/run/daemon.pid holds 4242, locked by it, not o+w');
      expect({ messageId, data }).toEqual({ messageId: 'pidfileLocked', data: { path: '/run/daemon.pid' } });
    });

    it('warns when the pidfile cannot be read', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        withPidfile(null, { readError: 'ENOENT', content: null, pid: null }),
        PIDFILE,
      );
      expect(row).toMatchObject({ status: 'warn', severity: 'warning', observed: '/run/daemon.pid: ENOENT' });
      expect({ messageId, data }).toEqual({ messageId: 'pidfileUnreadable', data: { error: 'ENOENT' } });
    });

    it('warns when the pidfile names another pid', () => {
      const row = runCheck(ID, withPidfile(pidfileFd(), { content: '999\n', pid: 999 }), PIDFILE);
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('it holds "999", not 4242');
    });

    it('warns on a world-writable pidfile', () => {
      const { row, messageId, data } = checkMessage(ID, withPidfile(pidfileFd(), { mode: 0o100666 }), PIDFILE);
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({
        messageId: 'pidfileProblems',
        data: { path: '/run/daemon.pid', problems: [{ messageId: 'worldWritable', data: { mode: '0666' } }] },
      });
    });

    it('warns on a symlinked pidfile', () => {
      const { row, messageId, data } = checkMessage(ID, withPidfile(pidfileFd(), { isSymlink: true }), PIDFILE);
      expect(row.status).toBe('warn');
      expect(messageId).toBe('pidfileProblems');
      expect(data.problems).toContainEqual({ messageId: 'symlink' });
    });

    it('warns when the pidfile is open but not locked', () => {
      const row = runCheck(ID, withPidfile(pidfileFd([])), PIDFILE);
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('no write lock on it is held by this process, so a second instance can start');
    });

    it("warns when the only lock on the pidfile is another pid's POSIX lock", () => {
      expect(runCheck(ID, withPidfile(pidfileFd([makeLock({ pid: 999 })])), PIDFILE).status).toBe('warn');
    });

    it('warns when the locked file is not the pidfile (another inode)', () => {
      const { messageId, data } = checkMessage(ID, withPidfile(pidfileFd(), { ino: 5555 }), PIDFILE);
      expect(messageId).toBe('pidfileProblems');
      expect(data.problems).toContainEqual({ messageId: 'notLocked' });
    });

    it('lists every problem, the first as observed', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        withPidfile(makeFile(3, '/run/daemon.pid'), { content: 'garbage', pid: null, mode: 0o100666 }),
        PIDFILE,
      );
      expect(row.observed).toBe('it holds "garbage", not 4242');
      expect({ messageId, data }).toEqual({
        messageId: 'pidfileProblems',
        data: {
          path: '/run/daemon.pid',
          problems: [
            { messageId: 'wrongPid', data: { content: '"garbage"', pid: 4242 } },
            { messageId: 'worldWritable', data: { mode: '0666' } },
            { messageId: 'notLocked' },
          ],
        },
      });
    });

    it("with fd/ unreadable, takes the lock from /proc/locks by the pidfile's dev:inode", () => {
      const snap = withPidfile(null);
      snap.fds = null;
      snap.unreadable = { fds: 'EACCES' };
      snap.locks = [makeLock({ kind: 'FLOCK', pid: 1 })];
      expect(runCheck(ID, snap, PIDFILE)).toMatchObject({ status: 'pass', severity: 'warning' });
    });

    // Was a bug: with neither fd/ nor /proc/locks readable, nothing says whether the pidfile is locked, yet the row
    // states "no write lock on it is held by this process". checklist.md: unreadable evidence makes a row
    // unknown, and the row says why.
    it('is unknown, naming the reason, when neither fd/ nor /proc/locks could be read', () => {
      const snap = withPidfile(null);
      snap.fds = null;
      snap.locks = null;
      snap.unreadable = { fds: 'EACCES', locks: 'EACCES' };
      snap.auditorUid = 1000;
      const { row, messageId, data } = checkMessage(ID, snap, PIDFILE);
      expect(row.status).toBe('unknown');
      expect(messageId).toBe('lockUnknown');
      expect(data.path).toBe('/run/daemon.pid');
      expect(data.reason).toMatch(/^permission denied/);
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when fd/ could not be read (no --pidfile), naming the reason', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ fds: null, fdCount: null, unreadable: { fds: 'EACCES' }, auditorUid: 1000 }),
      );
      expect(row).toMatchObject({ status: 'unknown', severity: 'info', observed: 'fds unreadable (EACCES)' });
      expect(messageId).toBe('unreadable');
      expect(data.fact).toBe('fds');
      expect(data.reason).toMatch(/^permission denied/);
    });
  });

  describe('edge cases', () => {
    it('a lock through a non-file fd (a socket) does not count', () => {
      const sock = makeFd(3, 'socket:[1]', { locks: [makeLock()] });
      expect(runCheck(ID, withFds(sock)).status).toBe('info');
    });

    it('names every locked file', () => {
      const row = runCheck(
        ID,
        withFds(pidfileFd(), makeFile(4, '/var/lib/app/lock', { locks: [makeLock({ ino: 1004 })] })),
      );
      expect(row.observed).toBe('fd 3 /run/daemon.pid, fd 4 /var/lib/app/lock');
    });

    it('the pidfile path rules even when another file is locked: its severity is warning', () => {
      const snap = withPidfile(makeFile(4, '/var/lib/app/lock', { locks: [makeLock({ ino: 1004 })] }));
      const row = runCheck(ID, snap, PIDFILE);
      expect(row).toMatchObject({ status: 'warn', severity: 'warning' });
    });
  });
});
