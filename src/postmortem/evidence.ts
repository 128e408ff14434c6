/**
 * Each source's findings as evidence: the line, its time, the cause it
 * points at, how strongly, and its meaning in plain words (pure).
 */
import type { JournalFinding } from './journal.js';
import type { LogindEvent } from './journald.js';
import type { KernelEvent } from './kmsg.js';
import type { Cause, Evidence, SourceId, Strength } from './types.js';
import type { Logout } from './wtmp.js';

/** Evidence with its rank: lower ranks are read first (a watch's own ending before a kernel line). */
export type Ranked = Evidence & { rank: number; t: number | null };

/** Epoch seconds as ISO 8601; rounded to the microsecond first, so seconds made from a stat's mtimeMs give its millisecond back. */
export const isoOf = (t: number | null): string | null =>
  t === null ? null : new Date(Math.round(t * 1e6) / 1e3).toISOString();

function ranked(
  source: SourceId,
  line: string,
  t: number | null,
  from: string,
  what: { suggests: Cause | null; strength: Strength | null; meaning: string; rank: number },
): Ranked {
  return { source, line, at: isoOf(t), t, from, ...what };
}

const JOURNAL_RANK: Record<JournalFinding['kind'], number> = {
  ending: 0,
  oom: 1,
  exit: 2,
  signal: 8,
  watching: 9,
  lost: 9,
};

export function journalEvidence(f: JournalFinding, file: string): Ranked {
  const who = `${f.comm ?? 'pid'} (${f.pid ?? '?'})`;
  const meaning =
    f.kind === 'ending'
      ? `a watch saw it end: ${f.story ?? f.cause}`
      : f.kind === 'watching'
        ? `a watch was watching ${who}`
        : f.kind === 'signal'
          ? `a watch saw a signal sent to it: ${f.story}`
          : `a watch saw ${who} end: ${f.story}`;
  const suggests = f.kind === 'signal' || f.kind === 'watching' ? null : f.cause;
  return ranked('watch-journal', f.line, f.t, file, {
    suggests,
    strength: suggests ? 'observed' : null,
    meaning,
    rank: JOURNAL_RANK[f.kind],
  });
}

const mib = (kb: string | undefined): string | null =>
  kb === undefined ? null : `${Math.round(Number(kb) / 1024)} MiB`;

function oomMeaning(e: KernelEvent): string {
  const d = e.detail;
  const where = d.cgroup
    ? `in memory cgroup ${d.cgroup}${d.limitKb ? ` (limit ${mib(d.limitKb)}, usage ${mib(d.usageKb)})` : ''}`
    : /Memory cgroup/.test(d.header ?? '')
      ? 'in its memory cgroup'
      : 'when the system ran out of memory';
  const rss = d.anonRssKb ? `, with ${mib(d.anonRssKb)} of anonymous memory` : '';
  return `the OOM killer killed ${e.comm} (${e.pid}) with SIGKILL ${where}${rss}`;
}

function kernelMeaning(e: KernelEvent): { suggests: Cause | null; meaning: string; rank: number } {
  const who = `${e.comm ?? '?'} (${e.pid ?? '?'})`;
  switch (e.kind) {
    case 'oom-kill':
      return { suggests: 'oom-killer', meaning: oomMeaning(e), rank: 3 };
    case 'oom-reaped':
      return { suggests: 'oom-killer', meaning: `the OOM reaper freed the memory of ${who}`, rank: 4 };
    case 'segfault':
      return {
        suggests: 'crash',
        meaning: `${who} crashed: SIGSEGV, a bad memory access at address 0x${e.detail.address}${e.detail.in ? ` in ${e.detail.in}` : ''}`,
        rank: 3,
      };
    case 'trap':
      return {
        suggests: 'crash',
        meaning: `${who} crashed: ${e.detail.trap} (${e.signal ?? 'a fatal trap'})`,
        rank: 3,
      };
    case 'fatal-signal':
      return {
        suggests: crashOrKilled(e.signal),
        meaning: `${who} died of ${e.signal} (print-fatal-signals)`,
        rank: 4,
      };
    case 'memory-failure':
      return { suggests: 'crash', meaning: `the kernel sent ${who} SIGBUS: hardware memory corruption`, rank: 3 };
    case 'audit-abend':
      return { suggests: crashOrKilled(e.signal), meaning: `audit: ${who} ended abnormally with ${e.signal}`, rank: 4 };
    case 'seccomp':
      return {
        suggests: 'killed',
        meaning: `seccomp killed ${who} with ${e.signal} at system call ${e.detail.syscall ?? '?'}`,
        rank: 3,
      };
    case 'hung-task':
      return {
        suggests: null,
        meaning: `${who} was stuck in the kernel (state D) for more than ${e.detail.seconds} s: a hung task, waiting on I/O or a driver`,
        rank: 6,
      };
    case 'sysrq':
      return { suggests: 'killed', meaning: `a magic SysRq key sent ${e.signal} to every process: ${e.line}`, rank: 7 };
  }
}

