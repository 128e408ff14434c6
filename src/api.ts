/** Library entry points: the same audit the CLI runs, returning Report objects. */
import { auditProcess } from './audit.js';
import { DaemonCheckError } from './errors.js';
import { hostFor } from './host.js';
import { openProcSource } from './proc/source.js';
import { parsePid, pidFromPidfile, pidsByName, readPidMax } from './target.js';
import type { AuditOptions, Report } from './types.js';
import { scanProcesses, type ScanResult } from './scan.js';
import { lookupUid } from './host.js';

export type AuditTarget = number | string | { pid: number } | { pidfile: string } | { name: string };

/** Audits one process by pid. Throws DaemonCheckError (see `code`) when it cannot. */
export async function auditPid(pid: number, options: AuditOptions = {}): Promise<Report> {
  return (await audit(pid, options)) as Report;
}

/**
 * audit(1234), audit({ pidfile }), audit({ name }). A pid or pidfile gives one
 * Report; a name gives an array (one per matching process).
 */
export async function audit(target: AuditTarget, options: AuditOptions = {}): Promise<Report | Report[]> {
  const source = openProcSource(options.procRoot ?? '/proc');
  const host = hostFor(source);
  if (typeof target === 'number' || typeof target === 'string' || 'pid' in target) {
    const raw = typeof target === 'object' ? target.pid : target;
    const pid = parsePid(String(raw), readPidMax(source));
    return auditProcess(source, pid, options, { host });
  }
  if ('pidfile' in target) {
    const pid = pidFromPidfile(target.pidfile, source);
    return auditProcess(source, pid, { ...options, pidfile: target.pidfile }, { host });
  }
  if ('name' in target) {
    return pidsByName(target.name, source).map((pid) => auditProcess(source, pid, options, { host }));
  }
  throw new DaemonCheckError('INVALID_ARGUMENT', 'audit() takes a pid, { pidfile } or { name }');
}

export interface ScanApiOptions extends AuditOptions {
  /** A uid, a user name, or 'all'; default: the calling user. */
  user?: number | string | 'all';
}

/** Every background process (not kernel threads, zombies or a terminal's foreground), worst first. */
export async function scan(options: ScanApiOptions = {}): Promise<ScanResult> {
  const source = openProcSource(options.procRoot ?? '/proc');
  const host = hostFor(source);
  let uid: number | null;
  if (options.user === 'all') uid = null;
  else if (options.user === undefined) uid = process.getuid ? process.getuid() : null;
  else if (typeof options.user === 'number') uid = options.user;
  else if (/^\d+$/.test(options.user)) uid = Number(options.user);
  else {
    const found = lookupUid(options.user);
    if (found === null) throw new DaemonCheckError('INVALID_ARGUMENT', `user '${options.user}' is not in /etc/passwd`);
    uid = found;
  }
  return scanProcesses(source, host, { ...options, uid });
}
