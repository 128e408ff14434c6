/**
 * Whether the proc root is mounted with hidepid (proc(5)): other users'
 * processes then vanish (ENOENT) or cannot be read, and an error should say
 * so instead of "no such process".
 */
import type { ProcSource } from './source.js';
import { parseMountinfo } from './mountinfo.js';

export function hidepidOption(source: ProcSource): string | null {
  if (source.kind !== 'procfs') return null;
  let text: string;
  try {
    text = source.readText('self/mountinfo');
  } catch {
    return null;
  }
  const root = source.root || '/proc';
  for (const m of parseMountinfo(text)) {
    if (m.fsType !== 'proc' || m.mountPoint !== root) continue;
    const opt = m.superOptions.split(',').find((o) => o.startsWith('hidepid='));
    if (opt && opt !== 'hidepid=0' && opt !== 'hidepid=off') return opt;
  }
  return null;
}
