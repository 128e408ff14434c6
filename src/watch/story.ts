/**
 * The story of a watch: a list of events (as the reader gives them), the
 * watched pids and what /proc said of the processes when the watch began, in;
 * one ending per watched process out, each told by the story rules of
 * docs/watch.md (src/watch/causes.ts) from the events the watch saw, and
 * naming those events. A signal that was ignored or caught is not an ending:
 * it is told as what the process lived through. Pure: no I/O.
 */
import { signalName } from '../proc/signals.js';
import { readSignal, type Reading } from './causes.js';
import type { Cause, ExitEvent, Mechanism, ProcessRef, WatchEvent } from './events.js';
import { buildTimeline, tookEffect, type KnownProcess, type PlacedSignal, type Timeline } from './timeline.js';

export type { KnownProcess } from './timeline.js';

export interface Ending {
  pid: number;
  comm: string;
  ended: 'signal' | 'exit' | 'alive';
  /** The signal that ended it, or null. */
  signal: string | null;
  /** The exit status (`exit 3`: 3) of a process that exited; null when a signal ended it, it is alive, or only the time of death is known. */
  status: number | null;
  /** The wait(2) status as the kernel reported it (0x300 for `exit 3`, 0x9 for SIGKILL), or null. */
  waitStatus: number | null;
  /** Who sent the ending signal, or null. */
  sender: ProcessRef | null;
  /** The ending signal's si_code name (SI_USER, SI_KERNEL, SEGV_MAPERR...), or null. */
  code: string | null;
  cause: Cause;
  /** One sentence: "killed by SIGHUP from bash (1234), which forwarded the terminal's hangup". */
  story: string;
  /** Indexes, into the list of events, of the lines the story rests on. */
  evidence: number[];
  /** When it ended (seconds since the epoch), or null. */
  at: number | null;
  core: boolean;
  /**
   * What the process lived through (a hangup it ignored, a SIGTERM it caught)
   * when that, not its ending, is what a prediction speaks of; else null.
   */
  survived: { cause: Cause; signal: string } | null;
}

/** The status's killing signal (wait(2): the low 7 bits, neither 0 nor 0x7f), or null. */
function statusSignal(exit: ExitEvent): string | null {
  if (exit.signal) return exit.signal;
  if (exit.status === null) return null;
  const sig = exit.status & 0x7f;
  return sig !== 0 && sig !== 0x7f ? signalName(sig) : null;
}

function statusCode(exit: ExitEvent): number | null {
  if (exit.exitCode !== null) return exit.exitCode;
  if (exit.status === null || (exit.status & 0x7f) !== 0) return null;
  return (exit.status >> 8) & 0xff;
}

/** Signals whose default action is not to end the process (signal(7)): living through them says nothing. */
const HARMLESS: ReadonlySet<string> = new Set([
  'SIGCHLD',
  'SIGCONT',
  'SIGURG',
  'SIGWINCH',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
]);

/** The signals sent to PID before index END that it lived through (ignored or caught) and that could have ended it. */
function livedThrough(tl: Timeline, pid: number, end: number): PlacedSignal[] {
  return tl.signals.filter(
    (p) => p.event.pid === pid && p.index < end && !tookEffect(p.event) && !HARMLESS.has(p.event.signal),
  );
}

function oomOf(tl: Timeline, pid: number, end: number): number | null {
  const i = tl.events.findIndex((e, j) => j <= end && e.kind === 'oom' && e.pid === pid);
  return i >= 0 ? i : null;
}

/** The words for what the process did with a signal it lived through. */
function verbFor(p: PlacedSignal): string {
  if (p.event.disposition === 'caught') return 'caught';
  if (p.event.result === 'ignored' || p.event.disposition === 'ignored') return 'ignored';
  return 'lived through';
}

interface Survival {
  reading: Reading;
  text: string;
  survived: NonNullable<Ending['survived']>;
}

/**
 * The signal it lived through that tells most, as "ignored SIGHUP from ...":
 * the first hangup or stop, else the first plain signal from a known sender
 * (a SIGUSR1 a program uses for its own ends tells less than a hangup).
 */
function survival(tl: Timeline, pid: number, end: number): Survival | null {
  const told = livedThrough(tl, pid, end)
    .map((p) => ({ p, reading: readSignal(tl, p, null) }))
    .filter((r) => r.reading.cause !== 'unknown');
  const best = told.find((r) => r.reading.cause !== 'killed') ?? told[0];
  if (!best) return null;
  const { p, reading } = best;
  return {
    reading,
    text: `it ${verbFor(p)} ${reading.what}${reading.why}`,
    survived: { cause: reading.cause, signal: p.event.signal },
  };
}

function base(pid: number, comm: string): Omit<Ending, 'ended' | 'cause' | 'story' | 'evidence'> {
  return {
    pid,
    comm,
    signal: null,
    status: null,
    waitStatus: null,
    sender: null,
    code: null,
    at: null,
    core: false,
    survived: null,
  };
}

function aliveEnding(tl: Timeline, pid: number, comm: string, end: string): Ending {
  const lived = survival(tl, pid, tl.events.length);
  return {
    ...base(pid, comm),
    ended: 'alive',
    cause: 'unknown',
    story: `still running ${end}${lived ? `; ${lived.text}` : ''}`,
    evidence: lived?.reading.evidence ?? [],
    survived: lived?.survived ?? null,
  };
}

