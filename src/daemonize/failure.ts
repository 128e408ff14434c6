/**
 * The native helper's failures as fields. Run with --json-errors, the helper
 * reports a failure as one JSON line on stderr, {"stage": ..., ...}
 * (native/protocol.h lists the stages and keys), and this module builds from
 * those fields the same one-line message the helper prints in English when a
 * person runs it (native/failure.c). test/unit/native-protocol.test.ts checks
 * that HELPER_EXIT and STAGES agree with native/protocol.h, and
 * test/live/daemonize/failure-fields.test.ts that the messages agree with the C.
 */
import { constants } from 'node:os';

/** The helper's exit codes (native/protocol.h HELPER_EXIT_*), which `daemon-check run` exits with. */
export const HELPER_EXIT = { ok: 0, failed: 1, usage: 2, locked: 3, noexec: 126, notfound: 127 } as const;

export interface HelperFailure {
  stage: string;
  errno?: number;
  /** strerror(errno), as the C library words it. */
  error?: string;
  command?: string;
  path?: string;
  searchPath?: string;
  pidfile?: string;
  dir?: string;
  user?: string;
  group?: string;
  option?: string;
  value?: string;
  arg?: string;
  reason?: string;
  gid?: number;
  links?: number;
  runningPid?: number | null;
  pid?: number;
  launcher?: number;
  daemonPid?: number;
  waitStatus?: number;
  report?: number;
  exitStatus?: number;
  signal?: string;
  settle?: number;
  timeout?: number;
  beforeReady?: boolean;
  userDenied?: boolean;
  stderrNull?: boolean;
  stopped?: { pids: number[]; count: number; killed: boolean };
  /** Set by daemonize(), not the helper: how long the program ran, in ms, for 'exited'. */
  ranMs?: number;
}

/** "At once" is said only of a program that ended within this many ms of its start; otherwise the time is given. */
export const AT_ONCE_MS = 100;

/** "at once", or "after 1.1 s": how long a program ran before it ended. */
export function ranFor(ms: number): string {
  return ms <= AT_ONCE_MS ? 'at once' : `after ${(ms / 1000).toFixed(1)} s`;
}

type Message = (f: HelperFailure) => string;

/** Trailing zeros of a fraction, and a bare '.', removed (as %g does). */
function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** printf's %g (6 significant digits, glibc's rounding: to nearest, ties to even) for the seconds in messages. */
export function formatG(x: number): string {
  if (x === 0) return '0';
  // toPrecision(100) is exact for these values (seconds in (0, 1e6]): round its digits ourselves.
  const [mant, expText] = Math.abs(x).toExponential(99).split('e') as [string, string];
  const digits = mant.replace('.', '');
  let exp = Number(expText);
  let kept = BigInt(digits.slice(0, 6));
  const rest = digits.slice(6);
  const half = rest[0] === '5' && /^50*$/.test(rest);
  if (rest[0]! > '5' || (rest[0] === '5' && !half) || (half && kept % 2n === 1n)) kept += 1n;
  let d = kept.toString();
  if (d.length > 6) {
    d = d.slice(0, 6);
    exp += 1;
  }
  const sign = x < 0 ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const m = stripZeros(`${d[0]}.${d.slice(1)}`);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = exp >= 0 ? `${d.slice(0, exp + 1)}.${d.slice(exp + 1)}` : `0.${'0'.repeat(-exp - 1)}${d}`;
  return sign + stripZeros(fixed);
}

/** "; stopped pid 12 with SIGTERM", or '' when nothing was running. */
function stoppedNote(f: HelperFailure): string {
  const s = f.stopped;
  if (!s || s.count === 0) return '';
  const more = s.count > 8 ? ` and ${s.count - 8} more` : '';
  const pids = s.pids.slice(0, 8).join(' ');
  return `; stopped pid${s.count === 1 ? '' : 's'} ${pids}${more} with ${s.killed ? 'SIGTERM, then SIGKILL' : 'SIGTERM'}`;
}

/** "exited with status 3" or "was killed by signal SIGKILL". */
function statusText(f: HelperFailure): string {
  return f.exitStatus !== undefined ? `exited with status ${f.exitStatus}` : `was killed by signal ${f.signal}`;
}

