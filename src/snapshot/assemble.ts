/**
 * A Snapshot from what its reads gave: plain data in, plain data out, no I/O.
 * read.ts reads by a plan and hands the results here; a test can build the
 * reads itself (test/helpers/fate.ts) and get the Snapshot an audit would.
 */
import type { CgroupEntry } from '../proc/cgroup.js';
import type { FdWalk } from '../proc/fd.js';
import type { LockEntry } from '../proc/locks.js';
import type { MountEntry } from '../proc/mountinfo.js';
import type { SocketInfo } from '../proc/net.js';
import type { ProcSource, TargetStat } from '../proc/source.js';
import type { ProcStat } from '../proc/stat.js';
import type { ProcStatus } from '../proc/status.js';
import { ttyOf, type TtyDriver } from '../proc/tty.js';
import type { Family, Relatives } from './family.js';
import type { WaitFacts } from './parts.js';
import type { Snapshot } from './types.js';

/** What is known beyond the target's own /proc files: the host, the auditor, user names, a multiplexer's cgroup. */
export type Outside = Pick<
  Snapshot,
  | 'userName'
  | 'auditorUid'
  | 'auditorPid'
  | 'pidfile'
  | 'arch'
  | 'host'
  | 'scopeUser'
  | 'multiplexerCgroup'
  | 'multiplexerScopeUser'
  | 'initComm'
  | 'shellRc'
>;

/** The results of one snapshot's reads, as read; a fact that could not be read (or was not) is null. */
export interface SnapshotReads {
  pid: number;
  source: Pick<ProcSource, 'root' | 'kind'>;
  ttyDrivers: TtyDriver[];
  stat: ProcStat;
  status: ProcStatus | null;
  cmdline: { argv: string[]; truncated: boolean } | null;
  environ: { env: Map<string, string>; truncated: boolean } | null;
  cgroup: CgroupEntry[] | null;
  mounts: MountEntry[] | null;
  cwd: string | null;
  cwdStat: TargetStat | null;
  fds: Omit<FdWalk, 'errno'>;
  locks: LockEntry[] | null;
  relatives: Relatives;
  family: Family;
  peers: Snapshot['peers'];
  wait: WaitFacts;
  sockets: SocketInfo[] | null;
  outside: Outside;
  /** Why facts could not be read (errno by fact), and where reads were capped. */
  evidence: { unreadable: Record<string, string>; limits: string[] };
}

export function assembleSnapshot(r: SnapshotReads): Snapshot {
  // Every field listed, no spread: a scan assembles thousands of these (see judge() in audit.ts).
  const { stat, relatives, family, outside } = r;
  return {
    pid: r.pid,
    procRoot: r.source.root || '/',
    sourceKind: r.source.kind,
    stat,
    status: r.status,
    cmdline: r.cmdline?.argv ?? null,
    environ: r.environ?.env ?? null,
    cwd: r.cwd,
    cwdStat: r.cwdStat,
    fds: r.fds.fds,
    fdCount: r.fds.count,
    fdsTruncated: r.fds.truncated,
    cgroup: r.cgroup,
    mounts: r.mounts,
    locks: r.locks,
    ttyDrivers: r.ttyDrivers,
    tty: ttyOf(stat, r.ttyDrivers),
    parent: relatives.parent,
    sessionLeader: relatives.sessionLeader,
    sessionLeaderParent: relatives.sessionLeaderParent,
    ancestors: family.ancestors,
    ancestorLeaders: family.ancestorLeaders,
    children: family.children,
    sessionMembers: family.sessionMembers,
    descendants: family.descendants,
    peers: r.peers,
    unreadable: r.evidence.unreadable,
    limits: r.evidence.limits,
    userName: outside.userName,
    auditorUid: outside.auditorUid,
    auditorPid: outside.auditorPid,
    pidfile: outside.pidfile,
    wchan: r.wait.wchan,
    syscall: r.wait.syscall,
    exe: r.wait.exe,
    arch: outside.arch,
    host: outside.host,
    scopeUser: outside.scopeUser,
    multiplexerCgroup: outside.multiplexerCgroup,
    multiplexerScopeUser: outside.multiplexerScopeUser,
    initComm: outside.initComm,
    sockets: r.sockets,
    shellRc: outside.shellRc ?? null,
  };
}
