/**
 * The knowledge table (src/knowledge): its invariants, real command lines,
 * lookups by name, and the kinds of program it feeds. Nginx, redis-server and
 * memcached started for real, both ways: test/live/knowledge.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  PROGRAMS,
  acceptsDaemonizer,
  daemonizes,
  foregroundArgv,
  lookupProgram,
  programById,
  respawnsWorkersOf,
  type FlagRule,
  type ProgramInfo,
} from '../../src/knowledge/index.js';

const row = (id: string): ProgramInfo => programById(id)!;
const fg = (id: string, argv: string[]) => foregroundArgv(row(id), argv);
const SAMPLE_VALUES = ['yes', 'daemon on;', 'background=YES', '/tmp/x.log'];

/** A command line that trips a detach rule, for the consistency checks. */
function sampleArgv(info: ProgramInfo, rule: FlagRule): string[] {
  if ('letters' in rule) return [info.names[0]!, `-${rule.letters}`, 'cmd'];
  if (!rule.value) return [info.names[0]!, rule.names[0]!];
  return [info.names[0]!, rule.names[0]!, SAMPLE_VALUES.find((v) => !rule.when || rule.when.test(v))!];
}

describe('knowledge table invariants', () => {
  it('has at least 35 rows, every one citing an http(s) source', () => {
    expect(PROGRAMS.length).toBeGreaterThanOrEqual(35);
    for (const p of PROGRAMS) expect(p.source, p.id).toMatch(/^https?:\/\/\S+$/);
  });

  it('ids and names are unique across rows, and every name finds its own row', () => {
    expect(new Set(PROGRAMS.map((p) => p.id)).size).toBe(PROGRAMS.length);
    const names = PROGRAMS.flatMap((p) => p.names);
    expect(new Set(names).size).toBe(names.length);
    for (const p of PROGRAMS) {
      for (const n of p.names) {
        const paths = [`/usr/lib/postfix/sbin/${n}`, `/usr/lib/node_modules/forever/bin/${n}`];
        const hint = p.pathHint ? [paths.find((x) => p.pathHint!.test(x))!] : [n];
        expect(lookupProgram(n, hint)?.id, n).toBe(p.id);
      }
    }
  });

  it('no row both daemonizes by default and lacks a way to tell that it did not', () => {
    for (const p of PROGRAMS.filter((q) => q.daemonizesByDefault)) {
      expect(Boolean(p.stayFlags?.length || p.config), p.id).toBe(true);
      expect([true, 'config'], p.id).toContain(daemonizes(p, [p.names[0]!]));
    }
    for (const p of PROGRAMS.filter((q) => !q.daemonizesByDefault && !q.config))
      expect(daemonizes(p, [p.names[0]!]), p.id).toBe(false);
  });

  it('only services accept a daemonizer, and every service has a foreground mode', () => {
    const nonServices = PROGRAMS.filter((p) => !acceptsDaemonizer(p))
      .map((p) => p.id)
      .sort();
    expect(nonServices).toEqual([
      'catatonit',
      'dumb-init',
      'forever',
      'pm2',
      'pm2-runtime',
      'runsv',
      'runsvdir',
      's6-supervise',
      's6-svscan',
      'screen',
      'supervise',
      'supervisord',
      'tini',
      'tmux',
    ]);
    for (const p of PROGRAMS.filter(acceptsDaemonizer)) expect(p.foreground, p.id).not.toBeNull();
  });

  it('every foreground edit is consistent: what it adds is a stay flag, and its result stays', () => {
    for (const p of PROGRAMS) {
      for (const r of [...(p.detachFlags ?? []), ...(p.stayFlags ?? []), ...(p.foreground?.remove ?? [])]) {
        if (!('letters' in r)) expect(r.when?.global || r.when?.sticky, p.id).toBeFalsy();
      }
      const edit = p.foreground;
      if (!edit) continue;
      if (edit.add?.length) expect(daemonizes(p, [p.names[0]!, ...edit.add]), p.id).toBe(false);
      const samples = [[p.names[0]!], ...(p.detachFlags ?? []).map((r) => sampleArgv(p, r))];
      for (const argv of samples) {
        expect(daemonizes(p, argv) !== false || argv.length === 1, `${p.id} ${argv.join(' ')}`).toBe(true);
        const out = foregroundArgv(p, argv)!;
        const verdict = daemonizes(p, out);
        // Only a row with nothing to add may be left to its config file (uwsgi, gunicorn, openvpn, mongod).
        expect(verdict === false || (verdict === 'config' && !edit.add?.length), `${p.id}: ${out.join(' ')}`).toBe(
          true,
        );
        expect(foregroundArgv(p, out), `${p.id} idempotent`).toEqual(out);
      }
    }
  });

  it('readiness facts are well-formed', () => {
    for (const p of PROGRAMS) {
      if (p.notifyArgs) expect(p.readiness, p.id).toBe('notify');
      if (p.readiness === 'forking') expect(p.pidfile, p.id).toBeDefined();
    }
  });
});

