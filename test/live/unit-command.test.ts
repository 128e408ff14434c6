/**
 * `daemon-check unit PID [--for MANAGER] [--env]`: a service definition that
 * runs the program of a running process in the foreground under a manager.
 * First each renderer on specs built from snapshots; then the real thing:
 * units that systemd-analyze verify accepts, and definitions that supervisord
 * and runsv actually run; then bad input through the CLI.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { audit } from '../../src/api.js';
import { MANAGERS, serviceDefinition, type UnitManager } from '../../src/unit/index.js';
import { renderOpenrc } from '../../src/unit/openrc.js';
import { renderRunit } from '../../src/unit/runit.js';
import { buildSpec, type SpecInput } from '../../src/unit/spec.js';
import { renderSupervisord } from '../../src/unit/supervisord.js';
import { renderSystemd } from '../../src/unit/systemd.js';
import type { Report } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import {
  Tracker,
  alive,
  childrenOf,
  cmdlineOf,
  freePort,
  killPid,
  tempDir,
  uniqueSeconds,
  waitFor,
} from '../helpers/procs.js';
import { makeSnapshot, makeStatus, type SnapshotPartial } from '../helpers/snapshot.js';

// The knowledge table has no service without a foreground mode; this row
// (matched only by the comm fakeforkd) is one, with a pidfile, for Type=forking.
vi.mock('../../src/knowledge/programs.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/knowledge/programs.js')>();
  const fake = {
    id: 'fakeforkd',
    names: ['fakeforkd'],
    role: 'service',
    daemonizesByDefault: true,
    foreground: null,
    readiness: 'forking',
    pidfile: { path: '/run/fakeforkd.pid' },
    source: 'test/unit-command.test.ts',
  } as const;
  return { ...mod, PROGRAMS: Object.freeze([...mod.PROGRAMS, fake]) };
});

// ---------------------------------------------------------------------------
// Renderers on specs from snapshots
// ---------------------------------------------------------------------------

const RENDER: Record<UnitManager, typeof renderSystemd> = {
  systemd: renderSystemd,
  runit: renderRunit,
  supervisord: renderSupervisord,
  openrc: renderOpenrc,
};
const ROOT = makeStatus({ uid: [0, 0, 0, 0], gid: [0, 0, 0, 0], umask: 0o022 });
const SLEEP = fs.realpathSync('/bin/sleep');
const PRINTF = fs.realpathSync('/usr/bin/printf');

/** What `unit` hands buildSpec: the snapshot, and /proc/PID/exe (in the snapshot too, as readSnapshot reads it). */
function input(partial: SnapshotPartial, opts: Partial<Omit<SpecInput, 'snap'>> = {}): SpecInput {
  return {
    snap: makeSnapshot({ exe: opts.exe ?? null, ...partial }),
    exe: null,
    userName: null,
    groupName: null,
    withEnv: false,
    ...opts,
  };
}

function render(manager: UnitManager, inp: SpecInput): string[] {
  return RENDER[manager](buildSpec(inp), ['header']).split('\n');
}

const execStart = (lines: string[]): string | undefined => lines.find((l) => l.startsWith('ExecStart='));

/** Arguments with everything a quoting rule can trip on. */
const TRICKY = ['two words', '100%d', '$HOME', `it's "q"`, 'a\\b', '', '--x=%(ENV_HOME)s'];

const APP_ARGV = [
  '/opt/app/bin/myapp',
  '--name',
  'two words',
  '--fmt',
  '100%d',
  '--var',
  '$HOME',
  '--q',
  `it's "x"`,
  '--bs',
  'a\\b',
];
const APP: SnapshotPartial = {
  stat: { comm: 'myapp' },
  cmdline: APP_ARGV,
  cwd: '/srv/app',
  status: makeStatus({ umask: 0o027, uid: [1000, 1000, 1000, 1000], gid: [1001, 1001, 1001, 1001] }),
  environ: new Map([
    ['PATH', '/usr/bin'],
    ['SECRET', 'hunter2 %s'],
    ['SSH_TTY', '/dev/pts/0'],
    ['HOME', '/home/app'],
    ['TMUX', '/tmp/tmux-0/default,1,0'],
  ]),
};
const APP_IN = { exe: '/opt/app/bin/myapp', userName: 'app', groupName: 'appgrp' };

