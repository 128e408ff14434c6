/**
 * Terminal devices: decoding stat's tty_nr and naming devices through
 * /proc/tty/drivers ("pty_slave /dev/pts 136 0-1048575 pty:slave").
 */
import type { ProcSource } from './source.js';
import type { ProcStat } from './stat.js';

export interface TtyDriver {
  name: string;
  path: string;
  major: number;
  minorFirst: number;
  minorLast: number;
  type: string;
}

export function parseTtyDrivers(text: string): TtyDriver[] {
  const out: TtyDriver[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const major = Number(f[2]);
    const range = f[3]!.split('-');
    const first = Number(range[0]);
    const last = range.length > 1 ? Number(range[1]) : first;
    if (![major, first, last].every(Number.isSafeInteger)) continue;
    out.push({ name: f[0]!, path: f[1]!, major, minorFirst: first, minorLast: last, type: f.slice(4).join(' ') });
  }
  return out;
}

/** tty_nr -> major:minor, as proc(5) and the kernel's new_encode_dev() define it. */
export function decodeTtyNr(ttyNr: number): { major: number; minor: number } {
  return { major: (ttyNr >> 8) & 0xfff, minor: (ttyNr & 0xff) | ((ttyNr >>> 12) & 0xfff00) };
}

export const DEFAULT_TTY_DRIVERS: TtyDriver[] = parseTtyDrivers(
  [
    '/dev/tty             /dev/tty        5       0 system:/dev/tty',
    '/dev/console         /dev/console    5       1 system:console',
    '/dev/ptmx            /dev/ptmx       5       2 system',
    'serial               /dev/ttyS       4 64-95 serial',
    'pty_slave            /dev/pts      136 0-1048575 pty:slave',
    'pty_master           /dev/ptm      128 0-1048575 pty:master',
    'unknown              /dev/tty        4 1-63 console',
  ].join('\n'),
);

export function findTtyDriver(drivers: TtyDriver[], major: number, minor: number): TtyDriver | undefined {
  return drivers.find((d) => d.major === major && minor >= d.minorFirst && minor <= d.minorLast);
}

/** A name for the device, as ps and procps-ng would print it; "136:300" when no driver matches. */
export function ttyName(drivers: TtyDriver[], major: number, minor: number): string {
  const d = findTtyDriver(drivers, major, minor);
  if (!d) return `${major}:${minor}`;
  if (d.minorFirst === d.minorLast) return d.path;
  if (d.path === '/dev/pts' || d.type.startsWith('pty:slave')) return `${d.path}/${minor}`;
  // Virtual consoles are numbered by minor (/dev/tty1 is 4:1); others from the range start (/dev/ttyS0 is 4:64).
  const n = d.minorFirst <= 1 ? minor : minor - d.minorFirst;
  return `${d.path}${n}`;
}

/** Whether a character device is a terminal a process could be talking to (not a pty master). */
export function isTerminalDevice(drivers: TtyDriver[], major: number, minor: number): boolean {
  const d = findTtyDriver(drivers, major, minor);
  if (!d) return false;
  if (d.type.includes('pty:master') || d.path === '/dev/ptmx') return false;
  return true;
}

/** The host's tty drivers; the built-in table when /proc/tty/drivers is unreadable or empty. */
export function readTtyDrivers(source: ProcSource): TtyDriver[] {
  try {
    const d = parseTtyDrivers(source.readText('tty/drivers', 65536));
    if (d.length) return d;
  } catch {
    /* the built-in table names the usual devices */
  }
  return DEFAULT_TTY_DRIVERS;
}

/** The controlling terminal's name, null when tty_nr is 0. */
export function ttyOf(stat: ProcStat, drivers: TtyDriver[]): string | null {
  if (stat.ttyNr === 0) return null;
  const { major, minor } = decodeTtyNr(stat.ttyNr);
  return ttyName(drivers, major, minor);
}
