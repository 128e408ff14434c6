/**
 * /proc/locks: "N: TYPE ADVISORY MODE PID MAJ:MIN:INODE START END".
 * MAJ and MIN are HEX, INODE decimal; "N: ->" marks a waiter, not a holder.
 * The pid column of FLOCK and OFD locks is whoever took the lock (often a
 * launcher that has exited), so callers match by dev:inode, never by pid.
 */
import { ParseError } from '../errors.js';

export interface LockEntry {
  id: number;
  kind: 'POSIX' | 'FLOCK' | 'OFDLCK' | 'LEASE' | 'DELEG' | string;
  advisory: string;
  mode: 'READ' | 'WRITE' | string;
  /** As the kernel prints it: -1 for OFD locks, maybe a long-gone pid for FLOCK. */
  pid: number;
  /** "MAJ:MIN" in decimal, comparable with TargetStat.dev. */
  dev: string;
  ino: number;
  start: string;
  end: string;
  waiter: boolean;
}

const LINE = /^(\d+):\s+(->\s+)?(\S+)\s+(\S+)\s+(\S+)\s+(-?\d+)\s+([0-9a-fA-F]+):([0-9a-fA-F]+):(\d+)\s+(\S+)\s+(\S+)\s*$/;

export function parseLockLine(line: string): LockEntry {
  const m = LINE.exec(line);
  if (!m) throw new ParseError('locks', `unexpected line "${line.slice(0, 80)}"`);
  return {
    id: Number(m[1]),
    waiter: m[2] !== undefined,
    kind: m[3]!,
    advisory: m[4]!,
    mode: m[5]!,
    pid: Number(m[6]),
    dev: `${parseInt(m[7]!, 16)}:${parseInt(m[8]!, 16)}`,
    ino: Number(m[9]),
    start: m[10]!,
    end: m[11]!,
  };
}

/** Unparseable lines are skipped (counted), so one odd line cannot hide every lock. */
export function parseLocks(text: string, maxLines = 200_000): { locks: LockEntry[]; skipped: number; truncated: boolean } {
  const locks: LockEntry[] = [];
  let skipped = 0;
  let count = 0;
  let truncated = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (++count > maxLines) {
      truncated = true;
      break;
    }
    try {
      locks.push(parseLockLine(line));
    } catch {
      skipped++;
    }
  }
  return { locks, skipped, truncated };
}
