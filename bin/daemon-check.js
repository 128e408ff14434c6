#!/usr/bin/env node
// The launcher (CommonJS: bin/package.json says so, because Node's ESM loader
// alone costs ~6 ms of a ~60 ms start). It runs the one-file bundle
// dist/bundle/cli.cjs through vm.Script with the V8 code cache that
// scripts/bundle.mjs recorded, so the CLI's code is not parsed or compiled
// again on every run; without the bundle it falls back to tsc's dist/cli/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const BUNDLE = path.join(__dirname, '..', 'dist', 'bundle', 'cli.cjs');

function fail(message) {
  process.stderr.write(`daemon-check: ${message}\n`);
  process.exitCode = 3;
}

/** Loads the bundle with its code cache; null when there is no bundle. */
function loadBundle() {
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
  const cacheFile = id ? path.join(path.dirname(BUNDLE), `cli-${id[1]}.v8cache`) : null;
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

async function start() {
  const argv = process.argv.slice(2);
  let cli;
  try {
    cli = loadBundle();
    if (!cli) {
      const m = await import('../dist/cli/main.js');
      cli = { main: m.main, flushed: m.outputFlushed, saveCache: null };
    }
  } catch (err) {
    const missing = err && err.code === 'ERR_MODULE_NOT_FOUND';
    fail(
      missing
        ? "the compiled CLI is missing (dist/); run 'npm install' or 'npm run build' in the package folder"
        : `cannot start: ${err && err.message ? err.message : err}`,
    );
    return;
  }
  if (process.env.DAEMON_CHECK_WARM_CACHE) {
    // scripts/bundle.mjs: run an audit as JSON and as a table (without and
    // with commander), then record the cache.
    await cli.main([...argv, '--json']);
    await cli.main([...argv]);
    await cli.main([...argv, '--no-color']);
    process.exitCode = 0;
  } else {
    process.exitCode = await cli.main(argv);
  }
  if (cli.saveCache) cli.saveCache();
  // Everything is written (the CLI writes with writeSync unless a pipe was
  // full): exit now rather than wait for Node's teardown of the event loop,
  // which costs a few milliseconds more than the run needs.
  if (cli.flushed && cli.flushed()) process.exit();
}

start();
