/**
 * crash, for the worker of a master that respawns its workers (docs/fate.md,
 * "Crash"): a real nginx (its own configuration in a temp dir, master_process
 * on, 2 workers) and a real gunicorn (2 workers of a WSGI app in a temp dir).
 * The audit of a worker says a new worker replaces it, naming its master;
 * then `kill -9` of that worker, and the master starts a new one: the test
 * waits until the master has 2 workers again, one of them new. The master
 * keeps its own prediction. Every process is killed by pid at the end.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { alive, childrenOf, cmdlineOf, freePort, tempDir, trackProcesses, waitFor, which } from '../helpers/procs.js';
import type { Fate } from '../../src/core/types.js';

const tracker = trackProcesses();

async function fateOf(pid: number): Promise<Fate> {
  const r = await runCli([String(pid), '--json'], { timeoutMs: 60_000 });
  expect(r.stdout, r.stderr).not.toBe('');
  return (JSON.parse(r.stdout) as { fate: Fate }).fate;
}

/** The master's live children that are workers (isWorker on their argv), each tracked for the cleanup. */
function workersOf(master: number, isWorker: (argv: string[]) => boolean): number[] {
  const out = childrenOf(master).filter((p) => isWorker(cmdlineOf(p) ?? []));
  for (const p of out) tracker.track(p);
  return out;
}

/**
 * Audits one of the master's 2 workers and the master, kills the worker with
 * SIGKILL, and waits for the master to have 2 workers again, one of them new.
 */
async function killOneWorker(master: number, label: string, isWorker: (argv: string[]) => boolean): Promise<void> {
  const before = await waitFor(
    `${label}'s 2 workers`,
    () => {
      const w = workersOf(master, isWorker);
      return w.length === 2 ? w : null;
    },
    30_000,
  );
  const victim = before[0]!;
  const crash = (await fateOf(victim)).crash;
  expect(crash).toMatchObject({ outcome: 'lives', by: `${label} (${master})` });
  expect(crash.why).toMatch(new RegExp(`^It is a worker of ${label} \\(${master}\\), and a new worker replaces it: `));
  const own = (await fateOf(master)).crash;
  expect(own.why, "the master's own prediction").not.toContain('worker of');

  process.kill(victim, 'SIGKILL');
  const after = await waitFor(
    `${label} to start a new worker in place of ${victim}`,
    () => {
      const w = workersOf(master, isWorker);
      return w.length === 2 && !w.includes(victim) ? w : null;
    },
    30_000,
  );
  expect(after).toContain(before[1]);
  expect(after.filter((p) => !before.includes(p))).toHaveLength(1);
  expect(alive(master)).toBe(true);
}

describe('crash: a worker of a master that respawns its workers', () => {
  it('nginx: its master replaces a worker killed with SIGKILL, as the audit of the worker says', async () => {
    const bin = which('nginx');
    if (!bin) throw new Error('nginx is not installed: apt-get install nginx');
    const dir = tempDir('dc-workers-nginx-');
    const port = await freePort();
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`);
    const conf = [
      'daemon off;',
      'master_process on;',
      'worker_processes 2;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log;`,
      'events {}',
      `http { access_log off; ${temp.join(' ')} server { listen 127.0.0.1:${port}; return 204; } }`,
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), `${conf}\n`);
    const child = spawn(bin, ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { stdio: 'ignore' });
    const master = tracker.track(child.pid!);
    await killOneWorker(master, 'nginx', (argv) => argv[0] === 'nginx: worker process');
  }, 120_000);

  it('gunicorn: its arbiter replaces a worker killed with SIGKILL, as the audit of the worker says', async () => {
    const bin = which('gunicorn');
    if (!bin) throw new Error('gunicorn is not installed: apt-get install gunicorn');
    const dir = tempDir('dc-workers-gunicorn-');
    fs.writeFileSync(
      path.join(dir, 'app.py'),
      "def app(environ, start_response):\n    start_response('204 No Content', [])\n    return [b'']\n",
    );
    const port = await freePort();
    const argv = [bin, '-w', '2', '-b', `127.0.0.1:${port}`, '--chdir', dir, 'app:app'];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    const master = tracker.track(child.pid!);
    // A worker runs the arbiter's own command line.
    await killOneWorker(master, 'gunicorn', (a) => a.includes(`127.0.0.1:${port}`));
  }, 120_000);
});
