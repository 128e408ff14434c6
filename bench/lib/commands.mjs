// The commands compared, and the one measuring loop most entries share.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, median, shellWords, timeOnce } from './exec.mjs';
import { processCount } from './proc.mjs';
import { countRange, pair } from './results.mjs';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const NODE = process.execPath;
export const CLI = join(ROOT, 'bin', 'daemon-check.js');

/** A command to time: argv, the exit statuses that are not a failure, and a short label. */
const cmd = (argv, label, ok = [0]) => ({ argv, label, ok, command: shellWords(argv) });

export const NODE_E0 = cmd([NODE, '-e', '0'], 'node -e 0');
// An audit exits 1 when the process is not a daemon: a verdict, not a failure.
export const audit = (pid, label = 'daemon-check PID --json') => cmd([NODE, CLI, String(pid), '--json'], label, [0, 1]);
// The same audit printed as a table (into a pipe, as every command here).
export const auditTable = (pid, label = 'daemon-check PID') => cmd([NODE, CLI, String(pid)], label, [0, 1]);
export const SCAN = cmd([NODE, CLI, 'scan', '--all', '--json'], 'daemon-check scan --all --json', [0, 1]);
export const PS = cmd(
  ['ps', '-eo', 'pid,ppid,pgid,sid,tty,tpgid,stat,user,args'],
  'ps -eo pid,ppid,pgid,sid,tty,tpgid,stat,user,args',
);
export const LSOF = cmd(['lsof', '-n', '-P'], 'lsof -n -P');

/** An onRound callback for alternate() that logs the entry's progress now and then. */
export function progress(ctx) {
  return (i, n) => {
    if (i === 1 || i === n || i % 5 === 0) ctx.log(`  round ${i}/${n} (${i <= ctx.o.warmup ? 'warm-up' : 'measured'})`);
  };
}

/**
 * Time A and B alternately (ctx.o.runs measured pairs after the warm-up) and
 * build the result, with the number of processes alive during the runs.
 */
export async function timedPair(ctx, { A, B, goal, perProcess = false, notes = [], extra = {} }) {
  const counts = [];
  const side = (c) => () => {
    counts.push(processCount());
    return timeOnce(c.argv, { ok: c.ok }).ms;
  };
  const samples = await alternate({
    runs: ctx.o.runs,
    warmup: ctx.o.warmup,
    sides: [side(A), side(B)],
    onRound: progress(ctx),
  });
  counts.splice(0, 2 * ctx.o.warmup);
  const n = median(counts);
  const per = (ms) => `${((ms / n) * 1000).toFixed(0)} µs`;
  const [a, b] = samples.map(median);
  notes.unshift(
    `processes alive: ${countRange(counts)}${perProcess ? `; per process (median / processes): A ${per(a)}, B ${per(b)}` : ''}`,
  );
  return pair({ unit: 'ms', a: A, b: B, samples, goal, notes, extra: { ...extra, processes: counts } });
}
