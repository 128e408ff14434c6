/**
 * Daemons that were not written here, started the way their packages start
 * them, must get the verdict and launch pattern docs/checklist.md implies.
 * (.ci/run installs tini, daemonize and runit.)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/api.js';
import { findProcess, tempDir, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';
import type { Report } from '../../src/audit-types.js';

const tracker = trackProcesses({ eachTest: true });

const status = (r: Report, id: string) => r.checks.find((c) => c.id === id)!.status;

describe('Debian daemons', () => {
  it('start-stop-daemon --background forks twice: a double-fork daemon that only keeps the umask', async () => {
    const dir = tempDir();
    const secs = uniqueSeconds();
    const pidfile = path.join(dir, 'ssd.pid');
    execFileSync(
      'start-stop-daemon',
      [
        '--start',
        '--background',
        '--make-pidfile',
        '--pidfile',
        pidfile,
        '--chdir',
        '/',
        '--exec',
        '/bin/sleep',
        '--',
        String(secs),
      ],
      { stdio: 'ignore' },
    );
    const pid = tracker.track(await waitFor('the daemon', () => findProcess(new RegExp(`^/bin/sleep ${secs}$`))));
    const r = (await audit(pid)) as Report;
    expect(r.startedAs.kind).toBe('double-fork');
    expect(status(r, 'not-session-leader')).toBe('pass');
    expect(status(r, 'no-controlling-tty')).toBe('pass');
    expect(status(r, 'stdio-detached')).toBe('pass');
    expect(['daemon', 'daemon-with-warnings']).toContain(r.verdict);
  });

  it('daemonize(1) is one fork and setsid, with its lock file found by inode', async () => {
    const dir = tempDir();
    const secs = uniqueSeconds();
    const lock = path.join(dir, 'dz.lock');
    execFileSync('daemonize', ['-p', path.join(dir, 'dz.pid'), '-l', lock, '/bin/sleep', String(secs)], {
      stdio: 'ignore',
    });
    const pid = tracker.track(await waitFor('the daemon', () => findProcess(new RegExp(`^/bin/sleep ${secs}$`))));
    const r = (await audit(pid)) as Report;
    expect(r.startedAs.kind).toBe('single-fork');
    expect(r.facts.sid).toBe(pid);
    expect(status(r, 'not-session-leader')).toBe('warn');
    expect(r.verdict).toBe('daemon-with-warnings');
    const ino = fs.statSync(lock).ino;
    // daemonize takes the flock before it forks: /proc/locks carries the launcher's pid.
    expect(r.facts.locks).toEqual([expect.objectContaining({ kind: 'FLOCK', mode: 'WRITE', path: lock, ino })]);
    expect(r.facts.locks![0]!.lockPid).not.toBe(pid);
    expect(status(r, 'single-instance')).toBe('pass');
  });

  it('tini as a subreaper supervises: the managed profile, no second fork asked for', async () => {
    const secs = uniqueSeconds();
    execFileSync('setsid', ['-f', 'tini', '-s', '--', 'sleep', String(secs)], { stdio: 'ignore', cwd: '/' });
    const pid = tracker.track(await waitFor('the child', () => findProcess(new RegExp(`^sleep ${secs}$`))));
    tracker.track(findProcess(new RegExp(`^tini -s -- sleep ${secs}$`))!);
    const r = (await audit(pid)) as Report;
    expect(r.profile).toBe('managed');
    expect(r.startedAs.kind).toBe('supervised');
    expect(status(r, 'not-session-leader')).toBe('skip');
    expect(status(r, 'detached-parent')).toBe('pass');
    expect(status(r, 'own-session')).toBe('pass');
  });

  it('runit: a service under runsv is supervised', async () => {
    const dir = tempDir();
    const secs = uniqueSeconds();
    fs.mkdirSync(path.join(dir, 'svc'));
    fs.writeFileSync(path.join(dir, 'svc', 'run'), `#!/bin/sh\nexec sleep ${secs}\n`, { mode: 0o755 });
    execFileSync('setsid', ['-f', 'runsvdir', dir], { stdio: 'ignore', cwd: '/' });
    const runsvdir = tracker.track(await waitFor('runsvdir', () => findProcess(new RegExp(`^runsvdir ${dir}$`))));
    tracker.onCleanup(() => {
      // runsvdir stops its runsv children on SIGHUP; kill what is left by pid.
      const runsv = findProcess(/^runsv svc$/);
      if (runsv) process.kill(runsv, 'SIGKILL');
    });
    const pid = tracker.track(await waitFor('the service', () => findProcess(new RegExp(`^sleep ${secs}$`)), 15_000));
    const runsv = findProcess(/^runsv svc$/);
    if (runsv) tracker.track(runsv);
    const r = (await audit(pid)) as Report;
    expect(r.profile).toBe('managed');
    expect(r.profileReason).toMatch(/runsv/);
    expect(r.startedAs.kind).toBe('supervised');
    expect(r.facts.cwd).toBe(path.join(dir, 'svc'));
    void runsvdir;
  });
});
