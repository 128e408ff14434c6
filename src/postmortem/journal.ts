/**
 * A `watch --journal` file, read for one process (pure: the reader hands
 * over the text). The lines are the watch contract's (docs/postmortem.md):
 * event lines {kind, t, pid, ...}, control lines (start, watching, lost,
 * end) and one summary line {kind: "summary", endedAt, endings: [...]} per
 * watch run. A line that does not parse (a journal cut short by a full disk)
 * is skipped and counted.
 */
import { CAUSES, type Cause } from './types.js';

/** Which process: by pid, or by name (comm as the watcher saw it). */
export type Who = { pid: number } | { name: string };

export interface JournalFinding {
  kind: 'ending' | 'exit' | 'oom' | 'signal' | 'watching' | 'lost';
  pid: number | null;
  comm: string | null;
  /** Epoch seconds, or null when the line has no time. */
  t: number | null;
  /** For an ending, its cause and story; for an exit, what the status says. */
  cause: Cause | null;
  story: string | null;
  line: string;
}

type Json = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const isCause = (v: unknown): v is Cause => typeof v === 'string' && (CAUSES as readonly string[]).includes(v);

function matches(who: Who, pid: unknown, comm: unknown): boolean {
  return 'pid' in who ? pid === who.pid : comm === who.name;
}

/** The signals whose default action is a crash (a core dump by a fault of the program). */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP', 'SIGSYS']);

/** What an exit line alone says: a status, or a killing signal with no sender known. */
function exitCause(e: Json): { cause: Cause; story: string } {
  const signal = str(e.signal);
  if (signal === 'SIGPIPE')
    return { cause: 'broken-pipe', story: 'killed by SIGPIPE: it wrote to a pipe or socket whose reader had gone' };
  if (signal && CRASH_SIGNALS.has(signal))
    return {
      cause: 'crash',
      story: `killed by ${signal}: the program crashed${e.core === true ? ' (core dumped)' : ''}`,
    };
  if (signal) return { cause: 'killed', story: `killed by ${signal}` };
  const code = num(e.exitCode);
  if (code !== null) return { cause: 'exit', story: `it exited on its own with status ${code}` };
  return { cause: 'unknown', story: 'it ended; the watcher could tell only the time' };
}

function endingFindings(o: Json, who: Who, line: string): JournalFinding[] {
  const endedAt = str(o.endedAt);
  const t = endedAt && !Number.isNaN(Date.parse(endedAt)) ? Date.parse(endedAt) / 1000 : null;
  const out: JournalFinding[] = [];
  for (const e of Array.isArray(o.endings) ? (o.endings as Json[]) : []) {
    if (!e || typeof e !== 'object' || !matches(who, e.pid, e.comm) || e.ended === 'alive') continue;
    out.push({
      kind: 'ending',
      pid: num(e.pid),
      comm: str(e.comm),
      t,
      cause: isCause(e.cause) ? e.cause : 'unknown',
      story: str(e.story),
      line,
    });
  }
  return out;
}

function eventFinding(o: Json, line: string): JournalFinding | null {
  const base = { pid: num(o.pid), comm: str(o.comm), t: num(o.t), line };
  switch (o.kind) {
    case 'exit':
      return { kind: 'exit', ...base, ...exitCause(o) };
    case 'oom': {
      const cg = str(o.cgroup);
      const story = `the OOM killer chose it${cg ? ` in memory cgroup ${cg}` : ''}`;
      return { kind: 'oom', ...base, cause: 'oom-killer', story };
    }
    case 'signal': {
      const sender = o.sender as Json | null;
      const from =
        sender && typeof sender === 'object' ? ` from ${str(sender.comm) ?? '?'} (${num(sender.pid) ?? '?'})` : '';
      const story = `${str(o.signal) ?? 'a signal'}${from}, ${str(o.codeName) ?? 'code ?'}, ${str(o.result) ?? '?'}`;
      return { kind: 'signal', ...base, cause: null, story };
    }
    case 'watching':
      return { kind: 'watching', ...base, cause: null, story: null };
    default:
      return null;
  }
}

/** The findings about WHO in a journal's TEXT, in journal order, and how many lines did not parse. */
export function readJournalText(text: string, who: Who): { findings: JournalFinding[]; skipped: number; lost: number } {
  const findings: JournalFinding[] = [];
  let skipped = 0;
  let lost = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let o: Json;
    try {
      o = JSON.parse(line) as Json;
    } catch {
      skipped++;
      continue;
    }
    if (!o || typeof o !== 'object') {
      skipped++;
      continue;
    }
    if (o.kind === 'lost') lost += num(o.count) ?? 0;
    if (o.kind === 'summary') {
      findings.push(...endingFindings(o, who, line));
      continue;
    }
    if (!matches(who, o.pid, o.comm)) continue;
    const f = eventFinding(o, line);
    if (f) findings.push(f);
  }
  return { findings, skipped, lost };
}
