/**
 * The package as another project sees it: packed, installed into a fresh
 * folder, imported as ESM (and type-checked as TypeScript) through its
 * `exports` and `types`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startPyDaemon, tempDir, Tracker } from '../helpers/procs.js';
import type { Report } from '../../src/audit-types.js';

const ROOT = path.resolve(__dirname, '..', '..');
const tracker = new Tracker();
let consumer = '';
let daemon = 0;

beforeAll(async () => {
  consumer = tempDir('dc-consumer-');
  const packDir = tempDir('dc-pack-');
  const tgz = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packDir], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  fs.writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  execFileSync(
    'npm',
    [
      'install',
      '--silent',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      path.join(packDir, tgz),
      `typescript@${(JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }).version}`,
      '@types/node@20',
    ],
    {
      cwd: consumer,
      stdio: 'ignore',
    },
  );
  daemon = (await startPyDaemon(tracker, ['--sleep', '300'])).pid;
}, 180_000);
afterAll(() => tracker.killAll());

describe('the package from a consumer project', () => {
  it('audit() over ESM gives the report the CLI prints', async () => {
    fs.writeFileSync(
      path.join(consumer, 'audit.mjs'),
      `import { audit } from 'daemon-check';\nconst r = await audit(Number(process.argv[2]));\nprocess.stdout.write(JSON.stringify(r));\n`,
    );
    const lib = JSON.parse(
      execFileSync('node', ['audit.mjs', String(daemon)], { cwd: consumer, encoding: 'utf8' }),
    ) as Report;
    const cli = JSON.parse((await runCli([String(daemon), '--json'])).stdout) as Report;
    const strip = ({ auditedAt: _a, ...rest }: Report) => rest;
    expect(strip(lib)).toEqual(strip(cli));
    expect(lib.verdict).toBe('daemon');
  });

  it('a bad pid rejects with the typed error and its stable code', () => {
    fs.writeFileSync(
      path.join(consumer, 'bad.mjs'),
      [
        "import { audit, DaemonCheckError } from 'daemon-check';",
        'const out = [];',
        "for (const t of ['abc', 0, 2, { pidfile: '/nonexistent/x.pid' }, { name: 'no-such-prog-zz' }]) {",
        '  try { await audit(t); out.push(null); }',
        '  catch (e) { out.push({ typed: e instanceof DaemonCheckError, code: e.code, exitCode: e.exitCode }); }',
        '}',
        'process.stdout.write(JSON.stringify(out));',
      ].join('\n'),
    );
    const out = JSON.parse(execFileSync('node', ['bad.mjs'], { cwd: consumer, encoding: 'utf8' }));
    expect(out).toEqual([
      { typed: true, code: 'INVALID_PID', exitCode: 2 },
      { typed: true, code: 'INVALID_PID', exitCode: 2 },
      { typed: true, code: 'KERNEL_THREAD', exitCode: 3 },
      { typed: true, code: 'PIDFILE', exitCode: 3 },
      { typed: true, code: 'NO_MATCH', exitCode: 3 },
    ]);
  });

  it('ships its types, the schema and the CLI', () => {
    fs.writeFileSync(
      path.join(consumer, 'typed.ts'),
      [
        "import { audit, scan, checks, type Report, type CheckId } from 'daemon-check';",
        'const id: CheckId = checks[0]!.id;',
        'async function main(): Promise<void> {',
        '  const r = (await audit(1)) as Report;',
        "  const v: 'daemon' | 'daemon-with-warnings' | 'not-a-daemon' | 'inconclusive' = r.verdict;",
        '  const s = await scan({ user: "all" });',
        '  console.log(id, v, s.processes.length);',
        '}',
        'void main();',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          target: 'ES2022',
          types: ['node'],
        },
        files: ['typed.ts'],
      }),
    );
    execFileSync(path.join(consumer, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: consumer, stdio: 'pipe' });
    expect(fs.existsSync(path.join(consumer, 'node_modules', 'daemon-check', 'schema', 'report.schema.json'))).toBe(
      true,
    );
    const help = execFileSync(path.join(consumer, 'node_modules', '.bin', 'daemon-check'), ['--help'], {
      encoding: 'utf8',
    });
    expect(help).toMatch(/Usage: daemon-check/);
  });
});
