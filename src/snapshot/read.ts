/**
 * Reads one Snapshot: only read* calls, in the order the evidence is
 * recorded. Parsing lives in src/proc/, what is shared across a run in
 * cache.ts. Throws DaemonCheckError for a process that does not exist, is a
 * kernel thread or a zombie; everything else degrades to null facts.
 */
import { isMultiplexer } from '../classify.js';
import { DaemonCheckError, errnoOf, noSuchProcess } from '../errors.js';
import type { HostReader } from '../host/reader.js';
import { CMDLINE_CAP, readCmdline } from '../proc/cmdline.js';
import { ENVIRON_CAP, readEnviron } from '../proc/environ.js';
import { readCgroup, type CgroupEntry } from '../proc/cgroup.js';
import { classifyCgroupPath } from '../proc/cgroup-scope.js';
import { FD_DETAIL_CAP, readFds, type FdEntry } from '../proc/fd.js';
import type { LockEntry } from '../proc/locks.js';
import { readMountinfo } from '../proc/mountinfo.js';
import { netNamespaceOf, readSocketTable, type SocketInfo } from '../proc/net.js';
import type { ProcSource, TargetStat } from '../proc/source.js';
import { isKernelThread, readStat, type ProcStat } from '../proc/stat.js';
import { readStatus, type ProcStatus } from '../proc/status.js';
import { ttyOf } from '../proc/tty.js';
import { newCache, type ScanCache } from './cache.js';
import { Evidence } from './evidence.js';
import { capPeers, findPeers, sharedObjectKeys } from './peers.js';
import { relatedOf, whyNotInTable } from './related.js';
import type { Snapshot } from './types.js';

export interface SnapshotOptions {
  /** Reads outside /proc (user names, the pidfile). Left out for fixture-only tests. */
  host?: HostReader;
  pidfile?: string;
  /** Shared across a run (scan); a single audit makes its own. */
  cache?: ScanCache;
  /**
   * 'table': scan's first pass. Reads status and cmdline and takes everything
   * else from the process table; environ, cgroup, mountinfo, cwd, fds, locks
   * and pipe peers are marked NOTREAD. Enough for the checks whose `needs`
   * the table covers (checks/registry.ts).
   */
  scope?: 'full' | 'table';
}

/** The target's stat; the errors a user gets for a pid that cannot be audited. */
function readTarget(source: ProcSource, pid: number, cache: ScanCache, scope: 'full' | 'table'): ProcStat {
  // scan's first pass judges the table as read; a full audit reads stat afresh.
  let stat = scope === 'table' ? cache.table.get(pid) : undefined;
  if (!stat) {
    try {
      stat = readStat(source, pid);
    } catch (err) {
      const e = errnoOf(err);
      if (e === 'ENOENT' || e === 'ESRCH') throw noSuchProcess(pid, source.root, null);
      if (e === 'EACCES' || e === 'EPERM') {
        throw new DaemonCheckError('ACCESS_DENIED', `cannot read ${pid}/stat under ${source.root || '/proc'} (${e}); run as root or as the process's owner`, { pid, errno: e, cause: err });
      }
      throw new DaemonCheckError('NO_SUCH_PROCESS', `cannot read the stat of pid ${pid} (${e === 'EPARSE' ? 'garbled content' : e}); the process may have exited`, { pid, errno: e, cause: err });
    }
  }
  if (isKernelThread(stat)) {
    throw new DaemonCheckError('KERNEL_THREAD', `pid ${pid} (${stat.comm}) is a kernel thread: it has no user-space daemon setup to audit`, { pid, comm: stat.comm });
  }
  if (stat.state === 'Z') {
    // A zombie has exited: its fds, cwd and environment are gone, there is nothing left to judge.
    throw new DaemonCheckError('ZOMBIE', `pid ${pid} (${stat.comm}) has exited and is a zombie waiting for its parent (${stat.ppid}) to reap it; nothing is left to audit`, { pid, comm: stat.comm });
  }
  return stat;
}

/**
 * Whether this audit needs /proc/locks. fdinfo's "lock:" lines (Linux 4.1;
 * Node 20 itself needs 4.18) already list every lock the process holds through
 * an open file, which is all the checks ask. /proc/locks is the fallback where
 * fd/ or an fdinfo could not be read (docs/proc-notes.md: it costs an RCU
 * grace period, 10-17 ms here).
 */
