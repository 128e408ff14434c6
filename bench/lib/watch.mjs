// The watch benchmarks (entries 13 and 14): one `daemon-check watch PID --for
// S --format json` run of the built CLI under bench/helpers/rusage.py, and
// the CPU time of the whole watcher: the CLI's node process and the native
// helper it starts (`daemon-check-helper watch`), which node reaps, so that
// getrusage(RUSAGE_CHILDREN) in the wrapper counts both.  Besides that total
// (startup, prediction audit and exit included), the two processes' utime +
// stime are read from /proc/PID/stat once the helper reads its trace_pipe and
// again two seconds before --for runs out: the steady share, without the
// start.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, unlessAborted, within } from './abort.mjs';
import { CLI, NODE, ROOT } from './commands.mjs';
import { CLEAN_ENV, shellWords } from './exec.mjs';
import { readProc } from './proc.mjs';
import { HELPERS } from './subjects.mjs';

export const HELPER_BIN = join(ROOT, 'native', 'build', 'daemon-check-helper');
const TICK_HZ = 100; // USER_HZ: the unit of utime and stime in /proc/PID/stat on Linux

/** Why the watch benches cannot run here, or null. */
export function watchPrecheck() {
  if (process.getuid() !== 0) return 'not root: the watch uses tracefs and the proc connector only as root';
  try {
    statSync(HELPER_BIN);
  } catch {
    return 'native/build/daemon-check-helper is missing (node scripts/build-native.mjs builds it)';
  }
  return null;
}

/** utime + stime of pid in seconds (threads included), or null when it is gone. */
function cpuSeconds(pid) {
  const s = readProc(pid, 'stat');
  if (s === null) return null;
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK_HZ;
}

function childrenOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      (readProc(pid, `task/${t}/children`) ?? '').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** Whether pid has trace_pipe open: from then on, its instance's events are kept for it. */
function readsTracePipe(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith('/trace_pipe');
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Total forks on the host since boot (the `processes` line of /proc/stat). */
export function hostForks() {
  return Number(/^processes (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? NaN);
}

async function until(test, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = test();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
    await unlessAborted(sleep(20));
  }
}

export const watchCommand = (pid, seconds) => ({
  label: `daemon-check watch PID --for ${seconds} --format json (node + helper)`,
  command: `${shellWords([NODE, CLI])} watch PID --for ${seconds} --format json`,
});

/**
 * One watch of `pid` for `seconds`.  onReady(t) is called (and awaited) once
 * the helper reads its trace_pipe.  Resolves to {lines, summary, cpu, steady,
 * wall, ready} where cpu is the total CPU seconds of node and helper.
 */
export async function runWatch(ctx, pid, seconds, onReady = async () => {}) {
  const argv = [join(HELPERS, 'rusage.py'), NODE, CLI, 'watch', String(pid), '--for', String(seconds)];
  const proc = spawn(ctx.python, [...argv, '--format', 'json'], {
    cwd: ROOT,
    env: CLEAN_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const item = ctx.owned.addChild(proc, 'watch under rusage.py', 'SIGTERM');
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  const closed = new Promise((resolve) => proc.once('close', resolve));
  const t0 = Date.now();
  try {
    const node = await until(() => childrenOf(proc.pid)[0], 10000, 'the CLI did not start');
    ctx.owned.remember(node, null);
    const helper = await until(() => childrenOf(node).find(readsTracePipe), 30000, 'the watch did not start');
    ctx.owned.remember(helper, null);
    const ready = Date.now();
    const first = { t: ready, cpu: cpuSeconds(node) + cpuSeconds(helper) };
    let last = null;
    const lastSample = (async () => {
      await unlessAborted(sleep(Math.max(0, t0 + (seconds - 2) * 1000 - Date.now())));
      const [a, b] = [cpuSeconds(node), cpuSeconds(helper)];
      if (a !== null && b !== null) last = { t: Date.now(), cpu: a + b, helper: b };
    })();
    await onReady(ready);
    await lastSample;
    if (!(await within(unlessAborted(closed), (seconds + 30) * 1000))) throw new Error('the watch did not end');
    const wall = (Date.now() - t0) / 1000;
    const lines = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const ru = lines.pop();
    if (!ru?.rusage) throw new Error('no rusage line from bench/helpers/rusage.py');
    if (ru.status !== 0) throw new Error(`the watch exited with status ${ru.status}: ${err.trim().slice(0, 300)}`);
    const summary = lines.find((l) => l.kind === 'summary');
    if (!summary) throw new Error('the watch printed no summary');
    const steady = last && {
      share: (last.cpu - first.cpu) / ((last.t - first.t) / 1000),
      span: (last.t - first.t) / 1000,
    };
    return {
      lines,
      summary,
      cpu: ru.rusage.user + ru.rusage.sys,
      rusage: ru.rusage,
      steady,
      wall,
      startup: (ready - t0) / 1000,
    };
  } finally {
    await ctx.owned.release(item);
  }
}

/** A child process of the bench that prints "ready" first; resolves to {proc, item}. */
export async function startReady(ctx, argv, label, signal = 'SIGTERM') {
  const proc = spawn(argv[0], argv.slice(1), { cwd: '/', env: CLEAN_ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  const item = ctx.owned.addChild(proc, label, signal);
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  try {
    await until(() => out.startsWith('ready\n') || proc.exitCode !== null, 10000, `${label} did not start`);
    if (proc.exitCode !== null) throw new Error(`${label} exited with status ${proc.exitCode}`);
  } catch (e) {
    await ctx.owned.release(item);
    throw e;
  }
  const closed = new Promise((resolve) => proc.once('close', resolve));
  /** Stop it with SIGTERM and resolve to its last line, parsed. */
  const stop = async () => {
    ctx.owned.signal(item);
    await within(unlessAborted(closed), 10000);
    await ctx.owned.release(item);
    const last = out.trim().split('\n').pop();
    return last === 'ready' ? null : JSON.parse(last);
  };
  return { proc, item, stop };
}

export const pct = (share) => share * 100;
