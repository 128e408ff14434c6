// TypeScript side of the native helper (native/daemon-check-helper.c), which
// starts a command as a textbook SysV daemon. Node cannot fork, so the double
// fork, setsid, pidfile locking and exec-failure reporting all happen in C;
// this module turns options into its argv and maps its exit code and
// one-line stderr message to a typed error (locate.ts finds the binary).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { HELPER_FIX, helperAvailable } from './locate.js';

export { helperAvailable, helperPath } from './locate.js';

export interface DaemonizeOptions {
  /** The command and its arguments; command[0] is looked up on the daemon's PATH. */
  command: string[];
  /** Pidfile to create, lock (OFD write lock) and fill with the daemon's pid. */
  pidfile?: string;
  /** The daemon's umask, e.g. 0o022. Default 0o022 (systemd's UMask= default). */
  umask?: number;
  /** The daemon's working directory. Default `/`. */
  chdir?: string;
  /** Append the daemon's stdout to this file (created 0640). Default /dev/null. */
  stdout?: string;
  /** Append the daemon's stderr to this file (created 0640). Default /dev/null. */
  stderr?: string;
  /** `USER` or `USER:GROUP` to run as (needs root). */
  user?: string;
  /** Extra environment variables for the daemon. */
  env?: Record<string, string>;
  /** Start from an empty environment (PATH is kept), plus `env`. */
  clearEnv?: boolean;
  /** Wait up to this many seconds for the daemon to send READY=1 on $NOTIFY_SOCKET. */
  waitReady?: number;
  /**
   * Seconds to watch for a program that forks itself away (exits 0 while a
   * process it started lives on) and follow it to the real daemon; 0 turns
   * this off. Default (the helper's) 1.5. A program that keeps running, and
   * the process a program forked into, are only known to stay once the
   * window is over, so a start takes this long (less if it fails, or sends
   * READY=1 with waitReady).
   */
  settle?: number;
}

export interface DaemonizeResult {
  pid: number;
  /** Absolute path of the pidfile, or null when none was asked for. */
  pidfile: string | null;
  command: string[];
  /** Present when the program forked itself away and `pid` is the process it left: its own pid and exit status. */
  followed?: { launcher: number; status: number };
}

export type DaemonizeErrorCode =
  'EXEC_NOT_FOUND' | 'EXEC_FAILED' | 'ALREADY_RUNNING' | 'START_FAILED' | 'FORKED_AWAY' | 'HELPER_MISSING';

export class DaemonizeError extends Error {
  override readonly name = 'DaemonizeError';
  /** The helper's exit code: 127, 126, 3 or 1 (what `daemon-check run` exits with). */
  readonly exitCode: number;
  readonly code: DaemonizeErrorCode;
  /** For ALREADY_RUNNING: the pid recorded in the locked pidfile, if it had one. */
  readonly runningPid?: number;
  /** For FORKED_AWAY (the program forked itself away, and was not followed): its pid and why. */
  readonly forkedAway?: { launcher: number; reason: string };

  constructor(
    message: string,
    code: DaemonizeErrorCode,
    exitCode: number,
    runningPid?: number,
    forkedAway?: { launcher: number; reason: string },
  ) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
    if (runningPid !== undefined) this.runningPid = runningPid;
    if (forkedAway !== undefined) this.forkedAway = forkedAway;
  }
}

/** Turn options into the helper's argv; throws TypeError on a caller bug. */
function helperArgs(options: DaemonizeOptions): string[] {
  const args: string[] = ['--json'];
  const noNul = (what: string, s: string): string => {
    if (s.includes('\0')) throw new TypeError(`daemonize: ${what} must not contain a NUL byte`);
    return s;
  };
  const path = (flag: string, value: string | undefined): void => {
    if (value === undefined) return;
    if (value === '') throw new TypeError(`daemonize: ${flag} must not be empty`);
    args.push(`--${flag}`, noNul(flag, value));
  };

  if (!Array.isArray(options.command) || options.command.length === 0 || !options.command[0]) {
    throw new TypeError('daemonize: command must be a non-empty array of strings');
  }
  path('pidfile', options.pidfile);
  if (options.umask !== undefined) {
    if (!Number.isInteger(options.umask) || options.umask < 0 || options.umask > 0o777) {
      throw new TypeError(`daemonize: umask must be an integer from 0 to 0o777, got ${options.umask}`);
    }
    args.push('--umask', options.umask.toString(8).padStart(3, '0'));
  }
  path('chdir', options.chdir);
  path('stdout', options.stdout);
  path('stderr', options.stderr);
  path('user', options.user);
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (key === '' || key.includes('=')) {
      throw new TypeError(`daemonize: bad environment variable name '${key}'`);
    }
    args.push('--env', noNul('env', `${key}=${value}`));
  }
  if (options.clearEnv) args.push('--clear-env');
  if (options.waitReady !== undefined) {
    if (!Number.isFinite(options.waitReady) || options.waitReady <= 0 || options.waitReady > 1e6) {
      throw new TypeError(`daemonize: waitReady must be a number of seconds in (0, 1e6], got ${options.waitReady}`);
    }
    args.push(`--wait-ready=${options.waitReady}`);
  }
  if (options.settle !== undefined) {
    if (!Number.isFinite(options.settle) || options.settle < 0 || options.settle > 1e6) {
      throw new TypeError(`daemonize: settle must be a number of seconds in [0, 1e6], got ${options.settle}`);
    }
    args.push(`--settle=${options.settle}`);
  }
  args.push('--', ...options.command.map((a) => noNul('command', a)));
  return args;
}

