/**
 * The only module that touches the file system for an audit. A ProcSource
 * reads either a live procfs or a captured fixture tree (docs/interface.md): plain
 * files, `<name>.link` for symlink targets, `<name>.errno` sidecars for files
 * that could not be read, and `fd/<n>.stat` for what fstat() said of an fd's
 * target. Paths given to it are relative to the root: "1234/stat", "locks".
 */
import {
  type Stats,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  readlinkSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { DaemonCheckError, ProcReadError, errnoOf } from '../core/errors.js';

/** What stat() of an fd's (or cwd's) target said: enough for types, locks and modes. */
export interface TargetStat {
  /** "MAJ:MIN" of the file system holding it, decimal. */
  dev: string;
  ino: number;
  /** st_mode, file type bits included. */
  mode: number;
  /** "MAJ:MIN" of a device node, decimal; "0:0" otherwise. */
  rdev: string;
  uid: number;
  nlink: number;
  /** Bytes, for regular files (a host's empty drop-in masks others). */
  size?: number;
}

export interface ProcSource {
  readonly root: string;
  readonly kind: 'procfs' | 'fixture';
  /** Whole file as bytes; at most `maxBytes` (the rest is dropped, `truncated` set). */
  readFile(rel: string, maxBytes?: number): Buffer;
  readText(rel: string, maxBytes?: number): string;
  /** Symlink target as bytes (paths may be non-UTF-8). */
  readlink(rel: string): Buffer;
  /** Entry names of a directory ("fd" lists "0", "1", ...). */
  readdir(rel: string): string[];
  /** stat() following the link (a real /proc/PID/fd/N reaches even a deleted file). */
  statTarget(rel: string): TargetStat;
  /** Whether `rel` exists at all (a pid directory, say). */
  exists(rel: string): boolean;
}

export const DEFAULT_READ_CAP = 4194304; // 4 MiB = native/protocol.h SCAN_READ_CAP (test/unit/native-protocol.test.ts)

function majMin(dev: number | bigint): string {
  const d = BigInt(dev);
  // glibc's gnu_dev_major/minor: the kernel's dev_t split as userspace sees it.
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

function fail(err: unknown, rel: string): never {
  throw new ProcReadError(errnoOf(err), rel);
}

/**
 * One scratch buffer for every read: most /proc files are a few hundred
 * bytes, and a fresh 64 KiB allocation per file (thousands in a scan) was
 * the biggest source of garbage-collection time.
 */
const SCRATCH = Buffer.allocUnsafe(65536);

/** seq_file iterators that return about a page per read(): read these until EOF. */
const SEQ_ITERATED = /(?:^|\/)(?:locks|mountinfo|mounts|drivers|maps|smaps|net\/[^/]+)$/;

/**
 * Reads up to maxBytes with a single descriptor, until read() returns 0:
 * /proc files report size 0, and seq_file ones (locks, mountinfo, net/*)
 * hand out about a page per read(), so a short read is not the end.
 * `text` decodes straight from the scratch buffer when the file fits in it.
 */
function readCapped(file: string, maxBytes: number, text: true): string;
function readCapped(file: string, maxBytes: number, text: false): Buffer;
function readCapped(file: string, maxBytes: number, text: boolean): Buffer | string {
  const fd = openSync(file, 'r');
  try {
    const room = Math.min(SCRATCH.length, maxBytes);
    // Per-process files (stat, status, cmdline, environ, cgroup, fdinfo) hand out
    // everything that fits in one read(); only the multi-record seq files need
    // more, and an extra read() per file is ~1 us times thousands in a scan.
    const iterated = SEQ_ITERATED.test(file);
    let used = 0;
    for (;;) {
      const n = readSync(fd, SCRATCH, used, room - used, null);
      if (n <= 0) break;
      used += n;
      if (used >= room || !iterated) break;
    }
    // The common case: the whole file fits in the scratch buffer.
    if (used < SCRATCH.length || used >= maxBytes) {
      return text ? SCRATCH.toString('utf8', 0, used) : Buffer.from(SCRATCH.subarray(0, used));
    }
    const chunks: Buffer[] = [Buffer.from(SCRATCH.subarray(0, used))];
    let total = used;
    while (total < maxBytes) {
      const n = readSync(fd, SCRATCH, 0, Math.min(SCRATCH.length, maxBytes - total), null);
      if (n <= 0) break;
      chunks.push(Buffer.from(SCRATCH.subarray(0, n)));
      total += n;
    }
    const all = Buffer.concat(chunks, total);
    return text ? all.toString('utf8') : all;
  } finally {
    closeSync(fd);
  }
}

export class LiveProcSource implements ProcSource {
  readonly kind = 'procfs' as const;
  constructor(readonly root: string) {}

  private abs(rel: string): string {
    return this.root + '/' + rel;
  }
  readFile(rel: string, maxBytes = DEFAULT_READ_CAP): Buffer {
    try {
      return readCapped(this.abs(rel), maxBytes, false);
    } catch (err) {
      fail(err, rel);
    }
  }
  readText(rel: string, maxBytes = DEFAULT_READ_CAP): string {
    try {
      return readCapped(this.abs(rel), maxBytes, true);
    } catch (err) {
      fail(err, rel);
    }
  }
  readlink(rel: string): Buffer {
    try {
      return readlinkSync(this.abs(rel), { encoding: 'buffer' });
    } catch (err) {
      fail(err, rel);
    }
  }
  readdir(rel: string): string[] {
    try {
      return readdirSync(this.abs(rel));
    } catch (err) {
      fail(err, rel);
    }
  }
  statTarget(rel: string): TargetStat {
    try {
      const st = statSync(this.abs(rel), { bigint: true });
      return {
        dev: majMin(st.dev),
        ino: Number(st.ino),
        mode: Number(st.mode),
        rdev: majMin(st.rdev),
        uid: Number(st.uid),
        nlink: Number(st.nlink),
        size: Number(st.size),
      };
    } catch (err) {
      fail(err, rel);
    }
  }
  exists(rel: string): boolean {
    return existsSync(this.abs(rel));
  }
}

/**
 * A captured tree. Every read first looks for `<rel>.errno`, so a capture
 * replays EACCES exactly where the live system said it.
 */
export class FixtureProcSource implements ProcSource {
  readonly kind = 'fixture' as const;
  constructor(readonly root: string) {}

  private abs(rel: string): string {
    return join(this.root, rel);
  }
  private sidecarErrno(rel: string): void {
    // An errno recorded for this file, or for the directory holding it.
    let p = rel;
    for (;;) {
      const f = this.abs(p) + '.errno';
      if (existsSync(f)) {
        const code = readFileSync(f, 'utf8').trim() || 'EIO';
        throw new ProcReadError(code, rel);
      }
      const i = p.lastIndexOf('/');
      if (i <= 0) return;
      p = p.slice(0, i);
    }
  }
  readFile(rel: string, maxBytes = DEFAULT_READ_CAP): Buffer {
    this.sidecarErrno(rel);
    try {
      return readCapped(this.abs(rel), maxBytes, false);
    } catch (err) {
      fail(err, rel);
    }
  }
  readText(rel: string, maxBytes?: number): string {
    return this.readFile(rel, maxBytes).toString('utf8');
  }
  readlink(rel: string): Buffer {
    this.sidecarErrno(rel);
    try {
      const b = readFileSync(this.abs(rel) + '.link');
      // The capture writes the raw target bytes; strip one trailing newline if an editor added it.
      return b.length > 0 && b[b.length - 1] === 0x0a ? b.subarray(0, b.length - 1) : b;
    } catch (err) {
      fail(err, rel);
    }
  }
  readdir(rel: string): string[] {
    this.sidecarErrno(rel);
    let names: string[];
    try {
      names = readdirSync(this.abs(rel));
    } catch (err) {
      fail(err, rel);
    }
    const out = new Set<string>();
    for (const n of names) {
      if (n.endsWith('.errno')) continue;
      if (n.endsWith('.stat')) continue;
      out.add(n.endsWith('.link') ? n.slice(0, -5) : n);
    }
    return [...out];
  }
  statTarget(rel: string): TargetStat {
    this.sidecarErrno(rel + '.stat');
    let text: string;
    try {
      text = readFileSync(this.abs(rel) + '.stat', 'utf8');
    } catch (err) {
      fail(err, rel);
    }
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      return {
        dev: String(j.dev),
        ino: Number(j.ino),
        mode: typeof j.mode === 'string' ? parseInt(j.mode, 8) : Number(j.mode),
        rdev: String(j.rdev ?? '0:0'),
        uid: Number(j.uid ?? 0),
        nlink: Number(j.nlink ?? 1),
        ...(j.size !== undefined ? { size: Number(j.size) } : {}),
      };
    } catch {
      throw new ProcReadError('EPARSE', rel);
    }
  }
  exists(rel: string): boolean {
    return existsSync(this.abs(rel)) || existsSync(this.abs(rel) + '.errno') || existsSync(this.abs(rel) + '.link');
  }
}

/**
 * Opens a proc root. A directory with `meta.json` beside (or above) its pid
 * folders is a capture; anything else is treated as a live procfs. Accepts a
 * capture's top folder as well as its `proc/` folder.
 */
export function openProcSource(root = '/proc'): ProcSource {
  let st: Stats;
  try {
    st = statSync(root);
  } catch {
    throw new DaemonCheckError(
      'PROC_ROOT',
      `proc root ${root} does not exist; pass --proc-root a procfs mount or a folder made by 'daemon-check capture'`,
    );
  }
  if (!st.isDirectory()) {
    throw new DaemonCheckError(
      'PROC_ROOT',
      `proc root ${root} is not a directory; pass --proc-root a procfs mount or a capture folder`,
    );
  }
  const resolved = resolve(root);
  if (existsSync(join(resolved, 'meta.json')) && existsSync(join(resolved, 'proc'))) {
    return new FixtureProcSource(join(resolved, 'proc'));
  }
  if (existsSync(join(resolved, '..', 'meta.json')) || existsSync(join(resolved, 'meta.json'))) {
    return new FixtureProcSource(resolved);
  }
  if (!existsSync(join(resolved, 'self')) && !existsSync(join(resolved, 'stat'))) {
    throw new DaemonCheckError(
      'PROC_ROOT',
      `proc root ${root} is neither a procfs nor a capture (no self/ and no meta.json); pass --proc-root /proc or a folder made by 'daemon-check capture'`,
    );
  }
  return new LiveProcSource(resolved === '/' ? '' : resolved);
}
