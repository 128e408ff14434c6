/** wtmp, watch journals, journalctl's JSON and --since, each parsed on its own. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournalText } from '../../src/postmortem/journal.js';
import { parseJournalctlJson } from '../../src/postmortem/journald.js';
import { defaultJournalDir, journalDirs } from '../../src/postmortem/place.js';
import { parseSince } from '../../src/postmortem/since.js';
import { logoutsBetween, parseWtmp } from '../../src/postmortem/wtmp.js';

const DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'postmortem');
const read = (name: string) => fs.readFileSync(path.join(DIR, name));

describe('wtmp', () => {
  it("reads this host's records (struct utmp, 384 bytes)", () => {
    expect(parseWtmp(read('wtmp-recorded.bin'))).toEqual([
      { type: 'USER_PROCESS', pid: 10136, line: 'pts/7', user: 'root', host: '127.0.0.1', time: 1796613143.407687 },
      { type: 'USER_PROCESS', pid: 10142, line: 'pts/8', user: 'root', host: '127.0.0.1', time: 1796613143.453128 },
    ]);
  });

  it('pairs a DEAD_PROCESS with the login that had its line, and ignores a partial record', () => {
    const buf = Buffer.concat([read('wtmp-logout.bin'), Buffer.alloc(100)]);
    const records = parseWtmp(buf);
    expect(records.map((r) => r.type)).toEqual(['USER_PROCESS', 'USER_PROCESS', 'DEAD_PROCESS']);
    expect(logoutsBetween(records, null, null)).toEqual([
      { user: 'alice', line: 'pts/3', host: '10.0.0.5', loginAt: 1796612400, at: 1796614200.5, pid: 4100 },
    ]);
    expect(logoutsBetween(records, 1796614300, null)).toEqual([]);
    expect(logoutsBetween(records, null, 1796614000)).toEqual([]);
  });
});

describe('watch journals', () => {
  it('finds the ending of a pid in the summary, its exit and the signal sent to it', () => {
    const { findings, skipped, lost } = readJournalText(read('journal-hangup.jsonl').toString(), { pid: 4321 });
    expect(skipped).toBe(0);
    expect(lost).toBe(0);
    expect(findings.map((f) => [f.kind, f.cause, f.t])).toEqual([
      ['watching', null, 1796614190.1],
      ['signal', null, 1796614200.512301],
      ['exit', 'killed', 1796614200.513002],
      ['ending', 'shell-forwarded-hangup', 1796614200.6],
    ]);
    expect(findings[1]!.story).toBe('SIGHUP from bash (4100), SI_USER, delivered');
    expect(findings[3]!.story).toBe("killed by SIGHUP from bash (4100), which forwarded the terminal's hangup");
  });

  it('matches by comm with --name, and finds nothing for another pid', () => {
    expect(readJournalText(read('journal-hangup.jsonl').toString(), { name: 'sleep' }).findings).toHaveLength(3);
    expect(readJournalText(read('journal-hangup.jsonl').toString(), { pid: 1 }).findings).toEqual([]);
  });

  it('skips a line cut short and counts lost events', () => {
    const r = readJournalText(read('journal-cut-short.jsonl').toString(), { pid: 5555 });
    expect(r.skipped).toBe(1);
    expect(r.lost).toBe(3);
    expect(r.findings.map((f) => f.kind)).toEqual(['watching', 'signal']);
  });

  it('tells an exit by status, by a crash signal and by SIGPIPE', () => {
    const exit = (o: object) =>
      readJournalText(JSON.stringify({ kind: 'exit', t: 1, pid: 7, comm: 'x', ...o }), { pid: 7 }).findings[0]!;
    expect(exit({ exitCode: 3, signal: null })).toMatchObject({ cause: 'exit' });
    expect(exit({ signal: 'SIGSEGV', core: true })).toMatchObject({
      cause: 'crash',
      story: expect.stringMatching(/core dumped/),
    });
    expect(exit({ signal: 'SIGPIPE' })).toMatchObject({ cause: 'broken-pipe' });
    expect(exit({ status: null, exitCode: null, signal: null })).toMatchObject({ cause: 'unknown' });
  });
});

describe('journalctl -o json', () => {
  it("reads logind's session ends and the scope's stop (lines in journalctl's JSON form)", () => {
    const line = (usec: number, message: string | number[]) =>
      JSON.stringify({ __REALTIME_TIMESTAMP: String(usec), MESSAGE: message });
    const text = [
      line(1796614200000000, 'Session 3 logged out. Waiting for processes to exit.'),
      line(1796614200100000, 'Stopping session-3.scope - Session 3 of User alice...'),
      line(1796614200200000, [...Buffer.from('session-3.scope: Deactivated successfully.')]),
      line(1796614200300000, 'Removed session 3.'),
      line(1796614200400000, 'New session 4 of user bob.'),
      'not json',
    ].join('\n');
    expect(parseJournalctlJson(text).map((e) => [e.kind, e.session, e.at])).toEqual([
      ['logged-out', '3', 1796614200],
      ['scope-stopping', '3', 1796614200.1],
      ['scope-stopped', '3', 1796614200.2],
      ['removed', '3', 1796614200.3],
    ]);
  });
});

describe('--since and the journal folders', () => {
  const now = 1796615000;
  it.each([
    ['@1796614000', 1796614000],
    ['90', now - 90],
    ['5m', now - 300],
    ['2h ago', now - 7200],
    ['1d', now - 86400],
    ['2026-12-07T03:00:00Z', 1796612400],
    ['2026-12-07 03:00+00:00', 1796612400],
  ])('reads %s', (text, want) => {
    expect(parseSince(text, now)).toBe(want);
  });

  it.each(['yesterday', '5 minutes', '2026-13-45', '', '-5m'])('refuses %j', (text) => {
    expect(parseSince(text, now)).toBeNull();
  });

  it('puts journals under $DAEMON_CHECK_JOURNAL_DIR, else /var/lib for root and XDG state for a user', () => {
    expect(defaultJournalDir({ DAEMON_CHECK_JOURNAL_DIR: '/j' }, 0)).toBe('/j');
    expect(defaultJournalDir({}, 0)).toBe('/var/lib/daemon-check/journal');
    expect(defaultJournalDir({ HOME: '/home/a' }, 1000)).toBe('/home/a/.local/state/daemon-check/journal');
    expect(defaultJournalDir({ XDG_STATE_HOME: '/s', HOME: '/home/a' }, 1000)).toBe('/s/daemon-check/journal');
    expect(journalDirs({}, 0, '/host')).toEqual(['/host/var/lib/daemon-check/journal']);
    expect(journalDirs({ HOME: '/home/a' }, 1000, '/')).toEqual([
      '/var/lib/daemon-check/journal',
      '/home/a/.local/state/daemon-check/journal',
    ]);
    expect(journalDirs({ DAEMON_CHECK_JOURNAL_DIR: '/j' }, 1000, '/host')).toEqual(['/j']);
  });
});
