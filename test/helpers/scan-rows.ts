/**
 * Scan rows and results for the renderers' tests (the scan table, its
 * summary, the Prometheus text), without reading a process: a root-owned
 * sleep under pid 1, double-forked, that lives through everything but a crash,
 * unless the test says otherwise.
 */
import type { Fate, FateEntry, Outcome } from '../../src/core/types.js';
import type { ScanResult, ScanRow } from '../../src/scan.js';

/** A fate with these outcomes at a hangup, the shell's exit and logout (stop and crash: dies), each told by `why`. */
export function loginFate(
  hangup: Outcome,
  shellExit: Outcome,
  logout: Outcome,
  why: (o: Outcome) => string = () => 'test',
): Fate {
  const e = (outcome: Outcome): FateEntry => ({ outcome, why: why(outcome) });
  return { hangup: e(hangup), 'shell-exit': e(shellExit), logout: e(logout), stop: e('dies'), crash: e('dies') };
}

const LIVES: FateEntry = { outcome: 'lives', why: 'test' };
const DIES: FateEntry = { outcome: 'dies', why: 'test' };

export function scanRow(pid: number, o: Partial<ScanRow> = {}): ScanRow {
  return {
    pid,
    ppid: 1,
    uid: 0,
    user: 'root',
    comm: 'sleep',
    cmdline: ['sleep', '1000'],
    profile: 'sysv',
    verdict: 'daemon',
    startedAs: { kind: 'double-fork', detail: 'test' },
    fate: { hangup: LIVES, 'shell-exit': LIVES, logout: LIVES, stop: LIVES, crash: DIES },
    problems: [],
    ...o,
  };
}

/** A scan of every user's processes that found ROWS and passed over nothing. */
export function scanResultOf(rows: ScanRow[]): ScanResult {
  const skipped = { kernelThreads: 0, foreground: 0, otherUsers: 0, zombies: 0, vanished: 0, scannerAncestors: 0 };
  return { schemaVersion: 1, uid: null, processes: rows, skipped, hidepid: null };
}
