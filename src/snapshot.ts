/**
 * Everything one audit needs, read once through a ProcSource and returned as
 * plain data. Checks only ever see a Snapshot. A fact that could not be read
 * is null, and `unreadable` says why (errno), so the checks that need it
 * report `unknown` instead of guessing.
 */
import { DaemonCheckError, ProcReadError, errnoOf } from './errors.js';
import type { ProcSource, TargetStat } from './proc/source.js';
import { parseStat, isKernelThread, type ProcStat } from './proc/stat.js';
import { parseStatus, type ProcStatus } from './proc/status.js';
import { parseLocks, parseLockLine, type LockEntry } from './proc/locks.js';
import { DEFAULT_TTY_DRIVERS, decodeTtyNr, isTerminalDevice, parseTtyDrivers, ttyName, type TtyDriver } from './proc/tty.js';
import { parseMountinfo, mountFor, type MountEntry } from './proc/mountinfo.js';
import { parseCmdline, parseEnviron, parseCgroup, parseFdinfo, O_CLOEXEC, type CgroupEntry } from './proc/misc.js';
import { ProcessTable } from './proc/table.js';

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
  /** "pipe:[123]" / "socket:[456]": the key other holders of the same object share. */
  objectKey: string | null;
}

export interface RelatedProcess {
  pid: number;
  comm: string;
  cmdline: string[] | null;
  stat: ProcStat;
  tty: string | null;
}

export interface PeerHolder {
  pid: number;
  comm: string;
  fds: number[];
  ttyNr: number;
  session: number;
}

export interface PidfileFacts {
  path: string;
  /** Raw content (first 64 bytes), null when the file could not be read. */
  content: string | null;
  pid: number | null;
  readError: string | null;
  dev: string | null;
  ino: number | null;
  mode: number | null;
  uid: number | null;
  isSymlink: boolean;
}

export interface Snapshot {
  pid: number;
  procRoot: string;
  sourceKind: 'procfs' | 'fixture';
  stat: ProcStat;
  status: ProcStatus | null;
  cmdline: string[] | null;
  environ: Map<string, string> | null;
  cwd: string | null;
  cwdStat: TargetStat | null;
  fds: FdEntry[] | null;
  /** How many fds the process has in all; fds lists at most FD_DETAIL_CAP of them. */
  fdCount: number | null;
  fdsTruncated: boolean;
  cgroup: CgroupEntry[] | null;
  mounts: MountEntry[] | null;
  locks: LockEntry[] | null;
  ttyDrivers: TtyDriver[];
  /** Controlling terminal's name, null when tty_nr is 0. */
  tty: string | null;
  parent: RelatedProcess | null;
  sessionLeader: RelatedProcess | null;
  ancestors: ProcStat[];
  /** The leaders of the ancestors' sessions (is an orphaned master still a job of a login?). */
  ancestorLeaders: ProcStat[];
  children: ProcStat[];
  sessionMembers: ProcStat[];
  /** Descendants of the process (pid set), for "inside its own tree". */
  descendants: number[];
  /** For each pipe/socket the process holds: the other processes holding the same object. */
  peers: Record<string, PeerHolder[]>;
  /** Fact name -> errno for every fact that could not be read. */
  unreadable: Record<string, string>;
  /** Notes on capped reads ("fds: 100000 open, 4096 examined"). */
  limits: string[];
  userName: string | null;
  auditorUid: number | null;
  hidepid: string | null;
  pidfile: PidfileFacts | null;
}

export interface SnapshotOptions {
  /** Reads outside /proc (user names, the pidfile). Left out for fixture-only tests. */
  host?: HostReader;
  pidfile?: string;
  /** Pre-read table (scan reads it once for every process). */
  table?: ProcessTable;
  /** Pre-read /proc/locks and tty/drivers, shared by scan. */
  shared?: SharedFacts;
  /** Audit a zombie anyway (its rows come out unknown); the CLI refuses them. */
  allowZombie?: boolean;
  /** Skip the whole-table pipe peer search. */
  skipPeers?: boolean;
  /** Holders of every pipe/socket/FIFO, indexed once for a whole scan (built on first use). */
  peerIndex?: () => Map<string, PeerHolder[]>;
  /**
   * 'table': scan's first pass. Reads status and cmdline and takes everything
   * else from the process table; environ, cgroup, mountinfo, cwd, fds, locks
   * and pipe peers are marked NOTREAD. Enough for the checks the table decides
   * (detached-parent, own-session, no-controlling-tty).
   */
  scope?: 'full' | 'table';
  /** status as the caller already read it (scan's user filter). */
  status?: ProcStatus | null;
  /** Parents and session leaders read once per run (scan: thousands share a few). */
  relatedCache?: Map<number, RelatedProcess | null>;
}

