/**
 * One audit reads the process table lazily (ProcessTable.lazy): stat on
 * demand, children from /proc/PID/task/TID/children, session members from the
 * leader's, the target's and pid 1's descendants. It must give what the full
 * table gives. Checked on a real login session (a pty in tmux) holding a
 * background job, a pipeline, a nested shell's job and an orphan adopted by
 * pid 1, and then the whole reports of both ways compared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProcSource } from '../../src/proc/source.js';
import { ProcessTable } from '../../src/proc/table.js';
import { newRunCache } from '../../src/snapshot/cache.js';
import { readSnapshot } from '../../src/snapshot/read.js';
import { buildReport } from '../../src/audit.js';
import { hostFor } from '../../src/host/reader.js';
import { findProcess, PtyShell, tempDir, Tracker, uniqueSeconds, waitFor } from '../helpers/procs.js';

const tracker = new Tracker();
const shell = new PtyShell('login');
const N = uniqueSeconds();
const pids: Record<string, number> = {};
const source = openProcSource('/proc');

beforeAll(async () => {
  await shell.start(tracker, tempDir());
  // A job, a pipeline job, a job of a nested bash, and an orphan: (sleep &) is adopted by pid 1 (or a subreaper).
  shell.type(`sleep ${N} & sleep ${N + 1} | cat & bash --norc -c 'sleep ${N + 2} & wait' & (sleep ${N + 3} &)`);
  for (const [name, n] of [
    ['job', N],
    ['pipe', N + 1],
    ['nested', N + 2],
    ['orphan', N + 3],
  ] as const) {
    pids[name] = tracker.track(await waitFor(`sleep ${n}`, () => findProcess(new RegExp(`^sleep ${n}$`))));
  }
}, 30_000);

afterAll(() => tracker.killAll());

describe('the lazy process table gives what the full table gives', () => {
  it('is lazy here: this machine has /proc/PID/task/TID/children', () => {
    const lazy = ProcessTable.lazy(source);
    expect(lazy.get(1)).toBeDefined();
    expect(lazy.byPid.size).toBeLessThan(ProcessTable.read(source).byPid.size);
  });

  it.each(['job', 'pipe', 'nested', 'orphan'])('%s: ancestors, children, descendants and session members', (name) => {
    const pid = pids[name]!;
    const full = ProcessTable.read(source);
    const lazy = ProcessTable.lazy(source);
    const sid = full.get(pid)!.session;
    const ids = (l: Iterable<{ pid: number }>) => [...l].map((p) => p.pid).sort((a, b) => a - b);
    expect(ids(lazy.ancestors(pid))).toEqual(ids(full.ancestors(pid)));
    expect(ids(lazy.children(shell.shellPid!))).toEqual(ids(full.children(shell.shellPid!)));
    expect([...lazy.descendants(shell.shellPid!)].sort()).toEqual([...full.descendants(shell.shellPid!)].sort());
    // The orphan's parent is pid 1 or a subreaper above the login; the lazy walk finds it from the target itself.
    expect(ids(lazy.sessionMembers(sid, [pid]))).toEqual(ids(full.sessionMembers(sid).filter((m) => full.get(m.pid))));
    expect(ids(lazy.sessionMembers(sid, [pid]))).toContain(pid);
  });

  it.each(['job', 'pipe', 'nested', 'orphan'])('%s: the audit reports are the same', (name) => {
    const pid = pids[name]!;
    const host = hostFor(source);
    const now = new Date();
    const report = (table: ProcessTable) =>
      buildReport(readSnapshot(source, pid, { cache: newRunCache(source, table), host }), {}, now);
    expect(report(ProcessTable.lazy(source))).toEqual(report(ProcessTable.read(source)));
  });
});
