/**
 * `daemon-check try [options] -- 'START LINE'`: run the line in a throwaway
 * login, end the login (a hangup, `exit`, or both in two logins), and report
 * who survived and what killed the rest, beside the fate model's prediction
 * (docs/try.md). The experiment's code is imported only when it runs.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { CliError, printError } from './errors.js';
import { fitHelp } from './help.js';
import { addOptions, formatOption, jsonOption } from './options.js';
import { writeOut } from './output.js';
import { quiet } from './quiet.js';

export interface TryCliOptions {
  shell?: string;
  end: 'hangup' | 'exit' | 'both';
  rc: boolean;
  settle: string;
  user?: string;
  keep?: boolean;
  env?: string[];
  format: 'table' | 'json';
  json?: boolean;
}

export const TRY_HELP = `
The line is typed into a new login shell on a fresh pty (a new session, the pty its controlling
terminal), as you would type it after logging in. Each ending is its own login: a hangup closes
the pty master (as a dropped SSH connection does); exit types \`exit\`. Every process the line
started is found through a cgroup v2 leaf and the subreaper, audited just before the ending, and
then seen to survive or die; as root the watch names who sent each fatal signal and why.
Several lines: separate them with newlines. A line of keys in caret notation presses them:
^Z suspends the foreground job (Ctrl-Z), '^A d' detaches screen.

Examples:
  daemon-check try -- 'nohup ./job.sh &'             survives a hangup and an exit?
  daemon-check try --shell /usr/bin/zsh -- './job.sh &'
  daemon-check try --end hangup --format json -- 'setsid -f ./job.sh'
  daemon-check try -- $'sleep 600\\n^Z\\ndisown'      a stopped job, then disowned

Exit codes: 0 every process survived every ending tried, 1 one died, 2 bad command line
(an empty line, a shell that does not exist), 3 the experiment could not be run (--user without
root, no such user, no pty, the login ended by itself).`;

function settleOf(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0) || n > 60)
    throw new CliError(`--settle '${text}' is not a number of seconds between 0 and 60 (e.g. --settle 0.5)`);
  return n;
}

function shellOf(given: string | undefined): string {
  const shell = given ?? process.env.SHELL ?? '/bin/sh';
  if (!shell.startsWith('/')) throw new CliError(`--shell '${shell}' is not an absolute path (e.g. --shell /bin/bash)`);
  try {
    if (!statSync(shell).isFile()) throw new Error('not a file');
    accessSync(shell, constants.X_OK);
  } catch {
    throw new CliError(`the shell ${shell} does not exist or cannot be executed (give --shell PATH, e.g. /bin/bash)`);
  }
  return shell;
}

async function runTryCommand(words: string[], o: TryCliOptions): Promise<number> {
  const line = words.join(' ');
  if (line.trim() === '')
    throw new CliError("the start line is empty: give the line to type, e.g. daemon-check try -- 'nohup ./job.sh &'");
  const shell = shellOf(o.shell);
  const settleSeconds = settleOf(o.settle);
  const env = o.env ?? [];
  const bad = env.find((e) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(e));
  if (bad) throw new CliError(`--env '${bad}' is not NAME=VALUE`);
  if (o.user !== undefined && process.geteuid?.() !== 0)
    throw new CliError(`--user ${o.user} needs root: without it, try runs your own login (leave --user out)`, 3);
  const { runTry, shellKind, TryError } = await import('../try/index.js');
  try {
    const result = await runTry({
      line,
      shell,
      kind: shellKind(realpathSync(shell)),
      endings: o.end === 'both' ? ['hangup', 'exit'] : [o.end],
      noRc: !o.rc,
      settleSeconds,
      user: o.user,
      keep: o.keep === true,
      env,
    });
    if (o.json || o.format === 'json') writeOut(`${JSON.stringify(result, null, 2)}\n`);
    else writeOut((await import('../try/render.js')).renderTry(result));
    return result.survivedAll ? 0 : 1;
  } catch (err) {
    if (err instanceof TryError) {
      printError(`try: ${err.message}`);
      return 3;
    }
    throw err;
  }
}

export function addTryCommand(program: Command): void {
  const cmd = quiet(program.command('try'))
    .description('run a start line in a throwaway login, end the login, and show who survived and what killed the rest')
    .usage("[options] -- 'START LINE'")
    .argument('[line...]', 'the line to type, after --')
    .option('--shell <path>', 'the login shell (default: $SHELL)')
    .addOption(new Option('--end <ending>', 'how the login ends').choices(['hangup', 'exit', 'both']).default('both'))
    .option('--no-rc', "skip the user's startup files (bash --noprofile --norc, zsh -f, fish --no-config)")
    .option('--settle <seconds>', 'how long the login must be quiet before it counts as settled', '0.5')
    .option('--user <user>', 'run the login as USER (root only)')
    .option('--keep', 'leave the survivors running and print their pids')
    .option('--env <name=value>', 'extra environment of the login (repeatable)', (v: string, acc: string[] = []) => [
      ...acc,
      v,
    ]);
  addOptions(cmd, [formatOption(['table', 'json']), jsonOption()])
    .addHelpText('after', () => fitHelp(TRY_HELP))
    .action(async (words: string[], opts: TryCliOptions) => {
      process.exitCode = await runTryCommand(words, opts);
    });
}
