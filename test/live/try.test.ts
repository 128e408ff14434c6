/**
 * `daemon-check try` live: the bad inputs of issue 22 (each one line and its
 * exit code), a line left in the foreground, a line that exits at once, a
 * line that starts 500 processes, --keep, --user as root (a throwaway user,
 * removed afterwards), and nothing left behind: no process, no cgroup leaf,
 * no pty. Needs root for --user and the watch.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { alive, allPids, commandLine, findProcess, killAndWait, uniqueSeconds } from '../helpers/procs.js';
import { runTry, tryCgroups, tryHome } from '../helpers/try-login.js';

const home = tryHome();
const homeDir = home.env.find((e) => e.startsWith('HOME='))!.slice('HOME='.length);

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}

/** Where PID's fds point (empty when it is gone or unreadable). */
function fdTargets(pid: number): string[] {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
  } catch {
    return [];
  }
}
const ptysBefore = new Set(fs.readdirSync('/dev/pts'));
const kept: number[] = [];
const USER = `dctry${process.pid}`;
let userMade = false;

afterAll(async () => {
  await killAndWait(kept);
  if (userMade) execFileSync('userdel', ['-r', USER], { stdio: 'ignore' });
});

describe('bad input: one line, the documented exit code', () => {
  it('an empty line: 2', async () => {
    const r = await runCli(['try', '--', '  ']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "daemon-check: the start line is empty: give the line to type, e.g. daemon-check try -- 'nohup ./job.sh &'\n",
    );
    expect(r.stdout).toBe('');
  });

  it('a shell that does not exist: 2', async () => {
    const r = await runCli(['try', '--shell', '/no/such/shell', '--', 'sleep 1 &']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'daemon-check: the shell /no/such/shell does not exist or cannot be executed (give --shell PATH, e.g. /bin/bash)\n',
    );
  });

  it('--user without root: 3', async () => {
    const r = await runCli(['try', '--user', 'root', '--', 'sleep 1 &'], { uid: 65534, gid: 65534 });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'daemon-check: --user root needs root: without it, try runs your own login (leave --user out)\n',
    );
  });

  it('a line that exits at once (`exit`): 3, the login ended by itself', async () => {
    const r = await runTry('exit', { home });
    expect(r.cli.code).toBe(3);
    expect(r.cli.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.cli.stderr).toMatch(
      /^daemon-check: try: the login ended by itself while the line ran \(did it run `exit`\?\)/,
    );
  });

  it('a line that starts nothing that lasts (`true`): 0, and it says so', async () => {
    const r = await runTry('true', { home });
    expect(r.cli.code).toBe(0);
    expect(r.result!.answer).toBe('`true`: started nothing that was still running when the login ended');
    expect(r.result!.endings.hangup!.processes).toEqual([]);
  });
});

describe('lines that test the experiment', () => {
  it('a line that never returns the prompt: left in the foreground, ended anyway, `exit` not tried', async () => {
    const n = uniqueSeconds();
    const r = await runTry(`sleep ${n}`, { home });
    expect(r.cli.code).toBe(1);
    const hangup = r.result!.endings.hangup!;
    expect(hangup.foreground).toBe(true);
    expect(hangup.processes.map((p) => [p.argv.join(' '), p.observed])).toEqual([[`sleep ${n}`, 'died']]);
    expect(r.result!.endings.exit!.skipped).toBe(
      'the line was left in the foreground, so `exit` would go to it, not to the shell',
    );
    expect(findProcess(new RegExp(`^sleep ${n}$`))).toBeNull();
  });

  it('a line that starts 500 processes: all found, all cleaned up', async () => {
    const n = uniqueSeconds();
    const r = await runTry(`for i in $(seq 500); do nohup sleep ${n} >/dev/null 2>&1 & done`, {
      home,
      end: 'hangup',
      timeoutMs: 300_000,
    });
    expect(r.cli.stderr).toBe('');
    const p = r.result!.endings.hangup!.processes;
    expect(p.filter((x) => x.argv.join(' ') === `sleep ${n}`)).toHaveLength(500);
    expect(p.every((x) => x.observed === 'survived')).toBe(true);
    expect(r.cli.code).toBe(0);
    expect(findProcess(new RegExp(`^sleep ${n}$`))).toBeNull();
  }, 320_000);

  it('--keep leaves the survivors running and prints their pids', async () => {
    const n = uniqueSeconds();
    const r = await runTry(`nohup sleep ${n} >/dev/null 2>&1 &`, { home, end: 'hangup', extra: ['--keep'] });
    const k = r.result!.endings.hangup!.kept;
    kept.push(...k);
    expect(k).toHaveLength(1);
    expect(alive(k[0]!)).toBe(true);
    expect(fs.readFileSync(`/proc/${k[0]}/cmdline`, 'utf8')).toBe(`sleep\0${n}\0`);
    await killAndWait(k);
  });

  it('--user runs the login as that user (root only)', async () => {
    execFileSync('useradd', ['-m', '-s', '/bin/bash', USER], { stdio: 'ignore' });
    userMade = true;
    const n = uniqueSeconds();
    const r = await runTry(`sleep ${n} &`, { end: 'exit', extra: ['--user', USER, '--no-rc'] });
    expect(r.cli.stderr).toBe('');
    expect(r.result!.user).toBe(USER);
    const p = r.result!.endings.exit!.processes;
    expect(p.map((x) => [x.argv.join(' '), x.observed])).toEqual([[`sleep ${n}`, 'survived']]);
    expect(findProcess(new RegExp(`^sleep ${n}$`))).toBeNull();
  });
});

describe('afterwards', () => {
  it('leaves no cgroup leaf and no pty of its own', () => {
    expect(tryCgroups()).toEqual([]);
    const now = new Set(
      fs
        .readdirSync('/dev/pts')
        .filter((p) => !ptysBefore.has(p))
        .map((p) => `/dev/pts/${p}`),
    );
    // Other test files may hold ptys of their own meanwhile (their own try logins among them): none of the new
    // ones may be held by a process of this file's logins, which carry this file's HOME in their environment.
    const held = allPids().filter((pid) => {
      const env = readOr(`/proc/${pid}/environ`);
      if (!env.split('\0').includes(`HOME=${homeDir}`)) return false;
      return fdTargets(pid).some((t) => now.has(t));
    });
    expect(held.map(commandLine)).toEqual([]);
  });
});
