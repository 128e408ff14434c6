// Shared pieces of the benchmark harness: timing, statistics, /proc helpers,
// and the registry of every process the bench starts (so it can kill them all,
// by pid, whatever happens).  node: builtins only.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

// ---------------------------------------------------------------- statistics

export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  return { median: median(s), min: s[0], max: s[s.length - 1], n: s.length };
}

// ------------------------------------------------------------------- abort

/** Set by the SIGINT/SIGTERM handlers; measurement loops check it between runs. */
export const abort = { signal: null, listeners: new Set() };

export class Aborted extends Error {
  constructor(signal) {
    super(`interrupted by ${signal}`);
    this.name = 'Aborted';
  }
}

export function checkAbort() {
  if (abort.signal) throw new Aborted(abort.signal);
}

export function requestAbort(signal) {
  if (abort.signal) return;
  abort.signal = signal;
  for (const fn of abort.listeners) fn(signal);
}

/** Resolves like `promise`, but rejects with Aborted as soon as an abort is requested. */
export function unlessAborted(promise) {
  if (abort.signal) return Promise.reject(new Aborted(abort.signal));
  let fn;
  const stop = new Promise((_, reject) => {
    fn = (sig) => reject(new Aborted(sig));
    abort.listeners.add(fn);
  });
  return Promise.race([promise, stop]).finally(() => abort.listeners.delete(fn));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------- timing

const RUN_TIMEOUT_MS = 10 * 60 * 1000;

function describe(cmd) {
  return cmd.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}
export { describe as shellWords };

/**
 * Run cmd once with spawnSync, stdin and stdout on /dev/null (stderr kept for
 * the error message), and return the wall time in milliseconds.  An exit
 * status outside `ok` is a harness failure: the figure would be meaningless.
 */
export function timeOnce(cmd, { ok = [0], cwd, env, stdout = 'ignore' } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), {
    stdio: ['ignore', stdout, 'pipe'],
    cwd,
    env,
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw new Error(`${describe(cmd)}: ${r.error.message}`);
  if (r.signal) {
    // Ctrl-C reaches the child too (same process group), maybe before our handler ran.
    if (r.signal === 'SIGINT') requestAbort('SIGINT');
    if (abort.signal) throw new Aborted(abort.signal);
    throw new Error(`${describe(cmd)} was killed by ${r.signal}`);
  }
  if (!ok.includes(r.status)) {
    const err = String(r.stderr ?? '').trim().split('\n').slice(-5).join('\n  ');
    throw new Error(`${describe(cmd)} exited with status ${r.status}${err ? `:\n  ${err}` : ''}`);
  }
  return { ms, status: r.status, stdout: r.stdout ? String(r.stdout) : '' };
}

/**
 * Alternate A and B: `warmup` discarded pairs, then `runs` measured pairs
 * A, B, A, B, ...  Each side is an async function returning a number (and may
 * prepare the machine first, e.g. start or stop processes, outside its
 * timing).  The loop yields to the event loop between runs so Ctrl-C is seen.
 */
export async function alternate({ runs, warmup = 1, a, b, onProgress }) {
  const out = { a: [], b: [] };
  for (let i = 0; i < warmup + runs; i++) {
    for (const [side, fn] of [['a', a], ['b', b]]) {
      await yieldToLoop();
      checkAbort();
      const v = await fn(i);
      if (i >= warmup) out[side].push(v);
    }
    if (onProgress) onProgress(i + 1, warmup + runs);
  }
  return out;
}

// ------------------------------------------------------------------- /proc

export function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

export function cmdline(pid) {
  const c = readProc(pid, 'cmdline');
  return c === null ? null : c.split('\0').slice(0, -1);
}

/** {state, ppid} from /proc/PID/stat, or null when the process is gone. */
export function stat(pid) {
  const s = readProc(pid, 'stat');
  if (s === null) return null;
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], ppid: Number(f[1]) };
}

