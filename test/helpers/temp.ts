/**
 * Temp dirs for tests, removed when the test file that made them ends: each
 * test file loads its own copy of this module, so the hook below is that
 * file's. No processes here: unit tests may use it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';

/**
 * Where trees of many small files go: /dev/shm (memory) when it is there and
 * writable, so that making and deleting them costs no disk I/O (the fuzz tests
 * copy a fixture tree some 1,000 times); else the usual temp dir.
 */
export const MEMORY_TMP = ((): string => {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
})();

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A new temp dir under PARENT, removed (with all it holds) when the test file ends. */
export function tempDir(prefix = 'dc-test-', parent = os.tmpdir()): string {
  const d = fs.mkdtempSync(path.join(parent, prefix));
  made.push(d);
  return d;
}

/** The temp dirs this test file made so far: a process naming one in its argv is this file's. */
export function tempDirs(): readonly string[] {
  return made;
}

/** A temp dir (see tempDir) holding these files: path -> content, or null for a symlink to /dev/null. */
export function tempTree(prefix: string, files: Record<string, string | null>): string {
  const root = tempDir(prefix);
  for (const [p, text] of Object.entries(files)) {
    const f = path.join(root, p);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    if (text === null) fs.symlinkSync('/dev/null', f);
    else fs.writeFileSync(f, text);
  }
  return root;
}