/** The "errno" of evidence a table-scope snapshot did not read. */
export const NOT_READ = 'NOTREAD';

export interface LockTable {
  locks: LockEntry[] | null;
  locksErrno: string | null;
  /** Set when /proc/locks was larger than what is read. */
  locksLimit: string | null;
}

export interface SharedFacts {
  ttyDrivers: TtyDriver[];
  /** /proc/locks, read on the first call only (see needsLockTable). */
  lockTable(): LockTable;
}

/** File-system reads that are not /proc: the pidfile and user names. */
export interface HostReader {
  userName(uid: number): string | null;
  readPidfile(path: string): PidfileFacts;
  auditorUid(): number | null;
  /** The auditing process itself: it may share a leaked pipe it inherited, which is not evidence. */
  selfPid(): number | null;
}

export const FD_DETAIL_CAP = 4096;
export const ENVIRON_CAP = 1024 * 1024;
export const CMDLINE_CAP = 256 * 1024;
export const LOCKS_CAP = 8 * 1024 * 1024;
export const PEER_CAP = 32;
export const LOCKS_LINE_CAP = 100_000;

function tryRead<T>(unreadable: Record<string, string>, name: string, f: () => T): T | null {
  try {
    return f();
  } catch (err) {
    unreadable[name] = err instanceof ProcReadError ? err.errno : err instanceof Error && err.name === 'ParseError' ? 'EPARSE' : errnoOf(err);
    return null;
  }
}

export function readStatOf(source: ProcSource, pid: number): ProcStat {
  try {
    return parseStat(source.readText(`${pid}/stat`, 4096));
  } catch (err) {
    const e = errnoOf(err);
    if (e === 'ENOENT' || e === 'ESRCH') {
      throw new DaemonCheckError('NO_SUCH_PROCESS', `no process with pid ${pid} (under ${source.root || '/'}); check the pid with 'ps -p ${pid}'`);
    }
    if (e === 'EACCES' || e === 'EPERM') {
      throw new DaemonCheckError('ACCESS_DENIED', `cannot read ${pid}/stat under ${source.root || '/'} (${e}); run as root or as the process's owner`);
    }
    throw new DaemonCheckError('NO_SUCH_PROCESS', `cannot read the stat of pid ${pid} (${e === 'EPARSE' || (err as Error).name === 'ParseError' ? 'garbled content' : e}); the process may have exited`);
  }
}

function readLockTable(source: ProcSource): LockTable {
  try {
    const text = source.readText('locks', LOCKS_CAP);
    const parsed = parseLocks(text, LOCKS_LINE_CAP);
    const limit = parsed.truncated || text.length >= LOCKS_CAP;
    return {
      locks: parsed.locks,
      locksErrno: null,
      locksLimit: limit ? `/proc/locks: only the first ${parsed.locks.length} locks read (fdinfo "lock:" lines still show this process's own)` : null,
    };
  } catch (err) {
    return { locks: null, locksErrno: errnoOf(err), locksLimit: null };
  }
}

export function readShared(source: ProcSource): SharedFacts {
  let ttyDrivers = DEFAULT_TTY_DRIVERS;
  try {
    const d = parseTtyDrivers(source.readText('tty/drivers', 65536));
    if (d.length) ttyDrivers = d;
  } catch {
    /* the built-in table names the usual devices */
  }
  let table: LockTable | null = null;
  return { ttyDrivers, lockTable: () => (table ??= readLockTable(source)) };
}

