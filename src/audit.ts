/**
 * Snapshot -> Report (pure: `judge` and `buildReport`), and the one I/O entry
 * point, `auditProcess`, which reads a snapshot and confirms afterwards that
 * the process is still the one it read.
 */
import { checks, type CheckId } from './checks/index.js';
import { COMMON_MESSAGES, renderDetail, type MessageRef } from './checks/check.js';
import { deriveContext } from './context.js';
import { diagnoseStart } from './diagnose/started-as.js';
import { remediation } from './diagnose/remediation.js';
import { resolveArgv0 } from './snapshot/argv0.js';
import { DaemonCheckError } from './core/errors.js';
import { buildFacts } from './report-facts.js';
import { chooseProfile } from './profile.js';
import { recheckIdentity } from './proc/identity.js';
import type { ProcSource } from './proc/source.js';
import { readSnapshot, type SnapshotOptions } from './snapshot/read.js';
import type { Snapshot } from './snapshot/types.js';
import type { AuditOptions, CheckResult, Report } from './audit-types.js';
import type { Fate, ProfileName, StartedAs, Verdict } from './core/types.js';
import { computeVerdict } from './verdict.js';

export interface Judgement {
  profile: ProfileName;
  reason: string;
  rows: CheckResult[];
  /** Each row's detail as its check reported it, id and data (rows[i]'s is messages[i]): for tests; the report keeps only the text. */
  messages: MessageRef[];
  verdict: Verdict;
  startedAs: StartedAs;
  fate: Fate;
}

/** Profile, check rows, verdict and startedAs: a report without its facts and remediation (scan's rows); `only` limits the checks run. */
export function judge(snap: Snapshot, options: AuditOptions = {}, only?: ReadonlySet<CheckId>): Judgement {
  const { profile, reason } = chooseProfile(snap, options.profile);
  const ctx = deriveContext(snap, profile, options);
  const ignore = new Set<string>(options.ignore ?? []);
  const messages: MessageRef[] = [];
  const rows: CheckResult[] = (only ? checks.filter((c) => only.has(c.id)) : checks).map((check) => {
    // Plain literals, no object spread: spreading cost ~2 us a row, a third of scan's time per process.
    const { id, title, severity } = check;
    if (ignore.has(id) || (check.sysvOnly && profile === 'managed')) {
      const said = { messageId: ignore.has(id) ? 'ignored' : 'managedSkip' } as const;
      messages.push(said);
      const detail = renderDetail(COMMON_MESSAGES, said);
      return { id, title, severity, status: 'skip', observed: '-', expected: '-', detail };
    }
    const out = check.evaluate(snap, ctx);
    messages.push(out);
    return {
      id,
      title,
      severity: out.severity ?? severity,
      status: out.status,
      observed: out.observed,
      expected: out.expected,
      detail: renderDetail(check.messages, out),
    };
  });
  const verdict = computeVerdict(rows);
  const startedAs = diagnoseStart(snap, ctx, profile, reason);
  return { profile, reason, rows, messages, verdict, startedAs, fate: ctx.fate };
}

/** The pure heart: every check over one snapshot, the verdict, the diagnosis. `now` stamps auditedAt. */
export function buildReport(snap: Snapshot, options: AuditOptions = {}, now: Date = new Date()): Report {
  const { profile, reason, rows, verdict, startedAs, fate } = judge(snap, options);
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
    fate,
    checks: rows,
    facts: buildFacts(snap),
    remediation: remediation(snap, rows, verdict, startedAs, profile),
    requireFailed: rows.filter((r) => required.has(r.id) && r.status !== 'pass').map((r) => r.id),
    procRoot: snap.procRoot,
    pidfile: snap.pidfile?.path ?? null,
    auditedAt: now.toISOString(),
    auditorUid: snap.auditorUid,
  };
}

/**
 * Reads, evaluates, and then re-reads stat: if the pid is gone or its
 * starttime changed, the evidence belongs to a process that no longer exists.
 */
export function auditProcess(
  source: ProcSource,
  pid: number,
  options: AuditOptions = {},
  snapOpts: SnapshotOptions = {},
): Report {
  const snap = readSnapshot(source, pid, { ...snapOpts, pidfile: options.pidfile ?? snapOpts.pidfile });
  snap.argv0Path = resolveArgv0(source, snap);
  const report = buildReport(snap, options);
  // A capture cannot change under us; a live process can.
  const check = source.kind === 'procfs' ? recheckIdentity(source, snap.stat) : 'same';
  const who = { pid, comm: snap.stat.comm };
  switch (check) {
    case 'same':
      return report;
    case 'garbled':
      throw new DaemonCheckError(
        'EXITED_DURING_AUDIT',
        `pid ${pid} (${snap.stat.comm}): its stat could not be parsed at the end of the audit, so the process could not be confirmed as the one read; audit it again`,
        who,
      );
    case 'exited':
      throw new DaemonCheckError(
        'EXITED_DURING_AUDIT',
        `pid ${pid} (${snap.stat.comm}) exited during the audit; run it again once the process is up (--wait SECONDS waits for it to settle)`,
        who,
      );
    case 'reused':
      throw new DaemonCheckError(
        'EXITED_DURING_AUDIT',
        `pid ${pid} was reused by another process during the audit (start time changed); audit it again`,
        who,
      );
  }
}
