/**
 * What a signal would do to the process now, from /proc/PID/status (SigIgn,
 * SigCgt, SigBlk), and whether the process takes blocked signals
 * synchronously (sigtimedwait, sigwaitinfo, signalfd), as tini does.
 */
import { hasSignal } from '../proc/signals.js';
import type { ProcStatus } from '../proc/status.js';
import type { Snapshot } from '../snapshot/types.js';

/** ignored and caught come from the disposition; blocked means pending until unblocked. */
export type Disposition = 'default' | 'ignored' | 'caught' | 'blocked' | 'unknown';

export function dispositionOf(status: ProcStatus | null, signo: number): Disposition {
  if (!status || status.sigIgn === null || status.sigCgt === null || status.sigBlk === null) return 'unknown';
  if (hasSignal(status.sigIgn, signo)) return 'ignored';
  if (hasSignal(status.sigCgt, signo)) return 'caught';
  if (hasSignal(status.sigBlk, signo)) return 'blocked';
  return 'default';
}

/** rt_sigtimedwait's syscall number per architecture (asm/unistd.h): x86_64 128, arm64/riscv64 137, i386 177. */
const SIGTIMEDWAIT: Record<string, number> = { x64: 128, arm64: 137, riscv64: 137, ia32: 177, x86: 177 };

/**
 * How the process waits for signals it keeps blocked, when the evidence says:
 * in rt_sigtimedwait now (wchan or syscall), or through a signalfd whose mask
 * holds `signo`. Such a process handles the signal; a blocked mask is no
 * fault there.
 */
export function waitsForSignal(snap: Snapshot, signo: number): string | null {
  const w = snap.wchan ?? '';
  if (/sigtimedwait|sigwaitinfo/.test(w)) return `it waits for signals in sigtimedwait (wchan ${w})`;
  const nr = snap.syscall ? Number(snap.syscall.split(' ')[0]) : NaN;
  if (Number.isInteger(nr) && nr === SIGTIMEDWAIT[snap.arch])
    return `it waits for signals in rt_sigtimedwait (syscall ${nr})`;
  const fd = (snap.fds ?? []).find((f) => f.signalMask !== null && hasSignal(f.signalMask, signo));
  if (fd) return `it reads signals from a signalfd (fd ${fd.fd})`;
  return null;
}
