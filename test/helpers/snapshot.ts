/**
 * makeSnapshot(partial): a Snapshot built in memory, for testing checks, the
 * profile and the diagnosis one fact at a time. The default is a textbook
 * double-forked daemon (ppid 1, session leader gone, no terminal, fds 0-2 on
 * /dev/null, umask 0, cwd /); a test overrides only what it is about.
 */
import type { ProcStat } from '../../src/proc/stat.js';
import type { ProcStatus } from '../../src/proc/status.js';
import type { FdEntry } from '../../src/proc/fd.js';
import type { PeerHolder, RelatedProcess, Snapshot } from '../../src/snapshot/types.js';
import type { LockEntry } from '../../src/proc/locks.js';
import type { PidfileFacts } from '../../src/host/pidfile.js';
import { DEFAULT_TTY_DRIVERS } from '../../src/proc/tty.js';

export function makeStat(partial: Partial<ProcStat> & { pid: number }): ProcStat {
  return {
    comm: 'daemon',
    state: 'S',
    ppid: 1,
    pgrp: partial.pid,
    session: partial.pid,
    ttyNr: 0,
    tpgid: -1,
    flags: 0x400040,
    starttime: '1000',
    numThreads: 1,
    ...partial,
  };
}

export function makeStatus(partial: Partial<ProcStatus> = {}): ProcStatus {
  return {
    name: 'daemon',
    umask: 0,
    state: 'S',
    uid: [1000, 1000, 1000, 1000],
    gid: [1000, 1000, 1000, 1000],
    sigBlk: 0n,
    sigIgn: 0n,
    sigCgt: 0n,
    capEff: 0n,
    nspid: [],
    ...partial,
  };
}

/** Signal numbers (x86/arm). */
export const SIG = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, TERM: 15, CHLD: 17 } as const;

/** A SigIgn/SigCgt/SigBlk mask holding these signals. */
export function sigmask(...signos: number[]): bigint {
  return signos.reduce((m, s) => m | (1n << BigInt(s - 1)), 0n);
}

/** A snapshot that differs from the default only in its status fields. */
export function withStatus(partial: Partial<ProcStatus>): Snapshot {
  return makeSnapshot({ status: makeStatus(partial) });
}

