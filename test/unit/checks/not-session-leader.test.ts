/** not-session-leader: pid != sid, the second fork done; sysv only (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, judgeCheck, runCheck } from '../../helpers/check.js';
import { makeRelated, makeSnapshot, makeStat } from '../../helpers/snapshot.js';

const ID = 'not-session-leader';

/** A setsid'd process leading session 500 (pid = sid). */
function leader() {
  return makeSnapshot({ pid: 500, stat: { session: 500, pgrp: 500 } });
}

describe(ID, () => {
  describe('valid', () => {
    it('passes after the second fork (pid != sid)', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot());
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'warning',
        observed: 'pid 4242, sid 4241',
        expected: 'pid != sid',
      });
      expect(messageId).toBe('notLeader');
    });
  });

  describe('invalid', () => {
    it('warns when it leads its own session (a single fork + setsid)', () => {
      const { row, messageId } = checkMessage(ID, leader());
      expect(row.status).toBe('warn');
      expect(row.severity).toBe('warning');
      expect(row.observed).toBe('pid 500 = sid 500');
      expect(messageId).toBe('leader');
    });
  });

  describe('unknown', () => {
    // It reads stat only, which every snapshot has: other facts missing change nothing.
    it('decides from stat even when status and fds are unreadable', () => {
      const snap = leader();
      snap.status = null;
      snap.fds = null;
      snap.unreadable = { status: 'EACCES', fds: 'EACCES' };
      expect(runCheck(ID, snap).status).toBe('warn');
    });
  });

  describe('edge cases', () => {
    it('is skipped under the managed profile (a supervised child of runsv leads its own session by design)', () => {
      const runsv = makeStat({ pid: 50, comm: 'runsv', ppid: 49, session: 50, pgrp: 50 });
      const snap = makeSnapshot({ pid: 500, stat: { ppid: 50, session: 500, pgrp: 500 } });
      snap.parent = makeRelated(runsv, ['runsv', 'app']);
      const { row, profile, messageId } = judgeCheck(ID, snap);
      expect(profile).toBe('managed');
      expect(row).toMatchObject({ status: 'skip', severity: 'warning', observed: '-', expected: '-' });
      expect(messageId).toBe('managedSkip');
    });

    it('is skipped when the cgroup names a .service unit', () => {
      const snap = leader();
      snap.cgroup = [{ hierarchy: '0', controllers: '', path: '/system.slice/app.service' }];
      expect(runCheck(ID, snap).status).toBe('skip');
    });

    it('is skipped with --profile managed, and judged again with --profile sysv', () => {
      expect(runCheck(ID, leader(), { profile: 'managed' }).status).toBe('skip');
      const runsv = makeStat({ pid: 50, comm: 'runsv', ppid: 49, session: 50, pgrp: 50 });
      const snap = makeSnapshot({ pid: 500, stat: { ppid: 50, session: 500, pgrp: 500 } });
      snap.parent = makeRelated(runsv, ['runsv', 'app']);
      expect(runCheck(ID, snap, { profile: 'sysv' }).status).toBe('warn');
    });

    it('a user-session scope (session-3.scope) does not make it managed: still judged', () => {
      const snap = leader();
      snap.cgroup = [{ hierarchy: '0', controllers: '', path: '/user.slice/user-1000.slice/session-3.scope' }];
      const { row, profile } = judgeCheck(ID, snap);
      expect(profile).toBe('sysv');
      expect(row.status).toBe('warn');
    });

    it("is skipped for a container's init (last NSpid 1)", () => {
      const snap = leader();
      snap.status!.nspid = [500, 1];
      expect(runCheck(ID, snap).status).toBe('skip');
    });
  });
});
