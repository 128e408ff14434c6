/**
 * runCheck(id, snap, options): one check's row exactly as a report has it,
 * through the real path (judge: profile choice, derived context, --ignore,
 * the managed profile's skips, severity overrides).
 */
import { judge } from '../../src/audit.js';
import type { CheckId } from '../../src/checks/index.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { AuditOptions, CheckResult } from '../../src/audit-types.js';
import type { ProfileName } from '../../src/core/types.js';

/** The row and the profile judge chose for it. */
export function judgeCheck(
  id: CheckId,
  snap: Snapshot,
  options: AuditOptions = {},
): { row: CheckResult; profile: ProfileName; reason: string } {
  const { rows, profile, reason } = judge(snap, options, new Set([id]));
  if (rows.length !== 1 || rows[0]!.id !== id) throw new Error(`judge returned ${rows.length} rows for ${id}`);
  return { row: rows[0]!, profile, reason };
}

export function runCheck(id: CheckId, snap: Snapshot, options: AuditOptions = {}): CheckResult {
  return judgeCheck(id, snap, options).row;
}
