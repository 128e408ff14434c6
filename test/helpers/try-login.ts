/**
 * Running `daemon-check try` from the live tests: a private HOME with the
 * same startup files as the SSH harness's logins (test/helpers/ssh.ts), its
 * own screen and tmux socket folders, and the JSON result parsed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TryEnding, TryResult } from '../../src/try/types.js';
import { runCli, type CliResult } from './cli.js';
import { loginPathDirs } from './ssh.js';
import { tempDir } from './temp.js';

export interface TryHome {
  env: string[];
  /** Where try runs, so the login's relative paths (nohup.out) land in the private home, not the checkout. */
  cwd: string;
}

/** HOME, HISTFILE, SCREENDIR and TMUX_TMPDIR for the logins, as PrivateSshd's SetEnv gives its own. */
export function tryHome(): TryHome {
  const dir = tempDir('dc-try-home-');
  const home = path.join(dir, 'home');
  const screen = path.join(dir, 'screen');
  const tmux = path.join(dir, 'tmux');
  for (const d of [home, screen, tmux]) fs.mkdirSync(d, { mode: 0o700 });
  const pathDirs = loginPathDirs();
  fs.writeFileSync(
    path.join(home, '.bash_profile'),
    `# daemon-check's try test login\nexport PATH=${pathDirs.join(':')}\n`,
  );
  fs.writeFileSync(path.join(home, '.bashrc'), '');
  fs.writeFileSync(path.join(home, '.profile'), `export PATH=${pathDirs.join(':')}\n`);
  fs.writeFileSync(path.join(home, '.zshenv'), `export PATH=${pathDirs.join(':')}\n`);
  return {
    cwd: home,
    env: [`HOME=${home}`, 'HISTFILE=/dev/null', `SCREENDIR=${screen}`, `TMUX_TMPDIR=${tmux}`],
  };
}

export interface TryRun {
  cli: CliResult;
  result: TryResult | null;
}

/** `daemon-check try --format json` on LINE, ended one way (or both). */
export async function runTry(
  line: string,
  opts: { end?: TryEnding | 'both'; home?: TryHome; shell?: string; extra?: string[]; timeoutMs?: number } = {},
): Promise<TryRun> {
  const args = ['try', '--format', 'json', '--end', opts.end ?? 'both', '--shell', opts.shell ?? '/bin/bash'];
  for (const e of opts.home?.env ?? []) args.push('--env', e);
  args.push(...(opts.extra ?? []), '--', line);
  const cli = await runCli(args, { timeoutMs: opts.timeoutMs ?? 90_000, cwd: opts.home?.cwd });
  let result: TryResult | null = null;
  try {
    result = JSON.parse(cli.stdout) as TryResult;
  } catch {
    /* not JSON: the failure is in cli.stderr */
  }
  return { cli, result };
}

/**
 * The dc-try-PID cgroup leaves left behind: those whose helper (PID) is gone.
 * A leaf of a try still running (another test file's, meanwhile) is not one.
 */
export function tryCgroups(): string[] {
  const line = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => / - cgroup2 /.test(l));
  if (!line) return [];
  const mount = line.split(' ')[4]!;
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name.startsWith('dc-try-')) {
        if (!fs.existsSync(`/proc/${e.name.slice('dc-try-'.length)}`)) out.push(path.join(dir, e.name));
      } else if (depth < 3) walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk(mount, 0);
  return out;
}
