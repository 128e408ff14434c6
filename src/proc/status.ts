/**
 * /proc/PID/status: "Key:\tvalue" lines. Signal masks are hex (bit N-1 is
 * signal N), parsed as BigInt because 64-bit masks do not fit a double.
 * `Umask:` exists since Linux 4.7 and is absent for zombies: null, not 0.
 */
import { ParseError } from '../errors.js';

export interface ProcStatus {
  name: string | null;
  umask: number | null;
  state: string | null;
  uid: number[];
  gid: number[];
  sigBlk: bigint | null;
  sigIgn: bigint | null;
  sigCgt: bigint | null;
  capEff: bigint | null;
  nspid: number[];
}

function hexMask(v: string | undefined): bigint | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (!/^[0-9a-fA-F]{1,32}$/.test(t)) return null;
  return BigInt('0x' + t);
}

function ints(v: string | undefined): number[] {
  if (v === undefined) return [];
  return v
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number)
    .filter((n) => Number.isSafeInteger(n));
}

/** The keys anything here reads; the other ~45 lines of status are skipped unparsed (scan reads thousands). */
const WANTED = new Set(['Name', 'Umask', 'State', 'Uid', 'Gid', 'SigBlk', 'SigIgn', 'SigCgt', 'CapEff', 'NSpid']);

export function parseStatus(text: string): ProcStatus {
  const fields = new Map<string, string>();
  let keyLines = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      keyLines += 1;
      const key = text.slice(start, colon);
      if (WANTED.has(key)) fields.set(key, text.slice(colon + 1, end).replace(/^\s+/, ''));
    }
    start = end + 1;
  }
  if (keyLines === 0) throw new ParseError('status', 'no "Key: value" lines');
  const umaskText = fields.get('Umask');
  let umask: number | null = null;
  if (umaskText !== undefined) {
    if (!/^[0-7]{1,4}$/.test(umaskText.trim())) throw new ParseError('status', 'bad Umask');
    umask = parseInt(umaskText.trim(), 8);
  }
  return {
    name: fields.get('Name') ?? null,
    umask,
    state: fields.get('State')?.trim().charAt(0) ?? null,
    uid: ints(fields.get('Uid')),
    gid: ints(fields.get('Gid')),
    sigBlk: hexMask(fields.get('SigBlk')),
    sigIgn: hexMask(fields.get('SigIgn')),
    sigCgt: hexMask(fields.get('SigCgt')),
    capEff: hexMask(fields.get('CapEff')),
    nspid: ints(fields.get('NSpid')),
  };
}

/** x86/arm numbering (asm-generic); MIPS, Alpha and SPARC differ. */
const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS',
  8: 'SIGFPE', 9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE',
  14: 'SIGALRM', 15: 'SIGTERM', 16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP',
  20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU', 23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ',
  26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO', 30: 'SIGPWR', 31: 'SIGSYS',
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
