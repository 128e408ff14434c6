// End-to-end tests of native/daemon-check-helper on real processes: every
// check reads what /proc says about the daemon the helper started. Every
// daemon a test starts is recorded and killed by pid in afterEach.
import { execFileSync, spawn, spawnSync, type StdioOptions } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { helperPath } from '../../../src/daemonize/helper.js';
import {
  Tracker,
  alive,
  goneAs,
  killAndWait,
  realPython,
  tempDir,
  waitFor,
  buildNativeHelper,
} from '../../helpers/procs.js';

const HELPER = helperPath();

// ---- process bookkeeping -------------------------------------------------

const tracker = new Tracker();
const track = (pid: number): number => tracker.track(pid);

function procStat(pid: number) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return {
    state: f[0] ?? '',
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    sid: Number(f[3]),
    ttyNr: Number(f[4]),
  };
}

/** Pids whose argv contains MARKER (used to find strays by a unique argument). */
function pidsWithArg(marker: string): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv.includes(marker) && alive(Number(name))) {
        out.push({ pid: Number(name), comm: readFileSync(`/proc/${name}/comm`, 'utf8').trim() });
      }
    } catch {
      // raced with exit
    }
  }
  return out;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// Unique argv markers of rounds whose daemon pid may not be known (the
// mid-start kill test): whatever carries one is ours and is killed too.
const markers: string[] = [];

/**
 * Pids whose command line holds MARKER anywhere: the process itself, the
 * `sh -c '... MARKER ...'` that starts it, and a fork of that shell which has
 * not exec'd yet (its argv is still the shell's; missed, it execs later and
 * outlives the test).
 */
function pidsMentioning(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker) && alive(Number(name))) out.push(Number(name));
    } catch {
      // raced with exit
    }
  }
  return out;
}

afterEach(async () => {
  const ms = markers.splice(0);
  await tracker.killAll();
  // Until a pass finds nothing: a shell killed mid-fork may have left a child that execs after the pass.
  for (let pass = 0; pass < 50; pass++) {
    const left = ms.flatMap(pidsMentioning);
    if (left.length === 0) break;
    await killAndWait(left);
  }
});

buildNativeHelper();

// ---- running the helper --------------------------------------------------

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runHelper(args: string[], opts: { cmd?: string; pre?: string[] } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const cmd = opts.cmd ?? HELPER;
    const argv = opts.cmd ? [...(opts.pre ?? []), HELPER, ...args] : args;
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    // 'close' only fires once nobody holds the stdout/stderr pipes any more:
    // a daemon that leaked them would make the test time out.
    child.on('close', (code, signal) => {
      const r = { code, signal, stdout, stderr, ms: Date.now() - t0 };
      const m = /^(\d+)$/m.exec(stdout);
      if (code === 0 && m) track(Number(m[1]));
      const p = /\(pid (\d+)\)/.exec(stderr);
      if (p) track(Number(p[1]));
      resolve(r);
    });
  });
}

function pidOf(r: Run): number {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^\d+\n$/);
  return track(Number(r.stdout.trim()));
}

function fds(pid: number): Map<number, string> {
  const m = new Map<number, string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      m.set(Number(fd), readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed between readdir and readlink
    }
  }
  return m;
}

/**
 * Assert the daemon has exactly fds 0, 1, 2 on /dev/null plus EXTRA (targets of
 * fds >= 3). The helper returns as soon as the exec happened, and the new
 * program's dynamic loader briefly opens libraries on the lowest free fd
 * (often 3), so a leak is only a leak if it stays: retry for up to 2 s.
 */
async function expectOnlyFds(pid: number, extra: string[]): Promise<void> {
  const view = () => {
    const open = [...fds(pid)];
    return {
      std: open.filter(([fd]) => fd < 3).map(([, t]) => t),
      extra: open.filter(([fd]) => fd >= 3).map(([, t]) => t),
    };
  };
  const want = { std: ['/dev/null', '/dev/null', '/dev/null'], extra };
  const end = Date.now() + 2000;
  let seen = view();
  while (JSON.stringify(seen) !== JSON.stringify(want) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    seen = view();
  }
  expect(seen).toEqual(want);
}

