/**
 * The reads one snapshot is made of, each with its errors and its caches: the
 * target's stat, the lock table only where fdinfo cannot answer, how it waits
 * for signals, its sockets, the mount table and cmdline a scan shares. read.ts
 * calls them as its read plan (plan.ts) says.
 */
import { DaemonCheckError, errnoOf, noSuchProcess } from '../core/errors.js';
import type { HostReader } from '../host/reader.js';
import { readCmdline } from '../proc/cmdline.js';
import { readCgroup, type CgroupEntry } from '../proc/cgroup.js';
import { classifyCgroupPath } from '../proc/cgroup-scope.js';
import { readFds, type FdEntry, type FdLink, type FdWalk } from '../proc/fd.js';
import type { LockEntry } from '../proc/locks.js';
import { readMountinfo, type MountEntry } from '../proc/mountinfo.js';
import { netNamespaceOf, SocketTable, type SocketInfo } from '../proc/net.js';
import type { ProcSource, TargetStat } from '../proc/source.js';
import { isKernelThread, readStat, type ProcStat } from '../proc/stat.js';
import { isNamespaceInit, type ProcStatus } from '../proc/status.js';
import type { RunCache } from './cache.js';
import type { Evidence } from './evidence.js';
import type { ReadPlan } from './plan.js';

