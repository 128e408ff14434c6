/**
 * `daemon-check unit PID [--for MANAGER] [--env]`: a service definition that
 * runs the program of a running process in the foreground under a manager.
 * The real thing: units that systemd-analyze verify accepts, and definitions
 * that supervisord and runsv actually run; then bad input through the CLI.
 * Each renderer on specs built from snapshots: test/unit/unit-command.test.ts.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/api.js';
import { MANAGERS, serviceDefinition } from '../../src/unit/index.js';
import type { Report } from '../../src/audit-types.js';
import { runCli } from '../helpers/cli.js';
import {
  Tracker,
  alive,
  childrenOf,
  cmdlineOf,
  freePort,
  killPid,
  pidInFile,
  tempDir,
  trackProcesses,
  uniqueSeconds,
  waitFor,
} from '../helpers/procs.js';
import { ROOT, SLEEP, TRICKY, input } from '../helpers/unit-spec.js';

describe('systemd-analyze verify', () => {
  it('a unit with every kind of quoting passes systemd-analyze verify', () => {
    const dir = tempDir('dc-unit-');
    const text = serviceDefinition(
      input(
        { stat: { comm: 'sleep' }, cmdline: [SLEEP, '100', ...TRICKY], status: ROOT },
        { exe: SLEEP, withEnv: true },
      ),
      'systemd',
    );
    expectVerified(dir, text);
  });
});

// ---------------------------------------------------------------------------
// Live: real processes, systemd-analyze verify, supervisord and runsv
// ---------------------------------------------------------------------------

const tracker = trackProcesses({ eachTest: true });

/** systemd-analyze verify FILE: exit 0, and nothing said about the file. */
function expectVerified(dir: string, text: string): void {
  const file = path.join(dir, `dc-unit-test-${process.pid}-${Math.floor(Math.random() * 1e9)}.service`);
  fs.writeFileSync(file, text);
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
  const why = `systemd-analyze verify ${file} exited ${r.status}:\n${r.stderr}${r.error ? String(r.error) : ''}\n--- the unit:\n${text}`;
  expect(r.status, why).toBe(0);
  expect(
    r.stderr.split('\n').filter((l) => l.includes(path.basename(file))),
    why,
  ).toEqual([]);
}

/** A process started by the test in a session of its own, tracked for cleanup. */
function startDetached(cmd: string, args: string[], cwd: string): number {
  const child = spawn(cmd, args, { cwd, stdio: 'ignore', detached: true });
  child.unref();
  return tracker.track(child.pid!);
}

/** A sleep to describe; its executable once it runs. */
async function seedSleep(dir: string): Promise<{ pid: number; secs: number; exe: string }> {
  const secs = uniqueSeconds();
  const pid = startDetached('sleep', [String(secs)], dir);
  const exe = await waitFor('sleep to exec', () =>
    cmdlineOf(pid)?.join(' ') === `sleep ${secs}` ? fs.readlinkSync(`/proc/${pid}/exe`) : null,
  );
  return { pid, secs, exe };
}

async function stopAndWait(pid: number, signal: NodeJS.Signals, also: number[] = []): Promise<void> {
  killPid(pid, signal);
  await waitFor(`pid ${pid} and ${also.join(', ')} to exit`, () => [pid, ...also].every((p) => !alive(p)), 20_000);
}

describe('live: units that systemd-analyze verify accepts', () => {
  it('a `nohup sleep N &` job', async () => {
    const dir = tempDir('dc-unit-');
    const secs = uniqueSeconds();
    const out = execFileSync('bash', ['-c', `nohup sleep ${secs} > nohup.out 2>&1 & echo $!`], {
      cwd: dir,
      encoding: 'utf8',
    });
    const pid = tracker.track(Number(out.trim()));
    await waitFor('nohup to exec sleep', () => cmdlineOf(pid)?.join(' ') === `sleep ${secs}`);
    const cli = await runCli(['unit', String(pid)]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toBe('');
    const lines = cli.stdout.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'Type=simple',
        `ExecStart=${fs.readlinkSync(`/proc/${pid}/exe`)} ${secs}`,
        // Kept where it was started: only / itself or a deleted directory becomes /.
        `WorkingDirectory=${fs.realpathSync(dir)}`,
      ]),
    );
    expectVerified(dir, cli.stdout);
  });
});

const REDIS_MULTICALL = (() => {
  try {
    return (
      path.basename(
        fs.realpathSync(execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim()),
      ) !== 'redis-server'
    );
  } catch {
    return false;
  }
})();

