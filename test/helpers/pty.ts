/**
 * The built CLI on a real pty of a set size, and what it printed as a user
 * sees it. script(1) gives the pty (as a terminal emulator does) and
 * `stty cols N rows M` sizes it before the CLI starts, so the CLI's isatty(1)
 * and its window size are the kernel's, never a mock.
 */
import { spawn } from 'node:child_process';
import { BIN, type CliResult } from './cli.js';

export interface PtyResult {
  code: number;
  /** Everything the pty showed (stdout and stderr), with the pty's CR LF turned back into LF. */
  out: string;
  /** The bytes as the pty sent them. */
  raw: Buffer;
}

/** Quotes one word for sh -c. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_./=:,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The environment every run starts from: a UTF-8 locale and none of the
 * variables under test, unless a test sets them. An undefined value removes
 * the variable.
 */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LANG: 'C.UTF-8',
    LC_ALL: undefined,
    LC_CTYPE: undefined,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    COLUMNS: undefined,
    TERM: 'xterm',
    ...extra,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/**
 * Runs `daemon-check ARGS` on a fresh pty of `cols` columns (0: a pty that
 * reports no size). stdin is /dev/null: script(1) passes its EOF on, and the
 * CLI never reads stdin.
 */
export function runOnPty(
  args: string[],
  o: { cols: number; rows?: number; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<PtyResult> {
  const cmd = `stty cols ${o.cols} rows ${o.rows ?? (o.cols ? 50 : 0)} && exec ${[process.execPath, BIN, ...args].map(shq).join(' ')}`;
  return new Promise((resolve, reject) => {
    // -e: script exits with the command's status; SHELL: what script runs the command with.
    const child = spawn('script', ['-qefc', cmd, '/dev/null'], {
      env: { ...baseEnv(o.env), SHELL: '/bin/sh' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (err) return reject(new Error(`script(1) failed: ${err}`));
      const raw = Buffer.concat(chunks);
      resolve({ code: code ?? (signal ? 128 : 1), out: raw.toString('utf8').replace(/\r\n/g, '\n'), raw });
    });
  });
}

/** The same command piped (stdout and stderr are pipes, not terminals), from the same base environment. */
export function runPiped(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 45_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** What a terminal shows of one line: escapes take no room, every code point (box drawing too) one column. */
export function visibleWidth(line: string): number {
  return [...stripAnsi(line)].length;
}

/** The lines wider than `cols`, with their widths, for a readable failure. */
export function overflowing(text: string, cols: number): Array<{ width: number; line: string }> {
  return text
    .split('\n')
    .map((line) => ({ width: visibleWidth(line), line: stripAnsi(line) }))
    .filter((l) => l.width > cols);
}

/** Whether the bytes hold a CSI escape (ESC [), i.e. colour. */
export function hasEscape(s: string | Buffer): boolean {
  return Buffer.from(s).includes('\u001b[');
}

/** Every code point >= 0x80 in `s`, once each. */
export function nonAscii(s: string): string[] {
  return [...new Set([...s].filter((c) => c.codePointAt(0)! >= 0x80))];
}