describe('systemd unit', () => {
  it('Type=simple, and ExecStart quotes spaces, %, $, quotes and backslashes', () => {
    const lines = render('systemd', input(APP, APP_IN));
    expect(lines).toContain('Type=simple');
    expect(execStart(lines)).toBe(
      String.raw`ExecStart=/opt/app/bin/myapp --name "two words" --fmt 100%%d --var $$HOME --q "it's \"x\"" --bs "a\\b"`,
    );
  });

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

  it('WorkingDirectory=/ unless its arguments are relative; then where it was started, with an absolute executable', () => {
    expect(render('systemd', input(APP, APP_IN))).toContain('WorkingDirectory=/');
    const lines = render(
      'systemd',
      input({ ...APP, cmdline: ['bin/server', '--data', './data'] }, { exe: '/srv/app/bin/server' }),
    );
    expect(lines).toContain('WorkingDirectory=/srv/app');
    expect(execStart(lines)).toBe('ExecStart=/srv/app/bin/server --data ./data');
  });

  it('User= and Group= for a user, by name or number; none for root', () => {
    const named = render('systemd', input(APP, APP_IN));
    expect(named).toEqual(expect.arrayContaining(['User=app', 'Group=appgrp']));
    const numbered = render('systemd', input(APP, { exe: APP_IN.exe }));
    expect(numbered).toEqual(expect.arrayContaining(['User=1000', 'Group=1001']));
    const root = render('systemd', input({ ...APP, status: ROOT }, { ...APP_IN, userName: 'root', groupName: 'root' }));
    expect(root.filter((l) => /^(User|Group)=/.test(l))).toEqual([]);
  });

  it('UMask= from its umask', () => {
    expect(render('systemd', input(APP, APP_IN))).toContain('UMask=0027');
    expect(render('systemd', input({ ...APP, status: ROOT }, APP_IN))).toContain('UMask=0022');
  });

  it("environment: names in a comment, values only with --env; a login's variables never", () => {
    const names = render('systemd', input(APP, APP_IN));
    expect(names).toContain(
      '# Its environment also had: PATH SECRET (values not written; daemon-check unit --env writes them)',
    );
    expect(names.join('\n')).not.toContain('hunter2');
    expect(names.filter((l) => l.startsWith('Environment='))).toEqual([]);
    const values = render('systemd', input(APP, { ...APP_IN, withEnv: true }));
    expect(values.filter((l) => l.startsWith('Environment='))).toEqual([
      'Environment=PATH=/usr/bin',
      'Environment="SECRET=hunter2 %%s"',
    ]);
    expect(values.join('\n')).not.toMatch(/SSH_TTY|TMUX|HOME=/);
    expect(values.join('\n')).not.toContain('Its environment also had');
  });

  it('Environment= keeps a $ in a value as it is', () => {
    const lines = render(
      'systemd',
      input({ ...APP, environ: new Map([['PASS', 'pa$word']]) }, { ...APP_IN, withEnv: true }),
    );
    expect(lines).toContain('Environment=PASS=pa$word');
  });

  it('Type=notify with the notify arguments where the knowledge row has readiness notify', () => {
    const redis = render(
      'systemd',
      input(
        { stat: { comm: 'redis-server' }, cmdline: ['redis-server', '/etc/redis/redis.conf'], status: ROOT },
        { exe: '/usr/bin/redis-server' },
      ),
    );
    expect(redis).toContain('Type=notify');
    expect(execStart(redis)).toBe(
      'ExecStart=/usr/bin/redis-server /etc/redis/redis.conf --daemonize no --supervised systemd',
    );
    const daemonized = render(
      'systemd',
      input(
        {
          stat: { comm: 'redis-server' },
          cmdline: ['redis-server', '--port', '7000', '--daemonize', 'yes'],
          status: ROOT,
        },
        { exe: '/usr/bin/redis-server' },
      ),
    );
    expect(execStart(daemonized)).toBe(
      'ExecStart=/usr/bin/redis-server --port 7000 --daemonize no --supervised systemd',
    );
    const haproxy = render(
      'systemd',
      input(
        { stat: { comm: 'haproxy' }, cmdline: ['haproxy', '-D', '-f', '/etc/haproxy/haproxy.cfg'], status: ROOT },
        { exe: '/usr/sbin/haproxy' },
      ),
    );
    expect(haproxy).toContain('Type=notify');
    expect(execStart(haproxy)).toBe('ExecStart=/usr/sbin/haproxy -db -f /etc/haproxy/haproxy.cfg -Ws');
  });

  it('Type=forking with PIDFile= for a program with no foreground mode', () => {
    const lines = render(
      'systemd',
      input(
        { stat: { comm: 'fakeforkd' }, cmdline: ['fakeforkd', '-c', '/etc/f.conf'], status: ROOT },
        { exe: '/usr/sbin/fakeforkd' },
      ),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        'Type=forking',
        'PIDFile=/run/fakeforkd.pid',
        'ExecStart=/usr/sbin/fakeforkd -c /etc/f.conf',
      ]),
    );
    expect(lines).toContain(
      '# NOTE: fakeforkd has no foreground mode: the manager follows the process it forks through its pidfile',
    );
    // tmux's row has no pidfile: the line is left for the reader.
    const tmux = render(
      'systemd',
      input(
        { stat: { comm: 'tmux: server' }, cmdline: ['tmux', 'new-session', '-d'], status: ROOT },
        { exe: '/usr/bin/tmux' },
      ),
    );
    expect(tmux).toEqual(expect.arrayContaining(['Type=forking', '# PIDFile= the path the program writes its pid to']));
  });

  it('a retitled process: the executable (with the foreground option), a note that its arguments are unknown, never the padding', () => {
    const node = render(
      'systemd',
      input(
        { stat: { comm: 'MyApp v1: worke' }, cmdline: ['MyApp v1: worker', '', '', ''], status: ROOT },
        { exe: '/usr/bin/node' },
      ),
    );
    expect(execStart(node)).toBe('ExecStart=/usr/bin/node');
    expect(node).toContain(
      '# NOTE: it rewrote its command line to a title ("MyApp v1: worker"), and its environment with it: its original arguments are unknown; add them after the executable',
    );
    expect(node).toContain('Type=simple');
    // What is left of the environment area belongs to the title.
    expect(node.join('\n')).not.toContain('Its environment also had');
    const nginx = render(
      'systemd',
      input(
        { stat: { comm: 'nginx' }, cmdline: ['nginx: master process nginx -c x'], status: ROOT },
        { exe: '/usr/sbin/nginx' },
      ),
    );
    expect(execStart(nginx)).toBe('ExecStart=/usr/sbin/nginx -g "daemon off;"');
    expect(nginx.find((l) => l.includes('original arguments are unknown'))).toBeDefined();
    const noExe = render(
      'systemd',
      input({ stat: { comm: 'MyApp v1: worke' }, cmdline: ['MyApp v1: worker', '', ''], status: ROOT }),
    );
    expect(execStart(noExe)).toBeUndefined();
    expect(noExe).toContain('# ExecStart= unknown: the executable could not be read');
  });

  it('an unknown program: Type=simple and a note that its daemonizing is unknown', () => {
    const lines = render('systemd', input(APP, APP_IN));
    expect(lines).toContain('Type=simple');
    expect(lines).toContain(
      "# NOTE: myapp is not in daemon-check's knowledge table: whether it forks itself away is unknown; if it does, give it its foreground option",
    );
  });

  it("the header names the pid and the knowledge row's source", () => {
    const text = serviceDefinition(
      input({ pid: 777, stat: { comm: 'nginx' }, cmdline: ['nginx'], status: ROOT }, { exe: '/usr/sbin/nginx' }),
      'systemd',
    );
    expect(text.split('\n').slice(0, 2)).toEqual([
      '# Made by daemon-check unit from pid 777 (nginx).',
      '# nginx: https://nginx.org/en/docs/ngx_core_module.html#daemon',
    ]);
  });

  it('a % in the working directory is doubled', () => {
    const lines = render(
      'systemd',
      input({ ...APP, cwd: '/srv/100%zdir', cmdline: ['/usr/bin/myapp', './data'] }, APP_IN),
    );
    expect(lines).toContain('WorkingDirectory=/srv/100%%zdir');
  });

  it('a retitled redis-server gets --daemonize no --supervised systemd with Type=notify', () => {
    const lines = render(
      'systemd',
      input(
        { stat: { comm: 'redis-server' }, cmdline: ['redis-server *:6379', '', '', ''], status: ROOT },
        { exe: '/usr/bin/redis-server' },
      ),
    );
    expect(lines).toContain('Type=notify');
    expect(execStart(lines)).toBe('ExecStart=/usr/bin/redis-server --daemonize no --supervised systemd');
  });

  it('a multi-call binary keeps the name it was run by (redis-server, not redis-check-rdb)', () => {
    const lines = render(
      'systemd',
      input(
        { stat: { comm: 'redis-server' }, cmdline: ['redis-server', '--port', '7000'], status: ROOT },
        { exe: '/usr/bin/redis-check-rdb' },
      ),
    );
    expect(execStart(lines)).toMatch(/^ExecStart=\S*\/redis-server /);
  });

  it('an executable path with a space is not a title', () => {
    const lines = render(
      'systemd',
      input(
        { stat: { comm: 'nginx' }, cmdline: ['/opt/my nginx/nginx'], status: ROOT },
        { exe: '/opt/my nginx/nginx' },
      ),
    );
    expect(execStart(lines)).toBe('ExecStart="/opt/my nginx/nginx" -g "daemon off;"');
  });
});

