/**
 * /proc/PID/status: "Key:\tvalue" lines. Signal masks are hex (bit N-1 is
 * signal N), parsed as BigInt because 64-bit masks do not fit a double.
 * `Umask:` exists since Linux 4.7 and is absent for zombies: null, not 0.
 */
import { ParseError } from '../core/errors.js';
import type { ProcSource } from './source.js';
import { isJsSpace } from './stat.js';

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

// Parsed without Map, split or regular expressions: a scan parses thousands
// of these (docs/performance.md has the figures). Results and errors are
// those of the split/regex form (test/unit/parsers-rewrite.test.ts compares
// the two on real and mutated files).

function hexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function hexMask(v: string | undefined): bigint | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t.length < 1 || t.length > 32) return null;
  for (let i = 0; i < t.length; i++) if (!hexDigit(t.charCodeAt(i))) return null;
  return BigInt('0x' + t);
}

/** The whitespace-separated integers of V that are safe integers. */
function ints(v: string | undefined): number[] {
  const out: number[] = [];
  if (v === undefined) return out;
  const n = v.length;
  for (let i = 0; i < n;) {
    while (i < n && isJsSpace(v.charCodeAt(i))) i++;
    if (i >= n) break;
    const from = i;
    while (i < n && !isJsSpace(v.charCodeAt(i))) i++;
    const x = Number(v.slice(from, i));
    if (Number.isSafeInteger(x)) out.push(x);
  }
  return out;
}

function octalUmask(text: string): number {
  const t = text.trim();
  let ok = t.length >= 1 && t.length <= 4;
  for (let i = 0; ok && i < t.length; i++) ok = t.charCodeAt(i) >= 0x30 && t.charCodeAt(i) <= 0x37;
  if (!ok) throw new ParseError('status', 'bad Umask');
  return parseInt(t, 8);
}

/** The values of the keys anything here reads; the other ~45 lines of status are skipped unparsed. */
interface Wanted {
  Name?: string;
  Umask?: string;
  State?: string;
  Uid?: string;
  Gid?: string;
  SigBlk?: string;
  SigIgn?: string;
  SigCgt?: string;
  CapEff?: string;
  NSpid?: string;
}

/** Keeps VALUE when KEY is wanted (keys of 3 to 6 characters: only those are sliced). */
function keep(f: Wanted, text: string, start: number, colon: number, end: number): void {
  const len = colon - start;
  if (len < 3 || len > 6) return;
  const key = text.slice(start, colon);
  switch (key) {
    case 'Name':
    case 'Umask':
    case 'State':
    case 'Uid':
    case 'Gid':
    case 'SigBlk':
    case 'SigIgn':
    case 'SigCgt':
    case 'CapEff':
    case 'NSpid':
      f[key] = text.slice(colon + 1, end).trimStart();
  }
}

export function parseStatus(text: string): ProcStatus {
  const f: Wanted = {};
  let keyLines = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      keyLines += 1;
      keep(f, text, start, colon, end);
    }
    start = end + 1;
  }
  if (keyLines === 0) throw new ParseError('status', 'no "Key: value" lines');
  return {
    name: f.Name ?? null,
    umask: f.Umask !== undefined ? octalUmask(f.Umask) : null,
    state: f.State?.trim().charAt(0) ?? null,
    uid: ints(f.Uid),
    gid: ints(f.Gid),
    sigBlk: hexMask(f.SigBlk),
    sigIgn: hexMask(f.SigIgn),
    sigCgt: hexMask(f.SigCgt),
    capEff: hexMask(f.CapEff),
    nspid: ints(f.NSpid),
  };
}

export function readStatus(source: ProcSource, pid: number): ProcStatus {
  return parseStatus(source.readText(`${pid}/status`, 65536));
}
