/**
 * The audit of one pid runs from dist/bundle/audit.cjs (bin/daemon-check.js
 * picks it for `PID` and `PID --json`); it must answer as the whole CLI
 * (dist/bundle/cli.cjs) does, for the same argv. The subject is a sleep in a
 * session of its own that this file starts: its state holds still between
 * the two runs, as PID 1's (which other test files leave zombies under) does
 * not.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { alive, cmdlineOf, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';

const ROOT = path.resolve(__dirname, '..', '..');
/** Closes every fd above 2, then runs argv[1:]. */
const CLOSE_AND_EXEC = 'import os, sys; os.closerange(3, 65536); os.execvp(sys.argv[1], sys.argv[1:])';

describe('the audit bundle', () => {
  const tracker = trackProcesses();

  it.each([
    [['--json', 'PID'], 'json'],
    [['PID'], 'table'],
    [['--json', '--json', 'PID'], 'usage'],
  ])('%j gives the same answer through the audit bundle as through the whole CLI', async (args, kind) => {
    // Only fds 0-2: an fd the test runner inherited (a CI harness's pipe) would be listed with its other
    // holders, which other test files start and end between the two runs.
    const secs = String(uniqueSeconds());
    const child = spawn('/usr/bin/python3', ['-c', CLOSE_AND_EXEC, 'sleep', secs], {
      detached: true,
      stdio: 'ignore',
      cwd: '/',
    });
    const pid = child.pid!;
    tracker.track(pid);
    await waitFor('the sleep to run', () => alive(pid) && cmdlineOf(pid)?.join(' ') === `sleep ${secs}`);
    const argv = args.map((a) => (a === 'PID' ? String(pid) : a));
    const env = { ...process.env, NO_COLOR: '1' };
    const viaLauncher = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', env });
    const whole = `require(${JSON.stringify(path.join(ROOT, 'dist', 'bundle', 'cli.cjs'))}).main(${JSON.stringify(argv)}).then((c) => (process.exitCode = c))`;
    const viaCli = spawnSync(process.execPath, ['-e', whole], { encoding: 'utf8', env });
    expect(viaLauncher.status, kind).toBe(viaCli.status);
    if (kind === 'json') expect(JSON.parse(viaLauncher.stdout).pid).toBe(pid);
    // The audit's time differs between the runs, and nothing else may.
    const norm = (s: string) => s.replace(/"auditedAt": "[^"]*"/, '"auditedAt": T');
    expect(norm(viaLauncher.stdout)).toBe(norm(viaCli.stdout));
    expect(norm(viaLauncher.stderr)).toBe(norm(viaCli.stderr));
  });
});
