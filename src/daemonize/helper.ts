// TypeScript side of the native helper (native/, start.c and the files it
// calls), which starts a command as a textbook SysV daemon. Node cannot fork,
// so the double fork, setsid, pidfile locking and exec-failure reporting all
// happen in C; this module turns options into its argv and its exit code and
// failure fields (--json-errors: one JSON line on stderr, see failure.ts) into
// a typed error (locate.ts finds the binary).
import { spawn } from 'node:child_process';
import { failureMessage, forkedAwayReason, HELPER_EXIT, type HelperFailure } from './failure.js';
import { HELPER_FIX, helperAvailable } from '../core/helper-path.js';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';

export { helperAvailable, helperPath } from '../core/helper-path.js';
export { AT_ONCE_MS, ranFor } from './failure.js';

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
  const args: string[] = ['--json', '--json-errors'];
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

/** The helper's failure fields: the last stderr line that is a JSON object with a stage (see failure.ts). */
function failureFields(stderr: string): HelperFailure | undefined {
  for (const line of stderr.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const f = JSON.parse(line) as HelperFailure;
      if (typeof f === 'object' && f !== null && typeof f.stage === 'string') return f;
    } catch {
      // not one of ours (e.g. a line a wrapper printed)
    }
  }
  return undefined;
}

/** The DaemonizeError for the helper's exit CODE and what it wrote on stderr. */
function errorFor(code: number, stderr: string, ranMs: number): DaemonizeError {
  const f = failureFields(stderr);
  if (!f) {
    // No fields: not our helper's failure line (it crashed, or something ran instead of it).
    const last = stderr
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1);
    return new DaemonizeError(last ?? `the native helper failed with exit code ${code}`, 'START_FAILED', code);
  }
  // The helper says "at once" of any exit within its settle window: how long it ran is measured here.
  if (f.stage === 'exited') f.ranMs = ranMs;
  const message = failureMessage(f);
  switch (code) {
    case HELPER_EXIT.notfound:
      return new DaemonizeError(message, 'EXEC_NOT_FOUND', code);
    case HELPER_EXIT.noexec:
      return new DaemonizeError(message, 'EXEC_FAILED', code);
    case HELPER_EXIT.locked:
      return new DaemonizeError(message, 'ALREADY_RUNNING', code, f.runningPid ?? undefined);
    default:
      // Refused, and nothing it started is left running.
      if (f.stage === 'forked-away' && f.launcher !== undefined)
        return new DaemonizeError(message, 'FORKED_AWAY', code, undefined, {
          launcher: f.launcher,
          reason: forkedAwayReason(f),
        });
      // 1, or 2 if helperArgs let through something the helper rejects.
      return new DaemonizeError(message, 'START_FAILED', code);
  }
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
      const err = errorFor(code, stderr, performance.now() - began);
      if (err.code !== 'ALREADY_RUNNING') removeCreatedPidfile(options.pidfile, existed);
      reject(err);
    });
  });
}
