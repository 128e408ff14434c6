/**
 * Read plans: which facts one snapshot reads, and how. One audit reads
 * everything; a scan reads each process first from its table and, unless a
 * check the table decides already failed, again in full, sharing what one run
 * can share (RunCache). Every difference between the three is a field here;
 * read.ts and parts.ts follow the plan they are given.
 */

export type PlanName = 'audit' | 'scan-table' | 'scan-full';

export interface ReadPlan {
  readonly name: PlanName;
  /**
   * stat: read afresh ('read'), or as the run's process table has it
   * ('table': a scan judges the table it listed, in both passes; a pid the
   * table lacks is read).
   */
  readonly stat: 'read' | 'table';
  /** cmdline: read, or read once per run and kept (RunCache.cmdlines) for the scan's other pass. */
  readonly cmdline: 'read' | 'once-per-run';
  /**
   * Whether anything beyond stat, status, cmdline and cgroup is read: environ,
   * cwd, fds, locks, how it waits, its sockets, the pidfile, a multiplexer
   * server's cgroup. Left out, those with evidence are marked NOTREAD
   * (environ, mountinfo, cwd, fds, locks) and the rest are null, but for
   * fateFacts; everything else comes from the process table. Enough for the
   * checks whose `needs` the table covers (TABLE_DECISIVE in checks/index.ts).
   */
  readonly beyondTable: boolean;
  /**
   * cgroup: read for each snapshot ('read'), or once per run and kept
   * (RunCache.cgroups) for the scan's other pass. Every plan reads it: the
   * fate's logout (a login's scope) and crash (a systemd unit) turn on it.
   */
  readonly cgroup: 'read' | 'once-per-run';
  /**
   * For a plan that reads no more than the table: the few facts the fate
   * (src/fate) needs beyond it, so a row judged from the table tells the same
   * fate as a single audit. fds 0-2 (a job that reads or writes its
   * terminal), from the holder index's links where it has them; how it waits
   * (wchan, syscall) and every fd (a signalfd, as script(1) takes SIGTERM),
   * only where it blocks a signal; a multiplexer server's cgroup, only for a
   * pane. Plans that read beyond the table read all of these anyway.
   */
  readonly fateFacts: boolean;
  /**
   * mountinfo: read for every snapshot ('read'); or only where a check can
   * use it ('where-needed': the mount under a working directory other than
   * /, or the device of a file whose fdinfo names its mnt_id), and shared by
   * the processes that see one mount namespace from one root
   * (RunCache.mounts); or not at all ('not-read', marked NOTREAD).
   */
  readonly mountinfo: 'read' | 'where-needed' | 'not-read';
  /** stat() of the working directory (cwdStat). */
  readonly cwdStat: boolean;
  /**
   * fds 0-2 on /dev/null, a pipe or a socket: examined in full ('full'), or
   * without their fdinfo, and /dev/null without its stat ('lean', see
   * plainStdio in proc/fd.ts: no check asks their flags or locks). With the
   * table's stat and the cmdline read once, it cuts a scan's reads by about
   * a third. One audit's facts show every fd's flags.
   */
  readonly stdio: 'full' | 'lean';
  /** fd links: read from fd/, or taken from the holder index where it read them (RunCache.fdLinks). */
  readonly fdLinks: 'read' | 'from-index';
  /** Other holders of its pipes and sockets: one pass of its own, or the run's index (RunCache.peerIndex). */
  readonly peers: 'search' | 'index';
}

export const PLANS: Readonly<Record<PlanName, ReadPlan>> = {
  audit: {
    name: 'audit',
    stat: 'read',
    cmdline: 'read',
    beyondTable: true,
    cgroup: 'read',
    fateFacts: false,
    mountinfo: 'read',
    cwdStat: true,
    stdio: 'full',
    fdLinks: 'read',
    peers: 'search',
  },
  'scan-table': {
    name: 'scan-table',
    stat: 'table',
    cmdline: 'once-per-run',
    beyondTable: false,
    cgroup: 'once-per-run',
    fateFacts: true,
    mountinfo: 'not-read',
    cwdStat: false,
    stdio: 'lean',
    fdLinks: 'from-index',
    peers: 'index',
  },
  'scan-full': {
    name: 'scan-full',
    stat: 'table',
    cmdline: 'once-per-run',
    beyondTable: true,
    cgroup: 'once-per-run',
    fateFacts: false,
    mountinfo: 'where-needed',
    cwdStat: false,
    stdio: 'lean',
    fdLinks: 'from-index',
    peers: 'index',
  },
};
