/**
 * /proc/locks: "N: TYPE ADVISORY MODE PID MAJ:MIN:INODE START END".
 * MAJ and MIN are HEX, INODE decimal; "N: ->" marks a waiter, not a holder.
 * The pid column of FLOCK and OFD locks is whoever took the lock (often a
 * launcher that has exited), so callers match by dev:inode, never by pid
 * (docs/proc-notes.md).
 */
import { ParseError, errnoOf } from '../core/errors.js';
import type { ProcSource } from './source.js';

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

const LINE =
  /^(\d+):\s+(->\s+)?(\S+)\s+(\S+)\s+(\S+)\s+(-?\d+)\s+([0-9a-fA-F]+):([0-9a-fA-F]+):(\d+)\s+(\S+)\s+(\S+)\s*$/;

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
export function parseLocks(
  text: string,
  maxLines = 200_000,
): { locks: LockEntry[]; skipped: number; truncated: boolean } {
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

/**
 * Whether a lock entry is held (not waited for) on behalf of `pid`, given
 * that `pid` has the locked file open. A POSIX lock belongs to the pid in its
 * column; FLOCK and OFD locks belong to the open file, whoever took them, so
 * any holder of that file description holds them.
 */
export function isLockOf(l: LockEntry, pid: number): boolean {
  return !l.waiter && (l.kind !== 'POSIX' || l.pid === pid);
}

/** Whether a lock entry is a write lock held on behalf of `pid` (isLockOf). */
export function isWriteLockOf(l: LockEntry, pid: number): boolean {
  return l.mode === 'WRITE' && isLockOf(l, pid);
}

/** /proc/locks is bounded: 8 MiB and 100,000 lines (a hostile or broken host can have millions). */
const LOCKS_CAP = 8 * 1024 * 1024;
const LOCKS_LINE_CAP = 100_000;

export interface LockTable {
  locks: LockEntry[] | null;
  locksErrno: string | null;
  /** Set when /proc/locks was larger than what is read. */
  locksLimit: string | null;
}

/**
 * Reads /proc/locks. Not cheap: the kernel takes file_rwsem for writing,
 * which waits for an RCU grace period (10-17 ms measured here), so callers
 * read it only where fdinfo "lock:" lines cannot answer.
 */
export function readLockTable(source: ProcSource): LockTable {
  try {
    const text = source.readText('locks', LOCKS_CAP);
    const parsed = parseLocks(text, LOCKS_LINE_CAP);
    const limit = parsed.truncated || text.length >= LOCKS_CAP;
    return {
      locks: parsed.locks,
      locksErrno: null,
      locksLimit: limit
        ? `/proc/locks: only the first ${parsed.locks.length} locks read (fdinfo "lock:" lines still show this process's own)`
        : null,
    };
  } catch (err) {
    return { locks: null, locksErrno: errnoOf(err), locksLimit: null };
  }
}
