/**
 * The commands that observe endings: `watch` (as it happens) and `postmortem`
 * (after the fact). Their code is imported only when one of them runs.
 */
import type { Command } from 'commander';
import { fitHelp, POSTMORTEM_HELP, WATCH_HELP } from './help.js';
import {
  addOptions,
  colorOption,
  formatOption,
  hostRootOption,
  jsonOption,
  noColorOption,
  styleOptions,
} from './options.js';
import { quiet } from './quiet.js';

export function addWatchCommand(program: Command): void {
  const watch = quiet(program.command('watch'))
    .description('record who signals a process and how it ends, and hold that against the prediction')
    .usage('[options] <pid>... | --pidfile FILE | --name NAME | -- CMD [ARGS...]')
    .argument('[pid...]', 'process ids to watch (or, after --, the command to start and watch)')
    .option('--pidfile <file>', 'watch the process this pidfile names')
    .option('--name <name>', 'watch every process whose comm or argv[0] basename is NAME')
    .option('--tree', 'watch what the watched processes start from now on too')
    .option(
      '--ptrace',
      'watch with ptrace: every signal with its sender, without root for your own processes (the program is traced meanwhile)',
    )
    .option('--for <duration>', 'stop after DURATION, read as timeout(1) reads it: 90, 90s, 5m, 2h')
    .option('--journal <file>', 'append the JSON lines to FILE (created 0600), for postmortem');
  addOptions(watch, [formatOption(['table', 'json']), jsonOption(), ...styleOptions()])
    .addHelpText('after', () => fitHelp(WATCH_HELP))
    .action(async (args: string[], opts) => {
      // Operands after `--` are the command to start; commander does not say where `--` stood.
      const raw = (program as Command & { rawArgs: string[] }).rawArgs;
      const dashes = raw.indexOf('--', raw.indexOf('watch') + 1);
      const command = dashes >= 0 ? raw.slice(dashes + 1) : null;
      const pids = command ? args.slice(0, args.length - command.length) : args;
      const { runWatch } = await import('./watch-command.js');
      process.exitCode = await runWatch(pids, command, opts);
    });
}

export function addPostmortemCommand(program: Command): void {
  const pm = quiet(program.command('postmortem'))
    .description('for a process that is gone: what the host still knows of how it ended, most probable cause first')
    .usage('<pid> | --pidfile FILE | --name NAME [options]')
    .argument('[pid]', 'the pid of a process that has ended')
    .option('--pidfile <file>', 'the process this pidfile names (a pid that no longer runs)')
    .option('--name <name>', 'the last process of this name (comm) the evidence knows')
    .option('--since <time>', "only evidence from TIME on: '2h', '2026-12-07 03:00', '@EPOCH'")
    .option(
      '--journal <file>',
      'a watch journal to read (repeatable; default: the journal folders)',
      (v: string, acc: string[] = []) => [...acc, v],
    );
  addOptions(pm, [formatOption(['table', 'json']), jsonOption(), hostRootOption(), colorOption(), noColorOption()])
    .addHelpText('after', () => fitHelp(POSTMORTEM_HELP))
    .action(async (pid: string | undefined, opts) => {
      const { runPostmortem } = await import('./postmortem-command.js');
      process.exitCode = await runPostmortem(pid, opts);
    });
}
