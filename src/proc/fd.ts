/**
 * The fd walk: /proc/PID/fd/N links, stat() of their targets, and fdinfo
 * (flags, lock lines). readlink gives a path (maybe ending in " (deleted)"),
 * "pipe:[ino]", "socket:[ino]" or "anon_inode:[...]" (docs/proc-notes.md).
 */
import { errnoOf } from '../core/errors.js';
import { O_CLOEXEC, readFdinfo, type FdInfo } from './fdinfo.js';
import { parseLockLine, type LockEntry } from './locks.js';
import type { MountEntry } from './mountinfo.js';
import type { ProcSource } from './source.js';
import { isTerminalDevice, type TtyDriver } from './tty.js';

export type FdType = 'char' | 'block' | 'file' | 'dir' | 'fifo' | 'pipe' | 'socket' | 'anon' | 'unknown';

export interface FdEntry {
  fd: number;
  /** The link target as the kernel gave it ("/dev/null", "pipe:[123]", "/var/log/x (deleted)"). */
  target: string;
  type: FdType;
  /** From fdinfo flags; null when fdinfo could not be read. */
  cloexec: boolean | null;
  flags: number | null;
  deleted: boolean;
  /** A terminal device (pty slave, console, serial line, /dev/tty). */
  terminal: boolean;
  dev: string | null;
  ino: number | null;
  mode: number | null;
  uid: number | null;
  /** Locks held through this fd (fdinfo "lock:" lines). */
  locks: LockEntry[];
  /** "pipe:[123]" / "socket:[456]" / a FIFO's path: the key other holders of the same object share. */
  objectKey: string | null;
  /** For a signalfd: the signals it reads (fdinfo sigmask). */
  signalMask: bigint | null;
}

/**
 * At most this many fds are examined one by one; the count is still exact.
 * The native helper's scan-read reads the fdinfo of as many (native/protocol.h
 * FD_DETAIL_CAP, checked to agree by test/unit/native-protocol.test.ts).
 */
export const FD_DETAIL_CAP = 4096;

/**
 * Stdio (fd 0 to maxFd) on /dev/null, a pipe or a socket: a scan needs neither
 * its stat nor its fdinfo, and scan-read reads neither (native/protocol.h
 * PLAIN_STDIO_*, checked to agree by test/unit/native-protocol.test.ts).
 */
export const PLAIN_STDIO = { maxFd: 2, nullTarget: '/dev/null', prefixes: ['pipe:[', 'socket:['] } as const;

export interface FdWalk {
  fds: FdEntry[] | null;
  /** How many fds the process has in all. */
  count: number | null;
  truncated: boolean;
  /** Why fd/ could not be read, when fds is null. */
  errno: string | null;
}

const S_IFMT = 0o170000;
const TYPE_BY_MODE: Record<number, FdType> = {
  0o020000: 'char',
  0o060000: 'block',
  0o100000: 'file',
  0o040000: 'dir',
  0o010000: 'fifo',
  0o140000: 'socket',
};

