/** Who else holds a pipe or socket: the evidence behind "the CI step hangs on the daemon's pipe". */
import { processLabel } from '../core/words.js';
import type { CheckContext } from './check.js';
import type { FdEntry } from '../proc/fd.js';
import type { PeerHolder, Snapshot } from '../snapshot/types.js';

function holdersOf(snap: Snapshot, fd: FdEntry): PeerHolder[] {
  return fd.objectKey ? (snap.peers[fd.objectKey] ?? []) : [];
}

/** Holders outside the daemon's own tree (its descendants, or its daemon session's members). */
export function outsideHolders(snap: Snapshot, ctx: CheckContext, fd: FdEntry): PeerHolder[] {
  return holdersOf(snap, fd).filter((h) => !ctx.isInside(h.pid));
}

function holderText(h: PeerHolder): string {
  return `${processLabel(h)} fd ${h.fds.slice(0, 4).join(',')}${h.fds.length > 4 ? ',…' : ''}`;
}

/** The first few holders by name, and how many more: a pipe shared by thousands stays one readable line. */
export function holdersText(list: PeerHolder[], max = 5): string {
  const shown = list.slice(0, max).map(holderText).join('; ');
  return list.length > max ? `${shown}; and ${list.length - max} more` : shown;
}
