/**
 * RunCache: what the snapshots of one run share, a run being one audit or one
 * scan: the process table, the tty drivers, /proc/locks, the parents and
 * session leaders already read, the socket tables, and (a scan's) cmdlines,
 * mountinfo, fd links and every pipe's holders. A single audit makes its own;
 * a scan makes one for thousands of processes, which keeps it linear. Which of
 * these a snapshot uses is its read plan's choice (plan.ts).
 */
import { readLockTable, type LockTable } from '../proc/locks.js';
import type { SocketTable } from '../proc/net.js';
import type { ProcSource } from '../proc/source.js';
import type { readCmdline } from '../proc/cmdline.js';
import type { CgroupEntry } from '../proc/cgroup.js';
import type { FdLink } from '../proc/fd.js';
import type { MountEntry } from '../proc/mountinfo.js';
import type { ProcStatus } from '../proc/status.js';
import { ProcessTable } from '../proc/table.js';
import { readTtyDrivers, type TtyDriver } from '../proc/tty.js';
import { holdersByTarget } from './peers.js';
import type { PeerHolder, RelatedProcess } from './types.js';

export interface RunCache {
  table: ProcessTable;
  ttyDrivers: TtyDriver[];
  /** /proc/locks, read on the first call only (see needsLockTable in parts.ts). */
  lockTable(): LockTable;
  /** Parents and session leaders read once per run (scan: thousands share a few). */
  related: Map<number, RelatedProcess | null>;
  /** status as the caller already read it (scan's user filter); one that failed is read again. */
  status: Map<number, ProcStatus>;
  /** Socket tables by network namespace (net/unix, tcp, tcp6), each read at most once per namespace, as far as lookups need. */
  sockets: Map<string, SocketTable>;
  /** cmdline by pid, for the plans that read it once per run (a scan's two passes both want it). */
  cmdlines: Map<number, ReturnType<typeof readCmdline>>;
  /** cgroup by pid, for the plans that read it once per run, as cmdlines. */
  cgroups: Map<number, CgroupEntry[]>;
  /**
   * mountinfo by mount namespace and root (readlink ns/mnt and root), for the
   * plans that share it: thousands of processes share a few, and a host's
   * mountinfo can run to hundreds of lines.
   */
  mounts: Map<string, MountEntry[]>;
  /**
   * Every fd link the holder index read (filled by peerIndex), so that no
   * process's fd/ is walked twice (a scan of 2,000 workers sharing a pipe).
   */
  fdLinks: Map<number, FdLink[]>;
  /** Holders of every pipe/socket/FIFO, indexed once for a whole scan; null: each snapshot searches its own. */
  peerIndex: (() => Map<string, PeerHolder[]>) | null;
}

/** One audit's cache reads the table lazily (see ProcessTable.lazy); a scan passes the full table it read. */
export function newRunCache(source: ProcSource, table: ProcessTable = ProcessTable.lazy(source)): RunCache {
  let locks: LockTable | null = null;
  return {
    table,
    ttyDrivers: readTtyDrivers(source),
    lockTable: () => (locks ??= readLockTable(source)),
    related: new Map(),
    sockets: new Map(),
    status: new Map(),
    cmdlines: new Map(),
    cgroups: new Map(),
    mounts: new Map(),
    fdLinks: new Map(),
    peerIndex: null,
  };
}

/**
 * A scan's RunCache: what every snapshot of the run shares, with every pipe's,
 * socket's and file's holders indexed in one pass over all fd/ the first
 * time a full snapshot needs them (the excluded pids are no holders).
 */
export function scanRunCache(source: ProcSource, table: ProcessTable, exclude: ReadonlySet<number>): RunCache {
  const cache = newRunCache(source, table);
  let index: Map<string, PeerHolder[]> | null = null;
  cache.peerIndex = () =>
    (index ??= holdersByTarget(
      source,
      table,
      (st) => exclude.has(st.pid),
      (t) => t.startsWith('pipe:') || t.startsWith('socket:') || t.startsWith('/'),
      cache.fdLinks,
    ));
  return cache;
}
