/**
 * Ground truth over real SSH logins whose login shell is zsh, fish or dash
 * (and bash with `shopt -s huponexit` in ~/.bashrc), as ssh-login.test.ts
 * does for root's bash: each login is a throwaway user with that passwd
 * shell (test/helpers/ssh.ts, newLogin({ shell })), jobs are typed into it,
 * the login is ended by a hangup or by `exit` (twice where the shell refuses
 * the first because of jobs: zsh, fish), and we look who is alive. Every job
 * is audited right after it starts, and the fate model's prediction for that
 * end must match what happens, or its `unless` must name why not (`miss`).
 * The rules are in docs/fate.md. Needs root, openssh-server and -client,
 * tmux, procps, zsh, fish, dash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/api.js';
import type { FateEntry } from '../../src/core/types.js';
import { alive, findProcess, Tracker, uniqueNumber, waitFor } from '../helpers/procs.js';
import { type EndMode, privateSshdForFile, procFacts, settledAlive } from '../helpers/ssh.js';

type Outcome = 'lives' | 'dies';

/** A login: its shell, rc files in the throwaway user's home, and whether it refuses an exit with running jobs. */
interface LoginKind {
  shell: string;
  files?: Record<string, string>;
  refusesRunning: boolean;
}

const LOGINS = {
  zsh: { shell: '/usr/bin/zsh', refusesRunning: true },
  fish: { shell: '/usr/bin/fish', refusesRunning: true },
  dash: { shell: '/usr/bin/dash', refusesRunning: false },
  'zsh-nohup': { shell: '/usr/bin/zsh', files: { '.zshrc': 'setopt nohup\n' }, refusesRunning: true },
  'bash-huponexit': {
    shell: '/bin/bash',
    // Debian's ~/.profile sources ~/.bashrc; a login bash reads ~/.profile.
    files: { '.profile': '. "$HOME/.bashrc"\n', '.bashrc': 'shopt -s huponexit\n' },
    refusesRunning: false,
  },
} satisfies Record<string, LoginKind>;
type Login = keyof typeof LOGINS;

interface ShellCase {
  login: Login;
  launch: string;
  hangup: Outcome;
  exit: Outcome;
  /** Where the prediction from /proc is expected to be wrong, and the words its `unless` must hold. */
  miss?: Partial<Record<EndMode, RegExp>>;
}

const CASES: ShellCase[] = [
  { login: 'zsh', launch: 'sleep N &', hangup: 'dies', exit: 'dies' },
  { login: 'zsh', launch: 'nohup sleep N &', hangup: 'lives', exit: 'lives' },
  { login: 'zsh', launch: 'sleep N &!', hangup: 'lives', exit: 'lives', miss: { hangup: /`&!`/, exit: /`&!`/ } },
  {
    login: 'zsh',
    launch: 'sleep N & disown',
    hangup: 'lives',
    exit: 'lives',
    miss: { hangup: /`disown`/, exit: /`disown`/ },
  },
  { login: 'zsh', launch: '(sleep N &)', hangup: 'lives', exit: 'lives' },
  { login: 'fish', launch: 'sleep N &', hangup: 'dies', exit: 'dies' },
  { login: 'fish', launch: 'nohup sleep N &', hangup: 'lives', exit: 'lives' },
  {
    login: 'fish',
    launch: 'sleep N & disown',
    hangup: 'lives',
    exit: 'lives',
    miss: { hangup: /`disown`/, exit: /`disown`/ },
  },
  { login: 'dash', launch: 'sleep N &', hangup: 'lives', exit: 'lives' },
  { login: 'dash', launch: 'nohup sleep N &', hangup: 'lives', exit: 'lives' },
  { login: 'dash', launch: '(sleep N &)', hangup: 'lives', exit: 'lives' },
  // The startup files decide: no `unless` is needed for these.
  { login: 'zsh-nohup', launch: 'sleep N &', hangup: 'lives', exit: 'lives' },
  { login: 'bash-huponexit', launch: 'sleep N &', hangup: 'dies', exit: 'dies' },
  { login: 'bash-huponexit', launch: 'nohup sleep N &', hangup: 'lives', exit: 'lives' },
];

const MODES: EndMode[] = ['hangup', 'exit'];

interface Observed {
  pid: number;
  outcome: Outcome | null;
  predicted?: FateEntry;
  detail: string;
}

const tracker = new Tracker();
const sshdOf = privateSshdForFile(tracker);

