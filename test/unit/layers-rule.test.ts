/**
 * The layers rule (eslint-rules/layers.js) on in-memory snippets, linted with
 * the project's own eslint.config.js as if they were files of src/: an import
 * of a higher layer fails, type-only, re-exported and dynamic ones included; an import of
 * the same layer or a lower one passes; a file no layer holds fails.
 */
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

/** The layers rule's messages for `code` as the file src/<file>. */
async function layerMessages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, 'src', file) });
  return result!.messages.filter((m) => m.ruleId === 'daemon-check/layers').map((m) => m.message);
}

describe('the layers rule', () => {
  it('fails an import of a higher layer, naming both layers', async () => {
    const messages = await layerMessages(
      'core/probe.ts',
      "import { checks } from '../checks/index.js';\nexport const n = checks.length;\n",
    );
    expect(messages).toEqual([
      "'../checks/index.js' is in the checks layer, above this module's core layer: a module imports only its own layer or lower ones (eslint-rules/layers.js)",
    ]);
  });

  it('counts type-only imports, re-exports and dynamic imports', async () => {
    const messages = await layerMessages(
      'proc/probe.ts',
      [
        "import type { Snapshot } from '../snapshot/types.js';",
        "export type { Fate } from '../fate/index.js';",
        "export const later = (): Promise<unknown> => import('../cli/main.js');",
        "export type Options = import('../audit-types.js').AuditOptions;",
        'export type S = Snapshot;',
        '',
      ].join('\n'),
    );
    expect(messages).toHaveLength(4);
    expect(messages[0]).toContain("'../snapshot/types.js' is in the snapshot layer, above this module's proc layer");
    expect(messages[1]).toContain("'../fate/index.js' is in the fate layer, above this module's proc layer");
    expect(messages[2]).toContain("'../cli/main.js' is in the cli layer, above this module's proc layer");
    expect(messages[3]).toContain("'../audit-types.js' is in the checks layer, above this module's proc layer");
  });

  it('passes imports of the same layer, lower layers and packages', async () => {
    const messages = await layerMessages(
      'checks/probe.ts',
      [
        "import { readFileSync } from 'node:fs';",
        "import { defineCheck } from './check.js';",
        "import { chooseProfile } from '../profile.js';",
        "import { computeFate } from '../fate/index.js';",
        "import { processLabel } from '../core/words.js';",
        'export const all = [readFileSync, defineCheck, chooseProfile, computeFate, processLabel];',
        '',
      ].join('\n'),
    );
    expect(messages).toEqual([]);
  });

  it('places the root files: classify.ts is below proc, audit.ts above diagnose', async () => {
    expect(await layerMessages('proc/probe.ts', "export { programKind } from '../classify.js';\n")).toEqual([]);
    const fromDiagnose = await layerMessages('diagnose/probe.ts', "export { buildReport } from '../audit.js';\n");
    expect(fromDiagnose).toEqual([
      "'../audit.js' is in the audit layer, above this module's diagnose layer: a module imports only its own layer or lower ones (eslint-rules/layers.js)",
    ]);
  });

  it('places try/ between postmortem and api: it reads the watch, and the api may not be imported by it', async () => {
    expect(await layerMessages('try/probe.ts', "export { tellEndings } from '../watch/story.js';\n")).toEqual([]);
    expect(await layerMessages('try/probe.ts', "export { audit } from '../api.js';\n")).toEqual([
      "'../api.js' is in the api layer, above this module's try layer: a module imports only its own layer or lower ones (eslint-rules/layers.js)",
    ]);
    expect(await layerMessages('postmortem/probe.ts', "export { runTry } from '../try/index.js';\n")).toEqual([
      "'../try/index.js' is in the try layer, above this module's postmortem layer: a module imports only its own layer or lower ones (eslint-rules/layers.js)",
    ]);
  });

  it('fails a file that no layer holds', async () => {
    expect(await layerMessages('stray.ts', 'export const x = 1;\n')).toEqual([
      'src/stray.ts is in no layer: place it in LAYERS in eslint-rules/layers.js',
    ]);
  });
});
