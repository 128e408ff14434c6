/**
 * The test tiers hold: every test file is in test/unit or test/live, and no
 * unit file reaches (through test/helpers, at any depth) a helper that starts
 * or drives real processes, ptys or sshd. test/unit runs without root, without
 * Debian packages and without processes of its own beyond the built CLI
 * (npm run test:unit); anything that needs those belongs in test/live.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const TEST = path.resolve(__dirname, '..');
const LIVE_HELPERS = ['procs.ts', 'ssh.ts', 'pty.ts', 'login-scope.ts'].map((f) => path.join(TEST, 'helpers', f));

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The test/ files FILE imports by a relative path (static imports, re-exports and import()), as .ts paths. */
function localImports(file: string): string[] {
  // Source text inside double quotes or backticks (a test's code snippets) imports nothing.
  const text = fs.readFileSync(file, 'utf8').replace(/"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, '""');
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.\.?\/[^']+)'/gm)].map((m) => m[1]!);
  return specs
    .map((s) => path.resolve(path.dirname(file), s).replace(/\.js$/, '.ts'))
    .filter((p) => p.startsWith(TEST + path.sep));
}

/** Every test/ file FILE reaches through its imports, itself excluded. */
function reach(file: string, seen = new Set<string>()): Set<string> {
  for (const dep of localImports(file)) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    reach(dep, seen);
  }
  return seen;
}

const testFiles = filesUnder(TEST).filter((f) => f.endsWith('.test.ts'));
const unitFiles = testFiles.filter((f) => f.startsWith(path.join(TEST, 'unit') + path.sep));

describe('test tiers', () => {
  it('every test file is under test/unit or test/live', () => {
    const rel = testFiles.map((f) => path.relative(TEST, f));
    expect(rel.filter((f) => !/^(unit|live)\//.test(f))).toEqual([]);
    expect(unitFiles.length).toBeGreaterThan(30);
  });

  it('the import scan sees what a live file imports (procs.ts, through ssh.ts too)', () => {
    const ssh = reach(path.join(TEST, 'live', 'ssh-login.test.ts'));
    expect([...ssh].filter((f) => LIVE_HELPERS.includes(f)).sort()).toEqual(
      [path.join(TEST, 'helpers', 'procs.ts'), path.join(TEST, 'helpers', 'ssh.ts')].sort(),
    );
  });

  it.each(unitFiles.map((f) => [path.relative(TEST, f), f]))(
    '%s reaches none of the live helpers (procs, ssh, pty, login-scope)',
    (_rel, file) => {
      expect([...reach(file)].filter((f) => LIVE_HELPERS.includes(f)).map((f) => path.relative(TEST, f))).toEqual([]);
    },
  );
});
