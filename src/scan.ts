/**
 * `scan`: one audit per background process, reading the process table, the
 * lock table and every pipe's holders once for the whole run, so the cost
 * grows linearly with the number of processes.
 */
import { judge } from './audit.js';
import { DaemonCheckError } from './errors.js';
import type { ProcSource } from './proc/source.js';
import { isKernelThread, type ProcStat } from './proc/stat.js';
import { parseStatus, type ProcStatus } from './proc/status.js';
import { parseMountinfo } from './proc/mountinfo.js';
import { ProcessTable } from './proc/table.js';
import { NOT_READ, hidepidOf, holdersByTarget, readShared, readSnapshot, type HostReader, type PeerHolder } from './snapshot.js';
import type { AuditOptions, ProfileName, StartedAs, Status, Verdict } from './types.js';

export interface ScanRow {
  pid: number;
  ppid: number;
  uid: number | null;
  user: string | null;
  comm: string;
  cmdline: string[] | null;
  profile: ProfileName;
  verdict: Verdict;
  startedAs: StartedAs;
  /** The rows that did not pass, worst first. */
  problems: Array<{ id: string; status: Status; detail: string }>;
}

export interface ScanResult {
  schemaVersion: 1;
  processes: ScanRow[];
  /** Processes seen but not listed, by reason. */
  skipped: { kernelThreads: number; foreground: number; otherUsers: number; zombies: number; vanished: number };
  hidepid: string | null;
}

export interface ScanOptions extends AuditOptions {
  /** Only this uid's processes; null for everyone's. */
  uid: number | null;
  /** Pids to leave out (the scanner itself). */
  exclude?: number[];
}

const VERDICT_ORDER: Record<Verdict, number> = { 'not-a-daemon': 0, inconclusive: 1, 'daemon-with-warnings': 2, daemon: 3 };
const STATUS_ORDER: Record<Status, number> = { fail: 0, unknown: 1, warn: 2, info: 3, pass: 4, skip: 5 };

/** One pass over every fd/ in the table: pipe, FIFO and socket -> the processes holding it. */
export function indexPeers(source: ProcSource, table: ProcessTable, exclude: Set<number>): Map<string, PeerHolder[]> {
  // Only objects that can be shared with a launcher: pipes, sockets, FIFOs (paths; the FIFOs among them are known later).
  return holdersByTarget(
    source,
    table,
    (st) => exclude.has(st.pid) || isKernelThread(st),
    (t) => t.startsWith('pipe:') || t.startsWith('socket:') || t.startsWith('/'),
  );
}

function inForeground(st: ProcStat): boolean {
  return st.ttyNr !== 0 && st.tpgid === st.pgrp;
}

function statusOf(source: ProcSource, pid: number): ProcStatus | null {
  try {
    return parseStatus(source.readText(`${pid}/status`, 65536));
  } catch {
    return null;
  }
}

/**
 * The critical checks that need nothing but the process table (and the
 * parent's and session leader's names). When one of them fails, the verdict is
 * not-a-daemon whatever the other evidence says, so scan reads no more for
 * that process: on a machine with thousands of jobs, most rows end here.
 */
const TABLE_CHECKS = new Set<string>(['detached-parent', 'own-session', 'no-controlling-tty']);

export function scanProcesses(source: ProcSource, host: HostReader, opts: ScanOptions): ScanResult {
  const table = ProcessTable.read(source);
  if (table.byPid.size === 0) {
    throw new DaemonCheckError('PROC_ROOT', `no processes under ${source.root || '/'}; is it a procfs?`);
  }
  const shared = readShared(source);
  const exclude = new Set(opts.exclude ?? []);
  const skipped = { kernelThreads: 0, foreground: 0, otherUsers: 0, zombies: 0, vanished: table.missing };
  const candidates: Array<{ st: ProcStat; status: ProcStatus | null }> = [];
  for (const st of table.byPid.values()) {
    if (exclude.has(st.pid)) continue;
    if (isKernelThread(st)) {
      skipped.kernelThreads++;
      continue;
    }
    if (st.state === 'Z') {
      skipped.zombies++;
      continue;
    }
    if (inForeground(st)) {
      skipped.foreground++;
      continue;
    }
    const status = statusOf(source, st.pid);
    if (opts.uid !== null && status?.uid[0] !== opts.uid) {
      skipped.otherUsers++;
      continue;
    }
    candidates.push({ st, status });
  }
  // Every pipe's holders, indexed in one pass over all fd/ the first time a full audit needs them.
  let index: Map<string, PeerHolder[]> | null = null;
  const peerIndex = () => (index ??= indexPeers(source, table, exclude));
  const relatedCache = new Map();
  const rows: ScanRow[] = [];
  // Whether /proc hides other users' processes: one mountinfo says it for the whole run.
  let hidepid: string | null = null;
  for (const { st } of candidates.slice(0, 1)) {
    try {
      hidepid = hidepidOf(source, parseMountinfo(source.readText(`${st.pid}/mountinfo`)));
    } catch {
      /* read again by the first full audit */
    }
  }
  for (const { st, status } of candidates) {
    let snap;
    let j;
    try {
      const base = { host, table, shared, relatedCache, status: status ?? undefined };
      snap = readSnapshot(source, st.pid, { ...base, scope: 'table' });
      j = judge(snap, opts, TABLE_CHECKS);
      if (!j.rows.some((c) => TABLE_CHECKS.has(c.id) && c.status === 'fail')) {
        snap = readSnapshot(source, st.pid, { ...base, peerIndex });
        hidepid ??= snap.hidepid;
        j = judge(snap, opts);
      }
    } catch (err) {
      if (err instanceof DaemonCheckError) {
        skipped.vanished++;
        continue;
      }
      throw err;
    }
    rows.push({
      pid: snap.pid,
      ppid: snap.stat.ppid,
      uid: snap.status?.uid[0] ?? null,
      user: snap.userName,
      comm: snap.stat.comm,
      cmdline: snap.cmdline,
      profile: j.profile,
      verdict: j.verdict,
      startedAs: j.startedAs,
      problems: j.rows
        .filter((c) => c.status === 'fail' || c.status === 'warn' || (c.status === 'unknown' && c.severity !== 'info' && !c.observed.endsWith(`(${NOT_READ})`)))
        .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status])
        .map((c) => ({ id: c.id, status: c.status, detail: c.detail })),
    });
  }
  rows.sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || a.pid - b.pid);
  return { schemaVersion: 1, processes: rows, skipped, hidepid };
}