describe('real command lines', () => {
  it('nginx: daemon off;, merged into an existing -g', () => {
    expect(daemonizes(row('nginx'), ['nginx'])).toBe('config');
    expect(fg('nginx', ['nginx'])).toEqual(['nginx', '-g', 'daemon off;']);
    expect(fg('nginx', ['/usr/sbin/nginx', '-g', 'daemon on; master_process on;'])).toEqual([
      '/usr/sbin/nginx',
      '-g',
      'master_process on; daemon off;',
    ]);
    expect(fg('nginx', ['nginx', '-g', 'daemon off;'])).toEqual(['nginx', '-g', 'daemon off;']);
    expect(
      daemonizes(row('nginx'), ['nginx: master process /usr/sbin/nginx -g daemon on; master_process on;']),
    ).toBeNull();
  });

  it('redis-server: --daemonize, and a config file that may say daemonize yes', () => {
    expect(daemonizes(row('redis-server'), ['redis-server', '--daemonize', 'yes'])).toBe(true);
    expect(fg('redis-server', ['redis-server', '--daemonize', 'yes'])).toEqual(['redis-server', '--daemonize', 'no']);
    expect(daemonizes(row('redis-server'), ['redis-server', '/etc/redis/redis.conf'])).toBe('config');
    expect(fg('redis-server', ['redis-server', '/etc/redis/redis.conf'])).toEqual([
      'redis-server',
      '/etc/redis/redis.conf',
      '--daemonize',
      'no',
    ]);
    expect(daemonizes(row('redis-server'), ['redis-server', '--port', '7777'])).toBe(false);
  });

  it('memcached, supervisord, sshd, cron, php-fpm8.2, apache2, haproxy', () => {
    expect(fg('memcached', ['memcached', '-d', '-p', '11211', '-u', 'memcache'])).toEqual([
      'memcached',
      '-p',
      '11211',
      '-u',
      'memcache',
    ]);
    expect(fg('supervisord', ['supervisord', '-c', 'x.conf'])).toEqual(['supervisord', '-n', '-c', 'x.conf']);
    expect(fg('supervisord', ['/usr/bin/python3', '/usr/bin/supervisord', '-c', 'x.conf'])).toEqual([
      '/usr/bin/python3',
      '/usr/bin/supervisord',
      '-n',
      '-c',
      'x.conf',
    ]);
    expect(fg('sshd', ['/usr/sbin/sshd'])).toEqual(['/usr/sbin/sshd', '-D']);
    expect(fg('sshd', ['/usr/sbin/sshd', '-D'])).toEqual(['/usr/sbin/sshd', '-D']);
    expect(fg('cron', ['/usr/sbin/cron'])).toEqual(['/usr/sbin/cron', '-f']);
    const php = lookupProgram('php-fpm8.2', ['/usr/sbin/php-fpm8.2', '--daemonize'])!;
    expect(php.id).toBe('php-fpm');
    expect(foregroundArgv(php, ['php-fpm8.2'])).toEqual(['php-fpm8.2', '-F']);
    expect(foregroundArgv(php, ['/usr/sbin/php-fpm8.2', '--daemonize'])).toEqual(['/usr/sbin/php-fpm8.2', '-F']);
    expect(daemonizes(php, ['php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)', ''])).toBeNull();
    expect(fg('apache2', ['apache2', '-k', 'start'])).toEqual(['apache2', '-DFOREGROUND', '-k', 'start']);
    expect(daemonizes(row('apache2'), ['apache2', '-D', 'FOREGROUND', '-k', 'start'])).toBe(false);
    expect(fg('haproxy', ['haproxy', '-D', '-f', 'x.cfg'])).toEqual(['haproxy', '-db', '-f', 'x.cfg']);
    expect(daemonizes(row('haproxy'), ['haproxy', '-db', '-D', '-f', 'x.cfg'])).toBe(true);
    expect(daemonizes(row('haproxy'), ['haproxy', '-f', 'x.cfg'])).toBe('config');
  });

  it('screen, tmux, exim, openvpn, vsftpd, postgres', () => {
    expect(fg('screen', ['screen', '-dmS', 'work', 'sh', '-c', 'sleep 9'])).toEqual([
      'screen',
      '-DmS',
      'work',
      'sh',
      '-c',
      'sleep 9',
    ]);
    expect(daemonizes(row('screen'), ['SCREEN', '-S', 'x', '-d', '-m', 'top'])).toBe(true);
    expect(fg('tmux', ['tmux', 'new', '-d'])).toBeNull();
    expect(fg('exim4', ['/usr/sbin/exim4', '-bd', '-q30m'])).toEqual(['/usr/sbin/exim4', '-bdf', '-q30m']);
    expect(fg('openvpn', ['openvpn', '--daemon', 'ovpn-x', '--config', 'x.conf'])).toEqual([
      'openvpn',
      '--config',
      'x.conf',
    ]);
    expect(fg('vsftpd', ['vsftpd', '/etc/vsftpd.conf'])).toEqual(['vsftpd', '/etc/vsftpd.conf', '-obackground=NO']);
    expect(daemonizes(row('postgres'), ['postgres: 15/main: checkpointer'])).toBe(false);
  });
});