describe('live: redis-server --daemonize yes (the daemonized child)', () => {
  const redis = new Tracker();
  let dir = '';
  let text = '';
  beforeAll(async () => {
    dir = tempDir('dc-unit-');
    const port = await freePort();
    const pidfile = path.join(dir, 'r.pid');
    execFileSync('redis-server', ['--port', String(port), '--daemonize', 'yes', '--dir', dir, '--pidfile', pidfile], {
      stdio: 'ignore',
    });
    const pid = redis.track(
      await waitFor('its pidfile', () => {
        const n = pidInFile(pidfile);
        return n && alive(n) ? n : null;
      }),
    );
    // It writes the pidfile, then retitles itself: describe it as it then stays.
    await waitFor('its title', () => cmdlineOf(pid)?.[0] === `redis-server *:${port}`);
    const cli = await runCli(['unit', String(pid)]);
    expect(cli.code, cli.stderr).toBe(0);
    text = cli.stdout;
  });
  afterAll(() => redis.killAll());

  it('passes systemd-analyze verify, Type=notify as its knowledge row says', () => {
    expectVerified(dir, text);
    expect(text.split('\n')).toContain('Type=notify');
  });

  it('runs it in the foreground, --daemonize no, with --supervised systemd', () => {
    const line = text.split('\n').find((l) => l.startsWith('ExecStart='))!;
    expect(line).toMatch(/ --daemonize no( |$)/);
    expect(line).toMatch(/ --supervised systemd( |$)/);
  });

  (REDIS_MULTICALL ? it : it.skip)('ExecStart runs redis-server, not the redis-check-rdb it links to', () => {
    expect(text.split('\n').find((l) => l.startsWith('ExecStart='))).toMatch(/^ExecStart=\S*\/redis-server( |$)/);
  });
});

const SUPERVISORD_CONF = (dir: string): string => `[unix_http_server]
file=${dir}/supervisor.sock

[supervisord]
pidfile=${dir}/supervisord.pid
logfile=${dir}/supervisord.log
childlogdir=${dir}
nodaemon=true

`;

/** supervisord -n -c CONF with the definition appended; its pid. */
function startSupervisord(dir: string, definition: string): number {
  const conf = path.join(dir, 'supervisord.conf');
  fs.writeFileSync(conf, SUPERVISORD_CONF(dir) + definition);
  return startDetached('supervisord', ['-n', '-c', conf], dir);
}

describe('live: supervisord runs the --for supervisord definition', () => {
  it('a sleep: supervised, the managed profile, not not-a-daemon', async () => {
    const dir = tempDir('dc-unit-');
    const seed = await seedSleep(dir);
    const def = await runCli(['unit', String(seed.pid), '--for', 'supervisord']);
    expect(def.code, def.stderr).toBe(0);
    await stopAndWait(seed.pid, 'SIGKILL');
    const sv = startSupervisord(dir, def.stdout);
    const want = `${seed.exe} ${seed.secs}`;
    const pid = tracker.track(
      await waitFor(
        'supervisord to start it',
        () => childrenOf(sv).find((c) => cmdlineOf(c)?.join(' ') === want),
        20_000,
      ),
    );
    const r = (await audit(pid)) as Report;
    expect(r.profile).toBe('managed');
    expect(r.startedAs.kind).toBe('supervised');
    expect(r.verdict).not.toBe('not-a-daemon');
    expect(r.facts.parent).toEqual({ pid: sv, comm: 'supervisord' });
    // directory= from the definition: where the sleep it describes ran.
    expect(r.facts.cwd).toBe(fs.realpathSync(dir));
    await stopAndWait(sv, 'SIGTERM', [pid]);
  });

  it('command= gives the program exactly its arguments back', async () => {
    const dir = tempDir('dc-unit-');
    const secs = uniqueSeconds();
    const argv = ['/usr/bin/python3', '-c', `import time; time.sleep(${secs})`, ...TRICKY];
    const seed = startDetached(argv[0]!, argv.slice(1), dir);
    await waitFor('python to run', () => cmdlineOf(seed)?.join('\0') === argv.join('\0'));
    const def = await runCli(['unit', String(seed), '--for', 'supervisord']);
    expect(def.code, def.stderr).toBe(0);
    await stopAndWait(seed, 'SIGKILL');
    const sv = startSupervisord(dir, def.stdout);
    const pid = tracker.track(
      await waitFor('supervisord to start it', () => childrenOf(sv).find((c) => cmdlineOf(c)?.[2] === argv[2]), 20_000),
    );
    expect(cmdlineOf(pid)).toEqual(argv);
    await stopAndWait(sv, 'SIGTERM', [pid]);
  });
});

