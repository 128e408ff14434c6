/**
 * The target's place among other processes: its parent and session leader
 * (read as related processes), and what the process table says of its
 * ancestry, children and session. read.ts reads them through the run's cache
 * and /proc; a test's in-memory world gives its own lookups and table.
 */
import type { ProcStat } from '../proc/stat.js';
import type { ProcessTable } from '../proc/table.js';
import type { Evidence } from './evidence.js';
import type { RelatedProcess, Snapshot } from './types.js';

export type Relatives = Pick<Snapshot, 'parent' | 'sessionLeader' | 'sessionLeaderParent'>;

export type Family = Pick<Snapshot, 'ancestors' | 'ancestorLeaders' | 'children' | 'sessionMembers' | 'descendants'>;

export interface RelativeLookup {
  /** A process as a related process; null when the table lacks it. */
  related(pid: number): RelatedProcess | null;
  /** Why a pid is missing: null when it has exited, else the errno that hid it. */
  whyMissing(pid: number): string | null;
}

/**
 * The parent, the session leader and the leader's parent; `ev` records why a
 * parent (other than pid 1) or a leader is missing when that is not because
 * it exited.
 */
export function relativesOf(
  lookup: RelativeLookup,
  ev: Evidence,
  pid: number,
  stat: ProcStat,
  argv: string[] | null,
  tty: string | null,
): Relatives {
  const parent = stat.ppid > 0 ? lookup.related(stat.ppid) : null;
  // A zombie leader has exited: nothing reaches it, and it waits only for its
  // reaping (by init, at a moment of init's choosing). It is told as exited, so
  // an audit before the reaping says what one after it says.
  const leaderRead =
    stat.session === pid
      ? { pid, comm: stat.comm, cmdline: argv, stat, tty }
      : stat.session > 0
        ? lookup.related(stat.session)
        : null;
  const sessionLeader = leaderRead?.stat.state === 'Z' ? null : leaderRead;
  const leaderWhy = stat.session > 0 && !sessionLeader ? lookup.whyMissing(stat.session) : null;
  const sessionLeaderParent =
    sessionLeader && sessionLeader.stat.ppid > 0 ? lookup.related(sessionLeader.stat.ppid) : null;
  if (leaderWhy) ev.missing('sessionLeader', leaderWhy);
  const parentWhy = stat.ppid > 1 && !parent ? lookup.whyMissing(stat.ppid) : null;
  if (parentWhy) ev.missing('parent', parentWhy);
  return { parent, sessionLeader, sessionLeaderParent };
}

/**
 * Ancestors (and the leaders of their sessions), children, session members
 * and descendants, as `table` has them. `ancestors` is passed where the
 * caller needed them first (read.ts, for the pipe peers).
 */
export function familyOf(
  table: ProcessTable,
  pid: number,
  stat: ProcStat,
  ancestors: ProcStat[] = table.ancestors(pid),
): Family {
  return {
    ancestors,
    ancestorLeaders: [...new Set(ancestors.map((a) => a.session))].flatMap((sid) => table.get(sid) ?? []),
    children: table.children(pid),
    sessionMembers: table.sessionMembers(stat.session, [pid]),
    descendants: [...table.descendants(pid)],
  };
}
