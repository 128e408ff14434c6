#!/usr/bin/env node
// Builds native/build/daemon-check-helper, the small C program that
// `daemon-check run` uses to start commands as daemons. Run by the package's
// `install` script.
//
// We deliberately call the C compiler directly instead of using node-gyp:
// the helper is a standalone executable, not a Node addon, so it needs no
// Node headers, no Python and no download, and one `cc` call is all there is.
//
// This script must never fail the install: every audit command works without
// the helper, and `daemon-check run` itself explains what is missing. So on
// any problem we print a warning with the fix and exit 0.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const nativeDir = join(root, 'native');
// Every .c in native/ is compiled into the one binary (main.c chooses the
// mode: run or scan-read); the headers count for "is it up to date".
const sources = listSources();
const outDir = join(root, 'native', 'build');
const output = join(outDir, 'daemon-check-helper');
const FIX =
  'install a C compiler (Debian/Ubuntu: apt-get install gcc; Fedora: dnf install gcc; ' +
  'Alpine: apk add build-base), then run: npm rebuild daemon-check';

function warn(message, fix = FIX) {
  process.stderr.write(
    `daemon-check: warning: ${message}\n` +
      `daemon-check: the audit commands work without it (a scan reads /proc more slowly); only \`daemon-check run\` needs the helper.\n` +
      `daemon-check: to fix: ${fix}\n`,
  );
}

function listSources() {
  try {
    return readdirSync(nativeDir)
      .filter((f) => f.endsWith('.c') || f.endsWith('.h'))
      .sort()
      .map((f) => join(nativeDir, f));
  } catch {
    return [];
  }
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function main() {
  if (process.platform !== 'linux') {
    warn(`the native helper is Linux-only; not building it on ${process.platform}.`);
    return;
  }
  const times = sources.map(mtime);
  const lost = sources.filter((_, i) => times[i] === undefined);
  if (!sources.some((f) => f.endsWith('main.c'))) lost.push(join(nativeDir, 'main.c'));
  if (lost.length) {
    warn(`source ${lost.join(', ')} is missing; the package looks incomplete.`);
    return;
  }
  const srcTime = Math.max(...times);
  const outTime = mtime(output);
  if (outTime !== undefined && outTime > srcTime) return; // up to date

  // CC may carry arguments ("ccache gcc"), as make allows.
  const cc = (process.env.CC ?? '').trim().split(/\s+/).filter(Boolean);
  if (cc.length === 0) cc.push('cc');

  mkdirSync(outDir, { recursive: true });
  // Compile to a private name and rename into place: an interrupted or
  // failed build never leaves a half-written binary, and concurrent builds
  // (parallel test workers) cannot see each other's partial output.
  const tmp = `${output}.tmp-${process.pid}`;
  const args = [
    ...cc.slice(1),
    '-O2',
    '-Wall',
    '-Wextra',
    // The sources are kept free of warnings; a new one fails the build (and
    // so the tests), not only scrolls by.
    '-Werror',
    '-pthread',
    '-o',
    tmp,
    ...sources.filter((f) => f.endsWith('.c')),
  ];
  const result = spawnSync(cc[0], args, { stdio: ['ignore', 'inherit', 'inherit'] });

  if (result.error) {
    rmSync(tmp, { force: true });
    const err = /** @type {NodeJS.ErrnoException} */ (result.error);
    if (err.code === 'ENOENT') {
      warn(`no C compiler found (tried \`${cc[0]}\`; set CC to use another); the native helper was not built.`);
    } else {
      warn(`could not run the C compiler \`${cc[0]}\`: ${err.message}; the native helper was not built.`);
    }
    return;
  }
  if (result.status !== 0) {
    rmSync(tmp, { force: true });
    const how = result.signal ? `was killed by ${result.signal}` : `exited with status ${result.status}`;
    warn(
      `compiling ${nativeDir}/*.c with \`${cc.join(' ')}\` failed (the compiler ${how}; its messages are above).`,
      'make sure a working C compiler for Linux is installed (e.g. apt-get install gcc, or set CC), ' +
        'then run: npm rebuild daemon-check; if it still fails, please report the messages above',
    );
    return;
  }
  renameSync(tmp, output);
}

try {
  main();
} catch (err) {
  warn(`building the native helper failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`);
}
process.exit(0);