function needsLockTable(fds: FdEntry[] | null, pidfile: boolean): boolean {
  // Without fd/ the table can only say whether the pidfile is locked; no open file can be matched.
  if (fds === null) return pidfile;
  return fds.some((f) => f.type === 'file' && f.flags === null);
}

function readLocks(ev: Evidence, cache: ScanCache, fds: FdEntry[] | null, pidfile: boolean): LockEntry[] | null {
  if (!needsLockTable(fds, pidfile)) return null;
  const lt = cache.lockTable();
  if (lt.locksErrno) ev.missing('locks', lt.locksErrno);
  ev.limit(lt.locksLimit);
  return lt.locks;
}

/** A small text file of the process that may be refused (wchan, syscall, exe need ptrace access): null then. */
function quietly(f: () => string): string | null {
  try {
    return f().trim();
  } catch {
    return null;
  }
}

/**
 * How it waits (wchan, syscall) and what it runs (exe), read by a full audit
 * only where they can matter, so a scan pays for them only there: how it
 * waits, where a signal is blocked or it is a pid namespace's init
 * (sigtimedwait unblocks the signals it waits for while it waits, so an init
 * like tini can show none blocked); the executable, where argv looks like a
 * rewritten title.
 */
function readWaitFacts(source: ProcSource, pid: number, full: boolean, status: ProcStatus | null, argv: string[] | null): { wchan: string | null; syscall: string | null; exe: string | null } {
  if (!full) return { wchan: null, syscall: null, exe: null };
  const nsInit = status !== null && status.nspid.length > 1 && status.nspid[status.nspid.length - 1] === 1;
  const waits = !status || status.sigBlk !== 0n || nsInit;
  const titled = argv !== null && (argv.slice(1).some((a) => a === '') || (argv.length === 1 && /\s/.test(argv[0]!)));
  return {
    wchan: waits ? quietly(() => source.readText(`${pid}/wchan`, 256)) : null,
    syscall: waits ? quietly(() => source.readText(`${pid}/syscall`, 512)) : null,
    exe: titled ? quietly(() => source.readlink(`${pid}/exe`).toString('utf8')) : null,
  };
}

/** The owner of the login scope the cgroup names (logind's lists name users, not uids). */
function scopeUserOf(cgroup: CgroupEntry[] | null, host: HostReader | undefined): { uid: number; name: string | null } | null {
  for (const c of cgroup ?? []) {
    const u = classifyCgroupPath(c.path.replace(/ \(deleted\)$/, ''));
    if (u.kind === 'login-session' && u.uid !== null) return { uid: u.uid, name: host ? host.userName(u.uid) : null };
  }
  return null;
}

/** Its sockets' entries in its network namespace's tables; only read when it has sockets. */
function readSockets(source: ProcSource, pid: number, cache: ScanCache, fds: FdEntry[] | null): SocketInfo[] | null {
  const inodes = (fds ?? []).filter((f) => f.type === 'socket').map((f) => Number(/\[(\d+)\]/.exec(f.target)?.[1]));
  if (inodes.length === 0) return fds ? [] : null;
  const ns = netNamespaceOf(source, pid) ?? `pid:${pid}`;
  let table = cache.sockets.get(ns);
  if (!table) cache.sockets.set(ns, (table = readSocketTable(source, pid)));
  return inodes.flatMap((i) => table.get(i) ?? []).map((info) => (info.kind === 'unix' && info.name?.startsWith('/') ? { ...info, nameGone: pathGone(source, pid, info.name) } : info));
}

function serverCgroup(source: ProcSource, pid: number): CgroupEntry[] | null {
  try {
    return readCgroup(source, pid);
  } catch {
    return null;
  }
}

/** Whether a path in the process's own root is gone (ENOENT); false when it exists or cannot be told. */
function pathGone(source: ProcSource, pid: number, p: string): boolean {
  try {
    source.statTarget(`${pid}/root${p}`);
    return false;
  } catch (err) {
    return errnoOf(err) === 'ENOENT';
  }
}

function readCwdStat(source: ProcSource, pid: number, cwd: string | null): TargetStat | null {
  if (cwd === null) return null;
  try {
    return source.statTarget(`${pid}/cwd`);
  } catch {
    return null;
  }
}

