/**
 * The JSON lines of a watch (`--format json`, and the journal): one line per
 * event a user sees (signal, fork, exec, setsid, exit, oom) and per loss of
 * events, then one summary line. Described by schema/watch-event.schema.json
 * and schema/watch-summary.schema.json (src/watch/schema.ts).
 */
import type { Mechanism, ProcessRef, WatchEvent } from './events.js';
import { isUserEvent } from './events.js';
import type { Judged, Prediction } from './predict.js';
import type { Ending } from './story.js';

export const WATCH_SCHEMA_VERSION = 1;

/** Whether the line is one of the JSON stream's: a user-facing event, or a count of lost events. */
export function isJsonLine(e: WatchEvent): boolean {
  return isUserEvent(e) || e.kind === 'lost';
}

export interface SummaryEnding {
  pid: number;
  comm: string;
  ended: Ending['ended'];
  signal: string | null;
  status: number | null;
  waitStatus: number | null;
  sender: ProcessRef | null;
  code: string | null;
  cause: Ending['cause'];
  story: string;
  predicted: Prediction | null;
  observed: Judged['observed'];
  agrees: boolean | null;
  at: string | null;
  core: boolean;
  survived: Ending['survived'];
  /** Positions (from 0) of the story's events among this watch's event lines. */
  evidence: number[];
}

export interface Summary {
  kind: 'summary';
  schemaVersion: number;
  mechanism: Mechanism | null;
  lost: number;
  startedAt: string;
  endedAt: string;
  /** Why the watch ended: every watched process ended, --for ran out, SIGINT or SIGTERM, or an error. */
  reason: 'all-ended' | 'timeout' | 'signal' | 'error';
  endings: SummaryEnding[];
}

export interface SummaryInput {
  mechanism: Mechanism | null;
  lost: number;
  startedAt: Date;
  endedAt: Date;
  reason: Summary['reason'];
  events: readonly WatchEvent[];
  endings: readonly Judged[];
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t * 1000).toISOString());

export function buildSummary(s: SummaryInput): Summary {
  // An ending's evidence names indexes into the whole stream; the JSON names lines of the JSON stream.
  const lineOf = new Map<number, number>();
  s.events.forEach((e, i) => {
    if (isJsonLine(e)) lineOf.set(i, lineOf.size);
  });
  return {
    kind: 'summary',
    schemaVersion: WATCH_SCHEMA_VERSION,
    mechanism: s.mechanism,
    lost: s.lost,
    startedAt: s.startedAt.toISOString(),
    endedAt: s.endedAt.toISOString(),
    reason: s.reason,
    endings: s.endings.map((j) => ({
      pid: j.pid,
      comm: j.comm,
      ended: j.ended,
      signal: j.signal,
      status: j.status,
      waitStatus: j.waitStatus,
      sender: j.sender,
      code: j.code,
      cause: j.cause,
      story: j.story,
      predicted: j.predicted,
      observed: j.observed,
      agrees: j.agrees,
      at: iso(j.at),
      core: j.core,
      survived: j.survived,
      evidence: j.evidence.flatMap((i) => (lineOf.has(i) ? [lineOf.get(i)!] : [])),
    })),
  };
}

/** One JSON line, newline included. */
export const jsonLine = (value: unknown): string => JSON.stringify(value) + '\n';
