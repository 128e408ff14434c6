/**
 * What each exit code means, in one place. The tables in README.md and
 * docs/interface.md and the exit-code lines of --help are made from this
 * (scripts/generate-docs.mjs; test/unit/docs.test.ts fails when a copy is out of
 * date). Which failure gets which code is DaemonCheckError's own mapping
 * (src/errors.ts), read here through the errors themselves, so a failure
 * cannot land under a code whose row does not name it.
 */
import { DaemonCheckError, type DaemonCheckErrorCode } from '../core/errors.js';

export interface ExitCode {
  code: number;
  /** A few words, for --help. */
  brief: string;
  /** The whole meaning, for the tables. */
  meaning: string;
}

/**
 * How each failure of an audit is named in the exit-code table. A Record, so
 * a new DaemonCheckErrorCode does not compile until it has its words.
 */
export const FAILURE_WORDS: Record<DaemonCheckErrorCode, string> = {
  INVALID_PID: 'an unparseable pid',
  INVALID_ARGUMENT: 'a bad argument such as an empty `--name`',
  NO_SUCH_PROCESS: 'no such process',
  EXITED_DURING_AUDIT: 'it exited during the audit (or its pid was reused)',
  KERNEL_THREAD: 'a kernel thread',
  ZOMBIE: 'a zombie',
  PIDFILE: 'a missing, empty, garbage or stale pidfile',
  NO_MATCH: 'no process matches `--name`',
  ACCESS_DENIED: 'its stat cannot be read by this user (run as root or as its owner)',
  PROC_ROOT: 'a `--proc-root` that is neither a procfs nor a capture',
  TIMEOUT: 'the pid or pidfile did not appear within `--wait`',
};

/** The failures that end in exit CODE, in FAILURE_WORDS's order. */
function failuresOf(code: number): string[] {
  return (Object.keys(FAILURE_WORDS) as DaemonCheckErrorCode[])
    .filter((c) => new DaemonCheckError(c, '').exitCode === code)
    .map((c) => FAILURE_WORDS[c]);
}

const joinWords = (words: string[]): string => words.join(', ');

/**
 * daemon-check PID, --pidfile FILE, --name NAME: exitCodeFor (src/verdict.ts)
 * and the errors decide. A function, so an audit (which loads this module for
 * its --help) does not build the errors it asks.
 */
export const auditExitCodes = (): ExitCode[] => [
  {
    code: 0,
    brief: 'meets the bar',
    meaning:
      'the verdict meets the bar (`daemon` or `daemon-with-warnings`; only `daemon` under `--fail-on warn`) and every `--require`d check passed',
  },
  { code: 1, brief: 'falls short', meaning: 'the audit ran and the process falls short' },
  {
    code: 2,
    brief: 'bad command line',
    meaning: `the command line is wrong: an unknown option or check id, a bad mode, ${joinWords(failuresOf(2))}`,
  },
  {
    code: 3,
    brief: 'cannot be audited',
    meaning: `the target cannot be audited: ${joinWords(failuresOf(3))}, or an \`inconclusive\` verdict`,
  },
];

/** What the audit's --help adds under its exit codes. */
const AUDIT_NOTE = '(no such process, kernel thread, bad pidfile, or an inconclusive verdict).';

/** daemon-check run: the native helper's codes (src/daemonize/helper.ts), then the final audit's. */
export const RUN_EXIT_CODES: readonly ExitCode[] = [
  {
    code: 0,
    brief: 'started (and passed its audit)',
    meaning: 'the daemon started (and passed its audit, unless `--no-verify`)',
  },
  { code: 127, brief: 'command not found', meaning: 'the command was not found (as a shell says)' },
  { code: 126, brief: 'not executable', meaning: 'the command could not be executed (as a shell says)' },
  {
    code: 3,
    brief: 'another instance holds the pidfile lock',
    meaning: "another instance holds the pidfile's lock: it is already running",
  },
  {
    code: 1,
    brief: 'any other failure to start',
    meaning:
      'any other failure to start, including a program that forked itself away in a way `run` could not follow (the message names its foreground option from the knowledge table), or a final audit that falls short',
  },
];

/** The other commands, one line each; every command exits 2 for a bad command line. */
export const OTHER_EXIT_CODES: ReadonlyArray<{ command: string; codes: string }> = [
  {
    command: 'scan',
    codes:
      '0 the scan ran; 2 a bad command line, including an `--output FILE` that cannot be written (checked before anything is scanned) or a write to it that fails later; 3 a `--proc-root` that is neither a procfs nor a capture',
  },
  {
    command: 'unit',
    codes:
      '0 a definition was printed; 2 a bad command line, including an unknown `--for` (the message lists the choices); 3 the process cannot be audited (no such process, a kernel thread, a zombie)',
  },
  { command: 'tree', codes: '0 the picture was drawn; 2 a bad command line; 3 the process cannot be read' },
  {
    command: 'capture',
    codes:
      '0 the tree was written; 2 a bad command line, including a missing `--out` or one that is not a new, empty folder; 3 no such process, or it exited during the capture',
  },
  { command: 'explain', codes: '0 the text was printed; 2 an unknown check id' },
  {
    command: 'watch',
    codes:
      '0 the watch ran and its summary was printed (every watched process ended, `--for` ran out, or SIGINT or SIGTERM stopped it); 2 a bad command line, including a `--for` that is not a duration or a `--journal` that cannot be written (checked before anything starts); 3 the target cannot be watched: no such process, a pidfile without a process, gone while the watch started, or tracing refused',
  },
  {
    command: 'try',
    codes:
      '0 every process the line started survived every ending tried (or it started none that lasted); 1 one of them died; 2 a bad command line, including an empty start line, a `--shell` that does not exist or cannot be executed, or a bad `--settle`; 3 the experiment could not be run: `--user` without root, no such user, no pty, the login shell never answered, or the login ended by itself (a line that runs `exit`)',
  },
];

/**
 * "Exit codes: 0 meets the bar, 1 falls short, ..." for --help: as many
 * codes on a line as fit in 90 columns (the help is printed as written when
 * piped), then NOTE on a line of its own.
 */
function exitCodesHelp(list: readonly ExitCode[], note?: string): string {
  const items = list.map((c, i) => `${c.code} ${c.brief}${i === list.length - 1 ? (note ? '' : '.') : ','}`);
  const lines = ['Exit codes:'];
  for (const item of items) {
    const last = lines.length - 1;
    if (`${lines[last]} ${item}`.length <= 90) lines[last] = `${lines[last]} ${item}`;
    else lines.push(item);
  }
  return note ? [...lines, note].join('\n') : lines.join('\n');
}

export const auditExitHelp = (): string => exitCodesHelp(auditExitCodes(), AUDIT_NOTE);
export const runExitHelp = (): string => exitCodesHelp(RUN_EXIT_CODES);
