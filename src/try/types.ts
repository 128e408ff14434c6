/**
 * The result of `daemon-check try` (docs/try.md, issue 22's JSON contract):
 * `{schemaVersion, line, shell, endings: {hangup, exit}, survivedAll}`, each
 * ending `{processes, notFollowed}`, each process `{pid, argv, startedAs,
 * predicted, observed, signal, sender, cause}` plus the words behind them.
 */
import type { Outcome, StartedAs } from '../core/types.js';
import type { Cause } from '../watch/events.js';

export const TRY_SCHEMA_VERSION = 1;

export const TRY_ENDINGS = ['hangup', 'exit'] as const;
export type TryEnding = (typeof TRY_ENDINGS)[number];

export interface TryProcess {
  pid: number;
  argv: string[];
  comm: string;
  /** How it was started, as the audit reads it; null when it could not be audited. */
  startedAs: StartedAs | null;
  /** The fate model's outcome for this ending (fate.hangup, fate['shell-exit']), from an audit just before it. */
  predicted: Outcome;
  /** The prediction's reason, and what /proc cannot show that would flip it (its `unless`). */
  predictedWhy: string;
  predictedUnless: string | null;
  observed: 'survived' | 'died';
  /** The signal that ended it, or null (it survived, or exited with a status). */
  signal: string | null;
  /** The exit status of one that exited, else null. */
  exitCode: number | null;
  /** Who sent the ending signal, when the watch saw it. */
  sender: { pid: number; comm: string } | null;
  /** The watch's cause id, or null when the ending was not watched (not root) or it survived. */
  cause: Cause | null;
  /** One sentence: "killed by SIGHUP from bash (1234), which forwarded the terminal's hangup". */
  story: string;
  /** False when the prediction and the observation disagree (an `unknown` prediction never agrees). */
  agrees: boolean;
}

/** A process started through a daemon that already ran (tmux, screen, at, systemd-run, docker): not followed. */
export interface NotFollowed {
  what: string;
  why: string;
}

export interface TryEndingResult {
  /** Null when it ran; else why it was not (the line was left in the foreground: `exit` would go to it). */
  skipped: string | null;
  /** The line did not give the prompt back: it was left in the foreground, and the login was ended anyway. */
  foreground: boolean;
  processes: TryProcess[];
  notFollowed: NotFollowed[];
  /** How the processes were found: a cgroup v2 leaf and the subreaper, or the subreaper alone (and what it may miss). */
  found: { cgroup: boolean; note: string | null };
  /** How the endings were observed: the watch's mechanism, or null with the reason. */
  watched: { mechanism: string | null; note: string | null };
  /** With --keep: the survivors left running. */
  kept: number[];
}

export interface TryResult {
  schemaVersion: typeof TRY_SCHEMA_VERSION;
  line: string;
  shell: string;
  user: string;
  rc: boolean;
  endings: Partial<Record<TryEnding, TryEndingResult>>;
  survivedAll: boolean;
  /** The question answered in one line. */
  answer: string;
}
