/**
 * Ground truth over real SSH logins: a job is typed into the interactive
 * login bash of an `ssh -tt` session (private sshd, real ptys on both ends),
 * the login is ended, and we look whether the job is still alive.
 *
 *   hangup: SIGKILL the local ssh client (the connection drops, sshd closes
 *           the remote pty: the kernel hangs the terminal up);
 *   exit:   type `exit` in the login shell (twice when bash refuses the
 *           first because of stopped jobs).
 *
 * The expectations are what was measured (with strace for the senders; the
 * table is in docs/fate.md). Each job is also audited right after it is
 * started, and the fate model's prediction for that end (report.fate.hangup
 * or fate['shell-exit']) must match what happens, or its `unless` must name
 * the reason it did not (`miss`). Extend CASES to add a pattern. Needs root,
 * openssh-server, openssh-client, tmux, screen, python3, util-linux, procps.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/api.js';
import { alive, childrenOf, findProcess, ppidOf, Tracker, uniqueNumber, waitFor } from '../helpers/procs.js';
import { type EndMode, privateSshdForFile, procFacts, settledAlive, SshLogin } from '../helpers/ssh.js';
import type { FateEntry } from '../../src/core/types.js';
import { CASES, type FateCase, type LoginKind, type Outcome } from '../helpers/login-cases.js';

/** Per login kind: lines typed once at its start; something done just before a hangup. */
const LOGINS: Partial<
  Record<LoginKind, { setup?: string[]; beforeHangup?: (l: SshLogin, t: Tracker) => Promise<void> }>
> = {
  huponexit: { setup: ['shopt -s huponexit'] },
  'no-job-control': { setup: ['set +m'] },
  'prompt-command': {
    // From the next prompt on, bash runs a long `sleep` before each prompt: hang up while it runs.
    beforeHangup: async (l, t) => {
      const secs = `30.${uniqueNumber()}`;
      l.type(`PROMPT_COMMAND='sleep ${secs}'`);
      t.track(
        await waitFor('PROMPT_COMMAND to run', () => findProcess(new RegExp(`^sleep ${secs.replace('.', '\\.')}$`))),
      );
    },
  },
};

const MODES: EndMode[] = ['hangup', 'exit'];

interface Observed {
  pid: number;
  outcome: Outcome | null;
  /** What the fate model predicted for this end, from an audit right after the launch. */
  predicted?: FateEntry;
  /** /proc facts at launch and afterwards, for the failure message. */
  detail?: string;
  error?: string;
}

function brief(pid: number): string {
  const f = procFacts(pid);
  return f
    ? `${f.state} ppid=${f.ppid} pgrp=${f.pgrp} sid=${f.session} tty=${f.tty ?? '-'} tpgid=${f.tpgid} SigIgn=${f.sigIgn} "${f.cmdline}"`
    : 'gone';
}

const tracker = new Tracker();
const sshdOf = privateSshdForFile(tracker);

/** The job's pid, found by its unique number (or, for a loop, as the shell's new bash child). */
async function findJob(c: FateCase, n: number, shellPid: number, before: Set<number>): Promise<number> {
  if (c.job === 'loop') {
    return waitFor(`the loop of "${c.pattern}"`, () => {
      const fresh = childrenOf(shellPid).filter((p) => !before.has(p) && procFacts(p)?.comm === 'bash');
      return fresh.length === 1 ? fresh[0] : null;
    });
  }
  const re = new RegExp(c.job && c.job !== 'sleep' ? c.job.replace(/\bN\b/g, String(n)) : `^sleep ${n}$`);
  return waitFor(`the job of "${c.pattern}"`, () => findProcess(re), 15_000);
}

/**
 * Starts a screen attached in the login and returns the pid of its window's
 * shell. Once in about thirty CI runs the server came up and no window shell
 * followed within 20 s; that screen is then killed (server and front end, by
 * pid) and a new one started, with what was seen printed.
 */
