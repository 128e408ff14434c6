/** The write-lock test the checks and the report share. */
import { isWriteLockOf } from '../proc/locks.js';
import type { FdEntry } from '../proc/fd.js';
import type { Snapshot } from '../snapshot/types.js';

/**
 * Whether the process holds a write lock on the file this fd is open on: an
 * fdinfo "lock:" line of the fd itself, or a /proc/locks entry on the same
 * dev:inode (where fdinfo could not be read). A pidfile's or lock file's
 * descriptor is meant to stay open.
 */
export function holdsWriteLock(snap: Snapshot, fd: FdEntry): boolean {
  if (fd.locks.some((l) => isWriteLockOf(l, snap.pid))) return true;
  if (fd.ino === null) return false;
  return locksOnFile(snap, fd.dev, fd.ino);
}

/** A /proc/locks write lock of this process on dev:ino. */
export function locksOnFile(snap: Snapshot, dev: string | null, ino: number | null): boolean {
  return (snap.locks ?? []).some((l) => l.dev === dev && l.ino === ino && isWriteLockOf(l, snap.pid));
}
