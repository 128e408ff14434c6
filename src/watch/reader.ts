/**
 * The watch reader: runs `daemon-check-helper watch` and yields its lines as
 * typed events (events.ts).
 *
 * API:
 *   watchEvents(options: WatchOptions): AsyncGenerator<WatchEvent>
 *     Spawns the helper (src/core/helper-path.ts) with --json-errors and
 *     --events-fd 3 (so `-- CMD` keeps the terminal's stdio) and yields, in
 *     the helper's order: `start`, `watching`..., the events, `lost`, and
 *     last `end`. A `deliver` line is never yielded: it is folded into the
 *     signal it delivers as `disposition` (DeliverFolder). SIGINT and
 *     SIGTERM that this process receives while iterating are forwarded to
 *     the helper, which then ends the watch cleanly (reason "signal") and
 *     removes its tracefs instance; leaving the loop early (break, throw)
 *     sends it SIGTERM. A helper that cannot start the watch makes the
 *     iteration throw a WatchError (failure.ts) whose `failure` holds the
 *     helper's fields (stage, pid, errno...).
 *   new DeliverFolder(): the folding alone, for recorded streams:
 *     push(line, nowMs) and expire(nowMs) return the events now released,
 *     in order; end() releases the rest.
 *   foldLines(lines: HelperLine[]): WatchEvent[]: a whole recorded stream.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { helperAvailable } from '../core/helper-path.js';
import {
  parseHelperLine,
  type DeliverEvent,
  type Disposition,
  type ExitEvent,
  type HelperLine,
  type SignalEvent,
  type WatchEvent,
} from './events.js';
import { parseFailureLine, READER_STAGES, WatchError, type WatchFailure } from './failure.js';

export { WatchError, type WatchFailure } from './failure.js';

export interface WatchOptions {
  /** The processes to watch (or command). */
  pids?: number[];
  /** Run this command and watch it and everything it starts (the helper is its parent and subreaper). */
  command?: string[];
  /** Also watch what the pids start later (implied by command). */
  tree?: boolean;
  /** End the watch after this many seconds. */
  seconds?: number;
  /** Watch with ptrace (PTRACE_SEIZE) instead of tracefs or being the parent: the program is traced meanwhile. */
  ptrace?: boolean;
  /** Also yield `comm` lines (PR_SET_NAME). */
  verbose?: boolean;
  /** The helper's path (default: the built helper of this package). */
  helper?: string;
  /** Extra helper arguments (the hidden --rcvbuf, --bufsize, --parent, --instance of the tests). */
  extraArgs?: string[];
  /** Forward SIGINT/SIGTERM received by this process to the helper (default true). */
  forwardSignals?: boolean;
  /** Aborting it ends the watch as SIGTERM would: the helper cleans up and the stream ends with its `end` line. */
  signal?: AbortSignal;
}

/** How long a delivered signal waits for its `deliver` line before it is released with disposition null. */
export const DELIVER_WAIT_MS = 1000;

const STOP = new Set([19, 20, 21, 22]); // SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU
const DEFAULT_IGNORE = new Set([17, 18, 23, 28]); // SIGCHLD, SIGCONT, SIGURG, SIGWINCH

/** What the default action of SIG does (signal(7)); every other signal, real-time ones included, terminates. */
function defaultAction(sig: number): Disposition {
  if (STOP.has(sig)) return 'stopped';
  return DEFAULT_IGNORE.has(sig) ? 'ignored' : 'fatal';
}

interface Held {
  event: WatchEvent;
  /** For a delivered signal still waiting for its deliver line. */
  open: boolean;
  at: number;
}

/**
 * Folds `deliver` lines into the signal they deliver, keeping the stream's
 * order: a delivered signal is held (with every event behind it) until its
 * fate is known, from:
 * - a deliver of the same pid and signal: handler caught -> 'caught',
 *   ignore -> 'ignored', default -> the default action;
 * - a deliver of SIGKILL with the default handler, when no SIGKILL is held:
 *   the kernel short-circuits a fatal signal to SIGKILL (watch.md), so the
 *   latest delivered signal of that pid whose default is fatal -> 'fatal';
 * - the pid's exit: a held signal that is the exit's killing signal ->
 *   'fatal', any other -> null;
 * - DELIVER_WAIT_MS passed (blocked, or the target is stopped) -> null.
 * A signal with result `ignored` is 'ignored' at once; `pending` and the
 * failures get null (no deliver of their own follows).
 */
export class DeliverFolder {
  private readonly queue: Held[] = [];

  push(line: HelperLine, nowMs: number): WatchEvent[] {
    if (line.kind === 'deliver') this.deliver(line);
    else if (line.kind === 'signal') this.signal(line, nowMs);
    else {
      if (line.kind === 'exit') this.exit(line);
      this.queue.push({ event: line, open: false, at: nowMs });
    }
    return this.release();
  }

  expire(nowMs: number): WatchEvent[] {
    for (const h of this.queue) {
      if (h.open && nowMs - h.at >= DELIVER_WAIT_MS) this.settle(h, null);
    }
    return this.release();
  }

  /** Whether a signal still waits for its deliver line (release() leaves an open one at the head). */
  get waiting(): boolean {
    return this.queue.length > 0;
  }

  end(): WatchEvent[] {
    for (const h of this.queue) if (h.open) this.settle(h, null);
    return this.release();
  }

