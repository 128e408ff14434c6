/**
 * What the shared test helpers know a test file started, for the leak check
 * (test/setup/file-check.ts) to hold against /proc when the file ends. Each
 * test file loads its own copy of this module, as it does its setup file, so
 * the lists below are that file's. No vitest, no processes here: procs.ts and
 * ssh.ts fill it in; unit tests never do.
 */

/** A process started by the file, as the helper that started it recorded it. */
export interface KnownProcess {
  pid: number;
  /** Start time (stat field 22): the pid names this process only while it is unchanged. */
  start: string;
}

const known: KnownProcess[] = [];
const needles = new Set<string>();

/** Records a process the file started (Tracker.track): it must be gone when the file ends. */
export function noteProcess(p: KnownProcess): void {
  known.push(p);
}

/**
 * Records an environment entry (NAME=value) that every process of some tree
 * the file started carries, where the file's own marker cannot reach: sshd
 * builds each login's environment afresh, but SetEnv puts this entry in it.
 */
export function noteEnvNeedle(entry: string): void {
  needles.add(entry);
}

export function knownProcesses(): readonly KnownProcess[] {
  return known;
}

export function envNeedles(): readonly string[] {
  return [...needles];
}
