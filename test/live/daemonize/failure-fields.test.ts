// The helper's failures reach TypeScript as fields (--json-errors, one JSON
// line on stderr) and src/daemonize/failure.ts words them: the message must be
// the very line the helper prints in English for a person. Each case runs the
// helper both ways on the same failure and compares (pids, which differ
// between the two runs, masked). Every process a case starts is stopped by
// the helper itself (that is part of each failure).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureMessage, formatG, HELPER_EXIT, type HelperFailure } from '../../../src/daemonize/failure.js';
import { helperPath } from '../../../src/daemonize/helper.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let d = '';

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/build-native.mjs')], { stdio: 'inherit' });
  d = mkdtempSync(join(tmpdir(), 'dc-fields-'));
  writeFileSync(join(d, 'data'), 'not a program\n', { mode: 0o644 });
  mkdirSync(join(d, 'open'), { mode: 0o777 });
  chmodSync(join(d, 'open'), 0o777);
  symlinkSync(join(d, 'target'), join(d, 'link.pid'));
  writeFileSync(join(d, 'hard'), '');
  linkSync(join(d, 'hard'), join(d, 'hard2'));
}, 60_000);

afterAll(() => rmSync(d, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(helperPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const masked = (s: string): string => s.replace(/\b(pids?)((?: \d+)+)/g, '$1 N');

// [what, args, exit code]: each a different stage or variant of a message.
const cases: [string, () => string[], number][] = [
  ['an unknown option', () => ['--bogus', '--', 'true'], HELPER_EXIT.usage],
  ['an argument before --', () => ['-x', '--', 'true'], HELPER_EXIT.usage],
  ['a missing value', () => ['--pidfile', '--', 'true'], HELPER_EXIT.usage],
  ['bad seconds', () => ['--settle=-1', '--', 'true'], HELPER_EXIT.usage],
  ['bad ready seconds', () => ['--wait-ready=0', '--', 'true'], HELPER_EXIT.usage],
  ['a bad umask', () => ['--umask', '999', '--', 'true'], HELPER_EXIT.usage],
  ['a bad --env', () => ['--env', '=x', '--', 'true'], HELPER_EXIT.usage],
  ['an empty pidfile', () => ['--pidfile=', '--', 'true'], HELPER_EXIT.usage],
  ['no --', () => ['--json'], HELPER_EXIT.usage],
  ['no command', () => ['--'], HELPER_EXIT.usage],
  ['an empty path', () => ['--chdir=', '--', 'true'], HELPER_EXIT.usage],
  ['a command not on PATH', () => ['--', 'no-such-program-dc-fields'], HELPER_EXIT.notfound],
  ['a command that is not executable', () => ['--', join(d, 'data')], HELPER_EXIT.noexec],
  ['a control character in a name', () => ['--', 'no\tsuch\x7fprogram'], HELPER_EXIT.notfound],
  ['a missing --chdir', () => ['--chdir', join(d, 'missing'), '--', 'true'], HELPER_EXIT.failed],
  ['an unknown user', () => ['--user', 'no-such-user-dc', '--', 'true'], HELPER_EXIT.failed],
  ['a pidfile naming a directory', () => ['--pidfile', `${d}/`, '--', 'true'], HELPER_EXIT.failed],
  ['a pidfile in a missing directory', () => ['--pidfile', join(d, 'no/p'), '--', 'true'], HELPER_EXIT.failed],
  ['a pidfile under a file', () => ['--pidfile', join(d, 'data/p'), '--', 'true'], HELPER_EXIT.failed],
  ['a world-writable directory', () => ['--pidfile', join(d, 'open/p'), '--', 'true'], HELPER_EXIT.failed],
  ['a symlinked pidfile', () => ['--pidfile', join(d, 'link.pid'), '--', 'true'], HELPER_EXIT.failed],
  ['a hard-linked pidfile', () => ['--pidfile', join(d, 'hard'), '--', 'true'], HELPER_EXIT.failed],
  [
    'a --stdout it cannot open',
    () => ['--settle', '0', '--stdout', join(d, 'no/out'), '--', 'true'],
    HELPER_EXIT.failed,
  ],
  ['a program that fails at once', () => ['--settle', '0.2', '--', 'sh', '-c', 'exit 3'], HELPER_EXIT.failed],
  ['a program killed at once', () => ['--settle', '0.2', '--', 'sh', '-c', 'kill -9 $$'], HELPER_EXIT.failed],
  ['a failure before READY=1', () => ['--wait-ready=5', '--', 'sh', '-c', 'exit 4'], HELPER_EXIT.failed],
  ['a program that leaves nothing', () => ['--settle', '0.2', '--', 'sh', '-c', 'exit 0'], HELPER_EXIT.failed],
  [
    'a program that forks away ambiguously',
    () => ['--settle', '0.3', '--', 'sh', '-c', 'setsid sleep 77 & setsid sleep 77 & exit 0'],
    HELPER_EXIT.failed,
  ],
  ['no READY=1 in time', () => ['--wait-ready=0.3', '--settle', '0', '--', 'sleep', '60'], HELPER_EXIT.failed],
];

describe('failures as fields', () => {
  it.each(cases)('words %s as the helper does', async (_what, args, code) => {
    const english = await run(args());
    const fields = await run(['--json-errors', ...args()]);
    expect(english.code).toBe(code);
    expect(fields.code).toBe(code);
    expect(english.stderr).toMatch(/^daemon-check: [^\n]*\n$/);
    expect(fields.stderr).toMatch(/^\{[^\n]*\}\n$/);
    const f = JSON.parse(fields.stderr) as HelperFailure;
    const line = english.stderr.slice('daemon-check: '.length).trim();
    expect(masked(failureMessage(f))).toBe(masked(line));
  });

  it('gives the running pid of a locked pidfile as a field', async () => {
    const pidfile = join(d, 'locked.pid');
    execFileSync(helperPath(), ['--settle', '0', '--pidfile', pidfile, '--', 'sleep', '60']);
    const first = Number(readFileSync(pidfile, 'utf8'));
    try {
      const english = await run(['--pidfile', pidfile, '--', 'sleep', '60']);
      const fields = await run(['--json-errors', '--pidfile', pidfile, '--', 'sleep', '60']);
      expect([english.code, fields.code]).toEqual([HELPER_EXIT.locked, HELPER_EXIT.locked]);
      const f = JSON.parse(fields.stderr) as HelperFailure;
      expect(f).toMatchObject({ stage: 'pidfile-locked', runningPid: first, pidfile });
      expect(`daemon-check: ${failureMessage(f)}\n`).toBe(english.stderr);
    } finally {
      process.kill(first, 'SIGKILL');
    }
  });
});

describe('formatG', () => {
  // What glibc's printf("%g") gives for each (checked with a C program).
  it.each([
    [10, '10'],
    [0.3, '0.3'],
    [1e6, '1e+06'],
    [1.5, '1.5'],
    [0.00001, '1e-05'],
    [0.0001, '0.0001'],
    [123456.5, '123456'],
    [123457.5, '123458'],
    [12345.25, '12345.2'],
    [999999.5, '1e+06'],
    [100000, '100000'],
    [2.5e-5, '2.5e-05'],
    [0.1 + 0.2, '0.3'],
    [0.000012345678, '1.23457e-05'],
    [3.14159265, '3.14159'],
    [1e-7, '1e-07'],
    [99999.95, '99999.9'],
  ])('%d as %s', (x, text) => {
    expect(formatG(x)).toBe(text);
  });
});
