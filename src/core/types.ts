/**
 * The public shapes that need nothing above the core: the report's enums,
 * its facts, its started-as and its fate (docs/interface.md, schemaVersion 1).
 * The shapes that name the checks' ids (CheckResult, Report, AuditOptions)
 * are in src/audit-types.ts, above the check registry that defines CheckId.
 */

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const STATUSES = ['pass', 'warn', 'fail', 'info', 'unknown', 'skip'] as const;
export type Status = (typeof STATUSES)[number];
export const VERDICTS = ['daemon', 'daemon-with-warnings', 'not-a-daemon', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const PROFILES = ['sysv', 'managed'] as const;
export type ProfileName = (typeof PROFILES)[number];
export type ProfileChoice = ProfileName | 'auto';
export const STARTED_AS_KINDS = [
  'nohup-job',
  'shell-job',
  'foreground',
  'single-fork',
  'double-fork',
  'supervised',
  'daemon-worker',
  'orphaned-job',
  'script-job',
  'cron-job',
  'at-job',
  'multiplexer-pane',
  'namespace-init',
  'unknown',
] as const;
export type StartedAsKind = (typeof STARTED_AS_KINDS)[number];

export interface FdFact {
  fd: number;
  target: string;
  type: string;
  cloexec: boolean | null;
}

export interface LockFact {
  kind: string;
  mode: string;
  fd: number | null;
  path: string | null;
  /** The pid column of /proc/locks, as the kernel printed it. */
  lockPid: number;
  dev: string;
  ino: number;
}

export interface ProcessRef {
  pid: number;
  comm: string;
}

export interface Facts {
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  tpgid: number;
  ttyNr: number;
  tty: string | null;
  uid: number | null;
  user: string | null;
  umask: string | null;
  cwd: string | null;
  starttime: string;
  threads: number;
  parent: ProcessRef | null;
  sessionLeader: ProcessRef | null;
  fds: FdFact[] | null;
  fdCount: number | null;
  signals: { blocked: string[]; ignored: string[]; caught: string[] } | null;
  locks: LockFact[] | null;
  zombieChildren: ProcessRef[];
  children: ProcessRef[];
  ancestry: Array<ProcessRef & { sid: number; pgid: number; tty: string | null }>;
  unreadable: Record<string, string>;
  limits: string[];
  /** /proc/PID/exe, null when unreadable. */
  exe: string | null;
  /** Its session as /proc shows it: the process groups and their members (capped), which one owns the terminal. */
  session: SessionFacts;
  /** It rewrote its argv in place (pm2, process.title, setproctitle): cmdline is a title, not its arguments. */
  titleRewritten: boolean;
}

export interface SessionFacts {
  sid: number;
  leader: ProcessRef | null;
  /** The session's controlling terminal, null when it has none. */
  tty: string | null;
  /** The terminal's foreground process group (tpgid), null without a terminal. */
  foregroundGroup: number | null;
  /** Process groups in pgid order, the audited process's first; at most 8, with at most 6 members each. */
  groups: Array<{ pgid: number; members: ProcessRef[]; moreMembers: number }>;
  moreGroups: number;
  /** The daemon-check process that made the report, when it is in this session (the CLI run from its terminal). */
  auditor: number | null;
}

export interface StartedAs {
  kind: StartedAsKind;
  detail: string;
}

/**
 * What will end a process: one entry per event (docs/fate.md). `outcome` is
 * whether the process (for `crash`: a replacement) is running after the
 * event; `why` is the chain of cause in one sentence; `by` names the actor;
 * `unless` names a condition /proc cannot show that would flip the outcome.
 */
export const FATE_EVENTS = ['hangup', 'shell-exit', 'logout', 'stop', 'crash'] as const;
export type FateEvent = (typeof FATE_EVENTS)[number];

export const OUTCOMES = ['lives', 'dies', 'unknown'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface FateEntry {
  outcome: Outcome;
  why: string;
  /** The process or component that sends the signal or does the killing, when there is one. */
  by?: string;
  /** What /proc cannot show that would flip the outcome. */
  unless?: string;
}

export type Fate = Record<FateEvent, FateEntry>;
