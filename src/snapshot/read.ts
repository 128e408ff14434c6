/**
 * Reads one Snapshot by a read plan (plan.ts): only read* calls, in the order
 * the evidence is recorded (each read, with its errors and caches, is in
 * parts.ts), then assembleSnapshot (assemble.ts) makes the Snapshot of their
 * results. Parsing lives in src/proc/, what is shared across a run in
 * cache.ts. Throws DaemonCheckError for a process that does not exist, is a
 * kernel thread or a zombie; everything else degrades to null facts.
 */
import { isMultiplexer } from '../classify.js';
import type { HostReader } from '../host/reader.js';
import { CMDLINE_CAP } from '../proc/cmdline.js';
import { ENVIRON_CAP, readEnviron } from '../proc/environ.js';
import { FD_DETAIL_CAP, readFds, type FdEntry } from '../proc/fd.js';
import type { LockEntry } from '../proc/locks.js';
import type { MountEntry } from '../proc/mountinfo.js';
import type { ProcSource } from '../proc/source.js';
import { readStatus } from '../proc/status.js';
import { ttyOf } from '../proc/tty.js';
import { assembleSnapshot, type Outside, type SnapshotReads } from './assemble.js';
import { newRunCache, type RunCache } from './cache.js';
import { Evidence } from './evidence.js';
import { familyOf, relativesOf, type Relatives } from './family.js';
import {
  cgroupOf,
  cmdlineOf,
  fateFds,
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
import { PLANS, type PlanName, type ReadPlan } from './plan.js';
import { relatedOf, whyNotInTable } from './related.js';
import type { Snapshot } from './types.js';

export interface SnapshotOptions {
  /** Reads outside /proc (user names, the pidfile). Left out for fixture-only tests. */
  host?: HostReader;
  pidfile?: string;
  /** Shared across a run (scan); a single audit makes its own. */
  cache?: RunCache;
  /** Which facts are read, and how (plan.ts); 'audit' unless told. */
  plan?: PlanName;
}

export function readSnapshot(source: ProcSource, pid: number, opts: SnapshotOptions = {}): Snapshot {
  const cache = opts.cache ?? newRunCache(source);
  return assembleSnapshot(readByPlan(source, pid, cache, PLANS[opts.plan ?? 'audit'], opts));
}

const NO_WAIT_FACTS = { wchan: null, syscall: null, exe: null };

/** Every read the plan asks for, in the order their evidence is recorded. */
function readByPlan(
  source: ProcSource,
  pid: number,
  cache: RunCache,
  plan: ReadPlan,
  opts: SnapshotOptions,
): SnapshotReads {
  const full = plan.beyondTable;
  const stat = readTarget(source, pid, cache, plan.stat);
  const ev = new Evidence();
  const status = cache.status.get(pid) ?? ev.read('status', () => readStatus(source, pid));
  const cmdline = ev.read('cmdline', () => cmdlineOf(source, pid, cache, plan.cmdline));
  ev.limit(cmdline?.truncated === true && `cmdline: longer than ${CMDLINE_CAP} bytes, cut there`);
  const environ = full ? ev.read('environ', () => readEnviron(source, pid)) : ev.notRead<never>('environ');
  ev.limit(environ?.truncated === true && `environ: larger than ${ENVIRON_CAP} bytes, cut there`);
  const cgroup = ev.read('cgroup', () => cgroupOf(source, pid, cache, plan.cgroup));
  const { mounts, cwd, walk } = readFiles(source, cache, plan, ev, pid, status);
  ev.limit(walk.truncated && `fds: ${walk.count} open, the first ${FD_DETAIL_CAP} examined`);
  if (walk.errno) ev.missing('fds', walk.errno);
  const locks = full ? readLocks(ev, cache, walk.fds, !!opts.pidfile) : ev.notRead<LockEntry[]>('locks');

  const table = cache.table;
  if (!table.get(pid)) table.add(stat);
  const argv = cmdline?.argv ?? null;
  const lookup = {
    related: (p: number) => relatedOf(source, cache, p),
    whyMissing: (p: number) => whyNotInTable(source, p),
  };
  const relatives = relativesOf(lookup, ev, pid, stat, argv, ttyOf(stat, cache.ttyDrivers));
  const ancestors = table.ancestors(pid);
  const self = opts.host?.selfPid() ?? null;
  const peers = peersOf(source, cache, plan, ev, pid, walk.fds, self, ancestors);
  return {
    pid,
    source,
    ttyDrivers: cache.ttyDrivers,
    stat,
    status,
    cmdline,
    environ,
    cgroup,
    mounts,
    cwd,
    cwdStat: plan.cwdStat ? readCwdStat(source, pid, cwd) : null,
    fds: walk,
    locks,
    relatives,
    // After the peers: tracing a pipe reads the whole table, which finds session members a lazy one misses.
    family: familyOf(table, pid, stat, ancestors),
    peers,
    wait: full || plan.fateFacts ? readWaitFacts(source, pid, status, argv) : NO_WAIT_FACTS,
    sockets: full ? readSockets(source, pid, cache, walk.fds) : null,
    outside: outsideOf(source, cache, opts, plan, self, cgroup, relatives, status),
    evidence: ev,
  };
}

/** The facts beyond the target's /proc files: the host, the auditor, user names, a multiplexer's cgroup, init. */
function outsideOf(
  source: ProcSource,
  cache: RunCache,
  opts: SnapshotOptions,
  plan: ReadPlan,
  self: number | null,
  cgroup: Snapshot['cgroup'],
  { sessionLeaderParent: server, sessionLeader: leader }: Relatives,
  status: Snapshot['status'],
): Outside {
  const host = opts.host;
  const uid = status?.uid[0];
  const full = plan.beyondTable;
  const serverCg =
    (full || plan.fateFacts) && server && isMultiplexer(server.comm, server.cmdline)
      ? serverCgroup(source, server.pid)
      : null;
  return {
    userName: uid !== undefined && host ? host.userName(uid) : null,
    auditorUid: host ? host.auditorUid() : null,
    auditorPid: self,
    pidfile: opts.pidfile && host && full ? host.readPidfile(opts.pidfile) : null,
    arch: host ? host.arch() : process.arch,
    host: host ? host.facts() : null,
    scopeUser: scopeUserOf(cgroup, host),
    multiplexerCgroup: serverCg,
    multiplexerScopeUser: scopeUserOf(serverCg, host),
    initComm: cache.table.get(1)?.comm ?? null,
    shellRc: leaderRc(host, uid, leader),
  };
}

/**
 * The startup-file setting of the session leader's shell, when it is a bash
 * or zsh, for the process's own user (the user whose login it normally is).
 */
function leaderRc(host: HostReader | undefined, uid: number | undefined, leader: Relatives['sessionLeader']) {
  if (!host?.shellRc || uid === undefined || !leader) return null;
  const name = (leader.cmdline?.[0] ?? leader.comm).replace(/^.*\//, '').replace(/^-/, '');
  const shell =
    name === 'bash' || name === 'zsh' ? name : leader.comm === 'bash' || leader.comm === 'zsh' ? leader.comm : null;
  return shell ? host.shellRc(uid, shell) : null;
}

/** The other holders of its pipes and sockets, outside its own ancestry. */
function peersOf(
  source: ProcSource,
  cache: RunCache,
  plan: ReadPlan,
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
    plan.peers === 'index' ? cache.peerIndex : null,
    new Set(ancestors.map((a) => a.pid)),
  );
  for (const note of limits) ev.limit(note);
  return peers;
}

/** The working directory, the fds, and the mount table where one of them needs it (ReadPlan.mountinfo). */
function readFiles(
  source: ProcSource,
  cache: RunCache,
  plan: ReadPlan,
  ev: Evidence,
  pid: number,
  status: Snapshot['status'],
) {
  const full = plan.beyondTable;
  const shared = plan.mountinfo === 'where-needed';
  const readMounts = () => ev.read('mountinfo', () => mountsOf(source, pid, cache, shared));
  let mounts: MountEntry[] | null | undefined =
    !full || plan.mountinfo === 'not-read' ? ev.notRead<never>('mountinfo') : shared ? undefined : readMounts();
  const mountTable = (): MountEntry[] | null => (mounts === undefined ? (mounts = readMounts()) : mounts);
  const cwd = full ? ev.read('cwd', () => source.readlink(`${pid}/cwd`).toString('utf8')) : ev.notRead<string>('cwd');
  const known = plan.fdLinks === 'from-index' ? cache.fdLinks.get(pid) : undefined;
  const walk = full
    ? readFds(source, pid, cache.ttyDrivers, mountTable, plan.stdio === 'lean', known)
    : plan.fateFacts
      ? fateFds(source, pid, cache, status)
      : { fds: ev.notRead<FdEntry[]>('fds'), count: null, truncated: false, errno: null };
  if (mounts === undefined) mounts = cwd !== null && cwd !== '/' ? mountTable() : ev.notRead<never>('mountinfo');
  return { mounts, cwd, walk };
}
