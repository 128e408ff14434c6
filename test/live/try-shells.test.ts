/**
 * `daemon-check try --shell /usr/bin/zsh` and `--shell /bin/dash` against
 * real SSH logins whose login shell is that shell (test/helpers/ssh.ts,
 * newLogin({ shell })): the basic patterns, each ended by a hangup and by
 * `exit`, must have the same survivors and deaths in both. The SSH side is
 * measured here, not copied: one login per shell and ending, every pattern
 * typed into it. Needs root, openssh-server and -client, zsh, dash.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TryEnding } from '../../src/try/types.js';
import { alive, findProcess, Tracker, uniqueNumber, waitFor } from '../helpers/procs.js';
import { privateSshdForFile, settledAlive } from '../helpers/ssh.js';
import { runTry, tryHome } from '../helpers/try-login.js';

type Outcome = 'lives' | 'dies';

const SHELLS = {
  zsh: {
    path: '/usr/bin/zsh',
    patterns: ['sleep N &', 'nohup sleep N &', 'setsid sleep N &', '(sleep N &)', 'sleep N & disown', 'sleep N &!'],
  },
  dash: { path: '/bin/dash', patterns: ['sleep N &', 'nohup sleep N &', 'setsid sleep N &', '(sleep N &)'] },
} as const;
type ShellName = keyof typeof SHELLS;
const ENDINGS: TryEnding[] = ['hangup', 'exit'];

const tracker = new Tracker();
const home = tryHome();
const sshdOf = privateSshdForFile(tracker);

/** Over SSH: one login of SHELL, every pattern typed, ended by MODE; the outcome of each. */
async function overSsh(shell: ShellName, mode: TryEnding): Promise<Map<string, Outcome>> {
  const l = await sshdOf().newLogin({ shell: SHELLS[shell].path }).start();
  const jobs = new Map<string, number>();
  try {
    for (const p of SHELLS[shell].patterns) {
      const n = uniqueNumber();
      await l.run(p.replace(/\bN\b/g, String(n)), 30_000);
      jobs.set(p, tracker.track(await waitFor(`the job of ${p}`, () => findProcess(new RegExp(`^sleep ${n}$`)))));
    }
    await l.end(mode, { exitTwice: mode === 'exit' && shell === 'zsh' });
    const out = new Map<string, Outcome>();
    for (const [p, pid] of jobs) {
      await waitFor(`${p} to die`, () => !alive(pid), 3000).catch(() => undefined);
      out.set(p, alive(pid) && (await settledAlive(pid)) ? 'lives' : 'dies');
    }
    return out;
  } finally {
    await l.cleanup();
  }
}

/** With try: one login per pattern, ended by MODE. */
async function withTry(
  shell: ShellName,
  p: string,
  mode: TryEnding,
): Promise<{ outcome: Outcome | null; detail: string }> {
  const n = uniqueNumber();
  const r = await runTry(p.replace(/\bN\b/g, String(n)), { end: mode, home, shell: SHELLS[shell].path });
  const job = r.result?.endings[mode]?.processes.find((x) => x.argv.join(' ') === `sleep ${n}`);
  return {
    outcome: job ? (job.observed === 'survived' ? 'lives' : 'dies') : null,
    detail: `${r.cli.code} ${r.cli.stderr} ${job ? job.story : r.cli.stdout.slice(0, 1500)}`,
  };
}

describe.each(Object.keys(SHELLS) as ShellName[])('try --shell %s agrees with SSH logins of that shell', (shell) => {
  const ssh = new Map<string, Outcome>();
  const tried = new Map<string, { outcome: Outcome | null; detail: string }>();

  beforeAll(async () => {
    for (const mode of ENDINGS) {
      const [measured, ...viaTry] = await Promise.all([
        overSsh(shell, mode),
        ...SHELLS[shell].patterns.map((p) => withTry(shell, p, mode)),
      ]);
      for (const [p, o] of measured) ssh.set(`${mode} ${p}`, o);
      SHELLS[shell].patterns.forEach((p, i) => tried.set(`${mode} ${p}`, viaTry[i]!));
    }
  }, 300_000);

  it.each(ENDINGS.flatMap((m) => SHELLS[shell].patterns.map((p) => [`${m}: ${p}`, m, p] as const)))(
    '%s',
    (_name, mode, p) => {
      const t = tried.get(`${mode} ${p}`)!;
      expect(t.outcome, `try: ${t.detail}`).toBe(ssh.get(`${mode} ${p}`));
    },
  );
});
