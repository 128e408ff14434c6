/**
 * The watch on a terminal: one line per event as it happens ("12:00:01.234
 * 1300 sleep  SIGHUP from bash (1234) SI_USER: ignored"), then "How it
 * ended": for each watched process the cause in plain words, the events
 * behind it, and the prediction beside what was observed. A prediction that
 * did not hold is one line that stands out: a '!' and, with colour, red.
 */
import { makeChalk } from '../report/style.js';
import { safeText } from '../report/sanitize.js';
import { processLabel } from '../core/words.js';
import type { Cause, Mechanism, WatchEvent } from './events.js';
import type { KnownProcess } from './timeline.js';
import type { Judged } from './predict.js';

export interface WatchStyle {
  color: boolean;
}

/** A cause in plain words, for the heading of an ending. */
export const CAUSE_WORDS: Record<Cause, string> = {
  'terminal-hangup': 'its terminal hung up',
  'shell-forwarded-hangup': "its shell forwarded the terminal's hangup",
  'orphaned-group': 'its process group was orphaned with a stopped member',
  'scope-stop': 'systemd stopped its unit',
  'oom-killer': 'the OOM killer',
  crash: 'it crashed',
  'broken-pipe': 'it wrote to a broken pipe',
  killed: 'a signal from another process',
  exit: 'it exited',
  unknown: 'not known',
};

const MECHANISM_WORDS: Record<Mechanism, string> = {
  tracefs: 'tracefs signal events and the proc connector',
  // The helper's first start note says that the program is being traced, and what that changes.
  ptrace: 'ptrace',
  parent: 'being its parent (exact exit statuses)',
  pidfd: 'a pidfd (only the time of death)',
};

/** "12:00:01.234", local time. */
export function clock(t: number): string {
  const d = new Date(t * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** What an exit line says: "exited with status 3", "killed by SIGHUP (core dumped)", "ended". */
function exitWords(e: Extract<WatchEvent, { kind: 'exit' }>): string {
  const core = e.core ? ' (core dumped)' : '';
  if (e.signal) return `killed by ${e.signal}${core}`;
  if (e.exitCode !== null) return `exited with status ${e.exitCode}`;
  return e.status === null ? 'ended' : `ended with wait status 0x${e.status.toString(16)}${core}`;
}

/** What became of a signal: ignored, caught, or (its fate told by the exit that follows) delivered. */
function signalFate(e: Extract<WatchEvent, { kind: 'signal' }>): string {
  if (e.result === 'ignored' || e.disposition === 'ignored') return 'ignored';
  if (e.disposition === 'caught') return 'caught by a handler';
  if (e.disposition === 'stopped') return 'stopped it';
  if (e.disposition === 'fatal') return 'fatal (its default action)';
  if (e.result === 'pending') return 'already pending';
  if (e.result === 'overflow') return 'dropped: the signal queue was full';
  return 'delivered';
}

/** The words of one event, or null for the lines that are not shown (deliver, comm, end). */
function eventWords(e: WatchEvent): string | null {
  switch (e.kind) {
    case 'signal': {
      const from = e.sender ? ` from ${processLabel(e.sender)}` : '';
      const context = e.context ? ' (to the leader of a watched session, not watched itself)' : '';
      return `${e.signal}${from} ${e.codeName || e.code}: ${signalFate(e)}${context}`;
    }
    case 'fork':
      return `started ${processLabel({ pid: e.child, comm: e.comm })}`;
    case 'exec':
      return `exec ${e.filename ?? e.comm}`;
    case 'setsid':
      return `setsid: leads session ${e.sid} now`;
    case 'exit':
      return exitWords(e);
    case 'oom': {
      const where = e.cgroup ? ` in cgroup ${e.cgroup}` : '';
      return `chosen by the OOM killer${where} (${Math.round(e.rssKb / 1024)} MiB resident, oom_score_adj ${e.oomScoreAdj})`;
    }
    case 'lost':
      return `${e.count} events lost (${e.source === 'tracefs' ? 'the trace ring buffer overran' : 'the proc connector reported ENOBUFS'})`;
    case 'watching':
      return 'watched from now on';
    default:
      return null;
  }
}

/** Keeps the pid -> comm map of the stream as it goes, and gives each event's line (or null). */
export function eventPrinter(known: ReadonlyMap<number, KnownProcess>): (e: WatchEvent) => string | null {
  const comms = new Map([...known].map(([pid, p]) => [pid, p.comm]));
  return (e) => {
    if (e.kind === 'exec' || e.kind === 'comm' || e.kind === 'watching') comms.set(e.pid, e.comm);
    if (e.kind === 'fork') comms.set(e.child, e.comm);
    if (e.kind === 'start') {
      const notes = e.notes.map((n) => `\n  ${safeText(n)}`).join('');
      return `watching ${e.watched.join(', ')} with ${MECHANISM_WORDS[e.mechanism]}${notes}`;
    }
    const words = eventWords(e);
    if (words === null) return null;
    // Made safe before padding, so that the columns hold under an escaped comm.
    const who =
      'pid' in e ? `${String(e.pid).padStart(7)} ${safeText(comms.get(e.pid) ?? '?').padEnd(15)}` : ' '.repeat(23);
    return `${clock(e.t)} ${who} ${safeText(words)}`;
  };
}

/** "predicted hangup: dies; observed: killed by ..." (or "observed: ..." where nothing was predicted). */
function predictionLine(j: Judged, style: WatchStyle): string {
  const observed = `observed: ${safeText(j.story)}`;
  if (!j.predicted) return `  ${observed}`;
  const line = `predicted ${j.predicted.event}: ${j.predicted.outcome}; ${observed}`;
  if (j.agrees !== false) return `  ${line}`;
  const c = makeChalk(style.color);
  return c.red.bold(`! ${line} (the prediction did not hold)`);
}

export interface SummaryView {
  mechanism: Mechanism | null;
  lost: number;
  events: readonly WatchEvent[];
  known: ReadonlyMap<number, KnownProcess>;
  endings: readonly Judged[];
}

/** The "How it ended" section. */
export function renderEndings(v: SummaryView, style: WatchStyle): string {
  const print = eventPrinter(v.known);
  const lines = v.events.map((e) => print(e));
  const c = makeChalk(style.color);
  const out = ['', c.bold('How it ended')];
  for (const j of v.endings) {
    const heading = j.ended === 'alive' ? 'still running' : CAUSE_WORDS[j.cause];
    out.push(safeText(`${processLabel(j)}: ${heading}`));
    for (const i of j.evidence) if (lines[i]) out.push(`    ${lines[i]}`);
    out.push(predictionLine(j, style));
  }
  const lost =
    v.lost === 0 ? 'lost 0 events' : `${v.lost} event${v.lost === 1 ? '' : 's'} lost: the story may miss them`;
  out.push('', `mechanism: ${v.mechanism ?? 'none (the watch did not start)'}; ${lost}`);
  return out.join('\n') + '\n';
}