async function attachScreen(l: SshLogin, t: Tracker): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const name = `dcatt${uniqueNumber()}`;
    l.type(`screen -S ${name}`);
    const server = t.track(
      await waitFor('the screen server', () => findProcess(new RegExp(`^SCREEN -S ${name}$`)), 20_000),
    );
    let shell: number;
    try {
      shell = t.track(
        await waitFor(
          "the screen window's shell",
          () => childrenOf(server).find((p) => procFacts(p)?.comm === 'bash'),
          15_000,
        ),
      );
    } catch (e) {
      const kids =
        childrenOf(server)
          .map((p) => `${p} ${JSON.stringify(procFacts(p))}`)
          .join('; ') || 'none';
      const seen = `${(e as Error).message} (attempt ${attempt}); server ${JSON.stringify(procFacts(server))}; its children: ${kids}; pane:\n${l.screen().split('\n').slice(-15).join('\n')}`;
      if (attempt >= 3) throw new Error(seen, { cause: e });
      console.warn(seen);
      const frontEnd = ppidOf(server);
      for (const p of [server, frontEnd])
        if (p && p > 1)
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            /* gone */
          }
      await l.run('stty sane', 15_000);
      continue;
    }
    // The window's bash may drop what is typed before it reads its first line (readline
    // sets up the terminal): answer a marker first, typing it again until it does.
    for (let typed = 1; ; typed++) {
      try {
        await l.run('true', 5_000);
        return shell;
      } catch (e) {
        if (typed >= 4) throw e;
      }
    }
  }
}

