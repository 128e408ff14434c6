/**
 * `scan`: one judgement per background process. The process table, the lock
 * table, parents, session leaders and every pipe's holders are read once for
 * the whole run (one RunCache), so the cost grows linearly with the number
 * of processes.
 */
import { judge, type Judgement } from './audit.js';
import { TABLE_DECISIVE, type CheckId } from './checks/index.js';
import { DaemonCheckError } from './core/errors.js';
import type { HostReader } from './host/reader.js';
import { BulkProcSource } from './proc/bulk.js';
import { readHidepid } from './proc/hidepid.js';
import { chooseProfile } from './profile.js';
import type { ProcSource } from './proc/source.js';
import { isMultiplexer } from './classify.js';
import { isKernelThread, type ProcStat } from './proc/stat.js';
import { readStatus } from './proc/status.js';
import { ProcessTable } from './proc/table.js';
import { scanRunCache, type RunCache } from './snapshot/cache.js';
import { readSnapshot } from './snapshot/read.js';
import type { Snapshot } from './snapshot/types.js';
import type { AuditOptions } from './audit-types.js';
import type { Fate, ProfileName, StartedAs, Status, Verdict } from './core/types.js';
import { isProblem, statusRank, verdictRank } from './verdict.js';

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
  fate: Fate;
  /** The rows that did not pass, worst first. */
  problems: Array<{ id: string; status: Status; detail: string }>;
}

export interface ScanResult {
  schemaVersion: 1;
  /** Whose processes were scanned; null for every user's. */
  uid: number | null;
  processes: ScanRow[];
  /** Processes seen but not listed, by reason. */
  skipped: {
    kernelThreads: number;
    foreground: number;
    otherUsers: number;
    zombies: number;
    vanished: number;
    scannerAncestors: number;
  };
  hidepid: string | null;
}

export interface ScanOptions extends Omit<AuditOptions, 'pidfile' | 'wait' | 'procRoot' | 'hostRoot'> {
  /** Only this uid's processes; null for everyone's. */
  uid: number | null;
  /** Pids to leave out (the scanner itself). */
  exclude?: number[];
  /** Leave out the ancestors of the excluded pids too: the scanner's own shell and terminal. */
  skipScannerAncestors?: boolean;
}

type Skipped = ScanResult['skipped'];

/**
 * In the foreground of a login's terminal: what the user runs right now, not
 * a background job. A multiplexer pane's foreground is listed: a long job left
 * running in a tmux or screen window is exactly what a scan is for.
 */
function inLoginForeground(st: ProcStat, table: ProcessTable): boolean {
  if (st.ttyNr === 0 || st.tpgid !== st.pgrp) return false;
  const leader = table.get(st.session);
  const server = leader ? table.get(leader.ppid) : undefined;
  if (!server) return true;
  // `sudo -b` under use_pty: the monitor leads a session on a pty sudo made, under the main sudo, whose parent is
  // init (src/fate/session.ts, sudoPty): that pty is no login's terminal, and what runs on it is a job to list.
  const sudoPty = leader?.comm === 'sudo' && server.comm === 'sudo' && server.ppid === 1;
  return !(isMultiplexer(server.comm) || sudoPty);
}

/** Which processes get a row; status is read here once (for the user filter) and kept in the cache. */
function candidates(
  source: ProcSource,
  cache: RunCache,
  opts: ScanOptions,
  exclude: Set<number>,
  skipped: Skipped,
): ProcStat[] {
  const out: ProcStat[] = [];
  for (const st of cache.table.all()) {
    if (exclude.has(st.pid)) continue;
    if (isKernelThread(st)) skipped.kernelThreads++;
    else if (st.state === 'Z') skipped.zombies++;
    else if (inLoginForeground(st, cache.table)) skipped.foreground++;
    else {
      let status = null;
      try {
        status = readStatus(source, st.pid);
        cache.status.set(st.pid, status);
      } catch {
        /* read again (and its errno recorded) by the snapshot */
      }
      if (opts.uid !== null && status?.uid[0] !== opts.uid) skipped.otherUsers++;
      else out.push(st);
    }
  }
  return out;
}

