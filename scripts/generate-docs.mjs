#!/usr/bin/env node
// Writes the files generated from the check registry, the exit codes and the
// shared constants: schema/report.schema.json, the watch's schemas
// (schema/watch-event.schema.json, schema/watch-summary.schema.json), try's (schema/try.schema.json),
// docs/checks.md, and the blocks between markers in README.md (the check table, the exit codes) and in
// docs/interface.md (the exit codes of every command). `npm run docs` (builds
// first); test/unit/docs.test.ts fails when any of them is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { reportSchemaText } = await import(join(root, 'dist', 'docs', 'schema.js'));
const { checksMarkdown, withReadmeTable } = await import(join(root, 'dist', 'docs', 'checks-doc.js'));
const exits = await import(join(root, 'dist', 'docs', 'exit-codes-doc.js'));
const watch = await import(join(root, 'dist', 'watch', 'schema.js'));
const tryDoc = await import(join(root, 'dist', 'try', 'schema.js'));

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

/** REL with each [start, end, body] block replaced; exits 1 naming the first block whose markers are missing. */
function updateBlocks(rel, blocks) {
  let text = readFileSync(join(root, rel), 'utf8');
  for (const [start, end, body] of blocks) {
    const next = exits.withBlock(text, start, end, body);
    if (next === null) {
      process.stderr.write(`generate-docs: ${rel} lacks the markers ${start} ... ${end}; add them around the block\n`);
      process.exit(1);
    }
    text = next;
  }
  update(rel, text);
}

update('schema/report.schema.json', reportSchemaText());
update('schema/watch-event.schema.json', watch.schemaText(watch.watchEventSchema()));
update('schema/watch-summary.schema.json', watch.schemaText(watch.watchSummarySchema()));
update('schema/try.schema.json', tryDoc.trySchemaText());
update('docs/checks.md', checksMarkdown());
const readme = withReadmeTable(readFileSync(join(root, 'README.md'), 'utf8'));
if (readme === null) {
  process.stderr.write('generate-docs: README.md lacks the check table markers; add them around the table\n');
  process.exit(1);
}
update('README.md', readme);
const auditTable = [exits.EXIT_TABLE_START, exits.EXIT_TABLE_END, exits.auditExitTable()];
updateBlocks('README.md', [auditTable]);
updateBlocks('docs/interface.md', [
  auditTable,
  [exits.COMMAND_EXIT_START, exits.COMMAND_EXIT_END, exits.commandExitTables()],
]);
