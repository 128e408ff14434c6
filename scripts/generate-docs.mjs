#!/usr/bin/env node
// Writes the files generated from the check registry and the shared
// constants: schema/report.schema.json, docs/checks.md, and the check table
// in README.md. `npm run docs` (builds first); test/docs.test.ts fails when
// any of them is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { reportSchemaText } = await import(join(root, 'dist', 'docs', 'schema.js'));
const { checksMarkdown, withReadmeTable } = await import(join(root, 'dist', 'docs', 'checks-doc.js'));

function update(rel, text) {
  const file = join(root, rel);
  let old = null;
  try {
    old = readFileSync(file, 'utf8');
  } catch {
    /* a new file */
  }
  if (old === text) return;
  writeFileSync(file, text);
  process.stdout.write(`wrote ${rel}\n`);
}

update('schema/report.schema.json', reportSchemaText());
update('docs/checks.md', checksMarkdown());
const readme = withReadmeTable(readFileSync(join(root, 'README.md'), 'utf8'));
if (readme === null) {
  process.stderr.write('generate-docs: README.md lacks the check table markers; add them around the table\n');
  process.exit(1);
}
update('README.md', readme);
