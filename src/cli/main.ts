/**
 * Command-line wiring only: parse arguments, call the library, print, map to
 * an exit code. The audit of one pid, as a table or as JSON, is parsed here
 * without commander (src/cli/fast-audit.ts); everything else goes through
 * src/cli/program.ts. Commands are imported lazily so an audit does not pay
 * for `run` or `scan`.
 */
import { DaemonCheckError } from '../core/errors.js';
import { CliError, printError } from './errors.js';
import { fastAuditArgs } from './fast-audit.js';
import { outputFlushed, writeErr } from './output.js';

export { outputFlushed };

export async function main(argv: string[]): Promise<number> {
  try {
    const fast = fastAuditArgs(argv);
    if (fast) {
      const { runAudit } = await import('./audit-command.js');
      return await runAudit(fast.pid, fast.opts);
    }
    const { runProgram } = await import('./program.js');
    return await runProgram(argv);
  } catch (err) {
    if (err instanceof DaemonCheckError || err instanceof CliError) {
      printError(err.message);
      return err.exitCode;
    }
    // A bug: still one line, plus where to report it. DAEMON_CHECK_DEBUG=1 shows the stack.
    const e = err as Error;
    printError(
      `internal error: ${e?.message ?? String(err)} (please report it with 'daemon-check capture'; DAEMON_CHECK_DEBUG=1 shows details)`,
    );
    if (process.env.DAEMON_CHECK_DEBUG) writeErr(`${e?.stack ?? ''}\n`);
    return 3;
  }
}