export function allPids() {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Live (not zombie) process ids, and zombies, right now. */
export function census() {
  const live = [];
  const zombies = [];
  for (const pid of allPids()) {
    const s = stat(pid);
    if (!s) continue;
    (s.state === 'Z' ? zombies : live).push(pid);
  }
  return { live, zombies };
}

/** Number of processes in /proc (what ps -e and a scan walk over), zombies included. */
export const processCount = () => allPids().length;

/** True when pid exists and is not a zombie. */
export function alive(pid) {
  const s = stat(pid);
  return s !== null && s.state !== 'Z';
}

export function sameArgs(pid, args) {
  const c = cmdline(pid);
  return c !== null && c.length === args.length && c.every((x, i) => x === args[i]);
}

// ------------------------------------------------------ owned processes

/**
 * Every process the bench starts is recorded here and killed by pid in
 * cleanup().  Three kinds:
 *  - child:  a ChildProcess we spawned (we reap it by waiting for 'exit');
 *  - swarm:  a bench/swarm.py helper and the pids of its children: we kill the
 *            children, then SIGTERM the helper, which reaps them and exits;
 *  - orphan: a pid whose parent is not us (a daemon reparented to PID 1); we
 *            kill it if it still runs the command we started.
 */
export class Owned {
  constructor() {
    this.items = new Set();
    /** pid -> argv of every process ever registered, for the final leak check. */
    this.history = new Map();
  }

  remember(pid, args) {
    if (pid) this.history.set(pid, args ?? cmdline(pid) ?? []);
  }

  /** Registered processes that still run what we started (by pid and argv). */
  leftovers() {
    return [...this.history].filter(([pid, args]) => alive(pid) && args.length && sameArgs(pid, args)).map(([pid, args]) => ({ pid, args: args.join(' ') }));
  }

  addChild(proc, label, signal = 'SIGKILL') {
    const item = { kind: 'child', proc, label, signal, exited: exitPromise(proc) };
    this.remember(proc.pid, proc.spawnargs);
    this.items.add(item);
    return item;
  }

  addSwarm(proc, pids, label) {
    const item = { kind: 'swarm', proc, pids, label, exited: exitPromise(proc) };
    this.remember(proc.pid, proc.spawnargs);
    this.items.add(item);
    return item;
  }

  addOrphan(pid, args, label) {
    const item = { kind: 'orphan', pid, args, label };
    this.remember(pid, args);
    this.items.add(item);
    return item;
  }

  /** Send the kill signals for one item (no waiting). */
  signal(item) {
    const kill = (pid, sig) => {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    };
    const running = (p) => p.exitCode === null && p.signalCode === null;
    if (item.kind === 'child') {
      if (running(item.proc)) kill(item.proc.pid, item.signal);
    } else if (item.kind === 'swarm') {
      // While the helper runs, its children cannot be reaped by anyone else,
      // so their pids cannot have been reused: safe to kill by pid.
      if (running(item.proc)) {
        for (const pid of item.pids) kill(pid, 'SIGKILL');
        kill(item.proc.pid, 'SIGTERM');
        item.proc.stdin?.destroy();
      }
    } else if (item.kind === 'orphan') {
      if (alive(item.pid) && sameArgs(item.pid, item.args)) kill(item.pid, 'SIGKILL');
    }
  }

  /** Kill one item and wait until it is gone (and, for our children, reaped). */
  async release(item, timeoutMs = 15000) {
    if (!this.items.has(item)) return;
    this.signal(item);
    if (item.exited) {
      const done = await Promise.race([item.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!done) {
        try {
          process.kill(item.proc.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await Promise.race([item.exited, sleep(2000)]);
      }
    } else {
      for (let i = 0; i < 200 && alive(item.pid); i++) await sleep(10);
    }
    this.items.delete(item);
  }

  async releaseAll() {
    const list = [...this.items];
    for (const item of list) this.signal(item);
    await Promise.all(list.map((item) => this.release(item)));
  }

  /** Last resort (second Ctrl-C): signal everything, do not wait. */
  signalAllSync() {
    for (const item of this.items) this.signal(item);
  }
}

function exitPromise(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.once('error', () => {
      if (proc.pid === undefined) resolve(); // never started
    });
  });
}

/** Read stdout of a spawned helper until its first line; reject if it exits first. */
export function firstLine(proc, label, timeoutMs) {
  return unlessAborted(
    new Promise((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`${label}: no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      const onData = (d) => {
        buf += d;
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          proc.stdout.off('data', onData);
          resolve(buf.slice(0, nl));
        }
      };
      proc.stdout.setEncoding('utf8');
      proc.stdout.on('data', onData);
      proc.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`${label}: ${e.message}`));
      });
      proc.once('exit', (code, sig) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited (${sig ?? `status ${code}`}) before it was ready${buf ? `: ${buf.trim()}` : ''}`));
      });
    }),
  );
}

/** Start bench/swarm.py with n children; resolves to the registry item. */
export async function startSwarm(owned, python, script, n) {
  const proc = spawn(python, [script, String(n)], { cwd: '/', stdio: ['pipe', 'pipe', 'inherit'] });
  const item = owned.addSwarm(proc, [], `swarm of ${n}`);
  let line;
  try {
    line = await firstLine(proc, `bench/swarm.py ${n}`, 60000 + n * 20);
  } catch (e) {
    await owned.release(item);
    throw e;
  }
  const msg = JSON.parse(line);
  if (msg.error) {
    await owned.release(item);
    throw new Error(`could not start ${n} processes: ${msg.error}`);
  }
  item.pids = msg.pids;
  for (const pid of msg.pids) owned.remember(pid, ['sleep', '100000']);
  return item;
}

export { spawn, spawnSync };
