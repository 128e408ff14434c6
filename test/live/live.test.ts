/**
 * Live audits of real processes started here: the kernel decides sessions,
 * terminals, locks and fds, so these run against the real thing.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/api.js';
import { runCli } from '../helpers/cli.js';
import { contradictions } from '../helpers/consistency.js';
import type { Report } from '../../src/audit-types.js';
import {
  PtyShell,
  findProcess,
  psView,
  startPyDaemon,
  tempDir,
  trackProcesses,
  uniqueSeconds,
  waitFor,
} from '../helpers/procs.js';

const tracker = trackProcesses({ eachTest: true });

function row(r: Report, id: string) {
  return r.checks.find((c) => c.id === id)!;
}

/** Facts must be what the kernel says, as an independent reader (ps) sees it. */
function expectFactsMatchPs(r: Report): void {
  const ps = psView(r.pid);
  expect(r.facts.ppid).toBe(ps.ppid);
  expect(r.facts.pgid).toBe(ps.pgid);
  expect(r.facts.sid).toBe(ps.sid);
  expect(r.facts.tpgid).toBe(ps.tpgid);
  expect(r.facts.tty === null ? '?' : r.facts.tty.replace(/^\/dev\//, '')).toBe(ps.tty);
  const fds = fs
    .readdirSync(`/proc/${r.pid}/fd`)
    .map(Number)
    .sort((a, b) => a - b);
  expect(r.facts.fds!.map((f) => f.fd)).toEqual(fds);
  for (const f of r.facts.fds!) expect(f.target).toBe(fs.readlinkSync(`/proc/${r.pid}/fd/${f.fd}`));
}

describe('live: a nohup job in an interactive bash on a real pty', () => {
  it('outlives its login, so it is a daemon with warnings, was started as a nohup job, and names the terminal', async () => {
    const dir = tempDir();
    const shell = new PtyShell();
    await shell.start(tracker, dir);
    const secs = uniqueSeconds();
    shell.type(`nohup sleep ${secs} &`);
    const pid = tracker.track(await waitFor('the nohup job', () => findProcess(new RegExp(`^sleep ${secs}$`))));
    await waitFor('nohup.out', () => fs.existsSync(path.join(dir, 'nohup.out')));
    const r = (await audit(pid)) as Report;
    // The hangup and the shell's exit spare it: its ties to the login warn (docs/checklist.md).
    expect(r.verdict).toBe('daemon-with-warnings');
    expect(r.startedAs.kind).toBe('nohup-job');
    expect(r.facts.tty).toMatch(/^\/dev\/pts\/\d+$/);
    expect(row(r, 'no-controlling-tty')).toMatchObject({ status: 'warn', observed: r.facts.tty });
    expect(r.facts.sessionLeader).toEqual({ pid: shell.shellPid, comm: 'bash' });
    expect(r.facts.parent).toEqual({ pid: shell.shellPid, comm: 'bash' });
    expect(r.facts.signals!.ignored).toContain('SIGHUP');
    expect(r.facts.cwd).toBe(fs.realpathSync(dir));
    expect(r.remediation.join('\n')).toMatch(/daemon-check run .*-- \S*\/sleep \d+/);
    // nohup's job is sent SIGHUP by bash on a hangup, and ignores it.
    expect(r.fate.hangup).toMatchObject({ outcome: 'lives', by: `bash (${shell.shellPid})` });
    expect(contradictions(r)).toEqual([]);
    expectFactsMatchPs(r);

    const cli = await runCli([String(pid)]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/DAEMON WITH WARNINGS/);
    expect(cli.stdout).toContain(r.facts.tty!);
  });

  it('a plain & job in the same kind of shell is a shell job whose stdout is the pty', async () => {
    const dir = tempDir();
    const shell = new PtyShell();
    await shell.start(tracker, dir);
    const secs = uniqueSeconds();
    shell.type(`sleep ${secs} &`);
    const pid = tracker.track(await waitFor('the job', () => findProcess(new RegExp(`^sleep ${secs}$`))));
    const r = (await audit(pid)) as Report;
    expect(r.startedAs.kind).toBe('shell-job');
    expect(r.fate.hangup).toMatchObject({ outcome: 'dies', by: `bash (${shell.shellPid})` });
    expect(r.fate['shell-exit'].outcome).toBe('lives');
    expect(contradictions(r)).toEqual([]);
    expect(row(r, 'stdio-detached').status).toBe('fail');
    expect(r.facts.fds!.find((f) => f.fd === 1)!.target).toBe(r.facts.tty);
    expectFactsMatchPs(r);
  });
});

describe('live: a job in a tmux pane', () => {
  it("is a multiplexer pane: a login's hangup does not touch the multiplexer's pty", async () => {
    const dir = tempDir();
    const shell = new PtyShell('pane');
    await shell.start(tracker, dir);
    const secs = uniqueSeconds();
    shell.type(`sleep ${secs} &`);
    const pid = tracker.track(await waitFor('the job', () => findProcess(new RegExp(`^sleep ${secs}$`))));
    const r = await audit(pid);
    expect(r.startedAs.kind).toBe('multiplexer-pane');
    expect(r.startedAs.detail).toContain(`tmux: server (${shell.serverPid})`);
    expect(r.fate.hangup.outcome).toBe('lives');
    expect(r.fate.hangup.why).toContain(`tmux: server (${shell.serverPid})`);
    expect(contradictions(r)).toEqual([]);
  });
});

describe('live: daemons', () => {
  it('a double-forked daemon with a locked pidfile is a daemon', async () => {
    const dir = tempDir();
    const pidfile = path.join(dir, 'd.pid');
    const { pid } = await startPyDaemon(tracker, ['--pidfile', pidfile, '--sleep', '120']);
    await waitFor(
      'the pidfile',
      () => fs.existsSync(pidfile) && fs.readFileSync(pidfile, 'utf8').trim() === String(pid),
    );
    const r = (await audit({ pidfile })) as Report;
    expect(r.pid).toBe(pid);
    expect(r.verdict).toBe('daemon');
    expect(r.startedAs.kind).toBe('double-fork');
    expect(r.facts.ppid).toBe(1);
    expect(r.facts.sid).not.toBe(pid);
    expect(r.facts.tty).toBeNull();
    expect(r.facts.umask).toBe('0000');
    expect(r.facts.locks).toEqual([
      expect.objectContaining({ kind: 'POSIX', mode: 'WRITE', path: pidfile, lockPid: pid }),
    ]);
    expect(row(r, 'single-instance')).toMatchObject({ status: 'pass', severity: 'warning' });
    expectFactsMatchPs(r);

    const cli = await runCli(['--pidfile', pidfile, '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout).verdict).toBe('daemon');
  });

  it('setsid(1) gives a single-fork session leader that lacks the second fork', async () => {
    const secs = uniqueSeconds();
    execFileSync('setsid', ['-f', 'sleep', String(secs)], { stdio: 'ignore', cwd: '/' });
    const pid = tracker.track(await waitFor('the setsid process', () => findProcess(new RegExp(`^sleep ${secs}$`))));
    const r = (await audit(pid)) as Report;
    expect(r.startedAs.kind).toBe('single-fork');
    expect(r.facts.sid).toBe(pid);
    expect(row(r, 'not-session-leader').status).toBe('warn');
    expect(row(r, 'own-session').status).toBe('pass');
    expect(row(r, 'detached-parent').status).toBe('pass');
    expect(r.verdict).toBe('daemon-with-warnings');
    expectFactsMatchPs(r);
  });

  it('spawn({detached:true}) is a single fork too', async () => {
    const secs = uniqueSeconds();
    const child = spawn('sleep', [String(secs)], { detached: true, stdio: 'ignore', cwd: '/' });
    const pid = tracker.track(child.pid!);
    child.unref();
    const r = (await audit(pid)) as Report;
    expect(r.facts.sid).toBe(pid);
    // Its parent is still this test runner (node), which is not detached.
    expect(r.facts.parent!.pid).toBe(process.pid);
    expect(row(r, 'detached-parent').status).toBe('fail');
  });

  it('names the test process as the holder of a leaked pipe', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'leak.fifo');
    execFileSync('mkfifo', [fifo]);
    // O_RDWR: opening a FIFO this way never blocks; the test keeps this end open.
    const keep = fs.openSync(fifo, fs.constants.O_RDWR);
    tracker.onCleanup(() => fs.closeSync(keep));
    const { pid } = await startPyDaemon(tracker, ['--keep-fds', '--sleep', '120'], [keep]);
    const r = (await audit(pid)) as Report;
    const leaked = r.facts.fds!.find((f) => f.target === fifo);
    expect(leaked).toBeDefined();
    expect(leaked!.type).toBe('fifo');
    const rowLeak = row(r, 'no-leaked-fds');
    expect(rowLeak.status).toBe('warn');
    expect(rowLeak.detail).toContain(`(${process.pid})`);
    expect(rowLeak.detail).toContain(`fd ${leaked!.fd} ${fifo}`);
    // The CLI, a child of this test, leaves itself out but still names the test.
    const cli = await runCli([String(pid), '--json']);
    const cliRow = (JSON.parse(cli.stdout) as Report).checks.find((c) => c.id === 'no-leaked-fds')!;
    expect(cliRow.detail).toContain(`node (${process.pid}) fd ${keep}`);
  });

  it('finds a flock lock by inode although /proc/locks shows the launcher pid', async () => {
    const dir = tempDir();
    const lockfile = path.join(dir, 'app.lock');
    const { pid, launcher } = await startPyDaemon(tracker, ['--flock', lockfile, '--sleep', '120']);
    expect(launcher).not.toBeNull();
    expect(launcher).not.toBe(pid);
    const ino = fs.statSync(lockfile).ino;
    const procLocks = fs
      .readFileSync('/proc/locks', 'utf8')
      .split('\n')
      .filter((l) => l.endsWith(`:${ino} 0 EOF`));
    expect(procLocks).toHaveLength(1);
    expect(procLocks[0]).toMatch(new RegExp(`FLOCK\\s+ADVISORY\\s+WRITE ${launcher} `));
    const r = (await audit(pid)) as Report;
    expect(r.facts.locks).toEqual([
      expect.objectContaining({ kind: 'FLOCK', mode: 'WRITE', path: lockfile, lockPid: launcher, ino }),
    ]);
    expect(row(r, 'single-instance').status).toBe('pass');
  });

  it('a daemon with a zombie child warns in reaps-children', async () => {
    const { pid } = await startPyDaemon(tracker, ['--zombie', '--sleep', '120']);
    const zombie = await waitFor('the zombie child', () =>
      fs
        .readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .find((d) => {
          try {
            const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
            const after = st.slice(st.lastIndexOf(')') + 2).split(' ');
            return after[0] === 'Z' && Number(after[1]) === pid;
          } catch {
            return false;
          }
        }),
    );
    const rep = (await audit(pid)) as Report;
    expect(rep.facts.zombieChildren).toEqual([{ pid: Number(zombie), comm: expect.stringMatching(/python/) }]);
    expect(row(rep, 'reaps-children').status).toBe('warn');
    expect(rep.verdict).toBe('daemon-with-warnings');
  });
});

describe('live: a job session led by a program that is not a shell (a CI agent)', () => {
  // The agent leads its own session with no terminal, as a CI runner's agent does.
  const AGENT = 'import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))';
  const MIDDLE = 'import subprocess, sys; subprocess.call(sys.argv[1:])';

  async function startUnderAgent(between: string[], secs: number): Promise<Report> {
    const agent = spawn('python3', ['-c', AGENT, ...between, 'sleep', String(secs)], {
      detached: true,
      stdio: 'ignore',
    });
    tracker.track(agent.pid!);
    const pid = tracker.track(await waitFor('the job', () => findProcess(new RegExp(`^sleep ${secs}$`))));
    const middle = psView(pid).ppid;
    tracker.track(middle);
    expect(psView(middle).sid).toBe(agent.pid);
    return (await audit(pid)) as Report;
  }

  it('a child of a job step under a shell is not a daemon worker, although the session leader has no terminal', async () => {
    const secs = uniqueSeconds();
    // agent (session leader) -> bash (the job's script) -> python3 (the test runner) -> sleep
    const r = await startUnderAgent(['bash', '-c', 'python3 -c "$0" "$@"; true', MIDDLE], secs);
    expect(r.facts.parent!.comm).toBe('python3');
    expect(r.facts.ancestry.map((a) => a.comm)).toContain('bash');
    expect(row(r, 'detached-parent').status).toBe('fail');
    expect(r.startedAs.kind).not.toBe('daemon-worker');
    expect(r.verdict).toBe('not-a-daemon');
  });

  it("a child of a process directly under a detached session leader is that daemon's worker", async () => {
    const secs = uniqueSeconds();
    // agent (session leader, no terminal) -> python3 -> sleep: nothing interactive in the chain.
    const r = await startUnderAgent(['python3', '-c', MIDDLE], secs);
    expect(row(r, 'detached-parent')).toMatchObject({ status: 'pass', observed: `daemon python3 (${r.facts.ppid})` });
    expect(r.startedAs.kind).toBe('daemon-worker');
  });
});
