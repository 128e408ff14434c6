/**
 * The bundled CLI (dist/bundle/cli.cjs) is what users run. scripts/bundle.mjs
 * patches commander so node:child_process loads on first use; this checks the
 * patch took: an audit never loads it, while `run` (which spawns the helper)
 * still can.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';

const ROOT = path.resolve(__dirname, '..');

/** Runs the CLI with a preload that reports, at exit, whether node:child_process was loaded. */
function loadedModules(args: string[]): { childProcess: boolean; stdout: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dc-bundle-'));
  const hook = path.join(dir, 'hook.cjs');
  fs.writeFileSync(hook, "process.on('exit', () => process.stderr.write(`child_process loaded: ${process.moduleLoadList.includes('NativeModule child_process')}\\n`));\n");
  try {
    const r = spawnSync(process.execPath, ['--require', hook, BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const m = /child_process loaded: (true|false)/.exec(r.stderr);
    if (!m) throw new Error(`the preload did not report (stderr: ${r.stderr})`);
    return { childProcess: m[1] === 'true', stdout: r.stdout };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the bundle', () => {
  it('exists and is what bin/daemon-check.js runs', () => {
    expect(fs.existsSync(path.join(ROOT, 'dist', 'bundle', 'cli.cjs'))).toBe(true);
  });

  it('an audit never loads node:child_process (commander is patched to load it lazily)', () => {
    const r = loadedModules([String(process.pid), '--json']);
    expect(JSON.parse(r.stdout).pid).toBe(process.pid);
    expect(r.childProcess).toBe(false);
  });

  it('package.json pins commander to the exact version the patch was written for', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'commander', 'package.json'), 'utf8')) as { version: string };
    expect(pkg.dependencies.commander).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed.version).toBe(pkg.dependencies.commander);
  });
});
