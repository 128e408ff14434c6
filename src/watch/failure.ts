/**
 * A watch that cannot start: the helper prints one JSON line
 * {"stage": ..., ...} (native/protocol.h WATCH_STAGE_*), and this module
 * builds the same words the helper prints in English (native/watch-out.c),
 * so that the command line can word its own message from the fields.
 * test/unit/watch-reader.test.ts checks WATCH_STAGES against protocol.h.
 */

/** The stages of a watch failure (native/protocol.h WATCH_STAGE_*). */
export const WATCH_STAGES = {
  usage: 'watch-usage',
  unknownPid: 'watch-unknown-pid',
  ended: 'watch-ended',
  tracefs: 'watch-tracefs',
  exec: 'watch-exec',
  setup: 'watch-setup',
} as const;

/** Not the helper's: set by the reader when the helper ended without a word (crashed, or not runnable). */
export const READER_STAGES = { helper: 'watch-helper' } as const;

export type WatchStage =
  (typeof WATCH_STAGES)[keyof typeof WATCH_STAGES] | (typeof READER_STAGES)[keyof typeof READER_STAGES];

export interface WatchFailure {
  stage: WatchStage;
  errno?: number;
  /** strerror(errno), as the C library words it. */
  error?: string;
  /** The pid that is unknown, or that ended while the watch started. */
  pid?: number;
  /** Where tracefs refused. */
  path?: string;
  /** watch-usage: what is wrong, and the argument. watch-setup: what failed (value). */
  option?: string;
  value?: string;
  /** -- CMD as given. */
  command?: string;
  /** watch-helper: how the helper ended. */
  exitCode?: number | null;
  signal?: string | null;
}

/** The helper's one-line English message for F, without the "daemon-check: " prefix. */
export function watchFailureMessage(f: WatchFailure): string {
  const err = f.error ?? (f.errno !== undefined ? `errno ${f.errno}` : '');
  switch (f.stage) {
    case 'watch-usage':
      return `watch: ${f.option ?? 'bad usage'}${f.value !== undefined ? `: ${f.value}` : ''}`;
    case 'watch-unknown-pid':
      return `watch: no process ${f.pid}`;
    case 'watch-ended':
      return `watch: process ${f.pid} ended while the watch was starting`;
    case 'watch-tracefs':
      return `watch: tracefs refused at ${f.path ?? '?'}: ${err}`;
    case 'watch-exec':
      return `watch: cannot run ${f.command ?? '?'}: ${err}`;
    case 'watch-setup':
      return `watch: ${f.value ?? 'setting up'} failed: ${err}`;
    case 'watch-helper':
      return `watch: the helper ended ${f.signal ? `by ${f.signal}` : `with status ${f.exitCode}`} before the watch began`;
  }
}

export class WatchError extends Error {
  override readonly name = 'WatchError';
  constructor(readonly failure: WatchFailure) {
    super(watchFailureMessage(failure));
  }
}

/** The failure that a helper line holds, or null (event lines have `kind`, failures `stage`). */
export function parseFailureLine(text: string): WatchFailure | null {
  try {
    const v = JSON.parse(text) as { stage?: unknown; kind?: unknown };
    if (typeof v !== 'object' || v === null || typeof v.stage !== 'string' || v.kind !== undefined) return null;
    return v as WatchFailure;
  } catch {
    return null;
  }
}
