/**
 * sysv or managed (docs/checklist.md "Profiles"): a child of a service manager is
 * supposed to stay in the foreground, so the classic self-daemonizing rules
 * must not be held against it.
 */
import { isSupervisor } from './classify.js';
import { isNamespaceInit } from './proc/status.js';
import type { Snapshot } from './snapshot/types.js';
import type { ProfileChoice, ProfileName } from './core/types.js';
import { processLabel } from './core/words.js';

/** A cgroup leaf that names a service unit, not a login session or a terminal tab. */
function serviceUnit(snap: Snapshot): string | null {
  for (const c of snap.cgroup ?? []) {
    const leaf = c.path.split('/').filter(Boolean).pop() ?? '';
    if (leaf.endsWith('.service') && !/^user@\d+\.service$/.test(leaf)) return leaf;
    // session-N.scope is an SSH or console login; vte-spawn/app-* scopes are terminal tabs and launched apps.
    if (leaf.endsWith('.scope') && !/^(session-|init\.scope|vte-spawn-|app-)/.test(leaf)) return leaf;
  }
  return null;
}

export function chooseProfile(
  snap: Snapshot,
  choice: ProfileChoice = 'auto',
): { profile: ProfileName; reason: string } {
  if (choice === 'sysv' || choice === 'managed') {
    return { profile: choice, reason: `chosen with --profile ${choice}` };
  }
  const parent = snap.parent;
  const unit = serviceUnit(snap);
  // Orphans are reparented to init or to `systemd --user` (a subreaper): that alone says nothing.
  const orphanage = snap.stat.ppid === 1 || (parent?.comm === 'systemd' && !unit);
  if (parent && !orphanage && isSupervisor(parent.comm, parent.cmdline)) {
    return { profile: 'managed', reason: `parent ${processLabel(parent)} is a supervisor` };
  }
  if (isNamespaceInit(snap)) {
    return {
      profile: 'managed',
      reason: `it is pid 1 of its pid namespace (NSpid ${snap.status!.nspid.join(' ')}): a container's init`,
    };
  }
  if (unit) return { profile: 'managed', reason: `its cgroup names the unit ${unit}` };
  if (snap.environ?.has('INVOCATION_ID'))
    return { profile: 'managed', reason: 'INVOCATION_ID is in its environment: started by systemd' };
  // Only systemd's own socket counts: `daemon-check run --wait-ready` and
  // start-stop-daemon --notify-await pass a private one and then step away.
  const notify = snap.environ?.get('NOTIFY_SOCKET');
  if (notify && (notify.startsWith('/run/systemd/') || notify.startsWith('@/org/freedesktop/systemd'))) {
    return { profile: 'managed', reason: `NOTIFY_SOCKET=${notify} is in its environment: started by systemd` };
  }
  if (snap.pid === 1) return { profile: 'managed', reason: 'it is pid 1 (init)' };
  if (!parent) {
    return { profile: 'sysv', reason: snap.stat.ppid === 0 ? 'it has no parent' : `parent ${snap.stat.ppid} is gone` };
  }
  if (snap.stat.ppid === 1) return { profile: 'sysv', reason: `parent is init (${parent.comm}), not a supervisor` };
  return { profile: 'sysv', reason: `parent ${processLabel(parent)} is not a supervisor` };
}
