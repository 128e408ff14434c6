/**
 * Reads one Snapshot: only read* calls, in the order the evidence is
 * recorded (each read, with its errors and caches, is in parts.ts). Parsing
 * lives in src/proc/, what is shared across a run in
 * cache.ts. Throws DaemonCheckError for a process that does not exist, is a
 * kernel thread or a zombie; everything else degrades to null facts.
 */
import { isMultiplexer } from '../classify.js';
import type { HostReader } from '../host/reader.js';
import { CMDLINE_CAP } from '../proc/cmdline.js';
import { ENVIRON_CAP, readEnviron } from '../proc/environ.js';
import { readCgroup } from '../proc/cgroup.js';
import { FD_DETAIL_CAP, readFds, type FdEntry } from '../proc/fd.js';
import type { LockEntry } from '../proc/locks.js';
import type { MountEntry } from '../proc/mountinfo.js';
import type { ProcSource } from '../proc/source.js';
import { readStatus } from '../proc/status.js';
import { ttyOf } from '../proc/tty.js';
import { newCache, type ScanCache } from './cache.js';
import { Evidence } from './evidence.js';
import {
  cmdlineOf,
  mountsOf,
  readCwdStat,
  readLocks,
  readSockets,
  readTarget,
  readWaitFacts,
  scopeUserOf,
  serverCgroup,
} from './parts.js';
import { findPeers, sharedObjectKeys } from './peers.js';
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

export function readSnapshot(source: ProcSource, pid: number, opts: SnapshotOptions = {}): Snapshot {
  const cache = opts.cache ?? newCache(source);
  const scope = opts.scope ?? 'full';
  const full = scope === 'full';
  const stat = readTarget(source, pid, cache, scope);
  const ev = new Evidence();
  const status = cache.status.get(pid) ?? ev.read('status', () => readStatus(source, pid));
  const argv = ev.read('cmdline', () => cmdlineOf(source, pid, cache));
  ev.limit(argv?.truncated === true && `cmdline: longer than ${CMDLINE_CAP} bytes, cut there`);
  const env = full ? ev.read('environ', () => readEnviron(source, pid)) : ev.notRead<never>('environ');
  ev.limit(env?.truncated === true && `environ: larger than ${ENVIRON_CAP} bytes, cut there`);
  const cgroup = full ? ev.read('cgroup', () => readCgroup(source, pid)) : ev.notRead<never>('cgroup');
  const { mounts, cwd, walk } = readFiles(source, cache, ev, pid, full);
  ev.limit(walk.truncated && `fds: ${walk.count} open, the first ${FD_DETAIL_CAP} examined`);
  if (walk.errno) ev.missing('fds', walk.errno);
  const locks = full ? readLocks(ev, cache, walk.fds, !!opts.pidfile) : ev.notRead<LockEntry[]>('locks');

  const table = cache.table;
  if (!table.get(pid)) table.add(stat);
  const parent = stat.ppid > 0 ? relatedOf(source, cache, stat.ppid) : null;
  const tty = ttyOf(stat, cache.ttyDrivers);
  const { sessionLeader, sessionLeaderParent } = readLeader(source, cache, ev, stat, pid, argv?.argv ?? null, tty);
  const parentWhy = stat.ppid > 1 && !parent ? whyNotInTable(source, stat.ppid) : null;
  if (parentWhy) ev.missing('parent', parentWhy);
  const ancestors = table.ancestors(pid);
  const self = opts.host?.selfPid() ?? null;
  const peers = peersOf(source, cache, ev, pid, walk.fds, self, ancestors);
  const host = opts.host;
  const uid = status?.uid[0];
  const wait = readWaitFacts(source, pid, full, status, argv?.argv ?? null);
  const serverCg =
    full && sessionLeaderParent && isMultiplexer(sessionLeaderParent.comm, sessionLeaderParent.cmdline)
      ? serverCgroup(source, sessionLeaderParent.pid)
      : null;
  return {
    pid,
    procRoot: source.root || '/',
    sourceKind: source.kind,
    stat,
    status,
    cmdline: argv?.argv ?? null,
    environ: env?.env ?? null,
    cwd,
    cwdStat: cache.scan ? null : readCwdStat(source, pid, cwd),
    fds: walk.fds,
    fdCount: walk.count,
    fdsTruncated: walk.truncated,
    cgroup,
    mounts,
    locks,
    ttyDrivers: cache.ttyDrivers,
    tty,
    parent,
    sessionLeader,
    sessionLeaderParent,
    ancestors,
    ancestorLeaders: [...new Set(ancestors.map((a) => a.session))].flatMap((sid) => table.get(sid) ?? []),
    children: table.children(pid),
    sessionMembers: table.sessionMembers(stat.session, [pid]),
    descendants: [...table.descendants(pid)],
    peers,
    unreadable: ev.unreadable,
    limits: ev.limits,
    userName: uid !== undefined && host ? host.userName(uid) : null,
    auditorUid: host ? host.auditorUid() : null,
    auditorPid: self,
    pidfile: opts.pidfile && host && full ? host.readPidfile(opts.pidfile) : null,
    wchan: wait.wchan,
    syscall: wait.syscall,
    exe: wait.exe,
    arch: host ? host.arch() : process.arch,
    host: host ? host.facts() : null,
    scopeUser: scopeUserOf(cgroup, host),
    multiplexerCgroup: serverCg,
    multiplexerScopeUser: scopeUserOf(serverCg, host),
    initComm: cache.table.get(1)?.comm ?? null,
    sockets: full ? readSockets(source, pid, cache, walk.fds) : null,
  };
}

