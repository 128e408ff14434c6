/**
 * The pure part of `try`: what was seen of each process, held against what
 * the fate model predicted; the escapes the login could not follow; the
 * one-line answer; the exit code. No I/O.
 */
import type { FateEntry, StartedAs } from '../core/types.js';
import { signalName } from '../proc/signals.js';
import type { Ending } from '../watch/story.js';
import type { NotFollowed, TryEnding, TryEndingResult, TryProcess } from './types.js';

/** What the session saw of one process the line started. */
export interface Seen {
  pid: number;
  argv: string[];
  comm: string;
  startedAs: StartedAs | null;
  /** The fate model's entry for this ending, or null when it could not be audited. */
  fate: FateEntry | null;
  /** Why it could not be audited (too many, or it went during the audit). */
  notAudited?: string;
  alive: boolean;
  /** The wait status the subreaper reaped, or null. */
  waitStatus: number | null;
  /** The watch's story of its ending, or null when it was not watched. */
  ending: Ending | null;
}

function statusParts(status: number | null): { signal: string | null; exitCode: number | null } {
  if (status === null) return { signal: null, exitCode: null };
  const sig = status & 0x7f;
  if (sig === 0) return { signal: null, exitCode: (status >> 8) & 0xff };
  return { signal: signalName(sig), exitCode: null };
}

/** One process of the report. */
export function judgeProcess(s: Seen): TryProcess {
  const predicted = s.fate?.outcome ?? 'unknown';
  const base = {
    pid: s.pid,
    argv: s.argv,
    comm: s.comm,
    startedAs: s.startedAs,
    predicted,
    predictedWhy: s.fate?.why ?? s.notAudited ?? 'not audited',
    predictedUnless: s.fate?.unless ?? null,
  };
  if (s.alive)
    return {
      ...base,
      observed: 'survived',
      signal: null,
      exitCode: null,
      sender: null,
      cause: null,
      story: 'still running after the login ended',
      agrees: predicted === 'lives',
    };
  const fromStatus = statusParts(s.waitStatus ?? s.ending?.waitStatus ?? null);
  const signal = s.ending?.signal ?? fromStatus.signal;
  const exitCode = s.ending?.status ?? fromStatus.exitCode;
  const sender = s.ending?.sender ? { pid: s.ending.sender.pid, comm: s.ending.sender.comm } : null;
  const watched = s.ending !== null && s.ending.ended !== 'alive';
  const plain = signal ? `killed by ${signal}` : exitCode !== null ? `exited with status ${exitCode}` : 'ended';
  return {
    ...base,
    observed: 'died',
    signal,
    exitCode,
    sender,
    cause: watched ? s.ending!.cause : null,
    story: watched ? s.ending!.story : `${plain} (sender and cause not observed: watching needs root)`,
    agrees: predicted === 'dies',
  };
}

const ESCAPES: ReadonlyArray<{ re: RegExp; what: string; why: string; server?: RegExp }> = [
  {
    re: /(^|[\s;&|(])tmux(\s|$)/,
    what: 'tmux',
    why: 'a tmux server that already ran started it',
    server: /^tmux: server$|^tmux$/,
  },
  {
    re: /(^|[\s;&|(])screen(\s|$)/,
    what: 'screen',
    why: 'a screen server that already ran started it',
    server: /^screen$|^SCREEN$/i,
  },
  { re: /(^|[\s;&|(])(at|batch)\s/, what: 'at', why: 'atd runs the job, outside the login' },
  { re: /(^|[\s;&|(])systemd-run(\s|$)/, what: 'systemd-run', why: 'systemd runs the unit, outside the login' },
  { re: /(^|[\s;&|(])(docker|podman)\s+(run|start)\b/, what: 'docker', why: 'the container runtime runs it' },
];

/**
 * Processes the line started through a daemon that already ran: they are not
 * the login's descendants, so they are not followed. tmux and screen count
 * only when the login made no server of its own (COMMS: the comms seen in it).
 */
export function notFollowed(line: string, comms: readonly string[]): NotFollowed[] {
  return ESCAPES.filter((e) => e.re.test(line) && !(e.server && comms.some((c) => e.server!.test(c)))).map((e) => ({
    what: e.what,
    why: `${e.why}; it is not followed`,
  }));
}

const AT: Record<TryEnding, string> = { hangup: 'a hangup', exit: 'an exit' };

function quoteLine(line: string): string {
  return `\`${line.replace(/\n/g, '; ')}\``;
}

function endingWords(ending: TryEnding, r: TryEndingResult): string {
  const died = r.processes.filter((p) => p.observed === 'died');
  if (died.length === 0) return `survives ${AT[ending]}`;
  const first = died[0]!;
  const who =
    r.processes.length > 1 ? `${died.length} of ${r.processes.length} die at ${AT[ending]}` : `dies at ${AT[ending]}`;
  const what = first.story.replace(/^killed by /, '');
  return `${who}: ${r.processes.length > 1 ? `${first.comm} (${first.pid}), ` : ''}${what}`;
}

/** The question answered in plain words. */
export function answer(line: string, endings: Partial<Record<TryEnding, TryEndingResult>>): string {
  const ran = (Object.entries(endings) as Array<[TryEnding, TryEndingResult]>).filter(([, r]) => r.skipped === null);
  if (ran.length > 0 && ran.every(([, r]) => r.processes.length === 0))
    return `${quoteLine(line)}: started nothing that was still running when the login ended`;
  const parts = ran.map(([e, r]) => endingWords(e, r));
  const allSurvive = parts.length > 0 && parts.every((p) => p.startsWith('survives'));
  const words = allSurvive ? `survives ${ran.map(([e]) => AT[e]).join(' and ')}` : parts.join('; ');
  const skipped = (Object.entries(endings) as Array<[TryEnding, TryEndingResult]>)
    .filter(([, r]) => r.skipped !== null)
    .map(([e, r]) => `; ${AT[e]} was not tried: ${r.skipped}`);
  return `${quoteLine(line)}: ${words}${skipped.join('')}`;
}

export function survivedAll(endings: Partial<Record<TryEnding, TryEndingResult>>): boolean {
  return Object.values(endings).every((r) => r.processes.every((p) => p.observed === 'survived'));
}