/** One login of one kind: type every case, end it one way, and see who is alive. */
async function observeLogin(
  kind: LoginKind,
  cases: FateCase[],
  mode: EndMode,
  t: Tracker,
): Promise<Map<FateCase, Observed>> {
  const seen = new Map<FateCase, Observed>();
  const l = await sshdOf().newLogin().start();
  t.onCleanup(() => void l.cleanup());
  facts.push({
    kind,
    mode,
    shell: l.remoteShellPid,
    ps: l.remoteShellPs(),
    stat: procFacts(l.remoteShellPid),
    home: envOf(l.remoteShellPid, 'HOME'),
  });
  for (const line of LOGINS[kind]?.setup ?? []) await l.run(line);
  let shell = l.remoteShellPid;
  let stopped = false;
  for (const c of cases) {
    const n = uniqueNumber();
    const line = c.launch.replace(/\bN\b/g, String(n));
    const before = new Set(childrenOf(shell));
    if (c.how === 'in-screen') {
      shell = await attachScreen(l, t);
      await l.run(line, 30_000);
    } else if (c.how === 'foreground' || c.how === 'stopped') {
      l.type(line);
    } else {
      await l.run(line, 30_000);
    }
    const pid = t.track(await findJob(c, n, shell, before));
    if (c.how === 'stopped') {
      l.keys('C-z');
      await waitFor(`"${c.pattern}" to stop`, () => procFacts(pid)?.state === 'T');
      await l.waitForOutput(new RegExp(`Stopped\\s+${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      stopped = true;
      if (c.then) {
        await l.run(c.then);
        if (c.then === 'disown') stopped = false;
      }
    }
    const report = await audit(pid);
    seen.set(c, {
      pid,
      outcome: null,
      predicted: report.fate[mode === 'hangup' ? 'hangup' : 'shell-exit'],
      detail: `shell ${l.remoteShellPid}; at launch: ${brief(pid)}`,
    });
  }
  if (mode === 'exit' && cases.some((c) => c.how === 'in-screen')) {
    l.keys('C-a', 'd');
    await l.waitForOutput(/\[detached from/);
  }
  // A hangup is made while the shell sits at its prompt (see SshLogin.shellAtPrompt),
  // or while the foreground job it waits for holds the terminal.
  const beforeHangup = LOGINS[kind]?.beforeHangup;
  if (mode === 'hangup' && beforeHangup) await beforeHangup(l, t);
  const foreground = cases.some((c) => c.how === 'foreground' || c.how === 'in-screen');
  await l.end(mode, { exitTwice: mode === 'exit' && stopped, atPrompt: !foreground && !beforeHangup });
  // Every signal the end causes has been sent once the shell is gone: a
  // dying job goes within moments; a living one stays settled.
  for (const [c, o] of seen) {
    const expected = c[mode];
    if (expected === 'dies') {
      // deaths by a write error come at the job's next write (a few hundred ms)
      await waitFor(`"${c.pattern}" to die`, () => !alive(o.pid), 5000).catch(() => undefined);
      o.outcome = alive(o.pid) ? 'lives' : 'dies';
    } else {
      o.outcome = (await settledAlive(o.pid)) ? 'lives' : 'dies';
    }
    o.detail += `; afterwards: ${brief(o.pid)}`;
  }
  await l.cleanup();
  return seen;
}

const facts: Array<{
  kind: LoginKind;
  mode: EndMode;
  shell: number;
  ps: ReturnType<SshLogin['remoteShellPs']>;
  stat: ReturnType<typeof procFacts>;
  home: string | null;
}> = [];

function envOf(pid: number, name: string): string | null {
  try {
    const line = fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .find((l) => l.startsWith(`${name}=`));
    return line === undefined ? null : line.slice(name.length + 1);
  } catch {
    return null;
  }
}

describe.each(MODES)('a job typed into an ssh login, then the login ends by %s', (mode) => {
  const cases = CASES.filter((c) => c[mode] !== null);
  const observed = new Map<FateCase, Observed>();
  const modeTracker = new Tracker();

  beforeAll(async () => {
    const kinds = [...new Set(cases.map((c) => c.login ?? 'plain'))];
    // The logins are independent: run them side by side.
    const results = await Promise.allSettled(
      kinds.map((k) =>
        observeLogin(
          k,
          cases.filter((c) => (c.login ?? 'plain') === k),
          mode,
          modeTracker,
        ),
      ),
    );
    results.forEach((r, i) => {
      const kindCases = cases.filter((c) => (c.login ?? 'plain') === kinds[i]);
      if (r.status === 'fulfilled') for (const [c, o] of r.value) observed.set(c, o);
      else
        for (const c of kindCases)
          observed.set(c, { pid: 0, outcome: null, error: String(r.reason?.stack ?? r.reason) });
    });
  }, 120_000);

  afterAll(async () => {
    await modeTracker.killAll();
    await sshdOf().sweep();
  });

  it.each(cases.map((c) => [c.pattern, c] as const))(`%s`, (_name, c) => {
    const o = observed.get(c);
    if (!o || o.error) throw new Error(o?.error ?? 'not observed');
    if (c.race?.[mode] && o.outcome !== c[mode])
      expect(o.outcome, `${c.pattern} (pid ${o.pid}) after ${mode} (a race); ${o.detail}`).toMatch(/^(lives|dies)$/);
    else expect(o.outcome, `${c.pattern} (pid ${o.pid}) after ${mode}; ${o.detail}`).toBe(c[mode]);
  });

  it.each(cases.map((c) => [c.pattern, c] as const))(
    `the fate model's prediction for %s is right, or its unless names why not`,
    (_name, c) => {
      const o = observed.get(c);
      if (!o || o.error) throw new Error(o?.error ?? 'not observed');
      const p = o.predicted!;
      const context = `${c.pattern}: predicted ${JSON.stringify(p)}; observed ${o.outcome} after ${mode}`;
      expect(p.outcome, context).not.toBe('unknown');
      const miss = c.miss?.[mode];
      const race = c.race?.[mode];
      if (race && p.outcome !== o.outcome) {
        expect(p.unless ?? '', `${context}: the race was lost`).toMatch(race);
      } else if (miss) {
        expect(p.outcome, `${context}: a miss was expected here`).not.toBe(o.outcome);
        expect(p.unless ?? '', context).toMatch(miss);
      } else {
        expect(p.outcome, context).toBe(o.outcome);
      }
    },
  );
});

describe('the harness', () => {
  it('logs in like a person: an interactive login bash leading its session on a /dev/pts terminal', () => {
    expect(facts.length).toBeGreaterThan(0);
    for (const f of facts) {
      expect(f.ps.sid, `${f.kind}/${f.mode}`).toBe(f.shell);
      expect(f.ps.tty).toMatch(/^pts\/\d+$/);
      expect(f.ps.args).toBe('-bash');
      expect(f.stat!.session).toBe(f.shell);
      expect(f.stat!.pgrp).toBe(f.shell);
      // Its own startup files, none of the host's (see PrivateSshd's homeDir).
      expect(f.home).toBe(sshdOf().homeDir);
    }
  });

  it('leaves nothing behind from the logins it ended', () => {
    expect(sshdOf().marked()).toEqual([]);
  });
});