/** The helper's error line (the last one starting with "daemon-check: "), without that prefix: printError adds it. */
function errorLine(stderr: string, fallback: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const ours = lines.filter((l) => l.startsWith('daemon-check: '));
  return (ours.at(-1) ?? lines.at(-1) ?? fallback).replace(/^daemon-check: /, '');
}

/** The error with "at once" replaced by how long the program ran, when that was longer than AT_ONCE_MS. */
function withDuration(err: DaemonizeError, ms: number): DaemonizeError {
  // An exit 0 that left nothing running is only known at the end of the settle window: the time is not its own.
  if (!/ at once\b/.test(err.message) || / left no process running| forked itself away/.test(err.message)) return err;
  if (ms <= AT_ONCE_MS) return err;
  return new DaemonizeError(err.message.replace(/ at once\b/, ` ${ranFor(ms)}`), err.code, err.exitCode);
}

/** The DaemonizeError for the helper's exit CODE and its one-line MESSAGE. */
function errorFor(code: number, message: string): DaemonizeError {
  switch (code) {
    case 127:
      return new DaemonizeError(message, 'EXEC_NOT_FOUND', code);
    case 126:
      return new DaemonizeError(message, 'EXEC_FAILED', code);
    case 3: {
      const m = /already running as pid (\d+)/.exec(message);
      return new DaemonizeError(message, 'ALREADY_RUNNING', code, m ? Number(m[1]) : undefined);
    }
    default: {
      // "CMD (pid N) forked itself away: WHY": refused, and nothing it started is left running.
      const away = /\(pid (\d+)\) forked itself away: (.*)$/.exec(message);
      if (code === 1 && away)
        return new DaemonizeError(message, 'FORKED_AWAY', code, undefined, {
          launcher: Number(away[1]),
          reason: away[2]!,
        });
      // 1, or 2 if helperArgs let through something the helper rejects.
      return new DaemonizeError(message, 'START_FAILED', code);
    }
  }
}

/** "At once" is said only of a program that ended within this many ms of its start; otherwise the time is given. */
export const AT_ONCE_MS = 100;

/** "at once", or "after 1.1 s": how long a program ran before it ended. */
export function ranFor(ms: number): string {
  return ms <= AT_ONCE_MS ? 'at once' : `after ${(ms / 1000).toFixed(1)} s`;
}

/**
 * Remove a pidfile this start created, once the start failed: the helper
 * empties it (it names a dead process), and an empty file left in /run only
 * misleads. A pidfile that was there before, or that names a live pid, stays.
 */
export function removeCreatedPidfile(path: string | undefined, existed: boolean): void {
  if (path === undefined || existed) return;
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`)) return;
    unlinkSync(path);
  } catch {
    // Not there, or not ours to remove: nothing to clean.
  }
}

/**
 * Start `options.command` as a daemon. Resolves once the exec succeeded and
 * the settle window is over (and, with waitReady, once READY=1 arrived), with
 * the process it forked into if it forked itself away; rejects with a
 * DaemonizeError otherwise. Rejects with a TypeError for malformed options.
 */
export function daemonize(options: DaemonizeOptions): Promise<DaemonizeResult> {
  return new Promise<DaemonizeResult>((resolve, reject) => {
    const helper = helperAvailable();
    if ('reason' in helper) {
      reject(new DaemonizeError(`${helper.reason}; to fix: ${helper.fix}`, 'HELPER_MISSING', 1));
      return;
    }
    const args = helperArgs(options); // throws TypeError -> rejection
    const existed = options.pidfile !== undefined && existsSync(options.pidfile);
    const began = performance.now();

    // argv array, no shell: nothing in the command is ever interpreted.
    const child = spawn(helper.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        new DaemonizeError(
          `cannot run the native helper ${helper.path}: ${err.message}; to fix: ${HELPER_FIX}`,
          'HELPER_MISSING',
          1,
        ),
      );
    });
    // 'close', not 'exit': all output has been read. The daemon never holds
    // these pipes (its stdio is /dev/null or the given files), so this comes
    // as soon as the helper exits.
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (code === 0) {
        try {
          const line = stdout.trim().split('\n').at(-1) ?? '';
          const parsed = JSON.parse(line) as DaemonizeResult;
          if (!Number.isInteger(parsed.pid) || parsed.pid <= 0) throw new Error('no pid');
          const result: DaemonizeResult = { pid: parsed.pid, pidfile: parsed.pidfile ?? null, command: parsed.command };
          if (parsed.followed) result.followed = { launcher: parsed.followed.launcher, status: parsed.followed.status };
          resolve(result);
        } catch {
          reject(
            new DaemonizeError(
              `the native helper reported success but printed no usable result: ${JSON.stringify(stdout)}`,
              'START_FAILED',
              1,
            ),
          );
        }
        return;
      }
      if (code === null) {
        reject(new DaemonizeError(`the native helper was killed by ${signal ?? 'a signal'}`, 'START_FAILED', 1));
        return;
      }
      const err = errorFor(code, errorLine(stderr, `the native helper failed with exit code ${code}`));
      if (err.code !== 'ALREADY_RUNNING') removeCreatedPidfile(options.pidfile, existed);
      // The helper says "at once" of any exit within its settle window: the time it ran is ours to give.
      reject(err.code === 'START_FAILED' ? withDuration(err, performance.now() - began) : err);
    });
  });
}
