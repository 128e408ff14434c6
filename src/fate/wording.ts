/** Sentences the fate entries share, so each rule is worded once. */
import type { Disposition } from './disposition.js';
import type { SessionView } from './session.js';
import type { ShellInfo } from './shell.js';
import type { JobRules } from './shell-rules.js';
import { processLabel } from '../core/words.js';
import { entry, eitherOf } from './types.js';
import type { FateEntry } from '../core/types.js';

/**
 * The conditions /proc cannot show that spare a job of bash on a hangup: it
 * left the job table (`disown`) or was marked not to be signalled
 * (`disown -h`), or the hangup found bash running PROMPT_COMMAND or a trap,
 * where bash is not interactive and exits without signalling its jobs
 * (sig.c, termsig_handler; measured over SSH).
 */
export function unlessDisownedOrTrapped(shell: ShellInfo): string {
  return `it was removed from ${processLabel(shell)}'s job table with \`disown\` or marked with \`disown -h\` (not visible in /proc), or the hangup comes while bash runs PROMPT_COMMAND or a trap: then bash sends it no SIGHUP`;
}

/** The same for zsh and fish: `&!` or `disown` keep a job out of the table; a zsh's HUP may be unset by hand. */
export function unlessLeftTable(rules: JobRules, shell: ShellInfo): string {
  const name = processLabel(shell);
  const how = rules.name === 'zsh' ? 'was started with `&!` or removed' : 'was removed';
  const opt = rules.name === 'zsh' && !rules.decidedBy ? ', or `setopt nohup` was typed in it' : '';
  const left = `it ${how} from ${name}'s job table with \`disown\` (not visible in /proc)${opt}: then ${rules.name} sends it no SIGHUP`;
  return eitherOf(left, rules.rcDoubt)!;
}

/**
 * bash sends SIGTERM only to the jobs its table still marks stopped; when the
 * SIGCHLD of the SIGCONT it just sent is handled first, the job counts as
 * running and is spared (jobs.c, hangup_all_jobs then terminate_stopped_jobs).
 * Measured on a pty: never with the job last in the table, 6 of 15 with three
 * stopped jobs after it, 10 of 10 with twenty.
 */
const CONTINUED_RACE =
  'bash has already seen it continue (after the SIGCONT) when it sends SIGTERM to the jobs it still counts as stopped, a race that is likelier the more jobs follow it in the table: then it lives';

/** Reading or writing a terminal that is gone: what ended a Python job that printed to it, measured over SSH. */
export function deadTerminalIo(v: SessionView, event: string): string | null {
  if (v.stdioTerminal.length === 0) return null;
  const fds = v.stdioTerminal.map((f) => `fd ${f.fd}`).join(', ');
  return `it reads from or writes to the terminal ${v.stdioTerminal[0]!.target} (${fds}), which is dead after ${event}: reads return end of file and writes fail with EIO, and a program that treats that as fatal exits (Python's print does; a shell loop's echo carries on)`;
}

/**
 * What SIGHUP does given the disposition. `term`: the SIGTERM disposition of
 * a stopped job, which bash also sends SIGTERM and SIGCONT as it exits.
 */
export function hupOutcome(
  hup: Disposition,
  chain: string,
  by: string,
  unless: string | null,
  term: Disposition | null = null,
): FateEntry {
  switch (hup) {
    case 'default':
      return entry('dies', `${chain}; SIGHUP has its default action, so it dies.`, by, unless);
    case 'ignored':
      if (term === 'default') {
        return entry(
          'dies',
          `${chain}; it ignores SIGHUP, but it is stopped, and bash sends SIGTERM and SIGCONT to its stopped jobs as it exits, so it dies.`,
          by,
          eitherOf(CONTINUED_RACE, unless),
        );
      }
      return entry('lives', `${chain}; it ignores SIGHUP (as nohup arranges), so it lives on.`, by);
    case 'caught':
      return entry(
        'lives',
        `${chain}; it catches SIGHUP, so its own handler decides (many daemons reload on SIGHUP and carry on).`,
        by,
        eitherOf('its SIGHUP handler exits'),
      );
    case 'blocked':
      return entry(
        'lives',
        `${chain}; it blocks SIGHUP, so the signal stays pending.`,
        by,
        'it unblocks SIGHUP, which then has its default action',
      );
    default:
      return entry(
        'unknown',
        `${chain}; what SIGHUP does to it is unknown: its signal dispositions (status) could not be read.`,
        by,
      );
  }
}

/** What SIGTERM does given the disposition (for a stopped job at the shell's second `exit`). */
export function termOutcome(term: Disposition, chain: string, by: string, unless: string | null): FateEntry {
  switch (term) {
    case 'default':
      return entry('dies', `${chain}; SIGTERM has its default action, so it dies.`, by, unless);
    case 'ignored':
      return entry('lives', `${chain}; it ignores SIGTERM, so it lives on.`, by);
    case 'caught':
      return entry(
        'dies',
        `${chain}; it catches SIGTERM, and a handler normally cleans up and exits.`,
        by,
        eitherOf('its SIGTERM handler does not exit', unless),
      );
    case 'blocked':
      return entry('lives', `${chain}; it blocks SIGTERM, so the signal stays pending.`, by, 'it unblocks SIGTERM');
    default:
      return entry(
        'unknown',
        `${chain}; what SIGTERM does to it is unknown: its signal dispositions (status) could not be read.`,
        by,
      );
  }
}
