/**
 * The watch's output: the line of each event as it happens, the "How it
 * ended" section with the prediction beside what was seen (a disagreement
 * stands out), the lost count, and the JSON lines, validated against
 * schema/watch-event.schema.json and schema/watch-summary.schema.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { FATE_EVENTS, type Fate, type FateEvent, type Outcome } from '../../src/core/types.js';
import { judge } from '../../src/watch/predict.js';
import { clock, eventPrinter, renderEndings } from '../../src/watch/render.js';
import { tellEndings, type KnownProcess } from '../../src/watch/story.js';
import { buildSummary, isJsonLine } from '../../src/watch/summary.js';
import { Stream } from '../helpers/watch-stream.js';

const BASH = { pid: 1234, comm: 'bash' };
const KNOWN = new Map<number, KnownProcess>([
  [1234, { pid: 1234, comm: 'bash', pgid: 1234, sid: 1234 }],
  [1300, { pid: 1300, comm: 'sleep', ppid: 1234, pgid: 1300, sid: 1234 }],
  [1301, { pid: 1301, comm: 'sleep', ppid: 1234, pgid: 1301, sid: 1234 }],
]);

function fate(outcomes: Partial<Record<FateEvent, Outcome>>): Fate {
  return Object.fromEntries(FATE_EVENTS.map((e) => [e, { outcome: outcomes[e] ?? 'unknown', why: 'test' }])) as Fate;
}

/** The README's case: a plain & job and a nohup job, the login's pty hung up. */
function hangupStream(): Stream {
  return new Stream()
    .start([1300, 1301])
    .signal(1234, 'SIGHUP', 'SI_KERNEL', { pid: 900, comm: 'sshd' })
    .signal(1300, 'SIGHUP', 'SI_USER', BASH)
    .signal(1301, 'SIGHUP', 'SI_USER', BASH, { result: 'ignored' })
    .exit(1300, 'sleep', { signal: 'SIGHUP' })
    .end('signal');
}

function judged(s: Stream, fates: Record<number, Fate>) {
  return tellEndings({ events: s.events, watched: [1300, 1301], known: KNOWN }).map((e) =>
    judge(e, fates[e.pid] ?? null),
  );
}

describe('event lines', () => {
  it('one line per event: time, pid, comm, what happened', () => {
    const s = hangupStream();
    const print = eventPrinter(KNOWN);
    const lines = s.events.map((e) => print(e));
    const t = (i: number) => clock(s.events[i]!.t);
    expect(lines[0]).toBe('watching 1300, 1301 with tracefs signal events and the proc connector');
    expect(lines[1]).toBe(`${t(1)}    1234 bash            SIGHUP from sshd (900) SI_KERNEL: delivered`);
    expect(lines[3]).toBe(`${t(3)}    1301 sleep           SIGHUP from bash (1234) SI_USER: ignored`);
    expect(lines[4]).toBe(`${t(4)}    1300 sleep           killed by SIGHUP`);
    expect(lines[5]).toBeNull();
    expect(clock(s.events[1]!.t)).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
  });

  it('forks, execs, setsid, exits, OOM choices, lost events, caught signals; a hostile comm is made safe', () => {
    const s = new Stream()
      .start([1300])
      .fork(1300, 1310, 'sh')
      .exec(1310, 'evil\x1b[2J', '/tmp/evil')
      .setsid(1310)
      .signal(1310, 'SIGTERM', 'SI_USER', BASH, { disposition: 'caught' })
      .oom(1310, 'evil', '/dc-test')
      .lost(3)
      .exit(1310, 'evil', { code: 3 });
    const print = eventPrinter(KNOWN);
    const words = s.events.map((e) => print(e)?.slice(13));
    expect(words.slice(1)).toEqual([
      '   1300 sleep           started sh (1310)',
      '   1310 evil\\x1b[2J     exec /tmp/evil',
      '   1310 evil\\x1b[2J     setsid: leads session 1310 now',
      '   1310 evil\\x1b[2J     SIGTERM from bash (1234) SI_USER: caught by a handler',
      '   1310 evil\\x1b[2J     chosen by the OOM killer in cgroup /dc-test (200 MiB resident, oom_score_adj 0)',
      '                        3 events lost (the trace ring buffer overran)',
      '   1310 evil\\x1b[2J     exited with status 3',
    ]);
  });
});