describe('live: runsv runs the --for runit run script', () => {
  it('a sleep: supervised by runsv', async () => {
    const dir = tempDir('dc-unit-');
    const seed = await seedSleep(dir);
    const def = await runCli(['unit', String(seed.pid), '--for', 'runit']);
    expect(def.code, def.stderr).toBe(0);
    await stopAndWait(seed.pid, 'SIGKILL');
    const svc = path.join(dir, 'svc');
    fs.mkdirSync(svc);
    fs.writeFileSync(path.join(svc, 'run'), def.stdout, { mode: 0o755 });
    const runsv = startDetached('runsv', [svc], dir);
    const want = `${seed.exe} ${seed.secs}`;
    const pid = tracker.track(
      await waitFor('runsv to start it', () => childrenOf(runsv).find((c) => cmdlineOf(c)?.join(' ') === want), 20_000),
    );
    const r = (await audit(pid)) as Report;
    expect(r.profile).toBe('managed');
    expect(r.profileReason).toMatch(/runsv/);
    expect(r.startedAs.kind).toBe('supervised');
    expect(r.facts.parent).toEqual({ pid: runsv, comm: 'runsv' });
    expect(r.verdict).not.toBe('not-a-daemon');
    // cd to where the sleep it describes ran, and umask 0022, from the run script (runsv starts it in svc/).
    expect(r.facts.cwd).toBe(fs.realpathSync(dir));
    expect(r.facts.umask).toBe('0022');
    execFileSync('sv', ['-w', '10', 'exit', svc], { stdio: 'ignore' });
    await waitFor('runsv and the sleep to exit', () => !alive(runsv) && !alive(pid), 20_000);
  });
});

// ---------------------------------------------------------------------------
// Bad input through the CLI
// ---------------------------------------------------------------------------

const PF_KTHREAD = 0x00200000;

/** pid 2 (kthreadd) when it is a kernel thread, else any kernel thread; null inside a pid namespace without any. */
const KERNEL_THREAD = ((): number | null => {
  const isKthread = (pid: number): boolean => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]) & PF_KTHREAD) !== 0;
    } catch {
      return false;
    }
  };
  if (isKthread(2)) return 2;
  const found = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .find(isKthread);
  return found ?? null;
})();

const oneLine = (s: string): string[] => s.trimEnd().split('\n');

describe('bad input through the CLI', () => {
  it.skipIf(KERNEL_THREAD === null)('a kernel thread: exit 3, one line', async () => {
    const r = await runCli(['unit', String(KERNEL_THREAD)]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^daemon-check: pid \d+ \(.+\) is a kernel thread/);
  });

  it('a zombie: exit 3, one line', async () => {
    const code =
      'import os, time\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nprint(pid, flush=True)\ntime.sleep(600)\n';
    const parent = spawn('/usr/bin/python3', ['-c', code], { stdio: ['ignore', 'pipe', 'ignore'] });
    tracker.track(parent.pid!);
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const zombie = await waitFor('the child pid', () => (/^\d+\n/.test(out) ? Number(out.trim()) : null));
    await waitFor('the child to be a zombie', () => {
      try {
        return /\) Z /.test(fs.readFileSync(`/proc/${zombie}/stat`, 'utf8'));
      } catch {
        return false;
      }
    });
    const r = await runCli(['unit', String(zombie)]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/zombie/);
  });

  it('--for foo: exit 2, one line listing the choices', async () => {
    const r = await runCli(['unit', String(process.pid), '--for', 'foo']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(MANAGERS.join(', '));
  });

  it('unit abc: exit 2, one line', async () => {
    const r = await runCli(['unit', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/'abc' is not a pid/);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'as nobody, a root process: a definition with the unreadable fields marked, exit 0',
    async () => {
      const dir = tempDir('dc-unit-');
      const seed = await seedSleep(dir);
      for (const manager of MANAGERS) {
        const r = await runCli(['unit', String(seed.pid), '--for', manager], { uid: 65534, gid: 65534 });
        expect(r.code, `${manager}: ${r.stderr}`).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout, manager).toMatch(/^[#;] NOTE: its working directory could not be read \(EACCES\): set it$/m);
        expect(r.stdout, manager).toMatch(/^[#;] NOTE: its environment could not be read \(EACCES\)$/m);
        expect(r.stdout, manager).not.toMatch(/^(WorkingDirectory=|directory=|cd )/m);
        expect(r.stdout, manager).toContain(String(seed.secs));
        if (manager === 'systemd') expectVerified(dir, r.stdout);
      }
    },
  );
});
