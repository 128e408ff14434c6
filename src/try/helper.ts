/**
 * The driver of `daemon-check-helper try` (native/try.h has the protocol):
 * starts the helper, which holds the login (pty, subreaper, cgroup leaf),
 * and gives the session its words: type bytes, hang up, kill by pidfd,
 * release, quit; it collects what the pty printed and every child the
 * helper reaped.
 */
import type { ProcSource } from '../proc/source.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The helper's failure stages (native/protocol.h TRY_STAGE_*; test/unit/native-protocol.test.ts). */
export const TRY_STAGES = {
  usage: 'try-usage',
  userNotRoot: 'try-user-not-root',
  user: 'try-user',
  pty: 'try-pty',
  shell: 'try-shell',
  setup: 'try-setup',
} as const;

/** The name of the login's cgroup v2 leaf, before the helper's pid (native/protocol.h TRY_CGROUP_PREFIX). */
export const TRY_CGROUP_PREFIX = 'dc-try-';

/** A login that could not be started or run: one line, exit 3. */
export class TryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TryError';
  }
}

export interface HelperStart {
  helper: number;
  shell: number;
  pty: string;
  cgroup: string | null;
  cgroupError: string | null;
}

export interface LoginSpec {
  helperPath: string;
  /** The /proc the login's processes are read from (TryOptions.procRoot). */
  proc: ProcSource;
  shell: string;
  arg0: string;
  args: string[];
  user?: string;
  env: string[];
  /** Where the login starts (the caller's directory). */
  dir: string;
}

interface Line {
  kind: string;
  [key: string]: unknown;
}

function failureWords(text: string, spec: LoginSpec): string {
  let f: { stage?: string; error?: string; value?: string };
  try {
    f = JSON.parse(text) as typeof f;
  } catch {
    return text.trim() || 'the helper ended without a word';
  }
  const err = f.error ? `: ${f.error}` : '';
  switch (f.stage) {
    case TRY_STAGES.userNotRoot:
      return `--user ${f.value} needs root`;
    case TRY_STAGES.user:
      return `no such user: ${f.value}`;
    case TRY_STAGES.pty:
      return `no pty could be had${err}`;
    case TRY_STAGES.shell:
      return `the shell ${spec.shell} could not be started${err}`;
    default:
      return `the login could not be set up (${f.stage ?? 'unknown'}${err})`;
  }
}

export class TryHelper {
  output = '';
  readonly reaped = new Map<number, number>();
  start: HelperStart | null = null;
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];
  private pending: Line[] = [];
  private stderr = '';
  closed = false;

  readonly proc: ProcSource;

  private constructor(spec: LoginSpec) {
    this.proc = spec.proc;
    const args = ['try', '--json-errors', '--arg0', spec.arg0, '--chdir', spec.dir];
    if (spec.user) args.push('--user', spec.user);
    for (const e of spec.env) args.push('--env', e);
    args.push('--', spec.shell, ...spec.args);
    this.child = spawn(spec.helperPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('close', () => {
      this.closed = true;
      this.poke();
    });
    this.child.on('error', (e) => {
      this.stderr ||= String(e.message);
      this.closed = true;
      this.poke();
    });
    this.child.stdin!.on('error', () => undefined);
    createInterface({ input: this.child.stdout!, crlfDelay: Infinity }).on('line', (text) => this.onLine(text));
  }

  private onLine(text: string): void {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return;
    }
    if (line.kind === 'output') this.output += Buffer.from(String(line.hex), 'hex').toString('utf8');
    else if (line.kind === 'reaped') this.reaped.set(Number(line.pid), Number(line.status));
    else if (line.kind === 'start') this.start = line as unknown as HelperStart;
    else this.pending.push(line);
    this.poke();
  }

  private poke(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when COND holds (checked at each helper line), or false after MS. */
  async until(cond: () => boolean, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!cond()) {
      const left = end - Date.now();
      if (left <= 0 || this.closed) return cond();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  static async open(spec: LoginSpec): Promise<TryHelper> {
    const h = new TryHelper(spec);
    await h.until(() => h.start !== null, 10_000);
    if (!h.start) {
      h.child.kill('SIGKILL');
      await h.until(() => h.closed, 2000);
      throw new TryError(failureWords(h.stderr, spec));
    }
    return h;
  }

  private send(line: string): void {
    if (!this.closed) this.child.stdin!.write(`${line}\n`);
  }

  /** Waits for the reply of KIND. */
  private async reply(kind: string, ms = 10_000): Promise<Line | null> {
    let found: Line | null = null;
    await this.until(() => {
      const i = this.pending.findIndex((l) => l.kind === kind);
      if (i >= 0) found = this.pending.splice(i, 1)[0]!;
      return found !== null;
    }, ms);
    return found;
  }

  type(text: string): void {
    this.send(`type ${Buffer.from(text, 'utf8').toString('hex')}`);
  }

  async hangup(): Promise<void> {
    this.send('hangup');
    await this.reply('hungup');
  }

  /** SIGKILL to the leaf (cgroup.kill) and to each of PIDS still the login's, by pidfd. */
  async kill(pids: number[]): Promise<number[]> {
    this.send(`kill ${pids.join(' ')}`);
    const r = await this.reply('killed');
    return (r?.pids as number[] | undefined) ?? [];
  }

  /** Moves what is left in the leaf out of it (for --keep). */
  async release(): Promise<number[]> {
    this.send('release');
    const r = await this.reply('released');
    return (r?.pids as number[] | undefined) ?? [];
  }

  /** Removes the leaf and ends the helper: whether the leaf is gone. */
  async quit(): Promise<boolean> {
    this.send('quit');
    const r = await this.reply('end');
    await this.until(() => this.closed, 5000);
    if (!this.closed) this.child.kill('SIGKILL');
    return r?.cgroupRemoved === true;
  }

  get helperPid(): number {
    return this.start?.helper ?? 0;
  }
}
