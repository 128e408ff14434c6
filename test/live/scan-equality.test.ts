/**
 * A scan takes shortcuts a single audit does not (the table pass, shared
 * mountinfo, fd links read once, no stat of stdio on /dev/null): its rows must
 * still say exactly what `daemon-check PID` says. Checked on the two shapes
 * the benchmark times (bench/helpers/swarm.py): one runner holding jobs in
 * its session, and a detached master with workers sharing its listening
 * socket and a pipe, 160 of each. A scan reads mountinfo only for a process
 * whose cwd or open files need it: a daemon with both on a mount of their
 * own must still get the same row. And a scan that reads /proc in bulk
 * through the native helper gives the same rows as one that reads file by file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, scan } from '../../src/api.js';
import { TABLE_DECISIVE } from '../../src/checks/index.js';
import { BulkProcSource, bulkSource } from '../../src/proc/bulk.js';
import { LiveProcSource } from '../../src/proc/source.js';
import { isProblem } from '../../src/verdict.js';
import { runCli } from '../helpers/cli.js';
import { endSwarms, startSwarm, type Swarm } from '../helpers/swarm.js';
import { overflowing, runOnPty, stripAnsi } from '../helpers/pty.js';
import {
  PtyShell,
  childrenOf,
  cmdlineOf,
  findProcess,
  ppidOf,
  startPyDaemon,
  tempDir,
  trackProcesses,
  uniqueSeconds,
  waitFor,
} from '../helpers/procs.js';
import type { Report } from '../../src/audit-types.js';
import { FATE_EVENTS, type Fate } from '../../src/core/types.js';

const N = 160;

interface Row {
  pid: number;
  verdict: string;
  startedAs: { kind: string; detail: string };
  fate: Fate;
  problems: Array<{ id: string; status: string; detail: string }>;
}

/** Each ending, whole: its outcome, actor, the text that says why, and what would flip it. */
const outcomes = (fate: Fate) => Object.fromEntries(FATE_EVENTS.map((e) => [e, fate[e]]));

/**
 * The row's verdict, startedAs, fate (every ending: outcome, actor, why, unless)
 * and problems (id, status, detail) equal those of a single audit of the pid.
 * Where a check the process table decides fails, the scan judges no other
 * check (src/scan.ts): the row's problems are then the audit's of those checks.
 */
/**
 * Which other processes hold a shared fd is read live, and other test files start and end processes between the
 * scan and the audit (the test runner's own pipes reach every one of them): the list of holders is left out.
 */
const steady = (p: { id: string; status: string; detail: string }) => ({
  ...p,
  detail: p.detail.replace(/(is also held by )(.*?)(; possibly inherited|$)/, '$1(holders)$3'),
});

async function expectSameAsAudit(row: Row, pid: number): Promise<void> {
  const single = (await audit(pid)) as Report;
  const byTable = single.checks.some((c) => TABLE_DECISIVE.has(c.id) && c.status === 'fail');
  const problems = single.checks
    .filter((c) => isProblem(c) && (!byTable || TABLE_DECISIVE.has(c.id)))
    .map((c) => steady({ id: c.id, status: c.status, detail: c.detail }));
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  expect(
    {
      verdict: row.verdict,
      startedAs: row.startedAs,
      fate: outcomes(row.fate),
      problems: row.problems.map(steady).sort(byId),
    },
    `pid ${pid} (${row.startedAs.detail})`,
  ).toEqual({
    verdict: single.verdict,
    startedAs: single.startedAs,
    fate: outcomes(single.fate),
    problems: problems.sort(byId),
  });
}

const swarms: Swarm[] = [];

beforeAll(async () => {
  swarms.push(await startSwarm('jobs', N), await startSwarm('workers', N));
}, 90_000);

afterAll(() => endSwarms(swarms));

