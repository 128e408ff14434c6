/** world-writable-files: no world-writable regular file open (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck } from '../../helpers/check.js';
import { makeFd, makeFile, makeSnapshot, withFds } from '../../helpers/snapshot.js';

const ID = 'world-writable-files';

describe(ID, () => {
  describe('valid', () => {
    it('passes the default daemon: /dev/null is 0666 but not a regular file', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot());
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'warning',
        observed: '0 regular file(s), none o+w',
        expected: 'no world-writable files',
      });
      expect(messageId).toBe('none');
    });

    it('passes a 0644 pidfile and a group-writable 0664 log', () => {
      const row = runCheck(
        ID,
        withFds(makeFile(3, '/run/app.pid'), makeFile(4, '/var/log/app.log', { mode: 0o100664 })),
      );
      expect(row).toMatchObject({ status: 'pass', observed: '2 regular file(s), none o+w' });
    });

    it('ignores a world-writable directory or socket (only regular files count)', () => {
      const row = runCheck(
        ID,
        withFds(makeFd(3, '/tmp', { type: 'dir', mode: 0o41777 }), makeFd(4, 'socket:[1]', { mode: 0o140777 })),
      );
      expect(row.status).toBe('pass');
    });
  });

  describe('invalid', () => {
    it('warns on a world-writable pidfile (0666, created under umask 0)', () => {
      const { row, messageId, data } = checkMessage(ID, withFds(makeFile(3, '/run/app.pid', { mode: 0o100666 })));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('fd 3 666');
      expect({ messageId, data }).toEqual({
        messageId: 'files',
        data: { files: [{ messageId: 'worldWritable', data: { target: '/run/app.pid', mode: '0666' } }] },
      });
    });

    it('lists every world-writable file', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        withFds(makeFile(3, '/run/app.pid', { mode: 0o100666 }), makeFile(5, '/var/log/app.log', { mode: 0o100602 })),
      );
      expect(row.observed).toBe('fd 3 666, fd 5 602');
      expect({ messageId, data }).toEqual({
        messageId: 'files',
        data: {
          files: [
            { messageId: 'worldWritable', data: { target: '/run/app.pid', mode: '0666' } },
            { messageId: 'worldWritable', data: { target: '/var/log/app.log', mode: '0602' } },
          ],
        },
      });
    });

    it('shows special bits (sticky 01666) in the mode', () => {
      const { row, data } = checkMessage(ID, withFds(makeFile(3, '/tmp/x', { mode: 0o101666 })));
      expect(row.observed).toBe('fd 3 1666');
      expect(data.files).toEqual([{ messageId: 'worldWritable', data: { target: '/tmp/x', mode: '1666' } }]);
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when fd/ could not be read, naming the reason', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ fds: null, fdCount: null, unreadable: { fds: 'EACCES' }, auditorUid: 1000 }),
      );
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('fds unreadable (EACCES)');
      expect(messageId).toBe('unreadable');
      expect(data.fact).toBe('fds');
      expect(data.reason).toMatch(/^permission denied/);
    });

    // Was a bug: a regular file whose stat() failed (mode null: a FUSE mount denying even root, a capture without
    // fd/N.stat) is dropped from the count and the row passes ("0 regular file(s), none o+w"). checklist.md:
    // evidence that could not be read makes a row unknown, and the brief: never pass.
    it("does not pass when an open regular file's mode could not be read", () => {
      const { row, messageId, data } = checkMessage(
        ID,
        withFds(makeFile(3, '/mnt/fuse/state.db', { mode: null, dev: null, ino: null })),
      );
      expect(row.status).not.toBe('pass');
      expect(row.status).toBe('unknown');
      expect({ messageId, data }).toEqual({ messageId: 'notStatted', data: { fds: 'fd 3 /mnt/fuse/state.db' } });
    });
  });

  describe('edge cases', () => {
    it('still warns on a world-writable file beside one whose mode is unknown', () => {
      const row = runCheck(
        ID,
        withFds(makeFile(3, '/x', { mode: null }), makeFile(4, '/run/app.pid', { mode: 0o100666 })),
      );
      expect(row).toMatchObject({ status: 'warn', observed: 'fd 4 666' });
    });

    it('a deleted world-writable file still counts', () => {
      const { row, data } = checkMessage(ID, withFds(makeFile(3, '/tmp/x (deleted)', { mode: 0o100666 })));
      expect(row.status).toBe('warn');
      expect(data.files).toEqual([{ messageId: 'worldWritable', data: { target: '/tmp/x (deleted)', mode: '0666' } }]);
    });
  });
});
