/**
 * From what the host still knows to one answer (pure): which process, the
 * evidence about it, most probable cause first, and what cannot be known.
 * The order (docs/postmortem.md): what a watch observed (its summary's
 * ending, then its oom and exit events), then the kernel's own lines (an OOM
 * kill, a crash), then facts that name no cause (a pidfile, a hung task),
 * then what only happened around the time (a logout, a session's scope
 * stopped). Only the first two decide the cause; the rest is shown as
 * possible, and the cause stays `unknown`.
 */
import {
  type PidfileInfo,
  type Ranked,
  isoOf,
  journalEvidence,
  kernelEvidence,
  logindEvidence,
  pidfileEvidence,
  wtmpEvidence,
} from './evidence.js';
import type { JournalFinding, Who } from './journal.js';
import type { LogindEvent } from './journald.js';
import type { KernelEvent } from './kmsg.js';
import type { Cause, Evidence, Postmortem, SourceStatus } from './types.js';
import type { Logout } from './wtmp.js';

export interface Gathered {
  who: Who;
  /** Epoch seconds. */
  now: number;
  /** --since, epoch seconds. */
  since: number | null;
  pidfile: PidfileInfo | null;
  journals: { files: string[]; findings: Array<JournalFinding & { file: string }>; lost: number };
  /** The kernel log's events, where it could be read; bootEpoch turns its microseconds into wall time. */
  kernel: { events: KernelEvent[]; from: string; bootEpoch: number | null; firstAt: number | null } | null;
  logind: LogindEvent[] | null;
  wtmp: { file: string; logouts: Logout[] } | null;
  sources: SourceStatus[];
}

/** How far before a known time of death a logout or a scope stop still counts as "around the time". */
const AROUND_BEFORE = 600;
const AROUND_AFTER = 60;
/** Without a time of death, at most this many logouts are shown, the newest. */
const MAX_AROUND = 5;

/** The kernel's comm is the first 15 bytes of the name (TASK_COMM_LEN 16). */
const commOf = (name: string): string => Buffer.from(name).subarray(0, 15).toString('utf8');

function kernelTime(e: KernelEvent, bootEpoch: number | null): number | null {
  return e.epoch ?? (e.usec !== null && bootEpoch !== null ? bootEpoch + e.usec / 1e6 : null);
}

const inWindow = (t: number | null, lower: number | null): boolean => lower === null || t === null || t >= lower;

/** For --name: every pid of that name found, newest death first. */
function pidsNamed(g: Gathered, name: string, lower: number | null): number[] {
  const seen = new Map<number, number>();
  const note = (pid: number | null, t: number | null) => {
    if (pid === null || !inWindow(t, lower)) return;
    seen.set(pid, Math.max(seen.get(pid) ?? -Infinity, t ?? -Infinity));
  };
  for (const f of g.journals.findings) if (f.kind !== 'signal') note(f.pid, f.t);
  for (const e of g.kernel?.events ?? []) if (e.comm === commOf(name)) note(e.pid, kernelTime(e, g.kernel!.bootEpoch));
  return [...seen.entries()].sort((a, b) => b[1] - a[1]).map(([pid]) => pid);
}

function aroundTheTime(g: Gathered, death: number | null, lower: number | null): Ranked[] {
  const from = death !== null ? death - AROUND_BEFORE : lower;
  const to = death !== null ? death + AROUND_AFTER : g.now;
  const fits = (t: number | null) => t !== null && (from === null || t >= from) && t <= to;
  const owner = g.pidfile?.owner ?? null;
  const logouts = (g.wtmp?.logouts ?? []).filter((l) => fits(l.at) && (owner === null || l.user === owner));
  const out = [
    ...logouts.map((l) => wtmpEvidence(l, g.wtmp!.file)),
    ...(g.logind ?? []).filter((e) => fits(e.at)).map(logindEvidence),
    ...(g.kernel?.events ?? [])
      .filter((e) => e.pid === null)
      .map((e) => kernelEvidence(e, g.kernel!.bootEpoch, g.kernel!.from))
      .filter((e) => fits(e.t)),
  ];
  return out.sort((a, b) => (b.t ?? 0) - (a.t ?? 0)).slice(0, death === null ? MAX_AROUND : undefined);
}

const byRank = (a: Ranked, b: Ranked): number => a.rank - b.rank || (b.t ?? 0) - (a.t ?? 0);

