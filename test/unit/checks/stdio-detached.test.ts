/** stdio-detached: fds 0-2 open and not a terminal; a launcher's pipe warns (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, judgeCheck, listOf, runCheck, expectUnknownWhenUnreadable } from '../../helpers/check.js';
import {
  devNullFd,
  makeFd,
  makeFile,
  makePeer,
  makeRelated,
  makeSnapshot,
  makeStat,
  makeTerminalFd,
  ptsTtyNr,
} from '../../helpers/snapshot.js';
import type { FdEntry } from '../../../src/proc/fd.js';

const ID = 'stdio-detached';

/** The default daemon with fds 0-2 replaced. */
function withStdio(fd0: FdEntry | null, fd1: FdEntry | null, fd2: FdEntry | null) {
  const fds = [fd0, fd1, fd2].filter((f): f is FdEntry => f !== null);
  return makeSnapshot({ fds, fdCount: fds.length });
}

describe(ID, () => {
  describe('valid', () => {
    it('passes with 0-2 on /dev/null, listing each', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot());
      expect(row).toMatchObject({ status: 'pass', severity: 'critical', expected: '/dev/null, a file or a logger' });
      expect(row.observed).toBe('0:/dev/null 1:/dev/null 2:/dev/null');
      expect(messageId).toBe('detached');
    });

    it('passes with stdout and stderr on a log file', () => {
      const row = runCheck(
        ID,
        withStdio(devNullFd(0), makeFile(1, '/var/log/app.log'), makeFile(2, '/var/log/app.log')),
      );
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('0:/dev/null 1:/var/log/app.log 2:/var/log/app.log');
    });

    it("passes with stdout on a pipe to a logger in the daemon's own session", () => {
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[777]'), makeFd(2, 'pipe:[777]'));
      const logger = makeStat({ pid: 4300, comm: 'logger', ppid: 1, session: 4241, pgrp: 4241 });
      snap.sessionMembers = [snap.stat, logger];
      snap.peers = { 'pipe:[777]': [makePeer(4300, 'logger', [0], { session: 4241 })] };
      const row = runCheck(ID, snap);
      expect(row.status).toBe('pass');
      expect(row.observed).toContain('1:pipe:[777]');
    });

    it("passes a pipe held by a shell in the daemon's own session (a helper of the daemon, not its launcher)", () => {
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[777]'), devNullFd(2));
      const helper = makeStat({ pid: 4300, comm: 'sh', ppid: 1, session: 4241, pgrp: 4300 });
      snap.sessionMembers = [snap.stat, helper];
      snap.peers = { 'pipe:[777]': [makePeer(4300, 'sh', [0], { session: 4241 })] };
      expect(runCheck(ID, snap).status).toBe('pass');
    });

    it('passes with a socket to a logging daemon that is not a launcher (journald)', () => {
      const snap = withStdio(devNullFd(0), makeFd(1, 'socket:[555]'), makeFd(2, 'socket:[555]'));
      snap.peers = { 'socket:[555]': [makePeer(300, 'systemd-journal', [12])] };
      expect(runCheck(ID, snap).status).toBe('pass');
    });

    it('passes a pipe also held by its own child, even a shell (inside its own tree)', () => {
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[777]'), devNullFd(2));
      snap.descendants = [4300];
      snap.peers = { 'pipe:[777]': [makePeer(4300, 'sh', [1], { session: 4241 })] };
      expect(runCheck(ID, snap).status).toBe('pass');
    });
  });

  describe('invalid', () => {
    it('fails when stdout is a pty', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        withStdio(devNullFd(0), makeTerminalFd(1, '/dev/pts/3'), devNullFd(2)),
      );
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('0:/dev/null 1:/dev/pts/3 2:/dev/null');
      expect({ messageId, data }).toEqual({
        messageId: 'problems',
        data: { problems: [{ messageId: 'terminal', data: { name: 'stdout', target: '/dev/pts/3' } }] },
      });
    });

    it('fails when stdin is the console', () => {
      const { row, data } = checkMessage(ID, withStdio(makeTerminalFd(0, '/dev/console'), devNullFd(1), devNullFd(2)));
      expect(row.status).toBe('fail');
      expect(data.problems).toContainEqual({ messageId: 'terminal', data: { name: 'stdin', target: '/dev/console' } });
    });

    it('warns when stdin is closed (the next open() becomes fd 0)', () => {
      const { row, messageId, data } = checkMessage(ID, withStdio(null, devNullFd(1), devNullFd(2)));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('0:closed 1:/dev/null 2:/dev/null');
      expect({ messageId, data }).toEqual({
        messageId: 'problems',
        data: { problems: [{ messageId: 'closed', data: { name: 'stdin', fd: 0 } }] },
      });
    });

    it('warns when a pipe on stdout is also held by an interactive shell (a launcher), naming it', () => {
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[777]'), devNullFd(2));
      snap.peers = { 'pipe:[777]': [makePeer(100, 'bash', [3], { ttyNr: ptsTtyNr(0), session: 100 })] };
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({
        messageId: 'problems',
        data: {
          problems: [
            { messageId: 'heldOutside', data: { name: 'stdout', target: 'pipe:[777]', holders: 'bash (100) fd 3' } },
          ],
        },
      });
    });

    it("warns when that same session member is a shell and the session is a script's, not a daemon's", () => {
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[777]'), devNullFd(2));
      const leader = makeStat({ pid: 4241, comm: 'sh', ppid: 1, session: 4241, pgrp: 4241 });
      const helper = makeStat({ pid: 4300, comm: 'sh', ppid: 4241, session: 4241, pgrp: 4300 });
      snap.sessionLeader = makeRelated(leader, ['sh', './start.sh']);
      snap.sessionMembers = [leader, snap.stat, helper];
      snap.peers = { 'pipe:[777]': [makePeer(4300, 'sh', [0], { session: 4241 })] };
      const { row, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      expect(data.problems).toContainEqual(
        expect.objectContaining({
          messageId: 'heldOutside',
          data: expect.objectContaining({ holders: 'sh (4300) fd 0' }),
        }),
      );
    });

    it('warns when a CI job runner holds the pipe on stderr', () => {
      const snap = withStdio(devNullFd(0), devNullFd(1), makeFd(2, 'pipe:[888]'));
      snap.peers = { 'pipe:[888]': [makePeer(10, 'Runner.Worker', [7])] };
      const { row, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      expect(data.problems).toContainEqual({
        messageId: 'heldOutside',
        data: { name: 'stderr', target: 'pipe:[888]', holders: 'Runner.Worker (10) fd 7' },
      });
    });

    it('warns when stderr is a deleted file', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        withStdio(devNullFd(0), devNullFd(1), makeFile(2, '/tmp/out.log (deleted)')),
      );
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({
        messageId: 'problems',
        data: { problems: [{ messageId: 'deleted', data: { name: 'stderr', target: '/tmp/out.log (deleted)' } }] },
      });
    });

    it('fails when one fd is a terminal and another closed, listing both', () => {
      const { row, data } = checkMessage(ID, withStdio(null, makeTerminalFd(1, '/dev/pts/0'), devNullFd(2)));
      expect(row.status).toBe('fail');
      expect(data.problems).toContainEqual({ messageId: 'closed', data: { name: 'stdin', fd: 0 } });
      expect(data.problems).toContainEqual({ messageId: 'terminal', data: { name: 'stdout', target: '/dev/pts/0' } });
    });
    it('a closed or warned fd after a terminal does not soften the fail', () => {
      const snap = withStdio(makeTerminalFd(0), makeFd(1, 'pipe:[9]'), null);
      snap.peers = { 'pipe:[9]': [makePeer(100, 'bash', [3])] };
      const { row, data } = checkMessage(ID, snap);
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('0:/dev/pts/0 1:pipe:[9] 2:closed');
      expect(data.problems).toContainEqual({ messageId: 'closed', data: { name: 'stderr', fd: 2 } });
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when fd/ could not be read, naming the reason', () => {
      expectUnknownWhenUnreadable(ID, 'fds');
    });

    it('says scan did not read the fds (NOTREAD)', () => {
      const { row, messageId, data } = checkMessage(ID, makeSnapshot({ fds: null, unreadable: { fds: 'NOTREAD' } }));
      expect(row.status).toBe('unknown');
      expect(messageId).toBe('unreadable');
      expect(data.reason).toContain('scan judged this process from the process table alone');
    });

    it('is unknown when an fd links to something that is neither a path nor a kernel object', () => {
      const { row, data } = checkMessage(
        ID,
        withStdio(devNullFd(0), makeFd(1, 'garbage', { type: 'unknown' }), devNullFd(2)),
      );
      expect(row.status).toBe('unknown');
      expect(data.problems).toContainEqual({
        messageId: 'garbled',
        data: { name: 'stdout', fd: 1, target: '"garbage"' },
      });
    });

    it('stays unknown (not warn) with a garbled fd beside a closed one', () => {
      const { row, data } = checkMessage(ID, withStdio(null, makeFd(1, 'garbage', { type: 'unknown' }), devNullFd(2)));
      expect(row.status).toBe('unknown');
      expect(data.problems).toContainEqual({ messageId: 'closed', data: { name: 'stdin', fd: 0 } });
    });

    it('still fails on a terminal beside a garbled fd', () => {
      const row = runCheck(ID, withStdio(makeTerminalFd(0), makeFd(1, 'garbage', { type: 'unknown' }), devNullFd(2)));
      expect(row.status).toBe('fail');
    });
  });

  describe('edge cases', () => {
    it('an anon_inode target with an unknown type is judged, not garbled', () => {
      const row = runCheck(
        ID,
        withStdio(makeFd(0, 'anon_inode:[eventfd]', { type: 'unknown' }), devNullFd(1), devNullFd(2)),
      );
      expect(row.status).toBe('pass');
    });

    it('a pty master (/dev/ptmx, not a terminal) is not a terminal', () => {
      const row = runCheck(
        ID,
        withStdio(makeFd(0, '/dev/ptmx', { type: 'char', terminal: false }), devNullFd(1), devNullFd(2)),
      );
      expect(row.status).toBe('pass');
    });

    it('a FIFO on stdin held by a shell warns like a pipe', () => {
      const fifo = makeFd(0, '/run/app.fifo', { type: 'fifo', objectKey: '/run/app.fifo' });
      const snap = withStdio(fifo, devNullFd(1), devNullFd(2));
      snap.peers = { '/run/app.fifo': [makePeer(100, 'bash', [5])] };
      const { row, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      expect(data.problems).toContainEqual({
        messageId: 'heldOutside',
        data: { name: 'stdin', target: '/run/app.fifo', holders: 'bash (100) fd 5' },
      });
    });

    it('a holder on a terminal is a launcher, whatever its program', () => {
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[9]'), devNullFd(2));
      snap.peers = { 'pipe:[9]': [makePeer(120, 'less', [0], { ttyNr: ptsTtyNr(1) })] };
      expect(runCheck(ID, snap).status).toBe('warn');
    });

    it('a non-supervisor ancestor holding the pipe is a launcher (a python wrapper waiting on it)', () => {
      const py = makeStat({ pid: 200, comm: 'python3', ppid: 1, session: 200, pgrp: 200 });
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[9]'), devNullFd(2));
      snap.ancestors = [py];
      snap.peers = { 'pipe:[9]': [makePeer(200, 'python3', [4])] };
      const { row, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      expect(data.problems).toContainEqual(
        expect.objectContaining({ data: expect.objectContaining({ holders: 'python3 (200) fd 4' }) }),
      );
    });

    it('a supervisor ancestor holding the log pipe is not a launcher, even under --profile sysv', () => {
      const runsv = makeStat({ pid: 50, comm: 'runsv', ppid: 49, session: 50, pgrp: 50 });
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[9]'), devNullFd(2));
      snap.stat.ppid = 50;
      snap.parent = makeRelated(runsv, ['runsv', 'app']);
      snap.ancestors = [runsv];
      snap.peers = { 'pipe:[9]': [makePeer(50, 'runsv', [6])] };
      expect(runCheck(ID, snap, { profile: 'sysv' }).status).toBe('pass');
    });

    it('under the managed profile a wrapper ancestor holding the pipe is inside; under sysv it is the launcher', () => {
      const wrapper = makeStat({ pid: 200, comm: 'python3', ppid: 1, session: 200, pgrp: 200 });
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[9]'), devNullFd(2));
      snap.cgroup = [{ hierarchy: '0', controllers: '', path: '/system.slice/app.service' }];
      snap.ancestors = [wrapper];
      snap.peers = { 'pipe:[9]': [makePeer(200, 'python3', [4])] };
      const managed = judgeCheck(ID, snap);
      expect(managed.profile).toBe('managed');
      expect(managed.row.status).toBe('pass');
      expect(runCheck(ID, snap, { profile: 'sysv' }).status).toBe('warn');
    });

    it('names at most five holders and counts the rest; long fd lists are cut after four', () => {
      const snap = withStdio(devNullFd(0), makeFd(1, 'pipe:[9]'), devNullFd(2));
      snap.peers = {
        'pipe:[9]': [101, 102, 103, 104, 105, 106, 107].map((pid) =>
          makePeer(pid, 'bash', pid === 101 ? [1, 2, 3, 4, 5] : [1]),
        ),
      };
      const { row, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      const holders = String(listOf(data.problems)[0]!.data!.holders);
      expect(holders).toContain('bash (101) fd 1,2,3,4,…');
      expect(holders).toContain('bash (105) fd 1; and 2 more');
      expect(holders).not.toContain('bash (106)');
    });
  });
});
