/**
 * `daemon-check run` with programs that fork themselves away: real Debian
 * daemons started WITHOUT their foreground flag (nginx, redis-server
 * --daemonize yes, memcached -d, supervisord), which run must follow to the
 * real daemon; and test subjects it must refuse (they close every fd, or
 * leave two candidates). Every process a test starts is killed by pid with
 * its whole tree (nginx workers, supervisord's program) in afterEach.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { redisDaemonizing } from '../helpers/daemons.js';
import {
  alive,
  buildNativeHelper,
  freePort,
  killPid,
  realPython,
  tempDir,
  tempDirs,
  uniqueSeconds,
  waitFor,
  which,
} from '../helpers/procs.js';
import type { Report } from '../../src/audit-types.js';

const daemons = new Set<number>();

/** pid -> [ppid, cmdline] for every process. */
function table(): Map<number, [number, string]> {
  const m = new Map<number, [number, string]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      m.set(Number(name), [ppid, fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ')]);
    } catch {
      /* exited meanwhile */
    }
  }
  return m;
}

/** PIDS and all their descendants. */
function trees(pids: Iterable<number>): Set<number> {
  const t = table();
  const out = new Set([...pids].filter((p) => t.has(p)));
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, [ppid]] of t) {
      if (out.has(ppid) && !out.has(pid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return out;
}

/** Processes whose command line mentions TEXT (a temp dir or a unique number): ours. */
function mentioning(text: string): number[] {
  return [...table()].filter(([pid, [, cmd]]) => pid !== process.pid && cmd.includes(text)).map(([pid]) => pid);
}

const markers: string[] = [];

afterEach(async () => {
  const roots = [...daemons, ...tempDirs().flatMap(mentioning), ...markers.flatMap(mentioning)];
  const all = trees(roots);
  for (const pid of all) killPid(pid);
  daemons.clear();
  markers.length = 0;
  await waitFor('our processes to exit', () => [...all].every((p) => !alive(p)), 10_000);
});

buildNativeHelper();

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => (c.destroy(), resolve(true)));
    c.on('error', () => resolve(false));
  });
}

const comm = (pid: number) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

/** The fd of PID open on FILE, and its fdinfo "lock:" line (the OFD lock it holds). */
function lockFd(pid: number, file: string): { fd: number; lock: string | undefined } | undefined {
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target !== file) continue;
    const lock = fs
      .readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('lock:'));
    return { fd: Number(fd), lock };
  }
  return undefined;
}

interface Subject {
  /** What the daemon's comm is. */
  comm: string;
  exe: string | undefined;
  /** argv (without the foreground flag), its own pidfile, and a port it listens on (if any). */
  setup(dir: string, port: number): { argv: string[]; ownPidfile: string; port?: number };
}

const SUBJECTS: Record<string, Subject> = {
  nginx: {
    comm: 'nginx',
    exe: which('nginx'),
    setup(dir, port) {
      const conf = path.join(dir, 'nginx.conf');
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((t) => `  ${t}_temp_path ${dir}/${t};`)
        .join('\n');
      // `daemon on;` is nginx's default: not said here.
      fs.writeFileSync(
        conf,
        `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nworker_processes 2;\nevents { worker_connections 64; }\n` +
          `http {\n  access_log ${dir}/access.log;\n${temp}\n  server { listen 127.0.0.1:${port}; }\n}\n`,
      );
      return {
        argv: [which('nginx')!, '-p', dir, '-e', `${dir}/error.log`, '-c', conf],
        ownPidfile: `${dir}/nginx.pid`,
        port,
      };
    },
  },
  redis: {
    comm: 'redis-server',
    exe: which('redis-server'),
    setup(dir, port) {
      const { argv, pidfile } = redisDaemonizing('redis-server', dir, port);
      return { argv, ownPidfile: pidfile, port };
    },
  },
  memcached: {
    comm: 'memcached',
    exe: which('memcached'),
    setup(dir, port) {
      const argv = [
        'memcached',
        '-d',
        '-p',
        String(port),
        '-l',
        '127.0.0.1',
        '-U',
        '0',
        '-u',
        'root',
        '-P',
        `${dir}/memcached.pid`,
      ];
      return { argv, ownPidfile: `${dir}/memcached.pid`, port };
    },
  },
  supervisord: {
    comm: 'supervisord',
    exe: which('supervisord'),
    setup(dir) {
      const conf = path.join(dir, 'supervisord.conf');
      fs.writeFileSync(
        conf,
        `[unix_http_server]\nfile=${dir}/supervisor.sock\n\n[supervisord]\npidfile=${dir}/supervisord.pid\nlogfile=${dir}/supervisord.log\n` +
          `childlogdir=${dir}\nuser=root\n\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n` +
          `[program:sleeper]\ncommand=sleep ${uniqueSeconds()}\nstartsecs=0\n`,
      );
      return { argv: ['supervisord', '-c', conf], ownPidfile: `${dir}/supervisord.pid` };
    },
  },
};

