/** The registry: every check, in report order (checklist.md). */
import type { Check } from './check.js';
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
import type { CheckId } from '../types.js';

export type { Check, CheckOutcome } from './check.js';

export const checks: readonly Check[] = [
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
];

export function findCheck(id: string): Check | undefined {
  return checks.find((c) => c.id === id);
}

export function isCheckId(id: string): id is CheckId {
  return checks.some((c) => c.id === id);
}
