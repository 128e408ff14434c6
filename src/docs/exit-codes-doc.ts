/**
 * The exit-code tables of README.md and docs/interface.md, made from
 * src/report/exit-codes.ts, and the markers they sit between. One source, so the
 * copies cannot drift apart (test/unit/docs.test.ts).
 */
import { auditExitCodes, OTHER_EXIT_CODES, RUN_EXIT_CODES, type ExitCode } from '../report/exit-codes.js';

export const EXIT_TABLE_START = '<!-- exit codes table: generated from src/report/exit-codes.ts by `npm run docs` -->';
export const EXIT_TABLE_END = '<!-- end of exit codes table -->';
export const COMMAND_EXIT_START =
  "<!-- other commands' exit codes: generated from src/report/exit-codes.ts by `npm run docs` -->";
export const COMMAND_EXIT_END = "<!-- end of other commands' exit codes -->";

function table(list: readonly ExitCode[]): string[] {
  return ['| code | meaning |', '|---|---|', ...list.map((c) => `| ${c.code} | ${c.meaning} |`)];
}

/** The audit's codes (daemon-check PID, --pidfile, --name). */
export function auditExitTable(): string {
  return table(auditExitCodes()).join('\n');
}

/** `run`'s codes, then a line per other command. */
export function commandExitTables(): string {
  return [
    '`daemon-check run`:',
    '',
    ...table(RUN_EXIT_CODES),
    '',
    'The other commands:',
    '',
    '| command | exit codes |',
    '|---|---|',
    ...OTHER_EXIT_CODES.map((c) => `| \`${c.command}\` | ${c.codes} |`),
  ].join('\n');
}

/** TEXT with what lies between START and END replaced by BODY; null when the markers are missing. */
export function withBlock(text: string, start: string, end: string, body: string): string | null {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return null;
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}

/** What lies between START and END, trimmed; null when the markers are missing. */
export function blockOf(text: string, start: string, end: string): string | null {
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return null;
  return text.slice(a + start.length, b).trim();
}
