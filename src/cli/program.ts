/**
 * The commands, their options and their help, with commander: everything but
 * the audit of one pid in its two most common forms, which src/cli/fast-audit.ts
 * parses without commander. Each command's code is imported when it runs.
 */
import { Command, CommanderError, Option } from 'commander';
import { printError } from './errors.js';
import type { CommonOptions } from './common.js';
import { examples, fitHelp, runHelp, SCAN_HELP, TREE_HELP, UNIT_HELP } from './help.js';
import {
  addOptions,
  asciiOption,
  briefOption,
  colorOption,
  expectCwdOption,
  expectUmaskOption,
  failOnOption,
  formatOption,
  jsonOption,
  noColorOption,
  profileOption,
  rootOptions,
  styleOptions,
} from './options.js';
import { MANAGERS } from '../unit/managers.js';
import { mistypedCommand } from './suggest.js';
import { addPostmortemCommand, addWatchCommand } from './observe-commands.js';
import { quiet } from './quiet.js';
import { addTryCommand } from './try-command.js';

function addCommonOptions(cmd: Command): Command {
  addOptions(cmd, [formatOption(['table', 'json', 'junit', 'tap']), jsonOption(), profileOption(), failOnOption()])
    .option('--require <ids>', 'comma-separated check ids that must pass, whatever their severity')
    .option('--ignore <ids>', 'comma-separated check ids to skip');
  addOptions(cmd, [expectUmaskOption(), expectCwdOption()]).option(
    '--wait <seconds>',
    'wait up to SECONDS for the pid or pidfile to appear and settle',
  );
  return addOptions(cmd, [...rootOptions(), ...styleOptions()]);
}

function addAuditCommand(program: Command): void {
  program
    .description(
      'Tell whether a running Linux process is a true daemon, show the /proc evidence, and say how to fix it.',
    )
    .usage('[options] <pid> | --pidfile FILE | --name NAME | <command>')
    .argument('[pid]', 'process id to audit')
    .option('--pidfile <file>', 'audit the process named by this pidfile, and the pidfile itself')
    .option('--name <name>', 'audit every process whose comm or argv[0] basename is NAME')
    .addOption(briefOption())
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .addHelpText('after', () => fitHelp(examples()));
  quiet(program);
  addCommonOptions(program);
  program.action(async (pid: string | undefined, opts: CommonOptions) => {
    const { runAudit } = await import('./audit-command.js');
    process.exitCode = await runAudit(pid, opts);
  });
}

function addExplainCommand(program: Command): void {
  quiet(program.command('explain'))
    .description('why each rule exists, the evidence it reads, and how to fix a miss')
    .argument('[check-id]', 'one check id (all of them when left out)')
    .option('--json', 'the check metadata as JSON')
    .addHelpText('after', () =>
      fitHelp(`
Examples:
  daemon-check explain                 every check: why it exists, what it reads, how to fix a miss
  daemon-check explain own-session     one check`),
    )
    .action(async (id: string | undefined, opts: { json?: boolean }) => {
      const { runExplain } = await import('./explain-command.js');
      process.exitCode = runExplain(id, opts);
    });
}

function addRunCommand(program: Command): void {
  quiet(program.command('run'))
    .description('start CMD as a textbook daemon through the native helper, then audit it')
    .usage('[options] -- CMD [ARGS...]')
    .argument('<command...>', 'the program and its arguments (after --)')
    .option(
      '--pidfile <file>',
      'create, lock (fcntl OFD write lock) and fill this pidfile; exit 3 if another instance holds it',
    )
    .option('--umask <mode>', "the daemon's umask, octal (default 0022)")
    .option('--chdir <dir>', "the daemon's working directory (default /)")
    .option('--stdout <file>', 'append stdout to this file (created 0640; default /dev/null)')
    .option('--stderr <file>', 'append stderr to this file (created 0640; default /dev/null)')
    .option('--user <user[:group]>', 'run as this user (initgroups, setgid, setuid; needs root)')
    .option('--env <KEY=VALUE>', 'set an environment variable (repeatable)', (v: string, acc: string[] = []) => [
      ...acc,
      v,
    ])
    .option('--clear-env', 'start from an empty environment (PATH is kept) plus --env')
    .option('--wait-ready [seconds]', 'wait for READY=1 on $NOTIFY_SOCKET (sd_notify), 10 s by default')
    .option(
      '--settle <seconds>',
      'watch this long for a program that forks itself away, and follow it (default 1.5; 0: off)',
    )
    .option('--json', 'print {pid, pidfile, command, followed (if it forked itself away), verdict, report} as JSON')
    .option('--no-verify', 'do not audit the new daemon; print its pid and exit')
    .addOption(failOnOption())
    .addOption(noColorOption())
    .passThroughOptions()
    .addHelpText('after', () => fitHelp(runHelp()))
    .action(async (command: string[], opts) => {
      const { runRun } = await import('./run-command.js');
      process.exitCode = await runRun(command, opts);
    });
}

