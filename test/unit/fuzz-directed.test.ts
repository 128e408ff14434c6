/**
 * Directed breakage of every audited fixture, in-process: fd/ gone, status
 * garbled, fd 0's link garbled, the session leader's stat garbled or gone.
 * No check passes on evidence that is gone or garbled (the random breakage
 * of the same kind: fuzz.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/audit-types.js';
import { copyTree } from '../helpers/fuzz.js';
import { FIXTURES, auditInProcess, fixtures } from '../helpers/fuzz-run.js';
import { MEMORY_TMP, tempDir } from '../helpers/temp.js';

const tmp = tempDir('dc-fuzz-directed-', MEMORY_TMP);

/** One fixture copied and broken in one chosen way, audited in-process. */
function directed(name: string, pid: number, label: string, breakIt: (proc: string) => void): Report {
  const t = copyTree(path.join(FIXTURES, name), path.join(tmp, `${name}-directed-${label}`), name, pid);
  breakIt(t.proc);
  const out = auditInProcess(t);
  if ('error' in out) throw new Error(`${name} ${label}: ${out.error.code} ${out.error.message}`);
  return out.report;
}

const statusOf = (r: Report, id: string) => r.checks.find((c) => c.id === id)!.status;
const audited = fixtures.filter((f) => fs.existsSync(path.join(FIXTURES, f.name, 'expected.json')));

describe('directed breakage: no check passes on evidence that is gone or garbled', () => {
  it.each(audited.map((f) => [f.name, f.pid] as const))('%s', (name, pid) => {
    // fd/ deleted entirely: every row that reads fds is unknown, and the verdict cannot be a daemon.
    const noFd = directed(name, pid, 'no-fd', (proc) =>
      fs.rmSync(path.join(proc, `${pid}/fd`), { recursive: true, force: true }),
    );
    for (const id of ['stdio-detached', 'no-leaked-fds', 'world-writable-files', 'single-instance'])
      expect(statusOf(noFd, id), id).toBe('unknown');
    expect(['inconclusive', 'not-a-daemon']).toContain(noFd.verdict);

    // status replaced with binary garbage: umask, signals and privileges are unknown.
    const garbled = directed(name, pid, 'status', (proc) =>
      fs.writeFileSync(path.join(proc, `${pid}/status`), Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x0a, 0x80])),
    );
    for (const id of ['umask', 'signal-mask', 'handles-sigterm', 'privileges'])
      expect(statusOf(garbled, id), id).toBe('unknown');

    // fd 0's link garbled: stdio-detached cannot pass (it still fails on a terminal elsewhere).
    const link = directed(name, pid, 'fd0', (proc) => {
      if (fs.existsSync(path.join(proc, `${pid}/fd`)))
        fs.writeFileSync(path.join(proc, `${pid}/fd/0.link`), 'a\nb\u001b[31m');
    });
    expect(['unknown', 'fail']).toContain(statusOf(link, 'stdio-detached'));

    // The session leader's stat garbled (not gone): own-session cannot call it "leader gone".
    const sid = Number(
      fs
        .readFileSync(path.join(FIXTURES, name, 'proc', String(pid), 'stat'), 'utf8')
        .split(') ')[1]!
        .split(' ')[3],
    );
    if (sid !== pid && fs.existsSync(path.join(FIXTURES, name, 'proc', String(sid), 'stat'))) {
      const leader = directed(name, pid, 'leader', (proc) =>
        fs.writeFileSync(path.join(proc, `${sid}/stat`), 'garbage'),
      );
      expect(statusOf(leader, 'own-session')).not.toBe('pass');
      const gone = directed(name, pid, 'leader-gone', (proc) =>
        fs.rmSync(path.join(proc, String(sid)), { recursive: true, force: true }),
      );
      expect(gone.facts.unreadable.sessionLeader).toBeUndefined();
    }
  });
});
