/**
 * `scan`: one audit per background process, reading the process table, the
 * lock table and every pipe's holders once for the whole run, so the cost
 * grows linearly with the number of processes.
 */
import { buildReport } from './audit.js';
import { DaemonCheckError } from './errors.js';
import type { ProcSource } from './proc/source.js';
import { isKernelThread, type ProcStat } from './proc/stat.js';
import { parseStatus } from './proc/status.js';
import { ProcessTable } from './proc/table.js';
import { holdersByTarget, readShared, readSnapshot, type HostReader, type PeerHolder } from './snapshot.js';
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

function uidOf(source: ProcSource, pid: number): number | null {
  try {
    const s = parseStatus(source.readText(`${pid}/status`, 65536));
    return s.uid[0] ?? null;
  } catch {
    return null;
  }
}

export function scanProcesses(source: ProcSource, host: HostReader, opts: ScanOptions): ScanResult {
  const table = ProcessTable.read(source);
  if (table.byPid.size === 0) {
    throw new DaemonCheckError('PROC_ROOT', `no processes under ${source.root || '/'}; is it a procfs?`);
  }
  const shared = readShared(source);
  const exclude = new Set(opts.exclude ?? []);
  const skipped = { kernelThreads: 0, foreground: 0, otherUsers: 0, zombies: 0, vanished: table.missing };
  const candidates: ProcStat[] = [];
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
    if (opts.uid !== null && uidOf(source, st.pid) !== opts.uid) {
      skipped.otherUsers++;
      continue;
    }
    candidates.push(st);
  }
  const index = indexPeers(source, table, exclude);
  const rows: ScanRow[] = [];
  let hidepid: string | null = null;
  for (const st of candidates) {
    let report;
    try {
      const snap = readSnapshot(source, st.pid, { host, table, shared, peerIndex: index });
      hidepid ??= snap.hidepid;
      report = buildReport(snap, opts);
    } catch (err) {
      if (err instanceof DaemonCheckError) {
        skipped.vanished++;
        continue;
      }
      throw err;
    }
    rows.push({
      pid: report.pid,
      ppid: report.facts.ppid,
      uid: report.facts.uid,
      user: report.user,
      comm: report.comm,
      cmdline: report.cmdline,
      profile: report.profile,
      verdict: report.verdict,
      startedAs: report.startedAs,
      problems: report.checks
        .filter((c) => c.status === 'fail' || c.status === 'warn' || (c.status === 'unknown' && c.severity !== 'info'))
        .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status])
        .map((c) => ({ id: c.id, status: c.status, detail: c.detail })),
    });
  }
  rows.sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || a.pid - b.pid);
  return { schemaVersion: 1, processes: rows, skipped, hidepid };
}
