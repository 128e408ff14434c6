/** Small /proc files: cmdline, environ, cgroup, fdinfo. */

/** NUL-separated argv. A trailing NUL ends the list; an empty file is a kernel thread or zombie. */
export function parseCmdline(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  const s = buf.toString('utf8');
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** KEY=VALUE entries, NUL-separated; entries without '=' keep an empty value. */
export function parseEnviron(buf: Buffer): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of buf.toString('utf8').split('\0')) {
    if (entry === '') continue;
    const i = entry.indexOf('=');
    if (i < 0) env.set(entry, '');
    else env.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return env;
}

export interface CgroupEntry {
  hierarchy: string;
  controllers: string;
  path: string;
}

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

export interface FdInfo {
  pos: string | null;
  /** open(2) flags; octal in the file. */
  flags: number | null;
  mntId: number | null;
  ino: number | null;
  /** Locks held through this fd, as /proc/locks lines without the "N:" (e.g. "FLOCK  ADVISORY  WRITE 123 08:01:42 0 EOF"). */
  locks: string[];
}

export const O_CLOEXEC = 0o2000000;

export function parseFdinfo(text: string): FdInfo {
  const info: FdInfo = { pos: null, flags: null, mntId: null, ino: null, locks: [] };
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const val = line.slice(i + 1).trim();
    if (key === 'pos') info.pos = val;
    else if (key === 'flags' && /^[0-7]+$/.test(val)) info.flags = parseInt(val, 8);
    else if (key === 'mnt_id' && /^\d+$/.test(val)) info.mntId = Number(val);
    else if (key === 'ino' && /^\d+$/.test(val)) info.ino = Number(val);
    else if (key === 'lock') info.locks.push(val);
  }
  return info;
}
