/** reaps-children: no child of the process is a zombie (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck } from '../../helpers/check.js';
import { makeSnapshot, makeStat } from '../../helpers/snapshot.js';

const ID = 'reaps-children';

function child(pid: number, state: string, comm = 'worker') {
  return makeStat({ pid, comm, state, ppid: 4242, session: 4241, pgrp: 4241 });
}

describe(ID, () => {
  describe('valid', () => {
    it('passes with no children', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot());
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'warning',
        observed: '0 children, no zombies',
        expected: 'no zombie children',
      });
      expect(messageId).toBe('noZombies');
    });

    it('passes with live children, counting them', () => {
      const row = runCheck(ID, makeSnapshot({ children: [child(4300, 'S'), child(4301, 'R'), child(4302, 'D')] }));
      expect(row).toMatchObject({ status: 'pass', observed: '3 children, no zombies' });
    });
  });

  describe('invalid', () => {
    it('warns on a zombie child, naming it', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ children: [child(4300, 'S'), child(4301, 'Z', 'helper')] }),
      );
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('1 zombie(s)');
      expect({ messageId, data }).toEqual({ messageId: 'zombies', data: { zombies: 'helper (4301)' } });
    });

    it('names the first ten zombies and marks the rest', () => {
      const zombies = Array.from({ length: 12 }, (_, i) => child(5000 + i, 'Z'));
      const { row, messageId, data } = checkMessage(ID, makeSnapshot({ children: zombies }));
      expect(row.observed).toBe('12 zombie(s)');
      expect(messageId).toBe('zombies');
      expect(data.zombies).toContain('worker (5009), ...');
      expect(data.zombies).not.toContain('5010');
    });

    it('lists exactly ten zombies without the ellipsis', () => {
      const zombies = Array.from({ length: 10 }, (_, i) => child(5000 + i, 'Z'));
      const { messageId, data } = checkMessage(ID, makeSnapshot({ children: zombies }));
      expect(messageId).toBe('zombies');
      expect(String(data.zombies).endsWith('worker (5009)')).toBe(true);
    });
  });

  describe('unknown', () => {
    // Children come from the process table every audit reads: nothing here is ever unreadable.
    it('judges from the process table even when status, fds and environ are unreadable', () => {
      const snap = makeSnapshot({
        children: [child(4301, 'Z')],
        status: null,
        fds: null,
        environ: null,
        unreadable: { status: 'EACCES', fds: 'EACCES', environ: 'EACCES' },
      });
      expect(runCheck(ID, snap).status).toBe('warn');
    });
  });

  describe('edge cases', () => {
    it('a dead (X) or stopped (T) child is not a zombie', () => {
      expect(runCheck(ID, makeSnapshot({ children: [child(4300, 'X'), child(4301, 'T')] })).status).toBe('pass');
    });

    it('applies under the managed profile too', () => {
      const snap = makeSnapshot({
        children: [child(4301, 'Z')],
        cgroup: [{ hierarchy: '0', controllers: '', path: '/system.slice/app.service' }],
      });
      expect(runCheck(ID, snap).status).toBe('warn');
    });
  });
});
