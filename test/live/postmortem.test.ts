/**
 * postmortem on real deaths, with nothing watching them: an OOM kill in a v1
 * memory cgroup with a small limit, a segfault, a kill -9 and a stale
 * pidfile. Each process is started here, waited for by its exit, and gone
 * before postmortem runs; the cgroup is removed once its process is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { Tracker, alive, tempDir, uniqueSeconds, waitFor } from '../helpers/procs.js';
import type { Postmortem } from '../../src/postmortem/types.js';

const MEMCG = '/sys/fs/cgroup/memory';
const isRoot = process.getuid?.() === 0;
const tracker = new Tracker();
/** An empty journal folder, so a journal left on this host by other runs plays no part. */
const journalDir = tempDir('dc-pm-journal-');
const env = { DAEMON_CHECK_JOURNAL_DIR: journalDir };

afterEach(async () => {
  await tracker.killAll();
});
afterAll(() => {
  fs.rmSync(journalDir, { recursive: true, force: true });
});

/** The child's end: its exit code or killing signal, once the 'exit' event has come (it is reaped then). */
function ended(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

async function postmortem(args: string[]): Promise<Postmortem> {
  const r = await runCli(['postmortem', ...args, '--format', 'json'], { env });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Postmortem;
}

/** A second of slack under the test's start: /dev/kmsg's clock and the wall clock are read apart. */
const since = (): string => `@${Math.floor(Date.now() / 1000) - 1}`;

describe.skipIf(!isRoot || !fs.existsSync(`${MEMCG}/memory.limit_in_bytes`))('postmortem of an OOM kill', () => {
  it('names the OOM killer from the kernel log alone, for a job killed in a memory cgroup with a 64 MiB limit', async () => {
    const cg = path.join(MEMCG, `dc-pm-${process.pid}`);
    fs.mkdirSync(cg);
    tracker.onCleanup(() => fs.existsSync(cg) && fs.rmdirSync(cg));
    fs.writeFileSync(path.join(cg, 'memory.limit_in_bytes'), '64M');
    if (fs.existsSync(path.join(cg, 'memory.memsw.limit_in_bytes')))
      fs.writeFileSync(path.join(cg, 'memory.memsw.limit_in_bytes'), '64M');
    const from = since();
    const script = `import os\nopen(${JSON.stringify(path.join(cg, 'cgroup.procs'))}, 'w').write(str(os.getpid()))\nb = bytearray(512 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\n`;
    const child = spawn('python3', ['-c', script], { stdio: 'ignore' });
    const pid = tracker.track(child.pid!);
    expect(await ended(child)).toEqual({ code: null, signal: 'SIGKILL' });
    await waitFor('the cgroup to empty', () => fs.readFileSync(path.join(cg, 'cgroup.procs'), 'utf8').trim() === '');
    fs.rmdirSync(cg);
    expect(fs.existsSync(cg)).toBe(false);

    const p = await postmortem([String(pid), '--since', from]);
    expect(p).toMatchObject({ pid, comm: 'python3', cause: 'oom-killer' });
    expect(p.evidence[0]).toMatchObject({ source: 'kernel-log', suggests: 'oom-killer', strength: 'logged' });
    expect(p.evidence[0]!.line).toMatch(
      new RegExp(`^Memory cgroup out of memory: Killed process ${pid} \\(python3\\)`),
    );
    expect(p.story).toMatch(new RegExp(`in memory cgroup /dc-pm-${process.pid} \\(limit 64 MiB`));
    expect(p.unknowns).toContain(`no watch journal was found, so no watch saw pid ${pid} end`);
  });
});

describe.skipIf(!isRoot)('postmortem from the kernel log and the pidfile', () => {
  it('names a crash for a segfault', async () => {
    const from = since();
    const child = spawn('python3', ['-c', 'import ctypes; ctypes.string_at(0x10)'], { stdio: 'ignore' });
    const pid = tracker.track(child.pid!);
    expect(await ended(child)).toEqual({ code: null, signal: 'SIGSEGV' });
    const p = await postmortem([String(pid), '--since', from]);
    expect(p).toMatchObject({ pid, cause: 'crash' });
    expect(p.evidence[0]!.line).toMatch(new RegExp(`^python3\\[${pid}\\]: segfault at 10 `));
  });

  it('says plainly that a kill -9 leaves no trace', async () => {
    const from = since();
    const child = spawn('sleep', [String(uniqueSeconds())], { stdio: 'ignore' });
    const pid = tracker.track(child.pid!);
    await waitFor('sleep to run', () => alive(pid) && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep');
    process.kill(pid, 'SIGKILL');
    expect(await ended(child)).toEqual({ code: null, signal: 'SIGKILL' });
    const p = await postmortem([String(pid), '--since', from]);
    expect(p).toMatchObject({ pid, cause: 'unknown', evidence: [] });
    expect(p.unknowns).toContain(`the kernel log has no line for pid ${pid}`);
    expect(p.unknowns.some((u) => /a plain kill -9.* leaves no trace/.test(u))).toBe(true);
  });

  it('reads a stale pidfile: when it was written, and that no lock is held on it', async () => {
    const dir = tempDir();
    tracker.onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'app.pid');
    const child = spawn('sleep', [String(uniqueSeconds())], { stdio: 'ignore' });
    const pid = tracker.track(child.pid!);
    fs.writeFileSync(file, `${pid}\n`);
    // Date() of mtimeMs drops the sub-millisecond part, as postmortem's ISO times do (stat's .mtime rounds it).
    const written = new Date(fs.statSync(file).mtimeMs).toISOString();
    const running = await runCli(['postmortem', '--pidfile', file], { env });
    expect(running.code).toBe(3);
    expect(running.stderr).toBe(
      `daemon-check: pid ${pid}, named by pidfile ${file}, is still running (sleep): postmortem is for a process that is gone; audit it with 'daemon-check ${pid}', or record how it ends with 'daemon-check watch ${pid}'\n`,
    );
    process.kill(pid, 'SIGKILL');
    await ended(child);

    const audit = await runCli(['--pidfile', file], { env });
    expect(audit.code).toBe(3);
    expect(audit.stderr).toContain(`'daemon-check postmortem --pidfile ${file}' tells what the host still knows`);
    const p = await postmortem(['--pidfile', file]);
    expect(p).toMatchObject({ pid, cause: 'unknown', window: { since: written } });
    expect(p.evidence).toEqual([
      expect.objectContaining({ source: 'pidfile', at: written, line: `${file}: "${pid}\\n"` }),
    ]);
    expect(p.evidence[0]!.meaning).toMatch(/no process holds a lock on it/);
  });
});

const restricted = (): boolean => fs.readFileSync('/proc/sys/kernel/dmesg_restrict', 'utf8').trim() === '1';

describe.skipIf(!isRoot || !restricted())('postmortem without root', () => {
  it('names the kernel log as refused, and why (dmesg_restrict=1)', async () => {
    const r = await runCli(['postmortem', '--name', `dc-no-such-${uniqueSeconds()}`, '--format', 'json'], {
      env: { ...env, HOME: '/nonexistent' },
      uid: 65534,
      gid: 65534,
    });
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as Postmortem;
    const refusal =
      '/dev/kmsg refused (EPERM): kernel.dmesg_restrict=1 lets only CAP_SYSLOG (root) read the kernel log; run as root';
    expect(p.sources).toContainEqual({ source: 'kernel-log', status: 'refused', detail: refusal });
    expect(p.unknowns).toContain(`kernel-log: ${refusal}`);
  });
});

describe('postmortem command line', () => {
  it.each([
    [[], /needs exactly one of <pid>, --pidfile FILE or --name NAME/],
    [['1', '--name', 'x'], /needs exactly one of/],
    [['abc'], /'abc' is not a pid/],
    [['99999999'], /pid 99999999 is beyond this system's pid_max/],
    [['--name', 'x', '--since', 'yesterday'], /--since 'yesterday' is not a time/],
    [
      ['--name', 'x', '--journal', '/nonexistent/j.jsonl'],
      /--journal \/nonexistent\/j\.jsonl cannot be read \(it does not exist\)/,
    ],
    [['--pidfile', '/nonexistent/x.pid'], /pidfile \/nonexistent\/x\.pid does not exist/],
    [['--name', 'x', '--format', 'xml'], /argument 'xml' is invalid/],
  ])('%j: one line, exit 2', async (args, message) => {
    const r = await runCli(['postmortem', ...args], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('refuses a pid that still runs: exit 3, naming the audit and watch', async () => {
    const r = await runCli(['postmortem', String(process.pid)], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      new RegExp(
        `pid ${process.pid} is still running .*'daemon-check ${process.pid}'.*'daemon-check watch ${process.pid}'`,
      ),
    );
  });

  it('prints the table form: the answer, the evidence and the sources', async () => {
    const r = await runCli(['postmortem', '--name', `dc-no-such-${uniqueSeconds()}`], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no process named 'dc-no-such-\d+' was found: unknown\n {2}unknown: /);
    expect(r.stdout).toContain('\nEvidence, most probable first:\n');
    expect(r.stdout).toContain('\nSources:\n  watch-journal: absent: no journal in ' + journalDir);
  });
});
