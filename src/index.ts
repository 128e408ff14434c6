/** The public API: `import { audit } from 'daemon-check'`. */
export { audit, auditPid, scan, type AuditTarget, type ScanApiOptions } from './api.js';
export type { ScanResult, ScanRow } from './scan.js';
export { buildReport, computeVerdict, auditProcess } from './audit.js';
export { checks, findCheck } from './checks/index.js';
export type { Check, CheckOutcome } from './checks/index.js';
export { DaemonCheckError, type DaemonCheckErrorCode } from './errors.js';
export { exitCodeFor } from './exit.js';
export { openProcSource, LiveProcSource, FixtureProcSource, type ProcSource } from './proc/source.js';
export { readSnapshot, type Snapshot } from './snapshot.js';
export * from './types.js';
export { daemonize, DaemonizeError, helperAvailable, type DaemonizeOptions, type DaemonizeResult } from './daemonize/helper.js';
