/**
 * A Snapshot: everything one audit needs, read once and returned as plain
 * data. Checks, the profile and the diagnosis only ever see a Snapshot. A
 * fact that could not be read is null, and `unreadable` says why (errno), so
 * the checks that need it report `unknown` instead of guessing.
 */
import type { HostFacts } from '../host/host-facts.js';
import type { PidfileFacts } from '../host/pidfile.js';
import type { ShellRc } from '../host/shell-rc.js';
import type { CgroupEntry } from '../proc/cgroup.js';
import type { FdEntry } from '../proc/fd.js';
import type { LockEntry } from '../proc/locks.js';
import type { MountEntry } from '../proc/mountinfo.js';
import type { SocketInfo } from '../proc/net.js';
import type { TargetStat } from '../proc/source.js';
import type { ProcStat } from '../proc/stat.js';
import type { ProcStatus } from '../proc/status.js';
import type { TtyDriver } from '../proc/tty.js';

/** A parent or session leader: its stat, and its argv for telling what program it is. */
export interface RelatedProcess {
  pid: number;
  comm: string;
  cmdline: string[] | null;
  stat: ProcStat;
  tty: string | null;
}

/** Another process holding the same pipe, socket or FIFO. */
export interface PeerHolder {
  pid: number;
  comm: string;
  fds: number[];
  ttyNr: number;
  session: number;
}

/** The "errno" of evidence the read plan left out ('scan-table', plan.ts). */
export const NOT_READ = 'NOTREAD';

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
  /** The session leader's parent: a tmux or screen server for a pane, cron or atd for a job. */
  sessionLeaderParent: RelatedProcess | null;
  /**
   * The cgroup of that parent when it is a terminal multiplexer's server: a
   * pane lives as long as its server's pty, so logind ending the server's
   * scope ends the pane too. null otherwise, or when unreadable.
   */
  multiplexerCgroup: CgroupEntry[] | null;
  /** The pid of the daemon-check CLI that reads it (null for a library caller or a replay). */
  auditorPid: number | null;
  /** The owner of the login scope that cgroup names, as scopeUser. */
  multiplexerScopeUser: { uid: number; name: string | null } | null;
  ancestors: ProcStat[];
  /** The leaders of the ancestors' sessions (is an orphaned master still a job of a login?). */
  ancestorLeaders: ProcStat[];
  children: readonly ProcStat[];
  sessionMembers: readonly ProcStat[];
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
  pidfile: PidfileFacts | null;
  /** /proc/PID/exe: the program's path even when its argv was overwritten by a title. */
  exe: string | null;
  /** argv[0] found on its own PATH from its own cwd (a venv's bin/python); null: not found; absent: not looked up. */
  argv0Path?: string | null;
  /** Where it sleeps (/proc/PID/wchan) and which syscall it is in (/proc/PID/syscall): how it waits for signals. */
  wchan: string | null;
  syscall: string | null;
  /** The architecture the syscall numbers belong to (process.arch's names). */
  arch: string;
  /** Host facts beyond /proc (systemd, logind, linger); null when no host reader was given. */
  host: HostFacts | null;
  /** Its own sockets that listen or are bound to a name (from net/unix, tcp, tcp6), by inode; null when not read. */
  sockets: SocketInfo[] | null;
  /** pid 1's comm in this /proc (systemd, runit, tini, ...): who runs the host, or the container. */
  initComm: string | null;
  /** The user a login session scope in its cgroup belongs to (user-UID.slice), by name when known. */
  scopeUser: { uid: number; name: string | null } | null;
  /**
   * When its session's leader is a bash or zsh: what that shell's startup
   * files, for the process's user, set for its hangup option (huponexit,
   * HUP). Absent or null: not read (no host reader, or another leader).
   */
  shellRc?: ShellRc | null;
}
