/** `daemon-check run` end to end, through the CLI a user types. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { alive, psView, tempDir, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';
import type { Report } from '../../src/audit-types.js';

const tracker = trackProcesses({ eachTest: true });

function lockLineFor(file: string): string | undefined {
  const st = fs.statSync(file);
  const major = Math.floor(st.dev / 256) & 0xfff; // glibc major() for small device numbers
  const minor = (st.dev & 0xff) | ((st.dev >> 12) & 0xfff00);
  const dev = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${st.ino}`;
  return fs
    .readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .find((l) => l.includes(` ${dev} `));
}

describe('daemon-check run', () => {
  it('starts sleep as a textbook daemon that daemon-check itself rates "daemon"', async () => {
    const dir = tempDir();
    const pidfile = path.join(dir, 'sleep.pid');
    const secs = uniqueSeconds();
    const r = await runCli(['run', '--pidfile', pidfile, '--json', '--', 'sleep', String(secs)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      pid: number;
      pidfile: string;
      command: string[];
      verdict: string;
      report: Report;
    };
    const pid = tracker.track(out.pid);
    expect(out).not.toHaveProperty('followed'); // it kept running: nothing to follow
    expect(out.command).toEqual(['sleep', String(secs)]);
    expect(out.pidfile).toBe(pidfile);
    expect(out.verdict).toBe('daemon');
    expect(out.report.startedAs.kind).toBe('double-fork');

    const ps = psView(pid);
    expect(ps.ppid).toBe(1);
    expect(ps.sid).not.toBe(pid);
    expect(ps.pgid).not.toBe(pid);
    expect(ps.tty).toBe('?');
    expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Umask:\s+0022$/m);
    expect(fs.readlinkSync(`/proc/${pid}/cwd`)).toBe('/');
    for (const fd of [0, 1, 2]) expect(fs.readlinkSync(`/proc/${pid}/fd/${fd}`)).toBe('/dev/null');
    const extra = fs
      .readdirSync(`/proc/${pid}/fd`)
      .map(Number)
      .filter((n) => n >= 3);
    expect(extra).toHaveLength(1);
    expect(fs.readlinkSync(`/proc/${pid}/fd/${extra[0]}`)).toBe(pidfile);
    expect(fs.statSync(pidfile).mode & 0o777).toBe(0o644);
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${pid}\n`);
    expect(lockLineFor(pidfile)).toMatch(/OFDLCK\s+ADVISORY\s+WRITE/);

    // The independent audit agrees.
    const audit = await runCli(['--pidfile', pidfile, '--json']);
    expect(audit.code).toBe(0);
    expect((JSON.parse(audit.stdout) as Report).verdict).toBe('daemon');
  });

  it('refuses a second instance on the same pidfile with exit 3, naming the first pid', async () => {
    const dir = tempDir();
    const pidfile = path.join(dir, 'one.pid');
    const first = await runCli([
      'run',
      '--pidfile',
      pidfile,
      '--no-verify',
      '--json',
      '--',
      'sleep',
      String(uniqueSeconds()),
    ]);
    const pid = tracker.track(JSON.parse(first.stdout).pid);
    const second = await runCli(['run', '--pidfile', pidfile, '--', 'sleep', String(uniqueSeconds())]);
    expect(second.code).toBe(3);
    expect(second.stdout).toBe('');
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(new RegExp(`^daemon-check: already running as pid ${pid}\\b`));
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${pid}\n`);
  });

  it('the lock lives exactly as long as the daemon: gone when it dies, and a new start takes over', async () => {
    const dir = tempDir();
    const pidfile = path.join(dir, 'life.pid');
    const first = JSON.parse(
      (await runCli(['run', '--pidfile', pidfile, '--no-verify', '--json', '--', 'sleep', String(uniqueSeconds())]))
        .stdout,
    );
    tracker.track(first.pid);
    expect(lockLineFor(pidfile)).toBeDefined();
    process.kill(first.pid, 'SIGKILL');
    await waitFor('the daemon to die', () => !alive(first.pid));
    await waitFor('the lock to go', () => lockLineFor(pidfile) === undefined);
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${first.pid}\n`); // stale, but unlocked
    const audit = await runCli(['--pidfile', pidfile]);
    expect(audit.code).toBe(3);
    expect(audit.stderr).toMatch(/is stale/);
    const second = await runCli(['run', '--pidfile', pidfile, '--json', '--', 'sleep', String(uniqueSeconds())]);
    expect(second.code).toBe(0);
    const pid2 = tracker.track(JSON.parse(second.stdout).pid);
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${pid2}\n`);
    expect(lockLineFor(pidfile)).toMatch(/OFDLCK/);
  });

  it.each([
    [
      'a missing program',
      () => ['no-such-program-xyz'],
      127,
      /cannot execute no-such-program-xyz: No such file or directory/,
    ] as const,
    [
      'a file that is not executable',
      () => {
        const f = path.join(tempDir(), 'notexec.sh');
        fs.writeFileSync(f, '#!/bin/sh\nsleep 100\n', { mode: 0o644 });
        return [f];
      },
      126,
      /cannot execute .*notexec\.sh: Permission denied/,
    ],
  ] as const)('%s: the right exit code and one line naming the cause', async (_what, cmd, code, pattern) => {
    const r = await runCli(['run', '--', ...cmd()]);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });

  it("writes the program's output to --stdout and runs as --user", async () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o777);
    const log = path.join(dir, 'out.log');
    const r = await runCli([
      'run',
      '--user',
      'nobody',
      '--stdout',
      log,
      '--json',
      '--',
      'sh',
      '-c',
      `echo hello from $(id -un); exec sleep ${uniqueSeconds()}`,
    ]);
    expect(r.code).toBe(0);
    const pid = tracker.track(JSON.parse(r.stdout).pid);
    await waitFor(
      'the log line',
      () => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('hello from nobody'),
    );
    expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
    expect(JSON.parse(r.stdout).report.checks.find((c: { id: string }) => c.id === 'privileges').status).toBe('pass');
  });

  it('--no-verify prints the pid only; bad options are exit 2', async () => {
    const r = await runCli(['run', '--no-verify', '--', 'sleep', String(uniqueSeconds())]);
    expect(r.code).toBe(0);
    const m = /^started sleep \d+ as pid (\d+)$/.exec(r.stdout.trim());
    expect(m).not.toBeNull();
    const pid = tracker.track(Number(m![1]));
    expect(alive(pid)).toBe(true);
    for (const args of [
      ['run'],
      ['run', '--umask', '9x', '--', 'true'],
      ['run', '--env', 'NOEQUALS', '--', 'true'],
      ['run', '--wait-ready', 'soon', '--', 'true'],
    ]) {
      const bad = await runCli(args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('says when a program exits at once and leaves nothing running', async () => {
    const r = await runCli(['run', '--', 'sh', '-c', 'exit 0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^daemon-check: sh \(pid \d+\) exited with status 0 (?:at once|after \d+\.\d s) and left no process running\n$/,
    );
  });
});
