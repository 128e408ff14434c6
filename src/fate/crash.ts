/**
 * `crash`: it dies unexpectedly. The outcome is whether a replacement runs
 * afterwards: only a supervisor that restarts what it runs brings one back.
 */
import { processLabel } from '../core/words.js';
import { isForwardingInit, type ProgramKind } from '../classify.js';
import { lookupProgram, type ProgramInfo } from '../knowledge/index.js';
import type { Snapshot } from '../snapshot/types.js';
import { isNamespaceInit } from '../proc/status.js';
import { entry } from './types.js';
import type { FateEntry } from '../core/types.js';

/** The knowledge row of a supervisor that restarts what it runs (runsv, supervisord, pm2). */
function restarterOf(comm: string, argv: readonly string[] | null): NonNullable<ProgramInfo['restarts']> | null {
  return lookupProgram(comm, argv)?.restarts ?? null;
}

function serviceUnit(snap: Snapshot): string | null {
  for (const c of snap.cgroup ?? []) {
    const leaf = c.path.split('/').filter(Boolean).pop() ?? '';
    if (leaf.endsWith('.service') && !/^user@\d+\.service$/.test(leaf)) return leaf;
  }
  return null;
}

export function crashFate(snap: Snapshot, parentKind: ProgramKind | null): FateEntry {
  const parent = snap.parent;
  const who = parent ? processLabel(parent) : null;
  const r = parent && parentKind === 'supervisor' ? restarterOf(parent.comm, parent.cmdline) : null;
  if (r) return entry('lives', `Its parent ${who} supervises it: ${r.how}.`, who, r.unless);
  if (parent && isForwardingInit(parent.comm, parent.cmdline)) {
    return entry(
      'dies',
      `Its parent ${who} is a container init: it exits when its child does and never starts it again.`,
      null,
      'a restart policy of its container (docker run --restart) starts the container again',
    );
  }
  if (isNamespaceInit(snap)) {
    return entry(
      'dies',
      'It is the init of its pid namespace: when it exits, the kernel kills every other process of the namespace, and nothing inside starts it again.',
      null,
      'a restart policy of its container (docker run --restart) starts the container again',
    );
  }
  const unit = snap.host?.systemdPid1 ? serviceUnit(snap) : null;
  if (unit) {
    return entry(
      'unknown',
      `systemd runs it as ${unit}; whether it comes back depends on the unit's Restart= setting, which /proc does not show (systemctl show -p Restart ${unit}).`,
      'systemd',
    );
  }
  return entry('dies', 'Nothing supervises it: when it crashes, nobody starts it again.');
}
