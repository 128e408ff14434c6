/**
 * Snapshot -> Report (pure), and the one I/O entry point that reads a
 * snapshot and confirms the process is still the same one afterwards.
 */
import { checks } from './checks/index.js';
import { formatMode } from './checks/umask.js';
import { deriveContext } from './context.js';
import { diagnoseStart, remediation } from './diagnose.js';
import { DaemonCheckError, errnoOf } from './errors.js';
import { chooseProfile } from './profile.js';
import type { ProcSource } from './proc/source.js';
import { parseStat } from './proc/stat.js';
import { signalList } from './proc/status.js';
import { readSnapshot, ttyOf, type Snapshot, type SnapshotOptions } from './snapshot.js';
import type { AuditOptions, CheckResult, Facts, LockFact, ProfileName, Report, StartedAs, Status, Verdict } from './types.js';

const STATUS_ORDER: Record<Status, number> = { fail: 0, unknown: 1, warn: 2, info: 3, pass: 4, skip: 5 };

export function statusRank(s: Status): number {
  return STATUS_ORDER[s];
}

export function computeVerdict(rows: CheckResult[]): Verdict {
  if (rows.some((r) => r.severity === 'critical' && r.status === 'fail')) return 'not-a-daemon';
  if (rows.some((r) => r.severity === 'critical' && r.status === 'unknown')) return 'inconclusive';
  if (rows.some((r) => r.status === 'warn' || r.status === 'fail')) return 'daemon-with-warnings';
  return 'daemon';
}

function lockFacts(snap: Snapshot): LockFact[] | null {
  if (!snap.fds && !snap.locks) return null;
  const out: LockFact[] = [];
  const seen = new Set<string>();
  for (const fd of snap.fds ?? []) {
    for (const l of fd.locks) {
      const key = `${l.kind}:${l.dev}:${l.ino}:${fd.fd}`;
      if (l.waiter || seen.has(key)) continue;
      seen.add(key);
      out.push({ kind: l.kind, mode: l.mode, fd: fd.fd, path: fd.target, lockPid: l.pid, dev: l.dev, ino: l.ino });
    }
  }
  // /proc/locks entries on files it has open, for fdinfo that had no lock lines (older kernels, captures).
  for (const l of snap.locks ?? []) {
    if (l.waiter) continue;
    const fd = (snap.fds ?? []).find((f) => f.dev === l.dev && f.ino === l.ino);
    if (!fd) continue;
    if (l.kind === 'POSIX' && l.pid !== snap.pid) continue;
    if (fd.locks.length > 0) continue;
    const key = `${l.kind}:${l.dev}:${l.ino}:${fd.fd}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ kind: l.kind, mode: l.mode, fd: fd.fd, path: fd.target, lockPid: l.pid, dev: l.dev, ino: l.ino });
  }
  return out;
}

function buildFacts(snap: Snapshot): Facts {
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
    ancestry: [...snap.ancestors].reverse().map((a) => ({ pid: a.pid, comm: a.comm, sid: a.session, pgid: a.pgrp, tty: ttyOf(a, snap.ttyDrivers) })),
    unreadable: snap.unreadable,
    limits: snap.limits,
  };
}

export interface Judgement {
  profile: ProfileName;
  reason: string;
  rows: CheckResult[];
  verdict: Verdict;
  startedAs: StartedAs;
}

/** The pure heart: every check over one snapshot, the verdict, the diagnosis. */
export function buildReport(snap: Snapshot, options: AuditOptions = {}): Report {
  const { profile, reason, rows, verdict, startedAs } = judge(snap, options);
  const required = new Set<string>(options.require ?? []);
  return {
    schemaVersion: 1,
    pid: snap.pid,
    comm: snap.stat.comm,
    cmdline: snap.cmdline,
    user: snap.userName,
    profile,
    profileReason: reason,
    verdict,
    startedAs,
    checks: rows,
    facts: buildFacts(snap),
    remediation: remediation(snap, rows, verdict, startedAs, profile),
    requireFailed: rows.filter((r) => required.has(r.id) && r.status !== 'pass').map((r) => r.id),
    procRoot: snap.procRoot,
    pidfile: snap.pidfile?.path ?? null,
    auditedAt: new Date().toISOString(),
    auditorUid: snap.auditorUid,
  };
}

/** Profile, check rows, verdict and startedAs: a report without its facts and remediation (scan's rows); `only` limits the checks run. */
export function judge(snap: Snapshot, options: AuditOptions = {}, only?: ReadonlySet<string>): Judgement {
  const { profile, reason } = chooseProfile(snap, options.profile);
  const ctx = deriveContext(snap, profile, options);
  const ignore = new Set<string>(options.ignore ?? []);
  const rows: CheckResult[] = (only ? checks.filter((c) => only.has(c.id)) : checks).map((check) => {
    // Plain literals, no object spread: spreading cost ~2 us a row, a third of scan's time per process.
    const { id, title, severity } = check;
    if (ignore.has(id)) {
      return { id, title, severity, status: 'skip', observed: '-', expected: '-', detail: 'ignored with --ignore' };
    }
    if (check.sysvOnly && profile === 'managed') {
      return { id, title, severity, status: 'skip', observed: '-', expected: '-', detail: 'not applicable under the managed profile: a supervised service leads its own session by design' };
    }
    const out = check.evaluate(snap, ctx);
    return { id, title, severity: out.severity ?? severity, status: out.status, observed: out.observed, expected: out.expected, detail: out.detail };
  });
  const verdict = computeVerdict(rows);
  const startedAs = diagnoseStart(snap, ctx, profile, reason);
  return { profile, reason, rows, verdict, startedAs };
}

/**
 * Reads, evaluates, and then re-reads stat: if the pid is gone or its
 * starttime changed, the evidence belongs to a process that no longer exists.
 */
export function auditProcess(source: ProcSource, pid: number, options: AuditOptions = {}, snapOpts: SnapshotOptions = {}): Report {
  const snap = readSnapshot(source, pid, { ...snapOpts, pidfile: options.pidfile ?? snapOpts.pidfile });
  const report = buildReport(snap, options);
  if (source.kind === 'procfs') {
    let after: string | null = null;
    let garbled = false;
    try {
      const st = parseStat(source.readText(`${pid}/stat`, 4096));
      // Became a zombie while we read: its fds and cwd vanished under us.
      after = st.state === 'Z' && snap.stat.state !== 'Z' ? null : st.starttime;
    } catch (err) {
      const e = errnoOf(err);
      // Garbled content proves nothing about identity: the evidence cannot be vouched for.
      garbled = e === 'EPARSE';
      if (e !== 'ENOENT' && e !== 'ESRCH' && !garbled) after = snap.stat.starttime;
    }
    if (after !== snap.stat.starttime) {
      throw new DaemonCheckError(
        'EXITED_DURING_AUDIT',
        garbled
          ? `pid ${pid} (${snap.stat.comm}): its stat could not be parsed at the end of the audit, so the process could not be confirmed as the one read; audit it again`
          : after === null
            ? `pid ${pid} (${snap.stat.comm}) exited during the audit; run it again once the process is up (--wait SECONDS waits for it to settle)`
            : `pid ${pid} was reused by another process during the audit (start time changed); audit it again`,
      );
    }
  }
  return report;
}
