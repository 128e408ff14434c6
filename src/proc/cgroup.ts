/** /proc/PID/cgroup: "hierarchy-ID:controllers:path" lines (cgroups(7)). */
import type { ProcSource } from './source.js';

export interface CgroupEntry {
  hierarchy: string;
  controllers: string;
  path: string;
}

/** Lines without two colons are skipped: one odd line must not hide the rest. */
export function parseCgroup(text: string): CgroupEntry[] {
  const out: CgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    out.push({ hierarchy: line.slice(0, a), controllers: line.slice(a + 1, b), path: line.slice(b + 1) });
  }
  return out;
}

export function readCgroup(source: ProcSource, pid: number): CgroupEntry[] {
  return parseCgroup(source.readText(`${pid}/cgroup`, 65536));
}