export function makeFd(fd: number, target: string, partial: Partial<FdEntry> = {}): FdEntry {
  const kernelObject = /^(pipe|socket):\[/.exec(target);
  return {
    fd,
    target,
    type: kernelObject ? (kernelObject[1] as 'pipe' | 'socket') : target.startsWith('/dev/') ? 'char' : 'file',
    cloexec: false,
    flags: 0o100002,
    deleted: target.endsWith(' (deleted)'),
    terminal: false,
    dev: null,
    ino: null,
    mode: null,
    uid: null,
    locks: [],
    objectKey: kernelObject ? target : null,
    signalMask: null,
    ...partial,
  };
}

export function makeRelated(stat: ProcStat, cmdline: string[] | null = [stat.comm]): RelatedProcess {
  return {
    pid: stat.pid,
    comm: stat.comm,
    cmdline,
    stat,
    tty: stat.ttyNr === 0 ? null : `/dev/pts/${stat.ttyNr & 0xff}`,
  };
}

const DEV_NULL: Partial<FdEntry> = { type: 'char', dev: '0:5', ino: 4, mode: 0o20666 };

export type SnapshotPartial = Partial<Omit<Snapshot, 'stat'>> & { stat?: Partial<ProcStat> };

export function makeSnapshot(partial: SnapshotPartial = {}): Snapshot {
  const pid = partial.pid ?? partial.stat?.pid ?? 4242;
  const stat = makeStat({ pid, session: pid - 1, pgrp: pid - 1, ...partial.stat });
  const { stat: _s, ...rest } = partial;
  return {
    pid,
    procRoot: '/proc',
    sourceKind: 'fixture',
    stat,
    status: makeStatus(),
    cmdline: ['/usr/sbin/daemon'],
    environ: new Map([['PATH', '/usr/bin']]),
    cwd: '/',
    cwdStat: null,
    fds: [makeFd(0, '/dev/null', DEV_NULL), makeFd(1, '/dev/null', DEV_NULL), makeFd(2, '/dev/null', DEV_NULL)],
    fdCount: 3,
    fdsTruncated: false,
    cgroup: [{ hierarchy: '0', controllers: '', path: '/' }],
    mounts: [],
    locks: null,
    ttyDrivers: DEFAULT_TTY_DRIVERS,
    tty: null,
    parent: null,
    sessionLeader: null,
    ancestors: [],
    ancestorLeaders: [],
    children: [],
    sessionMembers: [stat],
    descendants: [],
    peers: {},
    unreadable: {},
    limits: [],
    userName: 'app',
    auditorUid: 0,
    pidfile: null,
    sessionLeaderParent: null,
    multiplexerCgroup: null,
    auditorPid: null,
    multiplexerScopeUser: null,
    exe: null,
    wchan: null,
    syscall: null,
    arch: 'x64',
    host: null,
    scopeUser: null,
    initComm: null,
    sockets: [],
    ...rest,
  };
}

// ---------------------------------------------------------------------------
// Added builders (test/checks/*): the existing ones above keep their defaults.
// ---------------------------------------------------------------------------

/** tty_nr of /dev/pts/N (major 136), as stat field 7 encodes it (N < 256). */
export function ptsTtyNr(n: number): number {
  return (136 << 8) | n;
}

/** fd N open on /dev/null, as the default snapshot's 0-2 are. */
export function devNullFd(fd: number): FdEntry {
  return makeFd(fd, '/dev/null', DEV_NULL);
}

/** fd N on a terminal device (a pty slave by default): what stat() against tty/drivers calls a terminal. */
export function makeTerminalFd(fd: number, target = '/dev/pts/0', partial: Partial<FdEntry> = {}): FdEntry {
  return makeFd(fd, target, { type: 'char', terminal: true, dev: '0:25', ino: 3, mode: 0o20620, ...partial });
}

/** fd N on a regular file: dev 8:1, mode 0644 unless told otherwise. */
export function makeFile(fd: number, target: string, partial: Partial<FdEntry> = {}): FdEntry {
  return makeFd(fd, target, { type: 'file', dev: '8:1', ino: 1000 + fd, mode: 0o100644, uid: 0, ...partial });
}

/** One /proc/locks entry (or a parsed fdinfo "lock:" line): a held POSIX write lock of pid 4242 on 8:1:1003 by default. */
export function makeLock(partial: Partial<LockEntry> = {}): LockEntry {
  return {
    id: 1,
    kind: 'POSIX',
    advisory: 'ADVISORY',
    mode: 'WRITE',
    pid: 4242,
    dev: '8:1',
    ino: 1003,
    start: '0',
    end: 'EOF',
    waiter: false,
    ...partial,
  };
}

/** Another process holding the same pipe, socket or FIFO: no terminal, its own session, unless told otherwise. */
export function makePeer(
  pid: number,
  comm: string,
  fds: number[] = [1],
  partial: Partial<PeerHolder> = {},
): PeerHolder {
  return { pid, comm, fds, ttyNr: 0, session: pid, ...partial };
}

/** What --pidfile read: /run/daemon.pid holding 4242, mode 0644, on 8:1:1003 (makeFile(3, ...)'s inode). */
export function makePidfile(partial: Partial<PidfileFacts> = {}): PidfileFacts {
  return {
    path: '/run/daemon.pid',
    content: '4242\n',
    pid: 4242,
    readError: null,
    dev: '8:1',
    ino: 1003,
    mode: 0o100644,
    uid: 0,
    isSymlink: false,
    ...partial,
  };
}

/** The default daemon's fds (0-2 on /dev/null) plus EXTRA. */
export function withFds(...extra: FdEntry[]): Snapshot {
  const fds = [devNullFd(0), devNullFd(1), devNullFd(2), ...extra];
  return makeSnapshot({ fds, fdCount: fds.length });
}
