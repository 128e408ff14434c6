/**
 * Sessions as /proc shows them, for the fate model's unit tests.
 *
 * A ProcWorld is a process table in memory; `snapshot(pid)` makes a Snapshot
 * of it with the audit's own code (snapshot/family.ts and assembleSnapshot):
 * the real ProcessTable gives the ancestors, children and session members;
 * the parent, the session leader and the leader's parent are read "in full",
 * with their argv; a hidden pid is one the auditor could not read, reported
 * in `unreadable`. The target's own files are makeSnapshot's defaults.
 *
 * `sshLogin()` is a real SSH login: `sshd: root@pts/0` (6250) with the login
 * bash (6264, argv ['-bash']) leading its session on /dev/pts/0. `typed(line)`
 * is what /proc showed for each launch pattern typed into that bash
 * (docs/fate.md, "Measured over SSH"; the table in test/ssh-login.test.ts).
 *
 * `fateOf(snap)` runs the model through the real path (deriveContext, so the
 * crash entry sees the parent kind the audit gives it).
 */
import { deriveContext } from '../../src/context.js';
import { sessionView, type SessionView } from '../../src/fate/session.js';
import type { Fate } from '../../src/core/types.js';
import type { HostFacts } from '../../src/host/host-facts.js';
import { parseLogindConf, type LogindConfFile } from '../../src/host/logind-parse.js';
import { chooseProfile } from '../../src/profile.js';
import { parseCgroup } from '../../src/proc/cgroup.js';
import type { FdEntry } from '../../src/proc/fd.js';
import type { ProcStat } from '../../src/proc/stat.js';
import type { ProcStatus } from '../../src/proc/status.js';
import { ProcessTable } from '../../src/proc/table.js';
import { DEFAULT_TTY_DRIVERS, ttyOf } from '../../src/proc/tty.js';
import { assembleSnapshot } from '../../src/snapshot/assemble.js';
import { Evidence } from '../../src/snapshot/evidence.js';
import { familyOf, relativesOf } from '../../src/snapshot/family.js';
import type { RelatedProcess, Snapshot } from '../../src/snapshot/types.js';
import {
  SIG,
  devNullFd,
  makeFile,
  makeSnapshot,
  makeStat,
  makeStatus,
  makeTerminalFd,
  ptsTtyNr,
  sigmask,
  type SnapshotPartial,
} from './snapshot.js';

export { SIG, sigmask };

/** Dispositions as /proc/PID/status has them (all default unless told). */
export function signals(
  partial: { ign?: number[]; cgt?: number[]; blk?: number[] } & Partial<ProcStatus> = {},
): ProcStatus {
  const { ign = [], cgt = [], blk = [], ...rest } = partial;
  return makeStatus({ sigIgn: sigmask(...ign), sigCgt: sigmask(...cgt), sigBlk: sigmask(...blk), ...rest });
}

export class ProcWorld {
  private readonly stats = new Map<number, ProcStat>();
  private readonly argvs = new Map<number, string[] | null>();
  private readonly hidden = new Set<number>();

  /** Adds (or replaces) a process; argv defaults to [comm]. */
  add(stat: Partial<ProcStat> & { pid: number }, argv: string[] | null = [stat.comm ?? 'daemon']): ProcStat {
    const st = makeStat(stat);
    this.stats.set(st.pid, st);
    this.argvs.set(st.pid, argv);
    return st;
  }

  get(pid: number): ProcStat {
    const st = this.stats.get(pid);
    if (!st) throw new Error(`no pid ${pid} in this world`);
    return st;
  }

  /** The auditor cannot read this pid (hidepid, another user's process): it is missing from the table. */
  hide(pid: number): this {
    this.hidden.add(pid);
    return this;
  }

  /** Gives the foreground of the terminal `ttyNr` to `pgrp`: tpgid is the terminal's, so every process on it shows it. */
  foreground(ttyNr: number, pgrp: number): this {
    for (const [pid, st] of this.stats) if (st.ttyNr === ttyNr) this.stats.set(pid, { ...st, tpgid: pgrp });
    return this;
  }

  private related(pid: number): RelatedProcess | null {
    const st = this.stats.get(pid);
    if (!st || this.hidden.has(pid)) return null;
    return { pid, comm: st.comm, cmdline: this.argvs.get(pid) ?? null, stat: st, tty: ttyOf(st, DEFAULT_TTY_DRIVERS) };
  }

