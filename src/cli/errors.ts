/** One line on stderr for anything a user can cause: the cause and the fix (docs/interface.md, "Exit codes"). */
import { safeText } from '../report/sanitize.js';
import { writeErr } from './output.js';

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}

export function printError(message: string): void {
  // One line, and no terminal escapes from a hostile comm or path.
  writeErr(`daemon-check: ${safeText(message)}\n`);
}
