/** umask: status Umask is 0022 or 0, or exactly --expect-umask (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, judgeCheck, runCheck, expectUnknownWhenUnreadable } from '../../helpers/check.js';
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
      const { row, messageId } = checkMessage(ID, withUmask(0));
      expect(row).toMatchObject({ status: 'pass', severity: 'warning', observed: '0000', expected: '0022 or 0000' });
      expect(messageId).toBe('zero');
    });

    it("passes 0022, systemd's UMask= default and most distributions', by default (sysv)", () => {
      const { row, messageId } = checkMessage(ID, withUmask(0o022));
      expect(row).toMatchObject({ status: 'pass', observed: '0022', expected: '0022 or 0000' });
      expect(messageId).toBe('usual');
    });

    it('passes the mask given with --expect-umask', () => {
      const row = runCheck(ID, withUmask(0o027), { expectUmask: 0o027 });
      expect(row).toMatchObject({ status: 'pass', observed: '0027', expected: '0027' });
    });

    it("passes 0022 under the managed profile (the service manager's default)", () => {
      const { row, profile, messageId } = judgeCheck(ID, supervised(0o022));
      expect(profile).toBe('managed');
      expect(row).toMatchObject({ status: 'pass', observed: '0022', expected: '0022 or 0000' });
      expect(messageId).toBe('usual');
    });

    it('passes 0 under the managed profile too', () => {
      expect(runCheck(ID, supervised(0))).toMatchObject({ status: 'pass', expected: '0022 or 0000' });
    });
  });

  describe('invalid', () => {
    it("warns on a user's private 0077, naming what it denies", () => {
      const { row, messageId, data } = checkMessage(ID, withUmask(0o077));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('0077');
      expect(row.expected).toBe('0022 or 0000');
      expect({ messageId, data }).toEqual({
        messageId: 'inheritedMeaning',
        data: { got: '0077', meaning: 'it denies read and execute to group and others', expected: '0022 or 0000' },
      });
    });

    it('warns on 0002, naming what it allows; on 0007, both', () => {
      expect(checkMessage(ID, withUmask(0o002)).data).toEqual({
        got: '0002',
        meaning: 'it allows write to group',
        expected: '0022 or 0000',
      });
      expect(checkMessage(ID, withUmask(0o007)).data).toEqual({
        got: '0007',
        meaning: 'it denies read and execute to others; it allows write to group',
        expected: '0022 or 0000',
      });
    });

    it('warns when the mask differs from --expect-umask', () => {
      const { row, messageId, data } = checkMessage(ID, withUmask(0), { expectUmask: 0o077 });
      expect(row).toMatchObject({ status: 'warn', observed: '0000', expected: '0077' });
      expect({ messageId, data }).toEqual({ messageId: 'inherited', data: { got: '0000', expected: '0077' } });
    });

    it('warns on 0077 under the managed profile', () => {
      expect(runCheck(ID, supervised(0o077))).toMatchObject({ status: 'warn', expected: '0022 or 0000' });
    });

    it('holds a managed service to an explicit --expect-umask 0: 0022 warns', () => {
      expect(runCheck(ID, supervised(0o022), { expectUmask: 0 })).toMatchObject({ status: 'warn', expected: '0000' });
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when status could not be read, naming the reason', () => {
      expectUnknownWhenUnreadable(ID, 'status', '0022 or 0000');
    });

    it('shows the --expect-umask value as expected when unknown', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ status: null, unreadable: { status: 'ENOENT' } }),
        { expectUmask: 0o022 },
      );
      expect(row.status).toBe('unknown');
      expect(row.expected).toBe('0022');
      expect(messageId).toBe('unreadable');
      expect(data.reason).toContain('not present');
    });

    it('is unknown when status has no Umask line (zombie, kernel < 4.7)', () => {
      const { row, messageId } = checkMessage(ID, withUmask(null));
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('no Umask line');
      expect(messageId).toBe('noUmaskLine');
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
