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

export interface BulkRecords {
  /** The pids in the order their records came (any order: the workers' batches interleave). */
  order: string[];
  pids: Map<string, Pid>;
}

/**
 * Parses the helper's records (see native/scan-read.c for the format) as
 * they arrive, in chunks cut anywhere: a scan parses while the helper is
 * still reading, on the other core. Each entry is a view of the chunk that
 * held it whole.
 */
export class BulkParser {
  private readonly records: BulkRecords = { order: [], pids: new Map() };
  private cur: Pid | null = null;
  /** Bytes received and not parsed yet: the start of an unfinished record. */
  private parts: Buffer[] = [];
  private have = 0;
  /** How many bytes the unfinished record needs before parsing is worth trying again. */
  private need = 0;

  push(chunk: Buffer): void {
    this.parts.push(chunk);
    this.have += chunk.length;
    if (this.have < this.need) return;
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.have);
    const at = this.parse(buf);
    this.parts = at < buf.length ? [buf.subarray(at)] : [];
    this.have = buf.length - at;
  }

  /** The records, once the helper's output has ended; throws if it ended inside one. */
  end(): BulkRecords {
    if (this.have > 0) throw new Error(`scan-read: the output ended inside a record (${this.have} bytes left)`);
    return this.records;
  }

  /** Parses every whole record of `out`; returns where the first unfinished one starts. */
  private parse(out: Buffer): number {
    const { order, pids } = this.records;
    let at = 0;
    while (at < out.length) {
      const nl = out.indexOf(NL, at);
      if (nl < 0) {
        this.need = out.length - at + 1;
        return at;
      }
      const head = out.toString('latin1', at, nl);
      const kind = head.charCodeAt(0);
      const sp = head.indexOf(' ', 2);
      const name = sp < 0 ? head.slice(2) : head.slice(2, sp);
      const value = sp < 0 ? '' : head.slice(sp + 1);
      if (kind === 0x70 /* p */) {
        this.cur = { entries: new Map(), fdNames: null, gone: null };
        pids.set(name, this.cur);
        order.push(name);
        at = nl + 1;
        continue;
      }
      const cur = this.cur;
      if (!cur) throw new Error('scan-read: a record before the first process');
      if (kind === 0x66 /* f */ || kind === 0x6c /* l */) {
        const len = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
        if (Number.isNaN(len)) throw new Error(`scan-read: bad length in '${head}'`);
        if (nl + 1 + len > out.length) {
          this.need = nl + 1 + len - at;
          return at;
        }
        cur.entries.set(name, out.subarray(nl + 1, nl + 1 + len));
        if (name.startsWith('fd/')) cur.fdNames?.push(name.slice(3));
        at = nl + 1 + len;
        continue;
      }
      if (kind === 0x65 /* e */) {
        const errno = errnoName(Number(value));
        if (name === '*') cur.gone = errno;
        else cur.entries.set(name, errno);
        if (name.startsWith('fd/')) cur.fdNames?.push(name.slice(3));
      } else if (kind === 0x64 /* d */ && name === 'fd') {
        cur.fdNames = [];
      } else {
        throw new Error(`scan-read: unknown record '${head}'`);
      }
      at = nl + 1;
    }
    this.need = 0;
    return at;
  }
}

/** Parses the helper's whole output at once. */
export function parseBulk(out: Buffer): BulkRecords {
  const parser = new BulkParser();
  parser.push(out);
  return parser.end();
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

  /** `records`: the helper's output, parsed (BulkParser, parseBulk). */
  constructor(
    private readonly live: ProcSource,
    records: BulkRecords,
  ) {
    this.root = live.root;
    ({ order: this.order, pids: this.pids } = records);
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
 * result is the same either way, only slower. The helper's records are
 * parsed as they come, while it reads the rest.
 */
export function bulkSource(source: ProcSource): Promise<ProcSource> {
  if (source.kind !== 'procfs') return Promise.resolve(source);
  const helper = helperAvailable();
  if (!helper.ok) return Promise.resolve(source);
  // Loaded here: an audit, which never reads in bulk, does not load child_process.
  const { spawn } = lazyBuiltin<typeof import('node:child_process')>('node:child_process');
  return new Promise((resolve) => {
    const parser = new BulkParser();
    let garbled = false;
    const child = spawn(helper.path, ['scan-read', source.root || '/'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('error', () => (garbled = true));
    child.stdout.on('data', (chunk: Buffer) => {
      if (garbled) return;
      try {
        parser.push(chunk);
      } catch {
        garbled = true; // read everything ourselves
      }
    });
    child.on('error', () => resolve(source));
    child.on('close', (code) => {
      if (garbled || code !== 0) return resolve(source);
      try {
        resolve(new BulkProcSource(source, parser.end()));
      } catch {
        resolve(source); // cut short: read everything ourselves
      }
    });
  });
}
