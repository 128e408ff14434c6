// The registry of every process the bench starts, so that each is killed by
// pid whatever happens (normal end, exception, Ctrl-C, SIGTERM).  Two kinds:
//  - child:  a ChildProcess of the bench (it is reaped when Node sees its exit);
//  - helper: a bench/helpers/swarm.py that holds processes (its children, or
//            its master's).  Stopping it (SIGTERM, stdin closed) makes it
//            SIGKILL all of them and reap them before it exits; the bench
//            waits for that exit.
// Nothing is ever left to PID 1, which on some machines never reaps.
import { unlessAborted, within } from './abort.mjs';
import { cmdline, sameArgs, stat } from './proc.mjs';

function kill(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

const running = (p) => p.exitCode === null && p.signalCode === null;

function exitPromise(proc) {
  if (!running(proc)) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.once('error', () => {
      if (proc.pid === undefined) resolve(); // never started
    });
  });
}

export class Owned {
  constructor() {
    this.items = new Set();
    /** pid -> {args, start} of every process ever registered, for the final leak check. */
    this.history = new Map();
  }

  remember(pid, args, start = stat(pid)?.start ?? null) {
    if (pid) this.history.set(pid, { args: args ?? cmdline(pid) ?? [], start });
  }

  /** Whether the process pid that started at `start` is one the bench started. */
  started(pid, start) {
    const h = this.history.get(pid);
    return h !== undefined && h.start === start;
  }

  /** Registered processes that still exist, not as zombies (same pid and start time, or argv). */
  leftovers() {
    return [...this.history]
      .filter(([pid, { args, start }]) => {
        const s = stat(pid);
        return s !== null && s.state !== 'Z' && (start === null ? sameArgs(pid, args) : s.start === start);
      })
      .map(([pid, { args }]) => ({ pid, args: args.join(' ') }));
  }

  /** A child of the bench, killed with `signal` on release. */
  addChild(proc, label, signal = 'SIGKILL') {
    const item = { kind: 'child', proc, label, signal, pids: [], exited: exitPromise(proc) };
    this.remember(proc.pid, proc.spawnargs);
    this.items.add(item);
    return item;
  }

  /** A swarm.py helper; its processes are added with holds() once it reports them. */
  addHelper(proc, label) {
    const item = { kind: 'helper', proc, label, signal: 'SIGTERM', pids: [], exited: exitPromise(proc) };
    this.remember(proc.pid, proc.spawnargs);
    this.items.add(item);
    return item;
  }

  holds(item, pids, args) {
    item.pids.push(...pids.map((pid) => ({ pid, args })));
    for (const pid of pids) this.remember(pid, args);
  }

  /** Send the stop signal to one item, once (no waiting). */
  signal(item) {
    if (!running(item.proc) || item.signalled) return;
    item.signalled = true;
    kill(item.proc.pid, item.signal);
    item.proc.stdin?.destroy();
  }

  /** Stop one item and wait until it is gone and reaped (a helper: with all it held). */
  async release(item, timeoutMs = 30000) {
    if (!this.items.has(item)) return;
    this.signal(item);
    const done = await within(item.exited, timeoutMs);
    if (!done) {
      // A stuck helper: kill what it held ourselves (it has not reaped them,
      // so their pids are still theirs), then the helper.
      for (const { pid, args } of item.pids) if (sameArgs(pid, args)) kill(pid, 'SIGKILL');
      kill(item.proc.pid, 'SIGKILL');
      await within(item.exited, 2000);
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
    for (const item of this.items) {
      this.signal(item);
      for (const { pid, args } of item.pids) if (sameArgs(pid, args)) kill(pid, 'SIGKILL');
    }
  }
}

/** Read stdout of a spawned helper until its first line; reject if it exits first. */
export function firstLine(proc, label, timeoutMs) {
  return unlessAborted(
    new Promise((resolve, reject) => {
      let buf = '';
      // unref: after a Ctrl-C nobody waits for this answer any more.
      const timer = setTimeout(
        () => reject(new Error(`${label}: no answer within ${timeoutMs / 1000} s`)),
        timeoutMs,
      ).unref();
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
        reject(
          new Error(`${label} exited (${sig ?? `status ${code}`}) before it was ready${buf ? `: ${buf.trim()}` : ''}`),
        );
      });
    }),
  );
}
