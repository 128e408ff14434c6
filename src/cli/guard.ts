/**
 * A command's result as an exit code: a user's mistake or a refusal is one
 * line on stderr with its documented code, and a bug is one line too, with
 * where to report it (DAEMON_CHECK_DEBUG=1 adds the stack). Both entries of
 * the CLI (main.ts and audit-main.ts) answer through it.
 */
import { DaemonCheckError } from '../core/errors.js';
import { CliError, printError } from './errors.js';
import { writeErr } from './output.js';

export async function guarded(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DaemonCheckError || err instanceof CliError) {
      printError(err.message);
      return err.exitCode;
    }
    const e = err as Error;
    printError(
      `internal error: ${e?.message ?? String(err)} (please report it with 'daemon-check capture'; DAEMON_CHECK_DEBUG=1 shows details)`,
    );
    if (process.env.DAEMON_CHECK_DEBUG) writeErr(`${e?.stack ?? ''}\n`);
    return 3;
  }
}
