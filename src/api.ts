/** Library entry points: the same audit the CLI runs, returning Report objects. */
import { auditProcess } from './audit.js';
import { DaemonCheckError } from './errors.js';
import { CaptureHost, LocalHost, readCaptureMeta } from './host.js';
import { openProcSource } from './proc/source.js';
import { parsePid, pidFromPidfile, pidsByName, readPidMax } from './target.js';
import type { AuditOptions, Report } from './types.js';

export type AuditTarget = number | string | { pid: number } | { pidfile: string } | { name: string };

function hostFor(procRoot: string, kind: 'procfs' | 'fixture') {
  if (kind === 'fixture') {
    const meta = readCaptureMeta(procRoot);
    if (meta) return new CaptureHost(meta);
  }
  return new LocalHost();
}

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
  const host = hostFor(source.root, source.kind);
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
