/**
 * The options that several commands take, each declared once with one help
 * text. Each function makes a new Option, since a commander Option belongs to
 * the one command it is added to.
 */
import { type Command, Option } from 'commander';

export const procRootOption = (): Option =>
  new Option('--proc-root <dir>', "read this /proc instead: a container's /host/proc, or a capture folder").default(
    '/proc',
  );

export const hostRootOption = (): Option =>
  new Option(
    '--host-root <dir>',
    "the host's files outside /proc (logind.conf, linger, /run/systemd, /etc/passwd) are under DIR",
  ).default('/');

export const asciiOption = (): Option =>
  new Option('--ascii', 'draw boxes, tables and marks with ASCII only (the default when LANG is not UTF-8)');

export const briefOption = (): Option =>
  new Option('--brief', 'print only the first screen: the verdict and its reason, what ends it, what to do');

export const colorOption = (): Option => new Option('--color', 'colours even when stdout is not a terminal');

export const noColorOption = (): Option =>
  new Option('--no-color', 'no colours (by default NO_COLOR turns them off, FORCE_COLOR on, else only on a terminal)');

/** --format with this command's CHOICES; NOTE says what a format of its own is for. */
export const formatOption = (choices: readonly string[], note?: string): Option =>
  new Option('--format <format>', note ? `output format (${note})` : 'output format')
    .choices([...choices])
    .default('table');

export const jsonOption = (): Option => new Option('--json', 'same as --format json');

export const profileOption = (): Option =>
  new Option('--profile <profile>', 'which rules apply: auto picks managed for supervised services')
    .choices(['auto', 'sysv', 'managed'])
    .default('auto');

export const failOnOption = (): Option =>
  new Option('--fail-on <level>', 'exit 1 on a failed check (fail) or on any warning too (warn)')
    .choices(['fail', 'warn'])
    .default('fail');

export const expectUmaskOption = (): Option =>
  new Option('--expect-umask <mode>', 'the umask a daemon should have, in octal (without it, 0022 and 0000 pass)');

export const expectCwdOption = (): Option =>
  new Option('--expect-cwd <dir>', 'the working directory a daemon should have (default /)');

/** Where to read from: every command that reads /proc takes both. */
export const rootOptions = (): Option[] => [procRootOption(), hostRootOption()];

/** How to draw: --color, --no-color and --ascii, in that order. */
export const styleOptions = (): Option[] => [colorOption(), noColorOption(), asciiOption()];

/** Adds OPTIONS to CMD in order; returns CMD to go on chaining. */
export function addOptions(cmd: Command, options: readonly Option[]): Command {
  for (const o of options) cmd.addOption(o);
  return cmd;
}
