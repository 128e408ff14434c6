/**
 * The leak check of one test file (vitest setupFiles: loaded in the file's
 * worker before the file itself). Every process a test starts must be ended
 * by pid before the file ends; a process left running fails the file, named
 * with its pid and command line, and is killed here by pid.
 *
 * How a process is known to be the file's:
 * - its environment carries this file's marker, DAEMON_CHECK_TEST_FILE=<worker
 *   pid>-<random>: it is put in process.env before the file loads, so every
 *   process the file starts inherits it, and the child_process functions below
 *   add it to an environment a test builds itself ({ env: { PATH } });
 * - or it carries an entry the helpers noted (registry.ts: the private sshd's
 *   SetEnv entry, which every SSH login's processes get);
 * - or a helper recorded its pid (Tracker.track): it must be gone, whatever
 *   its environment.
 * What escapes all three: a process whose environment was cleared after the
 * spawn (env -i, a daemon that scrubs its own, the native helper's
 * --clear-env) and that no Tracker recorded. CONTRIBUTING.md says so.
 *
 * Order: vitest runs a file's afterAll hooks last-registered first (sequence.hooks
 * 'stack'), and this module registers its hook before the file is loaded, so
 * it runs after every cleanup hook of the file.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { afterAll } from 'vitest';
import {
  carrying,
  FILE_MARKER,
  fromNodeModules,
  killSame,
  processInfo,
  ptysHeld,
  until,
  type ProcessInfo,
} from './host-state.js';
import { envNeedles, knownProcesses } from './registry.js';

const value = `${process.pid}-${Math.floor(Math.random() * 1e12)}`;
const marker = `${FILE_MARKER}=${value}`;
process.env[FILE_MARKER] = value;

const SPAWNERS = ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork'] as const;
type AnyFunction = (...args: unknown[]) => unknown;

/** ARGS with the marker added to an explicit `env` option (the first plain object after the command). */
function withMarker(args: unknown[]): unknown[] {
  const i = args.findIndex((a, n) => n > 0 && a !== null && typeof a === 'object' && !Array.isArray(a));
  const opts = args[i] as { env?: NodeJS.ProcessEnv } | undefined;
  if (!opts?.env || FILE_MARKER in opts.env) return args;
  const out = [...args];
  out[i] = { ...opts, env: { ...opts.env, [FILE_MARKER]: value } };
  return out;
}

function wrap(f: AnyFunction): AnyFunction {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    return f.apply(this, withMarker(args));
  };
  // execFile and exec carry util.promisify.custom (a function of the same arguments): keep it, wrapped too.
  for (const key of Reflect.ownKeys(f)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const d = Object.getOwnPropertyDescriptor(f, key)!;
    if (typeof d.value === 'function') d.value = wrap(d.value as AnyFunction);
    Object.defineProperty(wrapped, key, d);
  }
  return wrapped;
}

// The module object that `import { spawn } from 'node:child_process'` reads:
// patched, then synced to the ES module's named exports.
const cp = createRequire(import.meta.url)('node:child_process') as Record<string, AnyFunction>;
for (const name of SPAWNERS) cp[name] = wrap(cp[name]!);
syncBuiltinESMExports();

interface Leftover extends ProcessInfo {
  how: string;
}

/**
 * The file's processes still there. A zombie counts as gone, except one of
 * the worker's own (Node reaps it at once): an orphaned zombie belongs to
 * PID 1, which on some hosts never reaps, and cannot be reaped from here.
 */
function leftovers(): Leftover[] {
  const out = new Map<number, Leftover>();
  const entries = [marker, ...envNeedles()];
  for (const { info, entry } of carrying(entries)) {
    if (info.pid === process.pid || (info.ppid === process.pid && fromNodeModules(info.pid))) continue;
    out.set(info.pid, { ...info, how: `its environment carries ${entry}` });
  }
  for (const k of knownProcesses()) {
    const info = processInfo(k.pid);
    if (info?.start === k.start && !out.has(k.pid)) out.set(k.pid, { ...info, how: 'a helper tracked its pid' });
  }
  return [...out.values()].filter((p) => p.state !== 'Z' || p.ppid === process.pid);
}

const still = (p: ProcessInfo): boolean => {
  const now = processInfo(p.pid);
  return now?.start === p.start && (now.state !== 'Z' || now.ppid === process.pid);
};

afterAll(async () => {
  let left = leftovers();
  // A process the file's hooks just killed may take a moment to exit (Tracker waits up to 5 s).
  if (left.length > 0) await until(() => (left = left.filter(still)).length === 0, 3000);
  if (left.length === 0) return;
  const lines = left.map((p) => {
    const ptys = ptysHeld(p.pid);
    return `  pid ${p.pid} (parent ${p.ppid}, state ${p.state}): ${p.command}${ptys.length ? ` [holds ${ptys.join(', ')}]` : ''} (found: ${p.how})`;
  });
  for (const p of left) killSame(p);
  const gone = await until(() => left.every((p) => !still(p)), 5000);
  throw new Error(
    [
      `this test file left ${left.length} process${left.length === 1 ? '' : 'es'} running, ${gone ? 'killed now' : 'and they would not die even from SIGKILL'}:`,
      ...lines,
      'Every process a test starts must be ended by pid in the file itself (test/helpers/procs.ts: trackProcesses, killPid).',
    ].join('\n'),
  );
}, 30_000);
