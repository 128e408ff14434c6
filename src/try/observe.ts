/**
 * The watch during an ending (src/watch): as root, the watch helper follows
 * the login shell and every process of the login while the login ends, so
 * each death gets its signal, its sender and its cause (the story rules of
 * docs/watch.md). Without root, or where the watch cannot start, the deaths
 * are "not observed": only the wait status the subreaper reaped is known.
 */
import type { WatchEvent } from '../watch/events.js';
import { watchEvents } from '../watch/reader.js';
import { tellEndings, type Ending, type KnownProcess } from '../watch/story.js';

export interface EndingWatch {
  /** The watch's mechanism, or null when it is not watching. */
  mechanism: string | null;
  note: string | null;
  /** Stops the watch and tells each watched process's ending. */
  finish(known: ReadonlyMap<number, KnownProcess>): Promise<Map<number, Ending>>;
}

const notWatching = (note: string): EndingWatch => ({
  mechanism: null,
  note,
  finish: () => Promise.resolve(new Map()),
});

async function startOnce(pids: number[]): Promise<EndingWatch | Error> {
  const abort = new AbortController();
  const events: WatchEvent[] = [];
  let started: (v: string | Error) => void = () => undefined;
  const ready = new Promise<string | Error>((resolve) => (started = resolve));
  const run = (async () => {
    try {
      for await (const e of watchEvents({ pids, signal: abort.signal, forwardSignals: false })) {
        events.push(e);
        if (e.kind === 'start') started(e.mechanism);
      }
      started(new Error('the watch ended before it started'));
    } catch (err) {
      started(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  const mechanism = await ready;
  if (mechanism instanceof Error) {
    await run;
    return mechanism;
  }
  return {
    mechanism,
    note: null,
    finish: async (known) => {
      abort.abort();
      await run;
      const endings = tellEndings({ events, watched: pids, known, endWords: 'when the login had ended' });
      return new Map(endings.map((e) => [e.pid, e]));
    },
  };
}

/** Starts watching PIDS (the shell first); a process gone meanwhile makes it try again with LIST() once more. */
export async function watchEnding(pids: number[], list: () => number[]): Promise<EndingWatch> {
  if (process.geteuid?.() !== 0)
    return notWatching('not root: who sent each ending signal and why was not observed (run as root to see it)');
  let last: Error | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const w = await startOnce(attempt === 0 ? pids : list());
    if (!(w instanceof Error)) return w;
    last = w;
  }
  return notWatching(`the watch could not start (${last?.message ?? 'unknown'}): senders and causes not observed`);
}
