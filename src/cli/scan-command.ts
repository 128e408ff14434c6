/** `daemon-check scan [--user U] [--all]`. */
import { isTerminal, writeOut } from './output.js';
import { hostFor, lookupUid } from '../host.js';
import { openProcSource } from '../proc/source.js';
import { scanProcesses, type ScanResult } from '../scan.js';
import type { ProfileChoice } from '../types.js';
import { CliError } from './errors.js';
import { parseUmask } from './common.js';

export interface ScanCliOptions {
  user?: string;
  all?: boolean;
  json?: boolean;
  format: 'table' | 'json';
  profile: ProfileChoice;
  expectUmask?: string;
  expectCwd?: string;
  procRoot: string;
  color: boolean;
}

/** A user name or uid -> uid, from /etc/passwd. */
export function resolveUser(user: string): number {
  if (/^\d+$/.test(user)) return Number(user);
  const uid = lookupUid(user);
  if (uid !== null) return uid;
  throw new CliError(`--user '${user}' is not a user on this machine: give a name from /etc/passwd or a numeric uid`);
}

export async function runScan(opts: ScanCliOptions): Promise<number> {
  if (opts.all && opts.user !== undefined) throw new CliError('give --user U or --all, not both');
  const uid = opts.all ? null : opts.user !== undefined ? resolveUser(opts.user) : process.getuid!();
  const source = openProcSource(opts.procRoot);
  const host = hostFor(source, true);
  const result = scanProcesses(source, host, {
    uid,
    exclude: [process.pid],
    profile: opts.profile,
    expectUmask: opts.expectUmask !== undefined ? parseUmask(opts.expectUmask) : undefined,
    expectCwd: opts.expectCwd,
  });
  if (opts.json || opts.format === 'json') {
    writeOut(JSON.stringify(result, null, 2) + '\n');
  } else {
    const { renderScanTable } = await import('../report/scan-table.js');
    const width = isTerminal(1) ? process.stdout.columns : 120;
    writeOut(renderScanTable(result, { color: opts.color, width, who: uid === null ? 'all users' : `uid ${uid}` }));
  }
  return 0;
}

export type { ScanResult };
