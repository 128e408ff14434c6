/** signal-mask: SigBlk = 0, SIGTERM/SIGINT not ignored; an ignored SIGHUP is noted as nohup (checklist.md). */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../helpers/check.js';
import { makeSnapshot, sigmask, withStatus } from '../../helpers/snapshot.js';

const ID = 'signal-mask';

/** Bit N-1 is signal N. */
const SIGHUP = sigmask(1);
const SIGINT = sigmask(2);
const SIGPIPE = sigmask(13);
const SIGTERM = sigmask(15);

describe(ID, () => {
  describe('valid', () => {
    it('passes with nothing blocked or ignored', () => {
      const row = runCheck(ID, withStatus({}));
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'warning',
        observed: 'SigBlk 0 SigIgn 0',
        detail: 'no blocked signals',
      });
      expect(row.expected).toBe('nothing blocked; SIGTERM/SIGINT not ignored');
    });

    it('passes with SIGPIPE ignored (only SIGTERM and SIGINT matter)', () => {
      const row = runCheck(ID, withStatus({ sigIgn: SIGPIPE }));
      expect(row).toMatchObject({ status: 'pass', observed: 'SigBlk 0 SigIgn 1000' });
    });

    it('passes with SIGHUP ignored but notes it as a sign of nohup', () => {
      const row = runCheck(ID, withStatus({ sigIgn: SIGHUP }));
      expect(row.status).toBe('pass');
      expect(row.detail).toBe('no blocked signals (SIGHUP ignored: a sign of nohup)');
    });
  });

  describe('invalid', () => {
    it('warns on a blocked SIGTERM', () => {
      const row = runCheck(ID, withStatus({ sigBlk: SIGTERM }));
      expect(row).toMatchObject({ status: 'warn', observed: 'SigBlk 4000 SigIgn 0', detail: 'blocked: SIGTERM' });
    });

    it('warns on an ignored SIGTERM', () => {
      expect(runCheck(ID, withStatus({ sigIgn: SIGTERM }))).toMatchObject({
        status: 'warn',
        detail: 'ignored: SIGTERM',
      });
    });

    it("warns on an ignored SIGINT, noting a nohup'd SIGHUP too (a background job of a script under nohup)", () => {
      const row = runCheck(ID, withStatus({ sigIgn: SIGHUP | SIGINT }));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('SigBlk 0 SigIgn 3');
      expect(row.detail).toBe('ignored: SIGINT (SIGHUP ignored: a sign of nohup)');
    });

    it('lists blocked and ignored together', () => {
      const row = runCheck(ID, withStatus({ sigBlk: SIGHUP | SIGPIPE, sigIgn: SIGTERM | SIGINT }));
      expect(row.detail).toBe('blocked: SIGHUP SIGPIPE; ignored: SIGTERM SIGINT');
    });

    it('names real-time signals in the upper half of a 64-bit mask', () => {
      const row = runCheck(ID, withStatus({ sigBlk: SIGTERM | sigmask(34) | sigmask(35) | sigmask(64) }));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('SigBlk 8000000600004000 SigIgn 0');
      expect(row.detail).toBe('blocked: SIGTERM SIGRTMIN SIGRTMIN+1 SIGRTMAX');
    });

    it('warns on a fully blocked mask', () => {
      const row = runCheck(ID, withStatus({ sigBlk: 0xfffffffffffffffen }));
      expect(row.status).toBe('warn');
      expect(row.detail).toContain('blocked: SIGINT SIGQUIT');
      expect(row.detail).toContain('SIGRTMAX');
      expect(row.detail).not.toContain('SIGHUP');
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when status could not be read, naming the reason', () => {
      const row = runCheck(ID, makeSnapshot({ status: null, unreadable: { status: 'EACCES' }, auditorUid: 1000 }));
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('status unreadable (EACCES)');
      expect(row.detail).toContain('status: permission denied');
    });

    it('is unknown when SigBlk is missing or garbled', () => {
      const row = runCheck(ID, withStatus({ sigBlk: null }));
      expect(row.status).toBe('unknown');
      expect(row.detail).toMatch(/^status: /);
    });

    it('is unknown when SigIgn is missing, even with a blocked mask', () => {
      expect(runCheck(ID, withStatus({ sigBlk: SIGTERM, sigIgn: null })).status).toBe('unknown');
    });
  });

  describe('edge cases', () => {
    it('a caught SIGTERM (SigCgt) is no concern of this check', () => {
      expect(runCheck(ID, withStatus({ sigCgt: SIGTERM })).status).toBe('pass');
    });

    it('SIGHUP blocked is reported as blocked, not as nohup', () => {
      const row = runCheck(ID, withStatus({ sigBlk: SIGHUP }));
      expect(row).toMatchObject({ status: 'warn', detail: 'blocked: SIGHUP' });
    });
  });
});
