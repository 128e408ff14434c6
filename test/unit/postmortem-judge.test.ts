/** The judge: from gathered evidence to one cause, most probable first, and what cannot be known. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournalText, type Who } from '../../src/postmortem/journal.js';
import { judge, type Gathered } from '../../src/postmortem/judge.js';
import { kernelEvents, parseKmsg } from '../../src/postmortem/kmsg.js';
import { logoutsBetween, parseWtmp } from '../../src/postmortem/wtmp.js';

const DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'postmortem');
const text = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');
/** btime when the kernel lines were recorded (recording.md). */
const BOOT = 1796612746;
const NOW = 1796615500;

function gathered(
  who: Who,
  {
    kmsg = [],
    journals: files = [],
    ...o
  }: Omit<Partial<Gathered>, 'journals'> & { kmsg?: string[]; journals?: string[] } = {},
): Gathered {
  const records = kmsg.flatMap((f) => parseKmsg(text(f)));
  return {
    who,
    now: NOW,
    since: null,
    pidfile: null,
    journals: {
      files,
      findings: files.flatMap((f) => readJournalText(text(f), who).findings.map((x) => ({ ...x, file: f }))),
      lost: 0,
    },
    kernel: { events: kernelEvents(records), from: '/dev/kmsg', bootEpoch: BOOT, firstAt: null },
    logind: null,
    wtmp: null,
    sources: [],
    ...o,
  };
}

describe('judge', () => {
  it('names the OOM killer from the kernel line alone, with its time in wall clock', () => {
    const p = judge(gathered({ pid: 8746 }, { kmsg: ['kmsg-segfault.txt', 'kmsg-oom-memcg.txt'] }));
    expect(p).toMatchObject({ pid: 8746, comm: 'python3', cause: 'oom-killer' });
    expect(p.story).toBe(
      'the OOM killer killed python3 (8746) with SIGKILL in memory cgroup /dc-pm-6183 (limit 64 MiB, usage 64 MiB), with 71 MiB of anonymous memory',
    );
    expect(p.evidence).toHaveLength(1);
    expect(p.evidence[0]).toMatchObject({
      source: 'kernel-log',
      at: new Date((BOOT + 2667.994254) * 1000).toISOString(),
      suggests: 'oom-killer',
    });
    expect(p.unknowns).toContain('no watch journal was found, so no watch saw pid 8746 end');
    expect(p.unknowns.some((u) => /earlier process that had the same pid/.test(u))).toBe(true);
  });

  it('puts the segfault line before the print-fatal-signals line: cause crash', () => {
    const p = judge(gathered({ pid: 10422 }, { kmsg: ['kmsg-fatal-signal.txt'] }));
    expect(p.cause).toBe('crash');
    expect(p.evidence.map((e) => e.line.slice(0, 30))).toEqual([
      'segv-demo[10422]: segfault at ',
      'segv-demo: segv-demo: potentia',
    ]);
  });

  it("takes a watch's own ending before anything else", () => {
    const p = judge(gathered({ pid: 4321 }, { journals: ['journal-hangup.jsonl'], kmsg: ['kmsg-traps.txt'] }));
    expect(p.cause).toBe('shell-forwarded-hangup');
    expect(p.story).toBe(
      "a watch saw it end: killed by SIGHUP from bash (4100), which forwarded the terminal's hangup",
    );
    expect(p.evidence.map((e) => [e.source, e.suggests, e.strength])).toEqual([
      ['watch-journal', 'shell-forwarded-hangup', 'observed'],
      ['watch-journal', 'killed', 'observed'],
      ['watch-journal', null, null],
      ['watch-journal', null, null],
    ]);
    expect(p.unknowns).toEqual(['the kernel log has no line for pid 4321']);
  });

  it('says plainly that a kill -9 leaves no trace, and shows a logout around the time as possible only', () => {
    const wtmp = {
      file: 'wtmp-logout.bin',
      logouts: logoutsBetween(parseWtmp(fs.readFileSync(path.join(DIR, 'wtmp-logout.bin'))), null, null),
    };
    const p = judge(gathered({ pid: 31337 }, { kmsg: ['kmsg-traps.txt'], wtmp, since: 1796614000 }));
    expect(p.cause).toBe('unknown');
    expect(p.story).toMatch(/^unknown: nothing recorded how it ended; around that time, alice logged out of pts\/3/);
    expect(p.evidence).toEqual([
      expect.objectContaining({ source: 'wtmp', suggests: 'terminal-hangup', strength: 'around-the-time' }),
    ]);
    expect(p.unknowns).toEqual([
      'no watch journal was found, so no watch saw pid 31337 end',
      'the kernel log has no line for pid 31337',
      'a plain kill -9, or any signal sent by another process, leaves no trace in the kernel log: only a watch running at the time records the sender (daemon-check watch PID)',
      'its exit status went to its parent, which reaped it: the host keeps no record of it',
    ]);
    expect(p.window).toEqual({ since: '2026-12-07T03:26:40.000Z', until: new Date(NOW * 1000).toISOString() });
  });

  it('leaves out kernel lines from before --since or the pidfile (an earlier process with that pid)', () => {
    const pidfile = { path: '/run/x.pid', content: '8746\n', pid: 8746, mtime: BOOT + 3000, owner: 'root', lock: null };
    const p = judge(gathered({ pid: 8746 }, { kmsg: ['kmsg-oom-memcg.txt'], pidfile }));
    expect(p.cause).toBe('unknown');
    expect(p.evidence.map((e) => e.source)).toEqual(['pidfile']);
    expect(p.evidence[0]!.meaning).toMatch(/names pid 8746, which no longer runs; no process holds a lock on it/);
    expect(p.unknowns).toContain('the kernel log has no line for pid 8746');
  });

  it('with --name, answers for the newest pid of that name and lists the others', () => {
    const p = judge(gathered({ name: 'trap-demo' }, { kmsg: ['kmsg-traps.txt', 'kmsg-fatal-signal.txt'] }));
    expect(p).toMatchObject({ pid: 10421, comm: 'trap-demo', cause: 'crash', others: [10116, 10117, 10118] });
    const none = judge(gathered({ name: 'nothing-like-it' }, { kmsg: ['kmsg-traps.txt'] }));
    expect(none).toMatchObject({ pid: null, comm: 'nothing-like-it', cause: 'unknown', evidence: [] });
  });

  it('names each source that did not answer, and why', () => {
    const sources = [
      {
        source: 'kernel-log' as const,
        status: 'refused' as const,
        detail:
          '/dev/kmsg refused (EPERM): kernel.dmesg_restrict=1 lets only CAP_SYSLOG (root) read the kernel log; run as root',
      },
      { source: 'journald' as const, status: 'absent' as const, detail: 'no journald' },
    ];
    const p = judge(gathered({ pid: 9 }, { kernel: null, sources }));
    expect(p.unknowns.slice(-2)).toEqual([`kernel-log: ${sources[0]!.detail}`, 'journald: no journald']);
    expect(p.unknowns.some((u) => /the kernel log has no line/.test(u))).toBe(false);
  });
});