function statusField(pid: number, field: string): string {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return (line ?? '').slice(field.length + 1).trim();
}

/** /proc/locks lines for PATH's inode (MAJ:MIN are hex there). */
function locksOn(path: string): string[] {
  const st = statSync(path, { bigint: true });
  // glibc's dev_t encoding, which is what Node reports.
  const major = Number(((st.dev >> 8n) & 0xfffn) | ((st.dev >> 32n) & ~0xfffn));
  const minor = Number((st.dev & 0xffn) | ((st.dev >> 12n) & ~0xffn));
  return readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .filter((line) => {
      const m = /\s([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
      return (
        m !== null &&
        parseInt(m[1] ?? '', 16) === major &&
        parseInt(m[2] ?? '', 16) === minor &&
        BigInt(m[3] ?? '-1') === st.ino
      );
    });
}

function ancestorsOfUs(): number[] {
  const out: number[] = [];
  for (let pid = process.pid; pid > 1;) {
    pid = procStat(pid).ppid;
    out.push(pid);
  }
  return out;
}

const PYTHON = realPython();
// --user needs root; those tests are skipped for an unprivileged run.
const ROOT = process.getuid?.() === 0;

// A daemon that reports readiness the sd_notify way, handling the abstract
// "@name" form of NOTIFY_SOCKET.
const NOTIFY_PY = `
import os, socket, time
addr = os.environ['NOTIFY_SOCKET']
if addr.startswith('@'):
    addr = '\\0' + addr[1:]
time.sleep(0.2)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b'STATUS=warming up\\nREADY=1\\n', addr)
s.close()
time.sleep(100)
`;

// ---- tests ---------------------------------------------------------------

describe('daemon-check-helper: a textbook daemon', () => {
  it('double-forks, detaches, resets umask/cwd/stdio, writes and locks the pidfile', async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'sleep.pid');
    const r = await runHelper(['--pidfile', pidfile, '--', 'sleep', '1000']);
    const pid = pidOf(r);

    expect(readFileSync(pidfile, 'utf8')).toBe(`${pid}\n`);
    const st = procStat(pid);
    // Reparented to init (PID 1 here) or whichever subreaper is nearest us.
    expect(st.ppid === 1 || ancestorsOfUs().includes(st.ppid)).toBe(true);
    expect(st.sid).not.toBe(pid); // not a session leader: can never get a tty
    expect(st.pgrp).not.toBe(pid);
    expect(st.sid).not.toBe(procStat(process.pid).sid); // but in a new session
    expect(st.ttyNr).toBe(0);
    expect(statusField(pid, 'Umask')).toBe('0022');
    expect(readlinkSync(`/proc/${pid}/cwd`)).toBe('/');
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\u00001000\u0000');

    await expectOnlyFds(pid, [pidfile]);

    expect(statSync(pidfile).mode & 0o777).toBe(0o644);
    const locks = locksOn(pidfile);
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatch(/OFDLCK\s+ADVISORY\s+WRITE/);
  });

  it('honours --umask and --chdir, and prints JSON with --json', async () => {
    const d = tempDir('dc-helper-');
    const r = await runHelper(['--umask', '027', '--chdir', d, '--json', '--', 'sleep', '100']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { pid: number; pidfile: string | null; command: string[] };
    track(j.pid);
    expect(j).toEqual({ pid: j.pid, pidfile: null, command: ['sleep', '100'] });
    expect(statusField(j.pid, 'Umask')).toBe('0027');
    expect(readlinkSync(`/proc/${j.pid}/cwd`)).toBe(d);
    // No pidfile: exactly 0, 1, 2.
    await expectOnlyFds(j.pid, []);
  });

  it('says "already running" (exit 3) while the pidfile is locked, and takes over a stale one', async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'x.pid');
    const first = pidOf(await runHelper(['--pidfile', pidfile, '--', 'sleep', '1000']));

    const second = await runHelper(['--pidfile', pidfile, '--', 'sleep', '1000']);
    expect(second.code).toBe(3);
    expect(second.stdout).toBe('');
    expect(second.stderr).toBe(`daemon-check: already running as pid ${first} (pidfile ${pidfile} is locked)\n`);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${first}\n`);

    await killAndWait([first]);
    expect(locksOn(pidfile)).toHaveLength(0);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${first}\n`); // stale now

    const third = pidOf(await runHelper(['--pidfile', pidfile, '--', 'sleep', '1000']));
    expect(third).not.toBe(first);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${third}\n`);
    expect(locksOn(pidfile)).toHaveLength(1);
  });

  it('refuses a symlinked pidfile and leaves its target alone', async () => {
    const d = tempDir('dc-helper-');
    const target = join(d, 'precious');
    writeFileSync(target, 'precious data\n', { mode: 0o600 });
    const link = join(d, 'link.pid');
    symlinkSync(target, link);
    const r = await runHelper(['--pidfile', link, '--', 'sleep', '100']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^daemon-check: refusing pidfile .*link\.pid: it is a symbolic link.*\n$/);
    expect(readFileSync(target, 'utf8')).toBe('precious data\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);

    // A dangling link must not be followed to create its target either.
    const dangling = join(d, 'dangling.pid');
    symlinkSync(join(d, 'created-through-link'), dangling);
    expect((await runHelper(['--pidfile', dangling, '--', 'sleep', '100'])).code).toBe(1);
    expect(existsSync(join(d, 'created-through-link'))).toBe(false);

    // Nor a hard link to someone else's file, which we would truncate.
    const hard = join(d, 'hard.pid');
    linkSync(target, hard);
    const h = await runHelper(['--pidfile', hard, '--', 'sleep', '100']);
    expect(h.code).toBe(1);
    expect(h.stderr).toMatch(/^daemon-check: refusing pidfile .*hard\.pid: it has 2 hard links/);
    expect(readFileSync(target, 'utf8')).toBe('precious data\n');
  });

  it('refuses a pidfile in a world-writable directory without the sticky bit', async () => {
    const d = join(tempDir('dc-helper-'), 'open');
    mkdirSync(d);
    chmodSync(d, 0o777);
    const r = await runHelper(['--pidfile', join(d, 'x.pid'), '--', 'sleep', '100']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^daemon-check: refusing pidfile .*world-writable without the sticky bit/);
    expect(existsSync(join(d, 'x.pid'))).toBe(false);
  });

  it('exits 127 for a missing program and 126 for a non-executable one', async () => {
    const d = tempDir('dc-helper-');
    const missing = await runHelper(['--pidfile', join(d, 'p'), '--', 'no-such-program-dc-test', 'x']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/^daemon-check: cannot execute no-such-program-dc-test: No such file or directory/);
    expect(missing.stderr.split('\n')).toHaveLength(2); // one line

    const missingPath = await runHelper(['--', join(d, 'nope')]);
    expect(missingPath.code).toBe(127);

    const file = join(d, 'not-exec.sh');
    writeFileSync(file, '#!/bin/sh\nsleep 100\n', { mode: 0o644 });
    const noexec = await runHelper(['--', file]);
    expect(noexec.code).toBe(126);
    expect(noexec.stderr).toBe(`daemon-check: cannot execute ${file}: Permission denied\n`);

    const dir = await runHelper(['--', d]);
    expect(dir.code).toBe(126);
  });

  it.skipIf(!ROOT)(
    'reports an exec failure that only happens in the daemon (after dropping privileges) over the pipe',
    async () => {
      // root can see the script, but nobody cannot enter the 0700 temp dir:
      // validation passes, the daemon's own execvp fails with EACCES.
      const d = tempDir('dc-helper-');
      const script = join(d, 'run.sh');
      writeFileSync(script, '#!/bin/sh\nexec sleep 100\n', { mode: 0o755 });
      const pidfile = join(d, 'p');
      const r = await runHelper(['--user', 'nobody', '--chdir', '/', '--pidfile', pidfile, '--', script]);
      expect(r.code).toBe(126);
      expect(r.stderr).toBe(`daemon-check: cannot execute ${script}: Permission denied\n`);
      // The pid the daemon wrote before failing is not left behind.
      expect(readFileSync(pidfile, 'utf8')).toBe('');
      expect(locksOn(pidfile)).toHaveLength(0);
    },
  );

  it.skipIf(!ROOT)('reports a --chdir the --user cannot enter (found only in the daemon)', async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'p');
    const r = await runHelper(['--user', 'nobody', '--chdir', d, '--pidfile', pidfile, '--', 'sleep', '100']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`daemon-check: cannot chdir to ${d}: Permission denied (not accessible to the --user)\n`);
    expect(readFileSync(pidfile, 'utf8')).toBe('');
  });

  it('reports a missing --chdir before starting anything', async () => {
    const d = tempDir('dc-helper-');
    const missing = await runHelper(['--chdir', join(d, 'nope'), '--', 'sleep', '100']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^daemon-check: cannot chdir to .*nope: No such file or directory\n$/);
  });

  it('rejects bad usage with exit 2', async () => {
    for (const args of [
      ['--bogus', '--', 'sleep', '1'],
      ['sleep', '1'],
      ['--umask', '999', '--', 'sleep', '1'],
      ['--umask', 'abc', '--', 'sleep', '1'],
      ['--env', 'NOEQUALS', '--', 'sleep', '1'],
      ['--wait-ready=0', '--', 'sleep', '1'],
      ['--settle', '-1', '--', 'sleep', '1'],
      ['--settle=soon', '--', 'sleep', '1'],
      ['--settle', '--', 'sleep', '1'],
      ['--pidfile'],
      ['--'],
      [],
    ]) {
      const r = await runHelper(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^daemon-check: [^\n]+\n$/);
    }
  });

  it('reports an unknown --user (exit 1)', async () => {
    const r = await runHelper(['--user', 'no-such-user-dc', '--', 'sleep', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^daemon-check: unknown user 'no-such-user-dc'/);
  });

  it('appends stdout to --stdout, creating it 0640', async () => {
    const d = tempDir('dc-helper-');
    const log = join(d, 'out.log');
    const pid = pidOf(await runHelper(['--stdout', log, '--', 'sh', '-c', 'echo hello; exec sleep 100']));
    await waitFor('hello in the log', () => existsSync(log) && readFileSync(log, 'utf8') === 'hello\n', 5000, 20);
    expect(statSync(log).mode & 0o777).toBe(0o640);
    expect(fds(pid).get(1)).toBe(log);
    expect(fds(pid).get(2)).toBe('/dev/null');
  });

  it.skipIf(!ROOT)('drops privileges with --user nobody', async () => {
    const pid = pidOf(await runHelper(['--user', 'nobody', '--', 'sleep', '100']));
    expect(statusField(pid, 'Uid').split(/\s+/)).toEqual(['65534', '65534', '65534', '65534']);
    const gid = String(Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' })));
    expect(statusField(pid, 'Gid').split(/\s+/)).toEqual([gid, gid, gid, gid]);
    expect(statusField(pid, 'Groups')).not.toMatch(/\b0\b/); // root's groups are gone
  });

  it('--clear-env keeps only PATH plus --env', async () => {
    const pid = pidOf(await runHelper(['--env', 'FOO=bar', '--clear-env', '--', 'sleep', '100']));
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    expect(env.sort()).toEqual(['FOO=bar', `PATH=${process.env.PATH ?? ''}`].sort());
  });

  it('without --clear-env passes the environment on, with --env overriding', async () => {
    const pid = pidOf(await runHelper(['--env', 'HOME=/elsewhere', '--env', 'DC_X=1', '--', 'sleep', '100']));
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    expect(env).toContain('HOME=/elsewhere');
    expect(env).toContain('DC_X=1');
    expect(env.filter((e) => e.startsWith('HOME='))).toHaveLength(1);
    expect(env).toContain(`PATH=${process.env.PATH ?? ''}`);
  });

  it('closes fds inherited without FD_CLOEXEC', async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'p');
    const extraFile = openSync(join(d, 'inherited'), 'w');
    // fds 3 and 4 are pipes, fd 5 a plain file; none is close-on-exec in
    // the helper.
    const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', extraFile];
    const child = spawn(HELPER, ['--pidfile', pidfile, '--', 'sleep', '100'], { stdio });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    closeSync(extraFile);
    for (const s of child.stdio) s?.destroy();
    await waitFor('pid on stdout', () => /^\d+\n$/.test(out), 2000, 20);
    const pid = track(Number(out.trim()));
    expect(code).toBe(0);
    // 0, 1, 2 and the pidfile (opened above the inherited fds 3-5) only.
    await expectOnlyFds(pid, [pidfile]);
  });
});

describe('daemon-check-helper --wait-ready', () => {
  const py = PYTHON ?? 'python3';

  it.skipIf(!PYTHON)('succeeds once the daemon sends READY=1, and the daemon keeps running', async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'p');
    const r = await runHelper(['--wait-ready', '--pidfile', pidfile, '--', py, '-c', NOTIFY_PY]);
    const pid = pidOf(r);
    expect(alive(pid)).toBe(true);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${pid}\n`);
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(env.some((e) => /^NOTIFY_SOCKET=@/.test(e))).toBe(true);
    // After the helper (its subreaper for the wait) exits, init adopts it.
    expect(procStat(pid).ppid === 1 || ancestorsOfUs().includes(procStat(pid).ppid)).toBe(true);
    expect(procStat(pid).sid).not.toBe(pid);
  });

  it('fails (exit 1) with the status of a daemon that exits before it is ready', async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'p');
    const r = await runHelper(['--wait-ready', '--pidfile', pidfile, '--', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^daemon-check: sh \(pid \d+\) exited with status 3 before it was ready\n$/);
    expect(readFileSync(pidfile, 'utf8')).toBe('');
  });

  it('names the signal that killed a daemon before it was ready', async () => {
    const r = await runHelper(['--wait-ready', '--', 'sh', '-c', 'kill -KILL $$']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/killed by signal SIGKILL before it was ready/);
  });

  it('times out, stops the daemon and says so', async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'p');
    const m = String(100000 + Math.floor(Math.random() * 800000));
    markers.push(m);
    const r = await runHelper(['--wait-ready=1', '--pidfile', pidfile, '--', 'sleep', m]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^daemon-check: sleep \(pid (\d+)\) did not report READY=1 within 1 s; stopped it with SIGTERM\n$/,
    );
    expect(r.ms).toBeLessThan(4000);
    const pid = Number(/\(pid (\d+)\)/.exec(r.stderr)?.[1]);
    expect(goneAs(pid, m)).toBe(true);
    expect(readFileSync(pidfile, 'utf8')).toBe('');
    expect(locksOn(pidfile)).toHaveLength(0);
  });

  it('killing the helper mid-start never leaves a partial pidfile', async () => {
    const d = tempDir('dc-helper-');
    // -1: kill at once, before the helper may even have run.
    const delays = [-1, 0, 1, 2, 3, 5, 8, 12, 20, 35, 60, 100, 300];
    for (const [i, delay] of delays.entries()) {
      const pidfile = join(d, `p${i}`);
      // A unique argument lets us find every process of this round.
      const marker = `${500 + i}.${process.pid}`;
      markers.push(marker); // cleaned up in afterEach even if an assertion fails
      const child = spawn(HELPER, ['--wait-ready=5', '--pidfile', pidfile, '--', 'sleep', marker], {
        stdio: 'ignore',
      });
      if (delay >= 0) await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      // The forked copies may still be on their way to exec (and a process
      // in the middle of execve briefly shows neither its old nor its new
      // argv), so wait until what we see is consistent: no helper copy left,
      // and either a pid in the file naming the one live daemon, or an empty
      // file and no daemon. A partial number is never acceptable, even once.
      let content = '';
      let daemons: { pid: number; comm: string }[] = [];
      let partial: string | undefined;
      const consistent = () => {
        content = existsSync(pidfile) ? readFileSync(pidfile, 'utf8') : '';
        if (!/^(\d+\n)?$/.test(content)) partial ??= content;
        else if (content) track(Number(content));
        daemons = pidsWithArg(marker);
        daemons.forEach((p) => track(p.pid));
        if (daemons.some((p) => p.comm !== 'sleep')) return false;
        return content ? daemons.length === 1 && daemons[0]?.pid === Number(content) : daemons.length === 0;
      };
      await waitFor('a settled start', () => consistent() && (sleepSync(50), consistent()), 3000, 20).catch(() => {});
      expect(partial, `delay ${delay} ms: pidfile content seen`).toBeUndefined();
      if (content) {
        expect(
          daemons.map((p) => p.pid),
          `delay ${delay} ms`,
        ).toEqual([Number(content)]);
        expect(locksOn(pidfile), `delay ${delay} ms`).toHaveLength(1);
      } else {
        expect(daemons, `delay ${delay} ms`).toEqual([]);
      }
      await killAndWait(daemons.map((p) => p.pid));
    }
  }, 60_000);
});