function exitEnding(tl: Timeline, exit: ExitEvent, index: number, mechanism: Mechanism | null): Ending {
  const code = statusCode(exit);
  const common = {
    ...base(exit.pid, exit.comm),
    ended: 'exit' as const,
    status: exit.exitCode,
    waitStatus: exit.status,
    at: exit.t,
  };
  if (code === null) {
    const how = mechanism === 'pidfd' ? ': a pidfd tells only the time of death (as root, the watch sees more)' : '';
    return { ...common, cause: 'unknown', story: `ended, how is not known${how}`, evidence: [index] };
  }
  const lived = survival(tl, exit.pid, index);
  const after = lived ? `, after ${lived.text}` : '';
  const hangup = lived && /hangup|orphaned/.test(lived.reading.cause);
  const eio = hangup
    ? ': a write to a terminal that has hung up fails with EIO, and that is how a program writing to it usually ends'
    : '';
  return {
    ...common,
    cause: 'exit',
    story: `exited with status ${code}${after}${eio}`,
    evidence: [...(lived?.reading.evidence ?? []), index],
    survived: lived?.survived ?? null,
  };
}

/** The story of an ending by SIG when the signal itself was seen (or null when it was not). */
function signalStory(reading: Reading, sig: string, exit: ExitEvent, oom: WatchEvent | undefined): string {
  const core = exit.core ? ', core dumped' : ', no core dumped';
  switch (reading.cause) {
    case 'crash':
      return `crashed: ${reading.what}${core}`;
    case 'oom-killer': {
      const o = oom?.kind === 'oom' ? oom : null;
      const where = o?.cgroup ? ` in cgroup ${o.cgroup}` : '';
      const rss = o ? `, with ${Math.round(o.rssKb / 1024)} MiB resident` : '';
      return `killed by the OOM killer (SIGKILL from the kernel)${where}${rss}`;
    }
    default:
      return `killed by ${reading.what}${reading.why}${sig === 'SIGQUIT' || sig === 'SIGABRT' ? core : ''}`;
  }
}

/**
 * The signal a process caught and then raised again on itself, dying of it
 * (bash, after forwarding a hangup to its jobs, restores the default action
 * and kills itself with the same signal: sig.c termsig_handler), or null.
 * SIGPIPE is left out: the kernel sends it as the writer itself.
 */
function reraised(tl: Timeline, last: PlacedSignal): PlacedSignal | null {
  const e = last.event;
  if (e.sender?.pid !== e.pid || e.signal === 'SIGPIPE' || (e.codeName !== 'SI_USER' && e.codeName !== 'SI_TKILL'))
    return null;
  const first = tl.signals.find(
    (p) =>
      p.index < last.index &&
      p.event.pid === e.pid &&
      p.event.signal === e.signal &&
      p.event.disposition === 'caught' &&
      (p.event.sender?.pid !== e.pid || p.event.code > 0 || p.event.codeName === 'SI_KERNEL'),
  );
  return first ?? null;
}

function signalEnding(tl: Timeline, exit: ExitEvent, index: number, sig: string): Ending {
  const common = {
    ...base(exit.pid, exit.comm),
    ended: 'signal' as const,
    signal: sig,
    waitStatus: exit.status,
  };
  const fatal = tl.signals.filter(
    (p) => p.index < index && p.event.pid === exit.pid && p.event.signal === sig && tookEffect(p.event),
  );
  const last = fatal[fatal.length - 1];
  if (!last) {
    return {
      ...common,
      at: exit.t,
      core: exit.core,
      cause: 'unknown',
      story: `killed by ${sig}${exit.core ? ' (core dumped)' : ''}; the watch saw no ${sig} sent to it, so who sent it is not known`,
      evidence: [index],
    };
  }
  const oomIndex = oomOf(tl, exit.pid, index);
  const caught = reraised(tl, last);
  const told = caught ?? last;
  const reading = readSignal(tl, told, oomIndex);
  const again = caught ? `; it caught that ${sig} and raised it again on itself, which ended it` : '';
  return {
    ...common,
    sender: told.event.sender,
    code: told.event.codeName || null,
    at: exit.t,
    core: exit.core,
    cause: reading.cause,
    story: signalStory(reading, sig, exit, oomIndex === null ? undefined : tl.events[oomIndex]) + again,
    evidence: [...new Set([...reading.evidence, last.index, index])].sort((a, b) => a - b),
  };
}

export interface StoryInput {
  events: readonly WatchEvent[];
  /** The pids watched from the start (the stream's start and watching lines add theirs). */
  watched: readonly number[];
  /** What /proc said of the watched processes, their parents and session leaders when the watch began. */
  known: ReadonlyMap<number, KnownProcess>;
  /** How the watch ended, for a process still running: "when the watch ended (--for 5m ran out)". */
  endWords?: string;
}

/** One ending per watched process, in the order they were watched. */
export function tellEndings(input: StoryInput): Ending[] {
  const tl = buildTimeline(input.events, input.watched, input.known);
  const start = tl.events.find((e) => e.kind === 'start');
  const mechanism = start?.kind === 'start' ? start.mechanism : null;
  return tl.watched.map((pid) => {
    const index = tl.events.findIndex((e) => e.kind === 'exit' && e.pid === pid);
    const comm = tl.comms.get(pid) ?? input.known.get(pid)?.comm ?? '?';
    if (index < 0) return aliveEnding(tl, pid, comm, input.endWords ?? 'when the watch ended');
    const exit = tl.events[index] as ExitEvent;
    const sig = statusSignal(exit);
    return sig ? signalEnding(tl, exit, index, sig) : exitEnding(tl, exit, index, mechanism);
  });
}
