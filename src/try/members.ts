/**
 * Who counts (watch.md, "try" step 6): every process of the login, from the
 * cgroup leaf's cgroup.procs and from the helper's descendants (it is a
 * child subreaper, so setsid'd and double-forked processes come back to it).
 * Reads /proc; the choice of who counts is `counted`, pure.
 */
import { readFileSync } from 'node:fs';
import type { ProcSource } from '../proc/source.js';
import { parseStat, type ProcStat } from '../proc/stat.js';

export interface Member {
  pid: number;
  stat: ProcStat;
  argv: string[];
}

function readStatOf(proc: ProcSource, pid: number): ProcStat | null {
  try {
    return parseStat(proc.readText(`${pid}/stat`));
  } catch {
    return null;
  }
}

export function argvOf(proc: ProcSource, pid: number): string[] {
  try {
    return proc.readText(`${pid}/cmdline`).split('\0').slice(0, -1);
  } catch {
    return [];
  }
}

/** Every process's stat (threads are not listed: /proc lists thread group leaders). */
function allStats(proc: ProcSource): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of proc.readdir('')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStatOf(proc, Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** The pids below ROOT in the parent links of STATS. Pure. */
export function descendants(stats: readonly ProcStat[], root: number): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const out: number[] = [];
  const todo = [...(children.get(root) ?? [])];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * Who counts, pure: the leaf's and the subreaper's processes, less the login
 * shell itself and any zombie (a dead job the helper has not reaped yet).
 */
export function counted(
  cgroupPids: readonly number[],
  tree: readonly number[],
  stats: ReadonlyMap<number, ProcStat>,
  shell: number,
): number[] {
  const all = [...new Set([...cgroupPids, ...tree])];
  return all.filter((p) => p !== shell && stats.has(p) && stats.get(p)!.state !== 'Z').sort((a, b) => a - b);
}

function cgroupProcs(cgroup: string | null): number[] {
  if (!cgroup) return [];
  try {
    return readFileSync(`${cgroup}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The login's processes now (the shell excluded), each with its stat and argv. */
export function members(proc: ProcSource, helper: number, shell: number, cgroup: string | null): Member[] {
  const stats = allStats(proc);
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  return counted(cgroupProcs(cgroup), descendants(stats, helper), byPid, shell).map((pid) => ({
    pid,
    stat: byPid.get(pid)!,
    argv: argvOf(proc, pid),
  }));
}

/** Whether PID is still the process that had STARTTIME, and not a zombie. */
export function stillRunning(proc: ProcSource, pid: number, starttime: string): boolean {
  const s = readStatOf(proc, pid);
  return s !== null && s.starttime === starttime && s.state !== 'Z';
}
