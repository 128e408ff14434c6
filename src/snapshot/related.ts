/** The processes an audit reads beside the target: its parent and its session leader. */
import { errnoOf } from '../core/errors.js';
import { readCmdline } from '../proc/cmdline.js';
import type { ProcSource } from '../proc/source.js';
import { readStat } from '../proc/stat.js';
import { ttyOf } from '../proc/tty.js';
import type { RunCache } from './cache.js';
import type { RelatedProcess } from './types.js';

/** A parent's argv only tells what program it is: 8 KiB is plenty. */
const RELATED_CMDLINE_CAP = 8192;

function readRelated(source: ProcSource, cache: RunCache, pid: number): RelatedProcess | null {
  const stat = cache.table.get(pid);
  if (!stat) return null;
  let cmdline: string[] | null;
  try {
    cmdline = readCmdline(source, pid, RELATED_CMDLINE_CAP).argv;
  } catch {
    cmdline = null;
  }
  return { pid, comm: stat.comm, cmdline, stat, tty: ttyOf(stat, cache.ttyDrivers) };
}

/** A parent or leader, read once per run: thousands of scan rows share a few. */
export function relatedOf(source: ProcSource, cache: RunCache, pid: number): RelatedProcess | null {
  if (!cache.related.has(pid)) cache.related.set(pid, readRelated(source, cache, pid));
  return cache.related.get(pid)!;
}

/**
 * Why a pid is not in the table: null when it has exited (ENOENT/ESRCH), else
 * the errno (EPARSE for garbage, EACCES, ...). "Leader gone" is evidence (the
 * double fork's signature) only when it has exited, not when it is unreadable.
 */
export function whyNotInTable(source: ProcSource, pid: number): string | null {
  try {
    return readStat(source, pid).pid === pid ? null : 'EPARSE';
  } catch (err) {
    const e = errnoOf(err);
    return e === 'ENOENT' || e === 'ESRCH' ? null : e;
  }
}
