/** `daemon-check explain [CHECK-ID]`: the same metadata the reports and docs/checks.md use. */
import { writeOut } from './output.js';
import { checks, findCheck } from '../checks/index.js';
import { explainJson, explainLines } from '../docs/checks-doc.js';
import { CliError } from './errors.js';

export function runExplain(id: string | undefined, opts: { json?: boolean }): number {
  const one = id === undefined ? null : findCheck(id);
  if (id !== undefined && !one) {
    throw new CliError(`unknown check id '${id}'; the ids are: ${checks.map((c) => c.id).join(', ')}`);
  }
  const list = one ? [one] : checks;
  if (opts.json) {
    writeOut(JSON.stringify(explainJson(list), null, 2) + '\n');
    return 0;
  }
  writeOut(list.flatMap((c) => [...explainLines(c), '']).join('\n'));
  return 0;
}
