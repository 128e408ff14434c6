/**
 * Real processes for live tests, and their cleanup: every process a test
 * starts is recorded by pid and killed in afterAll/afterEach.
 */
import { execFileSync, spawn, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const SUBJECTS = path.resolve(__dirname, '..', 'subjects');
export const PYDAEMON = path.join(SUBJECTS, 'pydaemon.py');

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor<T>(what: string, f: () => T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
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

/** The newest process whose whole command line (space-joined) equals or matches `re`. */
export function findProcess(re: RegExp): number | null {
  let best: number | null = null;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      if (re.test(cmd) && (best === null || Number(d) > best)) best = Number(d);
    } catch {
      /* gone */
    }
  }
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

export class Tracker {
  private pids = new Set<number>();
  private cleanups: Array<() => void> = [];
  track(pid: number): number {
    this.pids.add(pid);
    return pid;
  }
  onCleanup(f: () => void): void {
    this.cleanups.push(f);
  }
  async killAll(): Promise<void> {
    for (const pid of this.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const f of this.cleanups.splice(0)) {
      try {
        f();
      } catch {
        /* best effort */
      }
    }
    const pids = [...this.pids];
    this.pids.clear();
    await waitFor('tracked processes to exit', () => pids.every((p) => !alive(p)), 5000).catch(() => undefined);
  }
}

export function tempDir(prefix = 'dc-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
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
    execFileSync(
      'tmux',
      [
        '-L',
        this.socket,
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-s',
        'main',
        '-x',
        '200',
        '-y',
        '50',
        `cd ${cwd} && ${shell}`,
      ],
      {
        stdio: 'ignore',
        env: { ...process.env, TMUX: '' },
      },
    );
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
