/** The command line as a new user meets it: every bad input gets one line and the documented exit code. */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../src/checks/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir, trackProcesses } from '../helpers/procs.js';
import { spawn } from 'node:child_process';

const tracker = trackProcesses();

function expectOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^daemon-check: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

function unusedPid(): number {
  const max = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  for (let p = max - 1; p > 1000; p--) if (!fs.existsSync(`/proc/${p}`)) return p;
  throw new Error('no free pid');
}

describe('bad input', () => {
  it.each([
    [['abc'], 2, /'abc' is not a pid/],
    [['0'], 2, /pids start at 1/],
    [['--', '-5'], 2, /pid -5 is not valid/],
    [['-5'], 2, /pid -5 is not valid: pids start at 1/],
    [['999999999'], 2, /beyond this system's pid_max/],
    [['12abc'], 2, /not a pid/],
    [[], 2, /nothing to audit/],
    [['--bogus'], 2, /unknown option '--bogus'/],
    [['1', '--format', 'xml'], 2, /xml.*Allowed choices/],
    [['1', '--require', 'no-such-check'], 2, /unknown check id 'no-such-check'/],
    [['1', '--ignore', 'umask,nope'], 2, /unknown check id 'nope'/],
    [['1', '--expect-umask', '999'], 2, /not an octal mode/],
    [['1', '--expect-cwd', 'relative/dir'], 2, /not an absolute path/],
    [['1', '--wait', 'soon'], 2, /not a number of seconds/],
    [['1', '--name', 'x'], 2, /not both/],
    [['1', '--proc-root', '/nonexistent-proc'], 3, /does not exist/],
    [['explain', 'bogus'], 2, /unknown check id 'bogus'/],
  ])('daemon-check %j -> exit %i, one line', async (args, code, pattern) => {
    expectOneLineError(await runCli(args as string[]), code as number, pattern as RegExp);
  });

  it('a kernel thread (pid 2) is refused with exit 3', async () => {
    expectOneLineError(await runCli(['2']), 3, /pid 2 \(kthreadd\) is a kernel thread/);
  });

  it('a pid that does not exist gives exit 3', async () => {
    const pid = unusedPid();
    expectOneLineError(await runCli([String(pid)]), 3, new RegExp(`no process with pid ${pid}`));
  });

  it.each([
    ['missing', null, /does not exist/],
    ['empty', '', /is empty/],
    ['garbage', 'hello\n', /does not hold a pid \(it holds "hello"\)/],
    ['negative', '-12\n', /negative number/],
  ])('a %s pidfile gives exit 3', async (_name, content, pattern) => {
    const dir = tempDir();
    const file = `${dir}/x.pid`;
    if (content !== null) fs.writeFileSync(file, content);
    expectOneLineError(await runCli(['--pidfile', file]), 3, pattern);
  });

  it('a stale pidfile (its pid is gone) gives exit 3', async () => {
    const dir = tempDir();
    const file = `${dir}/x.pid`;
    fs.writeFileSync(file, `${unusedPid()}\n`);
    expectOneLineError(
      await runCli(['--pidfile', file]),
      3,
      /is stale: .*; 'daemon-check postmortem --pidfile .*x\.pid' tells what the host still knows/,
    );
  });

  it('--name with no match gives exit 3', async () => {
    expectOneLineError(await runCli(['--name', 'no-such-program-xyz']), 3, /no process named/);
  });
});

describe('good input', () => {
  it('--help exits 0 and shows examples and exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/Exit codes:/);
  });

  it('pid 1 is audited without a crash', async () => {
    const r = await runCli(['1', '--json']);
    expect([0, 1, 3]).toContain(r.code);
    if (r.code === 0) expect(r.stderr).toBe('');
    else expect(r.stderr).toMatch(/^daemon-check: pid 1 [^\n]*\n$/);
    const rep = JSON.parse(r.stdout);
    expect(rep.pid).toBe(1);
    expect(rep.facts.ppid).toBe(0);
  });

  it('the test runner itself is audited as a non-daemon child of its shell', async () => {
    const r = await runCli([String(process.pid), '--json']);
    const rep = JSON.parse(r.stdout);
    expect(rep.pid).toBe(process.pid);
    expect(rep.comm).toBe(fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8').match(/\((.*)\)/s)![1]);
    expect(rep.checks.map((c: { id: string }) => c.id)).toEqual([...CHECK_IDS]);
  });

  it('the table has a header, worst rows first, a verdict and a fix; no colour when piped', async () => {
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    tracker.track(child.pid!);
    const r = await runCli([String(child.pid)], { env: { NO_COLOR: undefined, FORCE_COLOR: undefined } });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stdout).toMatch(new RegExp(`^pid ${child.pid}  sleep 300`));
    expect(r.stdout).toMatch(/Verdict\s+NOT A DAEMON/);
    const symbols = [...r.stdout.matchAll(/^│ (.) │/gm)].map((m) => m[1]);
    const order = ['✗', '?', '!', 'i', '✓', '-'];
    const ranks = symbols.map((s) => order.indexOf(s!)).filter((i) => i >= 0);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(r.stdout).toMatch(/Start it properly with: daemon-check run .* -- \S*\/sleep 300/);
  });

  it('FORCE_COLOR colours the table even through a pipe, --no-color wins over it', async () => {
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    tracker.track(child.pid!);
    const coloured = await runCli([String(child.pid)], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(coloured.stdout).toMatch(/\x1b\[/);
    const plain = await runCli([String(child.pid), '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(plain.stdout).not.toMatch(/\x1b\[/);
  });

  it('explain lists every check id of the registry', async () => {
    const r = await runCli(['explain']);
    expect(r.code).toBe(0);
    for (const id of CHECK_IDS) expect(r.stdout).toMatch(new RegExp(`^${id}  \\(`, 'm'));
    const one = await runCli(['explain', 'own-session', '--json']);
    expect(JSON.parse(one.stdout).checks).toEqual([
      expect.objectContaining({ id: 'own-session', severity: 'critical' }),
    ]);
  });
});
