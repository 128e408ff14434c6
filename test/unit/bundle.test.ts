/**
 * The bundled CLI (dist/bundle/cli.cjs) is what users run. scripts/bundle.mjs
 * patches commander so node:child_process loads on first use; this checks the
 * patch took: an audit never loads it, while `run` (which spawns the helper)
 * still can.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs the CLI with a preload that reports, at exit, which of node:child_process, node:tty and node:os were loaded. */
function loadedModules(
  args: string[],
  stdout: 'pipe' | 'null' = 'pipe',
): { childProcess: boolean; tty: boolean; os: boolean; stdout: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dc-bundle-'));
  const hook = path.join(dir, 'hook.cjs');
  fs.writeFileSync(
    hook,
    "process.on('exit', () => require('node:fs').writeSync(2, `loaded: ${['child_process', 'tty', 'os'].map((m) => process.moduleLoadList.includes(`NativeModule ${m}`)).join(' ')}\\n`));\n",
  );
  const devNull = stdout === 'null' ? fs.openSync('/dev/null', 'w') : null;
  try {
    const r = spawnSync(process.execPath, ['--require', hook, BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', devNull ?? 'pipe', 'pipe'],
    });
    const m = /loaded: (true|false) (true|false) (true|false)/.exec(r.stderr);
    if (!m) throw new Error(`the preload did not report (stderr: ${r.stderr})`);
    return { childProcess: m[1] === 'true', tty: m[2] === 'true', os: m[3] === 'true', stdout: r.stdout ?? '' };
  } finally {
    if (devNull !== null) fs.closeSync(devNull);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the bundle', () => {
  it('exists and is what bin/daemon-check.js runs', () => {
    expect(fs.existsSync(path.join(ROOT, 'dist', 'bundle', 'cli.cjs'))).toBe(true);
  });

  it('the audit of one pid has a bundle of its own, without commander or the other commands', () => {
    const audit = fs.readFileSync(path.join(ROOT, 'dist', 'bundle', 'audit.cjs'), 'latin1');
    const cli = fs.readFileSync(path.join(ROOT, 'dist', 'bundle', 'cli.cjs'), 'latin1');
    // Strings that minifying keeps: commander's error codes, scan's metric names, try's JSON.
    for (const s of ['commander.unknownOption', 'daemon_check_process_info', 'notFollowed'])
      expect([cli.includes(s), audit.includes(s)], s).toEqual([true, false]);
    expect(audit.length).toBeLessThan(cli.length * 0.7);
    const cacheOf = (name: string) =>
      fs.readdirSync(path.join(ROOT, 'dist', 'bundle')).filter((f) => f.startsWith(`${name}-`));
    expect(cacheOf('audit')).toHaveLength(1);
    expect(cacheOf('cli')).toHaveLength(1);
  });

  it('an audit as JSON loads none of node:child_process (commander is patched to load it lazily), node:tty and node:os', () => {
    const r = loadedModules([String(process.pid), '--json']);
    expect(JSON.parse(r.stdout).pid).toBe(process.pid);
    expect(r.childProcess).toBe(false);
    expect(r.tty).toBe(false);
    expect(r.os).toBe(false);
  });

  it.each(['pipe', 'null'] as const)(
    'a table printed to a %s loads neither node:tty nor node:child_process (chalk is handed a level, not asked)',
    (where) => {
      const r = loadedModules([String(process.pid)], where);
      if (where === 'pipe') expect(r.stdout).toMatch(new RegExp(`^pid ${process.pid} `));
      expect(r.tty).toBe(false);
      expect(r.childProcess).toBe(false);
    },
  );

  it('package.json pins commander to the exact version the patch was written for', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const installed = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'node_modules', 'commander', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(pkg.dependencies.commander).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed.version).toBe(pkg.dependencies.commander);
  });
});

describe('scripts/cell-width.cjs, what cli-table3 measures cells with in the bundle', () => {
  const req = createRequire(path.join(ROOT, 'node_modules', 'cli-table3', 'index.js'));
  const stringWidth = req('string-width') as (s: string) => number;
  const cellWidth = createRequire(__filename)(path.join(ROOT, 'scripts', 'cell-width.cjs')) as ((
    s: unknown,
  ) => number) & { ONE_COLUMN: RegExp };

  it('every character it counts as one column is one column to string-width', () => {
    const counted: number[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) {
      const ch = String.fromCharCode(cp);
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (!cellWidth.ONE_COLUMN.test(ch)) continue;
      counted.push(cp);
      expect([cp.toString(16), stringWidth(ch)]).toEqual([cp.toString(16), 1]);
    }
    // printable ASCII, U+2010-2027, four arrows, box drawing, two check marks
    expect(counted.length).toBe(95 + 24 + 4 + 128 + 2);
  });

  it('gives what string-width gives, for one-column text and for everything else', () => {
    const samples = [
      '',
      'sleep 29770',
      '0:/dev/null 1:/dev/null',
      '✓ own-session …',
      '─┬─',
      'a\u001b[31mred\u001b[39m',
      '日本語',
      'café',
      'e\u0301',
      '👍 ok',
      '\u00a9\ufe0f',
      'tab\there',
      '→ x',
    ];
    for (const s of samples) expect([s, cellWidth(s)]).toEqual([s, stringWidth(s)]);
    expect(cellWidth(42)).toBe(stringWidth(42 as unknown as string));
  });
});