/** The target's stat, as the plan says (ReadPlan.stat); the errors a user gets for a pid that cannot be audited. */
export function readTarget(source: ProcSource, pid: number, cache: RunCache, from: ReadPlan['stat']): ProcStat {
  let stat = from === 'table' ? cache.table.get(pid) : undefined;
  if (!stat) {
    try {
      stat = readStat(source, pid);
    } catch (err) {
      const e = errnoOf(err);
      if (e === 'ENOENT' || e === 'ESRCH') throw noSuchProcess(pid, source.root, null);
      if (e === 'EACCES' || e === 'EPERM') {
        throw new DaemonCheckError(
          'ACCESS_DENIED',
          `cannot read ${pid}/stat under ${source.root || '/proc'} (${e}); run as root or as the process's owner`,
          { pid, errno: e, cause: err },
        );
      }
      throw new DaemonCheckError(
        'NO_SUCH_PROCESS',
        `cannot read the stat of pid ${pid} (${e === 'EPARSE' ? 'garbled content' : e}); the process may have exited`,
        { pid, errno: e, cause: err },
      );
    }
  }
  if (isKernelThread(stat)) {
    throw new DaemonCheckError(
      'KERNEL_THREAD',
      `pid ${pid} (${stat.comm}) is a kernel thread: it has no user-space daemon setup to audit`,
      { pid, comm: stat.comm },
    );
  }
  if (stat.state === 'Z') {
    // A zombie has exited: its fds, cwd and environment are gone, there is nothing left to judge.
    throw new DaemonCheckError(
      'ZOMBIE',
      `pid ${pid} (${stat.comm}) has exited and is a zombie waiting for its parent (${stat.ppid}) to reap it; nothing is left to audit`,
      { pid, comm: stat.comm },
    );
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
export function needsLockTable(fds: FdEntry[] | null, pidfile: boolean): boolean {
  // Without fd/ the table can only say whether the pidfile is locked; no open file can be matched.
  if (fds === null) return pidfile;
  return fds.some((f) => f.type === 'file' && f.flags === null);
}

export function readLocks(ev: Evidence, cache: RunCache, fds: FdEntry[] | null, pidfile: boolean): LockEntry[] | null {
  if (!needsLockTable(fds, pidfile)) return null;
  const lt = cache.lockTable();
  if (lt.locksErrno) ev.missing('locks', lt.locksErrno);
  ev.limit(lt.locksLimit);
  return lt.locks;
}

export interface WaitFacts {
  wchan: string | null;
  syscall: string | null;
  exe: string | null;
}

/** A small text file of the process that may be refused (wchan, syscall, exe need ptrace access): null then. */
export function quietly(f: () => string): string | null {
  try {
    return f().trim();
  } catch {
    return null;
  }
}

/**
 * How it waits (wchan, syscall) and what it runs (exe), read (by the plans
 * that read beyond the table) only where they can matter, so a scan pays for them only there: how it
 * waits, where a signal is blocked or it is a pid namespace's init
 * (sigtimedwait unblocks the signals it waits for while it waits, so an init
 * like tini can show none blocked); the executable, where argv looks like a
 * rewritten title.
 */
export function readWaitFacts(
  source: ProcSource,
  pid: number,
  status: ProcStatus | null,
  argv: string[] | null,
): WaitFacts {
  const waits = !status || status.sigBlk !== 0n || isNamespaceInit({ status });
  const titled = argv !== null && (argv.slice(1).some((a) => a === '') || (argv.length === 1 && /\s/.test(argv[0]!)));
  return {
    wchan: waits ? quietly(() => source.readText(`${pid}/wchan`, 256)) : null,
    syscall: waits ? quietly(() => source.readText(`${pid}/syscall`, 512)) : null,
    exe: titled ? quietly(() => source.readlink(`${pid}/exe`).toString('utf8')) : null,
  };
}

/** The owner of the login scope the cgroup names (logind's lists name users, not uids). */
export function scopeUserOf(
  cgroup: CgroupEntry[] | null,
  host: HostReader | undefined,
): { uid: number; name: string | null } | null {
  for (const c of cgroup ?? []) {
    const u = classifyCgroupPath(c.path.replace(/ \(deleted\)$/, ''));
    if (u.kind === 'login-session' && u.uid !== null) return { uid: u.uid, name: host ? host.userName(u.uid) : null };
  }
  return null;
}

/** Its sockets' entries in its network namespace's tables; only read when it has sockets. */
export function readSockets(
  source: ProcSource,
  pid: number,
  cache: RunCache,
  fds: FdEntry[] | null,
): SocketInfo[] | null {
  const inodes = (fds ?? []).filter((f) => f.type === 'socket').map((f) => Number(/\[(\d+)\]/.exec(f.target)?.[1]));
  if (inodes.length === 0) return fds ? [] : null;
  const ns = netNamespaceOf(source, pid) ?? `pid:${pid}`;
  let table = cache.sockets.get(ns);
  if (!table) cache.sockets.set(ns, (table = new SocketTable(source, pid)));
  return inodes
    .flatMap((i) => table.get(i) ?? [])
    .map((info) =>
      info.kind === 'unix' && info.name?.startsWith('/')
        ? { ...info, nameGone: pathGone(source, pid, info.name) }
        : info,
    );
}

export function serverCgroup(source: ProcSource, pid: number): CgroupEntry[] | null {
  try {
    return readCgroup(source, pid);
  } catch {
    return null;
  }
}

/** cmdline; read once per run where the plan says so (a scan's table pass and full pass both want it). */
export function cmdlineOf(
  source: ProcSource,
  pid: number,
  cache: RunCache,
  how: ReadPlan['cmdline'],
): ReturnType<typeof readCmdline> {
  if (how === 'read') return readCmdline(source, pid);
  const known = cache.cmdlines.get(pid);
  if (known) return known;
  const argv = readCmdline(source, pid);
  cache.cmdlines.set(pid, argv);
  return argv;
}

/** cgroup; read once per run where the plan says so, as cmdline. */
export function cgroupOf(source: ProcSource, pid: number, cache: RunCache, how: ReadPlan['cgroup']): CgroupEntry[] {
  if (how === 'read') return readCgroup(source, pid);
  const known = cache.cgroups.get(pid);
  if (known) return known;
  const cg = readCgroup(source, pid);
  cache.cgroups.set(pid, cg);
  return cg;
}

/**
 * The fds the fate needs of a process judged from the table (ReadPlan.fateFacts):
 * every fd where it blocks a signal (a signalfd takes it), else fds 0-2 (a
 * terminal on stdio), their links from the run's holder index where it read
 * them. count is null for fds 0-2 alone: the others were not looked at.
 * Where fd/ cannot be read, fds is null with the errno, as the full walk says.
 */
export function fateFds(source: ProcSource, pid: number, cache: RunCache, status: ProcStatus | null): FdWalk {
  const known = cache.fdLinks.get(pid);
  if (!status || status.sigBlk !== 0n) return readFds(source, pid, cache.ttyDrivers, () => null, true, known);
  const links: FdLink[] = [];
  if (known) links.push(...known.filter((l) => l.fd <= 2));
  else {
    for (const fd of [0, 1, 2]) {
      try {
        links.push({ fd, target: source.readlink(`${pid}/fd/${fd}`).toString('utf8') });
      } catch (err) {
        // A closed fd has no link; anything else (EACCES) hides fd/ as the audit's walk finds it.
        const e = errnoOf(err);
        if (e !== 'ENOENT') return { fds: null, count: null, truncated: false, errno: e };
      }
    }
  }
  return { ...readFds(source, pid, cache.ttyDrivers, () => null, true, links), count: null };
}

/** mountinfo; where `shared`, shared by the processes of a run that see the same mount namespace from the same root. */
export function mountsOf(source: ProcSource, pid: number, cache: RunCache, shared: boolean): MountEntry[] {
  if (!shared) return readMountinfo(source, pid);
  let key: string;
  try {
    key = `${source.readlink(`${pid}/ns/mnt`).toString('utf8')} ${source.readlink(`${pid}/root`).toString('utf8')}`;
  } catch {
    return readMountinfo(source, pid);
  }
  let mounts = cache.mounts.get(key);
  if (!mounts) cache.mounts.set(key, (mounts = readMountinfo(source, pid)));
  return mounts;
}

/** Whether a path in the process's own root is gone (ENOENT); false when it exists or cannot be told. */
export function pathGone(source: ProcSource, pid: number, p: string): boolean {
  try {
    source.statTarget(`${pid}/root${p}`);
    return false;
  } catch (err) {
    return errnoOf(err) === 'ENOENT';
  }
}

export function readCwdStat(source: ProcSource, pid: number, cwd: string | null): TargetStat | null {
  if (cwd === null) return null;
  try {
    return source.statTarget(`${pid}/cwd`);
  } catch {
    return null;
  }
}
