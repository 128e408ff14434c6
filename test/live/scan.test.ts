/** scan over a few hundred live processes of mixed kinds, started here. */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/api.js';
import { runCli } from '../helpers/cli.js';
import { findProcess, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';
import type { Report } from '../../src/audit-types.js';

const tracker = trackProcesses();

interface Row {
  pid: number;
  verdict: string;
  startedAs: { kind: string };
  problems: Array<{ id: string }>;
}

function kernelThreadPids(): Set<number> {
  const out = new Set<number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const flags = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[6]);
      if (flags & 0x00200000) out.add(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

describe('scan', () => {
  it('lists every background process with the verdict its own audit gives, and no kernel thread', async () => {
    const base = uniqueSeconds();
    const mine: number[] = [];
    // 120 children of this test runner (not detached), 120 setsid single forks, 60 nohup-style jobs of a shell.
    for (let i = 0; i < 120; i++) {
      const c = spawn('sleep', [`${base}.${i}`], { stdio: 'ignore' });
      mine.push(tracker.track(c.pid!));
    }
    for (let i = 0; i < 120; i++)
      execFileSync('setsid', ['-f', 'sleep', `${base + 1}.${i}`], { stdio: 'ignore', cwd: '/' });
    const shell = spawn(
      'bash',
      ['-c', `for i in $(seq 0 59); do nohup sleep ${base + 2}.$i >/dev/null 2>&1 & done; wait`],
      { stdio: 'ignore' },
    );
    tracker.track(shell.pid!);
    for (let i = 0; i < 120; i++)
      mine.push(
        tracker.track(await waitFor('setsid child', () => findProcess(new RegExp(`^sleep ${base + 1}\\.${i}$`)))),
      );
    for (let i = 0; i < 60; i++)
      mine.push(tracker.track(await waitFor('nohup job', () => findProcess(new RegExp(`^sleep ${base + 2}\\.${i}$`)))));
    expect(mine).toHaveLength(300);

    const r = await runCli(['scan', '--all', '--json'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { processes: Row[]; skipped: { kernelThreads: number } };
    const byPid = new Map(result.processes.map((p) => [p.pid, p]));

    const kthreads = kernelThreadPids();
    expect(kthreads.size).toBeGreaterThan(0);
    expect(result.skipped.kernelThreads).toBeGreaterThan(0);
    for (const p of result.processes) expect(kthreads.has(p.pid)).toBe(false);

    for (const pid of mine) {
      const row = byPid.get(pid);
      expect(row, `pid ${pid} is listed`).toBeDefined();
      const single = (await audit(pid)) as Report;
      expect(row!.verdict, `pid ${pid}`).toBe(single.verdict);
      expect(row!.startedAs.kind, `pid ${pid}`).toBe(single.startedAs.kind);
    }
    // The runner's own children: not daemons (shell-job or unknown, depending on who leads this session).
    for (const p of mine.slice(0, 120)) expect(byPid.get(p)!.verdict).toBe('not-a-daemon');
    for (const p of mine.slice(120, 240)) expect(byPid.get(p)!.startedAs.kind).toBe('single-fork');
    for (const p of mine.slice(240)) expect(byPid.get(p)!.startedAs.kind).toBe('nohup-job');
    // Worst first.
    const order = ['not-a-daemon', 'inconclusive', 'daemon-with-warnings', 'daemon'];
    const ranks = result.processes.map((p) => order.indexOf(p.verdict));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  }, 120_000);

  it("--user picks one user's processes; an unknown user is exit 2", async () => {
    const r = await runCli(['scan', '--user', 'root', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).processes as Array<{ uid: number }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x) => x.uid === 0)).toBe(true);
    const bad = await runCli(['scan', '--user', 'no-such-user-xyz']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a user on this machine/);
  });
});
