/**
 * Who else holds the target's pipes, sockets and FIFOs: one pass over other
 * processes' fd/ links. A launcher that still holds the other end of a pipe
 * waits for an EOF that never comes (checks stdio-detached, no-leaked-fds).
 */
import { errnoOf } from '../errors.js';
import type { FdEntry } from '../proc/fd.js';
import type { ProcSource } from '../proc/source.js';
import { isKernelThread, type ProcStat } from '../proc/stat.js';
import type { ProcessTable } from '../proc/table.js';
import type { PeerHolder } from './types.js';

/** Holders examined per object: a pipe leaked into a whole fleet must not make every row quadratic. */
const PEER_CAP = 32;

/** Link targets of one process's fds that `wanted` accepts, each with the fds holding it. */
function targetsOf(source: ProcSource, pid: number, wanted: (target: string) => boolean): Map<string, number[]> | null {
  let names: string[];
  try {
    names = source.readdir(`${pid}/fd`);
  } catch {
    return null;
  }
  let mine: Map<string, number[]> | null = null;
  for (const n of names) {
    let t: string;
    try {
      t = source.readlink(`${pid}/fd/${n}`).toString('utf8');
    } catch (err) {
      // ENOENT: that fd closed meanwhile. EACCES/EPERM (ptrace rules) holds for
      // every fd of the process, and each throw costs ~10 us: stop at the first.
      if (errnoOf(err) !== 'ENOENT') break;
      continue;
    }
    if (!wanted(t)) continue;
    mine ??= new Map();
    const list = mine.get(t);
    if (list) list.push(Number(n));
    else mine.set(t, [Number(n)]);
  }
  return mine;
}

/**
 * One pass over every other process's fd/: the processes holding each link
 * target that `wanted` accepts. Used for one audit's pipes and sockets, and
 * by scan to index every process's at once.
 */
export function holdersByTarget(source: ProcSource, table: ProcessTable, skip: (st: ProcStat) => boolean, wanted: (target: string) => boolean): Map<string, PeerHolder[]> {
  const index = new Map<string, PeerHolder[]>();
  for (const st of table.all()) {
    // Kernel threads have no fds; a zombie's are closed.
    if (st.state === 'Z' || isKernelThread(st) || skip(st)) continue;
    const mine = targetsOf(source, st.pid, wanted);
    if (!mine) continue;
    for (const [key, fds] of mine) {
      const holder: PeerHolder = { pid: st.pid, comm: st.comm, fds: fds.sort((a, b) => a - b), ttyNr: st.ttyNr, session: st.session };
      const list = index.get(key);
      if (list) list.push(holder);
      else index.set(key, [holder]);
    }
  }
  return index;
}

/** The objects whose other holders matter: pipes, sockets and FIFOs. */
export function sharedObjectKeys(fds: readonly FdEntry[] | null): Set<string> {
  const keys = new Set<string>();
  for (const f of fds ?? []) if (f.objectKey && (f.type === 'pipe' || f.type === 'socket' || f.type === 'fifo')) keys.add(f.objectKey);
  return keys;
}

/** Other holders of each key: from a scan's index when there is one, else one pass of our own. */
export function findPeers(source: ProcSource, table: ProcessTable, pid: number, keys: Set<string>, self: number | null, index: (() => Map<string, PeerHolder[]>) | null): Record<string, PeerHolder[]> {
  const peers: Record<string, PeerHolder[]> = {};
  if (keys.size === 0) return peers;
  const found = index ? index() : holdersByTarget(source, table, (st) => st.pid === pid || st.pid === self, (t) => keys.has(t));
  for (const k of keys) peers[k] = (found.get(k) ?? []).filter((h) => h.pid !== pid && h.pid !== self);
  return peers;
}

/**
 * Keeps at most PEER_CAP holders per object: the ones that matter first
 * (ancestors, holders on a terminal), then the first others. Returns the
 * notes for the report's limits.
 */
export function capPeers(peers: Record<string, PeerHolder[]>, ancestors: ReadonlySet<number>): string[] {
  const limits: string[] = [];
  for (const k of Object.keys(peers)) {
    const all = peers[k]!;
    if (all.length <= PEER_CAP) continue;
    const keep = all.filter((h) => ancestors.has(h.pid) || h.ttyNr !== 0).slice(0, PEER_CAP);
    for (const h of all) {
      if (keep.length >= PEER_CAP) break;
      if (!keep.includes(h)) keep.push(h);
    }
    peers[k] = keep;
    limits.push(`${k}: held by ${all.length} other processes, ${keep.length} examined`);
  }
  return limits;
}
