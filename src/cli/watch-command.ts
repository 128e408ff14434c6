/**
 * `daemon-check watch <pid>... | --pidfile FILE | --name NAME [-- CMD ARGS]`:
 * check the command line, open the journal and audit the targets (their
 * predictions) before anything starts, then run the watch until every
 * watched process has ended, --for runs out, or SIGINT or SIGTERM stops it,
 * and print what was seen (docs/watch.md).
 */
import { auditTargets, type AuditTarget } from '../api.js';
import type { Report } from '../audit-types.js';
import type { WatchEvent } from '../watch/events.js';
import { parseDuration } from '../watch/duration.js';
import { openJournal, type Journal } from '../watch/journal.js';
import type { WatchOptions } from '../watch/reader.js';
import { runWatchSession, type WatchPlan } from '../watch/session.js';
import type { KnownProcess } from '../watch/story.js';
import { CliError, printError } from './errors.js';
import { writeOut } from './output.js';
import { terminalStyle } from './render.js';

export interface WatchCliOptions {
  pidfile?: string;
  name?: string;
  tree?: boolean;
  ptrace?: boolean;
  for?: string;
  journal?: string;
  format: 'table' | 'json';
  json?: boolean;
  color?: boolean;
  ascii?: boolean;
}

/** Where the events come from: the reader, unless a test gives a recorded stream. */
export type EventSource = (o: WatchOptions) => AsyncIterable<WatchEvent>;

function targetsOf(pids: string[], command: string[] | null, o: WatchCliOptions): AuditTarget[] {
  const kinds = [pids.length > 0, o.pidfile !== undefined, o.name !== undefined, command !== null];
  const given = kinds.filter(Boolean).length;
  if (given === 0)
    throw new CliError(
      "nothing to watch: give pids, --pidfile FILE, --name NAME or -- CMD ARGS (e.g. 'daemon-check watch 1234')",
    );
  if (given > 1) throw new CliError('give pids, --pidfile FILE, --name NAME or -- CMD, only one of them');
  if (command !== null && command.length === 0) throw new CliError("no command after '--': give one, e.g. -- sleep 60");
  if (o.pidfile !== undefined) return [{ pidfile: o.pidfile }];
  if (o.name !== undefined) return [{ name: o.name }];
  return pids;
}

function durationOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (seconds === null)
    throw new CliError(
      `--for '${text}' is not a duration: give seconds or a suffix as timeout(1) reads it (90, 90s, 5m, 2h)`,
    );
  return seconds;
}

function journalOf(file: string | undefined): Journal | null {
  if (file === undefined) return null;
  try {
    return openJournal(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new CliError(`--journal ${file} cannot be written (${code}): give a file in a folder you can write to`);
  }
}

/** What /proc said of a process, its parents and its session leader, for the story. */
function knownOf(r: Report): KnownProcess[] {
  const f = r.facts;
  return [
    { pid: r.pid, comm: r.comm, ppid: f.ppid, pgid: f.pgid, sid: f.sid },
    ...f.ancestry.map((a) => ({ pid: a.pid, comm: a.comm, sid: a.sid, pgid: a.pgid })),
    ...(f.sessionLeader ? [{ ...f.sessionLeader, sid: f.sid }] : []),
  ];
}

async function planOf(targets: AuditTarget[]): Promise<WatchPlan> {
  const plan: WatchPlan = {
    watched: [],
    known: new Map(),
    fates: new Map(),
    predict: async (pid) => {
      try {
        const [r] = await auditTargets(pid, {}, { excludeSelf: true });
        return r ? { fate: r.fate, known: knownOf(r), pane: r.startedAs.kind === 'multiplexer-pane' } : null;
      } catch {
        return null; // gone already, or not auditable: the story is told without a prediction
      }
    },
  };
  for (const t of targets) {
    for (const r of await auditTargets(t, {}, { excludeSelf: true })) {
      if (plan.watched.includes(r.pid)) continue;
      plan.watched.push(r.pid);
      plan.fates.set(r.pid, r.fate);
      if (r.startedAs.kind === 'multiplexer-pane') (plan.panes ??= new Set()).add(r.pid);
      for (const k of knownOf(r)) if (!plan.known.has(k.pid) || k.pid === r.pid) plan.known.set(k.pid, k);
    }
  }
  return plan;
}

/** SIGINT and SIGTERM stop the watch cleanly (the reader removes what it set up); returns the undo. */
function onStopSignals(stop: () => void): () => void {
  const handler = () => stop();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

export async function runWatch(
  pids: string[],
  command: string[] | null,
  opts: WatchCliOptions,
  source?: EventSource,
): Promise<number> {
  const targets = targetsOf(pids, command, opts);
  const forSeconds = durationOf(opts.for);
  const format = opts.json ? 'json' : opts.format;
  const journal = journalOf(opts.journal);
  try {
    const plan = await planOf(command === null ? targets : []);
    const events = source ?? (await import('../watch/reader.js')).watchEvents;
    const abort = new AbortController();
    let stoppedBy: 'signal' | 'timeout' | null = null;
    const stop = (why: 'signal' | 'timeout') => {
      stoppedBy ??= why;
      abort.abort();
    };
    const undo = onStopSignals(() => stop('signal'));
    // The helper keeps --for itself; this timer is the backstop should its end line never come.
    const timer = forSeconds ? setTimeout(() => stop('timeout'), (forSeconds + 5) * 1000) : null;
    const style = await terminalStyle(opts.color, opts.ascii);
    // This command stops the watch itself on SIGINT and SIGTERM (through the abort), so the reader forwards none.
    const watchOpts: WatchOptions = { pids: plan.watched, tree: opts.tree, seconds: forSeconds, forwardSignals: false };
    if (command !== null) watchOpts.command = command;
    if (opts.ptrace) watchOpts.ptrace = true;
    watchOpts.signal = abort.signal;
    const sink = { format, color: style.color, out: writeOut, journal };
    const outcome = await runWatchSession(events(watchOpts), plan, sink, () => stoppedBy).finally(() => {
      undo();
      if (timer) clearTimeout(timer);
    });
    if (!outcome.started) throw new CliError(outcome.error ?? 'the watch did not start', 3);
    if (outcome.error) printError(outcome.error);
    return outcome.error ? 3 : 0;
  } finally {
    journal?.close();
  }
}
