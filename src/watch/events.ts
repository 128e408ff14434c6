/**
 * The lines of `daemon-check-helper watch` (native/watch*.c), typed as the
 * watch event contract defines them: control lines (start, watching, lost,
 * end), the user-facing events (signal, fork, exec, setsid, exit, oom), and
 * the helper-only lines `deliver` (folded by the reader into the signal it
 * delivers, as `disposition`) and `comm` (PR_SET_NAME, --verbose only).
 * Times `t` are seconds since the epoch, with microseconds.
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

/** signal_generate's `result`: 0 delivered (queued), 1 ignored, 2 already pending, 3 overflow, 4 info lost. */
export const SIGNAL_RESULTS = ['delivered', 'ignored', 'pending', 'overflow', 'lost-info'] as const;
export type SignalResult = (typeof SIGNAL_RESULTS)[number];

/**
 * What became of a signal: ignored (ignored disposition, or default-ignore
 * like SIGCHLD), caught by a handler, fatal (it killed the process), or
 * stopped (a default stop signal). null: unknown (not delivered while
 * watched, or merged into one already pending).
 */
export const DISPOSITIONS = ['ignored', 'caught', 'fatal', 'stopped'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** A process named in an event: its pid and its comm at the time. */
export type ProcessRef = Sender;

export interface Sender {
  /** The sending task's process (tgid). */
  pid: number;
  /** Its comm when the signal was sent (the watcher's own map, not the trace's read-time cache). */
  comm: string;
}

export interface StartEvent {
  kind: 'start';
  t: number;
  mechanism: Mechanism;
  helperPid: number;
  /** The tracefs instance, `dc-watch-<helperPid>`, or null without tracefs. */
  instance: string | null;
  /** Whether the helper mounted tracefs (it unmounts it at the end). */
  mounted: boolean;
  watched: number[];
  tree: boolean;
  /** What this mechanism cannot see, in words (e.g. what root would add). */
  notes: string[];
}

/** A pid added to the watched set (at start, or a fork with --tree / -- CMD, or an orphan reaped). */
export interface WatchingEvent {
  kind: 'watching';
  t: number;
  pid: number;
  comm: string;
}

export interface LostEvent {
  kind: 'lost';
  t: number;
  source: 'tracefs' | 'connector';
  count: number;
}

export interface EndEvent {
  kind: 'end';
  t: number;
  reason: 'all-ended' | 'timeout' | 'signal' | 'error';
  error?: string;
}

export interface SignalEvent {
  kind: 'signal';
  t: number;
  /** The target process (tgid), and the thread the signal was sent to. */
  pid: number;
  tid: number;
  sig: number;
  /** "SIGHUP", or the number as text where the C library has no name. */
  signal: string;
  /** si_code, and its name: SI_USER, SI_KERNEL, SI_TKILL, SEGV_MAPERR, CLD_KILLED... (null: none known). */
  code: number;
  codeName: string | null;
  /** The task in whose context the signal was generated; null when there was none (interrupt context). */
  sender: Sender | null;
  /** Sent to the whole process (true) or to one thread. */
  group: boolean;
  result: SignalResult;
  errno: number;
  /** Set by the reader from the `deliver` line that follows (absent on the helper's own lines). */
  disposition?: Disposition | null;
  /**
   * True on a SIGHUP, SIGCONT or SIGKILL sent to the leader of a watched
   * process's session that is not watched itself: the terminal's hangup
   * that a shell then forwards to its jobs (absent on the other lines).
   */
  context?: boolean;
}

/** tracefs signal_deliver: sa_handler 0 default, 1 ignore, else caught. Folded into SignalEvent by the reader. */
export interface DeliverEvent {
  kind: 'deliver';
  t: number;
  pid: number;
  tid: number;
  sig: number;
  signal: string;
  code: number;
  handler: 'default' | 'ignore' | 'caught';
}

export interface ForkEvent {
  kind: 'fork';
  t: number;
  /** The parent process, the new process, and the comm they share at fork. */
  pid: number;
  child: number;
  comm: string;
}

export interface ExecEvent {
  kind: 'exec';
  t: number;
  pid: number;
  /** The comm after the exec. */
  comm: string;
  filename: string | null;
}

export interface SetsidEvent {
  kind: 'setsid';
  t: number;
  pid: number;
  sid: number;
}

/** PR_SET_NAME (--verbose only). */
export interface CommEvent {
  kind: 'comm';
  t: number;
  pid: number;
  tid?: number;
  comm: string;
}

export interface ExitEvent {
  kind: 'exit';
  t: number;
  pid: number;
  comm: string;
  /** The wait(2) status (connector or being the parent); null when only the time of death is known. */
  status: number | null;
  exitCode: number | null;
  /** The killing signal's name, or null. */
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
  /** The victim's memory cgroup (v1 memory controller, else the v2 path), null when it could not be read. */
  cgroup: string | null;
}

/** Every line the helper writes. */
export type HelperLine =
  | StartEvent
  | WatchingEvent
  | LostEvent
  | EndEvent
  | SignalEvent
  | DeliverEvent
  | ForkEvent
  | ExecEvent
  | SetsidEvent
  | CommEvent
  | ExitEvent
  | OomEvent;

/** What the reader yields: the helper's lines, `deliver` folded into its signal. */
export type WatchEvent = Exclude<HelperLine, DeliverEvent>;

/** The kinds a story is told from, which `--format json` and the journal carry (the rest are control lines). */
export const EVENT_KINDS = ['signal', 'fork', 'exec', 'setsid', 'exit', 'oom'] as const;

/** The lines a user sees and the journal keeps. */
export type UserEvent = SignalEvent | ForkEvent | ExecEvent | SetsidEvent | ExitEvent | OomEvent;

export function isUserEvent(e: WatchEvent): e is UserEvent {
  return (EVENT_KINDS as readonly string[]).includes(e.kind);
}

const KINDS = new Set<string>([
  'start',
  'watching',
  'lost',
  'end',
  'signal',
  'deliver',
  'fork',
  'exec',
  'setsid',
  'comm',
  'exit',
  'oom',
]);

/** One line of the helper as a typed line, or null when it is not one (the kind and the numbers are checked). */
export function parseHelperLine(text: string): HelperLine | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const line = value as { kind?: unknown; t?: unknown; pid?: unknown };
  if (typeof line.kind !== 'string' || !KINDS.has(line.kind) || typeof line.t !== 'number') return null;
  if (line.pid !== undefined && typeof line.pid !== 'number') return null;
  return value as HelperLine;
}
