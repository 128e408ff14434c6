/**
 * The knowledge table's daemonizing programs started for real (nginx,
 * redis-server, memcached, from Debian's packages): the default form forks
 * away, and foregroundArgv of it stays as the spawned pid. The table's pure
 * rules: test/unit/knowledge.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { daemonizes, foregroundArgv, lookupProgram } from '../../src/knowledge/index.js';
import { redisDaemonizing } from '../helpers/daemons.js';
import {
  allPids,
  alive,
  childrenOf,
  cmdlineOf,
  commandLine,
  freePort,
  killPid,
  pidInFile,
  tempDir,
  tempDirs,
  waitFor,
  which,
} from '../helpers/procs.js';

// ---- live: the daemonizing form forks away, the foreground form stays as the spawned pid ----

const started = new Set<number>();
const read = (p: string): string | null => {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};
const identify = (pid: number) =>
  lookupProgram((read(`/proc/${pid}/comm`) ?? '').trim(), cmdlineOf(pid) ?? [], fs.readlinkSync(`/proc/${pid}/exe`))
    ?.id;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}
/** Whether pid holds a socket listening on the port (by inode, from /proc/net/tcp and /proc/PID/fd). */
function listensOn(pid: number, port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const rows = (read('/proc/net/tcp') ?? '').split('\n').map((l) => l.trim().split(/\s+/));
  const inodes = rows.filter((f) => f[1]?.endsWith(hex) && f[3] === '0A').map((f) => f[9]);
  const fds = fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  });
  return inodes.some((ino) => fds.includes(`socket:[${ino}]`));
}
function exitOf(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once('exit', (code) => r(code)));
}
/** SIGTERM, wait, then SIGKILL whatever of it and its children is left; by pid only. */
async function stop(pid: number): Promise<void> {
  const family = [pid, ...childrenOf(pid)];
  killPid(pid, 'SIGTERM');
  await waitFor(`pid ${pid} to exit`, () => !alive(pid), 5000).catch(() => undefined);
  for (const p of family) if (alive(p)) killPid(p);
  started.delete(pid);
}
/** Processes whose command line names one of this file's temp dirs: a daemon whose pidfile never appeared. */
const strays = () => allPids().filter((pid) => tempDirs().some((dir) => commandLine(pid).includes(dir)));
afterEach(async () => {
  for (const pid of [...started, ...strays()]) if (pid !== process.pid) await stop(pid);
});

interface LiveCase {
  id: string;
  pkg: string;
  make(bin: string, dir: string, port: number): { argv: string[]; pidfile: string };
}
const LIVE: LiveCase[] = [
  {
    id: 'nginx',
    pkg: 'nginx',
    make(bin, dir, port) {
      const t = (n: string) => `${n}_temp_path ${dir}/${n};`;
      fs.writeFileSync(
        `${dir}/nginx.conf`,
        `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nworker_processes 1;\nevents {}\nhttp {\n access_log off;\n ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(t).join('\n ')}\n server { listen 127.0.0.1:${port}; return 204; }\n}\n`,
      );
      return {
        argv: [bin, '-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`],
        pidfile: `${dir}/nginx.pid`,
      };
    },
  },
  {
    id: 'redis-server',
    pkg: 'redis-server',
    make: redisDaemonizing,
  },
  {
    id: 'memcached',
    pkg: 'memcached',
    make(bin, dir, port) {
      const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
      return {
        argv: [bin, '-d', '-p', String(port), '-l', '127.0.0.1', '-U', '0', ...user, '-P', `${dir}/memcached.pid`],
        pidfile: `${dir}/memcached.pid`,
      };
    },
  },
];

describe('live: real daemons started both ways', () => {
  for (const c of LIVE) {
    const bin = which(c.id);
    it(`${c.id}: the default form forks away, foregroundArgv of it stays as the spawned pid`, async () => {
      if (!bin) throw new Error(`${c.id} is not installed: apt-get install ${c.pkg}`);
      const port1 = await freePort();
      const first = c.make(bin, tempDir('dc-knowledge-'), port1);
      const info = lookupProgram(path.basename(bin), first.argv, bin)!;
      expect(info.id).toBe(c.id);
      expect(daemonizes(info, first.argv)).toBe(info.daemonizesByDefault ? 'config' : true);

      const launcher = spawn(first.argv[0]!, first.argv.slice(1), { stdio: 'ignore' });
      expect(await exitOf(launcher)).toBe(0);
      const pid = await waitFor('the pidfile', () => pidInFile(first.pidfile));
      started.add(pid);
      expect(pid).not.toBe(launcher.pid);
      expect(alive(pid)).toBe(true);
      expect(identify(pid)).toBe(c.id);
      if (info.readiness === 'forking') expect(await accepts(port1)).toBe(true);
      await waitFor('the daemon to listen', () => accepts(port1));
      expect(listensOn(pid, port1)).toBe(true);
      await stop(pid);

      const port2 = await freePort();
      const second = c.make(bin, tempDir('dc-knowledge-'), port2);
      const argv = foregroundArgv(info, second.argv)!;
      expect(daemonizes(info, argv)).toBe(false);
      const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
      started.add(child.pid!);
      let exited = false;
      child.once('exit', () => (exited = true));
      await waitFor('the foreground server to listen', async () => {
        if (exited) throw new Error(`${c.id} in the foreground exited with ${child.exitCode}: ${argv.join(' ')}`);
        return accepts(port2);
      });
      expect(exited).toBe(false);
      expect(alive(child.pid!)).toBe(true);
      expect(identify(child.pid!)).toBe(c.id);
      expect(listensOn(child.pid!, port2)).toBe(true);
      const written = pidInFile(second.pidfile);
      if (written !== null) expect(written).toBe(child.pid);
      await stop(child.pid!);
      await exitOf(child);
    });
  }
});
