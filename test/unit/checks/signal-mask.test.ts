/** signal-mask: SigBlk = 0, SIGTERM/SIGINT not ignored; an ignored SIGHUP is noted as nohup (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, listOf, runCheck, expectUnknownWhenUnreadable } from '../../helpers/check.js';
import { sigmask, withStatus } from '../../helpers/snapshot.js';

const ID = 'signal-mask';

/** Bit N-1 is signal N. */
const SIGHUP = sigmask(1);
const SIGINT = sigmask(2);
const SIGPIPE = sigmask(13);
const SIGTERM = sigmask(15);

describe(ID, () => {
  describe('valid', () => {
    it('passes with nothing blocked or ignored', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({}));
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'warning',
        observed: 'SigBlk 0 SigIgn 0',
      });
      expect({ messageId, data }).toEqual({ messageId: 'noneBlocked', data: { hup: [] } });
      expect(row.expected).toBe('nothing blocked; SIGTERM/SIGINT not ignored');
    });

    it('passes with SIGPIPE ignored (only SIGTERM and SIGINT matter)', () => {
      const row = runCheck(ID, withStatus({ sigIgn: SIGPIPE }));
      expect(row).toMatchObject({ status: 'pass', observed: 'SigBlk 0 SigIgn 1000' });
    });

    it('passes with SIGHUP ignored but notes it as a sign of nohup', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ sigIgn: SIGHUP }));
      expect(row.status).toBe('pass');
      expect({ messageId, data }).toEqual({ messageId: 'noneBlocked', data: { hup: [{ messageId: 'hupIgnored' }] } });
    });
  });

  describe('invalid', () => {
    it('warns on a blocked SIGTERM', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ sigBlk: SIGTERM }));
      expect(row).toMatchObject({ status: 'warn', observed: 'SigBlk 4000 SigIgn 0' });
      expect({ messageId, data }).toEqual({
        messageId: 'problems',
        data: { problems: [{ messageId: 'blockedSignals', data: { signals: 'SIGTERM' } }], hup: [] },
      });
    });

    it('warns on an ignored SIGTERM', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ sigIgn: SIGTERM }));
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({
        messageId: 'problems',
        data: { problems: [{ messageId: 'ignoredSignals', data: { signals: 'SIGTERM' } }], hup: [] },
      });
    });

    it("warns on an ignored SIGINT, noting a nohup'd SIGHUP too (a background job of a script under nohup)", () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ sigIgn: SIGHUP | SIGINT }));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('SigBlk 0 SigIgn 3');
      expect({ messageId, data }).toEqual({
        messageId: 'problems',
        data: {
          problems: [{ messageId: 'ignoredSignals', data: { signals: 'SIGINT' } }],
          hup: [{ messageId: 'hupIgnored' }],
        },
      });
    });

    it('lists blocked and ignored together', () => {
      const { data } = checkMessage(ID, withStatus({ sigBlk: SIGHUP | SIGPIPE, sigIgn: SIGTERM | SIGINT }));
      expect(data.problems).toEqual([
        { messageId: 'blockedSignals', data: { signals: 'SIGHUP SIGPIPE' } },
        { messageId: 'ignoredSignals', data: { signals: 'SIGTERM SIGINT' } },
      ]);
      expect(data.hup).toEqual([]);
    });

    it('names real-time signals in the upper half of a 64-bit mask', () => {
      const { row, data } = checkMessage(ID, withStatus({ sigBlk: SIGTERM | sigmask(34) | sigmask(35) | sigmask(64) }));
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('SigBlk 8000000600004000 SigIgn 0');
      expect(data).toEqual({
        problems: [{ messageId: 'blockedSignals', data: { signals: 'SIGTERM SIGRTMIN SIGRTMIN+1 SIGRTMAX' } }],
        hup: [],
      });
    });

    it('warns on a fully blocked mask', () => {
      const { row, data } = checkMessage(ID, withStatus({ sigBlk: 0xfffffffffffffffen }));
      expect(row.status).toBe('warn');
      const [blocked] = listOf(data.problems);
      expect(blocked!.messageId).toBe('blockedSignals');
      expect(blocked!.data!.signals).toMatch(/^SIGINT SIGQUIT .*SIGRTMAX$/);
      expect(blocked!.data!.signals).not.toContain('SIGHUP');
      expect(data.hup).toEqual([]);
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when status could not be read, naming the reason', () => {
      expectUnknownWhenUnreadable(ID, 'status');
    });

    it('is unknown when SigBlk is missing or garbled', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ sigBlk: null }));
      expect(row.status).toBe('unknown');
      expect(messageId).toBe('unreadable');
      expect(data.fact).toBe('status');
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
      const { row, data } = checkMessage(ID, withStatus({ sigBlk: SIGHUP }));
      expect(row.status).toBe('warn');
      expect(data).toEqual({ problems: [{ messageId: 'blockedSignals', data: { signals: 'SIGHUP' } }], hup: [] });
    });
  });
});
