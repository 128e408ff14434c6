/**
 * The process table, read once per run: every <root>/[0-9]+/stat, indexed by
 * pid, parent and session. Children, zombies and session members come from
 * here; nothing rescans /proc per process (proc-notes.md).
 */
import type { ProcSource } from './source.js';
import { parseStat, type ProcStat } from './stat.js';

export class ProcessTable {
  readonly byPid = new Map<number, ProcStat>();
  private childIndex: Map<number, number[]> | null = null;
  private sessionIndex: Map<number, number[]> | null = null;
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
        t.add(parseStat(source.readText(n + '/stat', 4096)));
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

  children(pid: number): ProcStat[] {
    if (!this.childIndex) {
      this.childIndex = new Map();
      for (const st of this.byPid.values()) {
        const list = this.childIndex.get(st.ppid);
        if (list) list.push(st.pid);
        else this.childIndex.set(st.ppid, [st.pid]);
      }
    }
    return (this.childIndex.get(pid) ?? []).map((p) => this.byPid.get(p)!);
  }

  sessionMembers(sid: number): ProcStat[] {
    if (!this.sessionIndex) {
      this.sessionIndex = new Map();
      for (const st of this.byPid.values()) {
        const list = this.sessionIndex.get(st.session);
        if (list) list.push(st.pid);
        else this.sessionIndex.set(st.session, [st.pid]);
      }
    }
    return (this.sessionIndex.get(sid) ?? []).map((p) => this.byPid.get(p)!);
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
