/** The public API: `import { audit } from 'daemon-check'`. */
export { audit, scan, unit, type AuditTarget, type ScanApiOptions, type UnitOptions } from './api.js';
export type { ScanResult, ScanRow } from './scan.js';
export { buildReport, auditProcess } from './audit.js';
export { computeVerdict, exitCodeFor, isShortfall, type FailOn } from './verdict.js';
export { checks, findCheck, CHECK_IDS } from './checks/index.js';
export type { Check, CheckOutcome } from './checks/index.js';
export { DaemonCheckError, type DaemonCheckErrorCode } from './core/errors.js';
export { openProcSource, LiveProcSource, FixtureProcSource, type ProcSource } from './proc/source.js';
export { readSnapshot } from './snapshot/read.js';
export type { Snapshot } from './snapshot/types.js';
export * from './core/types.js';
export type { AuditOptions, CheckId, CheckResult, Report } from './audit-types.js';
export {
  daemonize,
  DaemonizeError,
  helperAvailable,
  type DaemonizeOptions,
  type DaemonizeResult,
} from './daemonize/helper.js';
