/**
 * /proc/PID/stat. comm sits between the first '(' and the LAST ')': it may
 * itself hold spaces, ')' and newlines, so the whole file is parsed, never a
 * line (proc(5); procps-ng and prometheus/procfs both do it this way; see
 * docs/proc-notes.md).
 */
import { ParseError } from '../core/errors.js';
import type { ProcSource } from './source.js';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  tpgid: number;
  flags: number;
  /** Clock ticks after boot; with pid it is the process's identity. */
  starttime: string;
  numThreads: number;
}

/** PF_KTHREAD in include/linux/sched.h. */
const PF_KTHREAD = 0x00200000;

export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new ParseError('stat', 'no "(comm)"');
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isSafeInteger(pid) || pid < 0) throw new ParseError('stat', 'bad pid');
  const comm = text.slice(open + 1, close);
  // Field 3 (state) onwards, 1-based over the whole line.
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  if (rest.length < 20) throw new ParseError('stat', `only ${rest.length + 2} fields`);
  const num = (i: number, name: string): number => {
    const v = Number(rest[i]);
    if (!Number.isSafeInteger(v)) throw new ParseError('stat', `bad ${name}`);
    return v;
  };
  const starttime = rest[19]!;
  if (!/^\d+$/.test(starttime)) throw new ParseError('stat', 'bad starttime');
  return {
    pid,
    comm,
    state: rest[0]!,
    ppid: num(1, 'ppid'),
    pgrp: num(2, 'pgrp'),
    session: num(3, 'session'),
    ttyNr: num(4, 'tty_nr'),
    tpgid: num(5, 'tpgid'),
    flags: num(6, 'flags'),
    numThreads: num(17, 'num_threads'),
    starttime,
  };
}

export function isKernelThread(stat: ProcStat): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

/** A stat line is well under a page: comm is at most 64 bytes. */
export const STAT_CAP = 4096;

/** Reads and parses PID/stat; throws ProcReadError (errno) or ParseError. */
export function readStat(source: ProcSource, pid: number): ProcStat {
  return parseStat(source.readText(`${pid}/stat`, STAT_CAP));
}