describe('How it ended', () => {
  it('the cause, the evidence lines, and the prediction beside the observation', () => {
    const s = hangupStream();
    const endings = judged(s, { 1300: fate({ hangup: 'dies' }), 1301: fate({ hangup: 'lives' }) });
    const text = renderEndings(
      { mechanism: 'tracefs', lost: 0, events: s.events, known: KNOWN, endings },
      { color: false },
    );
    const lines = text.split('\n');
    const t = (i: number) => clock(s.events[i]!.t);
    expect(lines.slice(1)).toEqual([
      'How it ended',
      "sleep (1300): its shell forwarded the terminal's hangup",
      `    ${t(1)}    1234 bash            SIGHUP from sshd (900) SI_KERNEL: delivered`,
      `    ${t(2)}    1300 sleep           SIGHUP from bash (1234) SI_USER: fatal (its default action)`,
      `    ${t(4)}    1300 sleep           killed by SIGHUP`,
      "  predicted hangup: dies; observed: killed by SIGHUP from bash (1234), which forwarded the terminal's hangup",
      'sleep (1301): still running',
      `    ${t(1)}    1234 bash            SIGHUP from sshd (900) SI_KERNEL: delivered`,
      `    ${t(3)}    1301 sleep           SIGHUP from bash (1234) SI_USER: ignored`,
      "  predicted hangup: lives; observed: still running when the watch ended; it ignored SIGHUP from bash (1234), which forwarded the terminal's hangup",
      '',
      'mechanism: tracefs; lost 0 events',
      '',
    ]);
  });

  it('a prediction that did not hold is one line with a ! and, with colour, red', () => {
    const s = hangupStream();
    const endings = judged(s, { 1300: fate({ hangup: 'lives' }) });
    const view = { mechanism: 'tracefs' as const, lost: 3, events: s.events, known: KNOWN, endings };
    const plain = renderEndings(view, { color: false }).split('\n');
    const wrong = plain.filter((l) => l.startsWith('!'));
    expect(wrong).toEqual([
      "! predicted hangup: lives; observed: killed by SIGHUP from bash (1234), which forwarded the terminal's hangup (the prediction did not hold)",
    ]);
    expect(plain).toContain('mechanism: tracefs; 3 events lost: the story may miss them');
    // No prediction for the nohup job here: the observation stands alone.
    expect(plain).toContain(
      "  observed: still running when the watch ended; it ignored SIGHUP from bash (1234), which forwarded the terminal's hangup",
    );
    const colored = renderEndings(view, { color: true });
    expect(colored).toContain('\x1b[31m\x1b[1m! predicted hangup: lives');
  });
});

describe('JSON lines against the schemas', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const load = (f: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', f), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const eventValid = ajv.compile(load('watch-event.schema.json'));
  const summaryValid = ajv.compile(load('watch-summary.schema.json'));

  it('every event line and the summary validate; evidence names lines of the JSON stream', () => {
    const s = hangupStream();
    s.events.splice(5, 0, ...new Stream().oom(1301, 'sleep', null).lost(2).fork(1301, 1320, 'sleep').events);
    s.events.push(...new Stream().exec(1320, 'x', '/bin/x').setsid(1320).events);
    const jsonLines = s.events.filter(isJsonLine);
    expect(jsonLines.map((e) => e.kind)).toEqual([
      'signal',
      'signal',
      'signal',
      'exit',
      'oom',
      'lost',
      'fork',
      'exec',
      'setsid',
    ]);
    for (const e of jsonLines)
      expect(eventValid(JSON.parse(JSON.stringify(e))), JSON.stringify(eventValid.errors)).toBe(true);
    const endings = judged(s, { 1300: fate({ hangup: 'dies' }) });
    const at = new Date('2024-01-01T00:00:00Z');
    const summary = buildSummary({
      mechanism: 'tracefs',
      lost: 2,
      startedAt: at,
      endedAt: at,
      reason: 'signal',
      events: s.events,
      endings,
    });
    expect(summaryValid(JSON.parse(JSON.stringify(summary))), JSON.stringify(summaryValid.errors)).toBe(true);
    expect(summary).toMatchObject({ kind: 'summary', schemaVersion: 1, mechanism: 'tracefs', lost: 2 });
    expect(summary.endings[0]).toMatchObject({
      pid: 1300,
      comm: 'sleep',
      ended: 'signal',
      signal: 'SIGHUP',
      status: null,
      waitStatus: 1,
      sender: BASH,
      code: 'SI_USER',
      cause: 'shell-forwarded-hangup',
      predicted: { event: 'hangup', outcome: 'dies' },
      agrees: true,
      evidence: [0, 1, 3],
    });
    expect(summary.endings[1]).toMatchObject({ pid: 1301, ended: 'alive', cause: 'unknown', predicted: null });
  });

  it('the schemas refuse a cause the story does not tell and a line without its kind', () => {
    const s = hangupStream();
    const summary = buildSummary({
      mechanism: 'pidfd',
      lost: 0,
      startedAt: new Date(),
      endedAt: new Date(),
      reason: 'all-ended',
      events: s.events,
      endings: judged(s, {}),
    });
    const bad = JSON.parse(JSON.stringify(summary));
    bad.endings[0].cause = 'gremlins';
    expect(summaryValid(bad)).toBe(false);
    expect(eventValid({ t: 1, pid: 1 })).toBe(false);
  });
});
