#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, dist/bundle/cli.cjs, and records a
// V8 code cache for it (dist/bundle/cli-<build>.v8cache). A second bundle,
// dist/bundle/audit.cjs (src/cli/audit-main.ts, with its own cache), holds
// only the audit of one pid (`daemon-check PID [--json]`): the launcher runs
// it for those argv, so the most common command reads, checks and loads a
// bundle half the size (figures in docs/performance.md).
//
// What it buys, measured on the 2-core machine of docs/performance.md: `daemon-check <pid> --json` took ~108 ms as ~40 ES modules loaded
// through Node's ESM loader, ~92 ms as one CommonJS file, ~84 ms with the code
// cache (V8 skips parsing and compiling everything an audit runs), ~70 ms
// minified and with node:child_process and node:tty loaded lazily. Commands
// and renderers an audit does not use stay behind esbuild's lazy init
// wrappers, so they are neither run nor compiled.
//
// The launcher (bin/daemon-check.js) checks that the cache belongs to this
// very build: the build id in the bundle's first line is in the cache's file
// name. V8 rejects a cache from another Node version or other flags by
// itself; the launcher then runs without it and writes a fresh one.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
const buildId = randomBytes(6).toString('hex');

// commander requires node:child_process at load time for executable
// subcommands, which daemon-check has none of; child_process pulls in net and
// stream (~2 ms of every run). Load it on first use instead. package.json pins
// commander to the exact version this line was read from, the build fails if
// the line is not there, and test/unit/bundle.test.ts checks that an audit run
// from the bundle never loads child_process.
const COMMANDER_EAGER = "const childProcess = require('node:child_process');";
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(COMMANDER_EAGER)) {
        return {
          errors: [
            {
              text: `commander's source no longer has "${COMMANDER_EAGER}": update the patch in scripts/bundle.mjs for the new version`,
            },
          ],
        };
      }
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(COMMANDER_EAGER, lazy), loader: 'js' };
    });
  },
};
// chalk's own colour detection (its vendored supports-color) loads node:tty
// and so net and stream when chalk is imported (~2 ms of every table). The CLI
// never uses it: src/report/style.ts decides colour itself and hands chalk a
// level. The bundle gets a supports-color that detects nothing.
const SUPPORTS_COLOR_EXPORTS = ['export function createSupportsColor(', 'export default supportsColor;'];
const noColorDetection = {
  name: 'no-color-detection',
  setup(b) {
    b.onLoad({ filter: /[\\/]chalk[\\/]source[\\/]vendor[\\/]supports-color[\\/]index\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const gone = SUPPORTS_COLOR_EXPORTS.filter((e) => !text.includes(e));
      if (gone.length)
        return {
          errors: [
            {
              text: `chalk's supports-color no longer has ${gone.join(' and ')}: update the stand-in in scripts/bundle.mjs`,
            },
          ],
        };
      return {
        contents:
          'export function createSupportsColor() { return false; }\nexport default { stdout: false, stderr: false };\n',
        loader: 'js',
      };
    });
  },
};

// cli-table3 measures cells with scripts/cell-width.cjs, which hands anything
// but one-column text to the string-width cli-table3 depends on.
const fastCellWidth = {
  name: 'fast-cell-width',
  setup(b) {
    let tableDir = null;
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      if (/[\\/]cli-table3[\\/]/.test(args.importer)) {
        tableDir = args.resolveDir;
        return { path: join(root, 'scripts', 'cell-width.cjs') };
      }
      if (args.importer !== join(root, 'scripts', 'cell-width.cjs')) return undefined;
      const real = await b.resolve('string-width', {
        resolveDir: tableDir,
        kind: args.kind,
        pluginData: { real: true },
      });
      return real.errors.length ? { errors: real.errors } : { path: real.path };
    });
  },
};

async function bundle(entry, name) {
  await build({
    entryPoints: [join(root, 'src', 'cli', entry)],
    outfile: join(outdir, `${name}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // The first line names the build; the launcher looks for <name>-<build>.v8cache.
    // src/ is ESM; its uses of import.meta.url (finding the native helper, node:tty's
    // require) keep working. A getter: node:url is loaded only when one asks, which an
    // audit printed as JSON never does. With named imports of node:fs and node:path
    // in src/ (not namespace ones, which esbuild copies export by export), this took
    // ~1.5 ms off a ~50 ms audit (medians of 41 alternating runs, twice).
    banner: {
      js: `// daemon-check build ${buildId}\nconst __dcImportMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };`,
    },
    define: { 'import.meta.url': '__dcImportMeta.url' },
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [lazyChildProcess, noColorDetection, fastCellWidth],
    // Minified: ~1.5 ms less per run to read and hash. cli.cjs.map maps it back
    // (node --enable-source-maps, with DAEMON_CHECK_DEBUG=1 for the stack). DC_NO_MINIFY=1
    // keeps names readable for node --cpu-prof.
    minify: !process.env.DC_NO_MINIFY,
    sourcemap: 'external',
    // Non-ASCII characters are written as escapes, so bin/daemon-check.js may
    // read the bundle as latin1 (checked below).
    charset: 'ascii',
  });
  const nonAscii = /[^\x00-\x7f]/.exec(readFileSync(join(outdir, `${name}.cjs`), 'latin1'));
  if (nonAscii) {
    process.stderr.write(
      `bundle: dist/bundle/${name}.cjs has a non-ASCII byte (0x${nonAscii[0].charCodeAt(0).toString(16)}); bin/daemon-check.js reads it as latin1\n`,
    );
    process.exit(1);
  }
}

await bundle('main.ts', 'cli');
await bundle('audit-main.ts', 'audit');

// Warm the caches: audit this build process as JSON and as a table (output
// discarded) through each bundle, so the functions an audit runs are compiled
// into both caches.
const warm = spawnSync(process.execPath, [join(root, 'bin', 'daemon-check.js'), String(process.pid)], {
  env: { ...process.env, DAEMON_CHECK_WARM_CACHE: '1' },
  stdio: ['ignore', 'ignore', 'pipe'],
  encoding: 'utf8',
});
// The audits' verdict lines on stderr are expected; a crash is not.
if (warm.status !== 0) {
  process.stderr.write(
    `bundle: the bundled CLI failed its warm-up run (exit ${warm.status ?? warm.signal}):\n${warm.stderr}`,
  );
  process.exit(1);
}