/** Why a program that forked itself away was not followed. */
function reasonText(f: HelperFailure): string {
  const why: Record<string, () => string> = {
    'no-lock': () =>
      'no process it left holds the pidfile (they closed the inherited fd), so its lock cannot last as long as the daemon',
    ambiguous: () => 'cannot tell which of the processes it left is the daemon',
    unstable: () => `the processes it left kept changing for ${formatG(f.settle ?? 0)} s`,
  };
  const text = why[f.reason ?? '']?.() ?? `pid ${f.daemonPid}, the process it left, exited at once`;
  return text + stoppedNote(f);
}

const e = (f: HelperFailure): string => f.error ?? `errno ${f.errno}`;
const withErrno =
  (prefix: string): Message =>
  (f) =>
    `${prefix}: ${e(f)}`;
const seconds: Message = (f) => {
  const zeroOk = f.option === '--settle';
  return `bad ${f.option} value '${f.value}': expected seconds ${zeroOk ? '>= 0' : '> 0'}, e.g. ${f.option}=${zeroOk ? '1.5' : '10'}`;
};
const openStd =
  (flag: string): Message =>
  (f) =>
    `cannot open --${flag} ${f.path}: ${e(f)}${f.userDenied ? ' (the --user must be able to write it)' : ''}`;
const openPidfile: Message = (f) => {
  const hint = f.errno === constants.errno.EACCES || f.errno === constants.errno.EROFS;
  return `cannot open pidfile ${f.pidfile}: ${e(f)}${hint ? ' (choose a directory you can write, e.g. /run or $XDG_RUNTIME_DIR)' : ''}`;
};
const locked: Message = (f) =>
  f.runningPid
    ? `already running as pid ${f.runningPid} (pidfile ${f.pidfile} is locked)`
    : `already running (pidfile ${f.pidfile} is locked by a process that has not written its pid)`;
const exited: Message = (f) =>
  f.beforeReady
    ? `${f.command} (pid ${f.pid}) ${statusText(f)} before it was ready${stoppedNote(f)}`
    : `${f.command} (pid ${f.pid}) ${statusText(f)} ${f.ranMs === undefined ? 'at once' : ranFor(f.ranMs)}${stoppedNote(f)}${f.stderrNull ? ' (its stderr went to /dev/null: --stderr FILE keeps its messages)' : ''}`;