function pidEvidence(g: Gathered, pid: number, lower: number | null): { list: Ranked[]; comm: string | null } {
  const list: Ranked[] = [];
  let comm: string | null = null;
  for (const f of g.journals.findings) {
    if (f.pid !== pid || !inWindow(f.t, lower)) continue;
    comm ??= f.comm;
    list.push(journalEvidence(f, f.file));
  }
  for (const e of g.kernel?.events ?? []) {
    if (e.pid !== pid) continue;
    const ev = kernelEvidence(e, g.kernel!.bootEpoch, g.kernel!.from);
    if (!inWindow(ev.t, lower)) continue;
    comm ??= e.comm;
    list.push(ev);
  }
  if (g.pidfile && g.pidfile.pid === pid) list.push(pidfileEvidence(g.pidfile));
  return { list: list.sort(byRank), comm };
}

function unknownsOf(g: Gathered, pid: number | null, list: Ranked[], cause: Cause, lower: number | null): string[] {
  const out: string[] = [];
  const who = pid !== null ? `pid ${pid}` : `a process named '${'name' in g.who ? g.who.name : ''}'`;
  const journal = list.filter((e) => e.source === 'watch-journal');
  if (g.journals.files.length === 0) out.push(`no watch journal was found, so no watch saw ${who} end`);
  else if (journal.length === 0) out.push(`no watch journal saw ${who} (read: ${g.journals.files.join(', ')})`);
  else if (!journal.some((e) => e.suggests !== null))
    out.push(`a watch journal saw ${who} but not its end: the watch stopped before it ended`);
  if (g.journals.lost > 0) out.push(`the watch journals count ${g.journals.lost} lost events`);
  if (g.kernel && !list.some((e) => e.source === 'kernel-log')) out.push(`the kernel log has no line for ${who}`);
  if (g.kernel?.firstAt != null && lower !== null && g.kernel.firstAt > lower)
    out.push(
      `the kernel log begins at ${isoOf(g.kernel.firstAt)} (older lines were overwritten): an ending before then left no line`,
    );
  if (cause === 'unknown') {
    out.push(
      'a plain kill -9, or any signal sent by another process, leaves no trace in the kernel log: only a watch running at the time records the sender (daemon-check watch PID)',
    );
    out.push('its exit status went to its parent, which reaped it: the host keeps no record of it');
  }
  if (lower === null && list.some((e) => e.source === 'kernel-log'))
    out.push(`without --since or a pidfile, a line about ${who} may be about an earlier process that had the same pid`);
  // An absent journal is said above; every other source that did not answer is named with why.
  for (const s of g.sources)
    if (s.status !== 'read' && !(s.source === 'watch-journal' && s.status === 'absent'))
      out.push(`${s.source}: ${s.detail}`);
  return out;
}

function storyOf(cause: Cause, top: Ranked | undefined, around: Ranked[]): string {
  if (cause !== 'unknown' && top) return top.meaning;
  if (around.length > 0) return `unknown: nothing recorded how it ended; around that time, ${around[0]!.meaning}`;
  return 'unknown: nothing on this host recorded how it ended';
}

const plain = ({ rank: _r, t: _t, ...e }: Ranked): Evidence => e;

export function judge(g: Gathered): Postmortem {
  const lower = Math.max(g.since ?? -Infinity, g.pidfile?.mtime ?? -Infinity);
  const low = Number.isFinite(lower) ? lower : null;
  let pid: number | null = 'pid' in g.who ? g.who.pid : null;
  let others: number[] = [];
  if ('name' in g.who) {
    const pids = pidsNamed(g, g.who.name, low);
    pid = pids[0] ?? null;
    others = pids.slice(1).reverse();
  }
  const { list, comm } = pid === null ? { list: [], comm: null } : pidEvidence(g, pid, low);
  const top = list.find((e) => e.suggests !== null && (e.strength === 'observed' || e.strength === 'logged'));
  const cause: Cause = top?.suggests ?? 'unknown';
  const around = aroundTheTime(g, top?.t ?? null, low);
  const evidence = [...list, ...around].sort(byRank);
  return {
    schemaVersion: 1,
    pid,
    comm: comm ?? ('name' in g.who ? g.who.name : null),
    cause,
    story: storyOf(cause, top, around),
    evidence: evidence.map(plain),
    unknowns: unknownsOf(g, pid, list, cause, low),
    sources: g.sources,
    others,
    window: { since: isoOf(low), until: isoOf(g.now)! },
  };
}
