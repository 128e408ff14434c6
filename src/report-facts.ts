/** The report's `facts`: what /proc said, unprocessed, so it can be compared with ps and ls -l /proc/PID/fd. */
import { isLockOf } from './proc/locks.js';
import { signalList } from './proc/signals.js';
import { ttyOf } from './proc/tty.js';
import { formatMode } from './core/mode.js';
import { isTitleRewritten } from './diagnose/command.js';
import type { Snapshot } from './snapshot/types.js';
import type { Facts, LockFact, SessionFacts } from './core/types.js';

/**
 * Every write or read lock the process holds through an open file: fdinfo
 * "lock:" lines first, then /proc/locks entries on files it has open, for
 * fdinfo that had no lock lines (older kernels, captures).
 */
function lockFacts(snap: Snapshot): LockFact[] | null {
  if (!snap.fds && !snap.locks) return null;
  const out: LockFact[] = [];
  const seen = new Set<string>();
  const add = (
    l: { kind: string; mode: string; pid: number; dev: string; ino: number },
    fd: number,
    path: string,
  ): void => {
    const key = `${l.kind}:${l.dev}:${l.ino}:${fd}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ kind: l.kind, mode: l.mode, fd, path, lockPid: l.pid, dev: l.dev, ino: l.ino });
  };
  for (const fd of snap.fds ?? []) {
    for (const l of fd.locks) if (!l.waiter) add(l, fd.fd, fd.target);
  }
  for (const l of snap.locks ?? []) {
    if (!isLockOf(l, snap.pid)) continue;
    const fd = (snap.fds ?? []).find((f) => f.dev === l.dev && f.ino === l.ino);
    if (!fd || fd.locks.length > 0) continue;
    add(l, fd.fd, fd.target);
  }
  return out;
}

const MAX_GROUPS = 8;
const MAX_MEMBERS = 6;

/** The session's process groups as /proc shows them: the figure of sessions and groups every text on daemons draws. */
function sessionFacts(snap: Snapshot): SessionFacts {
  const st = snap.stat;
  const byGroup = new Map<number, Array<{ pid: number; comm: string }>>();
  for (const m of snap.sessionMembers) {
    if (m.state === 'Z' && m.pid !== snap.pid) continue;
    const list = byGroup.get(m.pgrp) ?? [];
    list.push({ pid: m.pid, comm: m.comm });
    byGroup.set(m.pgrp, list);
  }
  if (!byGroup.has(st.pgrp)) byGroup.set(st.pgrp, [{ pid: snap.pid, comm: st.comm }]);
  // Its own group first, then the leader's, the foreground, the rest by pgid.
  const order = (g: number) => (g === st.pgrp ? 0 : g === st.session ? 1 : g === st.tpgid ? 2 : 3);
  const pgids = [...byGroup.keys()].sort((a, b) => order(a) - order(b) || a - b);
  const tty = snap.tty ?? snap.sessionLeader?.tty ?? null;
  return {
    sid: st.session,
    leader: snap.sessionLeader ? { pid: snap.sessionLeader.pid, comm: snap.sessionLeader.comm } : null,
    tty,
    foregroundGroup: tty && st.tpgid > 0 ? st.tpgid : null,
    groups: pgids.slice(0, MAX_GROUPS).map((pgid) => {
      const members = byGroup
        .get(pgid)!
        .sort((a, b) => (a.pid === snap.pid ? -1 : b.pid === snap.pid ? 1 : a.pid - b.pid));
      return { pgid, members: members.slice(0, MAX_MEMBERS), moreMembers: Math.max(0, members.length - MAX_MEMBERS) };
    }),
    moreGroups: Math.max(0, pgids.length - MAX_GROUPS),
    auditor:
      snap.auditorPid !== null && snap.sessionMembers.some((m) => m.pid === snap.auditorPid) ? snap.auditorPid : null,
  };
}

export function buildFacts(snap: Snapshot): Facts {
  const st = snap.stat;
  const status = snap.status;
  return {
    state: st.state,
    ppid: st.ppid,
    pgid: st.pgrp,
    sid: st.session,
    tpgid: st.tpgid,
    ttyNr: st.ttyNr,
    tty: snap.tty,
    uid: status?.uid[0] ?? null,
    user: snap.userName,
    umask: status?.umask != null ? formatMode(status.umask) : null,
    cwd: snap.cwd,
    starttime: st.starttime,
    threads: st.numThreads,
    parent: snap.parent ? { pid: snap.parent.pid, comm: snap.parent.comm } : null,
    sessionLeader: snap.sessionLeader ? { pid: snap.sessionLeader.pid, comm: snap.sessionLeader.comm } : null,
    fds: snap.fds ? snap.fds.map((f) => ({ fd: f.fd, target: f.target, type: f.type, cloexec: f.cloexec })) : null,
    fdCount: snap.fdCount,
    signals:
      status && status.sigBlk !== null
        ? { blocked: signalList(status.sigBlk), ignored: signalList(status.sigIgn), caught: signalList(status.sigCgt) }
        : null,
    locks: lockFacts(snap),
    zombieChildren: snap.children.filter((c) => c.state === 'Z').map((c) => ({ pid: c.pid, comm: c.comm })),
    children: snap.children.map((c) => ({ pid: c.pid, comm: c.comm })),
    ancestry: [...snap.ancestors]
      .reverse()
      .map((a) => ({ pid: a.pid, comm: a.comm, sid: a.session, pgid: a.pgrp, tty: ttyOf(a, snap.ttyDrivers) })),
    unreadable: snap.unreadable,
    limits: snap.limits,
    exe: snap.exe,
    session: sessionFacts(snap),
    titleRewritten: isTitleRewritten(snap.cmdline, snap.exe),
  };
}
