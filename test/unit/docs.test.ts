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
import { schemaText, watchEventSchema, watchSummarySchema } from '../../src/watch/schema.js';
import {
  auditExitTable,
  blockOf,
  commandExitTables,
  COMMAND_EXIT_END,
  COMMAND_EXIT_START,
  EXIT_TABLE_END,
  EXIT_TABLE_START,
} from '../../src/docs/exit-codes-doc.js';
import { auditExitCodes, auditExitHelp, FAILURE_WORDS, runExitHelp } from '../../src/report/exit-codes.js';
import { DaemonCheckError, type DaemonCheckErrorCode } from '../../src/core/errors.js';
import { runCli } from '../helpers/cli.js';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

describe('generated files are up to date (npm run docs)', () => {
  it('schema/report.schema.json is what src/docs/schema.ts builds', () => {
    expect(read('schema/report.schema.json')).toBe(reportSchemaText());
  });

  it('schema/watch-event.schema.json and schema/watch-summary.schema.json are what src/watch/schema.ts builds', () => {
    expect(read('schema/watch-event.schema.json')).toBe(schemaText(watchEventSchema()));
    expect(read('schema/watch-summary.schema.json')).toBe(schemaText(watchSummarySchema()));
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

describe('exit codes: one list, every copy generated from it (npm run docs)', () => {
  it("the README's and docs/interface.md's audit tables are the list's", () => {
    for (const file of ['README.md', 'docs/interface.md']) {
      expect(blockOf(read(file), EXIT_TABLE_START, EXIT_TABLE_END), file).toBe(auditExitTable());
    }
  });

  it("docs/interface.md's tables of run and the other commands are the list's", () => {
    expect(blockOf(read('docs/interface.md'), COMMAND_EXIT_START, COMMAND_EXIT_END)).toBe(commandExitTables());
  });

  it('every failure of an audit is named in the row of the exit code it ends with', () => {
    const rows = new Map(auditExitCodes().map((c) => [c.code, c.meaning]));
    for (const code of Object.keys(FAILURE_WORDS) as DaemonCheckErrorCode[]) {
      const exit = new DaemonCheckError(code, 'x').exitCode;
      expect(rows.get(exit), `${code} exits ${exit}`).toContain(FAILURE_WORDS[code]);
    }
    // The case the hand-written README table once left out.
    expect(rows.get(3)).toContain('a zombie');
    expect([...rows.keys()]).toEqual([0, 1, 2, 3]);
  });

  it("--help prints the list's exit codes, for the audit and for run", async () => {
    const audit = await runCli(['--help']);
    expect(audit.stdout).toContain(auditExitHelp());
    expect(audit.stdout).toContain(
      'Exit codes: 0 meets the bar, 1 falls short, 2 bad command line, 3 cannot be audited',
    );
    const run = await runCli(['run', '--help']);
    expect(run.stdout).toContain(runExitHelp());
    expect(run.stdout).toContain('127 command not found, 126 not executable');
  });
});

describe('links between the docs', () => {
  const pages = ['README.md', 'CONTRIBUTING.md', ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)];

  it.each(pages)('every relative link in %s names a file that exists', (page) => {
    const text = read(page);
    const links = [...text.matchAll(/\]\(([^)#\s]+)(#[^)\s]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((l) => !/^[a-z]+:/.test(l));
    for (const link of links) {
      expect(fs.existsSync(path.join(ROOT, path.dirname(page), link)), `${page} -> ${link}`).toBe(true);
    }
  });
});