/** Runs a shell script and returns its stdout. */
function sh(script: string): string {
  return execFileSync('sh', ['-c', script], { encoding: 'utf8', cwd: '/' });
}

describe('runit run script', () => {
  it('cd, umask, then exec in the foreground; chpst -u only for a user', () => {
    const root = render(
      'runit',
      input({ stat: { comm: 'sleep' }, cmdline: ['sleep', '100'], status: ROOT, cwd: '/home/app' }, { exe: SLEEP }),
    );
    expect(root[0]).toBe('#!/bin/sh');
    const body = root.filter((l) => l !== '' && !l.startsWith('#'));
    expect(body).toEqual(['exec 2>&1', 'cd / || exit 1', 'umask 0022', `exec ${SLEEP} 100`]);
    const user = render('runit', input(APP, APP_IN));
    expect(user).toContain('umask 0027');
    expect(user.find((l) => l.startsWith('exec /') || l.startsWith('exec chpst'))).toBe(
      String.raw`exec chpst -u app:appgrp /opt/app/bin/myapp --name 'two words' --fmt 100%d --var '$HOME' --q 'it'\''s "x"' --bs 'a\b'`,
    );
  });

  it('keeps a start directory with spaces quoted when the arguments are relative', () => {
    const lines = render('runit', input({ ...APP, cwd: '/srv/my app', cmdline: ['/usr/bin/myapp', './data'] }, APP_IN));
    expect(lines).toContain("cd '/srv/my app' || exit 1");
  });

  it('exports values only with --env', () => {
    expect(render('runit', input(APP, APP_IN))).toContain(
      '# Its environment also had: PATH SECRET (values not written; daemon-check unit --env writes them)',
    );
    const values = render('runit', input(APP, { ...APP_IN, withEnv: true }));
    expect(values.filter((l) => l.startsWith('export '))).toEqual([
      'export PATH=/usr/bin',
      "export SECRET='hunter2 %s'",
    ]);
  });

  it('sh runs the program with exactly its arguments', () => {
    const argv = [PRINTF, '[%s]\\n', ...TRICKY];
    const script = render(
      'runit',
      input({ stat: { comm: 'printf' }, cmdline: argv, status: ROOT }, { exe: PRINTF }),
    ).join('\n');
    expect(sh(script)).toBe(TRICKY.map((a) => `[${a}]\n`).join(''));
  });
});