describe('scan rows equal single audits', () => {
  it('for every job and worker: verdict, startedAs, every ending of the fate and every problem (id, status, detail)', async () => {
    const r = await runCli(['scan', '--all', '--json'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const rows = new Map((JSON.parse(r.stdout) as { processes: Row[] }).processes.map((p) => [p.pid, p]));
    const subjects = swarms.flatMap((s) => [...s.pids, ...(s.master ? [s.master] : [])]);
    expect(subjects.length).toBeGreaterThanOrEqual(2 * N);
    for (const pid of subjects) {
      const row = rows.get(pid);
      expect(row, `pid ${pid} is listed`).toBeDefined();
      await expectSameAsAudit(row!, pid);
    }
  }, 240_000);
});

describe('the bulk read through the native helper', () => {
  it('gives every job and worker the same row as a scan that reads file by file', async () => {
    expect(await bulkSource(new LiveProcSource('/proc')), 'the helper is built and answers').toBeInstanceOf(
      BulkProcSource,
    );
    const bulk = await scan({ user: 'all' });
    const single = await scan({ user: 'all', bulkRead: false });
    const subjects = swarms.flatMap((s) => [...s.pids, ...(s.master ? [s.master] : [])]);
    expect(subjects.length).toBeGreaterThanOrEqual(2 * N);
    const byPid = (r: typeof bulk) => new Map(r.processes.map((p) => [p.pid, p]));
    const [a, b] = [byPid(bulk), byPid(single)];
    for (const pid of subjects) {
      expect(a.get(pid), `pid ${pid} is listed`).toBeDefined();
      expect(a.get(pid), `pid ${pid}`).toEqual(b.get(pid));
    }
  }, 120_000);
});

/** A writable directory that is a mount point of its own (not /), or null. */
function separateMount(): { dir: string; fsType: string } | null {
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' '));
  for (const dir of ['/dev/shm', '/run', '/tmp']) {
    const m = mounts.filter((f) => f[4] === dir).pop();
    if (!m) continue;
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      continue;
    }
    return { dir, fsType: m[m.indexOf('-') + 1]! };
  }
  return null;
}

describe('a scanned daemon whose cwd and pidfile sit on another mount', () => {
  const mount = separateMount();
  const tracker = trackProcesses();

  it.skipIf(!mount)(
    'gets the same row as its single audit, naming the mount its cwd keeps busy',
    async () => {
      const dir = tempDir('dc-scan-mount-', mount!.dir);
      // The pidfile stays open and locked: its device comes from fdinfo's mnt_id and the mount table.
      // A double fork: its middle process, the session's first leader, is a zombie that init reaps
      // at a moment of its own, maybe between the scan and the audit; both say "its leader has exited".
      // Its cwd is a directory below the pidfile's: an open file under the cwd would make it working data.
      const cwd = path.join(dir, 'work');
      fs.mkdirSync(cwd);
      const { pid } = await startPyDaemon(tracker, ['--pidfile', path.join(dir, 'd.pid'), '--chdir', cwd]);
      const r = await runCli(['scan', '--all', '--json'], { timeoutMs: 120_000 });
      expect(r.code).toBe(0);
      const row = (JSON.parse(r.stdout) as { processes: Row[] }).processes.find((p) => p.pid === pid);
      expect(row, `pid ${pid} is listed`).toBeDefined();
      expect(row!.problems.find((p) => p.id === 'cwd')?.detail).toBe(
        `working directory ${cwd}; it is on the mount ${mount!.dir} (${mount!.fsType}), which it keeps busy`,
      );
      await expectSameAsAudit(row!, pid);
    },
    150_000,
  );
});

/** The table's ends cell for a fate: h, e, l where a hangup, the shell's exit, logout ends it; ? unknown; . lives. */
function endsOf(fate: Fate): string {
  const letters: Array<[keyof Fate, string]> = [
    ['hangup', 'h'],
    ['shell-exit', 'e'],
    ['logout', 'l'],
  ];
  return letters.map(([ev, l]) => ({ dies: l, unknown: '?', lives: '.' })[fate[ev].outcome]).join('');
}

/** The process and every descendant of it, alive now. */
function treeOf(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(treeOf)];
}

