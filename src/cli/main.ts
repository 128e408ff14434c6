/**
 * Command-line wiring only: parse arguments, call the library, print, map to
 * an exit code. The audit of one pid, as a table or as JSON, is parsed here
 * without commander (src/cli/fast-audit.ts); everything else goes through
 * src/cli/program.ts. Commands are imported lazily so an audit does not pay
 * for `run` or `scan`.
 */
import { fastAuditArgs } from './fast-audit.js';
import { guarded } from './guard.js';
import { outputFlushed } from './output.js';

export { outputFlushed };

export function main(argv: string[]): Promise<number> {
  return guarded(async () => {
    const fast = fastAuditArgs(argv);
    if (fast) {
      const { runAudit } = await import('./audit-command.js');
      return runAudit(fast.pid, fast.opts);
    }
    const { runProgram } = await import('./program.js');
    return runProgram(argv);
  });
}