describe('supervisord [program:x] section', () => {
  it('command, directory, user, umask; % doubled', () => {
    const lines = render('supervisord', input(APP, APP_IN));
    const section = lines.slice(lines.indexOf('[program:myapp]'));
    expect(section.slice(0, 5)).toEqual([
      '[program:myapp]',
      String.raw`command=/opt/app/bin/myapp --name 'two words' --fmt 100%%d --var '$HOME' --q 'it'\''s "x"' --bs 'a\b'`,
      'directory=/',
      'user=app',
      'umask=027',
    ]);
    expect(section).toEqual(
      expect.arrayContaining(['autostart=true', 'autorestart=true', 'stopsignal=TERM', 'redirect_stderr=true']),
    );
    const rel = render(
      'supervisord',
      input({ ...APP, cwd: '/srv/100%x', cmdline: ['/usr/bin/myapp', './data'] }, APP_IN),
    );
    expect(rel).toContain('directory=/srv/100%%x');
  });

  it('no user= for root', () => {
    const lines = render(
      'supervisord',
      input({ ...APP, status: ROOT }, { ...APP_IN, userName: 'root', groupName: 'root' }),
    );
    expect(lines.filter((l) => l.startsWith('user='))).toEqual([]);
  });

  it('environment= only with --env, values double-quoted with % doubled', () => {
    const names = render('supervisord', input(APP, APP_IN));
    expect(names.filter((l) => l.startsWith('environment='))).toEqual([]);
    expect(names).toContain(
      '; its environment also had: PATH SECRET (values not written; daemon-check unit --env writes them)',
    );
    expect(names.join('\n')).not.toContain('hunter2');
    const values = render(
      'supervisord',
      input(
        {
          ...APP,
          environ: new Map([
            ['PATH', '/usr/bin'],
            ['SECRET', 'hunter2 %s "q" \\'],
          ]),
        },
        { ...APP_IN, withEnv: true },
      ),
    );
    expect(values.filter((l) => l.startsWith('environment='))).toEqual([
      String.raw`environment=PATH="/usr/bin",SECRET="hunter2 %%s \"q\" \\"`,
    ]);
  });
});

