/**
 * What kind of program a process is, judged from its comm and argv[0]
 * against the knowledge table's names (src/knowledge/kinds.ts): "is the
 * parent a shell?" and "is the parent a supervisor?", which
 * docs/checklist.md's rules turn on.
 */
import {
  AT_DAEMON_NAMES,
  CRON_NAMES,
  FORWARDING_INIT_NAMES as FORWARDING_INITS,
  JOB_RUNNER_NAMES as JOB_RUNNERS,
  LOGGER_NAMES as LOGGERS,
  MULTIPLEXER_NAMES as MULTIPLEXERS,
  MULTIPLEXER_PREFIXES,
  SHELL_NAMES as SHELLS,
  SUPERVISOR_INTERPRETERS,
  SUPERVISOR_NAMES as SUPERVISORS,
  SUPERVISOR_PREFIXES,
  TERMINAL_OWNER_NAMES as TERMINAL_OWNERS,
  TERMINAL_OWNER_PREFIXES,
} from './knowledge/kinds.js';

export function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** Names to try for a process: comm, and argv[0]'s basename (a login shell's argv[0] is "-bash"). */
function names(comm: string, argv0?: string): string[] {
  const out = [comm];
  if (argv0) {
    const b = basename(argv0).replace(/^-/, '');
    if (b && b !== comm) out.push(b);
    // "python3 /usr/bin/supervisord": the script, not the interpreter, is the program.
  }
  return out;
}

function hasPrefix(name: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => name.startsWith(p));
}

function isShell(comm: string, argv0?: string): boolean {
  return names(comm, argv0).some((n) => SHELLS.has(n.replace(/^-/, '')));
}

function isTerminalOwner(comm: string, argv0?: string): boolean {
  return names(comm, argv0).some((n) => TERMINAL_OWNERS.has(n) || hasPrefix(n, TERMINAL_OWNER_PREFIXES));
}

/** cron's and atd's names: a job's session leader is their child (Debian's cron renames its child CRON). */
export function isCron(comm: string, cmdline?: readonly string[] | null): boolean {
  return names(comm, cmdline?.[0]).some((n) => CRON_NAMES.has(n));
}

export function isAtd(comm: string): boolean {
  return AT_DAEMON_NAMES.has(comm);
}

function isJobRunner(comm: string, argv0?: string): boolean {
  return names(comm, argv0).some((n) => JOB_RUNNERS.has(n));
}

/** Supervisor by comm, argv[0], or an interpreter running a supervisor script (supervisord, pm2). */
export function isSupervisor(comm: string, cmdline?: string[] | null): boolean {
  const argv0 = cmdline?.[0];
  if (names(comm, argv0).some((n) => SUPERVISORS.has(n) || hasPrefix(n, SUPERVISOR_PREFIXES))) {
    return true;
  }
  // systemd --user shows comm "systemd"; an interpreter's script is argv[1].
  const script = cmdline?.[1];
  if (script && SUPERVISOR_INTERPRETERS.test(basename(argv0 ?? ''))) return SUPERVISORS.has(basename(script));
  return false;
}

/** A tmux or screen server (its comm is "tmux: server" or "screen"/"SCREEN"). */
export function isMultiplexer(comm: string, cmdline?: readonly string[] | null): boolean {
  const argv0 = cmdline?.[0];
  return names(comm, argv0).some((n) => MULTIPLEXERS.has(n) || hasPrefix(n, MULTIPLEXER_PREFIXES));
}

/** A container's minimal init (tini, dumb-init): it forwards SIGTERM to its child and exits with it. */
export function isForwardingInit(comm: string, cmdline?: readonly string[] | null): boolean {
  return names(comm, cmdline?.[0]).some((n) => FORWARDING_INITS.has(n));
}

/** A log collector that reads a daemon's stdout or stderr through a pipe on purpose. */
export function isLogger(comm: string, cmdline?: readonly string[] | null): boolean {
  return names(comm, cmdline?.[0]).some((n) => LOGGERS.has(n));
}

export type ProgramKind = 'shell' | 'terminal' | 'job-runner' | 'supervisor' | 'init' | 'other';

/** A shell, a terminal owner or a job step: a person's terminal session or a build step is attached here. */
export function isInteractiveKind(kind: ProgramKind | null): boolean {
  return kind === 'shell' || kind === 'terminal' || kind === 'job-runner';
}

/**
 * Kinds by comm, argv[0] and argv[1] (all the lists look at): a scan asks
 * for the same parents and leaders thousands of times (~25 us a row with
 * 2,000 jobs of one runner).
 */
const kinds = new Map<string, ProgramKind>();

export function programKind(pid: number, comm: string, cmdline?: string[] | null): ProgramKind {
  if (pid === 1) return 'init';
  const key = `${comm}\0${cmdline?.[0] ?? ''}\0${cmdline?.[1] ?? ''}`;
  const known = kinds.get(key);
  if (known) return known;
  const argv0 = cmdline?.[0];
  const kind: ProgramKind = isSupervisor(comm, cmdline)
    ? 'supervisor'
    : isShell(comm, argv0)
      ? 'shell'
      : isTerminalOwner(comm, argv0)
        ? 'terminal'
        : isJobRunner(comm, argv0)
          ? 'job-runner'
          : 'other';
  if (kinds.size < 4096) kinds.set(key, kind);
  return kind;
}

/**
 * programKind of one process record (a ProcStat, a RelatedProcess, a
 * PeerHolder), worked out once per record: a scan's records of parents,
 * leaders and ancestors are shared by thousands of rows, and building the
 * key above costs more than the lookup (docs/performance.md). The records
 * are never changed once read.
 */
const byRecord = new WeakMap<object, ProgramKind>();

export function programKindOf(p: { pid: number; comm: string; cmdline?: string[] | null }): ProgramKind {
  let kind = byRecord.get(p);
  if (kind === undefined) {
    kind = programKind(p.pid, p.comm, p.cmdline);
    byRecord.set(p, kind);
  }
  return kind;
}