/**
 * The table's read first (plan 'scan-table'): when a check the table decides
 * fails, the verdict is not-a-daemon whatever else is found, and nothing more
 * is read. Otherwise the full snapshot (plan 'scan-full').
 *
 * When the native helper has read every file already (BulkProcSource), the
 * table's pass saves no reads, only a second judgement: the full snapshot is
 * judged first, and that judgement is the row when the table's own pass
 * could not have decided otherwise: the profile chosen without environ and
 * cgroup (the table's snapshot has neither) is the same, and none of the
 * checks the table decides fails. Those checks read only table facts, so
 * under one profile they judge both snapshots alike. Anything else takes the
 * two passes as above, with the full judgement kept when the table's pass
 * finds no failure. test/live/scan-equality.test.ts compares every row with
 * its own audit.
 */
function judgeOne(
  source: ProcSource,
  host: HostReader,
  cache: RunCache,
  pid: number,
  opts: ScanOptions,
): { snap: Snapshot; j: Judgement } {
  let full: { snap: Snapshot; j: Judgement } | null = null;
  if (source instanceof BulkProcSource) {
    const snap = readSnapshot(source, pid, { host, cache, plan: 'scan-full' });
    const j = judge(snap, opts);
    full = { snap, j };
    if (
      !j.rows.some((c) => c.status === 'fail' && TABLE_DECISIVE.has(c.id as CheckId)) &&
      chooseProfile({ ...snap, environ: null, cgroup: null }, opts.profile).profile === j.profile
    )
      return full;
  }
  const snap = readSnapshot(source, pid, { host, cache, plan: 'scan-table' });
  const j = judge(snap, opts, TABLE_DECISIVE);
  if (j.rows.some((c) => c.status === 'fail')) return { snap, j };
  if (full) return full;
  const fullSnap = readSnapshot(source, pid, { host, cache, plan: 'scan-full' });
  return { snap: fullSnap, j: judge(fullSnap, opts) };
}

function rowOf(snap: Snapshot, j: Judgement): ScanRow {
  return {
    pid: snap.pid,
    ppid: snap.stat.ppid,
    uid: snap.status?.uid[0] ?? null,
    user: snap.userName,
    comm: snap.stat.comm,
    cmdline: snap.cmdline,
    profile: j.profile,
    verdict: j.verdict,
    startedAs: j.startedAs,
    fate: j.fate,
    problems: j.rows
      .filter(isProblem)
      .sort((a, b) => statusRank(a.status) - statusRank(b.status))
      .map((c) => ({ id: c.id, status: c.status, detail: c.detail })),
  };
}

export function scanProcesses(source: ProcSource, host: HostReader, opts: ScanOptions): ScanResult {
  const table = ProcessTable.read(source);
  if (table.byPid.size === 0) {
    throw new DaemonCheckError('PROC_ROOT', `no processes under ${source.root || '/'}; is it a procfs?`);
  }
  const exclude = new Set(opts.exclude ?? []);
  const cache = scanRunCache(source, table, exclude);
  const ancestors = new Set(
    opts.skipScannerAncestors ? (opts.exclude ?? []).flatMap((pid) => table.ancestors(pid).map((a) => a.pid)) : [],
  );
  const skipped: Skipped = {
    kernelThreads: 0,
    foreground: 0,
    otherUsers: 0,
    zombies: 0,
    vanished: table.missing,
    scannerAncestors: 0,
  };
  const rows: ScanRow[] = [];
  for (const st of candidates(source, cache, opts, exclude, skipped)) {
    if (ancestors.has(st.pid)) {
      skipped.scannerAncestors++;
      continue;
    }
    try {
      const { snap, j } = judgeOne(source, host, cache, st.pid, opts);
      rows.push(rowOf(snap, j));
    } catch (err) {
      if (!(err instanceof DaemonCheckError)) throw err;
      skipped.vanished++;
    }
  }
  rows.sort((a, b) => verdictRank(a.verdict) - verdictRank(b.verdict) || a.pid - b.pid);
  return { schemaVersion: 1, uid: opts.uid, processes: rows, skipped, hidepid: readHidepid(source) };
}