function addScanCommand(program: Command): void {
  const scan = quiet(program.command('scan'))
    .description('one row per background process: verdict, how it was started, problems (worst first)')
    .option('--user <user>', "only this user's processes (name or uid; default: yours)")
    .option('--all', "every user's processes");
  addOptions(scan, [
    formatOption(['table', 'json', 'prometheus'], "prometheus: text for node_exporter's textfile collector"),
    jsonOption(),
  ])
    .option(
      '--output <file>',
      'write to FILE atomically (a temporary file in its folder, renamed over it; mode 0644) instead of stdout',
    )
    .option('--max-series <n>', 'with --format prometheus: at most N daemon_check_process_info series (default 100)');
  addOptions(scan, [profileOption(), expectUmaskOption(), expectCwdOption(), ...rootOptions(), ...styleOptions()])
    .addHelpText('after', () => fitHelp(SCAN_HELP))
    .action(async (opts) => {
      const { runScan } = await import('./scan-command.js');
      process.exitCode = await runScan(opts);
    });
}

function addCaptureCommand(program: Command): void {
  const capture = quiet(program.command('capture'))
    .description('save the /proc evidence of one process as a fixture tree (for tests and bug reports)')
    .argument('<pid>', 'process id to capture')
    .option('--out <dir>', 'a new, empty folder to write the tree into')
    .option('--pidfile <file>', 'record the pidfile facts too');
  addOptions(capture, rootOptions())
    .addHelpText('after', () =>
      fitHelp(`
Examples:
  daemon-check capture 1234 --out ./capture-1234                 save what an audit of pid 1234 reads
  daemon-check capture 1234 --out ./c --pidfile /run/app.pid     with the pidfile's facts too

Replay: daemon-check <pid> --proc-root DIR gives the report the live process gave.`),
    )
    .action(async (pid: string, opts: { out?: string; procRoot: string; hostRoot: string; pidfile?: string }) => {
      const { runCapture } = await import('./capture-command.js');
      process.exitCode = runCapture(pid, opts);
    });
}

function addTreeCommand(program: Command): void {
  const tree = quiet(program.command('tree'))
    .description(
      'draw the session of a process: its process groups, the controlling terminal, the foreground group, its parents',
    )
    .argument('<pid>', 'process id to draw');
  addOptions(tree, [asciiOption(), colorOption(), noColorOption(), ...rootOptions()])
    .addHelpText('after', () => fitHelp(TREE_HELP))
    .action(async (pid: string, opts) => {
      const { runTree } = await import('./tree-command.js');
      process.exitCode = await runTree(pid, opts);
    });
}

function addUnitCommand(program: Command): void {
  const unit = quiet(program.command('unit'))
    .description("print a service definition that runs this process's program in the foreground under a manager")
    .argument('<pid>', 'process id whose program to describe')
    .addOption(new Option('--for <manager>', 'the service manager').choices(MANAGERS).default('systemd'))
    .option('--env', 'write environment values too (names only by default: values may hold secrets)');
  addOptions(unit, rootOptions())
    .addHelpText('after', () => fitHelp(UNIT_HELP))
    .action(async (pid: string, opts) => {
      const { runUnit } = await import('./unit-command.js');
      process.exitCode = await runUnit(pid, opts);
    });
}

const SUBCOMMANDS: Record<string, (program: Command) => void> = {
  explain: addExplainCommand,
  run: addRunCommand,
  scan: addScanCommand,
  capture: addCaptureCommand,
  unit: addUnitCommand,
  tree: addTreeCommand,
  watch: addWatchCommand,
  postmortem: addPostmortemCommand,
  try: addTryCommand,
};

/**
 * The program; without argv, every command. An audit's argv (no command name,
 * no help) gets the audit alone: defining the six other commands and their
 * options cost ~1.5 ms of a ~45 ms audit.
 */
export function buildProgram(argv?: readonly string[]): Command {
  const program = new Command('daemon-check');
  addAuditCommand(program);
  const all = !argv || argv.some((a) => Object.hasOwn(SUBCOMMANDS, a) || a === 'help' || a === '-h' || a === '--help');
  if (all) for (const add of Object.values(SUBCOMMANDS)) add(program);
  return program;
}

/**
 * Parses ARGV with commander and runs what it names. Commander's own errors
 * become one line and exit code 2 here; any other error is thrown to main.
 */
export async function runProgram(argv: string[]): Promise<number> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version')
      return 0;
    // "daemon-check -5" reads as an option to commander; to a user it is a bad pid.
    const negative = err.code === 'commander.unknownOption' ? /unknown option '(-\d+)'/.exec(err.message) : null;
    if (negative) {
      printError(`pid ${negative[1]} is not valid: pids start at 1 (see 'ps -e')`);
      return 2;
    }
    // "daemon-check tre 1": a mistyped command with an argument reads as a pid and one word too many
    // ("unit 1 2" is the right command given too many: commander's own message says so).
    const meant = err.code === 'commander.excessArguments' && argv[0] ? mistypedCommand(argv[0]) : null;
    if (meant && meant !== argv[0]) {
      printError(`unknown command '${argv[0]}'; did you mean ${meant}? (see 'daemon-check --help')`);
      return 2;
    }
    // commander puts its own suggestion on a second line: keep the message to one.
    const msg = err.message
      .replace(/^error: /, '')
      .replace(/\.$/, '')
      .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)');
    printError(`${msg}; see 'daemon-check --help'`);
    return 2;
  }
}
