/**
 * Watch streams written per the event contract (docs/watch.md), for the story,
 * the renderers and the command: lines built with the measured shapes of this
 * kernel's events (a default-fatal SIGHUP is `result=0` then an exit whose
 * status is 0x1; an ignored one is `result=1`; a caught one has a deliver with
 * a handler), and a source that plays a stream as the reader would.
 */
import { signalName } from '../../src/proc/signals.js';
import type {
  DeliverEvent,
  Disposition,
  ExitEvent,
  HelperLine,
  ProcessRef,
  SignalEvent,
  SignalResult,
  WatchEvent,
} from '../../src/watch/events.js';
import { foldLines, type WatchOptions } from '../../src/watch/reader.js';

const SIGNO: Record<string, number> = Object.fromEntries(
  Array.from({ length: 31 }, (_, i) => [signalName(i + 1), i + 1]),
);

const CODES: Record<string, number> = {
  SI_USER: 0,
  SI_KERNEL: 128,
  SI_QUEUE: -1,
  SI_TKILL: -6,
  SEGV_MAPERR: 1,
  SEGV_ACCERR: 2,
  BUS_ADRERR: 2,
  FPE_INTDIV: 1,
};

/** An event line before it is given its time (Omit over each member of the union). */
type NoTime<E> = E extends unknown ? Omit<E, 't'> : never;

/**
 * A stream being written, as the helper writes its lines (each gets the next
 * time, 1 ms apart); `events` is what the reader yields of them, each
 * `deliver` folded into its signal.
 */
export class Stream {
  readonly lines: HelperLine[] = [];
  private t = 1_700_000_000;
  private folded: WatchEvent[] | null = null;

  /** The folded stream; the same array until the next line is written, so a test may edit it. */
  get events(): WatchEvent[] {
    this.folded ??= foldLines(this.lines);
    return this.folded;
  }

  private push(e: NoTime<HelperLine>): this {
    this.folded = null;
    this.t += 0.001;
    this.lines.push({ ...e, t: Number(this.t.toFixed(6)) } as unknown as HelperLine);
    return this;
  }

  start(watched: number[], mechanism: 'tracefs' | 'ptrace' | 'parent' | 'pidfd' = 'tracefs'): this {
    return this.push({
      kind: 'start',
      mechanism,
      helperPid: 999_000,
      instance: mechanism === 'tracefs' ? 'dc-watch-999000' : null,
      mounted: false,
      watched,
      tree: false,
      notes: [],
    });
  }

  signal(
    pid: number,
    signal: string,
    codeName: string,
    sender: ProcessRef | null,
    more: { result?: SignalResult; disposition?: Disposition } = {},
  ): this {
    const e: Omit<SignalEvent, 't'> = {
      kind: 'signal',
      pid,
      tid: pid,
      sig: SIGNO[signal]!,
      signal,
      code: CODES[codeName]!,
      codeName,
      sender,
      group: true,
      result: more.result ?? 'delivered',
      errno: 0,
    };
    return this.push(more.disposition ? { ...e, disposition: more.disposition } : e);
  }

  /** A signal_deliver line, as the helper writes it before the reader folds it. */
  deliver(pid: number, signal: string, handler: DeliverEvent['handler']): this {
    return this.push({ kind: 'deliver', pid, tid: pid, sig: SIGNO[signal]!, signal, code: 0, handler });
  }

  /** An exit: killed by SIGNAL (with a core), or with exit CODE; `status: null` as a pidfd knows it. */
  exit(pid: number, comm: string, how: { signal?: string; code?: number; core?: boolean; unknown?: true }): this {
    let status: number | null = null;
    if (how.signal) status = SIGNO[how.signal]! | (how.core ? 0x80 : 0);
    else if (how.code !== undefined) status = how.code << 8;
    const e: Omit<ExitEvent, 't'> = {
      kind: 'exit',
      pid,
      comm,
      status: how.unknown ? null : status,
      exitCode: how.unknown || how.signal ? null : (how.code ?? null),
      signal: how.unknown ? null : (how.signal ?? null),
      core: how.core ?? false,
    };
    return this.push(e);
  }

  oom(pid: number, comm: string, cgroup: string | null): this {
    return this.push({ kind: 'oom', pid, comm, uid: 1000, rssKb: 204_800, oomScoreAdj: 0, cgroup });
  }

  fork(pid: number, child: number, comm: string): this {
    return this.push({ kind: 'fork', pid, child, comm });
  }

  exec(pid: number, comm: string, filename: string): this {
    return this.push({ kind: 'exec', pid, comm, filename });
  }

  setsid(pid: number): this {
    return this.push({ kind: 'setsid', pid, sid: pid });
  }

  lost(count: number): this {
    return this.push({ kind: 'lost', source: 'tracefs', count });
  }

  end(reason: 'all-ended' | 'timeout' | 'signal' | 'error' = 'all-ended', error?: string): this {
    return this.push(error ? { kind: 'end', reason, error } : { kind: 'end', reason });
  }
}

/** A source that yields STREAM's lines, as watchEvents would; records the options it was called with. */
export function playing(
  events: WatchEvent[],
  seen: WatchOptions[] = [],
): (o: WatchOptions) => AsyncIterable<WatchEvent> {
  return (o) => {
    seen.push(o);
    return (async function* () {
      for (const e of events) yield e;
    })();
  };
}
