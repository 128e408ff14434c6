// Tests of the TypeScript API (daemonize(), helperPath(), helperAvailable())
// against the real helper and real processes. Every daemon started here is
// killed by pid in afterEach.
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DaemonizeError,
  daemonize,
  helperAvailable,
  helperPath,
  type DaemonizeOptions,
} from '../../../src/daemonize/helper.js';
import { goneAs, tempDir, trackProcesses, buildNativeHelper } from '../../helpers/procs.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tracker = trackProcesses({ eachTest: true });

async function start(options: DaemonizeOptions) {
  const r = await daemonize(options);
  tracker.track(r.pid);
  return r;
}

/** Expect daemonize() to reject with a DaemonizeError and return it. */
async function failure(options: DaemonizeOptions): Promise<DaemonizeError> {
  try {
    const r = await daemonize(options);
    tracker.track(r.pid);
  } catch (err) {
    expect(err).toBeInstanceOf(DaemonizeError);
    return err as DaemonizeError;
  }
  throw new Error('daemonize() unexpectedly succeeded');
}

buildNativeHelper();

describe('helperPath / helperAvailable', () => {
  it('points at native/build/daemon-check-helper in the package root', () => {
    const p = helperPath();
    expect(isAbsolute(p)).toBe(true);
    expect(p).toBe(join(root, 'native', 'build', 'daemon-check-helper'));
  });

  it('reports the built helper as available', () => {
    expect(helperAvailable()).toEqual({ ok: true, path: helperPath() });
  });
});

describe('daemonize()', () => {
  it('starts a daemon and returns its pid, pidfile and command', async () => {
    const d = tempDir('dc-daemonize-');
    const pidfile = join(d, 'api.pid');
    const r = await start({ command: ['sleep', '100'], pidfile, umask: 0o022 });
    expect(r).toEqual({ pid: r.pid, pidfile, command: ['sleep', '100'] });
    expect(readFileSync(pidfile, 'utf8')).toBe(`${r.pid}\n`);
    expect(readFileSync(`/proc/${r.pid}/status`, 'utf8')).toMatch(/^Umask:\t0022$/m);
  });

  it('returns pidfile null without one and passes env/clearEnv', async () => {
    const r = await start({ command: ['sleep', '100'], env: { A: '1', B: 'x=y' }, clearEnv: true });
    expect(r.pidfile).toBeNull();
    const env = readFileSync(`/proc/${r.pid}/environ`, 'utf8').split('\0').filter(Boolean).sort();
    expect(env).toEqual(['A=1', 'B=x=y', `PATH=${process.env.PATH ?? ''}`]);
  });

  it('passes arguments verbatim (no shell)', async () => {
    const d = tempDir('dc-daemonize-');
    const out = join(d, 'out');
    const r = await start({
      command: ['sh', '-c', 'printf "%s|" "$@"; exec sleep 100', 'sh', '$HOME', 'a b', '"q"', ';ls'],
      stdout: out,
    });
    const end = Date.now() + 5000;
    while (readFileSync(out, 'utf8') === '' && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    expect(readFileSync(out, 'utf8')).toBe('$HOME|a b|"q"|;ls|');
    expect(r.command.slice(3)).toEqual(['sh', '$HOME', 'a b', '"q"', ';ls']);
  });

  it('rejects with ALREADY_RUNNING (exit 3) and the running pid', async () => {
    const d = tempDir('dc-daemonize-');
    const pidfile = join(d, 'api.pid');
    const first = await start({ command: ['sleep', '100'], pidfile });
    const err = await failure({ command: ['sleep', '100'], pidfile });
    expect(err.code).toBe('ALREADY_RUNNING');
    expect(err.exitCode).toBe(3);
    expect(err.runningPid).toBe(first.pid);
    expect(err.message).toBe(`already running as pid ${first.pid} (pidfile ${pidfile} is locked)`);
  });

  it('rejects with EXEC_NOT_FOUND (127) and EXEC_FAILED (126)', async () => {
    const nf = await failure({ command: ['no-such-program-dc-api'] });
    expect(nf.code).toBe('EXEC_NOT_FOUND');
    expect(nf.exitCode).toBe(127);
    expect(nf.message).toMatch(/^cannot execute no-such-program-dc-api: No such file or directory/);
    expect(nf.runningPid).toBeUndefined();

    const d = tempDir('dc-daemonize-');
    const file = join(d, 'data');
    writeFileSync(file, 'not a program\n', { mode: 0o644 });
    const ne = await failure({ command: [file] });
    expect(ne.code).toBe('EXEC_FAILED');
    expect(ne.exitCode).toBe(126);
    expect(ne.message).toBe(`cannot execute ${file}: Permission denied`);
  });

  it('rejects with START_FAILED (1) for other failures', async () => {
    const d = tempDir('dc-daemonize-');
    const err = await failure({ command: ['sleep', '100'], chdir: join(d, 'missing') });
    expect(err.code).toBe('START_FAILED');
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/^cannot chdir to .*missing: No such file or directory$/);

    const early = await failure({ command: ['sh', '-c', 'exit 7'], waitReady: 5 });
    expect(early.code).toBe('START_FAILED');
    expect(early.message).toMatch(/exited with status 7 before it was ready$/);
  });

  it('rejects malformed options with a TypeError', async () => {
    await expect(daemonize({ command: [] })).rejects.toBeInstanceOf(TypeError);
    await expect(daemonize({ command: ['sleep', '1'], umask: 0o1000 })).rejects.toBeInstanceOf(TypeError);
    await expect(daemonize({ command: ['sleep', '1'], umask: 1.5 })).rejects.toBeInstanceOf(TypeError);
    await expect(daemonize({ command: ['sleep', '1'], waitReady: 0 })).rejects.toBeInstanceOf(TypeError);
    await expect(daemonize({ command: ['sleep', '1'], settle: -1 })).rejects.toBeInstanceOf(TypeError);
    await expect(daemonize({ command: ['sleep', '1'], settle: Number.NaN })).rejects.toBeInstanceOf(TypeError);
    await expect(daemonize({ command: ['sleep', '1'], env: { 'A=B': 'c' } })).rejects.toBeInstanceOf(TypeError);
    await expect(daemonize({ command: ['sleep', '1\0'] })).rejects.toBeInstanceOf(TypeError);
  });
});

