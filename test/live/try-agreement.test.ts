/**
 * THE AGREEMENT TEST: `daemon-check try` on the launch patterns of
 * test/live/ssh-login.test.ts (test/helpers/login-cases.ts), for both
 * endings, must find the same survivors and the same deaths as real SSH
 * logins did: 29 hangups and 27 exits (two patterns cannot be ended by
 * `exit`: a foreground job holds the terminal), 0 different. The races the
 * table names may go either way, and are named in the failure text.
 *
 * How each login kind of the SSH test is typed as a start line: its setup
 * lines first (`shopt -s huponexit`, `set +m`); a stopped job as the line
 * then `^Z` (and `disown`); a job beside a stopped one after a stopped
 * `sleep`; the screen window as `screen -S NAME` then the line (and, before
 * an exit, `^A d` to detach); the PROMPT_COMMAND case by setting it last, so
 * that the hangup comes while it runs. Needs root, screen, tmux, python3.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { TryEnding, TryProcess } from '../../src/try/types.js';
import { CASES, type FateCase, type Outcome } from '../helpers/login-cases.js';
import { findProcess, numbersGiven, uniqueNumber } from '../helpers/procs.js';
import { runTry, tryCgroups, tryHome, type TryRun } from '../helpers/try-login.js';

const SETUP: Partial<Record<NonNullable<FateCase['login']>, string[]>> = {
  huponexit: ['shopt -s huponexit'],
  'no-job-control': ['set +m'],
};

/** The start line that types case C as the SSH test does, for MODE. */
function startLine(c: FateCase, mode: TryEnding, n: number): string {
  const line = c.launch.replace(/\bN\b/g, String(n));
  const lines = [...(SETUP[c.login ?? 'plain'] ?? [])];
  if (c.login === 'stopped' && c.how !== 'stopped') lines.push(`sleep ${uniqueNumber()}`, '^Z');
  if (c.how === 'in-screen') lines.push(`screen -S dctry${n}`);
  lines.push(line);
  if (c.how === 'stopped') lines.push('^Z');
  if (c.then) lines.push(c.then);
  if (c.how === 'in-screen' && mode === 'exit') lines.push('^A d');
  if (c.login === 'prompt-command') lines.push(`PROMPT_COMMAND='sleep 30.${n}'`);
  return lines.join('\n');
}

/** The job of case C among the processes try reported. */
function jobOf(c: FateCase, n: number, processes: TryProcess[]): TryProcess | undefined {
  const re =
    c.job === 'loop'
      ? null
      : new RegExp(c.job && c.job !== 'sleep' ? c.job.replace(/\bN\b/g, String(n)) : `^sleep ${n}$`);
  if (re) return processes.find((p) => re.test(p.argv.join(' ')));
  // The loop: the login bash's subshell running `while`, a bash whose argv is the login shell's.
  return processes.find((p) => p.comm === 'bash' && /^-?bash$/.test(p.argv[0] ?? '') && p.argv.length === 1);
}

interface Outcomeseen {
  outcome: Outcome | null;
  detail: string;
}

const home = tryHome();
const seen = new Map<string, Outcomeseen>();
const key = (c: FateCase, mode: TryEnding): string => `${mode}: ${c.pattern}`;

async function observe(c: FateCase, mode: TryEnding): Promise<void> {
  const n = uniqueNumber();
  const line = startLine(c, mode, n);
  const run: TryRun = await runTry(line, { end: mode, home, timeoutMs: 120_000 });
  const ending = run.result?.endings[mode];
  const job = ending ? jobOf(c, n, ending.processes) : undefined;
  const detail = `line ${JSON.stringify(line)}; exit ${run.cli.code}; ${run.cli.stderr.trim()} ${ending ? JSON.stringify(ending.processes.map((p) => [p.pid, p.argv.join(' '), p.observed, p.story])) : run.cli.stdout.slice(0, 2000)}`;
  seen.set(key(c, mode), {
    outcome: job ? (job.observed === 'survived' ? 'lives' : 'dies') : null,
    detail,
  });
}

/** Runs JOBS with at most WIDTH at a time. */
async function pool(jobs: Array<() => Promise<void>>, width: number): Promise<void> {
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    }),
  );
}

let wallMs = 0;

describe.each(['hangup', 'exit'] as const)('daemon-check try agrees with real SSH logins, ended by %s', (mode) => {
  const cases = CASES.filter((c) => c[mode] !== null);

  it('runs every pattern', async () => {
    const t0 = Date.now();
    await pool(
      cases.map((c) => () => observe(c, mode)),
      4,
    );
    wallMs += Date.now() - t0;
    console.log(`try agreement, ${mode}: ${cases.length} logins in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(seen.size).toBeGreaterThanOrEqual(cases.length);
  }, 600_000);

  it.each(cases.map((c) => [c.pattern, c] as const))('%s', (_name, c) => {
    const o = seen.get(key(c, mode));
    expect(o, 'not run').toBeDefined();
    expect(o!.outcome, `the job was not found in try's report: ${o!.detail}`).not.toBeNull();
    if (c.race?.[mode] && o!.outcome !== c[mode])
      expect(
        o!.outcome,
        `${c.pattern} after ${mode}: the race named in the table (${c.race[mode]}); ${o!.detail}`,
      ).toMatch(/^(lives|dies)$/);
    else expect(o!.outcome, `${c.pattern} after ${mode}; ${o!.detail}`).toBe(c[mode]);
  });
});

describe('afterwards', () => {
  afterAll(() => console.log(`try agreement: wall time of the logins ${(wallMs / 1000).toFixed(1)} s`));

  it('leaves no process of any pattern, and no cgroup leaf', () => {
    const left = numbersGiven()
      .map((n) => [n, findProcess(new RegExp(`\\b${n}\\b`))])
      .filter(([, p]) => p !== null);
    expect(left).toEqual([]);
    expect(tryCgroups()).toEqual([]);
  });
});
