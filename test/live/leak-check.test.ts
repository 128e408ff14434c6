/**
 * The leak checks themselves (test/setup/file-check.ts, host-check.ts): the
 * files in test/live/fixtures-leak are run in a vitest of their own, with the same
 * setup as the real suite. One leaves processes and a cgroup behind and must
 * fail, each pid named; one ends what it starts and must pass.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { goneAs, tempDir, trackProcesses } from '../helpers/procs.js';
import { cgroupMounts } from '../setup/host-state.js';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures-leak');
const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

/** Runs one fixture file in a vitest of its own: its exit code and all it printed. */
function runFixture(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  // The child is a vitest of its own, not a worker of this one.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [VITEST, 'run', '--root', FIXTURES, '--config', 'vitest.config.ts', file],
      { cwd: ROOT, env: { ...base, ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('the leak check', () => {
  const tracker = trackProcesses();
  // A cgroup in the v2 hierarchy (only its root has cgroup.subtree_control), or in the first there is.
  const mounts = cgroupMounts();
  const root = mounts.find((m) => fs.existsSync(path.join(m, 'cgroup.subtree_control'))) ?? mounts[0]!;
  const cgroup = path.join(root, `dc-leak-fixture-${process.pid}`);
  afterAll(() => {
    if (fs.existsSync(cgroup)) fs.rmdirSync(cgroup);
  });

  it('fails a file that leaves processes, naming each pid and the ptys it holds, and kills them; the run fails for the cgroup it left', async () => {
    const out = path.join(tempDir('dc-leak-'), 'made.json');
    const r = await runFixture('leaks.test.ts', { LEAK_FIXTURE_OUT: out, LEAK_FIXTURE_CGROUP: cgroup });
    type Made = { pid: number; secs: number };
    type Kind = 'inherited' | 'ownEnv' | 'tracked' | 'escaped';
    // Without the file the fixture failed before its end: what it printed says why.
    expect(fs.existsSync(out), r.output).toBe(true);
    const made = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<Kind, Made> & { pty: Made & { inner: number } };
    // What no check can see (a cleared environment, no Tracker) is this test's to end.
    tracker.track(made.escaped.pid);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('FAIL  leaks.test.ts');
    expect(r.output).toContain('this test file left 5 processes running, killed now:');
    const line = (m: Made, how: string) =>
      new RegExp(`^ {2}pid ${m.pid} \\(parent \\d+, state [A-Z]\\): sleep ${m.secs} \\(found: ${how}\\)$`, 'm');
    expect(r.output).toMatch(line(made.inherited, 'its environment carries DAEMON_CHECK_TEST_FILE=\\d+-\\d+'));
    expect(r.output).toMatch(line(made.ownEnv, 'its environment carries DAEMON_CHECK_TEST_FILE=\\d+-\\d+'));
    expect(r.output).toMatch(line(made.tracked, 'a helper tracked its pid'));
    const onPty = new RegExp(
      `^ {2}pid ${made.pty.pid} \\(parent \\d+, state [A-Z]\\): \\S*python3 \\S+/pty-holder\\.py sleep ${made.pty.secs} \\[holds (/dev/pts/\\d+, )?pty master (\\d+)(, /dev/pts/\\d+)?\\] \\(found: its environment carries DAEMON_CHECK_TEST_FILE=\\d+-\\d+\\)$`,
      'm',
    );
    expect(r.output).toMatch(onPty);
    const master = onPty.exec(r.output)![2];
    expect(r.output).toMatch(
      new RegExp(
        `^ {2}pid ${made.pty.inner} \\(parent ${made.pty.pid}, state [A-Z]\\): sleep ${made.pty.secs} \\[holds /dev/pts/${master}\\]`,
        'm',
      ),
    );
    expect(r.output).not.toContain(`pid ${made.escaped.pid} `);
    for (const m of [made.inherited, made.ownEnv, made.tracked, made.pty])
      expect(goneAs(m.pid, String(m.secs))).toBe(true);
    expect(goneAs(made.escaped.pid, String(made.escaped.secs))).toBe(false);
    expect(r.output).toMatch(/^The test run left these on the host \(none was there before it\):$/m);
    expect(r.output).toMatch(new RegExp(`^ {2}cgroup: ${cgroup}$`, 'm'));
  }, 120_000);

  it('passes a file that ends everything it starts in its own hooks', async () => {
    const r = await runFixture('clean.test.ts', {});
    expect(r.output).toContain('1 passed');
    expect(r.output).not.toMatch(/left \d+ process|left these on the host/);
    expect(r.code, r.output).toBe(0);
  }, 120_000);
});
