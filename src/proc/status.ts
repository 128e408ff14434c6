/**
 * /proc/PID/status: "Key:\tvalue" lines. Signal masks are hex (bit N-1 is
 * signal N), parsed as BigInt because 64-bit masks do not fit a double.
 * `Umask:` exists since Linux 4.7 and is absent for zombies: null, not 0.
 */
import { ParseError } from '../core/errors.js';
import type { ProcSource } from './source.js';

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

/**
 * The init of a pid namespace inside another (a container's pid 1): NSpid
 * lists its pid in each namespace from the outermost in, and the last is 1
 * (pid_namespaces(7)). Takes a Snapshot, or a status as { status }.
 */
export function isNamespaceInit(p: { status: Pick<ProcStatus, 'nspid'> | null }): boolean {
  const ns = p.status?.nspid ?? [];
  return ns.length > 1 && ns[ns.length - 1] === 1;
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
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      keyLines += 1;
      const key = text.slice(start, colon);
      if (WANTED.has(key)) fields.set(key, text.slice(colon + 1, end).trimStart());
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

export function readStatus(source: ProcSource, pid: number): ProcStatus {
  return parseStatus(source.readText(`${pid}/status`, 65536));
}
