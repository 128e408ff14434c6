/**
 * A scan's reads in bulk: the native helper's `scan-read` mode
 * (native/scan-read.c) reads stat, status, cmdline, environ, cgroup, cwd
 * (root and ns/mnt when cwd is not /) and every fd link of every process in
 * one pass, and this ProcSource answers from those bytes. Nothing is
 * interpreted in C: the parsers get exactly the bytes a read of their own
 * would have given, and anything the helper did not read (fdinfo, net
 * tables, mountinfo, a process born after the pass) is read live. Without
 * the helper a scan reads the same files one by one, with the same result
 * (test/live/scan-equality.test.ts compares the two on the same swarms).
 *
 * Why: each open/read/close or readlink from Node costs ~6-8 us on top of
 * the kernel's work, and a scan of 2,000 processes makes ~28,000 of them.
 */
import { lazyBuiltin } from '../core/builtin.js';
import { helperAvailable } from '../core/helper-path.js';
import { ProcReadError } from '../core/errors.js';
import { DEFAULT_READ_CAP, type ProcSource, type TargetStat } from './source.js';

let errnoNames: Map<number, string> | null = null;

/**
 * An errno number as the helper prints it, by name as Node's fs errors give
 * it: the first of two names for one number (EAGAIN, not EWOULDBLOCK;
 * ENOTSUP, not EOPNOTSUPP), as libuv names them. node:os is loaded here, on
 * the first failed read of a scan, not in every audit.
 */
function errnoName(n: number): string {
  if (!errnoNames) {
    errnoNames = new Map();
    for (const [name, v] of Object.entries(lazyBuiltin<typeof import('node:os')>('node:os').constants.errno))
      if (!errnoNames.has(v)) errnoNames.set(v, name);
  }
  return errnoNames.get(n) ?? 'EIO';
}

/** The most bytes the helper keeps of a file (native/protocol.h SCAN_READ_CAP); a caller asking for more reads live. */
const HELPER_READ_CAP = DEFAULT_READ_CAP;

type Entry = Buffer | string; // the bytes read, or the errno name of the failure

interface Pid {
  /** "stat", "cwd", "fd/3", ... */
  entries: Map<string, Entry>;
  /** fd/'s entry names, when it could be listed. */
  fdNames: string[] | null;
  /** The pid directory itself failed (the process left between the listing and the reads). */
  gone: string | null;
}

const NL = 0x0a;

/** Parses the helper's records (see native/scan-read.c for the format). */
export function parseBulk(out: Buffer): { order: string[]; pids: Map<string, Pid> } {
  const order: string[] = [];
  const pids = new Map<string, Pid>();
  let cur: Pid | null = null;
  let at = 0;
  while (at < out.length) {
    const nl = out.indexOf(NL, at);
    if (nl < 0) throw new Error(`scan-read: a record without its newline at byte ${at}`);
    const head = out.toString('latin1', at, nl);
    at = nl + 1;
    const kind = head.charCodeAt(0);
    const sp = head.indexOf(' ', 2);
    const name = sp < 0 ? head.slice(2) : head.slice(2, sp);
    const value = sp < 0 ? '' : head.slice(sp + 1);
    if (kind === 0x70 /* p */) {
      cur = { entries: new Map(), fdNames: null, gone: null };
      pids.set(name, cur);
      order.push(name);
      continue;
    }
    if (!cur) throw new Error('scan-read: a record before the first process');
    if (kind === 0x66 /* f */ || kind === 0x6c /* l */) {
      const len = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
      if (Number.isNaN(len) || at + len > out.length) throw new Error(`scan-read: bad length in '${head}'`);
      cur.entries.set(name, out.subarray(at, at + len));
      if (name.startsWith('fd/')) cur.fdNames?.push(name.slice(3));
      at += len;
    } else if (kind === 0x65 /* e */) {
      const errno = errnoName(Number(value));
      if (name === '*') cur.gone = errno;
      else cur.entries.set(name, errno);
      if (name.startsWith('fd/')) cur.fdNames?.push(name.slice(3));
    } else if (kind === 0x64 /* d */ && name === 'fd') {
      cur.fdNames = [];
    } else {
      throw new Error(`scan-read: unknown record '${head}'`);
    }
  }
  return { order, pids };
}