/** Every stage of native/protocol.h HELPER_STAGES, and its message (native/failure.c). */
export const STAGES: Record<string, Message> = {
  'usage-seconds': seconds,
  'usage-needs-value': (f) => `option --${f.option} needs a value`,
  'usage-unexpected': (f) => `unexpected argument '${f.arg}' (put the command after '--')`,
  'usage-empty-pidfile': () => '--pidfile needs a file name',
  'usage-umask': (f) => `bad --umask '${f.value}': expected an octal mode such as 022`,
  'usage-env': (f) => `bad --env '${f.value}': expected NAME=VALUE`,
  'usage-unknown': (f) => `unknown option '${f.arg}' (see --help)`,
  'usage-no-separator': () => "missing '--' before the command (usage: daemon-check-helper [options] -- CMD [ARGS...])",
  'usage-no-command': () => "missing command after '--'",
  'usage-empty-path': () => '--chdir, --stdout and --stderr need a non-empty path',
  memory: () => 'out of memory',
  cwd: withErrno('cannot determine the current directory'),
  exec: (f) =>
    `cannot execute ${f.command}: ${e(f)}${f.searchPath !== undefined ? ` (not found in PATH=${f.searchPath})` : ''}`,
  user: (f) => `unknown user '${f.user}' (no passwd entry; check the --user name)`,
  group: (f) => `unknown group '${f.group}' (no group entry; check --user USER:GROUP)`,
  'user-not-root': (f) => `cannot switch to user '${f.user}': only root can (run as root or drop --user)`,
  chdir: (f) => `cannot chdir to ${f.path}: ${e(f)}${f.userDenied ? ' (not accessible to the --user)' : ''}`,
  'pidfile-name': (f) => `bad pidfile ${f.pidfile}: it names a directory, not a file`,
  'pidfile-dir': (f) => `cannot use pidfile ${f.pidfile}: directory ${f.dir}: ${e(f)}`,
  'pidfile-not-dir': (f) => `cannot use pidfile ${f.pidfile}: ${f.dir} is not a directory`,
  'pidfile-unsafe-dir': (f) =>
    `refusing pidfile ${f.pidfile}: its directory ${f.dir} is world-writable without the sticky bit (use a directory such as /run)`,
  'pidfile-symlink': (f) =>
    `refusing pidfile ${f.pidfile}: it is a symbolic link (pidfiles are never followed; remove the link)`,
  'pidfile-open': openPidfile,
  'pidfile-stat': (f) => `cannot stat pidfile ${f.pidfile}: ${e(f)}`,
  'pidfile-type': (f) => `refusing pidfile ${f.pidfile}: it is not a regular file`,
  'pidfile-links': (f) =>
    `refusing pidfile ${f.pidfile}: it has ${f.links} hard links (remove it and let daemon-check recreate it)`,
  'pidfile-locked': locked,
  'pidfile-no-ofd': (f) =>
    `cannot lock pidfile ${f.pidfile}: this kernel lacks open file description locks (Linux >= 3.15 is needed)`,
  'pidfile-lock': (f) => `cannot lock pidfile ${f.pidfile}: ${e(f)}`,
  'pidfile-truncate': (f) => `cannot truncate pidfile ${f.pidfile}: ${e(f)}`,
  'pidfile-chmod': (f) => `cannot chmod pidfile ${f.pidfile} to 0644: ${e(f)}`,
  'pidfile-write': (f) => `cannot write the pid to pidfile ${f.pidfile}: ${e(f)}${stoppedNote(f)}`,
  'notify-random': withErrno('cannot create the readiness socket: getrandom'),
  'notify-socket': withErrno('cannot create the readiness socket'),
  'notify-setup': withErrno('cannot set up the readiness socket'),
  subreaper: withErrno('cannot become a child subreaper'),
  pipe: withErrno('cannot create a pipe'),
  fork: withErrno('cannot fork'),
  setsid: withErrno('setsid failed'),
  initgroups: (f) => `cannot set the supplementary groups of user ${f.user}: ${e(f)}`,
  setgid: (f) => `cannot switch to group ${f.gid} of user ${f.user}: ${e(f)}`,
  setuid: (f) => `cannot switch to user ${f.user}: ${e(f)}`,
  'verify-privileges': (f) => `privileges could not be dropped to user ${f.user} (refusing to start)`,
  stdin: withErrno('cannot open /dev/null'),
  stdout: openStd('stdout'),
  stderr: openStd('stderr'),
  fds: withErrno('cannot close inherited file descriptors'),
  report: (f) => `internal error: unknown report ${f.report}`,
  intermediate: (f) => `the intermediate process died before starting ${f.command} (wait status ${f.waitStatus})`,
  proc: withErrno('cannot read /proc'),
  exited,
  'left-nothing': (f) =>
    `${f.command} (pid ${f.launcher}) exited with status 0 ${f.beforeReady ? 'before it was ready' : 'at once'} and left no process running`,
  'forked-away': (f) => `${f.command} (pid ${f.launcher}) forked itself away: ${reasonText(f)}`,
  'ready-timeout': (f) =>
    `${f.command} (pid ${f.pid}) did not report READY=1 within ${formatG(f.timeout ?? 0)} s; ${f.stopped?.killed ? 'it ignored SIGTERM and was killed with SIGKILL' : 'stopped it with SIGTERM'}`,
};

/**
 * TEXT as the helper's English line reads (without "daemon-check: "): control
 * characters shown as '?' (so a name cannot break the line), at most 4,095
 * bytes (its buffer), no surrounding white space.
 */
function finish(text: string): string {
  const safe = Buffer.from(text.replace(/[\x00-\x1f\x7f]/g, '?'));
  return (safe.length > 4095 ? safe.subarray(0, 4095) : safe).toString('utf8').trim();
}

/** The helper's one-line message for F. */
export function failureMessage(f: HelperFailure): string {
  const message = STAGES[f.stage] ?? ((x: HelperFailure) => `internal error: unknown failure ${x.stage}`);
  return finish(message(f));
}

/** For a forked-away failure: why it was not followed, as the message words it (DaemonizeError.forkedAway.reason). */
export function forkedAwayReason(f: HelperFailure): string {
  return finish(reasonText(f));
}