describe('OpenRC service script', () => {
  it('command, command_args, command_background with a pidfile, directory, command_user, umask', () => {
    const lines = render('openrc', input(APP, APP_IN));
    expect(lines[0]).toBe('#!/sbin/openrc-run');
    expect(lines).toEqual(
      expect.arrayContaining([
        'command=/opt/app/bin/myapp',
        'command_background=true',
        'pidfile="/run/${RC_SVCNAME}.pid"',
        'directory=/',
        'command_user=app:appgrp',
        'umask=0027',
      ]),
    );
    expect(lines.find((l) => l.startsWith('command_args='))).toBeDefined();
  });

  it("command_args survives openrc-run's eval with exactly its arguments", () => {
    const lines = render(
      'openrc',
      input({ stat: { comm: 'printf' }, cmdline: [PRINTF, '[%s]\\n', ...TRICKY], status: ROOT }, { exe: PRINTF }),
    );
    const vars = lines.filter((l) => /^command(_args)?=/.test(l));
    // openrc-run starts it with: eval start-stop-daemon ... --exec $command -- $command_args
    const out = sh(`${vars.join('\n')}\neval "set -- $command_args"\nprintf '<%s>\\n' "$command" "$@"`);
    expect(out).toBe([PRINTF, '[%s]\\n', ...TRICKY].map((a) => `<${a}>\n`).join(''));
  });

  it('a program with no foreground mode: its own pidfile, no command_background', () => {
    const lines = render(
      'openrc',
      input({ stat: { comm: 'fakeforkd' }, cmdline: ['fakeforkd'], status: ROOT }, { exe: '/usr/sbin/fakeforkd' }),
    );
    expect(lines).toContain('pidfile=/run/fakeforkd.pid');
    expect(lines.filter((l) => l.startsWith('command_background'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Live: real processes, systemd-analyze verify, supervisord and runsv
// ---------------------------------------------------------------------------

const tracker = new Tracker();
afterEach(() => tracker.killAll());
afterAll(() => tracker.killAll());

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
        'WorkingDirectory=/',
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
        const n = fs.existsSync(pidfile) ? Number(fs.readFileSync(pidfile, 'utf8').trim()) : 0;
        return n > 0 && alive(n) ? n : null;
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
    // directory=/ from the definition.
    expect(r.checks.find((c) => c.id === 'cwd')!.status).toBe('pass');
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
    // cd / and umask 0022 from the run script.
    expect(r.checks.find((c) => c.id === 'cwd')!.status).toBe('pass');
    expect(r.facts.cwd).toBe('/');
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