function brief(pid: number): string {
  const f = procFacts(pid);
  return f
    ? `${f.state} ppid=${f.ppid} pgrp=${f.pgrp} sid=${f.session} tty=${f.tty ?? '-'} tpgid=${f.tpgid} SigIgn=${f.sigIgn}`
    : 'gone';
}

/** One login of one kind: type every case, end it one way, and see who is alive. */
async function observeLogin(kind: Login, cases: ShellCase[], mode: EndMode): Promise<Map<ShellCase, Observed>> {
  const seen = new Map<ShellCase, Observed>();
  const spec: LoginKind = LOGINS[kind];
  const l = await sshdOf().newLogin({ shell: spec.shell, files: spec.files }).start();
  try {
    for (const c of cases) {
      const n = uniqueNumber();
      await l.run(c.launch.replace(/\bN\b/g, String(n)), 30_000);
      const pid = tracker.track(
        await waitFor(`the job of "${c.launch}"`, () => findProcess(new RegExp(`^sleep ${n}$`))),
      );
      const report = await audit(pid);
      seen.set(c, {
        pid,
        outcome: null,
        predicted: report.fate[mode === 'hangup' ? 'hangup' : 'shell-exit'],
        detail: `${kind} shell ${l.remoteShellPid}; at launch: ${brief(pid)}`,
      });
    }
    await l.end(mode, { exitTwice: mode === 'exit' && spec.refusesRunning });
    for (const [c, o] of seen) {
      if (c[mode] === 'dies') {
        await waitFor(`"${c.launch}" to die`, () => !alive(o.pid), 5000).catch(() => undefined);
        o.outcome = alive(o.pid) ? 'lives' : 'dies';
      } else {
        o.outcome = (await settledAlive(o.pid)) ? 'lives' : 'dies';
      }
      o.detail += `; afterwards: ${brief(o.pid)}`;
    }
  } finally {
    await l.cleanup();
  }
  return seen;
}

describe.each(MODES)('a job typed into a zsh, fish or dash ssh login, then the login ends by %s', (mode) => {
  const observed = new Map<ShellCase, Observed>();
  const errors = new Map<Login, string>();

  beforeAll(async () => {
    const kinds = [...new Set(CASES.map((c) => c.login))];
    const results = await Promise.allSettled(
      kinds.map((k) =>
        observeLogin(
          k,
          CASES.filter((c) => c.login === k),
          mode,
        ),
      ),
    );
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') for (const [c, o] of r.value) observed.set(c, o);
      else errors.set(kinds[i]!, String(r.reason?.stack ?? r.reason));
    });
  }, 180_000);

  afterAll(async () => {
    await sshdOf().sweep();
  });

  const named = CASES.map((c) => [`${c.login}: ${c.launch}`, c] as const);

  it.each(named)('%s', (_name, c) => {
    const o = observed.get(c);
    if (!o) throw new Error(errors.get(c.login) ?? 'not observed');
    expect(o.outcome, `${c.launch} (pid ${o.pid}) after ${mode}; ${o.detail}`).toBe(c[mode]);
  });

  it.each(named)(`the fate model's prediction for %s is right, or its unless names why not`, (_name, c) => {
    const o = observed.get(c);
    if (!o) throw new Error(errors.get(c.login) ?? 'not observed');
    const p = o.predicted!;
    const context = `${c.login}: ${c.launch}: predicted ${JSON.stringify(p)}; observed ${o.outcome} after ${mode}`;
    expect(p.outcome, context).not.toBe('unknown');
    const miss = c.miss?.[mode];
    if (miss) {
      expect(p.outcome, `${context}: a miss was expected here`).not.toBe(o.outcome);
      expect(p.unless ?? '', context).toMatch(miss);
    } else {
      expect(p.outcome, context).toBe(o.outcome);
    }
    // A setting in the startup files decides: the prediction names the file and leaves no unless about it.
    if (c.login === 'zsh-nohup') expect(p.why, context).toMatch(/`setopt nohup` in \S+\/\.zshrc/);
    if (c.login === 'bash-huponexit' && mode === 'exit' && c[mode] === 'dies') {
      expect(p.why, context).toMatch(/`shopt -s huponexit` in \S+\/\.bashrc/);
      expect(p.unless ?? '', context).not.toMatch(/huponexit/);
    }
  });
});

describe('the harness', () => {
  it('leaves nothing behind from the logins it ended', () => {
    expect(sshdOf().marked()).toEqual([]);
  });
});