/** The session leader and its parent, as related processes. */
function readLeader(
  source: ProcSource,
  cache: ScanCache,
  ev: Evidence,
  stat: Snapshot['stat'],
  pid: number,
  argv: string[] | null,
  tty: Snapshot['tty'],
): Pick<Snapshot, 'sessionLeader' | 'sessionLeaderParent'> {
  // A zombie leader has exited: nothing reaches it, and it waits only for its
  // reaping (by init, at a moment of init's choosing). It is told as exited, so
  // an audit before the reaping says what one after it says.
  const leaderRead =
    stat.session === pid
      ? { pid, comm: stat.comm, cmdline: argv, stat, tty }
      : stat.session > 0
        ? relatedOf(source, cache, stat.session)
        : null;
  const sessionLeader = leaderRead?.stat.state === 'Z' ? null : leaderRead;
  const leaderWhy = stat.session > 0 && !sessionLeader ? whyNotInTable(source, stat.session) : null;
  const sessionLeaderParent =
    sessionLeader && sessionLeader.stat.ppid > 0 ? relatedOf(source, cache, sessionLeader.stat.ppid) : null;
  if (leaderWhy) ev.missing('sessionLeader', leaderWhy);
  return { sessionLeader, sessionLeaderParent };
}

/** The other holders of its pipes and sockets, outside its own ancestry. */
function peersOf(
  source: ProcSource,
  cache: ScanCache,
  ev: Evidence,
  pid: number,
  fds: FdEntry[] | null,
  self: number | null,
  ancestors: Snapshot['ancestors'],
): Snapshot['peers'] {
  const { peers, limits } = findPeers(
    source,
    cache.table,
    pid,
    sharedObjectKeys(fds),
    self,
    cache.peerIndex,
    new Set(ancestors.map((a) => a.pid)),
  );
  for (const note of limits) ev.limit(note);
  return peers;
}

/** The working directory, the fds, and the mount table where one of them needs it. */
function readFiles(source: ProcSource, cache: ScanCache, ev: Evidence, pid: number, full: boolean) {
  // A scan reads mountinfo only where a check can use it: the mount under a
  // working directory other than /, or the device of a file whose fdinfo names
  // its mnt_id. A scan of 2,000 jobs needs it for none: 4,000 readlinks of
  // ns/mnt and root fewer, 797 -> 780 ms (medians of 21 alternating runs).
  let mounts: MountEntry[] | null | undefined = !full
    ? ev.notRead<never>('mountinfo')
    : cache.scan
      ? undefined
      : ev.read('mountinfo', () => mountsOf(source, pid, cache));
  const mountTable = (): MountEntry[] | null =>
    mounts === undefined ? (mounts = ev.read('mountinfo', () => mountsOf(source, pid, cache))) : mounts;
  const cwd = full ? ev.read('cwd', () => source.readlink(`${pid}/cwd`).toString('utf8')) : ev.notRead<string>('cwd');
  const walk = full
    ? readFds(source, pid, cache.ttyDrivers, mountTable, cache.scan !== null, cache.scan?.links.get(pid))
    : { fds: ev.notRead<FdEntry[]>('fds'), count: null, truncated: false, errno: null };
  if (mounts === undefined) mounts = cwd !== null && cwd !== '/' ? mountTable() : ev.notRead<never>('mountinfo');
  return { mounts, cwd, walk };
}
