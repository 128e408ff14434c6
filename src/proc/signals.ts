/**
 * Signal numbers and the masks of /proc/PID/status (SigBlk, SigIgn, SigCgt):
 * hex, bit N-1 is signal N (docs/proc-notes.md).
 */

/** x86/arm numbering (asm-generic); MIPS, Alpha and SPARC differ. */
const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  16: 'SIGSTKFLT',
  17: 'SIGCHLD',
  18: 'SIGCONT',
  19: 'SIGSTOP',
  20: 'SIGTSTP',
  21: 'SIGTTIN',
  22: 'SIGTTOU',
  23: 'SIGURG',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
  26: 'SIGVTALRM',
  27: 'SIGPROF',
  28: 'SIGWINCH',
  29: 'SIGIO',
  30: 'SIGPWR',
  31: 'SIGSYS',
};

export const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

export function signalName(n: number): string {
  if (SIGNAL_NAMES[n]) return SIGNAL_NAMES[n]!;
  if (n >= 34 && n <= 64) return n === 34 ? 'SIGRTMIN' : n === 64 ? 'SIGRTMAX' : `SIGRTMIN+${n - 34}`;
  return `SIG${n}`;
}

export function hasSignal(mask: bigint, signo: number): boolean {
  return ((mask >> BigInt(signo - 1)) & 1n) === 1n;
}

export function signalList(mask: bigint | null): string[] {
  if (mask === null || mask === 0n) return [];
  const out: string[] = [];
  // Two 32-bit halves as plain numbers: 64 BigInt shifts per mask showed up in scan's profile.
  const halves = [Number(mask & 0xffffffffn), Number((mask >> 32n) & 0xffffffffn)];
  for (let h = 0; h < 2; h++) {
    const bits = halves[h]!;
    if (bits === 0) continue;
    for (let b = 0; b < 32; b++) if ((bits >>> b) & 1) out.push(signalName(h * 32 + b + 1));
  }
  return out;
}
