/** `daemon-check scan [--user U] [--all]`: parse, call the library, print (or write --output). */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  type Stats,
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeOut } from './output.js';
import { scan } from '../api.js';
import type { ScanResult } from '../scan.js';
import type { ProfileChoice } from '../core/types.js';
import { CliError } from './errors.js';
import { parseHostRoot, parseUmask } from './common.js';

export interface ScanCliOptions {
  user?: string;
  all?: boolean;
  json?: boolean;
  format: 'table' | 'json' | 'prometheus';
  output?: string;
  maxSeries?: string;
  profile: ProfileChoice;
  expectUmask?: string;
  expectCwd?: string;
  procRoot: string;
  hostRoot: string;
  color?: boolean;
  ascii?: boolean;
}

/** --max-series: a whole number of daemon_check_process_info series, only for --format prometheus. */
function parseMaxSeries(text: string | undefined, format: ScanCliOptions['format']): number | undefined {
  if (text === undefined) return undefined;
  if (format !== 'prometheus') throw new CliError('--max-series applies to --format prometheus only');
  if (!/^\d{1,7}$/.test(text.trim()))
    throw new CliError(`--max-series '${text}' is not a whole number of series: use e.g. --max-series 100`);
  return Number(text.trim());
}

/** The errno part of a Node file system error: "no space left on device (ENOSPC)". */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const m = /^(E[A-Z]+): ([^,]+)/.exec(e?.message ?? '');
  return m ? `${m[2]} (${m[1]})` : String(e?.message ?? err);
}

/**
 * Checked before the scan, so a cron line with a wrong path fails at once:
 * the folder must exist and be writable, and FILE must not be a folder.
 * Every --output problem is exit 2, like any other bad command line.
 */
function checkOutput(file: string): string {
  const abs = resolve(file);
  const dir = dirname(abs);
  let st: Stats;
  try {
    st = statSync(dir);
  } catch (err) {
    throw new CliError(
      `--output ${file}: its folder ${dir} cannot be used: ${reason(err)}; create the folder or give another path`,
    );
  }
  if (!st.isDirectory())
    throw new CliError(`--output ${file}: ${dir} is not a folder; give a file in an existing folder`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new CliError(
      `--output ${file}: cannot create files in ${dir}: ${reason(err)}; give a folder this user can write`,
    );
  }
  if (statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CliError(
      `--output ${file} is a folder; give a file name in it, such as ${join(file, 'daemon_check.prom')}`,
    );
  }
  return abs;
}

/**
 * Writes FILE atomically: a temporary file in the same folder (so the rename
 * stays on one file system), written whole, flushed, made 0644 whatever the
 * umask, then renamed over FILE. A reader (node_exporter's textfile
 * collector) sees the old file or the new one, never part of one. The
 * temporary name starts with a dot and ends in .tmp, so the collector, which
 * reads only *.prom, never picks it up. On any failure it is removed.
 */
function writeAtomically(abs: string, file: string, text: string): void {
  const tmp = join(dirname(abs), `.${basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    fchmodSync(fd, 0o644);
    writeFileSync(fd, text, 'utf8');
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, abs);
  } catch (err) {
    try {
      if (fd !== null) closeSync(fd);
    } finally {
      rmSync(tmp, { force: true });
    }
    throw new CliError(`cannot write --output ${file}: ${reason(err)}`);
  }
}

async function render(
  result: ScanResult,
  opts: ScanCliOptions,
  timing: { finishedAtMs: number; durationMs: number },
  maxSeries: number | undefined,
): Promise<string> {
  if (opts.json || opts.format === 'json') return JSON.stringify(result, null, 2) + '\n';
  if (opts.format === 'prometheus') {
    const { renderPrometheus } = await import('../report/prometheus.js');
    return renderPrometheus(result, timing, { maxSeries });
  }
  const { renderScanTable } = await import('../report/scan-table.js');
  const who = result.uid === null ? 'all users' : `uid ${result.uid}`;
  // A file gets no colour and the width of a wide terminal; stdout follows the terminal (COLUMNS, NO_COLOR, LANG).
  if (opts.output !== undefined) return renderScanTable(result, { color: false, width: 160, ascii: opts.ascii, who });
  const { terminalStyle } = await import('./render.js');
  const style = await terminalStyle(opts.color, opts.ascii);
  return renderScanTable(result, { ...style, who });
}

export async function runScan(opts: ScanCliOptions): Promise<number> {
  if (opts.all && opts.user !== undefined) throw new CliError('give --user U or --all, not both');
  if (opts.json && opts.format === 'prometheus') throw new CliError('give --json or --format prometheus, not both');
  const maxSeries = parseMaxSeries(opts.maxSeries, opts.format);
  const output = opts.output !== undefined ? checkOutput(opts.output) : null;
  const started = performance.now();
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
  const timing = { finishedAtMs: Date.now(), durationMs: performance.now() - started };
  const text = await render(result, opts, timing, maxSeries);
  if (output !== null) writeAtomically(output, opts.output!, text);
  else writeOut(text);
  return 0;
}
