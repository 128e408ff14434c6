/**
 * Every captured scenario in fixtures/ replays to the report the live process
 * gave when it was captured (fixtures/make-fixtures.sh), and the key rows are
 * asserted by hand so a wrong expected.json cannot hide a wrong check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditProcess } from '../src/audit.js';
import { openProcSource } from '../src/proc/source.js';
import { CaptureHost, readCaptureMeta } from '../src/host/reader.js';
import { DaemonCheckError } from '../src/errors.js';
import type { Report, Status } from '../src/types.js';
import { runCli } from './helpers/cli.js';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

function replay(name: string, pidfile?: string): Report {
  const dir = path.join(FIXTURES, name);
  const source = openProcSource(dir);
  const meta = readCaptureMeta(source.root)!;
  return auditProcess(source, meta.pid!, pidfile ? { pidfile } : {}, { host: new CaptureHost(meta) });
}

function expected(name: string): Report {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')) as Report;
}

function comparable(r: Report): unknown {
  const { auditedAt: _a, procRoot: _p, ...rest } = r;
  return rest;
}

function statusOf(r: Report, id: string): Status {
  return r.checks.find((c) => c.id === id)!.status;
}

const scenarios = fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(path.join(FIXTURES, d, 'expected.json')));

describe('fixture replays', () => {
  it('has the scenarios issue 2 asks for', () => {
    expect(scenarios.sort()).toEqual(
      ['double-fork-pidfile', 'nohup-job', 'setsid-single-fork', 'shell-job', 'supervised-tini', 'unreadable-fds', 'zombie-child'].sort(),
    );
  });

  it.each(scenarios)('%s replays to the report captured live', (name) => {
    const exp = expected(name);
    const got = replay(name, exp.pidfile ?? undefined);
    expect(comparable(got)).toEqual(comparable(exp));
  });

  it('holds no symlinks (plain files survive git, tar and Windows)', () => {
    const walk = (d: string): string[] =>
      fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(d, e.name);
        if (e.isSymbolicLink()) return [p];
        return e.isDirectory() ? walk(p) : [];
      });
    expect(walk(FIXTURES)).toEqual([]);
  });
});

describe('what each scenario must show', () => {
  it('nohup job on a pty: not a daemon, tied to /dev/pts/N through its shell', () => {
    const r = replay('nohup-job');
    expect(r.verdict).toBe('not-a-daemon');
    expect(r.startedAs.kind).toBe('nohup-job');
    expect(r.startedAs.detail).toMatch(/SIGHUP ignored/);
    expect(r.facts.tty).toMatch(/^\/dev\/pts\/\d+$/);
    expect(r.facts.signals!.ignored).toContain('SIGHUP');
    expect(statusOf(r, 'no-controlling-tty')).toBe('fail');
    expect(statusOf(r, 'own-session')).toBe('fail');
    expect(statusOf(r, 'detached-parent')).toBe('fail');
    expect(r.facts.parent!.comm).toBe('bash');
    expect(r.facts.sessionLeader!.comm).toBe('bash');
    expect(r.facts.fds!.find((f) => f.fd === 1)!.target).toMatch(/nohup\.out$/);
  });

  it('plain & job: a shell job in the background of its terminal', () => {
    const r = replay('shell-job');
    expect(r.verdict).toBe('not-a-daemon');
    expect(r.startedAs.kind).toBe('shell-job');
    expect(r.facts.signals!.ignored).not.toContain('SIGHUP');
    expect(r.facts.pgid).not.toBe(r.facts.tpgid);
    expect(statusOf(r, 'stdio-detached')).toBe('fail'); // stdout is still the pty
    expect(r.checks.find((c) => c.id === 'stdio-detached')!.detail).toMatch(/terminal \/dev\/pts\/\d+/);
  });

  it('setsid: single fork, leads its own session, warns about the missing second fork', () => {
    const r = replay('setsid-single-fork');
    expect(r.startedAs.kind).toBe('single-fork');
    expect(r.facts.sid).toBe(r.pid);
    expect(statusOf(r, 'not-session-leader')).toBe('warn');
    expect(statusOf(r, 'own-session')).toBe('pass');
    expect(statusOf(r, 'detached-parent')).toBe('pass');
  });

  it('double fork with an fcntl-locked pidfile: a daemon, lock found by inode', () => {
    const r = replay('double-fork-pidfile', expected('double-fork-pidfile').pidfile!);
    expect(r.verdict).toBe('daemon');
    expect(r.startedAs.kind).toBe('double-fork');
    expect(r.facts.sid).not.toBe(r.pid);
    expect(r.facts.ppid).toBe(1);
    expect(r.facts.umask).toBe('0000');
    expect(r.facts.cwd).toBe('/');
    expect(r.facts.locks).toEqual([expect.objectContaining({ kind: 'POSIX', mode: 'WRITE', fd: 3, lockPid: r.pid })]);
    const si = r.checks.find((c) => c.id === 'single-instance')!;
    expect(si).toMatchObject({ status: 'pass', severity: 'warning' });
  });

  it('zombie child: reaps-children warns and names the zombie', () => {
    const r = replay('zombie-child');
    expect(r.verdict).toBe('daemon-with-warnings');
    expect(statusOf(r, 'reaps-children')).toBe('warn');
    expect(r.facts.zombieChildren).toHaveLength(1);
    expect(r.facts.zombieChildren[0]!.comm).toMatch(/python/);
  });

  it('supervised by tini: managed profile, no second fork expected', () => {
    const r = replay('supervised-tini');
    expect(r.profile).toBe('managed');
    expect(r.profileReason).toMatch(/tini/);
    expect(r.startedAs.kind).toBe('supervised');
    expect(statusOf(r, 'not-session-leader')).toBe('skip');
    expect(statusOf(r, 'detached-parent')).toBe('pass');
    expect(r.verdict).not.toBe('not-a-daemon');
  });

  it('unreadable fd/: unknown rows with the reason, inconclusive, never a pass', () => {
    const r = replay('unreadable-fds');
    expect(r.verdict).toBe('inconclusive');
    for (const id of ['stdio-detached', 'no-leaked-fds', 'cwd', 'world-writable-files']) {
      const row = r.checks.find((c) => c.id === id)!;
      expect(row.status).toBe('unknown');
      expect(row.detail).toMatch(/permission denied/);
    }
    expect(r.facts.fds).toBeNull();
    expect(r.facts.unreadable.fds).toBe('EACCES');
  });

  it('kernel thread: refused with its own error', () => {
    const dir = path.join(FIXTURES, 'kernel-thread');
    const source = openProcSource(dir);
    const meta = readCaptureMeta(source.root)!;
    expect(() => auditProcess(source, meta.pid!, {}, { host: new CaptureHost(meta) })).toThrow(DaemonCheckError);
    try {
      auditProcess(source, meta.pid!, {}, { host: new CaptureHost(meta) });
    } catch (err) {
      expect((err as DaemonCheckError).code).toBe('KERNEL_THREAD');
    }
  });
});

describe('the CLI on fixtures', () => {
  it('kernel thread: exit 3 and one line, as the live audit printed', async () => {
    const exp = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'kernel-thread', 'expected-error.json'), 'utf8'));
    const r = await runCli(['2', '--proc-root', path.join(FIXTURES, 'kernel-thread')]);
    expect(r.code).toBe(3);
    expect(r.code).toBe(exp.exitCode);
    expect(r.stderr.trim()).toBe(exp.stderr.trim());
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['nohup-job', 1],
    ['double-fork-pidfile', 0],
    ['unreadable-fds', 3],
    ['zombie-child', 0],
  ])('%s: exit code %i', async (name, code) => {
    const pid = readCaptureMeta(path.join(FIXTURES, name, 'proc'))!.pid!;
    const r = await runCli([String(pid), '--proc-root', path.join(FIXTURES, name), '--json']);
    expect(r.code).toBe(code);
    expect(JSON.parse(r.stdout).pid).toBe(pid);
  });

  it('--fail-on warn turns daemon-with-warnings into exit 1', async () => {
    const pid = readCaptureMeta(path.join(FIXTURES, 'zombie-child', 'proc'))!.pid!;
    const r = await runCli([String(pid), '--proc-root', path.join(FIXTURES, 'zombie-child'), '--fail-on', 'warn']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/DAEMON WITH WARNINGS/);
  });
});