describe.each(Object.entries(SUBJECTS))('run follows %s when it forks itself away', (name, subject) => {
  it.skipIf(!subject.exe)('reports, locks and audits the real daemon; a second run names it', async () => {
    const dir = tempDir('dc-follow-');
    const pidfile = path.join(dir, 'run.pid');
    const { argv, ownPidfile, port } = subject.setup(dir, await freePort());
    const t0 = Date.now();
    const r = await runCli(['run', '--pidfile', pidfile, '--json', '--', ...argv], { timeoutMs: 30_000 });
    const ms = Date.now() - t0;
    expect(r.stderr, name).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      pid: number;
      followed?: { launcher: number; status: number };
      verdict: string;
      report: Report;
    };
    daemons.add(out.pid);
    console.log(`${name}: followed launcher ${out.followed?.launcher} -> pid ${out.pid} (${out.verdict}) in ${ms} ms`);

    // The program itself exited 0 (and was reaped); the pid we report is alive, and is the daemon.
    expect(out.followed).toEqual({ launcher: expect.any(Number), status: 0 });
    expect(out.followed!.launcher).not.toBe(out.pid);
    expect(alive(out.followed!.launcher)).toBe(false);
    expect(alive(out.pid)).toBe(true);
    expect(comm(out.pid)).toBe(subject.comm);
    expect(out.report.pid).toBe(out.pid);
    // It holds the lock, through the fd it inherited, and the pidfile names it.
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${out.pid}\n`);
    expect(lockFd(out.pid, pidfile)?.lock).toMatch(/OFDLCK\s+ADVISORY\s+WRITE/);
    // The daemon agrees: its own pidfile names the same process.
    await waitFor(
      `${name}'s own pidfile`,
      () => fs.existsSync(ownPidfile) && /^\d+\n?$/.test(fs.readFileSync(ownPidfile, 'utf8')),
    );
    expect(Number(fs.readFileSync(ownPidfile, 'utf8'))).toBe(out.pid);
    if (port !== undefined) await waitFor(`${name} to accept connections`, () => connects(port));

    // An independent audit through the pidfile: not stale, single instance held.
    const audit = await runCli(['--pidfile', pidfile, '--json']);
    expect(audit.stderr).not.toMatch(/stale/);
    const report = JSON.parse(audit.stdout) as Report;
    expect(report.pid).toBe(out.pid);
    expect(report.checks.find((c) => c.id === 'single-instance')?.status).toBe('pass');

    // A second start finds it running, by its live pid.
    const again = await runCli(['run', '--pidfile', pidfile, '--', ...argv]);
    expect(again.code).toBe(3);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(new RegExp(`^daemon-check: already running as pid ${out.pid}\\b`));
    expect(alive(out.pid)).toBe(true);
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${out.pid}\n`);
  });
});

// A daemon that forks away the way many do (fork, parent exits 0, setsid)
// and then closes every fd it has: it drops the pidfile lock it inherited.
const CLOSER = `
import os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
os.closerange(3, 65536)
time.sleep(float(sys.argv[1]))
`;

const PYTHON = realPython();

function closer(dir: string, name: string): string {
  const script = path.join(dir, 'closer.py');
  fs.writeFileSync(script, CLOSER);
  const exe = path.join(dir, name);
  // Ignores the arguments a real lighttpd would take; the sleep is unique, to find it.
  const secs = uniqueSeconds();
  markers.push(String(secs));
  fs.writeFileSync(exe, `#!/bin/sh\nexec ${PYTHON} ${script} ${secs}\n`, { mode: 0o755 });
  return exe;
}

/** Expect a one-line refusal on stderr that stopped something; returns the pids it names as stopped. */
function refusal(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): number[] {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  const m = /stopped pids? ([\d ]+) with SIGTERM/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return m![1]!.trim().split(' ').map(Number);
}

describe('run refuses what it cannot follow', () => {
  it.skipIf(!PYTHON)(
    'a program that forks away and closes every fd: exit 1, one line, nothing left, no pidfile',
    async () => {
      const dir = tempDir('dc-follow-');
      const pidfile = path.join(dir, 'run.pid');
      const exe = closer(dir, 'my-closer');
      const r = await runCli(['run', '--pidfile', pidfile, '--', exe]);
      const stopped = refusal(
        r,
        /^daemon-check: my-closer forks itself away and cannot be followed: run it in the foreground .*no process it left holds the pidfile/,
      );
      expect(stopped).toHaveLength(1);
      await waitFor('the stopped daemon to be gone', () => stopped.every((p) => !alive(p)));
      expect(mentioning(markers[0]!)).toEqual([]);
      expect(fs.existsSync(pidfile), 'a failed start removes the pidfile it created').toBe(false);
      // Nothing holds the lock: a new start takes the pidfile at once.
      const next = await runCli([
        'run',
        '--pidfile',
        pidfile,
        '--json',
        '--no-verify',
        '--',
        'sleep',
        String(uniqueSeconds()),
      ]);
      expect(next.code).toBe(0);
      daemons.add(JSON.parse(next.stdout).pid);
    },
  );

  it.skipIf(!PYTHON)('names the foreground flag of a program the knowledge table knows (lighttpd -D)', async () => {
    const dir = tempDir('dc-follow-');
    const pidfile = path.join(dir, 'run.pid');
    const exe = closer(dir, 'lighttpd');
    const r = await runCli(['run', '--pidfile', pidfile, '--', exe, '-f', '/etc/lighttpd/lighttpd.conf']);
    const stopped = refusal(
      r,
      /^daemon-check: lighttpd daemonizes itself: run `daemon-check run --pidfile \S+ -- \S+\/lighttpd -D -f \/etc\/lighttpd\/lighttpd\.conf` instead \(/,
    );
    expect(r.stderr).toContain(`--pidfile ${pidfile} -- ${exe} -D`);
    await waitFor('the stopped daemon to be gone', () => stopped.every((p) => !alive(p)));
    expect(fs.existsSync(pidfile), 'a failed start removes the pidfile it created').toBe(false);
  });

  it('two long-lived processes left behind, each in its own session: cannot tell which is the daemon', async () => {
    const dir = tempDir('dc-follow-');
    const pidfile = path.join(dir, 'run.pid');
    const secs = uniqueSeconds();
    markers.push(String(secs));
    const r = await runCli([
      'run',
      '--pidfile',
      pidfile,
      '--',
      'sh',
      '-c',
      `setsid sleep ${secs} & setsid sleep ${secs} & exit 0`,
    ]);
    const stopped = refusal(
      r,
      /^daemon-check: sh forks itself away and cannot be followed: .*cannot tell which of the processes it left is the daemon/,
    );
    expect(stopped).toHaveLength(2);
    await waitFor('both to be gone', () => mentioning(String(secs)).length === 0);
    expect(fs.existsSync(pidfile), 'a failed start removes the pidfile it created').toBe(false);
  });

  it('a program that exits non-zero at once: its status, and what it left is stopped', async () => {
    const dir = tempDir('dc-follow-');
    const pidfile = path.join(dir, 'run.pid');
    const secs = uniqueSeconds();
    markers.push(String(secs));
    const r = await runCli(['run', '--pidfile', pidfile, '--', 'sh', '-c', `sleep ${secs} & exit 4`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^daemon-check: sh \(pid \d+\) exited with status 4 (?:at once|after \d+\.\d s); stopped pid \d+ with SIGTERM \(its stderr went to \/dev\/null/,
    );
    await waitFor('the leftover to be gone', () => mentioning(String(secs)).length === 0);
    expect(fs.existsSync(pidfile), 'a failed start removes the pidfile it created').toBe(false);
  });
});

describe('run with programs that do not fork away, or fork away simply', () => {
  it('a program that keeps running is not followed, and is known to keep running only after --settle', async () => {
    const secs = uniqueSeconds();
    const t0 = Date.now();
    const r = await runCli(['run', '--settle', '0.8', '--json', '--no-verify', '--', 'sleep', String(secs)]);
    const ms = Date.now() - t0;
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { pid: number; followed?: unknown };
    daemons.add(out.pid);
    expect(out.followed).toBeUndefined();
    expect(comm(out.pid)).toBe('sleep');
    expect(ms).toBeGreaterThanOrEqual(800); // the price of knowing it did not fork away
  });

  it('follows a shell that backgrounds its daemon and exits, with the text output saying so', async () => {
    const dir = tempDir('dc-follow-');
    const pidfile = path.join(dir, 'run.pid');
    const secs = uniqueSeconds();
    markers.push(String(secs));
    const t0 = Date.now();
    const r = await runCli(['run', '--pidfile', pidfile, '--', 'sh', '-c', `sleep ${secs} & exit 0`]);
    const ms = Date.now() - t0;
    const m = /^sh forked itself away: following pid (\d+)\nstarted sh -c .* as pid (\d+) \(pidfile .*\)\naudit: /.exec(
      r.stdout,
    );
    expect(m, r.stdout + r.stderr).not.toBeNull();
    const pid = Number(m![1]);
    daemons.add(pid);
    expect(Number(m![2])).toBe(pid);
    expect(r.code).toBe(0);
    expect(comm(pid)).toBe('sleep');
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${pid}\n`);
    console.log(`sh -c 'sleep & exit 0': followed in ${ms} ms (CLI, audit included)`);
  });

  it.skipIf(!PYTHON)('follows a double fork to the grandchild, without a pidfile', async () => {
    const dir = tempDir('dc-follow-');
    const script = path.join(dir, 'double.py');
    const secs = uniqueSeconds();
    markers.push(String(secs));
    // The middle process lingers 100 ms before exiting: the follow waits for things to settle.
    fs.writeFileSync(
      script,
      `import os, sys, time\nif os.fork(): os._exit(0)\nos.setsid()\nif os.fork():\n    time.sleep(0.1)\n    os._exit(0)\ntime.sleep(float(sys.argv[1]))\n`,
    );
    const r = await runCli(['run', '--json', '--', PYTHON!, script, String(secs)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { pid: number; followed: { launcher: number }; verdict: string };
    daemons.add(out.pid);
    expect(mentioning(String(secs))).toEqual([out.pid]);
    expect(out.verdict).toBe('daemon'); // a real double fork: not a session leader
  });

  it('--settle 0 follows nothing: a program that exits at once is reported by the audit', async () => {
    const r = await runCli(['run', '--settle', '0', '--', 'sh', '-c', 'exit 0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /started as pid \d+ but exited (?:at once|after \d+\.\d s); if it daemonizes itself later than --settle allows/,
    );
  });
});
