// Running and timing commands.  Every command the bench runs, timed or not,
// gets CLEAN_ENV: the bench's environment without NODE_EXTRA_CA_CERTS, which
// makes every Node start read a certificate bundle (+25-90 ms) that no real
// user's shell sets.
import { spawnSync } from 'node:child_process';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Aborted, abort, checkAbort, requestAbort } from './abort.mjs';

export const REMOVED_ENV = ['NODE_EXTRA_CA_CERTS'];
export const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !REMOVED_ENV.includes(k)));

const RUN_TIMEOUT_MS = 10 * 60 * 1000;

export function shellWords(cmd) {
  return cmd.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}

// ------------------------------------------------------------- statistics

export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  return { median: median(s), min: s[0], max: s[s.length - 1], n: s.length, samples: values };
}

// ----------------------------------------------------------------- timing

/**
 * Run cmd once with spawnSync (stdin and stdout on /dev/null unless asked,
 * stderr kept for the error message, CLEAN_ENV) and return the wall time in
 * milliseconds.  An exit status outside `ok` is a harness failure: the
 * figure would be meaningless.
 */
export function timeOnce(cmd, { ok = [0], cwd, stdout = 'ignore' } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), {
    stdio: ['ignore', stdout, 'pipe'],
    cwd,
    env: CLEAN_ENV,
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw new Error(`${shellWords(cmd)}: ${r.error.message}`);
  if (r.signal) {
    // Ctrl-C reaches the child too (same process group), maybe before our handler ran.
    if (r.signal === 'SIGINT') requestAbort('SIGINT');
    if (abort.signal) throw new Aborted(abort.signal);
    throw new Error(`${shellWords(cmd)} was killed by ${r.signal}`);
  }
  if (!ok.includes(r.status)) {
    const err = String(r.stderr ?? '')
      .trim()
      .split('\n')
      .slice(-5)
      .join('\n  ');
    throw new Error(`${shellWords(cmd)} exited with status ${r.status}${err ? `:\n  ${err}` : ''}`);
  }
  return { ms, status: r.status, stdout: r.stdout ? String(r.stdout) : '' };
}

// Peak memory: ru_maxrss of the one child of a python3 wrapper (RUSAGE_CHILDREN).
const MAXRSS =
  'import resource,subprocess,sys; r=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); ' +
  'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)';

/** Peak resident set of one run of cmd, in KiB. */
export function maxRssKiB(python, cmd, ok = [0]) {
  const { stdout } = timeOnce([python, '-c', MAXRSS, ...cmd], { stdout: 'pipe' });
  const [kib, rc] = stdout.trim().split(' ').map(Number);
  if (!ok.includes(rc)) throw new Error(`${shellWords(cmd)} exited with status ${rc} under the memory wrapper`);
  return kib;
}

/**
 * Alternate the sides: `warmup` discarded rounds, then `runs` measured ones.
 * A round runs every side once, A, B, (C ...); with snake: true every other
 * round runs them backwards (A B C, C B A, ...), which saves work when a side
 * has to set the machine up first.  Each side is an async function returning
 * a number (it may prepare the machine first, outside its timing).  Yields to
 * the event loop between runs so that Ctrl-C is seen.
 */
export async function alternate({ runs, warmup = 1, sides, snake = false, onRound }) {
  const out = sides.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    const order = sides.map((_, k) => k);
    if (snake && i % 2) order.reverse();
    for (const k of order) {
      await yieldToLoop();
      checkAbort();
      const v = await sides[k](i);
      if (i >= warmup) out[k].push(v);
    }
    onRound?.(i + 1, warmup + runs);
  }
  return out;
}
