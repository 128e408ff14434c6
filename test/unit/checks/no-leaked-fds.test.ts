/** no-leaked-fds: no fd >= 3 inherited from the launcher; a locked pidfile is fine (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, judgeCheck, listOf, runCheck, expectUnknownWhenUnreadable } from '../../helpers/check.js';
import {
  makeFd,
  makeFile,
  makeLock,
  makePeer,
  makeRelated,
  makeSnapshot,
  makeStat,
  makeTerminalFd,
  withFds,
} from '../../helpers/snapshot.js';

const ID = 'no-leaked-fds';

describe(ID, () => {
  describe('valid', () => {
    it('passes with nothing above fd 2', () => {
      const { row, messageId, data } = checkMessage(ID, makeSnapshot());
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'warning',
        observed: 'none',
        expected: 'no inherited fds >= 3',
      });
      expect({ messageId, data }).toEqual({ messageId: 'noneInherited', data: { count: 0, capped: [] } });
    });

    it('passes a write-locked pidfile (fdinfo lock line), marking it locked', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        withFds(makeFile(3, '/run/app.pid', { locks: [makeLock({ kind: 'FLOCK', pid: 4000 })] })),
      );
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('3:file(locked)');
      expect({ messageId, data }).toEqual({ messageId: 'noneInherited', data: { count: 1, capped: [] } });
    });

    it('marks a file locked through a /proc/locks entry on its dev:inode', () => {
      const snap = withFds(makeFile(3, '/run/app.pid', { flags: null, cloexec: null }));
      snap.locks = [makeLock({ pid: 4242, dev: '8:1', ino: 1003 })];
      const row = runCheck(ID, snap);
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('3:file(locked)');
    });

    it('passes its own listening socket and a plain log file, listing each with its type', () => {
      const row = runCheck(
        ID,
        withFds(
          makeFd(3, 'socket:[100]'),
          makeFile(4, '/var/log/app.log'),
          makeFd(5, 'anon_inode:[eventpoll]', { type: 'anon' }),
        ),
      );
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('3:socket 4:file 5:anon');
    });

    it('passes a pipe shared with its own worker (a descendant)', () => {
      const snap = withFds(makeFd(3, 'pipe:[900]'));
      snap.descendants = [4300];
      snap.peers = { 'pipe:[900]': [makePeer(4300, 'worker', [4], { session: 4241 })] };
      expect(runCheck(ID, snap).status).toBe('pass');
    });

    it("passes a pipe to a logger in the daemon's own session", () => {
      const snap = withFds(makeFd(3, 'pipe:[900]'));
      const logger = makeStat({ pid: 4300, comm: 'logger', ppid: 1, session: 4241, pgrp: 4241 });
      snap.sessionMembers = [snap.stat, logger];
      snap.peers = { 'pipe:[900]': [makePeer(4300, 'logger', [0], { session: 4241 })] };
      expect(runCheck(ID, snap).status).toBe('pass');
    });
  });

  describe('invalid', () => {
    it('warns on a terminal above fd 2', () => {
      const { row, messageId, data } = checkMessage(ID, withFds(makeTerminalFd(3, '/dev/pts/1')));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('3:char');
      expect({ messageId, data }).toEqual({
        messageId: 'leaks',
        data: { leaks: [{ messageId: 'terminal', data: { fd: 3, target: '/dev/pts/1' } }], possibly: [], capped: [] },
      });
    });

    it("warns on bash's private fd 255", () => {
      const { row, messageId, data } = checkMessage(ID, withFds(makeFile(255, '/home/alice/start.sh')));
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({
        messageId: 'leaks',
        data: { leaks: [{ messageId: 'bashFd', data: { target: '/home/alice/start.sh' } }], possibly: [], capped: [] },
      });
    });

    it('warns on a deleted file', () => {
      const { row, messageId, data } = checkMessage(ID, withFds(makeFile(4, '/tmp/build.log (deleted)')));
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({
        messageId: 'leaks',
        data: {
          leaks: [{ messageId: 'deleted', data: { fd: 4, target: '/tmp/build.log (deleted)' } }],
          possibly: [],
          capped: [],
        },
      });
    });

    it('warns on a pipe also held by a process outside its tree (the CI step that hangs), naming it', () => {
      const snap = withFds(makeFd(5, 'pipe:[900]'));
      snap.peers = { 'pipe:[900]': [makePeer(10, 'Runner.Worker', [7, 8])] };
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('5:pipe');
      expect({ messageId, data }).toEqual({
        messageId: 'leaks',
        data: {
          leaks: [
            { messageId: 'heldOutside', data: { fd: 5, target: 'pipe:[900]', holders: 'Runner.Worker (10) fd 7,8' } },
          ],
          possibly: [],
          capped: [],
        },
      });
    });

    it('warns on an outside holder even when it is no launcher (another daemon holding the socket)', () => {
      const snap = withFds(makeFd(6, 'socket:[42]'));
      snap.peers = { 'socket:[42]': [makePeer(300, 'rsyslogd', [3])] };
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      expect(messageId).toBe('leaks');
      expect(listOf(data.leaks)[0]!.data!.holders).toContain('rsyslogd (300) fd 3');
    });

    it('lists every leak, joined', () => {
      const { row, messageId, data } = checkMessage(ID, withFds(makeTerminalFd(3), makeFile(4, '/tmp/x (deleted)')));
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({
        messageId: 'leaks',
        data: {
          leaks: [
            { messageId: 'terminal', data: { fd: 3, target: '/dev/pts/0' } },
            { messageId: 'deleted', data: { fd: 4, target: '/tmp/x (deleted)' } },
          ],
          possibly: [],
          capped: [],
        },
      });
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when fd/ could not be read, naming the reason', () => {
      expectUnknownWhenUnreadable(ID, 'fds');
    });

    it('as root, says even root was denied', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ fds: null, unreadable: { fds: 'EPERM' }, auditorUid: 0 }),
      );
      expect(row.status).toBe('unknown');
      expect(messageId).toBe('unreadable');
      expect(data.reason).toContain('permission denied even to root');
    });
  });

  describe('edge cases', () => {
    it("a socket on fd 255 is not bash's descriptor", () => {
      expect(runCheck(ID, withFds(makeFd(255, 'socket:[5]'))).status).toBe('pass');
    });

    it('says when only the first fds were examined (fdsTruncated)', () => {
      const snap = withFds(makeFd(3, 'socket:[1]'));
      snap.fdCount = 100_000;
      snap.fdsTruncated = true;
      const pass = checkMessage(ID, snap);
      expect(pass.row.status).toBe('pass');
      expect(pass.data.capped).toEqual([{ messageId: 'capped', data: { examined: 4, total: '100000' } }]);
      snap.fds!.push(makeTerminalFd(4));
      const warn = checkMessage(ID, snap);
      expect(warn.row.status).toBe('warn');
      expect(warn.data).toEqual({
        leaks: [{ messageId: 'terminal', data: { fd: 4, target: '/dev/pts/0' } }],
        possibly: [],
        capped: [{ messageId: 'capped', data: { examined: 5, total: '100000' } }],
      });
    });

    it('shows the first eight fds in observed and counts the rest', () => {
      const extra = Array.from({ length: 10 }, (_, i) => makeFd(3 + i, `socket:[${i}]`));
      const { row, data } = checkMessage(ID, withFds(...extra));
      expect(row.observed).toBe('3:socket 4:socket 5:socket 6:socket 7:socket 8:socket 9:socket 10:socket +2');
      expect(data.count).toBe(10);
    });

    it('a FIFO held outside counts like a pipe', () => {
      const snap = withFds(makeFd(3, '/run/ctl.fifo', { type: 'fifo', objectKey: '/run/ctl.fifo' }));
      snap.peers = { '/run/ctl.fifo': [makePeer(100, 'bash', [9])] };
      expect(checkMessage(ID, snap).data.leaks).toEqual([
        { messageId: 'heldOutside', data: { fd: 3, target: '/run/ctl.fifo', holders: 'bash (100) fd 9' } },
      ]);
    });

    it("a supervisor's log pipe is inside under the managed profile, a leak under --profile sysv", () => {
      const runsv = makeStat({ pid: 50, comm: 'runsv', ppid: 49, session: 50, pgrp: 50 });
      const snap = withFds(makeFd(3, 'pipe:[77]'));
      snap.stat.ppid = 50;
      snap.parent = makeRelated(runsv, ['runsv', 'app']);
      snap.ancestors = [runsv];
      snap.peers = { 'pipe:[77]': [makePeer(50, 'runsv', [6])] };
      const managed = judgeCheck(ID, snap);
      expect(managed.profile).toBe('managed');
      expect(managed.row.status).toBe('pass');
      const sysv = checkMessage(ID, snap, { profile: 'sysv' });
      expect(sysv.row.status).toBe('warn');
      expect(sysv.data.leaks).toEqual([
        { messageId: 'heldOutside', data: { fd: 3, target: 'pipe:[77]', holders: 'runsv (50) fd 6' } },
      ]);
    });

    it("a session member is not inside when a shell leads the session (not a daemon's session)", () => {
      const snap = withFds(makeFd(3, 'pipe:[900]'));
      const bash = makeStat({ pid: 4241, comm: 'bash', ppid: 1, session: 4241, pgrp: 4241 });
      const cat = makeStat({ pid: 4300, comm: 'cat', ppid: 4241, session: 4241, pgrp: 4300 });
      snap.sessionLeader = makeRelated(bash, ['-bash']);
      snap.sessionMembers = [bash, snap.stat, cat];
      snap.peers = { 'pipe:[900]': [makePeer(4300, 'cat', [0], { session: 4241 })] };
      expect(runCheck(ID, snap).status).toBe('warn');
    });

    it('a POSIX lock held by another pid does not mark the fd locked', () => {
      const snap = withFds(makeFile(3, '/run/app.pid', { flags: null }));
      snap.locks = [makeLock({ pid: 999 })];
      expect(runCheck(ID, snap).observed).toBe('3:file');
    });
  });
});
