/**
 * The scan's last sentence counts, from the fate model, the rows that will
 * not survive the end of their login and those whose fate is unknown: an
 * unknown fate is never counted as a survivor.
 */
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../src/core/types.js';
import { loginSentence } from '../../src/report/scan-table.js';
import type { ScanRow } from '../../src/scan.js';
import { loginFate, scanRow } from '../helpers/scan-rows.js';

function row(pid: number, hangup: Outcome, shellExit: Outcome = 'lives', logout: Outcome = 'lives'): ScanRow {
  return scanRow(pid, {
    cmdline: ['sleep', '100'],
    verdict: 'not-a-daemon',
    startedAs: { kind: 'shell-job', detail: '' },
    fate: loginFate(hangup, shellExit, logout, () => ''),
  });
}

describe('the scan summary of login fates', () => {
  it('counts the rows that die at a hangup, the shell exit or logout', () => {
    expect(
      loginSentence([row(1, 'dies'), row(2, 'lives', 'dies'), row(3, 'lives', 'lives', 'dies'), row(4, 'lives')]),
    ).toBe(
      "3 of the 4 will not survive the end of their login (a hangup, the shell's exit, or logind); 'daemon-check <pid>' says why and how to start each one properly.",
    );
  });

  it('names the unknown fates apart, and never counts them as survivors', () => {
    expect(loginSentence([row(1, 'dies'), row(2, 'unknown'), row(3, 'lives', 'unknown'), row(4, 'lives')])).toBe(
      "1 of the 4 will not survive the end of their login (a hangup, the shell's exit, or logind), and for 2 more it cannot be told from /proc; 'daemon-check <pid>' says why, or what it depends on, and how to start each one properly.",
    );
    expect(loginSentence([row(1, 'unknown'), row(2, 'lives')])).toBe(
      "Whether 1 of the 2 survive the end of their login cannot be told from /proc; 'daemon-check <pid>' says what it depends on.",
    );
  });

  it('a row that dies at one event and is unknown at another counts as dying', () => {
    expect(loginSentence([row(1, 'unknown', 'dies')])).toMatch(/^1 of the 1 will not survive/);
  });

  it('says nothing when every row lives through the end of its login', () => {
    expect(loginSentence([row(1, 'lives'), row(2, 'lives')])).toBeNull();
    expect(loginSentence([])).toBeNull();
  });
});