/**
 * Answers the reads the helper made from its records and passes every other
 * one to `live`. Paths are relative to the proc root, as for any ProcSource.
 */
export class BulkProcSource implements ProcSource {
  readonly kind = 'procfs' as const;
  readonly root: string;
  private readonly order: string[];
  private readonly pids: Map<string, Pid>;

  constructor(
    private readonly live: ProcSource,
    records: Buffer,
  ) {
    this.root = live.root;
    ({ order: this.order, pids: this.pids } = parseBulk(records));
  }

  /** The helper's answer for REL: bytes, an errno name, or undefined when it did not read REL. */
  private lookup(rel: string): Entry | undefined {
    const slash = rel.indexOf('/');
    if (slash <= 0) return undefined;
    const p = this.pids.get(rel.slice(0, slash));
    if (!p) return undefined;
    if (p.gone) return p.gone;
    return p.entries.get(rel.slice(slash + 1));
  }

  private bytes(rel: string, maxBytes: number): Buffer | undefined {
    if (maxBytes > HELPER_READ_CAP) return undefined;
    const e = this.lookup(rel);
    if (e === undefined) return undefined;
    if (typeof e === 'string') throw new ProcReadError(e, rel);
    return e.length > maxBytes ? e.subarray(0, maxBytes) : e;
  }

  readFile(rel: string, maxBytes = HELPER_READ_CAP): Buffer {
    return this.bytes(rel, maxBytes) ?? this.live.readFile(rel, maxBytes);
  }
  readText(rel: string, maxBytes = HELPER_READ_CAP): string {
    const b = this.bytes(rel, maxBytes);
    return b ? b.toString('utf8') : this.live.readText(rel, maxBytes);
  }
  readlink(rel: string): Buffer {
    const e = this.lookup(rel);
    if (e === undefined) return this.live.readlink(rel);
    if (typeof e === 'string') throw new ProcReadError(e, rel);
    return e;
  }
  // Sorted as Node's readdirSync sorts (libuv's scandir, strcmp order): the
  // process table keeps this order, and a pipe's holders are listed in it.
  readdir(rel: string): string[] {
    if (rel === '.') return this.order.slice().sort();
    if (rel.endsWith('/fd')) {
      const p = this.pids.get(rel.slice(0, -3));
      if (p?.gone) throw new ProcReadError(p.gone, rel);
      const failed = p?.entries.get('fd');
      if (typeof failed === 'string') throw new ProcReadError(failed, rel);
      if (p?.fdNames) return p.fdNames.slice().sort();
    }
    return this.live.readdir(rel);
  }
  statTarget(rel: string): TargetStat {
    return this.live.statTarget(rel);
  }
  exists(rel: string): boolean {
    return this.live.exists(rel);
  }
}

/**
 * `source` with a scan's reads done in bulk by the helper, or `source` itself
 * when that is not possible (a capture, no helper, the helper failed): the
 * result is the same either way, only slower.
 */
export function bulkSource(source: ProcSource): ProcSource {
  if (source.kind !== 'procfs') return source;
  const helper = helperAvailable();
  if (!helper.ok) return source;
  // Loaded here: an audit, which never reads in bulk, does not load child_process.
  const { spawnSync } = lazyBuiltin<typeof import('node:child_process')>('node:child_process');
  const r = spawnSync(helper.path, ['scan-read', source.root || '/'], {
    maxBuffer: 2 ** 31 - 1,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (r.error || r.status !== 0 || !r.stdout) return source;
  try {
    return new BulkProcSource(source, r.stdout);
  } catch {
    return source; // a garbled answer: read everything ourselves
  }
}
