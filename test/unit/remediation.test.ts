/**
 * The report's remediation picks one approach for the situation: the
 * supervisor already in charge (its own settings), the host's service manager
 * (a unit, systemd-run), a container's init, or, with no manager at all,
 * `daemon-check run` with the program's foreground option. It never mixes
 * the self-daemonizing recipe (fork, setsid, chdir) with a manager's
 * settings, never hands a supervisor, a multiplexer or a namespace init to
 * `daemon-check run`, and lists the fixes inside the program under every
 * approach. Pure: buildReport on snapshots.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/audit.js';
import { checks } from '../../src/checks/index.js';
import { parseCgroup } from '../../src/proc/cgroup.js';
import { parseLogindConf } from '../../src/host/logind-parse.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import type { Report } from '../../src/audit-types.js';
import {
  JOB_PID,
  NO_MANAGER,
  SYSTEMD_HOST,
  TINI_INIT,
  hostFacts,
  inDocker,
  nohupJob,
  underSupervisor,
  type Where,
} from '../helpers/situations.js';
import { makeFile, makeSnapshot, makeStat, makeStatus, type SnapshotPartial } from '../helpers/snapshot.js';

const report = (snap: Snapshot): Report => buildReport(snap, {}, new Date(0));
const remedy = (snap: Snapshot): string[] => report(snap).remediation;
/** The line remediation gives for a row with the check's own fix. */
const ownFix = (id: string): string => `${id}: ${checks.find((c) => c.id === id)!.fix}`;
const shortOf = (r: Report): string[] =>
  r.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => c.id);

