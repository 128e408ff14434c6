/** `daemon-check <pid> | --pidfile FILE | --name NAME`. */
import { writeOut } from './output.js';
import { auditProcess } from '../audit.js';
import { DaemonCheckError, errnoOf } from '../errors.js';
import { exitCodeFor } from '../exit.js';
import { hostFor } from '../host.js';
import { openProcSource, type ProcSource } from '../proc/source.js';
import { parseStat } from '../proc/stat.js';
import { hidepidOption } from '../proc/hidepid.js';
import { parsePid, pidFromPidfile, pidsByName, readPidMax } from '../target.js';
import type { AuditOptions, Report } from '../types.js';
import { CliError, printError } from './errors.js';
import { formatOf, parseSeconds, toAuditOptions, type CommonOptions } from './common.js';
import { renderReports } from './render.js';

type Resolve = () => number[];

/** "No such process", or, under hidepid, the reason it may only be invisible. */
export function noSuchProcess(source: ProcSource, pid: number): DaemonCheckError {
  const hide = process.getuid?.() !== 0 ? hidepidOption(source) : null;
  if (hide) {
    return new DaemonCheckError(
      'NO_SUCH_PROCESS',
      `no process with pid ${pid} is visible: ${source.root} is mounted with ${hide}, which hides other users' processes; run as root or as the process's owner`,
    );
  }
  return new DaemonCheckError('NO_SUCH_PROCESS', `no process with pid ${pid}; check the pid with 'ps -p ${pid}'`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function identity(source: ProcSource, pid: number): string | null {
  try {
    const st = parseStat(source.readText(`${pid}/stat`, 4096));
    return `${st.starttime}:${st.ppid}:${st.session}:${st.pgrp}`;
  } catch (err) {
    void errnoOf(err);
    return null;
  }
}

/**
 * Polls until the target resolves and stays put: the same pids with the same
 * start time, parent and session for three polls in a row (a daemon that is
 * still forking changes all three).
 */
async function waitForTarget(source: ProcSource, resolve: Resolve, seconds: number, what: string): Promise<number[]> {
  const deadline = Date.now() + seconds * 1000;
  let last = '';
  let stable = 0;
  let lastError: unknown = null;
  for (;;) {
    try {
      const pids = resolve();
      const key = pids.map((p) => `${p}@${identity(source, p)}`).join(',');
      if (!key.includes('@null') && key === last) stable++;
      else stable = 0;
      last = key;
      if (stable >= 2) return pids;
    } catch (err) {
      if (err instanceof DaemonCheckError && err.code === 'INVALID_PID') throw err;
      lastError = err;
      stable = 0;
      last = '';
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last: ${lastError.message})` : ' (it kept changing)';
      throw new DaemonCheckError('TIMEOUT', `${what} did not appear and settle within ${seconds} s${why}`);
    }
    await sleep(150);
  }
}

export async function auditTargets(pid: string | undefined, opts: CommonOptions, auditOpts: AuditOptions): Promise<Report[]> {
  // A pid with --pidfile audits that pid and checks the pidfile against it.
  const given = [pid !== undefined || opts.pidfile !== undefined, opts.name !== undefined].filter(Boolean).length;
  if (given === 0) throw new CliError("nothing to audit: give a pid, --pidfile FILE or --name NAME (e.g. 'daemon-check 1234'; see --help)");
  if (given > 1) throw new CliError('give a pid (or --pidfile FILE) or --name NAME, not both');
  const wait = opts.wait !== undefined ? parseSeconds(opts.wait, '--wait') : null;
  const source = openProcSource(opts.procRoot);
  const host = hostFor(source, true);

  let resolve: Resolve;
  let what: string;
  if (pid !== undefined) {
    const n = parsePid(pid, readPidMax(source));
    resolve = () => {
      if (!source.exists(String(n))) throw noSuchProcess(source, n);
      return [n];
    };
    what = `pid ${n}`;
  } else if (opts.pidfile !== undefined) {
    const file = opts.pidfile;
    resolve = () => [pidFromPidfile(file, source)];
    what = `pidfile ${file}`;
  } else {
    const name = opts.name!;
    if (name.trim() === '') throw new CliError('--name needs a process name, e.g. --name nginx');
    resolve = () => pidsByName(name, source);
    what = `a process named '${name}'`;
  }
  const pids = wait !== null ? await waitForTarget(source, resolve, wait, what) : resolve();
  const reports: Report[] = [];
  for (const p of pids) {
    try {
      reports.push(auditProcess(source, p, auditOpts, { host }));
    } catch (err) {
      // With --name, a match that exited or is a kernel thread is dropped, not fatal.
      if (pids.length > 1 && err instanceof DaemonCheckError && (err.code === 'NO_SUCH_PROCESS' || err.code === 'EXITED_DURING_AUDIT' || err.code === 'KERNEL_THREAD' || err.code === 'ZOMBIE')) continue;
      throw err;
    }
  }
  if (reports.length === 0) throw new DaemonCheckError('NO_MATCH', `every process named '${opts.name}' exited during the audit`);
  return reports;
}

export async function runAudit(pid: string | undefined, opts: CommonOptions): Promise<number> {
  const auditOpts = toAuditOptions(opts);
  const reports = await auditTargets(pid, opts, auditOpts);
  const format = formatOf(opts);
  const many = opts.name !== undefined;
  writeOut(await renderReports(reports, format, { many, color: opts.color, failOn: opts.failOn }));
  const code = exitCodeFor(reports, opts.failOn);
  if (code !== 0) printError(shortfallLine(reports, opts.failOn));
  return code;
}

/** The one stderr line that goes with exit 1 or 3: which process, and why. */
export function shortfallLine(reports: Report[], failOn: 'fail' | 'warn'): string {
  const why = (r: Report): string => {
    const ids = (pred: (s: Report['checks'][number]) => boolean) => r.checks.filter(pred).map((c) => c.id).join(', ');
    const who = `pid ${r.pid} (${r.comm})`;
    if (r.verdict === 'not-a-daemon') return `${who} is not a daemon: ${ids((c) => c.severity === 'critical' && c.status === 'fail')} failed`;
    if (r.requireFailed.length) return `${who}: required check(s) did not pass: ${r.requireFailed.join(', ')}`;
    if (r.verdict === 'inconclusive') {
      const root = r.auditorUid !== null && r.auditorUid !== 0 ? '; run as root to read it' : '';
      return `${who} is inconclusive: ${ids((c) => c.severity === 'critical' && c.status === 'unknown')} could not be read${root}`;
    }
    if (r.verdict === 'daemon-with-warnings' && failOn === 'warn') return `${who} has warnings (${ids((c) => c.status === 'warn')}) and --fail-on warn is set`;
    return `${who}: ${r.verdict}`;
  };
  const short = reports.filter((r) => r.verdict === 'not-a-daemon' || r.verdict === 'inconclusive' || r.requireFailed.length || (failOn === 'warn' && r.verdict === 'daemon-with-warnings'));
  if (reports.length === 1 || short.length === 1) return why(short[0] ?? reports[0]!);
  return `${short.length} of ${reports.length} processes fall short: ${short.map((r) => `pid ${r.pid} (${r.verdict})`).join(', ')}`;
}
