/**
 * runCheck(id, snap, options): one check's row exactly as a report has it,
 * through the real path (judge: profile choice, derived context, --ignore,
 * the managed profile's skips, severity overrides). checkMessage also gives
 * the row's detail as the check reported it: its message id and data, which
 * tests assert instead of the English (test/checks/messages.test.ts keeps the
 * wording itself).
 */
import { expect } from 'vitest';
import { judge } from '../../src/audit.js';
import type { DataValue, MessageRef } from '../../src/checks/check.js';
import type { CheckId } from '../../src/checks/index.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { makeSnapshot } from './snapshot.js';
import type { AuditOptions, CheckResult } from '../../src/audit-types.js';
import type { ProfileName } from '../../src/core/types.js';

export interface JudgedCheck {
  row: CheckResult;
  profile: ProfileName;
  reason: string;
  messageId: string;
  /** The message's data ({} for a message without fields). */
  data: Readonly<Record<string, DataValue>>;
}

/** The row, the profile judge chose for it, and the row's message id and data. */
export function judgeCheck(id: CheckId, snap: Snapshot, options: AuditOptions = {}): JudgedCheck {
  const { rows, messages, profile, reason } = judge(snap, options, new Set([id]));
  if (rows.length !== 1 || rows[0]!.id !== id) throw new Error(`judge returned ${rows.length} rows for ${id}`);
  const { messageId, data = {} } = messages[0]!;
  return { row: rows[0]!, profile, reason, messageId, data };
}

/** The row and its message id and data. */
export function checkMessage(id: CheckId, snap: Snapshot, options: AuditOptions = {}): JudgedCheck {
  return judgeCheck(id, snap, options);
}

export function runCheck(id: CheckId, snap: Snapshot, options: AuditOptions = {}): CheckResult {
  return judgeCheck(id, snap, options).row;
}

/** A data field that holds a list of messages (a check's problems, its leaks): fails on anything else. */
export function listOf(value: DataValue | undefined): readonly MessageRef[] {
  if (!Array.isArray(value)) throw new Error(`not a list of messages: ${String(value)}`);
  return value as readonly MessageRef[];
}

/**
 * The row of ID when its FACT (status, or the fd/ folder) could not be read
 * (EACCES, as a user other than the owner is refused it): unknown, never
 * pass, naming why; with EXPECTED, the expected column too.
 */
export function expectUnknownWhenUnreadable(id: CheckId, fact: 'status' | 'fds', expected?: string): void {
  const snap =
    fact === 'status'
      ? makeSnapshot({ status: null, unreadable: { status: 'EACCES' }, auditorUid: 1000 })
      : makeSnapshot({ fds: null, fdCount: null, unreadable: { fds: 'EACCES' }, auditorUid: 1000 });
  const { row, messageId, data } = checkMessage(id, snap);
  expect(row.status).toBe('unknown');
  expect(row.observed).toBe(`${fact} unreadable (EACCES)`);
  if (expected !== undefined) expect(row.expected).toBe(expected);
  expect(messageId).toBe('unreadable');
  expect(data.fact).toBe(fact);
  expect(data.reason).toMatch(/^permission denied \(another user's process/);
}
