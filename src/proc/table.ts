/**
 * The process table: stat records indexed by pid, parent and session.
 * Children, zombies and session members come from here; nothing rescans
 * /proc per process (docs/proc-notes.md). The indexes hold arrays that
 * callers share and must not change: a session of 2,000 members asked for
 * 2,000 times is one array, not 2,000 copies.
 *
 * Two ways to fill it. `read` lists every <root>/[0-9]+/stat once (scan,
 * name lookups, captures). `lazy` reads only what is asked for: a pid's stat
 * when it is first wanted, a process's children from
 * /proc/PID/task/TID/children. One audit needs its ancestors, children and
 * session, not the machine: with 2,000 unrelated processes alive, reading
 * them all cost an audit ~45 ms (2 cores), the lazy table ~1 ms. It becomes
 * a full table (`all()`) the moment a caller needs every process (tracing
 * who else holds a pipe), or where the children files are missing
 * (CONFIG_PROC_CHILDREN unset, hidepid, a capture tree).
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

function readStatOf(source: ProcSource, pid: number | string): ProcStat | null {
  try {
    return parseStat(source.readText(`${pid}/stat`, STAT_CAP));
  } catch {
    return null;
  }
}

export class ProcessTable {
  readonly byPid = new Map<number, ProcStat>();
  private childIndex: Map<number, ProcStat[]> | null = null;
  private sessionIndex: Map<number, ProcStat[]> | null = null;
  /** Pids whose stat vanished or could not be parsed while we read (they exited: normal). */
  missing = 0;
  /** Lazy: the source to read from on demand; null once every process has been read. */
  private source: ProcSource | null = null;
  /** Lazy: pids already looked for and not found, and children lists read. */
  private absent = new Set<number>();
  private childLists = new Map<number, readonly ProcStat[]>();
  private sessionLists = new Map<number, readonly ProcStat[]>();

  static read(source: ProcSource): ProcessTable {
    const t = new ProcessTable();
    t.readAll(source);
    return t;
  }

  /** A table that reads on demand; a full one where /proc/PID/task/TID/children cannot be read. */
  static lazy(source: ProcSource): ProcessTable {
    if (source.kind !== 'procfs' || readStatOf(source, 1) === null || !ProcessTable.childrenReadable(source, 1))
      return ProcessTable.read(source);
    const t = new ProcessTable();
    t.source = source;
    return t;
  }

  private static childrenReadable(source: ProcSource, pid: number): boolean {
    try {
      source.readText(`${pid}/task/${pid}/children`, 1 << 20);
      return true;
    } catch {
      return false;
    }
  }

  private readAll(source: ProcSource): void {
    let names: string[];
    try {
      names = source.readdir('.');
    } catch {
      names = [];
    }
    // Records a lazy table already read are kept (others hold them), in /proc's order like the rest.
    const known = new Map(this.byPid);
    this.byPid.clear();
    for (const n of names) {
      const c = n.charCodeAt(0);
      if (c < 48 || c > 57) continue; // not a pid directory
      const st = known.get(Number(n)) ?? readStatOf(source, n);
      if (st) this.byPid.set(st.pid, st);
      else this.missing++;
    }
    this.childIndex = null;
    this.sessionIndex = null;
  }

  /** Every process: a lazy table reads them all now, once. */
  all(): Iterable<ProcStat> {
    if (this.source) {
      const source = this.source;
      this.source = null;
      this.readAll(source);
    }
    return this.byPid.values();
  }

  add(st: ProcStat): void {
    this.byPid.set(st.pid, st);
    this.childIndex = null;
    this.sessionIndex = null;
  }

  get(pid: number): ProcStat | undefined {
    const known = this.byPid.get(pid);
    if (known || !this.source || this.absent.has(pid) || pid <= 0) return known;
    // Asked for by ppid, session or a children file: always a process (thread group leader), never a thread.
    const st = readStatOf(this.source, pid);
    if (!st || st.pid !== pid) {
      this.absent.add(pid);
      return undefined;
    }
    this.byPid.set(pid, st);
    return st;
  }

  children(pid: number): readonly ProcStat[] {
    if (this.source) return this.lazyChildren(pid);
    this.childIndex ??= indexBy(this.byPid.values(), (st) => st.ppid);
    return this.childIndex.get(pid) ?? NONE;
  }

  /** Children from every thread's children file (a child belongs to the thread that forked it). */
  private lazyChildren(pid: number): readonly ProcStat[] {
    const cached = this.childLists.get(pid);
    if (cached) return cached;
    const source = this.source!;
    let tids: string[];
    try {
      tids = source.readdir(`${pid}/task`);
    } catch {
      tids = [];
    }
    const out: ProcStat[] = [];
    for (const tid of tids) {
      let text: string;
      try {
        text = source.readText(`${pid}/task/${tid}/children`, 1 << 20);
      } catch {
        continue;
      }
      for (const w of text.split(' ')) {
        const st = w ? this.get(Number(w)) : undefined;
        if (st && st.ppid === pid) out.push(st);
      }
    }
    this.childLists.set(pid, out);
    return out;
  }

  /**
   * Members of a session. A lazy table gathers them without listing /proc:
   * the descendants, inside the session, of its leader, of the topmost
   * in-session ancestor of each of `seeds`, and of pid 1 (which adopts
   * orphans). An orphan adopted by another subreaper is found only by a full
   * table.
   */
  sessionMembers(sid: number, seeds: readonly number[] = []): readonly ProcStat[] {
    if (!this.source) {
      this.sessionIndex ??= indexBy(this.byPid.values(), (st) => st.session);
      return this.sessionIndex.get(sid) ?? NONE;
    }
    const cached = this.sessionLists.get(sid);
    if (cached) return cached;
    const found = new Map<number, ProcStat>();
    const visit = (st: ProcStat | undefined): void => {
      if (!st || st.session !== sid || found.has(st.pid)) return;
      found.set(st.pid, st);
      for (const c of this.children(st.pid)) visit(c);
    };
    visit(this.get(sid));
    for (const s of seeds) {
      let top = this.get(s);
      for (
        let p = top ? this.get(top.ppid) : undefined;
        p && p.session === sid && p.pid !== top!.pid;
        p = this.get(p.ppid)
      )
        top = p;
      visit(top);
    }
    for (const c of this.children(1)) visit(c);
    const list = [...found.values()].sort((a, b) => a.pid - b.pid);
    this.sessionLists.set(sid, list);
    return list;
  }

  /** Parent chain from the process up to (and including) the first pid the table lacks or pid 1. */
  ancestors(pid: number, limit = 64): ProcStat[] {
    const out: ProcStat[] = [];
    let cur = this.get(pid);
    const seen = new Set<number>();
    while (cur && cur.ppid > 0 && out.length < limit && !seen.has(cur.ppid)) {
      seen.add(cur.ppid);
      const parent = this.get(cur.ppid);
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
