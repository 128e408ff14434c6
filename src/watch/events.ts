/**
 * The lines of a watch, as the native helper's `watch` mode writes them (one
 * JSON object per line) and as the reader hands them on, and the summary the
 * TypeScript side adds at the end. The contract is docs/watch.md's; the names
 * and fields here are its own, so scripts and `postmortem` can build on them.
 */

/** How the watch saw the events, best first (docs/watch.md, "Mechanisms"). */
export const MECHANISMS = ['tracefs', 'ptrace', 'parent', 'pidfd'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/** What ended a process, by the story rules of docs/watch.md. */
export const CAUSES = [
  'terminal-hangup',
  'shell-forwarded-hangup',
  'orphaned-group',
  'scope-stop',
  'oom-killer',
  'crash',
  'broken-pipe',
  'killed',
  'exit',
  'unknown',
] as const;
export type Cause = (typeof CAUSES)[number];

/** tracefs signal_generate's `result`: 0 delivered (queued), 1 ignored, 2 already pending, 3 overflow, 4 lose info. */
export const SIGNAL_RESULTS = ['delivered', 'ignored', 'pending', 'overflow', 'lost-info'] as const;
export type SignalResult = (typeof SIGNAL_RESULTS)[number];

/** signal_deliver's sa_handler: 0 default, 1 ignore, anything else a handler. */
export const DISPOSITIONS = ['default', 'ignore', 'caught'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** The user-facing kinds: the lines `--format json` and the journal carry. */
export const EVENT_KINDS = ['signal', 'fork', 'exec', 'setsid', 'exit', 'oom'] as const;

export interface ProcessRef {
  pid: number;
  comm: string;
}

export interface SignalEvent {
  kind: 'signal';
  t: number;
  /** The target's tgid, and the thread the signal was sent to. */
  pid: number;
  tid: number;
  sig: number;
  signal: string;
  /** si_code, and its name (SI_USER, SI_KERNEL, SEGV_MAPERR...). */
  code: number;
  codeName: string;
  /** The sending task, its comm as it was when the signal was sent; null when unknown. */
  sender: ProcessRef | null;
  /** Sent to the whole thread group (kill) rather than one thread (tgkill). */
  group: boolean;
  result: SignalResult;
  errno: number;
  /** The matching `deliver` line, folded in by the reader: what the target did with it. */
  disposition?: Disposition;
}

export interface DeliverEvent {
  kind: 'deliver';
  t: number;
  pid: number;
  tid: number;
  sig: number;
  signal: string;
  code: number;
  handler: Disposition;
}

export interface ForkEvent {
  kind: 'fork';
  t: number;
  /** The parent's tgid. */
  pid: number;
  child: number;
  comm: string;
}

export interface ExecEvent {
  kind: 'exec';
  t: number;
  pid: number;
  comm: string;
  filename: string | null;
}

export interface SetsidEvent {
  kind: 'setsid';
  t: number;
  pid: number;
  sid: number;
}

export interface CommEvent {
  kind: 'comm';
  t: number;
  pid: number;
  comm: string;
}

export interface ExitEvent {
  kind: 'exit';
  t: number;
  pid: number;
  comm: string;
  /** The wait(2) status; null when only the time of death is known (pidfd). */
  status: number | null;
  exitCode: number | null;
  signal: string | null;
  core: boolean;
}

export interface OomEvent {
  kind: 'oom';
  t: number;
  pid: number;
  comm: string;
  uid: number;
  rssKb: number;
  oomScoreAdj: number;
  cgroup: string | null;
}

export interface StartLine {
  kind: 'start';
  t: number;
  mechanism: Mechanism;
  helperPid: number;
  instance: string | null;
  mounted: boolean;
  watched: number[];
  tree: boolean;
  notes: string[];
}

export interface WatchingLine {
  kind: 'watching';
  t: number;
  pid: number;
  comm: string;
}

export interface LostLine {
  kind: 'lost';
  t: number;
  source: 'tracefs' | 'connector';
  count: number;
}

export interface EndLine {
  kind: 'end';
  t: number;
  reason: 'all-ended' | 'timeout' | 'signal' | 'error';
  error?: string;
}

/** Every line of the stream. */
export type WatchEvent =
  | SignalEvent
  | DeliverEvent
  | ForkEvent
  | ExecEvent
  | SetsidEvent
  | CommEvent
  | ExitEvent
  | OomEvent
  | StartLine
  | WatchingLine
  | LostLine
  | EndLine;

/** The lines a user sees and the journal keeps. */
export type UserEvent = SignalEvent | ForkEvent | ExecEvent | SetsidEvent | ExitEvent | OomEvent;

export function isUserEvent(e: WatchEvent): e is UserEvent {
  return (EVENT_KINDS as readonly string[]).includes(e.kind);
}
