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

/**
 * Whitespace as String.prototype.trim and /\s/ see it (ECMA-262 WhiteSpace
 * and LineTerminator): the fields are split exactly where a split(/\s+/)
 * would split them.
 */
export function isJsSpace(c: number): boolean {
  return c <= 0x20
    ? c === 0x20 || (c >= 0x09 && c <= 0x0d)
    : c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff;
}

const STAT_FIELDS = 20;

function allDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

// Parsed by offsets, without split or a regular expression: a scan parses
// thousands of these (docs/performance.md has the figures). The result, and
// every error, is what a split(/\s+/) of the fields after comm gives
// (test/unit/parsers-rewrite.test.ts compares the two).
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new ParseError('stat', 'no "(comm)"');
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isSafeInteger(pid) || pid < 0) throw new ParseError('stat', 'bad pid');
  const comm = text.slice(open + 1, close);
  // Field 3 (state) onwards, 1-based over the whole line: where each starts and ends.
  const at: number[] = [];
  const n = text.length;
  let i = close + 2;
  while (at.length < 2 * STAT_FIELDS) {
    while (i < n && isJsSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const from = i;
    while (i < n && !isJsSpace(text.charCodeAt(i))) i++;
    at.push(from, i);
  }
  const fields = at.length / 2;
  if (fields < STAT_FIELDS) throw new ParseError('stat', `only ${Math.max(fields, 1) + 2} fields`);
  const field = (k: number): string => text.slice(at[2 * k], at[2 * k + 1]);
  const num = (k: number, name: string): number => {
    const v = Number(field(k));
    if (!Number.isSafeInteger(v)) throw new ParseError('stat', `bad ${name}`);
    return v;
  };
  const starttime = field(19);
  if (!allDigits(starttime)) throw new ParseError('stat', 'bad starttime');
  return {
    pid,
    comm,
    state: field(0),
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