  private signal(s: SignalEvent, nowMs: number): void {
    const event: SignalEvent = { ...s };
    // A line folded already (a journal played again) keeps what it says.
    const open = s.result === 'delivered' && s.disposition === undefined;
    if (!open && s.disposition === undefined) event.disposition = s.result === 'ignored' ? 'ignored' : null;
    this.queue.push({ event, open, at: nowMs });
  }

  private openSignals(pid: number): Held[] {
    return this.queue.filter((h) => h.open && (h.event as SignalEvent).pid === pid);
  }

  private deliver(d: DeliverEvent): void {
    const open = this.openSignals(d.pid);
    const same = open.find((h) => (h.event as SignalEvent).sig === d.sig);
    if (same) {
      const disposition = d.handler === 'caught' ? 'caught' : d.handler === 'ignore' ? 'ignored' : defaultAction(d.sig);
      this.settle(same, disposition);
      return;
    }
    if (d.sig !== 9 || d.handler !== 'default') return;
    const fatal = open.filter((h) => defaultAction((h.event as SignalEvent).sig) === 'fatal').at(-1);
    if (fatal) this.settle(fatal, 'fatal');
  }

  private exit(x: ExitEvent): void {
    for (const h of this.openSignals(x.pid)) {
      const s = h.event as SignalEvent;
      this.settle(h, x.signal !== null && x.signal === s.signal ? 'fatal' : null);
    }
  }

  private settle(h: Held, disposition: Disposition | null): void {
    (h.event as SignalEvent).disposition = disposition;
    h.open = false;
  }

  private release(): WatchEvent[] {
    const out: WatchEvent[] = [];
    while (this.queue.length && !this.queue[0]!.open) out.push(this.queue.shift()!.event);
    return out;
  }
}

/** A whole recorded stream, folded (every held signal released at the end). */
export function foldLines(lines: HelperLine[]): WatchEvent[] {
  const folder = new DeliverFolder();
  return [...lines.flatMap((l) => folder.push(l, 0)), ...folder.end()];
}

/** The helper's argv for OPTIONS. */
export function helperArgs(options: WatchOptions): string[] {
  const args = ['watch', '--events-fd', '3', '--json-errors'];
  if (options.tree) args.push('--tree');
  if (options.verbose) args.push('--verbose');
  if (options.ptrace) args.push('--ptrace');
  if (options.seconds !== undefined) args.push('--for', String(options.seconds));
  args.push(...(options.extraArgs ?? []));
  if (options.command) args.push('--', ...options.command);
  else args.push(...(options.pids ?? []).map(String));
  return args;
}

function helperFailure(code: number | null, signal: NodeJS.Signals | null): WatchFailure {
  return { stage: READER_STAGES.helper, exitCode: code, signal };
}

export async function* watchEvents(options: WatchOptions): AsyncGenerator<WatchEvent> {
  const path = options.helper ?? resolveHelper();
  const child = spawn(path, helperArgs(options), { stdio: ['inherit', 'inherit', 'inherit', 'pipe'] });
  const folder = new DeliverFolder();
  const ready: WatchEvent[] = [];
  let failure: WatchFailure | null = null;
  let started = false;
  let closed: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = (): void => {
    wake?.();
    wake = null;
  };
  // The expiry timer runs only while a signal waits for its deliver line,
  // so that an idle watch never wakes node.
  let timer: NodeJS.Timeout | null = null;
  const arm = (): void => {
    if (timer === null && folder.waiting) timer = setTimeout(check, DELIVER_WAIT_MS / 4);
  };
  const check = (): void => {
    timer = null;
    const out = folder.expire(Date.now());
    if (out.length) {
      ready.push(...out);
      poke();
    }
    arm();
  };
  const lines = createInterface({ input: child.stdio[3] as Readable, crlfDelay: Infinity });
  lines.on('line', (text) => {
    const line = parseHelperLine(text);
    if (line) {
      if (line.kind === 'start') started = true;
      ready.push(...folder.push(line, Date.now()));
      arm();
    } else failure ??= parseFailureLine(text);
    poke();
  });
  child.on('error', (err) => {
    spawnError = err;
    poke();
  });
  child.on('close', (code, signal) => {
    closed = { code, signal };
    ready.push(...folder.end());
    poke();
  });
  const forward = (sig: NodeJS.Signals): void => {
    if (closed === null) child.kill(sig);
  };
  const forwarding = options.forwardSignals !== false;
  if (forwarding) {
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
  }
  const abort = (): void => forward('SIGTERM');
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    for (;;) {
      while (ready.length) yield ready.shift()!;
      if (spawnError) throw spawnError;
      if (closed) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const end: { code: number | null; signal: NodeJS.Signals | null } = closed;
    if (failure) throw new WatchError(failure);
    if (!started) throw new WatchError(helperFailure(end.code, end.signal));
  } finally {
    if (timer !== null) clearTimeout(timer);
    if (forwarding) {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    }
    options.signal?.removeEventListener('abort', abort);
    lines.close();
    if (closed === null && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

function resolveHelper(): string {
  const found = helperAvailable();
  if (!found.ok)
    throw new WatchError({ stage: READER_STAGES.helper, exitCode: null, signal: null, value: found.reason });
  return found.path;
}