describe('daemon-check-helper --settle: programs that fork themselves away', () => {
  const py = PYTHON ?? 'python3';
  /** A unique sleep argument (also a valid duration): whatever carries it is ours. */
  const marker = (): string => {
    const m = `${100000 + Math.floor(Math.random() * 800000)}.${process.pid}`;
    markers.push(m);
    return m;
  };
  const json = (r: Run) => {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      pid: number;
      pidfile: string | null;
      command: string[];
      followed?: { launcher: number; status: number };
    };
    track(j.pid);
    return j;
  };
  const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

  it('a program that keeps running is reported once the window is over; --settle 0 does not wait', async () => {
    const slow = await runHelper(['--settle', '1', '--', 'sleep', marker()]);
    expect(pidOf(slow)).toBeGreaterThan(0);
    expect(slow.ms).toBeGreaterThanOrEqual(1000);
    const quick = await runHelper(['--settle=0', '--', 'sleep', marker()]);
    expect(pidOf(quick)).toBeGreaterThan(0);
    expect(quick.ms).toBeLessThan(1000);
  });

  it('follows it to the process that holds the pidfile, writes that pid, and says so in --json', async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'p');
    const m = marker();
    const r = await runHelper([
      '--settle',
      '1',
      '--pidfile',
      pidfile,
      '--json',
      '--',
      'sh',
      '-c',
      `sleep ${m} & exit 0`,
    ]);
    const j = json(r);
    expect(j).toEqual({
      pid: j.pid,
      pidfile,
      command: ['sh', '-c', `sleep ${m} & exit 0`],
      followed: { launcher: j.followed?.launcher, status: 0 },
    });
    expect(argvOf(j.pid)).toEqual(['sleep', m]);
    expect(goneAs(j.followed!.launcher, m)).toBe(true);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${j.pid}\n`);
    expect(locksOn(pidfile)).toHaveLength(1);
    // Decided when the window ended: only then is what it left known to stay.
    expect(r.ms).toBeGreaterThanOrEqual(1000);
    const again = await runHelper(['--pidfile', pidfile, '--', 'sleep', marker()]);
    expect(again.code).toBe(3);
    expect(again.stderr).toBe(`daemon-check: already running as pid ${j.pid} (pidfile ${pidfile} is locked)\n`);
  });

  it("picks the topmost holder, not the children that inherited the fd from it (nginx's workers)", async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'p');
    const [master, worker] = [marker(), marker()];
    const j = json(
      await runHelper([
        '--pidfile',
        pidfile,
        '--json',
        '--',
        'sh',
        '-c',
        `(sleep ${worker} & exec sleep ${master}) & exit 0`,
      ]),
    );
    expect(argvOf(j.pid)).toEqual(['sleep', master]);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${j.pid}\n`);
  });

  it('without a pidfile, follows the one process that made itself a session leader', async () => {
    const [plain, leader] = [marker(), marker()];
    const j = json(await runHelper(['--json', '--', 'sh', '-c', `sleep ${plain} & setsid sleep ${leader} & exit 0`]));
    expect(argvOf(j.pid)).toEqual(['sleep', leader]);
    expect(procStat(j.pid).sid).toBe(j.pid);
    expect(j.followed?.status).toBe(0);
  });

  it('a program that exits non-zero in the window: exit 1 with its status; what it left is stopped; the pidfile emptied', async () => {
    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'p');
    const m = marker();
    const r = await runHelper(['--pidfile', pidfile, '--', 'sh', '-c', `sleep ${m} & exit 4`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^daemon-check: sh \(pid \d+\) exited with status 4 (?:at once|after \d+\.\d s); stopped pid \d+ with SIGTERM \(its stderr went to \/dev\/null: --stderr FILE keeps its messages\)\n$/,
    );
    expect(pidsWithArg(m)).toEqual([]);
    expect(readFileSync(pidfile, 'utf8')).toBe('');
    expect(locksOn(pidfile)).toHaveLength(0);
  });

  it('kills a leftover that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const m = marker();
    // The program exits only once its leftover ignores SIGTERM (the file says so).
    const ready = join(tempDir('dc-helper-'), 'trapped');
    const r = await runHelper([
      '--',
      'sh',
      '-c',
      `(trap '' TERM; : > ${ready}; exec sleep ${m}) & until [ -e ${ready} ]; do sleep 0.01; done; exit 3`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^daemon-check: sh \(pid \d+\) exited with status 3 (?:at once|after \d+\.\d s); stopped pid \d+ with SIGTERM, then SIGKILL /,
    );
    expect(r.ms).toBeGreaterThanOrEqual(3000);
    expect(pidsWithArg(m)).toEqual([]);
  });

  it.skipIf(!PYTHON)(
    'refuses a daemon that closed the pidfile fd: it is stopped, the pidfile left empty and unlocked',
    async () => {
      const d = tempDir('dc-helper-');
      const pidfile = join(d, 'p');
      const m = marker();
      const code =
        'import os,sys,time\nif os.fork(): os._exit(0)\nos.setsid()\nos.closerange(3, 65536)\ntime.sleep(float(sys.argv[1]))\n';
      const r = await runHelper(['--pidfile', pidfile, '--', py, '-c', code, m]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^daemon-check: \S+ \(pid \d+\) forked itself away: no process it left holds the pidfile \(they closed the inherited fd\), so its lock cannot last as long as the daemon; stopped pid \d+ with SIGTERM\n$/,
      );
      expect(pidsWithArg(m)).toEqual([]);
      expect(readFileSync(pidfile, 'utf8')).toBe('');
      expect(locksOn(pidfile)).toHaveLength(0);
    },
  );

  it("--settle 0 follows nothing: the program's own pid is reported, as before", async () => {
    const m = marker();
    // The shell writes its own pid down before it exits: it is gone (and its pid
    // may be reused) by the time we look, so /proc cannot tell us who it was.
    const said = join(tempDir('dc-helper-'), 'sh-pid');
    const r = await runHelper([
      '--settle',
      '0',
      '--json',
      '--',
      'sh',
      '-c',
      `echo $$ > ${said}.new && mv ${said}.new ${said}; sleep ${m} & exit 0`,
    ]);
    const j = json(r);
    expect(j.followed).toBeUndefined();
    await waitFor('the shell to write its pid', () => existsSync(said), 5000, 20);
    expect(Number(readFileSync(said, 'utf8'))).toBe(j.pid);
    // What it left is not followed: it runs on under a pid of its own.
    await waitFor('the sleep it started', () => pidsWithArg(m).length === 1, 5000, 20);
    expect(pidsWithArg(m)[0].pid).not.toBe(j.pid);
  });

  it.skipIf(!PYTHON)('READY=1 ends the window early, and a daemon that forked away may send it', async () => {
    const stays = await runHelper(['--settle', '5', '--wait-ready', '--', py, '-c', NOTIFY_PY]);
    expect(pidOf(stays)).toBeGreaterThan(0);
    expect(stays.ms).toBeLessThan(4000);

    const d = tempDir('dc-helper-');
    const pidfile = join(d, 'p');
    const forks = `import os\nif os.fork(): os._exit(0)\n${NOTIFY_PY}`;
    const j = json(await runHelper(['--wait-ready', '--pidfile', pidfile, '--json', '--', py, '-c', forks]));
    expect(j.followed?.status).toBe(0);
    expect(alive(j.pid)).toBe(true);
    expect(readFileSync(pidfile, 'utf8')).toBe(`${j.pid}\n`);
  });
});

