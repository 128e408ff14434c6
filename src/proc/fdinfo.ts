/**
 * /proc/PID/fdinfo/N: "key:\tvalue" lines. `flags` is octal; `lock:` lines
 * (Linux 4.1) list the locks held through this descriptor, in /proc/locks'
 * format without the leading "N:".
 */
import type { ProcSource } from './source.js';

export interface FdInfo {
  pos: string | null;
  /** open(2) flags; octal in the file. */
  flags: number | null;
  mntId: number | null;
  ino: number | null;
  /** Locks held through this fd, as /proc/locks lines without the "N:" (e.g. "FLOCK  ADVISORY  WRITE 123 08:01:42 0 EOF"). */
  locks: string[];
  /** A signalfd's signals (hex mask, bit N-1 = signal N); null for anything else. */
  sigmask: bigint | null;
}

export const O_CLOEXEC = 0o2000000;

export function parseFdinfo(text: string): FdInfo {
  const info: FdInfo = { pos: null, flags: null, mntId: null, ino: null, locks: [], sigmask: null };
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
    else if (key === 'sigmask' && /^[0-9a-fA-F]{1,16}$/.test(val)) info.sigmask = BigInt('0x' + val);
  }
  return info;
}

export function readFdinfo(source: ProcSource, pid: number, fd: number): FdInfo {
  return parseFdinfo(source.readText(`${pid}/fdinfo/${fd}`, 65536));
}