describe('daemonize() and programs that fork themselves away', () => {
  const unique = () => String(100000 + Math.floor(Math.random() * 800000));

  it('resolves with the process it forked into, and followed: {launcher, status}', async () => {
    const d = tempDir('dc-daemonize-');
    const pidfile = join(d, 'p');
    const r = await start({ command: ['sh', '-c', `sleep ${unique()} & exit 0`], pidfile, settle: 3 });
    expect(r.followed).toEqual({ launcher: expect.any(Number), status: 0 });
    expect(r.followed!.launcher).not.toBe(r.pid);
    expect(readFileSync(`/proc/${r.pid}/comm`, 'utf8')).toBe('sleep\n');
    expect(readFileSync(pidfile, 'utf8')).toBe(`${r.pid}\n`);
  });

  it('leaves followed out for a program that keeps running', async () => {
    const r = await start({ command: ['sleep', unique()], settle: 0.2 });
    expect(r).not.toHaveProperty('followed');
  });

  it('rejects with FORKED_AWAY (exit 1) when it cannot tell which process is the daemon', async () => {
    const secs = unique();
    const err = await failure({ command: ['sh', '-c', `setsid sleep ${secs} & setsid sleep ${secs} & exit 0`] });
    expect(err.code).toBe('FORKED_AWAY');
    expect(err.exitCode).toBe(1);
    expect(err.forkedAway).toEqual({
      launcher: expect.any(Number),
      reason: expect.stringMatching(
        /^cannot tell which of the processes it left is the daemon; stopped pids \d+ \d+ with SIGTERM$/,
      ),
    });
    const pids = err.forkedAway!.reason.match(/\d+/g)!.map(Number);
    for (const pid of pids) expect(goneAs(pid, secs)).toBe(true);
  });
});
