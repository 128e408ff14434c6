#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import('../dist/cli/main.js').then(
  async ({ main }) => {
    const code = await main(process.argv.slice(2));
    process.exitCode = code;
  },
  (err) => {
    const missing = err && err.code === 'ERR_MODULE_NOT_FOUND';
    process.stderr.write(
      missing
        ? "daemon-check: the compiled CLI is missing (dist/); run 'npm install' or 'npm run build' in the package folder\n"
        : `daemon-check: cannot start: ${err && err.message ? err.message : err}\n`,
    );
    process.exitCode = 3;
  },
);
