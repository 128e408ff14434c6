/** `daemon-check scan [--user U] [--all]`: parse, call the library, print. */
import { isTerminal, writeOut } from './output.js';
import { scan } from '../api.js';
import type { ProfileChoice } from '../types.js';
import { CliError } from './errors.js';
import { parseHostRoot, parseUmask } from './common.js';

export interface ScanCliOptions {
  user?: string;
  all?: boolean;
  json?: boolean;
  format: 'table' | 'json';
  profile: ProfileChoice;
  expectUmask?: string;
  expectCwd?: string;
  procRoot: string;
  hostRoot: string;
  color: boolean;
}

export async function runScan(opts: ScanCliOptions): Promise<number> {
  if (opts.all && opts.user !== undefined) throw new CliError('give --user U or --all, not both');
  const result = await scan(
    {
      user: opts.all ? 'all' : opts.user,
      procRoot: opts.procRoot,
      hostRoot: parseHostRoot(opts.hostRoot),
      profile: opts.profile,
      expectUmask: opts.expectUmask !== undefined ? parseUmask(opts.expectUmask) : undefined,
      expectCwd: opts.expectCwd,
    },
    { excludeSelf: true },
  );
  if (opts.json || opts.format === 'json') {
    writeOut(JSON.stringify(result, null, 2) + '\n');
  } else {
    const { renderScanTable } = await import('../report/scan-table.js');
    const width = isTerminal(1) ? process.stdout.columns : 120;
    writeOut(renderScanTable(result, { color: opts.color, width, who: result.uid === null ? 'all users' : `uid ${result.uid}` }));
  }
  return 0;
}