  /** The Snapshot of `pid`, assembled as readSnapshot does; `partial` overrides any field (status, fds, cgroup, host...). */
  snapshot(pid: number, partial: Omit<SnapshotPartial, 'pid' | 'stat'> = {}): Snapshot {
    const table = new ProcessTable();
    for (const st of this.stats.values()) if (!this.hidden.has(st.pid)) table.add(st);
    const stat = this.get(pid);
    const tty = ttyOf(stat, DEFAULT_TTY_DRIVERS);
    const argv = this.argvs.get(pid) ?? null;
    const ev = new Evidence();
    const lookup = {
      related: (p: number) => this.related(p),
      whyMissing: (p: number) => (this.hidden.has(p) ? 'EACCES' : null),
    };
    const fds: FdEntry[] = tty ? [0, 1, 2].map((fd) => makeTerminalFd(fd, tty)) : [0, 1, 2].map(devNullFd);
    // The target's own files, as makeSnapshot has them.
    const files = makeSnapshot({ pid, stat });
    const snap = assembleSnapshot({
      pid,
      source: { root: files.procRoot, kind: files.sourceKind },
      ttyDrivers: DEFAULT_TTY_DRIVERS,
      stat,
      status: makeStatus({ name: stat.comm, state: stat.state }),
      cmdline: argv && { argv, truncated: false },
      environ: files.environ && { env: files.environ, truncated: false },
      cgroup: files.cgroup,
      mounts: files.mounts,
      cwd: files.cwd,
      cwdStat: files.cwdStat,
      fds: { fds, count: fds.length, truncated: false },
      locks: files.locks,
      relatives: relativesOf(lookup, ev, pid, stat, argv, tty),
      family: familyOf(table, pid, stat),
      peers: files.peers,
      wait: { wchan: files.wchan, syscall: files.syscall, exe: files.exe },
      sockets: files.sockets,
      outside: files,
      evidence: ev,
    });
    return { ...snap, ...partial };
  }
}

/** The login's pids and terminal: sshd's session process, the login bash, /dev/pts/0. */
export const SSHD = 6250;
export const SHELL = 6264;
export const PTS0 = ptsTtyNr(0);
/** The job typed into the shell. */
export const JOB = 7001;

