/**
 * Where the native helper is, and whether it can run here. In the core, apart
 * from src/daemonize/helper.ts (which needs child_process): the bulk reader of
 * a scan (src/proc/bulk.ts) asks too, and an audit must not load child_process.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const HELPER_FIX = 'install a C compiler (e.g. `apt-get install gcc`), then run `npm rebuild daemon-check`';

/** Absolute path of the compiled helper. */
export function helperPath(): string {
  // This file is src/core/helper-path.ts, compiled to dist/core/helper-path.js
  // or bundled into dist/bundle/cli.cjs: the package root is two levels up in both cases.
  return fileURLToPath(new URL('../../native/build/daemon-check-helper', import.meta.url));
}

export function helperAvailable(): { ok: true; path: string } | { ok: false; reason: string; fix: string } {
  const path = helperPath();
  if (process.platform !== 'linux') {
    return {
      ok: false,
      reason: `the native helper only runs on Linux (this is ${process.platform})`,
      fix: 'run `daemon-check run` on Linux',
    };
  }
  if (!existsSync(path)) {
    return {
      ok: false,
      reason: `the native helper was not built (${path} is missing; installing needs a C compiler)`,
      fix: HELPER_FIX,
    };
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { ok: false, reason: `the native helper ${path} is not executable`, fix: HELPER_FIX };
  }
  return { ok: true, path };
}