describe('the tree of a real login: jobs, script and tmux', () => {
  const tracker = trackProcesses();

  it('gives every listed process of it the same row as its single audit, fate included', async () => {
    // A login bash on the pty of script(1), in a tmux pane (PtyShell): tmux's server, the pane's script,
    // the login bash, and what is typed into it.
    const shell = new PtyShell('login');
    await shell.start(tracker, tempDir('dc-scan-login-'));
    const n = uniqueSeconds();
    const typed: Array<[number, string]> = [
      [n, `sleep ${n} &`],
      [n + 1, `nohup sleep ${n + 1} >/dev/null 2>&1 &`],
      [n + 2, `sleep ${n + 2} & disown`],
      [n + 3, `(sleep ${n + 3} &)`],
      [n + 4, `setsid sleep ${n + 4} &`],
      [n + 5, `script -qfc 'sleep ${n + 5}' /dev/null </dev/null >/dev/null &`],
      [n + 6, `sleep ${n + 6} >/dev/tty &`],
      // Debian's sudoers sets use_pty: the sleep runs in the foreground of a pty sudo made, no login's terminal.
      [n + 7, `sudo -b sleep ${n + 7}`],
    ];
    for (const [, line] of typed) shell.type(line);
    const jobs = await waitFor(
      'every typed job to run',
      () => {
        const pids = typed.map(([secs]) => findProcess(new RegExp(`^sleep ${secs}$`)));
        return pids.every((p) => p !== null) ? (pids as number[]) : null;
      },
      30_000,
    );
    for (const p of jobs) tracker.track(p);
    // sudo's monitor, the sleep's parent, leads the session on sudo's pty and holds its foreground.
    const sudoMonitor = ppidOf(jobs[7]!)!;
    expect(cmdlineOf(sudoMonitor)?.[0]).toBe('sudo');
    tracker.track(sudoMonitor);
    const subjects = [...new Set([...treeOf(shell.serverPid!), ...jobs, sudoMonitor])];
    for (const p of subjects) tracker.track(p);
    const r = await runCli(['scan', '--all', '--json'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const rows = new Map((JSON.parse(r.stdout) as { processes: Row[] }).processes.map((p) => [p.pid, p]));
    // The login bash waits at its prompt in its terminal's foreground, as the sleep of the script job
    // does in its own pty's: what a user runs now is not listed. The sleep `sudo -b` started is listed: its
    // pty is sudo's, not a login's.
    const listed = subjects.filter((p) => rows.has(p));
    const scriptJob = findProcess(new RegExp(`^script -qfc sleep ${n + 5} /dev/null$`));
    expect(scriptJob, 'the script job runs').not.toBeNull();
    const background = jobs.filter((_, i) => i !== 5);
    expect(listed).toEqual(expect.arrayContaining([shell.serverPid!, scriptJob!, ...background, sudoMonitor]));
    for (const pid of listed) await expectSameAsAudit(rows.get(pid)!, pid);

    // On a real pty at 80 and 200 columns: every row's ends cell is its fate, and the rows a login's end kills come first.
    for (const cols of [80, 200]) {
      const tty = await runOnPty(['scan', '--all'], { cols, timeoutMs: 120_000 });
      expect(overflowing(tty.out, cols)).toEqual([]);
      const lines = stripAnsi(tty.out)
        .split('\n')
        .map((l) => l.split('│').map((c) => c.trim()));
      // The ends column by the head: the table lists every process of the host, those that other test
      // files started after the JSON scan too.
      const endsAt = lines.find((cells) => cells[1] === 'pid')?.indexOf('ends') ?? -1;
      expect(endsAt, 'the head names the ends column').toBeGreaterThan(0);
      const drawn = lines
        .filter((cells) => /^\d+$/.test(cells[1] ?? ''))
        .map((cells) => ({ pid: Number(cells[1]), ends: cells[endsAt] }));
      expect(drawn.map((d) => d.pid)).toEqual(expect.arrayContaining(listed));
      for (const { pid, ends } of drawn.filter((d) => listed.includes(d.pid)))
        expect(ends, `pid ${pid} at ${cols} columns`).toBe(endsOf(rows.get(pid)!.fate));
      const firstLives = drawn.findIndex((d) => !/[hel?]/.test(d.ends ?? ''));
      expect(drawn.slice(firstLives).filter((d) => /[hel]/.test(d.ends ?? ''))).toEqual([]);
      // `sleep N &` dies at the hangup (bash sends it SIGHUP).
      expect(drawn.find((d) => d.pid === jobs[0])?.ends?.[0]).toBe('h');
    }
  }, 240_000);
});
