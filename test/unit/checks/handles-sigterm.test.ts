/** handles-sigterm: SIGTERM is caught (status SigCgt); info severity (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck, expectUnknownWhenUnreadable } from '../../helpers/check.js';
import { makeSnapshot, makeStatus, sigmask, withStatus } from '../../helpers/snapshot.js';

const ID = 'handles-sigterm';

const SIGINT = sigmask(2);
const SIGTERM = sigmask(15);

describe(ID, () => {
  describe('valid', () => {
    it('passes when SIGTERM is caught', () => {
      const { row, messageId } = checkMessage(ID, withStatus({ sigCgt: SIGTERM }));
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'info',
        observed: 'SIGTERM caught',
        expected: 'SIGTERM caught or waited for',
      });
      expect(messageId).toBe('caught');
    });

    it('passes with a 64-bit caught mask that includes SIGTERM (Go and Node catch real-time signals too)', () => {
      expect(runCheck(ID, withStatus({ sigCgt: 0xfffffffe7fc1feffn })).status).toBe('pass');
    });
  });

  describe('invalid', () => {
    it('is info when SIGTERM keeps its default action (dies without cleanup)', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({}));
      expect(row).toMatchObject({ status: 'info', severity: 'info', observed: 'default action' });
      expect(messageId).toBe('notHandled');
      expect(data.why).toBe(
        'SIGTERM has its default action: it ends at once, without any cleanup (a pidfile or socket stays behind).',
      );
    });

    it('is info when only SIGINT is caught', () => {
      expect(runCheck(ID, withStatus({ sigCgt: SIGINT })).observed).toBe('default action');
    });

    it('says when SIGTERM is ignored: only SIGKILL stops it', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ sigIgn: SIGTERM }));
      expect(row).toMatchObject({ status: 'info', observed: 'SIGTERM ignored' });
      expect({ messageId, data }).toEqual({
        messageId: 'notHandled',
        data: { why: 'It ignores SIGTERM: only SIGKILL stops it.' },
      });
    });

    it('as the init of a pid namespace with the default action, says SIGTERM leaves it running', () => {
      const { row, messageId, data } = checkMessage(ID, makeSnapshot({ status: makeStatus({ nspid: [4242, 1] }) }));
      expect(row.status).toBe('info');
      expect(messageId).toBe('notHandled');
      expect(data.why).toMatch(
        /init of its pid namespace .* the kernel drops signals with the default action for a namespace's init/,
      );
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when status could not be read, naming the reason', () => {
      expectUnknownWhenUnreadable(ID, 'status');
    });

    it('is unknown when SigCgt is missing or garbled', () => {
      expect(runCheck(ID, withStatus({ sigCgt: null })).status).toBe('unknown');
    });
  });

  describe('edge cases', () => {
    it('with SigIgn unreadable, what SIGTERM does is unknown (it may be ignored)', () => {
      expect(runCheck(ID, withStatus({ sigIgn: null })).status).toBe('unknown');
    });

    it('passes when SIGTERM is blocked and taken with sigtimedwait (tini)', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ status: makeStatus({ sigBlk: SIGTERM }), wchan: 'do_sigtimedwait.isra.0' }),
      );
      expect(row).toMatchObject({ status: 'pass', observed: 'SIGTERM waited for' });
      expect(messageId).toBe('waited');
      expect(data.waits).toContain('sigtimedwait');
    });

    it('never changes its severity (info)', () => {
      expect(runCheck(ID, withStatus({ sigIgn: SIGTERM }), { pidfile: '/run/x.pid', expectUmask: 0o22 }).severity).toBe(
        'info',
      );
    });
  });
});
