/**
 * makeSnapshot(partial): a Snapshot built in memory, for testing checks, the
 * profile and the diagnosis one fact at a time. The default is a textbook
 * double-forked daemon (ppid 1, session leader gone, no terminal, fds 0-2 on
 * /dev/null, umask 0, cwd /); a test overrides only what it is about.
 */
import type { ProcStat } from '../../src/proc/stat.js';
import type { ProcStatus } from '../../src/proc/status.js';
import type { FdEntry } from '../../src/proc/fd.js';
import type { RelatedProcess, Snapshot } from '../../src/snapshot/types.js';
import { DEFAULT_TTY_DRIVERS } from '../../src/proc/tty.js';

export function makeStat(partial: Partial<ProcStat> & { pid: number }): ProcStat {
  return {
    comm: 'daemon', state: 'S', ppid: 1, pgrp: partial.pid, session: partial.pid, ttyNr: 0, tpgid: -1,
    flags: 0x400040, starttime: '1000', numThreads: 1, ...partial,
  };
}

export function makeStatus(partial: Partial<ProcStatus> = {}): ProcStatus {
  return {
    name: 'daemon', umask: 0, state: 'S', uid: [1000, 1000, 1000, 1000], gid: [1000, 1000, 1000, 1000],
    sigBlk: 0n, sigIgn: 0n, sigCgt: 0n, capEff: 0n, nspid: [], ...partial,
  };
}

export function makeFd(fd: number, target: string, partial: Partial<FdEntry> = {}): FdEntry {
  const kernelObject = /^(pipe|socket):\[/.exec(target);
  return {
    fd, target, type: kernelObject ? (kernelObject[1] as 'pipe' | 'socket') : target.startsWith('/dev/') ? 'char' : 'file',
    cloexec: false, flags: 0o100002, deleted: target.endsWith(' (deleted)'), terminal: false,
    dev: null, ino: null, mode: null, uid: null, locks: [], objectKey: kernelObject ? target : null, ...partial,
  };
}

export function makeRelated(stat: ProcStat, cmdline: string[] | null = [stat.comm]): RelatedProcess {
  return { pid: stat.pid, comm: stat.comm, cmdline, stat, tty: stat.ttyNr === 0 ? null : `/dev/pts/${stat.ttyNr & 0xff}` };
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
    ...rest,
  };
}