function parseDev(majmin: string): { major: number; minor: number } | null {
  const m = /^(\d+):(\d+)$/.exec(majmin);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** Guesses for a path when stat() was not possible (a capture without .stat, EACCES). */
function terminalByPath(p: string): boolean {
  return /^\/dev\/(pts\/\d+|tty\d*|ttyS\d+|ttyUSB\d+|ttyAMA\d+|console)$/.test(p);
}

/** Canonical decimal fd names only: Number() also takes "03", "0x1", " 4" and "" (a bare ".link"), listing an fd twice. */
function fdNumbers(names: string[]): number[] {
  return names
    .filter((n) => /^(0|[1-9]\d*)$/.test(n))
    .map(Number)
    .filter((n) => Number.isSafeInteger(n))
    .sort((a, b) => a - b);
}

function blankEntry(fd: number, target: string): FdEntry {
  return {
    fd,
    target,
    type: 'unknown',
    cloexec: null,
    flags: null,
    deleted: false,
    terminal: false,
    dev: null,
    ino: null,
    mode: null,
    uid: null,
    locks: [],
    objectKey: null,
    signalMask: null,
  };
}

/** Type, device and identity of a path target, from stat() through the fd link. */
function describePath(source: ProcSource, rel: string, entry: FdEntry, drivers: TtyDriver[]): void {
  entry.deleted = entry.target.endsWith(' (deleted)');
  try {
    const st = source.statTarget(rel);
    entry.type = TYPE_BY_MODE[st.mode & S_IFMT] ?? 'unknown';
    entry.dev = st.dev;
    entry.ino = st.ino;
    entry.mode = st.mode;
    entry.uid = st.uid;
    if (entry.type === 'char') {
      const d = parseDev(st.rdev);
      entry.terminal = d ? isTerminalDevice(drivers, d.major, d.minor) : terminalByPath(entry.target);
    }
    // A named pipe shows its path in every holder's fd/ link.
    if (entry.type === 'fifo') entry.objectKey = entry.target;
  } catch {
    entry.type = entry.target.startsWith('/dev/') ? 'char' : 'file';
    entry.terminal = terminalByPath(entry.target);
  }
}

function describeTarget(source: ProcSource, rel: string, entry: FdEntry, drivers: TtyDriver[]): void {
  const t = entry.target;
  if (t.startsWith('pipe:[')) {
    entry.type = 'pipe';
    entry.objectKey = t;
  } else if (t.startsWith('socket:[')) {
    entry.type = 'socket';
    entry.objectKey = t;
  } else if (t.startsWith('anon_inode:')) {
    entry.type = 'anon';
  } else if (t.startsWith('/')) {
    describePath(source, rel, entry, drivers);
  }
}

/** Flags, lock lines, and dev:ino without stat() (fdinfo's mnt_id names the mount, mountinfo its device). */
function applyFdinfo(info: FdInfo, entry: FdEntry, mountById: () => Map<number, MountEntry> | null): void {
  entry.flags = info.flags;
  entry.cloexec = info.flags === null ? null : (info.flags & O_CLOEXEC) !== 0;
  entry.signalMask = info.sigmask;
  for (const l of info.locks) {
    try {
      entry.locks.push(parseLockLine(l));
    } catch {
      /* an odd lock line: the /proc/locks match still applies */
    }
  }
  if (
    entry.ino === null &&
    info.ino !== null &&
    info.mntId !== null &&
    entry.type !== 'pipe' &&
    entry.type !== 'socket'
  ) {
    const m = mountById()?.get(info.mntId);
    if (m) {
      entry.dev = m.dev;
      entry.ino = info.ino;
    }
  }
}

/** stdio on /dev/null, a pipe or a socket: a scan needs neither its stat nor its fdinfo (see ReadPlan.stdio). */
function plainStdio(fd: number, target: string): boolean {
  return (
    fd <= PLAIN_STDIO.maxFd &&
    (target === PLAIN_STDIO.nullTarget || PLAIN_STDIO.prefixes.some((p) => target.startsWith(p)))
  );
}

/** One fd link as read: its number and target. */
export interface FdLink {
  fd: number;
  target: string;
}

/** The mounts by id, asked for (and mountinfo read) only when an fdinfo's mnt_id must be resolved. */
function mountIndex(mounts: () => MountEntry[] | null): () => Map<number, MountEntry> | null {
  let byId: Map<number, MountEntry> | null = null;
  return () => {
    if (byId) return byId;
    const list = mounts();
    return list ? (byId = new Map(list.map((m) => [m.id, m]))) : null;
  };
}

/**
 * Every open fd of PID, the first FD_DETAIL_CAP examined in full.
 * `mounts`: the mount table, called only for an fd whose device fdinfo's
 * mnt_id names; `skipPlainStdio`: a scan's reading, which neither stats nor
 * reads the fdinfo of stdio on /dev/null, a pipe or a socket (plainStdio);
 * `known`: the process's fd links already read this run (a scan's holder
 * index), used instead of walking fd/ again.
 */
export function readFds(
  source: ProcSource,
  pid: number,
  drivers: TtyDriver[],
  mounts: () => MountEntry[] | null,
  skipPlainStdio = false,
  known?: FdLink[],
): FdWalk {
  if (known) return describeKnown(source, pid, drivers, mounts, skipPlainStdio, known);
  let names: string[];
  try {
    names = source.readdir(`${pid}/fd`);
  } catch (err) {
    return { fds: null, count: null, truncated: false, errno: errnoOf(err) };
  }
  const nums = fdNumbers(names);
  const truncated = nums.length > FD_DETAIL_CAP;
  const mountById = mountIndex(mounts);
  const fds: FdEntry[] = [];
  for (const fd of truncated ? nums.slice(0, FD_DETAIL_CAP) : nums) {
    const rel = `${pid}/fd/${fd}`;
    let target: string;
    try {
      target = source.readlink(rel).toString('utf8');
    } catch (err) {
      const e = errnoOf(err);
      if (e === 'ENOENT') continue; // closed between readdir and readlink
      return { fds: null, count: nums.length, truncated, errno: e };
    }
    fds.push(describeFd(source, pid, fd, target, drivers, mountById, skipPlainStdio));
  }
  return { fds, count: nums.length, truncated, errno: null };
}

function describeFd(
  source: ProcSource,
  pid: number,
  fd: number,
  target: string,
  drivers: TtyDriver[],
  mountById: () => Map<number, MountEntry> | null,
  skipPlainStdio: boolean,
): FdEntry {
  const rel = `${pid}/fd/${fd}`;
  const entry = blankEntry(fd, target);
  if (skipPlainStdio && plainStdio(fd, target)) {
    // /dev/null is the null device (1:3) in any sane mount namespace: a char device, no terminal.
    if (target === '/dev/null') entry.type = 'char';
    else describeTarget(source, rel, entry, drivers);
    return entry;
  }
  describeTarget(source, rel, entry, drivers);
  try {
    applyFdinfo(readFdinfo(source, pid, fd), entry, mountById);
  } catch {
    /* fdinfo can vanish with the fd; flags stay unknown */
  }
  return entry;
}

function describeKnown(
  source: ProcSource,
  pid: number,
  drivers: TtyDriver[],
  mounts: () => MountEntry[] | null,
  skipPlainStdio: boolean,
  known: FdLink[],
): FdWalk {
  const truncated = known.length > FD_DETAIL_CAP;
  const mountById = mountIndex(mounts);
  const fds = (truncated ? known.slice(0, FD_DETAIL_CAP) : known).map((l) =>
    describeFd(source, pid, l.fd, l.target, drivers, mountById, skipPlainStdio),
  );
  return { fds, count: known.length, truncated, errno: null };
}