const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP', 'SIGSYS']);

function crashOrKilled(signal: string | null): Cause {
  return signal && CRASH_SIGNALS.has(signal) ? 'crash' : 'killed';
}

export function kernelEvidence(e: KernelEvent, bootEpoch: number | null, from: string): Ranked {
  const t = e.epoch ?? (e.usec !== null && bootEpoch !== null ? bootEpoch + e.usec / 1e6 : null);
  const m = kernelMeaning(e);
  const strength: Strength | null = m.suggests === null ? null : e.pid === null ? 'around-the-time' : 'logged';
  return ranked('kernel-log', e.line, t, from, { ...m, strength });
}

export function logindEvidence(e: LogindEvent): Ranked {
  const meaning =
    e.kind === 'logged-out' || e.kind === 'removed'
      ? `logind: session ${e.session} ended (${e.kind === 'removed' ? 'removed' : 'logged out'})`
      : `systemd stopped session-${e.session}.scope, ending the processes still in it (when KillUserProcesses=yes)`;
  const scope = e.kind === 'scope-stopping' || e.kind === 'scope-stopped';
  return ranked('journald', e.message, e.at, 'journalctl', {
    suggests: scope ? 'scope-stop' : 'terminal-hangup',
    strength: 'around-the-time',
    meaning,
    rank: 7,
  });
}

export function wtmpEvidence(l: Logout, file: string): Ranked {
  const line = `DEAD_PROCESS line=${l.line} pid=${l.pid}${l.user ? ` user=${l.user}` : ''}${l.host ? ` host=${l.host}` : ''}`;
  const since = l.loginAt !== null ? `, logged in at ${isoOf(l.loginAt)}` : '';
  return ranked('wtmp', line, l.at, file, {
    suggests: 'terminal-hangup',
    strength: 'around-the-time',
    meaning: `${l.user || 'a user'} logged out of ${l.line}${since}: a job started from that login gets its hangup`,
    rank: 7,
  });
}

/** What a pidfile still says of the process that wrote it. */
export interface PidfileInfo {
  path: string;
  /** Its content as written (first 64 bytes). */
  content: string;
  pid: number;
  /** When it was last written, epoch seconds. */
  mtime: number;
  /** The user owning it, or its uid when passwd has no name for it. */
  owner: string | null;
  /** Who holds a lock on it now: null when nobody does; unknown when /proc/locks could not be read. */
  lock: { holder: number | null; kind: string } | null | 'unknown';
}

export function pidfileEvidence(p: PidfileInfo): Ranked {
  const lock =
    p.lock === 'unknown'
      ? 'whether it is locked could not be read (/proc/locks)'
      : p.lock === null
        ? 'no process holds a lock on it (a daemon that locked it lost the lock when it died)'
        : `a ${p.lock.kind} lock on it is held${p.lock.holder !== null && p.lock.holder > 0 ? ` by pid ${p.lock.holder}` : ''}: another process has it open (a new instance?)`;
  return ranked('pidfile', `${p.path}: ${JSON.stringify(p.content)}`, p.mtime, p.path, {
    suggests: null,
    strength: null,
    meaning: `${p.path} was written at ${isoOf(p.mtime)}${p.owner ? ` (owner ${p.owner})` : ''} and names pid ${p.pid}, which no longer runs; ${lock}`,
    rank: 5,
  });
}
