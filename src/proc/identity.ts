/**
 * A process's identity is (pid, starttime), as psutil has it: a pid alone can
 * be reused. An audit re-reads stat at the end and throws its evidence out
 * when the process it started with is gone (docs/proc-notes.md).
 */
import { errnoOf } from '../core/errors.js';
import type { ProcSource } from './source.js';
import { readStat, type ProcStat } from './stat.js';

export interface Identity {
  pid: number;
  starttime: string;
}

/** What became of a process since `before` was read. */
export type IdentityCheck = 'same' | 'exited' | 'reused' | 'garbled';

export function identityOf(st: ProcStat): Identity {
  return { pid: st.pid, starttime: st.starttime };
}

export function isSameProcess(a: Identity, b: Identity): boolean {
  return a.pid === b.pid && a.starttime === b.starttime;
}

/**
 * Re-reads PID/stat. A process that has become a zombie since `before` counts
 * as exited (its fds and cwd vanished under the reader); a stat that no longer
 * parses proves nothing, so it is 'garbled', never 'same'. An unreadable stat
 * (EACCES) says nothing either way and is taken as the same process.
 */
export function recheckIdentity(source: ProcSource, before: ProcStat): IdentityCheck {
  let now: ProcStat;
  try {
    now = readStat(source, before.pid);
  } catch (err) {
    const e = errnoOf(err);
    if (e === 'ENOENT' || e === 'ESRCH') return 'exited';
    return e === 'EPARSE' ? 'garbled' : 'same';
  }
  if (now.state === 'Z' && before.state !== 'Z') return 'exited';
  return isSameProcess(identityOf(now), identityOf(before)) ? 'same' : 'reused';
}

/**
 * A key that changes while a process is still settling: a daemon that is
 * still forking changes its start time, parent, session or group. null when
 * the stat cannot be read.
 */
export function settleKey(source: ProcSource, pid: number): string | null {
  try {
    const st = readStat(source, pid);
    return `${pid}@${st.starttime}:${st.ppid}:${st.session}:${st.pgrp}`;
  } catch {
    return null;
  }
}
