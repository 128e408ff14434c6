/**
 * What `daemon-check postmortem` gathers about a process that is gone, and
 * what it answers. The cause ids are the watch contract's (docs/postmortem.md,
 * the summary's `endings[].cause`), so a script reads both commands alike.
 */

import { CAUSES, type Cause } from '../watch/events.js';

export { CAUSES, type Cause };

/** Where a piece of evidence was read. */
export type SourceId = 'watch-journal' | 'kernel-log' | 'pidfile' | 'journald' | 'wtmp';

/** How sure a piece of evidence makes its cause: it saw it, it points at it, or it only fits the time. */
export type Strength = 'observed' | 'logged' | 'around-the-time';

export interface Evidence {
  source: SourceId;
  /** The line as the source has it (a journal's JSON line, the kernel's message, a summary of a binary record). */
  line: string;
  /** When it happened, ISO 8601, or null where the source does not say. */
  at: string | null;
  /** The cause this evidence points at, or null for a fact that names none (a pidfile's age). */
  suggests: Cause | null;
  strength: Strength | null;
  /** The reading in plain words. */
  meaning: string;
  /** Where the line came from: a journal file, /dev/kmsg, dmesg, a pidfile path. */
  from: string;
}

/** A source that was asked, and what came of it. */
export interface SourceStatus {
  source: SourceId;
  /** read: it answered; refused: it exists but may not be read; absent: this host has none. */
  status: 'read' | 'refused' | 'absent';
  /** Which file or command, and why it was refused or absent. */
  detail: string;
}

export interface Postmortem {
  schemaVersion: 1;
  pid: number | null;
  comm: string | null;
  cause: Cause;
  /** The cause in plain words, from the strongest evidence. */
  story: string;
  evidence: Evidence[];
  /** What cannot be known from this host, each said plainly. */
  unknowns: string[];
  sources: SourceStatus[];
  /** With --name: other dead pids of that name found in the evidence, older first. */
  others: number[];
  /** The window looked at, ISO 8601: from --since or the pidfile's mtime (null: no lower bound), to now. */
  window: { since: string | null; until: string };
}
