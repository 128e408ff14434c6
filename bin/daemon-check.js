#!/usr/bin/env node
// The launcher (CommonJS: bin/package.json says so, because Node's ESM loader
// alone costs ~6 ms of a ~60 ms start). It runs the one-file bundle
// dist/bundle/cli.cjs through vm.Script with the V8 code cache that
// scripts/bundle.mjs recorded, so the CLI's code is not parsed or compiled
// again on every run; without the bundle it falls back to tsc's dist/cli/.
// The audit of one pid (`PID` or `PID --json`) runs dist/bundle/audit.cjs
// instead, a bundle of the audit alone.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const BUNDLES = path.join(__dirname, '..', 'dist', 'bundle');

/** argv that may be an audit of one pid (src/cli/fast-audit.ts decides): one or two words, a pid and --json. */
function mayBeOneAudit(argv) {
  return argv.length > 0 && argv.length <= 2 && argv.every((a) => a === '--json' || /^[1-9][0-9]{0,9}$/.test(a));
}

function fail(message) {
  process.stderr.write(`daemon-check: ${message}\n`);
  process.exitCode = 3;
}

/** Loads dist/bundle/NAME.cjs with its code cache; null when there is no bundle. */
function loadBundle(name) {
  const BUNDLE = path.join(BUNDLES, `${name}.cjs`);
  let source;
  try {
    // The bundle is ASCII only (scripts/bundle.mjs checks): read as latin1, it
    // is the same text without UTF-8 decoding, 0.8 -> 0.5 ms for ~300 KB.
    source = fs.readFileSync(BUNDLE, 'latin1');
  } catch {
    return null;
  }
  const vm = require('node:vm');
  const id = /^\/\/ daemon-check build ([0-9a-f]+)\n/.exec(source);
  const cacheFile = id ? path.join(BUNDLES, `${name}-${id[1]}.v8cache`) : null;
  let cachedData;
  if (cacheFile && !process.env.DAEMON_CHECK_WARM_CACHE) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: BUNDLE, cachedData });
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, require, mod, BUNDLE, path.dirname(BUNDLE));
  // A missing or rejected cache (another Node version, other V8 flags) is
  // rewritten after the run, when it holds everything the run compiled.
  const stale = cacheFile && (cachedData === undefined || script.cachedDataRejected);
  return {
    main: mod.exports.main,
    flushed: mod.exports.outputFlushed,
    saveCache: stale ? () => saveCache(script, cacheFile) : null,
  };
}

function saveCache(script, cacheFile) {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, script.createCachedData());
    fs.renameSync(tmp, cacheFile);
  } catch {
    // A read-only install: run without a cache.
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* never written */
    }
  }
}

/** The whole CLI: its bundle, or tsc's output where there is none. */
async function loadCli() {
  const cli = loadBundle('cli');
  if (cli) return cli;
  const m = await import('../dist/cli/main.js');
  return { main: m.main, flushed: m.outputFlushed, saveCache: null };
}

/**
 * scripts/bundle.mjs: run an audit as JSON and as a table through the audit
 * bundle, and as JSON and as a table (without and with commander) through the
 * whole CLI, then record both caches.
 */
async function warm(argv) {
  const audit = loadBundle('audit');
  if (audit) {
    await audit.main([...argv, '--json']);
    await audit.main([...argv]);
    if (audit.saveCache) audit.saveCache();
  }
  const cli = await loadCli();
  await cli.main([...argv, '--json']);
  await cli.main([...argv]);
  await cli.main([...argv, '--no-color']);
  if (cli.saveCache) cli.saveCache();
  process.exitCode = 0;
}

async function start() {
  const argv = process.argv.slice(2);
  let cli;
  let code = null;
  try {
    if (process.env.DAEMON_CHECK_WARM_CACHE) return await warm(argv);
    // The audit bundle's main answers null for argv that are not an audit of one pid after all.
    const audit = mayBeOneAudit(argv) ? loadBundle('audit') : null;
    if (audit) code = await audit.main(argv);
    cli = code === null ? await loadCli() : audit;
  } catch (err) {
    const missing = err && err.code === 'ERR_MODULE_NOT_FOUND';
    fail(
      missing
        ? "the compiled CLI is missing (dist/); run 'npm install' or 'npm run build' in the package folder"
        : `cannot start: ${err && err.message ? err.message : err}`,
    );
    return;
  }
  process.exitCode = code === null ? await cli.main(argv) : code;
  if (cli.saveCache) cli.saveCache();
  // Everything is written (the CLI writes with writeSync unless a pipe was
  // full): exit now rather than wait for Node's teardown of the event loop,
  // which costs a few milliseconds more than the run needs.
  if (cli.flushed && cli.flushed()) process.exit();
}

start();
