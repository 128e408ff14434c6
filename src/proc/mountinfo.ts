/** /proc/PID/mountinfo (proc(5)): which mount holds a path, and mount options such as hidepid. */
import type { ProcSource } from './source.js';

export interface MountEntry {
  id: number;
  parent: number;
  dev: string;
  root: string;
  mountPoint: string;
  options: string;
  fsType: string;
  source: string;
  superOptions: string;
}

/** Octal escapes (\040 for a space) as the kernel writes them in mount points. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const a = line.slice(0, sep).split(' ');
    const b = line.slice(sep + 3).split(' ');
    if (a.length < 6 || b.length < 2) continue;
    out.push({
      id: Number(a[0]),
      parent: Number(a[1]),
      dev: a[2]!,
      root: unescape(a[3]!),
      mountPoint: unescape(a[4]!),
      options: a[5]!,
      fsType: b[0]!,
      source: unescape(b[1] ?? ''),
      superOptions: b[2] ?? '',
    });
  }
  return out;
}

/** The mount a path lives on: the longest mount point that is a prefix of it (last one wins for overmounts). */
export function mountFor(mounts: MountEntry[], p: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = mp === '/' || p === mp || p.startsWith(mp.endsWith('/') ? mp : mp + '/');
    if (!inside) continue;
    if (!best || mp.length >= best.mountPoint.length) best = m;
  }
  return best;
}

/** Read until EOF: mountinfo is a seq file that hands out about a page per read(). */
export function readMountinfo(source: ProcSource, pid: number | 'self'): MountEntry[] {
  return parseMountinfo(source.readText(`${pid}/mountinfo`));
}