describe('daemon-check-helper under valgrind', () => {
  const hasValgrind = spawnSync('valgrind', ['--version']).status === 0;

  if (!hasValgrind) console.warn('valgrind is not on PATH: skipping the valgrind test (CI installs it)');

  // In CI (.ci/run installs valgrind) a missing valgrind must fail, not skip.
  it.skipIf(!hasValgrind && !process.env.CI)(
    'has no memory errors or leaks (skipped without valgrind outside CI)',
    async () => {
      const d = tempDir('dc-helper-');
      const pidfile = join(d, 'p');
      const r = await runHelper(['--pidfile', pidfile, '--', 'sleep', '100'], {
        cmd: 'valgrind',
        pre: [
          '--track-fds=yes',
          '--error-exitcode=99',
          '--trace-children=no',
          '--leak-check=full',
          `--log-file=${join(d, 'vg.%p.log')}`,
        ],
      });
      expect(r.code).toBe(0);
      const pid = track(Number(r.stdout.trim()));
      expect(readFileSync(pidfile, 'utf8')).toBe(`${pid}\n`);
      const logs = readdirSync(d)
        .filter((f) => f.startsWith('vg.'))
        .map((f) => readFileSync(join(d, f), 'utf8'));
      expect(logs.length).toBeGreaterThan(0);
      for (const log of logs) {
        expect(log).not.toMatch(/definitely lost: [1-9]/);
        expect(log).not.toMatch(/Invalid (read|write|free)|uninitialised|Mismatched/);
        expect(log).not.toMatch(/ERROR SUMMARY: [1-9]/);
      }
      // Exactly 0, 1, 2 and the pidfile (whose number depends on valgrind's own fds).
      await expectOnlyFds(pid, [pidfile]);
    },
    60_000,
  );

  // The settle window's paths: following a fork, stopping leftovers, refusing a daemon without the lock.
  it.skipIf(!hasValgrind && !process.env.CI)(
    'is clean when it follows, stops and refuses too',
    async () => {
      const d = tempDir('dc-helper-');
      const m = `${700000 + Math.floor(Math.random() * 99999)}.${process.pid}`;
      markers.push(m);
      const closer = `import os,sys,time\nif os.fork(): os._exit(0)\nos.closerange(3, 65536)\ntime.sleep(float(sys.argv[1]))\n`;
      const cases: [string[], number, RegExp][] = [
        [['--pidfile', join(d, 'follow'), '--', 'sh', '-c', `sleep ${m} & exit 0`], 0, /^\d+\n$/],
        [
          ['--pidfile', join(d, 'fail'), '--', 'sh', '-c', `sleep ${m} & exit 4`],
          1,
          /exited with status 4 (?:at once|after \d+\.\d s); stopped pid/,
        ],
        ...(PYTHON
          ? [
              [
                ['--pidfile', join(d, 'refuse'), '--', PYTHON, '-c', closer, m],
                1,
                /forked itself away: no process it left holds the pidfile/,
              ] as [string[], number, RegExp],
            ]
          : []),
      ];
      for (const [i, [args, code, pattern]] of cases.entries()) {
        const logs = join(d, `vg${i}`);
        mkdirSync(logs);
        const r = await runHelper(args, {
          cmd: 'valgrind',
          pre: [
            '--track-fds=yes',
            '--error-exitcode=99',
            '--trace-children=no',
            '--leak-check=full',
            `--log-file=${join(logs, 'vg.%p.log')}`,
          ],
        });
        expect(r.code, r.stderr).toBe(code);
        expect(code === 0 ? r.stdout : r.stderr).toMatch(pattern);
        for (const log of readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8'))) {
          expect(log).not.toMatch(/definitely lost: [1-9]/);
          expect(log).not.toMatch(/Invalid (read|write|free)|uninitialised|Mismatched/);
          expect(log).not.toMatch(/ERROR SUMMARY: [1-9]/);
        }
      }
      expect(readFileSync(join(d, 'follow'), 'utf8')).toMatch(/^\d+\n$/);
      expect(readFileSync(join(d, 'fail'), 'utf8')).toBe('');
    },
    90_000,
  );
});
