/**
 * Whole situations for the remediation and `daemon-check unit` tests, built
 * on makeSnapshot: the host a process runs on (no service manager, systemd,
 * a container), a job typed in a login bash, a service in the foreground
 * under a supervisor.
 */
import { MARKERS, type HostFacts } from '../../src/host/host-facts.js';
import { parseLogindConf } from '../../src/host/logind-parse.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import {
  devNullFd,
  makeFile,
  makeRelated,
  makeSnapshot,
  makeStat,
  makeStatus,
  ptsTtyNr,
  type SnapshotPartial,
} from './snapshot.js';

type Marker = (typeof MARKERS)[number];
type HostPartial = Partial<Omit<HostFacts, 'markers'>> & { markers?: Partial<Record<Marker, boolean>> };

/** Host facts: systemd not pid 1, logind.conf empty, no marker present, unless told. */
export function hostFacts(partial: HostPartial = {}): HostFacts {
  const { markers, ...rest } = partial;
  const none: Record<string, boolean> = Object.fromEntries(MARKERS.map((m) => [m, false]));
  return {
    root: '/',
    systemdPid1: false,
    logind: parseLogindConf([]),
    linger: null,
    unreadable: {},
    ...rest,
    markers: { ...none, ...markers },
  };
}

/** Where a process runs: the host facts and pid 1's comm. */
export type Where = Pick<Snapshot, 'host' | 'initComm'>;

export const NO_MANAGER: Where = { host: hostFacts(), initComm: 'process_api' };
export const SYSTEMD_HOST: Where = { host: hostFacts({ systemdPid1: true }), initComm: 'systemd' };
export const TINI_INIT: Where = { host: hostFacts(), initComm: 'tini' };

/** A Docker container (/.dockerenv) whose pid 1 is `init`. */
export function inDocker(init: string): Where {
  return { host: hostFacts({ markers: { '.dockerenv': true } }), initComm: init };
}

export const SHELL_PID = 900;
export const JOB_PID = 1000;

const loginShell = makeStat({
  pid: SHELL_PID,
  comm: 'bash',
  ppid: 800,
  session: SHELL_PID,
  pgrp: SHELL_PID,
  ttyNr: ptsTtyNr(0),
  tpgid: SHELL_PID,
});

/**
 * `nohup ARGV &` typed in a login bash (pid 900) on /dev/pts/0, in /home/app:
 * stdin from /dev/null, stdout and stderr to nohup.out, SIGHUP ignored, umask 022.
 */
export function nohupJob(argv: string[], where: Where, partial: SnapshotPartial = {}): Snapshot {
  const comm = argv[0]!.slice(argv[0]!.lastIndexOf('/') + 1).slice(0, 15);
  const { stat, ...rest } = partial;
  return makeSnapshot({
    pid: JOB_PID,
    cmdline: argv,
    cwd: '/home/app',
    tty: '/dev/pts/0',
    parent: makeRelated(loginShell, ['-bash']),
    sessionLeader: makeRelated(loginShell, ['-bash']),
    fds: [devNullFd(0), makeFile(1, '/home/app/nohup.out'), makeFile(2, '/home/app/nohup.out')],
    status: makeStatus({ umask: 0o022, sigIgn: 1n }),
    ...where,
    ...rest,
    stat: { comm, ppid: SHELL_PID, session: SHELL_PID, pgrp: JOB_PID, ttyNr: ptsTtyNr(0), tpgid: SHELL_PID, ...stat },
  });
}

export const SUPERVISOR_PID = 500;

/** /usr/bin/myapp (pid 501) in the foreground under a supervisor (pid 500): its own session, no terminal. */
export function underSupervisor(
  parentComm: string,
  parentArgv: string[],
  where: Where,
  partial: SnapshotPartial = {},
): Snapshot {
  const parent = makeStat({
    pid: SUPERVISOR_PID,
    comm: parentComm,
    ppid: 1,
    session: SUPERVISOR_PID,
    pgrp: SUPERVISOR_PID,
  });
  const { stat, ...rest } = partial;
  return makeSnapshot({
    pid: SUPERVISOR_PID + 1,
    cmdline: ['/usr/bin/myapp'],
    parent: makeRelated(parent, parentArgv),
    ...where,
    ...rest,
    stat: { comm: 'myapp', ppid: SUPERVISOR_PID, session: SUPERVISOR_PID + 1, pgrp: SUPERVISOR_PID + 1, ...stat },
  });
}