export function readSnapshot(source: ProcSource, pid: number, opts: SnapshotOptions = {}): Snapshot {
  const cache = opts.cache ?? newCache(source);
  const scope = opts.scope ?? 'full';
  const full = scope === 'full';
  const stat = readTarget(source, pid, cache, scope);
  const ev = new Evidence();
  const status = cache.status.get(pid) ?? ev.read('status', () => readStatus(source, pid));
  const argv = ev.read('cmdline', () => readCmdline(source, pid));
  ev.limit(argv?.truncated === true && `cmdline: longer than ${CMDLINE_CAP} bytes, cut there`);
  const env = full ? ev.read('environ', () => readEnviron(source, pid)) : ev.notRead<never>('environ');
  ev.limit(env?.truncated === true && `environ: larger than ${ENVIRON_CAP} bytes, cut there`);
  const cgroup = full ? ev.read('cgroup', () => readCgroup(source, pid)) : ev.notRead<never>('cgroup');
  const mounts = full ? ev.read('mountinfo', () => readMountinfo(source, pid)) : ev.notRead<never>('mountinfo');
  const cwd = full ? ev.read('cwd', () => source.readlink(`${pid}/cwd`).toString('utf8')) : ev.notRead<string>('cwd');
  const walk = full ? readFds(source, pid, cache.ttyDrivers, mounts) : { fds: ev.notRead<FdEntry[]>('fds'), count: null, truncated: false, errno: null };
  ev.limit(walk.truncated && `fds: ${walk.count} open, the first ${FD_DETAIL_CAP} examined`);
  if (walk.errno) ev.missing('fds', walk.errno);
  const locks = full ? readLocks(ev, cache, walk.fds, !!opts.pidfile) : ev.notRead<LockEntry[]>('locks');

  const table = cache.table;
  if (!table.get(pid)) table.add(stat);
  const parent = stat.ppid > 0 ? relatedOf(source, cache, stat.ppid) : null;
  const tty = ttyOf(stat, cache.ttyDrivers);
  const sessionLeader = stat.session === pid ? { pid, comm: stat.comm, cmdline: argv?.argv ?? null, stat, tty } : stat.session > 0 ? relatedOf(source, cache, stat.session) : null;
  const leaderWhy = stat.session > 0 && !sessionLeader ? whyNotInTable(source, stat.session) : null;
  const sessionLeaderParent = sessionLeader && sessionLeader.stat.ppid > 0 ? relatedOf(source, cache, sessionLeader.stat.ppid) : null;
  if (leaderWhy) ev.missing('sessionLeader', leaderWhy);
  const parentWhy = stat.ppid > 1 && !parent ? whyNotInTable(source, stat.ppid) : null;
  if (parentWhy) ev.missing('parent', parentWhy);
  const ancestors = table.ancestors(pid);
  const self = opts.host?.selfPid() ?? null;
  const peers = findPeers(source, table, pid, sharedObjectKeys(walk.fds), self, cache.peerIndex);
  for (const note of capPeers(peers, new Set(ancestors.map((a) => a.pid)))) ev.limit(note);
  const host = opts.host;
  const uid = status?.uid[0];
  const wait = readWaitFacts(source, pid, full, status, argv?.argv ?? null);
  const serverCg = full && sessionLeaderParent && isMultiplexer(sessionLeaderParent.comm, sessionLeaderParent.cmdline) ? serverCgroup(source, sessionLeaderParent.pid) : null;
  return {
    pid, procRoot: source.root || '/', sourceKind: source.kind, stat, status,
    cmdline: argv?.argv ?? null, environ: env?.env ?? null, cwd, cwdStat: readCwdStat(source, pid, cwd),
    fds: walk.fds, fdCount: walk.count, fdsTruncated: walk.truncated, cgroup, mounts, locks,
    ttyDrivers: cache.ttyDrivers, tty, parent, sessionLeader, sessionLeaderParent, ancestors,
    ancestorLeaders: [...new Set(ancestors.map((a) => a.session))].flatMap((sid) => table.get(sid) ?? []),
    children: table.children(pid), sessionMembers: table.sessionMembers(stat.session, [pid]),
    descendants: [...table.descendants(pid)], peers, unreadable: ev.unreadable, limits: ev.limits,
    userName: uid !== undefined && host ? host.userName(uid) : null,
    auditorUid: host ? host.auditorUid() : null,
    auditorPid: self,
    pidfile: opts.pidfile && host && full ? host.readPidfile(opts.pidfile) : null,
    ...wait,
    arch: host ? host.arch() : process.arch,
    host: host ? host.facts() : null,
    scopeUser: scopeUserOf(cgroup, host),
    multiplexerCgroup: serverCg,
    multiplexerScopeUser: scopeUserOf(serverCg, host),
    initComm: cache.table.get(1)?.comm ?? null,
    sockets: full ? readSockets(source, pid, cache, walk.fds) : null,
  };
}
