/** umask: status Umask equals 0, or --expect-umask (checklist.md). */
import { describe, expect, it } from 'vitest';
import { judgeCheck, runCheck } from '../../helpers/check.js';
import { makeRelated, makeSnapshot, makeStat, makeStatus } from '../../helpers/snapshot.js';

const ID = 'umask';

function withUmask(umask: number | null) {
  return makeSnapshot({ status: makeStatus({ umask }) });
}

/** A child of runsv: the managed profile. */
function supervised(umask: number) {
  const runsv = makeStat({ pid: 50, comm: 'runsv', ppid: 49, session: 50, pgrp: 50 });
  const snap = makeSnapshot({ pid: 51, stat: { ppid: 50, session: 51, pgrp: 51 }, status: makeStatus({ umask }) });
  snap.parent = makeRelated(runsv, ['runsv', 'app']);
  return snap;
}

describe(ID, () => {
  describe('valid', () => {
    it('passes with umask 0 by default', () => {
      const row = runCheck(ID, withUmask(0));
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'warning',
        observed: '0000',
        expected: '0000',
        detail: 'umask 0000',
      });
    });

    it('passes the mask given with --expect-umask', () => {
      const row = runCheck(ID, withUmask(0o027), { expectUmask: 0o027 });
      expect(row).toMatchObject({ status: 'pass', observed: '0027', expected: '0027' });
    });

    it("passes 0022 under the managed profile (the service manager's default)", () => {
      const { row, profile } = judgeCheck(ID, supervised(0o022));
      expect(profile).toBe('managed');
      expect(row).toMatchObject({ status: 'pass', observed: '0022', expected: '0000 or 0022' });
      expect(row.detail).toContain('service manager default');
    });

    it('passes 0 under the managed profile too', () => {
      expect(runCheck(ID, supervised(0))).toMatchObject({ status: 'pass', expected: '0000' });
    });
  });

  describe('invalid', () => {
    it("warns on a user's inherited 0022 (sysv)", () => {
      const row = runCheck(ID, withUmask(0o022));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('0022');
      expect(row.expected).toBe('0000');
      expect(row.detail).toBe('umask 0022 was inherited or set; expected 0000');
    });

    it('warns when the mask differs from --expect-umask', () => {
      const row = runCheck(ID, withUmask(0), { expectUmask: 0o077 });
      expect(row).toMatchObject({ status: 'warn', observed: '0000', expected: '0077' });
    });

    it('warns on 0077 under the managed profile', () => {
      expect(runCheck(ID, supervised(0o077))).toMatchObject({ status: 'warn', expected: '0000' });
    });

    it('holds a managed service to an explicit --expect-umask 0: 0022 warns', () => {
      expect(runCheck(ID, supervised(0o022), { expectUmask: 0 })).toMatchObject({ status: 'warn', expected: '0000' });
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when status could not be read, naming the reason', () => {
      const row = runCheck(ID, makeSnapshot({ status: null, unreadable: { status: 'EACCES' }, auditorUid: 1000 }));
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('status unreadable (EACCES)');
      expect(row.expected).toBe('0000');
      expect(row.detail).toContain('status: permission denied');
    });

    it('shows the --expect-umask value as expected when unknown', () => {
      const row = runCheck(ID, makeSnapshot({ status: null, unreadable: { status: 'ENOENT' } }), {
        expectUmask: 0o022,
      });
      expect(row.status).toBe('unknown');
      expect(row.expected).toBe('0022');
      expect(row.detail).toContain('not present');
    });

    it('is unknown when status has no Umask line (zombie, kernel < 4.7)', () => {
      const row = runCheck(ID, withUmask(null));
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('no Umask line');
      expect(row.detail).toContain('a zombie, or a kernel older than 4.7');
    });
  });

  describe('edge cases', () => {
    it('--expect-umask 0022 under sysv: 0022 passes, 0 warns', () => {
      expect(runCheck(ID, withUmask(0o022), { expectUmask: 0o022 }).status).toBe('pass');
      expect(runCheck(ID, withUmask(0), { expectUmask: 0o022 }).status).toBe('warn');
    });

    it('formats a 3-digit mask as four octal digits', () => {
      expect(runCheck(ID, withUmask(0o7)).observed).toBe('0007');
    });
  });
});
