/**
 * The CheckContext (src/checks/check.ts), derived once from a Snapshot and
 * shared by the checks and the diagnosis: what the parent and the session leader are, and which other
 * processes count as "inside the daemon's own tree". Pure: no I/O.
 */
import { isInteractiveKind, isLogger, programKindOf, type ProgramKind } from './classify.js';
import { memberPids } from './snapshot/members.js';
import type { PeerHolder, RelatedProcess, Snapshot } from './snapshot/types.js';
import type { ProcStat } from './proc/stat.js';
import type { AuditOptions } from './audit-types.js';
import type { ProfileName } from './core/types.js';
import { computeFate } from './fate/index.js';
import type { CheckContext } from './checks/check.js';

function relatedKind(r: RelatedProcess | null): ProgramKind | null {
  return r ? programKindOf(r) : null;
}

/**
 * Whether the process `first` (the start of `chain`, then its ancestors in
 * order) is a detached master: no terminal, no shell, terminal owner or job
 * step anywhere between it and the point where it was cut loose (it leads its
 * own session, init or a supervisor adopted it, or its parent is out of sight).
 * A child of a test runner in a CI job's session is not a daemon's worker,
 * even when that session's leader has no terminal: the job's shell or npm sits
 * in between.
 */
function isDetachedMaster(chain: ProcStat[], firstKind: ProgramKind | null, leaders: ProcStat[]): boolean {
  for (let i = 0; i < chain.length; i += 1) {
    const a = chain[i]!;
    const kind = i === 0 && firstKind ? firstKind : programKindOf(a);
    if (kind === 'init' || kind === 'supervisor') return i > 0;
    if (a.ttyNr !== 0 || isInteractiveKind(kind)) return false;
    if (a.session === a.pid) return true;
    if (a.ppid <= 1) {
      // Orphaned, but still in a login's or a job's session (`cmd &` whose shell moved on): not cut loose.
      const leader = leaders.find((l) => l.pid === a.session);
      return !leader || (leader.ttyNr === 0 && !isInteractiveKind(programKindOf(leader)));
    }
  }
  // The chain ends at a parent this view cannot see (another pid namespace, hidepid).
  return true;
}

export function deriveContext(snap: Snapshot, profile: ProfileName, options: AuditOptions): CheckContext {
  const parentKind = snap.stat.ppid === 0 || snap.stat.ppid === 1 ? 'init' : relatedKind(snap.parent);
  const leaderKind = relatedKind(snap.sessionLeader);
  const sid = snap.stat.session;
  const leaderGone = snap.sessionLeader === null;
  // Between the process and its session's leader, inside that session: a shell or a job step
  // there means the session is a login's or a job's, whatever its leader is.
  const launchedInSession = snap.ancestors.some(
    (a) => a.session === sid && a.pid !== sid && isInteractiveKind(programKindOf(a)),
  );
  const daemonSession =
    snap.stat.ttyNr === 0 &&
    (sid === snap.pid ||
      leaderGone ||
      (!isInteractiveKind(leaderKind) && snap.sessionLeader!.stat.ttyNr === 0 && !launchedInSession));

  const parent = snap.parent;
  let parentIsDaemon = false;
  if (parent && parentKind === 'other' && parent.stat.ttyNr === 0) {
    // A worker's master: itself detached, with no shell or job step above it before that point.
    parentIsDaemon = isDetachedMaster(snap.ancestors, parentKind, snap.ancestorLeaders);
  }

  const descendants = new Set(snap.descendants);
  const sessionPids = memberPids(snap.sessionMembers);
  const ancestorPids = new Set(snap.ancestors.map((a) => a.pid));
  const { fate, session } = computeFate(snap, parentKind);
  return {
    fate,
    session,
    profile,
    options,
    parentKind,
    leaderKind,
    parentIsDaemon,
    daemonSession,
    isInside(pid: number): boolean {
      if (pid === snap.pid || descendants.has(pid)) return true;
      // Workers and their master share pipes and listening sockets by design.
      if (daemonSession && sessionPids.has(pid)) return true;
      // A supervisor holds its child's log pipe on purpose (runsv, s6).
      if (profile === 'managed' && ancestorPids.has(pid)) return true;
      return false;
    },
    isLogReader(holder: PeerHolder): boolean {
      if (isLogger(holder.comm)) return true;
      const kind = programKindOf(holder);
      return kind === 'supervisor' || kind === 'init';
    },
  };
}
