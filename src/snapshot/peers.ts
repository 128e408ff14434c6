/**
 * Who else holds the target's pipes, sockets and FIFOs: one pass over other
 * processes' fd/ links. A launcher that still holds the other end of a pipe
 * waits for an EOF that never comes (checks stdio-detached, no-leaked-fds).
 */
import { errnoOf } from '../core/errors.js';
import type { FdEntry, FdLink } from '../proc/fd.js';
import type { ProcSource } from '../proc/source.js';
import { isKernelThread, type ProcStat } from '../proc/stat.js';
import type { ProcessTable } from '../proc/table.js';
import type { PeerHolder } from './types.js';

/** Holders examined per object: a pipe leaked into a whole fleet must not make every row quadratic. */
const PEER_CAP = 32;

/**
 * Link targets of one process's fds that `wanted` accepts, each with the fds
 * holding it. `record` keeps every link read, when all of them could be.
 */
function targetsOf(
  source: ProcSource,
  pid: number,
  wanted: (target: string) => boolean,
  record?: Map<number, FdLink[]>,
): Map<string, number[]> | null {
  let names: string[];
  try {
    names = source.readdir(`${pid}/fd`);
  } catch {
    return null;
  }
  let mine: Map<string, number[]> | null = null;
  const links: FdLink[] | null = record ? [] : null;
  for (const n of names) {
    let t: string;
    try {
      t = source.readlink(`${pid}/fd/${n}`).toString('utf8');
    } catch (err) {
      // ENOENT: that fd closed meanwhile. EACCES/EPERM (ptrace rules) holds for
      // every fd of the process, and each throw costs ~10 us: stop at the first.
      if (errnoOf(err) !== 'ENOENT') return mine;
      continue;
    }
    links?.push({ fd: Number(n), target: t });
    if (!wanted(t)) continue;
    mine ??= new Map();
    const list = mine.get(t);
    if (list) list.push(Number(n));
    else mine.set(t, [Number(n)]);
  }
  if (record && links)
    record.set(
      pid,
      links.sort((a, b) => a.fd - b.fd),
    );
  return mine;
}

/**
 * One pass over every other process's fd/: the processes holding each link
 * target that `wanted` accepts. Used for one audit's pipes and sockets, and
 * by scan to index every process's at once.
 */
export function holdersByTarget(
  source: ProcSource,
  table: ProcessTable,
  skip: (st: ProcStat) => boolean,
  wanted: (target: string) => boolean,
  record?: Map<number, FdLink[]>,
): Map<string, PeerHolder[]> {
  const index = new Map<string, PeerHolder[]>();
  for (const st of table.all()) {
    // Kernel threads have no fds; a zombie's are closed.
    if (st.state === 'Z' || isKernelThread(st) || skip(st)) continue;
    const mine = targetsOf(source, st.pid, wanted, record);
    if (!mine) continue;
    for (const [key, fds] of mine) {
      const holder: PeerHolder = {
        pid: st.pid,
        comm: st.comm,
        fds: fds.sort((a, b) => a - b),
        ttyNr: st.ttyNr,
        session: st.session,
      };
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
  for (const f of fds ?? [])
    if (f.objectKey && (f.type === 'pipe' || f.type === 'socket' || f.type === 'fifo')) keys.add(f.objectKey);
  return keys;
}

/** Per holder list: each holder's position, by pid, and those on a terminal, found once (a scan asks thousands of times). */
interface ListIndex {
  byPid: Map<number, PeerHolder>;
  position: Map<PeerHolder, number>;
  onTty: PeerHolder[];
}
const listIndexes = new WeakMap<PeerHolder[], ListIndex>();

function indexOf(all: PeerHolder[]): ListIndex {
  let ix = listIndexes.get(all);
  if (!ix) {
    ix = {
      byPid: new Map(all.map((h) => [h.pid, h])),
      position: new Map(all.map((h, i) => [h, i])),
      onTty: all.filter((h) => h.ttyNr !== 0),
    };
    listIndexes.set(all, ix);
  }
  return ix;
}

/**
 * At most PEER_CAP holders of one object other than `skip` (the process
 * itself and the auditor): the ones that matter first (its ancestors, holders
 * on a terminal), then the first others, each part in the list's order. With
 * 2,000 workers sharing a pipe this looks at a few dozen holders per worker,
 * not all 2,000 (filtering the whole list made that scan quadratic). `total`
 * counts them all.
 */
function pick(
  all: PeerHolder[],
  skip: readonly number[],
  ancestors: ReadonlySet<number>,
): { holders: PeerHolder[]; total: number } {
  const ix = indexOf(all);
  const total = all.length - skip.filter((p) => ix.byPid.has(p)).length;
  if (total <= PEER_CAP) return { holders: all.filter((h) => !skip.includes(h.pid)), total };
  const preferred = new Set<PeerHolder>();
  for (const a of ancestors) {
    const h = ix.byPid.get(a);
    if (h && !skip.includes(h.pid)) preferred.add(h);
  }
  for (const h of ix.onTty) if (!skip.includes(h.pid)) preferred.add(h);
  const keep = [...preferred].sort((x, y) => ix.position.get(x)! - ix.position.get(y)!).slice(0, PEER_CAP);
  for (const h of all) {
    if (keep.length >= PEER_CAP) break;
    if (!skip.includes(h.pid) && !preferred.has(h)) keep.push(h);
  }
  return { holders: keep, total };
}

/**
 * Other holders of each key, from a scan's index when there is one, else one
 * pass of our own; at most PEER_CAP each, with a note for the report's limits
 * where there were more.
 */
export function findPeers(
  source: ProcSource,
  table: ProcessTable,
  pid: number,
  keys: Set<string>,
  self: number | null,
  index: (() => Map<string, PeerHolder[]>) | null,
  ancestors: ReadonlySet<number>,
): { peers: Record<string, PeerHolder[]>; limits: string[] } {
  const peers: Record<string, PeerHolder[]> = {};
  const limits: string[] = [];
  if (keys.size === 0) return { peers, limits };
  const found = index
    ? index()
    : holdersByTarget(
        source,
        table,
        (st) => st.pid === pid || st.pid === self,
        (t) => keys.has(t),
      );
  const skip = self === null ? [pid] : [pid, self];
  for (const k of keys) {
    const { holders, total } = pick(found.get(k) ?? [], skip, ancestors);
    peers[k] = holders;
    if (total > holders.length) limits.push(`${k}: held by ${total} other processes, ${holders.length} examined`);
  }
  return { peers, limits };
}
