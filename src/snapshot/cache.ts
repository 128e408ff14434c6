/**
 * What several snapshots of one run share: the process table, the tty
 * drivers, /proc/locks, the parents and session leaders already read, and
 * every pipe's holders. A single audit makes its own; a scan makes one for
 * thousands of processes, which keeps it linear.
 */
import { readLockTable, type LockTable } from '../proc/locks.js';
import type { SocketInfo } from '../proc/net.js';
import type { ProcSource } from '../proc/source.js';
import type { readCmdline } from '../proc/cmdline.js';
import type { FdLink } from '../proc/fd.js';
import type { MountEntry } from '../proc/mountinfo.js';
import type { ProcStatus } from '../proc/status.js';
import { ProcessTable } from '../proc/table.js';
import { readTtyDrivers, type TtyDriver } from '../proc/tty.js';
import type { PeerHolder, RelatedProcess } from './types.js';

export interface ScanCache {
  table: ProcessTable;
  ttyDrivers: TtyDriver[];
  /** /proc/locks, read on the first call only (see needsLockTable in read.ts). */
  lockTable(): LockTable;
  /** Parents and session leaders read once per run (scan: thousands share a few). */
  related: Map<number, RelatedProcess | null>;
  /** status as the caller already read it (scan's user filter); one that failed is read again. */
  status: Map<number, ProcStatus>;
  /** Socket tables by network namespace (net/unix, tcp, tcp6), read once per namespace. */
  sockets: Map<string, Map<number, SocketInfo>>;
  /**
   * A scan's mountinfo by mount namespace and root (readlink ns/mnt and root):
   * thousands of processes share a few, and a host's mountinfo can run to
   * hundreds of lines. null for one audit, which reads its own.
   */
  mounts: Map<string, MountEntry[]> | null;
  /**
   * A scan: stat comes from the table and cmdline is read once per process
   * for both passes (the table pass and the full one), and fds 0-2 on
   * /dev/null, a pipe, a socket or a terminal are not stat()ed nor their
   * fdinfo read (no check asks their flags or locks). Cuts a scan's reads by
   * about a third. One audit reads everything (its facts show every fd's
   * flags). `links`: every fd link the holder index read, so that no
   * process's fd/ is walked twice (a scan of 2,000 workers sharing a pipe).
   */
  scan: { cmdlines: Map<number, ReturnType<typeof readCmdline>>; links: Map<number, FdLink[]> } | null;
  /** Holders of every pipe/socket/FIFO, indexed once for a whole scan; null: search per audit. */
  peerIndex: (() => Map<string, PeerHolder[]>) | null;
}

/** One audit's cache reads the table lazily (see ProcessTable.lazy); a scan passes the full table it read. */
export function newCache(source: ProcSource, table: ProcessTable = ProcessTable.lazy(source)): ScanCache {
  let locks: LockTable | null = null;
  return {
    table,
    ttyDrivers: readTtyDrivers(source),
    lockTable: () => (locks ??= readLockTable(source)),
    related: new Map(),
    sockets: new Map(),
    status: new Map(),
    mounts: null,
    scan: null,
    peerIndex: null,
  };
}