describe('lookupProgram', () => {
  it('by comm, cut to 15 characters by the kernel', () => {
    expect(lookupProgram('prometheus-node', null)?.id).toBe('node_exporter');
    expect(lookupProgram('prometheus-nod', null)).toBeNull();
    expect(lookupProgram('tmux: server', ['tmux', 'new', '-d'])?.id).toBe('tmux');
    expect(lookupProgram('PM2 v5.3.0: God', ['PM2 v5.3.0: God Daemon (/root/.pm2)'])?.id).toBe('pm2');
  });

  it('by argv[0], with a path, a leading "-" or a process title', () => {
    expect(lookupProgram('', ['/usr/sbin/nginx', '-g', 'daemon off;'])?.id).toBe('nginx');
    expect(lookupProgram('', ['-/usr/bin/screen'])?.id).toBe('screen');
    expect(lookupProgram('', ['SCREEN', '-dmS', 'x'])?.id).toBe('screen');
    expect(lookupProgram('php-fpm8.2', ['php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)'])?.id).toBe(
      'php-fpm',
    );
    expect(lookupProgram('', ['nginx: worker process'])?.id).toBe('nginx');
  });

  it('by interpreter and script, by executable, and not by a generic name alone', () => {
    expect(lookupProgram('python3', ['/usr/bin/python3', '/usr/bin/supervisord', '-c', 'x.conf'])?.id).toBe(
      'supervisord',
    );
    expect(lookupProgram('node', ['node', '/usr/lib/node_modules/pm2/bin/pm2', 'start', 'app.js'])?.id).toBe('pm2');
    expect(lookupProgram('python3', ['python3', '-m', 'gunicorn', 'app:app'])?.id).toBe('gunicorn');
    expect(lookupProgram('python3', ['python3', '-u', '/srv/app.py'])).toBeNull();
    expect(lookupProgram('x', null, '/usr/sbin/mariadbd (deleted)')?.id).toBe('mysqld');
    expect(lookupProgram('master', ['/usr/lib/postfix/sbin/master', '-w'])?.id).toBe('postfix-master');
    expect(lookupProgram('master', ['master'])).toBeNull();
  });
});

describe('what kind of program a name is: one list per kind, fed by the table', () => {
  it('supervisors and inits of the table are supervisors; multiplexer rows are multiplexers', async () => {
    const { isSupervisor, isMultiplexer, isForwardingInit } = await import('../../src/classify.js');
    for (const p of PROGRAMS.filter((r) => r.role === 'supervisor' || r.role === 'init'))
      expect(isSupervisor(p.names[0]!, [p.names[0]!]), p.id).toBe(true);
    for (const p of PROGRAMS.filter((r) => r.role === 'multiplexer'))
      expect(isMultiplexer(p.names[0]!, [p.names[0]!]), p.id).toBe(true);
    expect(['tini', 'docker-init', 'dumb-init', 'catatonit'].map((n) => isForwardingInit(n, [n]))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(isForwardingInit('runsv', ['runsv'])).toBe(false);
  });

  it('the restarting supervisors are runsv, s6-supervise, supervise, supervisord, pm2 and forever', () => {
    expect(
      PROGRAMS.filter((p) => p.restarts)
        .map((p) => p.id)
        .sort(),
    ).toEqual(['forever', 'pm2', 'pm2-runtime', 'runsv', 's6-supervise', 'supervise', 'supervisord']);
  });

  it('the masters that respawn their workers are nginx, php-fpm, gunicorn and uwsgi (with --master)', async () => {
    const { isSupervisor } = await import('../../src/classify.js');
    expect(
      PROGRAMS.filter((p) => p.respawnsWorkers)
        .map((p) => p.id)
        .sort(),
    ).toEqual(['gunicorn', 'nginx', 'php-fpm', 'uwsgi']);
    const uwsgi = programById('uwsgi')!;
    expect(respawnsWorkersOf(uwsgi, ['uwsgi', '--master', '--http', ':8080'])).toBe(uwsgi.respawnsWorkers);
    expect(respawnsWorkersOf(uwsgi, ['uwsgi', '-M', '--http', ':8080'])).toBe(uwsgi.respawnsWorkers);
    expect(respawnsWorkersOf(uwsgi, ['uwsgi', '--http', ':8080', '--processes', '4'])).toBeNull();
    const nginx = programById('nginx')!;
    expect(respawnsWorkersOf(nginx, ['nginx: master process nginx -c /tmp/n.conf'])).toBe(nginx.respawnsWorkers);
    expect(lookupProgram('node', ['node', '/usr/lib/node_modules/forever/bin/monitor', 'app.js'])?.id).toBe('forever');
    expect(lookupProgram('node', ['node', '/srv/app/monitor', 'app.js'])).toBeNull();
    expect(isSupervisor('monitor', ['monitor'])).toBe(false);
  });
});
