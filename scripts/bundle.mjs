#!/usr/bin/env node
// Bundles the CLI into dist/bundle/ (one entry file plus lazily loaded chunks
// for commands and renderers an audit does not use). Loading one file instead
// of ~40 ES modules and commander's CommonJS files saves a fifth of a run's
// time; bin/daemon-check.js prefers the bundle and falls back to dist/cli/.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // commander and cli-table3 are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
