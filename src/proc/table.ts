/**
 * The process table, read once per run: every <root>/[0-9]+/stat, indexed by
 * pid, parent and session. Children, zombies and session members come from
 * here; nothing rescans /proc per process (docs/proc-notes.md). The indexes
 * hold arrays that callers share and must not change: a session of 2,000
 * members asked for 2,000 times is one array, not 2,000 copies.
 */
import type { ProcSource } from './source.js';
import { parseStat, STAT_CAP, type ProcStat } from './stat.js';

const NONE: readonly ProcStat[] = Object.freeze([]);

function indexBy(stats: Iterable<ProcStat>, key: (st: ProcStat) => number): Map<number, ProcStat[]> {
  const index = new Map<number, ProcStat[]>();
  for (const st of stats) {
    const k = key(st);
    const list = index.get(k);
    if (list) list.push(st);
    else index.set(k, [st]);
  }
  return index;
}

export class ProcessTable {
  readonly byPid = new Map<number, ProcStat>();
  private childIndex: Map<number, ProcStat[]> | null = null;
  private sessionIndex: Map<number, ProcStat[]> | null = null;
  /** Pids whose stat vanished or could not be parsed while we read (they exited: normal). */
  missing = 0;

  static read(source: ProcSource): ProcessTable {
    const t = new ProcessTable();
    let names: string[];
    try {
      names = source.readdir('.');
    } catch {
      names = [];
    }
    for (const n of names) {
      const c = n.charCodeAt(0);
      if (c < 48 || c > 57) continue; // not a pid directory
      try {
        t.add(parseStat(source.readText(`${n}/stat`, STAT_CAP)));
      } catch {
        t.missing++;
      }
    }
    return t;
  }

  add(st: ProcStat): void {
    this.byPid.set(st.pid, st);
    this.childIndex = null;
    this.sessionIndex = null;
  }

  get(pid: number): ProcStat | undefined {
    return this.byPid.get(pid);
  }

  children(pid: number): readonly ProcStat[] {
    this.childIndex ??= indexBy(this.byPid.values(), (st) => st.ppid);
    return this.childIndex.get(pid) ?? NONE;
  }

  sessionMembers(sid: number): readonly ProcStat[] {
    this.sessionIndex ??= indexBy(this.byPid.values(), (st) => st.session);
    return this.sessionIndex.get(sid) ?? NONE;
  }

  /** Parent chain from the process up to (and including) the first pid the table lacks or pid 1. */
  ancestors(pid: number, limit = 64): ProcStat[] {
    const out: ProcStat[] = [];
    let cur = this.byPid.get(pid);
    const seen = new Set<number>();
    while (cur && cur.ppid > 0 && out.length < limit && !seen.has(cur.ppid)) {
      seen.add(cur.ppid);
      const parent = this.byPid.get(cur.ppid);
      if (!parent) break;
      out.push(parent);
      cur = parent;
    }
    return out;
  }

  /** Every descendant of pid (children, their children, ...). */
  descendants(pid: number): Set<number> {
    const out = new Set<number>();
    const stack = [pid];
    while (stack.length) {
      const p = stack.pop()!;
      for (const c of this.children(p)) {
        if (!out.has(c.pid)) {
          out.add(c.pid);
          stack.push(c.pid);
        }
      }
    }
    return out;
  }
}
