/**
 * One watch from first line to summary, over any source of events (the
 * reader, or a recorded stream): each event is printed as it comes (a line
 * on a terminal, or a JSON line) and appended to the journal, processes
 * that join the watch get their prediction, and at the end the story is
 * told and held against the predictions. The source and the printing are
 * given, so this holds no I/O of its own.
 */
import type { Fate } from '../core/types.js';
import type { Mechanism, WatchEvent } from './events.js';
import type { Journal } from './journal.js';
import { judge } from './predict.js';
import { eventPrinter, renderEndings } from './render.js';
import { tellEndings, type KnownProcess } from './story.js';
import { buildSummary, isJsonLine, jsonLine, type Summary } from './summary.js';

export interface WatchSink {
  format: 'table' | 'json';
  color: boolean;
  out(text: string): void;
  journal: Journal | null;
}

export interface WatchPlan {
  /** The pids named on the command line (none for `-- CMD`). */
  watched: number[];
  known: Map<number, KnownProcess>;
  /** The prediction for each pid, taken when the watch began (or when the pid joined it). */
  fates: Map<number, Fate>;
  /**
   * The pids whose terminal, when the watch began, was a multiplexer's pane
   * (tmux, screen): the model's `hangup` is the login's terminal, which does
   * not reach them, so a hangup of the pane itself is held against no prediction.
   */
  panes?: Set<number>;
  /** The fate model's prediction for a pid that joins the watch, or null when it cannot be audited. */
  predict(pid: number): Promise<{ fate: Fate; known: KnownProcess[]; pane?: boolean } | null>;
}

export interface WatchOutcome {
  summary: Summary;
  /** The error that ended the watch, when one did. */
  error: string | null;
  /** Whether the watch started at all (a start line came). */
  started: boolean;
}

const END_WORDS: Record<Summary['reason'], string> = {
  'all-ended': 'when the watch ended',
  timeout: 'when --for ran out',
  signal: 'when the watch was stopped',
  error: 'when the watch failed',
};

/** Reads EVENTS to their end (or until STOPPED says why it was cut short), printing as it goes. */
export async function runWatchSession(
  events: AsyncIterable<WatchEvent>,
  plan: WatchPlan,
  sink: WatchSink,
  stopped: () => Summary['reason'] | null,
): Promise<WatchOutcome> {
  const startedAt = new Date();
  const seen: WatchEvent[] = [];
  const print = eventPrinter(plan.known);
  let mechanism: Mechanism | null = null;
  let lost = 0;
  let reason: Summary['reason'] | null = null;
  let error: string | null = null;
  const emit = (text: string) => sink.out(text);
  try {
    for await (const e of events) {
      seen.push(e);
      if (e.kind === 'start') mechanism = e.mechanism;
      if (e.kind === 'lost') lost += e.count;
      if (e.kind === 'end') {
        reason = e.reason;
        error = e.error ?? (e.reason === 'error' ? 'the watch failed' : null);
      }
      if (e.kind === 'watching' && !plan.fates.has(e.pid)) await joinPlan(plan, e.pid);
      if (isJsonLine(e)) {
        const line = jsonLine(e);
        sink.journal?.append(line);
        if (sink.format === 'json') emit(line);
      }
      const text = sink.format === 'table' ? print(e) : null;
      if (text !== null) emit(text + '\n');
    }
  } catch (err) {
    // The reader failed (the helper could not be run, or died): what was seen is still told.
    reason = 'error';
    error = (err as Error).message;
  }
  reason = reason ?? stopped() ?? 'all-ended';
  const endings = tellEndings({ events: seen, watched: plan.watched, known: plan.known, endWords: END_WORDS[reason] });
  const judged = endings.map((ending) =>
    judge(ending, plan.fates.get(ending.pid) ?? null, plan.panes?.has(ending.pid) === true),
  );
  const summary = buildSummary({
    mechanism,
    lost,
    startedAt,
    endedAt: new Date(),
    reason,
    events: seen,
    endings: judged,
  });
  // A watch that never started has nothing to tell: the caller says why in one line.
  if (mechanism === null) return { summary, error, started: false };
  sink.journal?.append(jsonLine(summary));
  if (sink.format === 'json') emit(jsonLine(summary));
  else emit(renderEndings({ mechanism, lost, events: seen, known: plan.known, endings: judged }, sink));
  return { summary, error, started: mechanism !== null };
}

/** A pid that joined the watch (the command started, or a child with --tree): its prediction, taken now. */
async function joinPlan(plan: WatchPlan, pid: number): Promise<void> {
  const got = await plan.predict(pid);
  if (!got) return;
  plan.fates.set(pid, got.fate);
  if (got.pane) (plan.panes ??= new Set()).add(pid);
  for (const k of got.known) if (!plan.known.has(k.pid)) plan.known.set(k.pid, k);
}