/** init, sshd's listener, `sshd: root@pts/0` and the login bash leading its session on /dev/pts/0, at its prompt. */
export function sshLogin(shellArgv: string[] = ['-bash'], shellComm = 'bash'): ProcWorld {
  const w = new ProcWorld();
  w.add({ pid: 1, comm: 'systemd', ppid: 0, pgrp: 1, session: 1 }, ['/sbin/init']);
  w.add({ pid: 700, comm: 'sshd', ppid: 1 }, ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups']);
  w.add({ pid: SSHD, comm: 'sshd', ppid: 700 }, ['sshd: root@pts/0']);
  w.add({ pid: SHELL, comm: shellComm, ppid: SSHD, ttyNr: PTS0, tpgid: SHELL }, shellArgv);
  return w;
}

/** A process in the login's session on its terminal: a child of `ppid` in group `pgrp` (its own by default). */
export function member(
  w: ProcWorld,
  pid: number,
  comm: string,
  argv: string[],
  ppid: number,
  partial: Partial<ProcStat> = {},
): ProcStat {
  return w.add(
    { pid, comm, ppid, pgrp: pid, session: SHELL, ttyNr: PTS0, tpgid: w.get(SHELL).tpgid, ...partial },
    argv,
  );
}

export type Typed =
  | 'nohup sleep N &'
  | 'sleep N &'
  | '(sleep N &)'
  | "bash -c 'sleep N &'"
  | 'setsid sleep N &'
  | 'screen -dmS x sleep N'
  | 'tmux new -d sleep N'
  | 'sleep N'
  | 'set +m; sleep N &'
  | 'sleep N, Ctrl-Z'
  | 'nohup sleep N, Ctrl-Z';

/** The world after `line` was typed into the login bash (argv of the shell: '-bash' unless told); the job is JOB. */
export function typedWorld(line: Typed, shellArgv: string[] = ['-bash']): ProcWorld {
  const w = sshLogin(shellArgv);
  const sleep = ['sleep', '3001'];
  switch (line) {
    case 'nohup sleep N &':
    case 'sleep N &':
      member(w, JOB, 'sleep', sleep, SHELL);
      break;
    case '(sleep N &)':
    case "bash -c 'sleep N &'":
      // The subshell (or bash -c) that started it has exited: init adopted it, and its group is that dead pid's.
      member(w, JOB, 'sleep', sleep, 1, { pgrp: JOB - 1 });
      break;
    case 'setsid sleep N &':
      w.add({ pid: JOB, comm: 'sleep', ppid: 1 }, sleep);
      break;
    case 'screen -dmS x sleep N':
    case 'tmux new -d sleep N': {
      const screen = line.startsWith('screen');
      w.add(
        { pid: 7100, comm: screen ? 'screen' : 'tmux: server', ppid: 1 },
        screen ? ['SCREEN', '-dmS', 'x', 'sleep', '3001'] : ['tmux', 'new', '-d', 'sleep', '3001'],
      );
      w.add({ pid: JOB, comm: 'sleep', ppid: 7100, ttyNr: ptsTtyNr(1), tpgid: JOB }, sleep);
      break;
    }
    case 'sleep N':
      member(w, JOB, 'sleep', sleep, SHELL);
      w.foreground(PTS0, JOB);
      break;
    case 'set +m; sleep N &':
      member(w, JOB, 'sleep', sleep, SHELL, { pgrp: SHELL });
      break;
    case 'sleep N, Ctrl-Z':
    case 'nohup sleep N, Ctrl-Z':
      member(w, JOB, 'sleep', sleep, SHELL, { state: 'T' });
      break;
  }
  return w;
}

/** SigIgn as each pattern leaves it: nohup ignores SIGHUP; a non-job-control shell's `&` ignores SIGINT and SIGQUIT. */
const IGNORED: Partial<Record<Typed, number[]>> = {
  'nohup sleep N &': [SIG.HUP],
  'nohup sleep N, Ctrl-Z': [SIG.HUP],
  '(sleep N &)': [SIG.INT, SIG.QUIT],
  "bash -c 'sleep N &'": [SIG.INT, SIG.QUIT],
  'set +m; sleep N &': [SIG.INT, SIG.QUIT],
};

/** The job's snapshot; nohup's own redirections (stdin from /dev/null, stdout and stderr to nohup.out). */
export function typed(
  line: Typed,
  opts: { shellArgv?: string[] } & Omit<SnapshotPartial, 'pid' | 'stat'> = {},
): Snapshot {
  const { shellArgv, ...partial } = opts;
  const nohup = line.startsWith('nohup');
  const fds = nohup
    ? [devNullFd(0), makeFile(1, '/root/nohup.out'), makeFile(2, '/root/nohup.out')]
    : [0, 1, 2].map((fd) => makeTerminalFd(fd, /^(screen|tmux)/.test(line) ? '/dev/pts/1' : '/dev/pts/0'));
  return typedWorld(line, shellArgv).snapshot(JOB, { status: signals({ ign: IGNORED[line] ?? [] }), fds, ...partial });
}

/** What the model predicts, through the path an audit takes (profile, context, fate). */
export function fateOf(snap: Snapshot): Fate {
  const { profile } = chooseProfile(snap);
  return deriveContext(snap, profile, {}).fate;
}

export function viewOf(snap: Snapshot): SessionView {
  return sessionView(snap);
}

/** /proc/PID/cgroup text, parsed as the snapshot reads it. */
export function cgroupOf(text: string): Snapshot['cgroup'] {
  return parseCgroup(text);
}

/** The unified line of a process in login session 3 of uid 1000 (alice). */
export const SESSION_SCOPE = '0::/user.slice/user-1000.slice/session-3.scope';

/**
 * Host facts: systemd is pid 1 (unless told) and logind.conf holds `conf`
 * (a string is /etc/systemd/logind.conf; or the files in logind's order).
 */
export function hostWith(conf: string | LogindConfFile[], partial: Partial<HostFacts> = {}): HostFacts {
  const files = typeof conf === 'string' ? [{ path: '/etc/systemd/logind.conf', text: conf }] : conf;
  return {
    root: '/',
    systemdPid1: true,
    logind: parseLogindConf(files),
    linger: null,
    markers: {},
    unreadable: {},
    ...partial,
  };
}

/** A textbook double-forked daemon (makeSnapshot's default) started from a login: in its scope, owned by `user`. */
export function scopedDaemon(
  host: HostFacts | null,
  cgroup = SESSION_SCOPE,
  user: { uid: number; name: string | null } = { uid: 1000, name: 'alice' },
): Snapshot {
  return makeSnapshot({ cgroup: cgroupOf(cgroup), host, scopeUser: user, userName: user.name });
}

/** `bash` typed at the login prompt, then `sleep N &` in it: the inner bash (6300) is a foreground job of the login bash and holds the terminal. */
export function nestedBashWorld(): ProcWorld {
  const w = sshLogin();
  member(w, 6300, 'bash', ['bash'], SHELL);
  member(w, JOB, 'sleep', ['sleep', '3001'], 6300);
  return w.foreground(PTS0, 6300);
}

/**
 * `su - alice` typed at the login prompt (util-linux su, no pty of its own:
 * same session, same terminal), then `sleep N &` (or `sleep N` in the
 * foreground) in alice's login bash (6291), which holds the terminal.
 */
export function suWorld(foreground = false): ProcWorld {
  const w = sshLogin();
  member(w, 6290, 'su', ['su', '-', 'alice'], SHELL);
  member(w, 6291, 'bash', ['-bash'], 6290);
  member(w, JOB, 'sleep', ['sleep', '3001'], 6291);
  return w.foreground(PTS0, foreground ? JOB : 6291);
}
