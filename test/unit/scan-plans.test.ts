/**
 * The read plans (src/snapshot/plan.ts) on every captured fixture: the scan's
 * table pass reads stat, status, cmdline and cgroup, and the few facts the
 * fate needs (fds 0-2, or every fd and how it waits where it blocks a
 * signal), so its fate is the audit's; it marks the rest NOTREAD. Its
 * full pass judges each process as one audit does, though it skips the
 * cwd's stat, the stdio's fdinfo and mountinfo where no check needs them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/audit.js';
import { TABLE_DECISIVE } from '../../src/checks/index.js';
import { CaptureHost, readCaptureMeta } from '../../src/host/reader.js';
import { openProcSource } from '../../src/proc/source.js';
import { ProcessTable } from '../../src/proc/table.js';
import { newRunCache } from '../../src/snapshot/cache.js';
import { readSnapshot } from '../../src/snapshot/read.js';
import { NOT_READ } from '../../src/snapshot/types.js';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');
/** The fixtures of a process that can be audited (not the kernel thread). */
const NAMES = fs
  .readdirSync(FIXTURES)
  .filter((n) => fs.existsSync(path.join(FIXTURES, n, 'expected.json')))
  .filter((n) => n !== 'kernel-thread');

function open(name: string) {
  const source = openProcSource(path.join(FIXTURES, name));
  const meta = readCaptureMeta(source.root)!;
  const host = new CaptureHost(meta, source.root);
  const cache = newRunCache(source, ProcessTable.read(source));
  return { source, pid: meta.pid!, host, cache };
}

describe('read plans on the fixtures', () => {
  it('has fixtures to read', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(10);
  });

  it.each(NAMES)('%s: the table pass reads the table and what the fate needs, and marks the rest NOTREAD', (name) => {
    const { source, pid, host, cache } = open(name);
    const audit = readSnapshot(source, pid, { host });
    const table = readSnapshot(source, pid, { host, cache, plan: 'scan-table' });
    for (const fact of ['environ', 'mountinfo', 'cwd', 'locks']) expect(table.unreadable[fact], fact).toBe(NOT_READ);
    const { environ, mounts, cwd, locks, sockets, pidfile, cwdStat } = table;
    const left = { environ, mounts, cwd, locks, sockets, pidfile, cwdStat };
    expect(Object.entries(left).filter(([, v]) => v !== null)).toEqual([]);
    expect(table.peers).toEqual({});
    expect(table.stat).toEqual(audit.stat);
    expect(table.status).toEqual(audit.status);
    expect(table.cmdline).toEqual(audit.cmdline);
    expect(table.cgroup).toEqual(audit.cgroup);
    expect(table.multiplexerCgroup).toEqual(audit.multiplexerCgroup);
    expect({ wchan: table.wchan, syscall: table.syscall, exe: table.exe }).toEqual({
      wchan: audit.wchan,
      syscall: audit.syscall,
      exe: audit.exe,
    });
    // Every fd where it blocks a signal (a signalfd may take it), else fds 0-2 only.
    const blocks = audit.status?.sigBlk !== 0n;
    const fds = (s: typeof audit) => s.fds?.filter((f) => blocks || f.fd <= 2).map((f) => [f.fd, f.target, f.terminal]);
    expect(fds(table)).toEqual(fds(audit));
    expect(table.parent).toEqual(audit.parent);
    expect(table.sessionLeader).toEqual(audit.sessionLeader);
    expect(table.ancestors).toEqual(audit.ancestors);
    expect(table.sessionMembers).toEqual(audit.sessionMembers);
    // The checks the table decides say on it what they say on the audit's snapshot, and so does the fate.
    const [t, a] = [judge(table, {}, TABLE_DECISIVE), judge(audit, {}, TABLE_DECISIVE)];
    expect(t.rows).toEqual(a.rows);
    expect(t.fate).toEqual(a.fate);
  });

  it.each(NAMES)('%s: the full pass judges as one audit does, without the cwd stat', (name) => {
    const { source, pid, host, cache } = open(name);
    const audit = readSnapshot(source, pid, { host });
    readSnapshot(source, pid, { host, cache, plan: 'scan-table' });
    const full = readSnapshot(source, pid, { host, cache, plan: 'scan-full' });
    expect(full.cwdStat).toBeNull();
    expect(full.cmdline).toEqual(audit.cmdline);
    expect(full.environ).toEqual(audit.environ);
    expect(full.cgroup).toEqual(audit.cgroup);
    expect(full.fds?.map((f) => f.target)).toEqual(audit.fds?.map((f) => f.target));
    expect(judge(full).rows).toEqual(judge(audit).rows);
  });
});
