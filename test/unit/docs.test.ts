/**
 * The generated files match the registry they are generated from: the
 * schema's enums, docs/checks.md and the README's check table. When this
 * fails, run `npm run docs` and commit the result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checks, CHECK_IDS } from '../../src/checks/index.js';
import {
  checksMarkdown,
  readmeChecksTable,
  README_TABLE_END,
  README_TABLE_START,
  explainLines,
} from '../../src/docs/checks-doc.js';
import { reportSchemaText } from '../../src/docs/schema.js';
import { runCli } from '../helpers/cli.js';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

describe('generated files are up to date (npm run docs)', () => {
  it('schema/report.schema.json is what src/docs/schema.ts builds', () => {
    expect(read('schema/report.schema.json')).toBe(reportSchemaText());
  });

  it("the schema's check id enums are the registry's ids, in order", () => {
    const schema = JSON.parse(read('schema/report.schema.json'));
    expect(schema.definitions.check.properties.id.enum).toEqual([...CHECK_IDS]);
    expect(schema.definitions.report.properties.requireFailed.items.enum).toEqual([...CHECK_IDS]);
  });

  it('docs/checks.md is what the registry says', () => {
    expect(read('docs/checks.md')).toBe(checksMarkdown());
  });

  it("the README's check table is the registry's", () => {
    const readme = read('README.md');
    const a = readme.indexOf(README_TABLE_START);
    const b = readme.indexOf(README_TABLE_END);
    expect(a).toBeGreaterThan(0);
    expect(readme.slice(a + README_TABLE_START.length, b).trim()).toBe(readmeChecksTable());
    for (const id of CHECK_IDS) expect(readme).toContain(`\`${id}\``);
  });

  it('explain prints the same text for every check as docs/checks.md carries', async () => {
    const out = await runCli(['explain']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(checks.flatMap((c) => [...explainLines(c), '']).join('\n'));
    const md = read('docs/checks.md');
    for (const c of checks) {
      expect(md).toContain(c.rationale);
      expect(md).toContain(c.evidence);
      expect(md).toContain(c.fix);
    }
  });
});
