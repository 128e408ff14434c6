/**
 * The pure part of `daemon-check try`: who counts, the process held against
 * its prediction, the escapes not followed, the one-line answer, the shells'
 * login arguments and markers, the start line's steps, and the schema file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProcStat } from '../../src/proc/stat.js';
import { answer, judgeProcess, notFollowed, survivedAll, type Seen } from '../../src/try/judge.js';
import { counted, descendants } from '../../src/try/members.js';
import { renderTry } from '../../src/try/render.js';
import { trySchemaText } from '../../src/try/schema.js';
import { loginArgs, markerLine, shellKind, steps } from '../../src/try/shells.js';
import type { TryEndingResult, TryResult } from '../../src/try/types.js';
import type { Ending } from '../../src/watch/story.js';

function stat(pid: number, ppid: number, state = 'S'): ProcStat {
  return {
    pid,
    comm: 'sleep',
    state,
    ppid,
    pgrp: pid,
    session: pid,
    ttyNr: 0,
    tpgid: -1,
    flags: 0,
    starttime: '1',
    numThreads: 1,
  };
}

const seen = (over: Partial<Seen>): Seen => ({
  pid: 42,
  argv: ['sleep', '600'],
  comm: 'sleep',
  startedAs: { kind: 'shell-job', detail: 'a job of bash' },
  fate: { outcome: 'dies', why: 'bash sends SIGHUP to its jobs' },
  alive: false,
  waitStatus: 1,
  ending: null,
  ...over,
});

const hupEnding: Ending = {
  pid: 42,
  comm: 'sleep',
  ended: 'signal',
  signal: 'SIGHUP',
  status: null,
  waitStatus: 1,
  sender: { pid: 7, comm: 'bash' },
  code: 'SI_USER',
  cause: 'shell-forwarded-hangup',
  story: "killed by SIGHUP from bash (7), which forwarded the terminal's hangup",
  evidence: [],
  at: null,
  core: false,
  survived: null,
};

function ending(processes: ReturnType<typeof judgeProcess>[], over: Partial<TryEndingResult> = {}): TryEndingResult {
  return {
    skipped: null,
    foreground: false,
    processes,
    notFollowed: [],
    found: { cgroup: true, note: null },
    watched: { mechanism: 'tracefs', note: null },
    kept: [],
    ...over,
  };
}

describe('who counts', () => {
  it('every descendant of the helper and every process of the leaf, less the shell and the zombies', () => {
    const stats = [stat(10, 1), stat(11, 10), stat(12, 11), stat(13, 10), stat(14, 12, 'Z'), stat(20, 1)];
    expect(descendants(stats, 10).sort()).toEqual([11, 12, 13, 14]);
    const byPid = new Map(stats.map((s) => [s.pid, s]));
    expect(counted([13, 20, 99], descendants(stats, 10), byPid, 11)).toEqual([12, 13, 20]);
  });
});

describe('a process held against its prediction', () => {
  it('a death told by the watch: signal, sender, cause and story; agrees with `dies`', () => {
    const p = judgeProcess(seen({ ending: hupEnding }));
    expect(p).toMatchObject({
      observed: 'died',
      signal: 'SIGHUP',
      sender: { pid: 7, comm: 'bash' },
      cause: 'shell-forwarded-hangup',
      predicted: 'dies',
      agrees: true,
    });
  });

  it('a death not watched: the signal from the reaped status, and "not observed" for the rest', () => {
    const p = judgeProcess(seen({ waitStatus: 15 }));
    expect(p).toMatchObject({ signal: 'SIGTERM', sender: null, cause: null, exitCode: null });
    expect(p.story).toBe('killed by SIGTERM (sender and cause not observed: watching needs root)');
    expect(judgeProcess(seen({ waitStatus: 0x300 })).exitCode).toBe(3);
  });

  it('a survivor predicted to die is a disagreement; an unknown prediction never agrees', () => {
    expect(judgeProcess(seen({ alive: true })).agrees).toBe(false);
    expect(judgeProcess(seen({ alive: true, fate: { outcome: 'lives', why: 'nohup' } })).agrees).toBe(true);
    const unknown = judgeProcess(seen({ alive: true, fate: null, notAudited: 'not audited: only the first 64 are' }));
    expect(unknown).toMatchObject({
      predicted: 'unknown',
      agrees: false,
      predictedWhy: 'not audited: only the first 64 are',
    });
  });
});

describe('escapes through a daemon that already ran', () => {
  it('names at, systemd-run and docker, and tmux or screen only when the login made no server', () => {
    expect(notFollowed('echo ./job.sh | at now', []).map((n) => n.what)).toEqual(['at']);
    expect(notFollowed('systemd-run --user ./job.sh', []).map((n) => n.what)).toEqual(['systemd-run']);
    expect(notFollowed('docker run -d nginx', []).map((n) => n.what)).toEqual(['docker']);
    expect(notFollowed('tmux new -d sleep 9', ['sleep']).map((n) => n.what)).toEqual(['tmux']);
    expect(notFollowed('tmux new -d sleep 9', ['tmux: server', 'sleep'])).toEqual([]);
    expect(notFollowed('nohup ./job.sh &', [])).toEqual([]);
  });
});

describe('the answer', () => {
  const lives = judgeProcess(seen({ alive: true, fate: { outcome: 'lives', why: 'nohup' } }));
  const dies = judgeProcess(seen({ ending: hupEnding }));

  it('survives both', () => {
    const endings = { hangup: ending([lives]), exit: ending([lives]) };
    expect(answer('nohup ./job.sh &', endings)).toBe('`nohup ./job.sh &`: survives a hangup and an exit');
    expect(survivedAll(endings)).toBe(true);
  });

  it('dies at a hangup, with the sender and the reason', () => {
    const endings = { hangup: ending([dies]), exit: ending([lives]) };
    expect(answer('./job.sh &', endings)).toBe(
      "`./job.sh &`: dies at a hangup: SIGHUP from bash (7), which forwarded the terminal's hangup; survives an exit",
    );
    expect(survivedAll(endings)).toBe(false);
  });

  it('some of several die; nothing lasted; an ending not tried', () => {
    expect(answer('a & b &', { hangup: ending([dies, lives]) })).toBe(
      "`a & b &`: 1 of 2 die at a hangup: sleep (42), SIGHUP from bash (7), which forwarded the terminal's hangup",
    );
    expect(answer('true', { hangup: ending([]), exit: ending([]) })).toBe(
      '`true`: started nothing that was still running when the login ended',
    );
    const fg = { hangup: ending([dies]), exit: ending([], { skipped: 'the line was left in the foreground' }) };
    expect(answer('sleep 9', fg)).toBe(
      "`sleep 9`: dies at a hangup: SIGHUP from bash (7), which forwarded the terminal's hangup; an exit was not tried: the line was left in the foreground",
    );
  });

  it('the table marks a disagreement and says it in words', () => {
    const wrong = judgeProcess(seen({ alive: true }));
    const result: TryResult = {
      schemaVersion: 1,
      line: 'sleep 9 & disown',
      shell: '/bin/bash',
      user: 'root',
      rc: true,
      endings: { hangup: ending([wrong]) },
      survivedAll: true,
      answer: '`sleep 9 & disown`: survives a hangup',
    };
    const text = renderTry(result);
    expect(text).toContain('!! 42      sleep 600');
    expect(text).toContain('predicted it dies (bash sends SIGHUP to its jobs), but it survived');
    expect(text).toContain('!! 1 prediction of the fate model disagreed with what happened');
  });
});

describe('shells and the start line', () => {
  it('knows the shells by their real path, and how each skips its startup files', () => {
    expect(['/usr/bin/bash', '/usr/bin/zsh', '/usr/bin/dash', '/usr/bin/fish', '/bin/ksh93'].map(shellKind)).toEqual([
      'bash',
      'zsh',
      'dash',
      'fish',
      'ksh',
    ]);
    expect(loginArgs('/bin/bash', 'bash', true)).toEqual({ arg0: '-bash', args: ['--noprofile', '--norc'] });
    expect(loginArgs('/usr/bin/zsh', 'zsh', true)).toEqual({ arg0: '-zsh', args: ['-f'] });
    expect(loginArgs('/bin/dash', 'dash', false)).toEqual({ arg0: '-dash', args: [] });
  });

  it('gives the shell a marker it must compute', () => {
    expect(markerLine('bash', 41)).toEqual({ line: 'echo dc-$((41+1))', answer: 'dc-42' });
    expect(markerLine('fish', 41)).toEqual({ line: 'echo dc-(math 41 + 1)', answer: 'dc-42' });
  });

  it('splits the line into steps; a line of caret keys is pressed, not typed', () => {
    expect(steps('sleep 600\n^Z\ndisown\n\n^A d')).toEqual([
      { kind: 'line', text: 'sleep 600' },
      { kind: 'keys', text: '^Z', bytes: '\x1a' },
      { kind: 'line', text: 'disown' },
      { kind: 'keys', text: '^A d', bytes: '\x01d' },
    ]);
    expect(steps('echo ^Z')).toEqual([{ kind: 'line', text: 'echo ^Z' }]);
  });
});

describe('schema/try.schema.json', () => {
  it('is what src/try/schema.ts builds (npm run docs)', () => {
    const file = fileURLToPath(new URL('../../schema/try.schema.json', import.meta.url));
    expect(readFileSync(file, 'utf8')).toBe(trySchemaText());
  });
});
