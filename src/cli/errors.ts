/** One line on stderr for anything a user can cause: the cause and the fix (docs/interface.md, "Exit codes"). */
import { terminalWidth, wrap } from '../report/layout.js';
import { safeText } from '../report/sanitize.js';
import { isTerminal, writeErr } from './output.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function printError(message: string): void {
  // One line, and no terminal escapes from a hostile comm or path; on a terminal it is
  // wrapped at word boundaries to its width (a pipe or a log gets it whole).
  const line = `daemon-check: ${safeText(message)}`;
  const tty = isTerminal(2);
  const width = tty ? terminalWidth(true, process.stderr.columns, process.env) : null;
  writeErr(`${(width ? wrap(line, width, '', '  ') : [line]).join('\n')}\n`);
}
