// Starting a daemon: daemon-check run against start-stop-daemon (information, no goal).
// The measuring loop is bench/helpers/ssd-worker.mjs, run under the subreaper
// bench/helpers/reaper.py so that each killed daemon is reaped.
import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Aborted, unlessAborted, within } from '../lib/abort.mjs';
import { CLI, NODE, ROOT } from '../lib/commands.mjs';
import { CLEAN_ENV, shellWords } from '../lib/exec.mjs';
import { firstLine } from '../lib/owned.mjs';
import { pair } from '../lib/results.mjs';
import { HELPERS } from '../lib/subjects.mjs';

const HELPER_BIN = join(ROOT, 'native', 'build', 'daemon-check-helper');

function precheck() {
  if (spawnSync('start-stop-daemon', ['--version'], { stdio: 'ignore' }).error)
    return 'start-stop-daemon is not installed';
  try {
    statSync(HELPER_BIN);
  } catch {
    return 'native/build/daemon-check-helper is missing (node scripts/build-native.mjs builds it)';
  }
  return null;
}

/** Runs the worker to its end; resolves to its JSON line. */
async function runWorker(ctx) {
  const args = ['--runs', String(ctx.o.runs), '--warmup', String(ctx.o.warmup), '--root', ROOT, '--tmp', ctx.tmp];
  const proc = spawn(ctx.python, [join(HELPERS, 'reaper.py'), NODE, join(HELPERS, 'ssd-worker.mjs'), ...args], {
    cwd: ROOT,
    env: CLEAN_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const item = ctx.owned.addChild(proc, 'reaper for run-vs-ssd', 'SIGTERM');
  let stderr = '';
  const closed = new Promise((resolve) => proc.once('close', resolve));
  proc.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const why = () =>
    stderr
      .trim()
      .split('\n')
      .filter((l) => !/^\s+at /.test(l))
      .slice(0, 4)
      .join('\n   ');
  try {
    const line = await firstLine(proc, 'bench/helpers/ssd-worker.mjs', 10 * 60 * 1000);
    await unlessAborted(item.exited);
    await within(closed, 2000);
    if (proc.exitCode !== 0) throw new Error(`status ${proc.exitCode ?? proc.signalCode}`);
    if (stderr.trim()) ctx.log(stderr.trim());
    return JSON.parse(line);
  } catch (e) {
    if (e instanceof Aborted) throw e;
    await within(closed, 2000); // its stderr, complete
    throw new Error(`bench/helpers/ssd-worker.mjs failed: ${why() || e.message}`, { cause: e });
  } finally {
    await ctx.owned.release(item);
  }
}

export default {
  key: 'run-vs-ssd',
  title: () => 'run vs start-stop-daemon',
  precheck,
  async run(ctx) {
    const { a, b, started } = await runWorker(ctx);
    for (const [pid, args, start] of started) ctx.owned.remember(pid, args, start);
    return pair({
      unit: 'ms',
      a: {
        label: 'start-stop-daemon --start --background',
        command:
          'start-stop-daemon --start --background --make-pidfile --pidfile TMP/ssd-I.pid --exec /bin/sleep -- 100000+I',
      },
      b: {
        label: 'daemon-check run --no-verify --settle 0',
        command: `${shellWords([NODE, CLI])} run --no-verify --settle 0 -- sleep 100000+I`,
      },
      samples: [a, b],
      notes: [
        'information, no goal; each daemon is killed right after its run, under bench/helpers/reaper.py (a subreaper) that reaps it',
      ],
    });
  },
};
