/**
 * The library: the same audit and scan the CLI runs (the CLI calls these),
 * returning Report objects. Errors are DaemonCheckError with a stable `code`.
 */
import { auditProcess } from './audit.js';
import { DaemonCheckError } from './core/errors.js';
import { resolveUser } from './host/passwd.js';
import { hostFor, type HostReader } from './host/reader.js';
import { bulkSource } from './proc/bulk.js';
import { openProcSource } from './proc/source.js';
import { scanProcesses, type ScanOptions, type ScanResult } from './scan.js';
import { parsePid, readPidMax, resolverFor, waitForTarget, type Target } from './target.js';
import type { AuditOptions, Report } from './audit-types.js';
import { readSnapshot } from './snapshot/read.js';
import { serviceDefinition, type UnitManager } from './unit/index.js';
import { resolveArgv0 } from './snapshot/argv0.js';

export type AuditTarget = number | string | { pid: number } | { pidfile: string } | { name: string };

/** How the CLI differs from a library caller: it is not a holder of the pipes it inherited. */
export interface CallerOptions {
  excludeSelf?: boolean;
}

function toTarget(target: AuditTarget, pidMax: () => number): Target {
  if (typeof target === 'number' || typeof target === 'string') return { pid: parsePid(String(target), pidMax) };
  if ('pid' in target) return { pid: parsePid(String(target.pid), pidMax) };
  if ('pidfile' in target) return { pidfile: target.pidfile };
  if ('name' in target) return { name: target.name };
  throw new DaemonCheckError('INVALID_ARGUMENT', 'audit() takes a pid, { pidfile } or { name }');
}

/** A --name match that vanished or turned out to be a kernel thread is dropped, when there are others. */
const DROPPABLE = new Set(['NO_SUCH_PROCESS', 'EXITED_DURING_AUDIT', 'KERNEL_THREAD', 'ZOMBIE']);

/** Resolves the target (waiting for it with options.wait) and audits every pid it names. */
export async function auditTargets(
  target: AuditTarget,
  options: AuditOptions = {},
  caller: CallerOptions = {},
): Promise<Report[]> {
  const source = openProcSource(options.procRoot ?? '/proc');
  const host = hostFor(source, caller.excludeSelf ?? false, options.hostRoot);
  const t = toTarget(target, () => readPidMax(source));
  const { resolve, what } = resolverFor(t, source, host);
  const pids = options.wait !== undefined ? await waitForTarget(source, resolve, options.wait, what) : resolve();
  const opts = 'pidfile' in t ? { ...options, pidfile: t.pidfile } : options;
  const reports: Report[] = [];
  for (const pid of pids) {
    try {
      reports.push(auditProcess(source, pid, opts, { host }));
    } catch (err) {
      if (pids.length > 1 && err instanceof DaemonCheckError && DROPPABLE.has(err.code)) continue;
      throw err;
    }
  }
  if (reports.length === 0) throw new DaemonCheckError('NO_MATCH', `every match for ${what} exited during the audit`);
  return reports;
}

/**
 * audit(1234), audit({ pidfile }), audit({ name }). A pid or pidfile gives one
 * Report; a name gives one per matching process.
 */
export async function audit(
  target: number | string | { pid: number } | { pidfile: string },
  options?: AuditOptions,
): Promise<Report>;
export async function audit(target: { name: string }, options?: AuditOptions): Promise<Report[]>;
export async function audit(target: AuditTarget, options: AuditOptions = {}): Promise<Report | Report[]> {
  const reports = await auditTargets(target, options);
  return typeof target === 'object' && 'name' in target ? reports : reports[0]!;
}

export interface ScanApiOptions extends Omit<ScanOptions, 'uid' | 'exclude'> {
  /** A uid, a user name, or 'all'; default: the calling user. */
  user?: number | string | 'all';
  procRoot?: string;
  hostRoot?: string;
  /**
   * Read /proc in one pass through the native helper when it is built (the
   * default); false reads file by file. The result is the same, only the
   * time differs.
   */
  bulkRead?: boolean;
}

/** The uid a scan covers: null for 'all', the caller's own by default, else the named user's. */
function scanUid(user: ScanApiOptions['user'], host: HostReader): number | null {
  if (user === 'all') return null;
  if (user === undefined) return host.auditorUid();
  return resolveUser(user, host.users());
}

/** Every background process (not kernel threads, zombies or a terminal's foreground), worst first. */
export async function scan(options: ScanApiOptions = {}, caller: CallerOptions = {}): Promise<ScanResult> {
  const opened = openProcSource(options.procRoot ?? '/proc');
  const source = options.bulkRead === false ? opened : await bulkSource(opened);
  const host = hostFor(source, caller.excludeSelf ?? false, options.hostRoot);
  const { user, bulkRead: _bulk, procRoot: _proc, hostRoot: _host, ...rest } = options;
  // The CLI leaves out itself and, unless every user's processes are asked for, its own shell and terminal.
  const self = caller.excludeSelf ?? false;
  return scanProcesses(source, host, {
    ...rest,
    uid: scanUid(user, host),
    exclude: self ? [process.pid] : [],
    skipScannerAncestors: self && user !== 'all',
  });
}

export interface UnitOptions {
  /** Which manager's definition: one of MANAGERS (src/unit/managers.ts), systemd by default. */
  manager?: UnitManager;
  /** Write environment values too (they may hold secrets): names only by default. */
  env?: boolean;
  procRoot?: string;
  hostRoot?: string;
}

/** A group name from the host's /etc/group, or null. */
function groupName(host: HostReader, gid: number | undefined): string | null {
  if (gid === undefined) return null;
  try {
    const line = host
      .files()
      .readText('etc/group')
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
    return line ? line.split(':')[0]! : null;
  } catch {
    return null;
  }
}

/** `daemon-check unit`: a service definition that runs the program of `pid` in the foreground under a manager. */
export async function unit(target: number | string | { pid: number }, options: UnitOptions = {}): Promise<string> {
  const source = openProcSource(options.procRoot ?? '/proc');
  const host = hostFor(source, true, options.hostRoot);
  const raw = typeof target === 'object' ? target.pid : target;
  const pid = parsePid(String(raw), () => readPidMax(source), false);
  const { resolve } = resolverFor({ pid }, source, host);
  resolve();
  const snap = readSnapshot(source, pid, { host });
  snap.argv0Path = resolveArgv0(source, snap);
  let exe: string | null;
  let exeError: string | null = null;
  try {
    exe = source.readlink(`${pid}/exe`).toString('utf8');
  } catch (err) {
    exe = null;
    exeError = (err as NodeJS.ErrnoException).code ?? 'EIO';
  }
  const st = snap.status;
  const uid = st?.uid[1] ?? st?.uid[0];
  const input = {
    snap,
    exe,
    exeError,
    userName: uid === undefined ? null : host.userName(uid),
    groupName: groupName(host, st?.gid[1] ?? st?.gid[0]),
    withEnv: options.env ?? false,
  };
  return serviceDefinition(input, options.manager ?? 'systemd');
}
