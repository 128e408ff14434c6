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
import { alive, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the audit bundle', () => {
  const tracker = trackProcesses();

  it.each([
    [['--json', 'PID'], 'json'],
    [['PID'], 'table'],
    [['--json', '--json', 'PID'], 'usage'],
  ])('%j gives the same answer through the audit bundle as through the whole CLI', async (args, kind) => {
    const child = spawn('sleep', [String(uniqueSeconds())], { detached: true, stdio: 'ignore', cwd: '/' });
    const pid = child.pid!;
    tracker.track(pid);
    await waitFor('the sleep to run', () => alive(pid));
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
