/** privileges: not root with a full capability set (status Uid, CapEff); info severity (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck, expectUnknownWhenUnreadable } from '../../helpers/check.js';
import { withStatus } from '../../helpers/snapshot.js';

const ID = 'privileges';

/** All 41 capabilities of Linux 5.9+. */
const FULL = 0x1ffffffffffn;
const CAP_NET_BIND_SERVICE = 1n << 10n;
const CAP_SYS_ADMIN = 1n << 21n;
const ROOT = [0, 0, 0, 0];

describe(ID, () => {
  describe('valid', () => {
    it('passes an unprivileged user', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({}));
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'info',
        observed: 'uid 1000/1000/1000/1000, CapEff 0000000000000000',
      });
      expect(row.expected).toBe('non-root, or reduced capabilities');
      expect({ messageId, data }).toEqual({ messageId: 'nonRoot', data: { euid: 1000 } });
    });

    it('passes root with a reduced capability set (CAP_NET_BIND_SERVICE only)', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ uid: ROOT, capEff: CAP_NET_BIND_SERVICE }));
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('uid 0/0/0/0, CapEff 0000000000000400');
      expect({ messageId, data }).toEqual({ messageId: 'reducedRoot', data: { count: 1 } });
    });

    it('judges the effective uid: a process that dropped euid to 1000 passes', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ uid: [0, 1000, 0, 1000], capEff: 0n }));
      expect(row.status).toBe('pass');
      expect({ messageId, data }).toEqual({ messageId: 'nonRoot', data: { euid: 1000 } });
    });
  });

  describe('invalid', () => {
    it('is info for root with CAP_SYS_ADMIN and the full set, counting the capabilities', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ uid: ROOT, capEff: FULL }));
      expect(row.status).toBe('info');
      expect(row.severity).toBe('info');
      expect(row.observed).toBe('uid 0/0/0/0, CapEff 000001ffffffffff');
      expect({ messageId, data }).toEqual({ messageId: 'fullRoot', data: { count: 41 } });
    });

    it('is info for root holding CAP_SYS_ADMIN alone', () => {
      const row = runCheck(ID, withStatus({ uid: ROOT, capEff: CAP_SYS_ADMIN }));
      expect(row).toMatchObject({
        status: 'info',
      });
    });

    it('is info for a setuid-root binary (ruid 1000, euid 0) with the full set', () => {
      expect(runCheck(ID, withStatus({ uid: [1000, 0, 0, 0], capEff: FULL })).status).toBe('info');
    });
  });

  describe('unknown', () => {
    it('is unknown, never pass, when status could not be read, naming the reason', () => {
      expectUnknownWhenUnreadable(ID, 'status');
    });

    it('is unknown when status has no Uid line', () => {
      expect(runCheck(ID, withStatus({ uid: [] })).status).toBe('unknown');
    });

    // Was a bug: a root process whose CapEff line is missing or garbled (capEff null) is taken to have no
    // capabilities and passes ("root, but with a reduced capability set (0)"). The evidence could not be
    // read: checklist.md makes that unknown, never a pass.
    it('is unknown, not pass, for root when CapEff could not be read', () => {
      const row = runCheck(ID, withStatus({ uid: ROOT, capEff: null }));
      expect(row.status).toBe('unknown');
    });
  });

  describe('edge cases', () => {
    it('a non-root process holding CAP_SYS_ADMIN (file capabilities) is not root: pass', () => {
      const row = runCheck(ID, withStatus({ capEff: CAP_SYS_ADMIN }));
      expect(row).toMatchObject({ status: 'pass', observed: 'uid 1000/1000/1000/1000, CapEff 0000000000200000' });
    });

    it('a status with a single Uid value uses it as the effective uid', () => {
      expect(runCheck(ID, withStatus({ uid: [0], capEff: FULL })).status).toBe('info');
    });

    it('a non-root process with unreadable CapEff passes on its uid alone', () => {
      const { row, messageId, data } = checkMessage(ID, withStatus({ capEff: null }));
      expect(row.status).toBe('pass');
      expect({ messageId, data }).toEqual({ messageId: 'nonRoot', data: { euid: 1000 } });
    });
  });
});
