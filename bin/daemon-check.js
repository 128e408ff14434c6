#!/usr/bin/env node
// Thin launcher. `npm install` (prepare) compiles the CLI: dist/bundle/ is the
// one-file build that starts fastest; dist/cli/ is the plain tsc output.
const start = (m) => m.main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
import('../dist/bundle/main.js')
  .catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND') return import('../dist/cli/main.js');
    throw err;
  })
  .then(start, (err) => {
    const missing = err && err.code === 'ERR_MODULE_NOT_FOUND';
    process.stderr.write(
      missing
        ? "daemon-check: the compiled CLI is missing (dist/); run 'npm install' or 'npm run build' in the package folder\n"
        : `daemon-check: cannot start: ${err && err.message ? err.message : err}\n`,
    );
    process.exitCode = 3;
  });
