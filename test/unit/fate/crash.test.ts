/**
 * fate.crash: it dies unexpectedly; the outcome is whether a replacement runs
 * afterwards (docs/fate.md, "Crash"). A supervisor that restarts what it
 * runs brings one back, and so does a master that respawns its workers; under systemd the unit's Restart= decides, which
 * /proc does not show.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/snapshot/types.js';
import { cgroupOf, fateOf, hostWith, ProcWorld, signals, typed } from '../../helpers/fate.js';
import type { FateEntry } from '../../../src/core/types.js';

const crash = (snap: Snapshot): FateEntry => fateOf(snap).crash;

const APP = 4242;

/** init, then each [pid, comm, argv] a child of the one before it, then the app (4242) under the last. */
function under(chain: Array<[number, string, string[]]>, partial: Parameters<ProcWorld['snapshot']>[1] = {}): Snapshot {
  const w = new ProcWorld();
  w.add({ pid: 1, comm: 'systemd', ppid: 0, pgrp: 1, session: 1 }, ['/sbin/init']);
  let ppid = 1;
  for (const [pid, comm, argv] of chain) {
    w.add({ pid, comm, ppid }, argv);
    ppid = pid;
  }
  w.add({ pid: APP, comm: 'myapp', ppid, pgrp: APP, session: ppid === 1 ? APP : ppid }, [
    '/usr/bin/myapp',
    '--foreground',
  ]);
  return w.snapshot(APP, partial);
}

const SYSTEMD_HOST = hostWith('[Login]\n');

