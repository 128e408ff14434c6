/** `daemon-check explain [CHECK-ID]`: the same metadata the reports use. */
import { writeOut } from './output.js';
import { checks, findCheck } from '../checks/index.js';
import { CliError } from './errors.js';

export function runExplain(id: string | undefined, opts: { json?: boolean }): number {
  const list = id === undefined ? checks : [findCheck(id)];
  if (list[0] === undefined) {
    throw new CliError(`unknown check id '${id}'; the ids are: ${checks.map((c) => c.id).join(', ')}`);
  }
  if (opts.json) {
    const meta = list.map((c) => ({ id: c!.id, title: c!.title, severity: c!.severity, sysvOnly: c!.sysvOnly ?? false, rationale: c!.rationale, evidence: c!.evidence, fix: c!.fix }));
    writeOut(JSON.stringify({ schemaVersion: 1, checks: meta }, null, 2) + '\n');
    return 0;
  }
  const out: string[] = [];
  for (const c of list) {
    out.push(`${c!.id}  (${c!.severity}${c!.sysvOnly ? ', sysv profile only' : ''})`);
    out.push(`  ${c!.title}`);
    out.push(`  Why:      ${c!.rationale}`);
    out.push(`  Evidence: ${c!.evidence}`);
    out.push(`  Fix:      ${c!.fix}`);
    out.push('');
  }
  writeOut(out.join('\n'));
  return 0;
}
