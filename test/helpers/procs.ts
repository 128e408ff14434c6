/**
 * Real processes for live tests, and their cleanup: every process a test
 * starts is recorded by pid and killed in afterAll/afterEach (temp dirs:
 * temp.ts, re-exported here).
 */
import { execFileSync, spawn, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { helperAvailable } from '../../src/daemonize/helper.js';
import { noteProcess } from '../setup/registry.js';

export const SUBJECTS = path.resolve(__dirname, '..', 'subjects');
export const PYDAEMON = path.join(SUBJECTS, 'pydaemon.py');

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls F (vi.waitFor: at once, then every intervalMs) until it gives a truthy
 * value, and returns that value; rejects with "timed out waiting for WHAT"
 * after timeoutMs. F may be async; an error F throws counts as "not yet".
 */
export function waitFor<T>(
  what: string,
  f: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  return vi.waitFor(
    async () => {
      const v = await f();
      if (!v) throw new Error(`timed out waiting for ${what}`);
      return v;
    },
    { timeout: timeoutMs, interval: intervalMs },
  );
}

export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

/**
 * PID no longer runs the process whose argv carried MARKER. pid_max may be as
 * low as 32768 and a busy test run wraps it, so an exited pid can belong to
 * someone else a moment later: "is the pid alive" alone can lie.
 */
export function goneAs(pid: number, marker: string): boolean {
  if (!alive(pid)) return true;
  try {
    return !fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return true;
  }
}

/** State and starttime (stat fields 3 and 22, after the last ')'), or null when the pid is gone. */
export function procIdentity(pid: number): { state: string; start: string } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0]!, start: f[19]! };
  } catch {
    return null;
  }
}

/**
 * Sends SIGNAL to PID, by pid only; false when there was no such process. A
 * pid below 2 is refused: process.kill(0) or (-1) would signal whole groups.
 */
export function killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  if (!Number.isInteger(pid) || pid < 2 || pid === process.pid) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs every pid, then waits, at most timeoutMs and never throwing, until none is alive (a zombie is gone). */
export async function killAndWait(pids: Iterable<number>, timeoutMs = 5000): Promise<void> {
  const sent = [...pids].filter((p) => killPid(p));
  await waitFor('killed processes to exit', () => sent.every((p) => !alive(p)), timeoutMs).catch(() => undefined);
}

/** Every pid in /proc now. */
export function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** The parent pid (stat field 4), or null when the pid is gone. */
export function ppidOf(pid: number): number | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** The live children of a process (of any of its threads). */
export function childrenOf(pid: number): number[] {
  return allPids().filter((p) => ppidOf(p) === pid && alive(p));
}

