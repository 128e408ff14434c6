/**
 * Indexes over a session's members, built once per members array. A scan's
 * snapshots of one session share one array (ProcessTable.sessionMembers), so
 * 2,000 jobs of one runner build these once, not 2,000 times: building them
 * per process makes a scan of that shape quadratic.
 */
import type { ProcStat } from '../proc/stat.js';

const pidSets = new WeakMap<readonly ProcStat[], ReadonlySet<number>>();
const groups = new WeakMap<readonly ProcStat[], ReadonlyMap<number, readonly ProcStat[]>>();

/** The pids of the members. */
export function memberPids(members: readonly ProcStat[]): ReadonlySet<number> {
  let set = pidSets.get(members);
  if (!set) pidSets.set(members, (set = new Set(members.map((m) => m.pid))));
  return set;
}

/** The members of process group `pgrp`. */
export function groupMembers(members: readonly ProcStat[], pgrp: number): readonly ProcStat[] {
  let index = groups.get(members);
  if (!index) {
    const m = new Map<number, ProcStat[]>();
    for (const st of members) {
      const list = m.get(st.pgrp);
      if (list) list.push(st);
      else m.set(st.pgrp, [st]);
    }
    groups.set(members, (index = m));
  }
  return index.get(pgrp) ?? [];
}
