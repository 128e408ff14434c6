/**
 * Whether a procfs is mounted with hidepid (proc(5)): other users' processes
 * then vanish (ENOENT) or cannot be read, and "no such process" should say so.
 */
import type { ProcSource } from './source.js';
import { readMountinfo, type MountEntry } from './mountinfo.js';

/** The hidepid= option of the proc mount at `mountPoint`; null when none or off. */
export function hidepidIn(mounts: readonly MountEntry[], mountPoint: string): string | null {
  let found: string | null = null;
  for (const m of mounts) {
    if (m.fsType !== 'proc' || m.mountPoint !== mountPoint) continue;
    // The last mount at a point is the visible one.
    const opt = m.superOptions.split(',').find((o) => o.startsWith('hidepid='));
    found = opt && opt !== 'hidepid=0' && opt !== 'hidepid=off' ? opt : null;
  }
  return found;
}

/**
 * The hidepid option of the procfs this source reads, from the auditor's own
 * mountinfo (the namespace its root path resolves in); null for a capture.
 */
export function readHidepid(source: ProcSource): string | null {
  if (source.kind !== 'procfs') return null;
  try {
    return hidepidIn(readMountinfo(source, 'self'), source.root || '/proc');
  } catch {
    return null;
  }
}