const RUN = /daemon-check run/;
/** The self-daemonizing recipe: what a supervised or managed program must never be told to do. */
const SELF_DAEMONIZING = /\bfork|setsid|chdir\(/i;
const SYSTEMD_ADVICE = /systemd-run|systemctl|daemon-check unit|\/etc\/systemd/;
const line = (lines: string[], re: RegExp): string | undefined => lines.find((l) => re.test(l));

const REDIS_JOB = ['redis-server', '--daemonize', 'yes'];
const NGINX_JOB = ['nginx'];

describe('no service manager: daemon-check run with the foreground option', () => {
  it('a redis-server --daemonize yes job gets `daemon-check run ... -- redis-server --daemonize no`', () => {
    const lines = remedy(nohupJob(REDIS_JOB, NO_MANAGER));
    const run = line(lines, RUN);
    expect(run, lines.join('\n')).toMatch(/pid 1 is process_api.*\. Start it properly with: daemon-check run /);
    expect(run).toMatch(/ --pidfile \/run\/redis-server\.pid -- redis-server --daemonize no$/);
    // Its output went to nohup.out: the run line keeps it there.
    expect(run).toContain('--stdout /home/app/nohup.out --stderr /home/app/nohup.out');
  });

  it("an nginx job gets -g 'daemon off;'", () => {
    const lines = remedy(nohupJob(NGINX_JOB, NO_MANAGER));
    expect(line(lines, RUN), lines.join('\n')).toMatch(/ -- nginx -g 'daemon off;'$/);
  });

  it("lists the checks' own fixes for every row that fell short", () => {
    const r = report(nohupJob(REDIS_JOB, NO_MANAGER));
    const short = shortOf(r);
    expect(short).toEqual(expect.arrayContaining(['no-controlling-tty', 'own-session', 'detached-parent', 'cwd']));
    for (const id of short) expect(r.remediation).toContain(ownFix(id));
  });

  it('suggests no systemd unit on a host with no systemd', () => {
    for (const argv of [REDIS_JOB, NGINX_JOB, ['/usr/bin/myapp', '--serve']]) {
      const lines = remedy(nohupJob(argv, NO_MANAGER));
      expect(
        lines.filter((l) => SYSTEMD_ADVICE.test(l)),
        lines.join('\n'),
      ).toEqual([]);
    }
  });

  it('an unknown program keeps its own command line', () => {
    const lines = remedy(nohupJob(['/usr/bin/myapp', '--serve', './data'], NO_MANAGER));
    // ./data only works from /home/app: the run line keeps that directory.
    expect(line(lines, RUN)).toMatch(/daemon-check run --chdir \/home\/app .*-- \/usr\/bin\/myapp --serve \.\/data$/);
  });
});

describe('an app that reads files next to it: its working directory is kept, never advised away', () => {
  const app = (argv: string[], extra: SnapshotPartial = {}) =>
    nohupJob(argv, NO_MANAGER, { cwd: '/srv/app', ...extra });

  it('`python3 app.py`: the run line has --chdir, and no advice says / for it', () => {
    for (const argv of [
      ['python3', 'app.py'],
      ['node', 'app.js'],
      ['/usr/bin/python3', '/usr/bin/gunicorn', 'wsgi:app'],
    ]) {
      const r = report(app(argv));
      expect(line(r.remediation, RUN), r.remediation.join('\n')).toMatch(/daemon-check run --chdir \/srv\/app /);
      expect(r.checks.find((c) => c.id === 'cwd')).toMatchObject({
        status: 'pass',
        expected: '/, or its working data',
      });
      expect(r.remediation.filter((l) => l.startsWith('cwd:'))).toEqual([]);
    }
  });

  it("argv[0] found on its own PATH (a venv's python) goes in the run line, not the python its link leads to", () => {
    const snap = app(['python', 'app.py'], { exe: '/usr/bin/python3.11' });
    snap.argv0Path = '/srv/app/venv/bin/python';
    expect(line(remedy(snap), RUN)).toMatch(/ -- \/srv\/app\/venv\/bin\/python app\.py$/);
    // Not found: the command stays as typed.
    snap.argv0Path = null;
    expect(line(remedy(snap), RUN)).toMatch(/ -- python app\.py$/);
  });

  it('a process of another user, audited by root: the run line keeps its user (--user), root needs none', () => {
    // nohupJob runs as uid 1000 (app); the snapshot's auditor is root.
    expect(line(remedy(app(['node', 'app.js'])), RUN)).toMatch(
      /daemon-check run --chdir \/srv\/app --user app .*-- node app\.js$/,
    );
    // No name for the uid: the number.
    expect(line(remedy(app(['node', 'app.js'], { userName: null })), RUN)).toContain(' --user 1000 ');
    // Audited by that user itself, or by someone who cannot switch users: no --user.
    const noUser =
      /^.*daemon-check run --chdir \/srv\/app --stdout \/home\/app\/nohup\.out --stderr \/home\/app\/nohup\.out --pidfile \/run\/node\.pid -- node app\.js$/;
    expect(line(remedy(app(['node', 'app.js'], { auditorUid: 1000 })), RUN)).toMatch(noUser);
    expect(line(remedy(app(['node', 'app.js'], { auditorUid: 1001 })), RUN)).toMatch(noUser);
    // A root process audited by root.
    const root = app(['node', 'app.js'], { status: makeStatus({ umask: 0o022, sigIgn: 1n, uid: [0, 0, 0, 0] }) });
    expect(line(remedy(root), RUN)).toMatch(noUser);
  });

  it('a deleted working directory is not given to --chdir', () => {
    const lines = remedy(app(['/usr/bin/myapp', './data'], { cwd: '/srv/old (deleted)' }));
    expect(line(lines, RUN)).not.toContain('--chdir');
  });
});

describe('systemd runs the host: a unit or systemd-run, never daemon-check run', () => {
  it('a redis job: `daemon-check unit PID` and `systemd-run --unit=`, with the foreground option', () => {
    const lines = remedy(nohupJob(REDIS_JOB, SYSTEMD_HOST));
    const unit = line(lines, /daemon-check unit/);
    expect(unit, lines.join('\n')).toContain(
      `\`daemon-check unit ${JOB_PID} > /etc/systemd/system/redis-server.service\``,
    );
    expect(unit).toContain('`systemctl daemon-reload && systemctl enable --now redis-server`');
    // Nothing ties it to /home/app (the cwd row warns, its setting is WorkingDirectory=/): systemd-run starts it in /, one voice.
    expect(unit).toContain('`systemd-run --unit=redis-server redis-server --daemonize no`');
    expect(lines).toContain('cwd: WorkingDirectory=/ in the unit');
    expect(unit).toMatch(/^systemd runs this host \(\/run\/systemd\/system exists\)/);
  });

  it("no daemon-check run line and no fork or setsid advice; launch misses get the unit's settings", () => {
    for (const argv of [REDIS_JOB, NGINX_JOB, ['/usr/bin/myapp']]) {
      const lines = remedy(nohupJob(argv, SYSTEMD_HOST));
      expect(
        lines.filter((l) => RUN.test(l) || SELF_DAEMONIZING.test(l)),
        lines.join('\n'),
      ).toEqual([]);
      expect(lines).toContain('cwd: WorkingDirectory=/ in the unit');
    }
  });

  it("an nginx job: systemd-run with -g 'daemon off;'", () => {
    const lines = remedy(nohupJob(NGINX_JOB, SYSTEMD_HOST));
    expect(line(lines, /systemd-run/), lines.join('\n')).toContain("`systemd-run --unit=nginx nginx -g 'daemon off;'`");
  });

  it('a daemon in a login scope: loginctl enable-linger USER, then systemd-run --user', () => {
    const host = hostFacts({
      systemdPid1: true,
      logind: parseLogindConf([{ path: '/etc/systemd/logind.conf', text: '[Login]\nKillUserProcesses=yes\n' }]),
    });
    const snap = makeSnapshot({
      stat: { comm: 'redis-server' },
      cmdline: ['redis-server', '/etc/redis/redis.conf'],
      cgroup: parseCgroup('0::/user.slice/user-1000.slice/session-3.scope\n'),
      scopeUser: { uid: 1000, name: 'alice' },
      userName: 'alice',
      host,
      initComm: 'systemd',
    });
    const r = report(snap);
    expect(r.checks.find((c) => c.id === 'outside-login-scope')!.status).toBe('fail');
    const user = line(r.remediation, /loginctl/);
    expect(user, r.remediation.join('\n')).toContain('`loginctl enable-linger alice`');
    expect(user).toContain(
      '`systemd-run --user --unit=redis-server redis-server /etc/redis/redis.conf --daemonize no`',
    );
    expect(r.remediation.filter((l) => RUN.test(l) || SELF_DAEMONIZING.test(l))).toEqual([]);
  });

  it('an unknown program keeps its command line in the systemd-run line', () => {
    const lines = remedy(nohupJob(['/usr/bin/myapp', '--serve', '--port', '8080'], SYSTEMD_HOST));
    expect(line(lines, /systemd-run/)).toMatch(/`systemd-run --unit=myapp \/usr\/bin\/myapp --serve --port 8080`/);
  });

  it('a program that leans on its working directory keeps it in the systemd-run line, and no advice says / for it', () => {
    const lines = remedy(nohupJob(['python3', 'app.py'], SYSTEMD_HOST));
    expect(line(lines, /systemd-run/), lines.join('\n')).toContain(
      '`systemd-run --unit=app --working-directory=/home/app python3 app.py`',
    );
    expect(lines.filter((l) => l.startsWith('cwd:'))).toEqual([]);
  });
});

const CONTAINER_ADVICE =
  "run it as the container's main process, in the foreground (`redis-server --daemonize no`), under an init (docker run --init)";

describe('a container: its init, docker run --init', () => {
  it.each([
    ['pid 1 is tini', TINI_INIT, /^pid 1 is tini, a container's init\b/],
    ['/.dockerenv, pid 1 is sh', inDocker('sh'), /^pid 1 is sh, a container's init, and \/\.dockerenv exists\b/],
  ])('%s', (_name, where, evidence) => {
    const lines = remedy(nohupJob(REDIS_JOB, where));
    const main = line(lines, /docker run --init/);
    expect(main, lines.join('\n')).toMatch(evidence);
    expect(main).toContain(CONTAINER_ADVICE);
    expect(lines).toContain('cwd: WORKDIR / in the image (or docker run -w /)');
    expect(lines.filter((l) => RUN.test(l) || SELF_DAEMONIZING.test(l) || SYSTEMD_ADVICE.test(l))).toEqual([]);
  });

  // A container whose pid 1 is its own program has nothing that supervises a second job: such a job
  // gets the no-manager advice, and the evidence says why (`docker run --init` would not supervise it).
  it('/.dockerenv with the app itself as pid 1: no manager, saying so, and the run line', () => {
    const lines = remedy(nohupJob(REDIS_JOB, inDocker('node')));
    expect(lines.join('\n')).toContain('/.dockerenv exists, and pid 1 is node, its own program, not an init');
    expect(lines.filter((l) => RUN.test(l)).length).toBeGreaterThan(0);
    expect(lines.filter((l) => /docker run --init/.test(l))).toEqual([]);
  });
});

describe("supervised: the supervisor's own settings", () => {
  const misses: SnapshotPartial = { status: makeStatus({ umask: 0o077 }) };

  it.each([
    ['no manager', NO_MANAGER],
    ['systemd', SYSTEMD_HOST],
  ])(
    'under runsv with cwd /etc/sv/x (host: %s): cd / and umask in the run script, never chdir("/")',
    (_host, where) => {
      const r = report(underSupervisor('runsv', ['runsv', 'x'], where, { ...misses, cwd: '/etc/sv/x' }));
      expect(r.profile).toBe('managed');
      const lines = r.remediation;
      expect(lines[0]).toBe(
        "runsv (500) already supervises it: set what it needs in runsv's own configuration for it, and keep the program in the foreground.",
      );
      expect(lines).toContain(
        'cwd: cd / before the exec in its run script (runsv starts it in the service directory by design)',
      );
      expect(lines).toContain('umask: umask 022 before the exec in its run script');
      expect(
        lines.filter(
          (l) => l.includes('chdir("/")') || RUN.test(l) || SELF_DAEMONIZING.test(l) || SYSTEMD_ADVICE.test(l),
        ),
      ).toEqual([]);
    },
  );

  it.each([
    [
      'comm supervisord, argv /usr/bin/python3 /usr/bin/supervisord',
      'supervisord',
      ['/usr/bin/python3', '/usr/bin/supervisord', '-c', '/etc/supervisor/supervisord.conf'],
    ],
    ['comm python3, argv python3 /usr/bin/supervisord', 'python3', ['python3', '/usr/bin/supervisord']],
  ])('under supervisord (%s): directory=/ and umask= in its [program:x] section', (_name, comm, argv) => {
    const r = report(underSupervisor(comm, argv, NO_MANAGER, { ...misses, cwd: '/tmp' }));
    expect(r.profile).toBe('managed');
    expect(r.remediation[0]).toMatch(/^(supervisord|python3) \(500\) already supervises it: /);
    expect(r.remediation).toContain('cwd: directory=/ in its [program:x] section');
    expect(r.remediation).toContain('umask: umask=022 in its [program:x] section');
    expect(r.remediation.filter((l) => RUN.test(l) || SELF_DAEMONIZING.test(l))).toEqual([]);
  });

  // supervisord is a python script: it is named for its configuration, not python3.
  it("supervisord started as `python3 /usr/bin/supervisord` is named for its configuration, not python3's", () => {
    const lines = remedy(
      underSupervisor('python3', ['python3', '/usr/bin/supervisord'], NO_MANAGER, { ...misses, cwd: '/tmp' }),
    );
    expect(lines[0]).toContain("supervisord's own configuration");
  });
});

/** Programs that are meant to run as they do: a supervisor, a multiplexer's server, a namespace init. */
const INFRASTRUCTURE: Array<[string, (where: Where) => Snapshot, RegExp]> = [
  [
    'a tmux server',
    (where) =>
      makeSnapshot({ stat: { comm: 'tmux: server' }, cmdline: ['tmux', 'new-session', '-d'], cwd: '/root', ...where }),
    /is a terminal multiplexer's server/,
  ],
  [
    'runsvdir typed in a shell',
    (where) => nohupJob(['runsvdir', '-P', '/etc/service'], where),
    /^runsvdir \(1000\) is a supervisor: /,
  ],
  [
    'supervisord typed in a shell',
    (where) => nohupJob(['/usr/bin/python3', '/usr/bin/supervisord', '-n'], where, { stat: { comm: 'supervisord' } }),
    /^supervisord \(1000\) is a supervisor: /,
  ],
  [
    'a namespace init',
    (where) =>
      makeSnapshot({
        stat: { comm: 'myapp' },
        cmdline: ['/usr/bin/myapp'],
        cwd: '/srv',
        status: makeStatus({ nspid: [5000, 1] }),
        ...where,
      }),
    /is the init of its pid namespace: .*docker run --init/,
  ],
];

describe('never daemon-check run for a supervisor, a multiplexer or a namespace init', () => {
  for (const [name, build, approach] of INFRASTRUCTURE) {
    it.each([
      ['no manager', NO_MANAGER],
      ['systemd', SYSTEMD_HOST],
      ['tini', TINI_INIT],
    ])(`${name} (host: %s)`, (_host, where) => {
      const lines = remedy(build(where));
      expect(line(lines, approach), lines.join('\n')).toBeDefined();
      expect(lines.filter((l) => RUN.test(l))).toEqual([]);
    });
  }
});

describe('a retitled process: the executable, and the arguments said to be unknown', () => {
  const nodeTitle = (where: Where): Snapshot =>
    nohupJob(['MyApp v1: worker', '', '', ''], where, {
      stat: { comm: 'MyApp v1: worke' },
      exe: '/usr/bin/node',
      cwd: '/srv/app',
    });

  it('Node process.title, no manager: daemon-check run -- /usr/bin/node, never the padding', () => {
    const lines = remedy(nodeTitle(NO_MANAGER));
    const run = line(lines, RUN);
    expect(run, lines.join('\n')).toContain(
      '-- /usr/bin/node (it rewrote its command line to the title "MyApp v1: worker": its original arguments are unknown, add them)',
    );
    expect(run).not.toContain("''");
    expect(run).not.toMatch(/-- 'MyApp/);
  });

  it("an nginx master's title: /usr/sbin/nginx -g 'daemon off;', arguments unknown", () => {
    const snap = makeSnapshot({
      stat: { comm: 'nginx' },
      cmdline: ['nginx: master process nginx -c x'],
      exe: '/usr/sbin/nginx',
      cwd: '/root',
      ...NO_MANAGER,
    });
    const run = line(remedy(snap), RUN);
    expect(run).toContain(
      '-- /usr/sbin/nginx -g \'daemon off;\' (it rewrote its command line to the title "nginx: master process nginx -c x": its original arguments are unknown, add them)',
    );
    expect(run!.slice(0, run!.indexOf(' (it rewrote'))).not.toContain('master process');
  });

  it('on a systemd host: systemd-run with the executable, never the padding', () => {
    const lines = remedy(nodeTitle(SYSTEMD_HOST));
    const unit = line(lines, /systemd-run/);
    expect(/`systemd-run --unit=\S+ ([^`]*)`/.exec(unit ?? '')?.[1], lines.join('\n')).toBe('/usr/bin/node');
    expect(unit).toContain('its original arguments are unknown');
    expect(lines.join('\n')).not.toContain("''");
  });
});

/** A program that leaves zombies, holds a world-writable pidfile and takes SIGTERM's default action. */
const FAULTY: SnapshotPartial = {
  children: [makeStat({ pid: 4300, comm: 'worker', state: 'Z', ppid: 4242 })],
  fds: [
    makeFile(0, '/dev/null', { type: 'char', mode: 0o20666 }),
    makeFile(1, '/dev/null', { type: 'char', mode: 0o20666 }),
    makeFile(2, '/dev/null', { type: 'char', mode: 0o20666 }),
    makeFile(3, '/run/myapp.pid', { mode: 0o100666 }),
  ],
  status: makeStatus({ sigCgt: 0n, sigIgn: 0n, sigBlk: 0n }),
};

const APPROACHES: Array<[string, () => Snapshot]> = [
  [
    'no manager',
    () => makeSnapshot({ ...FAULTY, stat: { comm: 'myapp' }, cmdline: ['/usr/bin/myapp'], ...NO_MANAGER }),
  ],
  ['a nohup job, no manager', () => nohupJob(['/usr/bin/myapp'], NO_MANAGER, FAULTY)],
  ['systemd', () => nohupJob(['/usr/bin/myapp'], SYSTEMD_HOST, FAULTY)],
  [
    'OpenRC',
    () =>
      nohupJob(
        ['/usr/bin/myapp'],
        { host: hostFacts({ markers: { 'run/openrc/softlevel': true } }), initComm: 'init' },
        FAULTY,
      ),
  ],
  ['runit as pid 1', () => nohupJob(['/usr/bin/myapp'], { host: hostFacts(), initComm: 'runit' }, FAULTY)],
  ['s6 as pid 1', () => nohupJob(['/usr/bin/myapp'], { host: hostFacts(), initComm: 's6-svscan' }, FAULTY)],
  ['/.dockerenv, pid 1 sh', () => nohupJob(['/usr/bin/myapp'], inDocker('sh'), FAULTY)],
  ['tini', () => nohupJob(['/usr/bin/myapp'], TINI_INIT, FAULTY)],
  ['under runsv', () => underSupervisor('runsv', ['runsv', 'x'], NO_MANAGER, FAULTY)],
  [
    'under supervisord',
    () => underSupervisor('supervisord', ['/usr/bin/python3', '/usr/bin/supervisord'], NO_MANAGER, FAULTY),
  ],
  ['a supervisor itself', () => nohupJob(['runsvdir', '-P', '/etc/service'], NO_MANAGER, FAULTY)],
  [
    'a namespace init',
    () =>
      makeSnapshot({
        ...FAULTY,
        stat: { comm: 'myapp' },
        cmdline: ['/usr/bin/myapp'],
        status: makeStatus({ sigCgt: 0n, nspid: [5000, 1] }),
        ...NO_MANAGER,
      }),
  ],
];

describe("the program's own fixes are listed under every approach", () => {
  it.each(APPROACHES)('%s: reaps-children and world-writable-files', (_name, build) => {
    const r = report(build());
    expect(shortOf(r)).toEqual(expect.arrayContaining(['reaps-children', 'world-writable-files']));
    expect(r.remediation).toContain(ownFix('reaps-children'));
    expect(r.remediation).toContain(ownFix('world-writable-files'));
  });

  // handles-sigterm is severity info: SIGTERM's default action is no shortfall (sleep dies at once, as it
  // should), so its fix is shown in its row, never pushed as remediation.
  it('handles-sigterm at its default action (info) is not listed as a fix under any approach', () => {
    for (const [name, build] of APPROACHES) {
      const r = report(build());
      expect(r.checks.find((c) => c.id === 'handles-sigterm')!.status, name).toBe('info');
      expect(
        r.remediation.filter((l) => l.startsWith('handles-sigterm')),
        name,
      ).toEqual([]);
    }
  });
});
