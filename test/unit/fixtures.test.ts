/**
 * Every captured scenario in fixtures/ replays to the report the live process
 * gave when it was captured (fixtures/make-fixtures.sh), and the key rows are
 * asserted by hand so a wrong expected.json cannot hide a wrong check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditProcess } from '../../src/audit.js';
import { openProcSource } from '../../src/proc/source.js';
import { CaptureHost, readCaptureMeta } from '../../src/host/reader.js';
import { runCli } from '../helpers/cli.js';
import { DaemonCheckError } from '../../src/core/errors.js';
import type { Report } from '../../src/audit-types.js';
import type { Status } from '../../src/core/types.js';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');

function replay(name: string, pidfile?: string): Report {
  const dir = path.join(FIXTURES, name);
  const source = openProcSource(dir);
  const meta = readCaptureMeta(source.root)!;
  return auditProcess(source, meta.pid!, pidfile ? { pidfile } : {}, { host: new CaptureHost(meta, source.root) });
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
  it('has the scenarios fixtures/make-fixtures.sh captures', () => {
    expect(scenarios.sort()).toEqual(
      [
        'at-job',
        'double-fork-pidfile',
        'login-scope',
        'multiplexer-pane',
        'namespace-init',
        'nohup-job',
        'orphaned-job',
        'script-job',
        'setsid-single-fork',
        'shell-job',
        'supervised-tini',
        'tmux-server',
        'unreadable-fds',
        'zombie-child',
      ].sort(),
    );
  });

  it('every capture recorded its host files (host/ beside proc/)', () => {
    for (const name of scenarios.filter((s) => s !== 'unreadable-fds')) {
      expect(fs.existsSync(path.join(FIXTURES, name, 'host', 'etc', 'systemd')), name).toBe(true);
    }
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
  it('nohup job on a login terminal: tied to /dev/pts/N through its shell, and a hangup does not end it, so the ties warn', () => {
    const r = replay('nohup-job');
    // The fate rules out the ties' risk: they warn (docs/checklist.md, "Severity, status, verdict").
    expect(r.verdict).toBe('daemon-with-warnings');
    expect(r.startedAs.kind).toBe('nohup-job');
    expect(r.fate.hangup).toMatchObject({ outcome: 'lives', by: `bash (${r.facts.sessionLeader!.pid})` });
    expect(r.fate.hangup.why).toMatch(/it ignores SIGHUP \(as nohup arranges\), so it lives on/);
    expect(r.fate['shell-exit'].outcome).toBe('lives');
    expect(r.startedAs.detail).toMatch(/SIGHUP ignored/);
    expect(r.facts.tty).toMatch(/^\/dev\/pts\/\d+$/);
    expect(r.facts.signals!.ignored).toContain('SIGHUP');
    expect(statusOf(r, 'no-controlling-tty')).toBe('warn');
    expect(statusOf(r, 'own-session')).toBe('warn');
    expect(statusOf(r, 'detached-parent')).toBe('warn');
    expect(r.facts.parent!.comm).toBe('bash');
    expect(r.facts.sessionLeader!.comm).toBe('bash');
    expect(r.facts.fds!.find((f) => f.fd === 1)!.target).toMatch(/nohup\.out$/);
  });

  it('plain & job: a shell job in the background of its terminal; a hangup ends it, exit does not', () => {
    const r = replay('shell-job');
    expect(r.verdict).toBe('not-a-daemon');
    expect(r.startedAs.kind).toBe('shell-job');
    expect(r.fate.hangup).toMatchObject({ outcome: 'dies', by: `bash (${r.facts.sessionLeader!.pid})` });
    expect(r.fate.hangup.unless).toMatch(/disown/);
    expect(r.fate['shell-exit'].outcome).toBe('lives');
    expect(r.fate['shell-exit'].unless).toMatch(/huponexit/);
    expect(r.facts.signals!.ignored).not.toContain('SIGHUP');
    expect(r.facts.pgid).not.toBe(r.facts.tpgid);
    expect(statusOf(r, 'stdio-detached')).toBe('fail'); // stdout is still the pty
    // A hangup ends it: the ties to the login fail.
    for (const id of ['no-controlling-tty', 'own-session', 'detached-parent']) expect(statusOf(r, id)).toBe('fail');
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

  it('double fork captured before init reaped the middle process: a zombie leader is told as exited', () => {
    const sid = expected('double-fork-pidfile').facts.sid;
    expect(fs.readFileSync(path.join(FIXTURES, 'double-fork-pidfile', 'proc', String(sid), 'stat'), 'utf8')).toMatch(
      /^\d+ \(python3\) Z /,
    );
    const r = replay('double-fork-pidfile', expected('double-fork-pidfile').pidfile!);
    expect(r.facts.sessionLeader).toBeNull();
    expect(r.startedAs.detail).toContain(`session ${sid} (its leader has exited)`);
    expect(r.checks.find((c) => c.id === 'own-session')).toMatchObject({
      status: 'pass',
      observed: `session ${sid}, leader gone`,
    });
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

  it("(cmd &): an orphaned job left in the login's session, which no hangup signal reaches", () => {
    const r = replay('orphaned-job');
    expect(r.startedAs.kind).toBe('orphaned-job');
    expect(r.facts.ppid).toBe(1);
    expect(r.fate.hangup.outcome).toBe('lives');
    expect(r.fate.hangup.unless).toMatch(/writes fail with EIO/);
    // No hangup reaches it: its place in the session warns; its stdout on the terminal still fails.
    expect(statusOf(r, 'own-session')).toBe('warn');
    expect(statusOf(r, 'stdio-detached')).toBe('fail');
    expect(r.verdict).toBe('not-a-daemon');
  });

  it("a job in a tmux pane: the multiplexer's pty, which a login's hangup does not touch", () => {
    const r = replay('multiplexer-pane');
    expect(r.startedAs.kind).toBe('multiplexer-pane');
    expect(r.fate.hangup.outcome).toBe('lives');
    expect(r.fate.hangup.why).toMatch(/pty of the multiplexer server tmux: server/);
  });

  it('the tmux server itself is a single-fork daemon, not a shell job', () => {
    const r = replay('tmux-server');
    expect(r.startedAs.kind).toBe('single-fork');
    expect(r.comm).toBe('tmux: server');
  });

  it('sleep as the init of a pid namespace: SIGTERM leaves it running, init-duties warns', () => {
    const r = replay('namespace-init');
    expect(r.startedAs.kind).toBe('namespace-init');
    expect(r.fate.stop).toMatchObject({ outcome: 'lives', by: 'the kernel' });
    expect(statusOf(r, 'init-duties')).toBe('warn');
    expect(r.checks.find((c) => c.id === 'handles-sigterm')!.detail).toMatch(
      /the kernel drops signals with the default action for a namespace's init/,
    );
  });

  it("a script's background job without a terminal: script-job, own-session and detached-parent warn", () => {
    const r = replay('script-job');
    expect(r.startedAs.kind).toBe('script-job');
    expect(statusOf(r, 'own-session')).toBe('warn');
    expect(statusOf(r, 'detached-parent')).toBe('warn');
    expect(r.fate.hangup.outcome).toBe('lives');
  });

  it('an at job: at-job, own-session warns and names atd', () => {
    const r = replay('at-job');
    expect(r.startedAs.kind).toBe('at-job');
    expect(r.checks.find((c) => c.id === 'own-session')!).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/at job's session under atd \(\d+\)/),
    });
  });

  it('a textbook daemon in a login scope where logind kills it: not a daemon, fate.logout dies', () => {
    const r = replay('login-scope', expected('login-scope').pidfile!);
    expect(r.startedAs.kind).toBe('double-fork');
    expect(r.verdict).toBe('not-a-daemon');
    expect(r.checks.find((c) => c.id === 'outside-login-scope')!).toMatchObject({
      status: 'fail',
      severity: 'critical',
    });
    expect(r.fate.logout).toMatchObject({ outcome: 'dies', by: 'systemd-logind' });
    expect(r.fate.logout.why).toMatch(
      /session-9\.scope.*KillUserProcesses=yes \(\/etc\/systemd\/logind\.conf\.d\/50-kill\.conf:2\)/,
    );
  });

  it('kernel thread: refused with its own error', () => {
    const dir = path.join(FIXTURES, 'kernel-thread');
    const source = openProcSource(dir);
    const meta = readCaptureMeta(source.root)!;
    expect(() => auditProcess(source, meta.pid!, {}, { host: new CaptureHost(meta, source.root) })).toThrow(
      DaemonCheckError,
    );
    try {
      auditProcess(source, meta.pid!, {}, { host: new CaptureHost(meta, source.root) });
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
    // The nohup job outlives its login: daemon-with-warnings, exit 0 (1 under --fail-on warn); the plain & job is not a daemon.
    ['nohup-job', 0],
    ['shell-job', 1],
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
