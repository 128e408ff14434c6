/**
 * What several snapshots of one run share: the process table, the tty
 * drivers, /proc/locks, the parents and session leaders already read, and
 * every pipe's holders. A single audit makes its own; a scan makes one for
 * thousands of processes, which keeps it linear.
 */
import { readLockTable, type LockTable } from '../proc/locks.js';
import type { SocketInfo } from '../proc/net.js';
import type { ProcSource } from '../proc/source.js';
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
    peerIndex: null,
  };
}