/**
 * Whether this audit needs /proc/locks. fdinfo's "lock:" lines (Linux 4.1;
 * Node 20 itself needs 4.18) already list every lock the process holds through
 * an open file, which is all the checks ask. /proc/locks is only the fallback
 * where fd/ or an fdinfo could not be read, because reading it is not cheap:
 * the kernel takes file_rwsem for writing (percpu_down_write), which waits for
 * an RCU grace period, measured here at 10 to 17 ms: more than all the rest
 * of an audit's reads together.
 */
function needsLockTable(fds: FdEntry[] | null, pidfile: boolean): boolean {
  // Without fd/ the table can only say whether the pidfile is locked; no open file can be matched.
  if (fds === null) return pidfile;
  return fds.some((f) => f.type === 'file' && f.flags === null);
}

function parseDev(majmin: string): { major: number; minor: number } | null {
  const m = /^(\d+):(\d+)$/.exec(majmin);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

const S_IFMT = 0o170000;
function typeFromMode(mode: number): FdType {
  switch (mode & S_IFMT) {
    case 0o020000: return 'char';
    case 0o060000: return 'block';
    case 0o100000: return 'file';
    case 0o040000: return 'dir';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    default: return 'unknown';
  }
}

/** Guesses for a path when stat() was not possible (fixture without .stat, EACCES). */
function terminalByPath(p: string): boolean {
  return /^\/dev\/(pts\/\d+|tty\d*|ttyS\d+|ttyUSB\d+|ttyAMA\d+|console)$/.test(p);
}

function readFds(source: ProcSource, pid: number, drivers: TtyDriver[], mounts: MountEntry[] | null, unreadable: Record<string, string>, limits: string[]): { fds: FdEntry[] | null; count: number | null; truncated: boolean } {
  let names: string[];
  try {
    names = source.readdir(`${pid}/fd`);
  } catch (err) {
    unreadable.fds = errnoOf(err);
    return { fds: null, count: null, truncated: false };
  }
  // Only canonical decimal names: Number() also takes "03", "0x1", " 4" and "" (a bare ".link"), listing an fd twice.
  const nums = names.filter((n) => /^(0|[1-9]\d*)$/.test(n)).map(Number).filter((n) => Number.isSafeInteger(n)).sort((a, b) => a - b);
  const count = nums.length;
  const truncated = count > FD_DETAIL_CAP;
  if (truncated) limits.push(`fds: ${count} open, the first ${FD_DETAIL_CAP} examined`);
  const fds: FdEntry[] = [];
  let mountById: Map<number, MountEntry> | null = null;
  for (const fd of truncated ? nums.slice(0, FD_DETAIL_CAP) : nums) {
    let target: string;
    try {
      target = source.readlink(`${pid}/fd/${fd}`).toString('utf8');
    } catch (err) {
      const e = errnoOf(err);
      if (e === 'ENOENT') continue; // closed between readdir and readlink
      unreadable.fds = e;
      return { fds: null, count, truncated };
    }
    const entry: FdEntry = {
      fd, target, type: 'unknown', cloexec: null, flags: null, deleted: false, terminal: false,
      dev: null, ino: null, mode: null, uid: null, locks: [], objectKey: null,
    };
    if (target.startsWith('pipe:[')) {
      entry.type = 'pipe';
      entry.objectKey = target;
    } else if (target.startsWith('socket:[')) {
      entry.type = 'socket';
      entry.objectKey = target;
    } else if (target.startsWith('anon_inode:')) {
      entry.type = 'anon';
    } else if (target.startsWith('/')) {
      entry.deleted = target.endsWith(' (deleted)');
      try {
        const st = source.statTarget(`${pid}/fd/${fd}`);
        entry.type = typeFromMode(st.mode);
        entry.dev = st.dev;
        entry.ino = st.ino;
        entry.mode = st.mode;
        entry.uid = st.uid;
        if (entry.type === 'char') {
          const d = parseDev(st.rdev);
          entry.terminal = d ? isTerminalDevice(drivers, d.major, d.minor) : terminalByPath(target);
        }
        // A named pipe shows its path in every holder's fd/ link.
        if (entry.type === 'fifo') entry.objectKey = target;
      } catch {
        entry.type = target.startsWith('/dev/') ? 'char' : 'file';
        entry.terminal = terminalByPath(target);
      }
    }
    try {
      const info = parseFdinfo(source.readText(`${pid}/fdinfo/${fd}`, 65536));
      entry.flags = info.flags;
      entry.cloexec = info.flags === null ? null : (info.flags & O_CLOEXEC) !== 0;
      for (const l of info.locks) {
        try {
          entry.locks.push(parseLockLine(l));
        } catch {
          /* an odd lock line: the /proc/locks match below still applies */
        }
      }
      // dev:ino without stat(): fdinfo's mnt_id names the mount, mountinfo its device.
      if (entry.ino === null && info.ino !== null && info.mntId !== null && mounts && entry.type !== 'pipe' && entry.type !== 'socket') {
        mountById ??= new Map(mounts.map((m) => [m.id, m]));
        const m = mountById.get(info.mntId);
        if (m) {
          entry.dev = m.dev;
          entry.ino = info.ino;
        }
      }
    } catch {
      /* fdinfo can vanish with the fd; flags stay unknown */
    }
    fds.push(entry);
  }
  return { fds, count, truncated };
}

function related(source: ProcSource, table: ProcessTable, pid: number, drivers: TtyDriver[]): RelatedProcess | null {
  const stat = table.get(pid);
  if (!stat) return null;
  let cmdline: string[] | null = null;
  try {
    cmdline = parseCmdline(source.readFile(`${pid}/cmdline`, 8192));
  } catch {
    cmdline = null;
  }
  return { pid, comm: stat.comm, cmdline, stat, tty: ttyOf(stat, drivers) };
}

/** Why a pid is not in the table: null when it has exited (ENOENT/ESRCH), else the errno (EPARSE for garbage, EACCES, ...). */
function whyNotInTable(source: ProcSource, pid: number): string | null {
  try {
    return parseStat(source.readText(`${pid}/stat`, 4096)).pid === pid ? null : 'EPARSE';
  } catch (err) {
    const e = err instanceof ProcReadError ? err.errno : err instanceof Error && err.name === 'ParseError' ? 'EPARSE' : errnoOf(err);
    return e === 'ENOENT' || e === 'ESRCH' ? null : e;
  }
}

export function ttyOf(stat: ProcStat, drivers: TtyDriver[]): string | null {
  if (stat.ttyNr === 0) return null;
  const { major, minor } = decodeTtyNr(stat.ttyNr);
  return ttyName(drivers, major, minor);
}

/**
 * One pass over every other process's fd/: the processes holding each link
 * target that `wanted` accepts. Used for one audit's pipes and sockets, and
 * by scan to index every process's at once.
 */
export function holdersByTarget(source: ProcSource, table: ProcessTable, skip: (st: ProcStat) => boolean, wanted: (target: string) => boolean): Map<string, PeerHolder[]> {
  const index = new Map<string, PeerHolder[]>();
  for (const st of table.byPid.values()) {
    // Kernel threads have no fds; a zombie's are closed.
    if (st.state === 'Z' || isKernelThread(st) || skip(st)) continue;
    let names: string[];
    try {
      names = source.readdir(`${st.pid}/fd`);
    } catch {
      continue;
    }
    let mine: Map<string, number[]> | null = null;
    for (const n of names) {
      let t: string;
      try {
        t = source.readlink(`${st.pid}/fd/${n}`).toString('utf8');
      } catch (err) {
        // ENOENT: that fd closed meanwhile. EACCES/EPERM (ptrace rules) holds for
        // every fd of the process, and each throw costs ~10 us: stop at the first.
        if (err instanceof ProcReadError && err.errno !== 'ENOENT') break;
        continue;
      }
      if (!wanted(t)) continue;
      mine ??= new Map();
      const list = mine.get(t);
      if (list) list.push(Number(n));
      else mine.set(t, [Number(n)]);
    }
    if (!mine) continue;
    for (const [key, fds] of mine) {
      const holder: PeerHolder = { pid: st.pid, comm: st.comm, fds: fds.sort((a, b) => a - b), ttyNr: st.ttyNr, session: st.session };
      const list = index.get(key);
      if (list) list.push(holder);
      else index.set(key, [holder]);
    }
  }
  return index;
}

/** Other processes holding the same pipe/socket/FIFO objects as this one. */
function findPeers(source: ProcSource, table: ProcessTable, pid: number, keys: Set<string>, self: number | null): Record<string, PeerHolder[]> {
  const peers: Record<string, PeerHolder[]> = {};
  if (keys.size === 0) return peers;
  const found = holdersByTarget(source, table, (st) => st.pid === pid || st.pid === self, (t) => keys.has(t));
  for (const k of keys) peers[k] = found.get(k) ?? [];
  return peers;
}

/** The hidepid= option of the procfs this source reads, from a mountinfo; null when none. */
export function hidepidOf(source: ProcSource, mounts: MountEntry[] | null): string | null {
  let hidepid: string | null = null;
  for (const m of mounts ?? []) {
    if (m.fsType === 'proc' && (source.root === '' || source.root.endsWith(m.mountPoint) || m.mountPoint === '/proc')) {
      const opt = m.superOptions.split(',').find((o) => o.startsWith('hidepid='));
      if (opt && opt !== 'hidepid=0' && opt !== 'hidepid=off') hidepid = opt;
    }
  }
  return hidepid;
}

/**
 * Reads one Snapshot. Throws DaemonCheckError for a process that does not
 * exist or is a kernel thread; everything else degrades to null facts.
 */
export function readSnapshot(source: ProcSource, pid: number, opts: SnapshotOptions = {}): Snapshot {
  // scan's first pass judges the table as read; a full audit reads stat afresh.
  const stat = (opts.scope === 'table' ? opts.table?.get(pid) : undefined) ?? readStatOf(source, pid);
  if (isKernelThread(stat)) {
    throw new DaemonCheckError('KERNEL_THREAD', `pid ${pid} (${stat.comm}) is a kernel thread: it has no user-space daemon setup to audit`);
  }
  if (stat.state === 'Z' && !opts.allowZombie) {
    // A zombie has exited: its fds, cwd and environment are gone, there is nothing left to judge.
    throw new DaemonCheckError('ZOMBIE', `pid ${pid} (${stat.comm}) has exited and is a zombie waiting for its parent (${stat.ppid}) to reap it; nothing is left to audit`);
  }
  const unreadable: Record<string, string> = {};
  const limits: string[] = [];
  const shared = opts.shared ?? readShared(source);
  const drivers = shared.ttyDrivers;

  const full = opts.scope !== 'table';
  const notRead = <T>(fact: string): T | null => {
    unreadable[fact] = NOT_READ;
    return null;
  };
  const status =
    opts.status !== undefined
      ? opts.status ?? notRead<ProcStatus>('status')
      : tryRead(unreadable, 'status', () => parseStatus(source.readText(`${pid}/status`, 65536)));
  const cmdline = tryRead(unreadable, 'cmdline', () => {
    const buf = source.readFile(`${pid}/cmdline`, CMDLINE_CAP);
    if (buf.length >= CMDLINE_CAP) limits.push(`cmdline: longer than ${CMDLINE_CAP} bytes, cut there`);
    return parseCmdline(buf);
  });
  const environ = !full ? notRead<Map<string, string>>('environ') : tryRead(unreadable, 'environ', () => {
    const buf = source.readFile(`${pid}/environ`, ENVIRON_CAP);
    if (buf.length >= ENVIRON_CAP) limits.push(`environ: larger than ${ENVIRON_CAP} bytes, cut there`);
    return parseEnviron(buf);
  });
  const cgroup = !full ? notRead<CgroupEntry[]>('cgroup') : tryRead(unreadable, 'cgroup', () => parseCgroup(source.readText(`${pid}/cgroup`, 65536)));
  const mounts = !full ? notRead<MountEntry[]>('mountinfo') : tryRead(unreadable, 'mountinfo', () => parseMountinfo(source.readText(`${pid}/mountinfo`)));
  let cwd = !full ? notRead<string>('cwd') : tryRead(unreadable, 'cwd', () => source.readlink(`${pid}/cwd`).toString('utf8'));
  let cwdStat: TargetStat | null = null;
  if (cwd !== null) {
    try {
      cwdStat = source.statTarget(`${pid}/cwd`);
    } catch {
      cwdStat = null;
    }
  }
  if (cwd === null && stat.state === 'Z') unreadable.cwd = 'ENOENT';
  const { fds, count, truncated } = full ? readFds(source, pid, drivers, mounts, unreadable, limits) : { fds: notRead<FdEntry[]>('fds'), count: null, truncated: false };
  let locks: LockEntry[] | null = null;
  if (!full) notRead('locks');
  else if (needsLockTable(fds, !!opts.pidfile)) {
    const lt = shared.lockTable();
    locks = lt.locks;
    if (lt.locksErrno) unreadable.locks = lt.locksErrno;
    if (lt.locksLimit) limits.push(lt.locksLimit);
  }
  if (stat.state === 'Z') {
    // A zombie's fd/ is empty and its cwd gone: that is absence of evidence, not a clean bill.
    unreadable.fds = 'ENOENT';
    cwd = null;
  }

  const table = opts.table ?? ProcessTable.read(source);
  if (!table.get(pid)) table.add(stat);
  const cache = opts.relatedCache;
  const relatedOf = (p: number): RelatedProcess | null => {
    if (!cache) return related(source, table, p, drivers);
    if (!cache.has(p)) cache.set(p, related(source, table, p, drivers));
    return cache.get(p)!;
  };
  const parent = stat.ppid > 0 ? relatedOf(stat.ppid) : null;
  const sessionLeader = stat.session > 0 ? (stat.session === pid ? { pid, comm: stat.comm, cmdline, stat, tty: ttyOf(stat, drivers) } : relatedOf(stat.session)) : null;
  if (stat.session > 0 && !sessionLeader) {
    // "Leader gone" is evidence (the double fork's signature) only when it has exited, not when its stat is unreadable.
    const why = whyNotInTable(source, stat.session);
    if (why) unreadable.sessionLeader = why;
  }
  const descendants = table.descendants(pid);

  const keys = new Set<string>();
  for (const f of fds ?? []) if (f.objectKey && (f.type === 'pipe' || f.type === 'socket' || f.type === 'fifo')) keys.add(f.objectKey);
  const self = opts.host?.selfPid() ?? null;
  let peers: Record<string, PeerHolder[]> = {};
  if (opts.peerIndex && keys.size > 0) {
    const index = opts.peerIndex();
    for (const k of keys) peers[k] = (index.get(k) ?? []).filter((h) => h.pid !== pid && h.pid !== self);
  } else if (!opts.skipPeers && !opts.peerIndex) {
    peers = findPeers(source, table, pid, keys, self);
  }
  const ancestors = table.ancestors(pid);
  const ancestorPids = new Set(ancestors.map((a) => a.pid));
  for (const k of Object.keys(peers)) {
    const all = peers[k]!;
    if (all.length <= PEER_CAP) continue;
    // Thousands of holders (a pipe leaked into a whole fleet) would make every
    // row quadratic: keep the ones that matter (ancestors, terminal holders), then the first others.
    const keep = all.filter((h) => ancestorPids.has(h.pid) || h.ttyNr !== 0).slice(0, PEER_CAP);
    for (const h of all) {
      if (keep.length >= PEER_CAP) break;
      if (!keep.includes(h)) keep.push(h);
    }
    peers[k] = keep;
    limits.push(`${k}: held by ${all.length} other processes, ${keep.length} examined`);
  }

  const hidepid = hidepidOf(source, mounts);

  const uid = status?.uid[0];
  const host = opts.host;
  return {
    pid,
    procRoot: source.root || '/',
    sourceKind: source.kind,
    stat,
    status,
    cmdline,
    environ,
    cwd,
    cwdStat,
    fds,
    fdCount: count,
    fdsTruncated: truncated,
    cgroup,
    mounts,
    locks,
    ttyDrivers: drivers,
    tty: ttyOf(stat, drivers),
    parent,
    sessionLeader,
    ancestors,
    ancestorLeaders: [...new Set(ancestors.map((a) => a.session))].flatMap((sid) => table.get(sid) ?? []),
    children: table.children(pid),
    sessionMembers: table.sessionMembers(stat.session),
    descendants: [...descendants],
    peers,
    unreadable,
    limits,
    userName: uid !== undefined && host ? host.userName(uid) : null,
    auditorUid: host ? host.auditorUid() : null,
    hidepid,
    pidfile: opts.pidfile && host && full ? host.readPidfile(opts.pidfile) : null,
  };
}

/** The mount a path lives on, re-exported for checks. */
export { mountFor };
