/**
 * The entry of dist/bundle/audit.cjs: the audit of one pid, `daemon-check PID`
 * or `daemon-check PID --json`, the command run most often, in a bundle that
 * holds nothing else (no commander, scan, run, try, watch or unit code), so
 * that Node reads and loads half as much for it. bin/daemon-check.js picks
 * this bundle for such argv; for any other argv main() answers null, and the
 * launcher runs the whole CLI (main.ts) instead.
 */
import { fastAuditArgs } from './fast-audit.js';
import { guarded } from './guard.js';
import { outputFlushed } from './output.js';

export { outputFlushed };

export async function main(argv: string[]): Promise<number | null> {
  const fast = fastAuditArgs(argv);
  if (!fast) return null;
  return guarded(async () => {
    const { runAudit } = await import('./audit-command.js');
    return runAudit(fast.pid, fast.opts);
  });
}
