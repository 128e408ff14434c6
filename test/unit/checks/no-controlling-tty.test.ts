/** no-controlling-tty: stat tty_nr = 0 and tpgid = -1 (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck } from '../../helpers/check.js';
import { makeRelated, makeSnapshot, makeStat, ptsTtyNr, makeStatus } from '../../helpers/snapshot.js';
import { NO_MANAGER, nohupJob } from '../../helpers/situations.js';

const ID = 'no-controlling-tty';

describe(ID, () => {
  describe('valid', () => {
    it('passes for a double-forked daemon (tty_nr 0, tpgid -1)', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot());
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'critical',
        observed: 'none',
        expected: 'none',
      });
      expect(messageId).toBe('none');
    });

    it('passes for a supervised service too (not a sysv-only rule)', () => {
      const runsv = makeStat({ pid: 50, comm: 'runsv', ppid: 49, session: 50, pgrp: 50 });
      const snap = makeSnapshot({ pid: 51, stat: { ppid: 50, session: 51, pgrp: 51 } });
      snap.parent = makeRelated(runsv, ['runsv', 'app']);
      expect(runCheck(ID, snap).status).toBe('pass');
    });
  });

  describe('invalid', () => {
    it('fails when it has a controlling terminal, naming the device and tty_nr', () => {
      const snap = makeSnapshot({
        pid: 200,
        stat: { ppid: 100, session: 100, pgrp: 200, ttyNr: ptsTtyNr(0), tpgid: 100 },
        tty: '/dev/pts/0',
      });
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('/dev/pts/0');
      expect(row.expected).toBe('none');
      expect(messageId).toBe('terminal');
      expect(data).toMatchObject({ tty: '/dev/pts/0', ttyNr: 34816, tpgid: 100 });
      // No leader was read: what a hangup does is the fate model's to say, and it says it cannot tell.
      expect(data.hangup).toContain("what a hangup of the login's terminal does to it is unknown");
    });

    it("says when its process group is the terminal's foreground group (tpgid = pgrp)", () => {
      const snap = makeSnapshot({
        pid: 200,
        stat: { ppid: 100, session: 100, pgrp: 200, ttyNr: ptsTtyNr(3), tpgid: 200 },
        tty: '/dev/pts/3',
      });
      const { row, messageId } = checkMessage(ID, snap);
      expect(row.status).toBe('fail');
      expect(messageId).toBe('foreground');
    });

    it('fails on tty_nr even when the terminal has no foreground group (tpgid -1)', () => {
      const snap = makeSnapshot({ stat: { ttyNr: ptsTtyNr(1), tpgid: -1 }, tty: '/dev/pts/1' });
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('fail');
      expect(messageId).toBe('terminal');
      expect(data.tpgid).toBe(-1);
    });

    it('shows the raw tty_nr when the device has no name (no tty driver matched)', () => {
      const snap = makeSnapshot({ stat: { ttyNr: 1025, tpgid: 7 }, tty: null });
      const { row, data } = checkMessage(ID, snap);
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('tty_nr 1025');
      expect(data).toMatchObject({ tty: 1025, ttyNr: 1025, tpgid: 7 });
    });
  });

  describe('unknown', () => {
    // stat is the one fact every snapshot has (no stat, no audit): this row can never be unknown.
    it('decides from stat alone when status, fds, environ and cwd are unreadable', () => {
      const snap = makeSnapshot({
        status: null,
        fds: null,
        environ: null,
        cwd: null,
        fdCount: null,
        unreadable: { status: 'EACCES', fds: 'EACCES', environ: 'EACCES', cwd: 'EACCES' },
      });
      expect(runCheck(ID, snap).status).toBe('pass');
      const tty = makeSnapshot({
        stat: { ttyNr: ptsTtyNr(0), tpgid: 5 },
        tty: '/dev/pts/0',
        status: null,
        fds: null,
        unreadable: { status: 'EACCES', fds: 'EACCES' },
      });
      expect(runCheck(ID, tty).status).toBe('fail');
    });
  });

  describe('edge cases', () => {
    it('is skipped when ignored with --ignore', () => {
      const snap = makeSnapshot({ stat: { ttyNr: ptsTtyNr(0), tpgid: 5 }, tty: '/dev/pts/0' });
      const { row, messageId } = checkMessage(ID, snap, { ignore: [ID] });
      expect(row.status).toBe('skip');
      expect(messageId).toBe('ignored');
    });
  });
});

// A tie whose risk the fate model rules out warns (docs/checklist.md, "Severity, status, verdict").
describe(`${ID}: a nohup job, which the hangup and the shell's exit spare`, () => {
  it('warns, stating the fact and its remaining risk, not the fate', () => {
    const { row, messageId, data } = checkMessage(ID, nohupJob(['python3', 'app.py'], NO_MANAGER));
    expect(row).toMatchObject({ status: 'warn', severity: 'critical', observed: '/dev/pts/0' });
    expect(messageId).toBe('spared');
    expect(data).toMatchObject({ tty: '/dev/pts/0', tpgid: 900 });
    expect(row.detail).not.toMatch(/ends it/);
  });

  it('fails for the same job without nohup, which the hangup ends', () => {
    const snap = nohupJob(['python3', 'app.py'], NO_MANAGER, { status: makeStatus({ sigIgn: 0n }) });
    expect(runCheck(ID, snap).status).toBe('fail');
  });
});
