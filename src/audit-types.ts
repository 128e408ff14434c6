/**
 * The audit's input and output (docs/interface.md, schemaVersion 1): the
 * public shapes that name the checks' ids. They sit above the check registry
 * (src/checks/index.ts), the one source of CheckId; every other public shape
 * is in src/core/types.ts.
 */
import type { CheckId } from './checks/index.js';
import type { CheckOptions } from './checks/check.js';
import type { Facts, Fate, ProfileChoice, ProfileName, Severity, StartedAs, Status, Verdict } from './core/types.js';

export type { CheckId } from './checks/index.js';

export interface CheckResult {
  id: CheckId;
  title: string;
  severity: Severity;
  status: Status;
  observed: string;
  expected: string;
  detail: string;
}

export interface Report {
  schemaVersion: 1;
  pid: number;
  comm: string;
  cmdline: string[] | null;
  user: string | null;
  profile: ProfileName;
  profileReason: string;
  verdict: Verdict;
  startedAs: StartedAs;
  /** What each event (hangup, shell-exit, logout, stop, crash) does to it, and why (docs/fate.md). */
  fate: Fate;
  checks: CheckResult[];
  facts: Facts;
  remediation: string[];
  /** Ids named in --require that did not pass. */
  requireFailed: string[];
  procRoot: string;
  pidfile: string | null;
  auditedAt: string;
  /** Who ran the audit: what a non-root auditor could not read is in facts.unreadable. */
  auditorUid: number | null;
}

/** The checks' own options (expectUmask, expectCwd, pidfile) are CheckOptions, in src/checks/check.ts. */
export interface AuditOptions extends CheckOptions {
  profile?: ProfileChoice;
  require?: CheckId[];
  ignore?: CheckId[];
  procRoot?: string;
  /** The root of the host's files outside /proc (logind.conf, /run/systemd): '/' by default, /host in a container. */
  hostRoot?: string;
  /** Wait up to this many seconds for the target to appear and settle (a daemon still forking). */
  wait?: number;
}
