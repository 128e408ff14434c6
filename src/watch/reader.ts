/**
 * The reader: runs the native helper's `watch` mode and yields its JSON
 * lines (docs/watch.md) as they come. Stopping it (the abort signal) sends
 * the helper SIGTERM, on which it removes what it set up (its tracefs
 * instance, a mount it made) and ends the stream with an `end` line.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { helperAvailable } from '../core/helper-path.js';
import type { WatchEvent } from './events.js';

export interface WatchOptions {
  /** The pids to watch; empty with `command`. */
  pids: number[];
  /** Start this command (and watch it and all it starts) instead. */
  command?: string[];
  /** Watch what the watched processes start from now on too. */
  tree?: boolean;
  /** Stop after this many seconds (0 or undefined: no limit). */
  forSeconds?: number;
  /** Use ptrace even where tracefs can be had. */
  ptrace?: boolean;
  signal?: AbortSignal;
}

function helperArgs(o: WatchOptions): string[] {
  const args = ['watch'];
  if (o.tree) args.push('--tree');
  if (o.ptrace) args.push('--ptrace');
  if (o.forSeconds) args.push('--for', String(o.forSeconds));
  if (o.command) return [...args, '--', ...o.command];
  return [...args, ...o.pids.map(String)];
}

/** The helper's lines, parsed; a line that is not JSON ends the stream with an error line. */
export async function* watchEvents(o: WatchOptions): AsyncIterable<WatchEvent> {
  const helper = helperAvailable();
  if (!helper.ok) throw new Error(`${helper.reason}; ${helper.fix}`);
  const child = spawn(helper.path, helperArgs(o), { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => child.kill('SIGTERM');
  o.signal?.addEventListener('abort', stop, { once: true });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as WatchEvent;
      } catch {
        yield { kind: 'end', t: Date.now() / 1000, reason: 'error', error: `the helper wrote a line that is not JSON` };
        return;
      }
    }
    const code = await closed;
    if (code !== 0 && code !== null) {
      yield {
        kind: 'end',
        t: Date.now() / 1000,
        reason: 'error',
        error: `the watch helper exited with status ${code}`,
      };
    }
  } finally {
    o.signal?.removeEventListener('abort', stop);
    if (child.exitCode === null && child.signalCode === null) stop();
  }
}