/** The argv of a process, or null when it is gone ([] for a kernel thread or a zombie). */
export function cmdlineOf(pid: number): string[] | null {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw === '' ? [] : raw.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

/** The command line as ps shows it (argv joined by spaces, empty arguments dropped), '' when gone. */
export function commandLine(pid: number): string {
  return (cmdlineOf(pid) ?? []).filter(Boolean).join(' ');
}

/** The pid a pidfile names, or null while it is missing, empty or not a positive number. */
export function pidInFile(file: string): number | null {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** The newest process whose whole command line (space-joined) equals or matches `re`. */
export function findProcess(re: RegExp): number | null {
  let best: number | null = null;
  for (const pid of allPids()) if (re.test(commandLine(pid)) && (best === null || pid > best)) best = pid;
  return best;
}

/** The child of `parent` whose comm is `comm`, or null. */
export function childOf(parent: number, comm: string): number | null {
  try {
    for (const c of fs
      .readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)) {
      if (fs.readFileSync(`/proc/${c}/comm`, 'utf8').trim() === comm) return Number(c);
    }
  } catch {
    /* gone */
  }
  return null;
}

/** A unique number for sleep arguments, so tests running side by side never match each other's processes. */
export function uniqueSeconds(): number {
  return 100000 + Math.floor(Math.random() * 800000);
}

const usedNumbers = new Set<number>();
/**
 * A number for `sleep N` that no other process has: 8 digits (uniqueSeconds
 * gives 6), never repeated in this test file. The login tests type it and
 * find their job by it.
 */
export function uniqueNumber(): number {
  for (;;) {
    const n = 10_000_000 + Math.floor(Math.random() * 89_999_999);
    if (!usedNumbers.has(n) && findProcess(new RegExp(`\\b${n}\\b`)) === null) {
      usedNumbers.add(n);
      return n;
    }
  }
}

/** Every number uniqueNumber() gave in this test file (to look for what is still running with one). */
export function numbersGiven(): number[] {
  return [...usedNumbers];
}

/**
 * The processes a test file started, SIGKILLed by pid at killAll(), but only
 * while the pid still names the same process (its start time): on a busy host
 * a dead process's pid can be handed to someone else's process meanwhile.
 * Cleanups registered with onCleanup run at killAll() too.
 */
export class Tracker {
  private procs: Array<{ pid: number; start: string }> = [];
  private cleanups: Array<() => void> = [];
  track(pid: number): number {
    const id = procIdentity(pid);
    if (id) {
      this.procs.push({ pid, start: id.start });
      // The file's leak check (test/setup/file-check.ts) holds it to being gone when the file ends.
      noteProcess({ pid, start: id.start });
    }
    return pid;
  }
  onCleanup(f: () => void): void {
    this.cleanups.push(f);
  }
  async killAll(): Promise<void> {
    const same = ({ pid, start }: { pid: number; start: string }) => procIdentity(pid)?.start === start;
    const live = this.procs.splice(0).filter(same);
    for (const { pid } of live) killPid(pid);
    for (const f of this.cleanups.splice(0)) {
      try {
        f();
      } catch {
        /* best effort */
      }
    }
    // Dead: gone, reused, or a zombie (an orphan's reaper may take a second or two).
    await waitFor(
      'tracked processes to exit',
      () => live.every((p) => !same(p) || procIdentity(p.pid)?.state === 'Z'),
      5000,
    ).catch(() => undefined);
  }
}

/**
 * A Tracker whose processes are killed at the end of the enclosing describe
 * (or test file), and after each of its tests too with `eachTest`.
 */
export function trackProcesses(opts: { eachTest?: boolean } = {}): Tracker {
  const tracker = new Tracker();
  if (opts.eachTest) afterEach(() => tracker.killAll());
  afterAll(() => tracker.killAll());
  return tracker;
}

/**
 * Builds the native helper (scripts/build-native.mjs) before the tests of the
 * enclosing describe or file, and fails them with its reason if it is still
 * not there: `daemon-check run` and daemonize() start everything through it.
 */
export function buildNativeHelper(): void {
  beforeAll(() => {
    execFileSync(process.execPath, [path.resolve(__dirname, '..', '..', 'scripts', 'build-native.mjs')], {
      stdio: 'inherit',
    });
    const h = helperAvailable();
    if (!h.ok) throw new Error(`helper not built: ${h.reason}`);
  }, 60_000);
}

/**
 * Bundles an ES module that imports the current src/ into OUTFILE (one file,
 * no node_modules), so that a node run as another user (nobody) can load it.
 * IMPORTS maps a name to the src/ module (e.g. 'host/logind.ts') it comes from.
 */
export async function bundleSrc(outfile: string, imports: Record<string, string>, body: string): Promise<void> {
  const src = path.resolve(__dirname, '..', '..', 'src');
  const lines = Object.entries(imports).map(
    ([name, mod]) => `import { ${name} } from ${JSON.stringify(path.join(src, mod))};\n`,
  );
  await build({
    stdin: { contents: lines.join('') + body, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'silent',
  });
}

export { tempDir, tempDirs } from './temp.js';

/** The path of program CMD: on PATH, or in the sbin and bin folders a root shell would search. */
export function which(cmd: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  return dirs.map((d) => path.join(d, cmd)).find((p) => fs.existsSync(p));
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the python textbook daemon and returns its pid (read from a report
 * fd), the launcher pid, and its pidfile when asked for.
 */
export async function startPyDaemon(
  tracker: Tracker,
  args: string[],
  extraStdio: StdioOptions = [],
): Promise<{ pid: number; launcher: number | null }> {
  const stdio = ['ignore', 'ignore', 'ignore', 'pipe', ...(extraStdio as unknown[])] as StdioOptions;
  const child = spawn('python3', [PYDAEMON, '--report-fd', '3', ...args], { stdio });
  const out = child.stdio[3] as NodeJS.ReadableStream;
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  await new Promise<void>((resolve, reject) => {
    out.on('end', () => resolve());
    out.on('error', reject);
  });
  await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', () => resolve())));
  const launcher = /launcher (\d+)/.exec(text);
  const m = /^(\d+)$/m.exec(text);
  if (!m) throw new Error(`pydaemon did not report its pid (got ${JSON.stringify(text)})`);
  const pid = tracker.track(Number(m[1]));
  return { pid, launcher: launcher ? Number(launcher[1]) : null };
}

/** tmux arguments for a detached session 'main' of 200x50, with no user configuration read. */
export const TMUX_NEW_SESSION = ['-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', '200', '-y', '50'];

/**
 * An interactive bash on a real pty. 'login' (the default): a login bash on a
 * pty of script(1), as a terminal emulator or sshd gives one, run inside a
 * private tmux server only so that keys can be typed into it. 'pane': a bash
 * directly in a tmux pane, whose pty is the multiplexer's.
 */
export class PtyShell {
  readonly socket = `dc-test-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  serverPid: number | null = null;
  shellPid: number | null = null;

  constructor(private readonly kind: 'login' | 'pane' = 'login') {}

  async start(tracker: Tracker, cwd: string): Promise<void> {
    const shell =
      this.kind === 'login'
        ? `exec script -qfc 'exec bash --login --norc --noprofile -i' /dev/null`
        : 'exec bash --norc --noprofile -i';
    execFileSync('tmux', ['-L', this.socket, ...TMUX_NEW_SESSION, `cd ${cwd} && ${shell}`], {
      stdio: 'ignore',
      env: { ...process.env, TMUX: '' },
    });
    tracker.onCleanup(() => execFileSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' }));
    const out = execFileSync('tmux', ['-L', this.socket, 'display-message', '-p', '-t', 'main', '#{pid} #{pane_pid}'], {
      encoding: 'utf8',
    });
    const [server, pane] = out.trim().split(' ').map(Number);
    this.serverPid = tracker.track(server!);
    tracker.track(pane!);
    this.shellPid =
      this.kind === 'pane' ? pane! : tracker.track(await waitFor('the login shell', () => childOf(pane!, 'bash')));
    // The shell reads commands once it answers one.
    const n = Math.floor(Math.random() * 1e6);
    this.type(`echo dc-ready-$((${n}+1))`);
    await waitFor('the shell prompt', () => this.screen().includes(`dc-ready-${n + 1}`));
  }

  /** What the pane shows now. */
  screen(): string {
    return execFileSync('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', 'main'], { encoding: 'utf8' });
  }

  type(line: string): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-t', 'main', line, 'Enter'], { stdio: 'ignore' });
  }
}

/** ps's own view of a process, to compare facts against an independent reader. */
export function psView(pid: number): { ppid: number; pgid: number; sid: number; tpgid: number; tty: string } {
  const out = execFileSync('ps', ['-o', 'ppid=,pgid=,sid=,tpgid=,tty=', '-p', String(pid)], { encoding: 'utf8' })
    .trim()
    .split(/\s+/);
  return { ppid: Number(out[0]), pgid: Number(out[1]), sid: Number(out[2]), tpgid: Number(out[3]), tty: out[4]! };
}

/** The python3 binary itself (not a pyenv shim or wrapper script), or undefined without python3. */
export function realPython(): string | undefined {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