describe('crash', () => {
  describe('a supervisor that restarts it', () => {
    it('runsv starts the service again whenever it exits, unless it is marked down', () => {
      const f = crash(
        under([
          [400, 'runsvdir', ['runsvdir', '-P', '/etc/service']],
          [410, 'runsv', ['runsv', 'myapp']],
        ]),
      );
      expect(f).toMatchObject({ outcome: 'lives', by: 'runsv (410)' });
      expect(f.why).toBe('Its parent runsv (410) supervises it: runsv starts a service again whenever it exits.');
      expect(f.unless).toContain('marked down');
      expect(f.unless).toContain('`sv down`');
    });

    it('s6-supervise, unless `s6-svc -d`', () => {
      const f = crash(
        under([
          [400, 's6-svscan', ['s6-svscan', '/run/service']],
          [410, 's6-supervise', ['s6-supervise', 'myapp']],
        ]),
      );
      expect(f).toMatchObject({ outcome: 'lives', by: 's6-supervise (410)' });
      expect(f.unless).toContain('s6-svc -d');
    });

    it("daemontools' supervise, unless `svc -d`", () => {
      const f = crash(
        under([
          [400, 'svscan', ['svscan', '/service']],
          [410, 'supervise', ['supervise', 'myapp']],
        ]),
      );
      expect(f).toMatchObject({ outcome: 'lives', by: 'supervise (410)' });
      expect(f.unless).toContain('svc -d');
    });

    it("supervisord (its script's name as comm) restarts a program that exits unexpectedly", () => {
      const f = crash(
        under([
          [
            380,
            'supervisord',
            ['/usr/bin/python3', '/usr/bin/supervisord', '-n', '-c', '/etc/supervisor/supervisord.conf'],
          ],
        ]),
      );
      expect(f).toMatchObject({ outcome: 'lives', by: 'supervisord (380)' });
      expect(f.why).toContain('autorestart=unexpected by default');
      expect(f.unless).toContain('autorestart=false');
    });

    it('supervisord run as `python3 /usr/bin/supervisord` (comm python3) is recognised by its script', () => {
      const f = crash(under([[380, 'python3', ['python3', '/usr/bin/supervisord', '-n']]]));
      expect(f).toMatchObject({ outcome: 'lives', by: 'python3 (380)' });
      expect(f.why).toContain('supervisord restarts a program');
    });

    it("pm2's God Daemon (comm cut to 15 bytes of its title) restarts its apps", () => {
      const f = crash(under([[900, 'PM2 v5.3.0: God', ['PM2 v5.3.0: God Daemon (/root/.pm2)']]]));
      expect(f).toMatchObject({ outcome: 'lives', by: 'PM2 v5.3.0: God (900)' });
      expect(f.why).toContain('pm2 restarts an app that exits');
      expect(f.unless).toContain('--no-autorestart');
    });

    it('a python3 running some other script is no supervisor', () => {
      expect(crash(under([[380, 'python3', ['python3', '/srv/launcher.py']]])).outcome).toBe('dies');
    });
  });

  describe('a master that respawns its workers', () => {
    /** A master (500, under init) and one worker of it (APP), each [comm, argv]. */
    function worker(master: [string, string[]], self: [string, string[]]): Snapshot {
      const w = new ProcWorld();
      w.add({ pid: 1, comm: 'systemd', ppid: 0, pgrp: 1, session: 1 }, ['/sbin/init']);
      w.add({ pid: 500, comm: master[0], ppid: 1, pgrp: 500, session: 500 }, master[1]);
      w.add({ pid: APP, comm: self[0], ppid: 500, pgrp: 500, session: 500 }, self[1]);
      return w.snapshot(APP);
    }

    it("nginx's worker is replaced by its master (titles as /proc shows them)", () => {
      const f = crash(
        worker(['nginx', ['nginx: master process nginx -c /tmp/n/nginx.conf']], ['nginx', ['nginx: worker process']]),
      );
      expect(f).toMatchObject({ outcome: 'lives', by: 'nginx (500)' });
      expect(f.why).toBe(
        'It is a worker of nginx (500), and a new worker replaces it: its master process starts a new worker process when one exits (it reaps the dead worker on SIGCHLD and forks another).',
      );
      expect(f.unless).toContain('nginx -s quit');
    });

    it("gunicorn's worker (the same argv as its arbiter) is replaced by the arbiter", () => {
      const argv = ['/usr/bin/python3', '/usr/bin/gunicorn', '-w', '2', 'app:app'];
      const f = crash(worker(['gunicorn', argv], ['gunicorn', argv]));
      expect(f).toMatchObject({ outcome: 'lives', by: 'gunicorn (500)' });
      expect(f.why).toContain('its arbiter (the master process) starts a new worker');
    });

    it("php-fpm's pool worker, unless the pool is ondemand", () => {
      const f = crash(
        worker(
          ['php-fpm8.2', ['php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)']],
          ['php-fpm8.2', ['php-fpm: pool www']],
        ),
      );
      expect(f).toMatchObject({ outcome: 'lives', by: 'php-fpm8.2 (500)' });
      expect(f.unless).toContain('pm = ondemand');
    });

    it('uwsgi only with --master', () => {
      const argv = ['uwsgi', '--master', '--http', ':8080', '--processes', '2'];
      expect(crash(worker(['uwsgi', argv], ['uwsgi', argv])).outcome).toBe('lives');
      const bare = ['uwsgi', '--http', ':8080', '--processes', '2'];
      expect(crash(worker(['uwsgi', bare], ['uwsgi', bare])).outcome).toBe('dies');
    });

    it('another program under a master is not its worker', () => {
      const f = crash(worker(['nginx', ['nginx: master process nginx']], ['sleep', ['sleep', '100']]));
      expect(f.outcome).toBe('dies');
    });

    it('the master itself keeps its own prediction', () => {
      const w = new ProcWorld();
      w.add({ pid: 1, comm: 'systemd', ppid: 0, pgrp: 1, session: 1 }, ['/sbin/init']);
      w.add({ pid: APP, comm: 'nginx', ppid: 1, pgrp: APP, session: APP }, ['nginx: master process nginx']);
      expect(crash(w.snapshot(APP))).toEqual({
        outcome: 'dies',
        why: 'Nothing supervises it: when it crashes, nobody starts it again.',
      });
    });

    it("an app under forever's monitor is restarted by it (a supervisor)", () => {
      const f = crash(
        under([[700, 'node', ['/usr/bin/node', '/usr/local/lib/node_modules/forever/bin/monitor', 'app.js']]]),
      );
      expect(f).toMatchObject({ outcome: 'lives', by: 'node (700)' });
      expect(f.why).toContain('forever starts the script again when it exits');
      expect(f.unless).toContain('--minUptime');
    });
  });

  describe('container inits never restart it', () => {
    it('under tini, it dies for good (tini exits with it), unless the container has a restart policy', () => {
      const f = crash(under([[9571, 'tini', ['tini', '-s', '--', 'myapp']]]));
      expect(f.outcome).toBe('dies');
      expect(f.by).toBeUndefined();
      expect(f.why).toContain(
        'Its parent tini (9571) is a container init: it exits when its child does and never starts it again',
      );
      expect(f.unless).toContain('docker run --restart');
    });

    it('under docker-init (docker run --init) the same', () => {
      expect(crash(under([[9571, 'docker-init', ['/sbin/docker-init', '--', 'myapp']]])).why).toContain(
        'docker-init (9571) is a container init',
      );
    });

    it('as the init of its pid namespace, the kernel kills the namespace with it', () => {
      const f = crash(
        under([[9621, 'unshare', ['unshare', '--fork', '--pid', 'myapp']]], { status: signals({ nspid: [APP, 1] }) }),
      );
      expect(f.outcome).toBe('dies');
      expect(f.why).toContain('It is the init of its pid namespace');
      expect(f.unless).toContain('docker run --restart');
    });
  });

  describe("under systemd: the unit's Restart= decides", () => {
    it('is unknown for a system service, by systemd, naming the command that tells', () => {
      const f = crash(under([], { cgroup: cgroupOf('0::/system.slice/nginx.service'), host: SYSTEMD_HOST }));
      expect(f).toMatchObject({ outcome: 'unknown', by: 'systemd' });
      expect(f.why).toContain('systemd runs it as nginx.service');
      expect(f.why).toContain('systemctl show -p Restart nginx.service');
    });

    it('reads the v1 name=systemd line too', () => {
      const f = crash(
        under([], {
          cgroup: cgroupOf('4:memory:/system.slice/nginx.service\n1:name=systemd:/system.slice/nginx.service'),
          host: SYSTEMD_HOST,
        }),
      );
      expect(f.outcome).toBe('unknown');
    });

    it('is unknown for a user service under systemd --user', () => {
      const cg = cgroupOf('0::/user.slice/user-1000.slice/user@1000.service/app.slice/myapp.service');
      const f = crash(
        under([[1500, 'systemd', ['/lib/systemd/systemd', '--user']]], { cgroup: cg, host: SYSTEMD_HOST }),
      );
      expect(f).toMatchObject({ outcome: 'unknown', by: 'systemd' });
      expect(f.why).toContain('myapp.service');
    });

    it("the user manager's own unit (user@UID.service) is not a service it is restarted by", () => {
      const f = crash(
        under([], { cgroup: cgroupOf('0::/user.slice/user-1000.slice/user@1000.service'), host: SYSTEMD_HOST }),
      );
      expect(f.outcome).toBe('dies');
    });

    it('a service cgroup on a host where systemd is not pid 1 means nothing', () => {
      const host = hostWith('[Login]\n', { systemdPid1: false });
      expect(crash(under([], { cgroup: cgroupOf('0::/system.slice/nginx.service'), host })).outcome).toBe('dies');
    });

    it('without host facts the service cgroup is not trusted', () => {
      expect(crash(under([], { cgroup: cgroupOf('0::/system.slice/nginx.service'), host: null })).outcome).toBe('dies');
    });
  });

  describe('nothing supervises it', () => {
    it('a shell job: nobody starts it again', () => {
      expect(crash(typed('sleep N &'))).toEqual({
        outcome: 'dies',
        why: 'Nothing supervises it: when it crashes, nobody starts it again.',
      });
    });

    it('a double-forked daemon adopted by init', () => {
      expect(crash(under([])).outcome).toBe('dies');
    });

    it('a supervisor that does not restart (runsvdir itself as the parent)', () => {
      expect(crash(under([[400, 'runsvdir', ['runsvdir', '-P', '/etc/service']]])).outcome).toBe('dies');
    });
  });
});
