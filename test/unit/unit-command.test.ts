/**
 * `daemon-check unit PID [--for MANAGER] [--env]`: each renderer on specs
 * built from snapshots (systemd, runit, supervisord, OpenRC). The real thing,
 * units that systemd-analyze verify accepts and definitions that supervisord
 * and runsv run, and bad input through the CLI: test/live/unit-command.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { serviceDefinition } from '../../src/unit/index.js';
import { ROOT, SLEEP, PRINTF, TRICKY, input, render, execStart } from '../helpers/unit-spec.js';
import { makeStatus, type SnapshotPartial } from '../helpers/snapshot.js';

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
    source: 'test/unit/unit-command.test.ts',
  } as const;
  return { ...mod, PROGRAMS: Object.freeze([...mod.PROGRAMS, fake]) };
});

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
    ['GREETING', 'hello %s'],
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

  it('WorkingDirectory= where it was started, with an absolute executable; / only for / or a deleted directory', () => {
    expect(render('systemd', input(APP, APP_IN))).toContain('WorkingDirectory=/srv/app');
    expect(render('systemd', input({ ...APP, cwd: '/' }, APP_IN))).toContain('WorkingDirectory=/');
    const deleted = render('systemd', input({ ...APP, cwd: '/srv/old (deleted)' }, APP_IN));
    expect(deleted).toContain('WorkingDirectory=/');
    expect(deleted.find((l) => l.startsWith('# NOTE: its working directory /srv/old has been deleted'))).toBeDefined();
    // A bare script name leans on the directory as much as ./script does.
    const bare = render(
      'systemd',
      input(
        { stat: { comm: 'python3' }, cmdline: ['/usr/bin/python3', 'app.py'], cwd: '/srv/app', status: ROOT },
        { exe: '/usr/bin/python3.11' },
      ),
    );
    expect(bare).toContain('WorkingDirectory=/srv/app');
    expect(execStart(bare)).toBe('ExecStart=/usr/bin/python3 app.py');
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
      '# Its settings, from its environment: GREETING SECRET (values not written; daemon-check unit --env writes them)',
    );
    expect(names).toContain("# Its login session's and the system's variables, not written: PATH SSH_TTY HOME TMUX");
    expect(names.join('\n')).not.toContain('hunter2');
    expect(names.filter((l) => l.startsWith('Environment='))).toEqual([]);
    const values = render('systemd', input(APP, { ...APP_IN, withEnv: true }));
    expect(values.filter((l) => l.startsWith('Environment='))).toEqual(['Environment="GREETING=hello %%s"']);
    // A secret never goes into the world-readable unit: a root-only EnvironmentFile= copied from the process.
    expect(values.join('\n')).not.toContain('hunter2');
    expect(values).toContain('EnvironmentFile=/etc/default/myapp');
    expect(values.join('\n')).toContain(
      "(umask 077; tr '\\0' '\\n' < /proc/4242/environ | grep -E '^(SECRET)=' > /etc/default/myapp)",
    );
    expect(values.join('\n')).not.toMatch(/SSH_TTY=|TMUX=|HOME=/);
    expect(values.join('\n')).not.toContain('Its settings');
  });

  it('Environment= keeps a $ in a value as it is', () => {
    const lines = render(
      'systemd',
      input({ ...APP, environ: new Map([['GREETING', 'pa$word']]) }, { ...APP_IN, withEnv: true }),
    );
    expect(lines).toContain('Environment=GREETING=pa$word');
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
    expect(body).toEqual(['exec 2>&1', 'cd /home/app || exit 1', 'umask 0022', `exec ${SLEEP} 100`]);
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
      '# Its settings, from its environment: GREETING SECRET (values not written; daemon-check unit --env writes them)',
    );
    const values = render('runit', input(APP, { ...APP_IN, withEnv: true }));
    expect(values.filter((l) => l.startsWith('export '))).toEqual(["export GREETING='hello %s'"]);
    expect(values.join('\n')).not.toContain('hunter2');
    expect(values).toContain(`while IFS= read -r kv; do export "$kv"; done < /etc/sv/myapp/secret.env`);
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
      'directory=/srv/app',
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
      '; Its settings, from its environment: GREETING SECRET (values not written; daemon-check unit --env writes them)',
    );
    expect(names.join('\n')).not.toContain('hunter2');
    const values = render(
      'supervisord',
      input(
        {
          ...APP,
          environ: new Map([
            ['PATH', '/usr/bin'],
            ['GREETING', 'hello %s "q" \\'],
            ['SECRET', 'hunter2'],
          ]),
        },
        { ...APP_IN, withEnv: true },
      ),
    );
    expect(values.filter((l) => l.startsWith('environment='))).toEqual([
      String.raw`environment=GREETING="hello %%s \"q\" \\"`,
    ]);
    expect(values.join('\n')).not.toContain('hunter2');
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
        'directory=/srv/app',
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
