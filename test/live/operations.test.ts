/** Operator features on live processes: --name, --wait, capture and replay. */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { alive, pidInFile, PYDAEMON, tempDir, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';
import type { Report } from '../../src/audit-types.js';

const tracker = trackProcesses({ eachTest: true });

function comparable(r: Report) {
  const { auditedAt: _a, procRoot: _p, ...rest } = r;
  return rest;
}

describe('--name', () => {
  it('audits each of two processes with that name, one report each', async () => {
    const dir = tempDir();
    const prog = path.join(dir, 'twinprog');
    fs.copyFileSync('/bin/sleep', prog);
    fs.chmodSync(prog, 0o755);
    const a = spawn(prog, ['300'], { stdio: 'ignore' });
    const b = spawn(prog, ['301'], { stdio: 'ignore' });
    tracker.track(a.pid!);
    tracker.track(b.pid!);
    await waitFor('both', () => alive(a.pid!) && alive(b.pid!));
    const r = await runCli(['--name', 'twinprog', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { schemaVersion: number; reports: Report[] };
    expect(out.schemaVersion).toBe(1);
    expect(out.reports.map((x) => x.pid).sort()).toEqual([a.pid, b.pid].sort());
    expect(out.reports.every((x) => x.comm === 'twinprog')).toBe(true);
  });
});

describe('--wait', () => {
  it('waits for a pidfile that appears after a second, then audits its daemon', async () => {
    const dir = tempDir();
    const pidfile = path.join(dir, 'late.pid');
    // Start the daemon a second from now; daemon-check is already waiting.
    const launcher = spawn('sh', ['-c', `sleep 1; exec python3 ${PYDAEMON} --pidfile ${pidfile} --sleep 120`], {
      stdio: 'ignore',
    });
    tracker.track(launcher.pid!);
    const started = Date.now();
    const r = await runCli(['--pidfile', pidfile, '--wait', '10', '--json']);
    const took = Date.now() - started;
    const pid = Number(fs.readFileSync(pidfile, 'utf8'));
    tracker.track(pid);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(took).toBeGreaterThanOrEqual(900);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.pid).toBe(pid);
    expect(rep.verdict).toBe('daemon');
  });

  it('gives up with exit 3 when the pidfile never appears', async () => {
    const dir = tempDir();
    const started = Date.now();
    const r = await runCli(['--pidfile', path.join(dir, 'never.pid'), '--wait', '1']);
    expect(r.code).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/did not appear and settle within 1 s/);
  });
});

describe('capture', () => {
  it('captures, the process dies, and the replay gives the same verdict and rows; no symlinks', async () => {
    const dir = tempDir();
    const pidfile = path.join(dir, 'd.pid');
    const secs = uniqueSeconds();
    execFileSync('python3', [PYDAEMON, '--pidfile', pidfile, '--zombie', '--sleep', String(secs)]);
    const pid = tracker.track(await waitFor('the daemon', () => pidInFile(pidfile)));
    await waitFor('its zombie child', () => fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() !== '');
    const live = JSON.parse((await runCli([String(pid), '--pidfile', pidfile, '--json'])).stdout) as Report;
    const out = path.join(dir, 'cap');
    const cap = await runCli(['capture', String(pid), '--pidfile', pidfile, '--out', out]);
    expect(cap.code).toBe(0);
    expect(cap.stdout).toMatch(new RegExp(`captured pid ${pid}`));
    process.kill(pid, 'SIGKILL');
    await waitFor('the daemon to die', () => !alive(pid));
    const replay = await runCli([String(pid), '--pidfile', pidfile, '--proc-root', out, '--json']);
    const rep = JSON.parse(replay.stdout) as Report;
    expect(comparable(rep)).toEqual(comparable(live));
    expect(rep.verdict).toBe('daemon-with-warnings');
    const links = execFileSync('find', [out, '-type', 'l'], { encoding: 'utf8' });
    expect(links).toBe('');
    const env = fs.readFileSync(path.join(out, 'proc', String(pid), 'environ'), 'utf8');
    expect(env).toMatch(/PATH=<redacted>/);
    expect(env).not.toMatch(/\/usr\/bin/);
  });

  it('refuses to write into a folder that is not empty', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    const r = await runCli(['capture', String(process.pid), '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not empty/);
    expect(fs.readFileSync(path.join(dir, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
