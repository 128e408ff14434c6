/**
 * The registry: every check, in report order (docs/checklist.md). It is the
 * one source of the check ids: CheckId, the schema's enum, the README's table
 * and docs/checks.md all derive from this list.
 */
import type { Check, Fact } from './check.js';
import { TABLE_FACTS } from './check.js';
import { noControllingTty } from './no-controlling-tty.js';
import { ownSession } from './own-session.js';
import { detachedParent } from './detached-parent.js';
import { stdioDetached } from './stdio-detached.js';
import { notSessionLeader } from './not-session-leader.js';
import { noLeakedFds } from './no-leaked-fds.js';
import { umaskCheck } from './umask.js';
import { cwdCheck } from './cwd.js';
import { signalMask } from './signal-mask.js';
import { reapsChildren } from './reaps-children.js';
import { worldWritableFiles } from './world-writable-files.js';
import { handlesSigterm } from './handles-sigterm.js';
import { singleInstance } from './single-instance.js';
import { cleanEnvironment } from './clean-environment.js';
import { privileges } from './privileges.js';
import { outsideLoginScope } from './outside-login-scope.js';
import { initDuties } from './init-duties.js';

export type { Check, CheckOutcome } from './check.js';

const REGISTRY = [
  noControllingTty,
  ownSession,
  detachedParent,
  stdioDetached,
  notSessionLeader,
  noLeakedFds,
  umaskCheck,
  cwdCheck,
  signalMask,
  reapsChildren,
  worldWritableFiles,
  handlesSigterm,
  singleInstance,
  cleanEnvironment,
  privileges,
  outsideLoginScope,
  initDuties,
] as const;

export type CheckId = (typeof REGISTRY)[number]['id'];

export const checks: readonly Check<CheckId>[] = REGISTRY;

export const CHECK_IDS: readonly CheckId[] = checks.map((c) => c.id);

export function findCheck(id: string): Check<CheckId> | undefined {
  return checks.find((c) => c.id === id);
}

export function isCheckId(id: string): id is CheckId {
  return checks.some((c) => c.id === id);
}

function decidedByTable(needs: readonly Fact[]): boolean {
  return needs.every((f) => TABLE_FACTS.has(f));
}

/**
 * The critical checks the process table alone decides (their `needs` are all
 * table facts). When one of them fails, the verdict is not-a-daemon whatever
 * else is found, so scan reads no more for that process.
 */
export const TABLE_DECISIVE: ReadonlySet<CheckId> = new Set(
  checks.filter((c) => c.severity === 'critical' && decidedByTable(c.needs)).map((c) => c.id),
);
