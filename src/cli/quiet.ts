import type { Command } from 'commander';
import { writeOut } from './output.js';

/**
 * Every command's error output goes through main's catch: one line, the
 * documented exit code. Help goes through writeOut, which ignores EPIPE
 * (`daemon-check --help | head -1`), not through process.stdout, whose EPIPE
 * is an unhandled 'error' event and a stack trace.
 */
export function quiet(cmd: Command): Command {
  return cmd.exitOverride().configureOutput({ writeOut, writeErr: () => {} });
}
