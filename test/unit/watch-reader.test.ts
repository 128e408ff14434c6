// The watch reader's pure parts: the failure stages agree with
// native/protocol.h, helper lines parse, and deliver lines fold into their
// signal as disposition, on hand-made lines and on the recorded streams of
// fixtures/watch (scripts/record-watch.sh).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS, parseHelperLine, type HelperLine, type SignalEvent } from '../../src/watch/events.js';
import { WATCH_STAGES, parseFailureLine, watchFailureMessage } from '../../src/watch/failure.js';
import { DELIVER_WAIT_MS, DeliverFolder, foldLines, helperArgs } from '../../src/watch/reader.js';

const header = readFileSync(fileURLToPath(new URL('../../native/protocol.h', import.meta.url)), 'utf8');
const fixtures = fileURLToPath(new URL('../../fixtures/watch/', import.meta.url));

function recorded(name: string): HelperLine[] {
  return readFileSync(`${fixtures}${name}.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => parseHelperLine(l)!);
}

const signal = (pid: number, sig: number, name: string, result = 'delivered'): HelperLine =>
  ({
    kind: 'signal',
    t: 1,
    pid,
    tid: pid,
    sig,
    signal: name,
    code: 0,
    codeName: 'SI_USER',
    sender: null,
    group: true,
    result,
    errno: 0,
  }) as HelperLine;
const deliver = (pid: number, sig: number, handler: string): HelperLine =>
  ({ kind: 'deliver', t: 1, pid, tid: pid, sig, signal: '', code: 0, handler }) as HelperLine;
const exit = (pid: number, sig: string | null): HelperLine =>
  ({ kind: 'exit', t: 2, pid, comm: 'x', status: 0, exitCode: sig ? null : 0, signal: sig, core: false }) as HelperLine;

describe('watch failures', () => {
  it('name the stages of native/protocol.h', () => {
    const defined = [...header.matchAll(/^#define WATCH_STAGE_[A-Z_]+ +"([a-z-]+)"/gm)].map((m) => m[1]);
    expect(Object.values(WATCH_STAGES).sort()).toEqual(defined.sort());
  });

  it("are read from the JSON line, in the helper's words", () => {
    const f = parseFailureLine('{"stage":"watch-unknown-pid","pid":999999}')!;
    expect(f).toEqual({ stage: 'watch-unknown-pid', pid: 999999 });
    expect(watchFailureMessage(f)).toBe('watch: no process 999999');
    expect(parseFailureLine('{"kind":"end","t":1,"reason":"signal"}')).toBeNull();
  });
});

describe('helper lines', () => {
  it('parse by kind and reject anything else', () => {
    expect(parseHelperLine('{"kind":"end","t":1.5,"reason":"timeout"}')).toEqual({
      kind: 'end',
      t: 1.5,
      reason: 'timeout',
    });
    expect(parseHelperLine('{"kind":"nope","t":1}')).toBeNull();
    expect(parseHelperLine('{"stage":"watch-usage"}')).toBeNull();
    expect(parseHelperLine('not json')).toBeNull();
  });

  it("helperArgs passes the options in the helper's words", () => {
    expect(helperArgs({ pids: [12, 13], tree: true, seconds: 5 })).toEqual([
      'watch',
      '--events-fd',
      '3',
      '--json-errors',
      '--tree',
      '--for',
      '5',
      '12',
      '13',
    ]);
    expect(helperArgs({ command: ['sh', '-c', 'exit 3'] }).slice(-4)).toEqual(['--', 'sh', '-c', 'exit 3']);
  });
});

describe('DeliverFolder', () => {
  it('marks a caught signal, and holds what follows until it is known', () => {
    const f = new DeliverFolder();
    expect(f.push(signal(5, 15, 'SIGTERM'), 0)).toEqual([]);
    expect(f.push(exit(6, null), 0)).toEqual([]);
    const out = f.push(deliver(5, 15, 'caught'), 0);
    expect(out.map((e) => e.kind)).toEqual(['signal', 'exit']);
    expect((out[0] as SignalEvent).disposition).toBe('caught');
  });

  it('reads a deliver of SIGKILL as the short-circuit of a fatal default signal', () => {
    const [s] = foldLines([signal(5, 1, 'SIGHUP'), deliver(5, 9, 'default'), exit(5, 'SIGHUP')]);
    expect((s as SignalEvent).disposition).toBe('fatal');
  });

  it('ignored at once; a signal never delivered waits DELIVER_WAIT_MS, then has no disposition', () => {
    const f = new DeliverFolder();
    expect((f.push(signal(5, 1, 'SIGHUP', 'ignored'), 0)[0] as SignalEvent).disposition).toBe('ignored');
    f.push(signal(5, 10, 'SIGUSR1'), 0);
    expect(f.expire(DELIVER_WAIT_MS - 1)).toEqual([]);
    expect((f.expire(DELIVER_WAIT_MS)[0] as SignalEvent).disposition).toBeNull();
  });

  it('folds every deliver of the recorded streams, and none is yielded', () => {
    for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.jsonl'))) {
      const events = foldLines(recorded(file.replace('.jsonl', '')));
      expect(events.some((e) => (e.kind as string) === 'deliver')).toBe(false);
      expect(events.at(-1)?.kind).toBe('end');
      const control = new Set(['start', 'watching', 'lost', 'end', 'comm']);
      for (const e of events) if (!control.has(e.kind)) expect(EVENT_KINDS).toContain(e.kind);
    }
  });

  it('tells the recorded endings: SIGTERM from kill fatal, bash forwarding the hangup, the nohup job ignoring it', () => {
    const term = foldLines(recorded('kill-term')).find((e) => e.kind === 'signal') as SignalEvent;
    expect(term).toMatchObject({ signal: 'SIGTERM', codeName: 'SI_USER', disposition: 'fatal' });
    expect(term.sender?.comm).toBe('kill');

    const pty = foldLines(recorded('pty-hangup'));
    const start = pty[0] as { watched: number[] };
    const job = start.watched[1];
    const forwarded = pty.find((e) => e.kind === 'signal' && e.pid === job) as SignalEvent;
    expect(forwarded).toMatchObject({ signal: 'SIGHUP', codeName: 'SI_USER', disposition: 'fatal' });
    expect(forwarded.sender).toEqual({ pid: start.watched[0], comm: 'bash' });

    const nohup = foldLines(recorded('nohup-hangup'));
    const nohupJob = (nohup[0] as { watched: number[] }).watched[1];
    const ignored = nohup.find((e) => e.kind === 'signal' && e.pid === nohupJob) as SignalEvent;
    expect(ignored).toMatchObject({ signal: 'SIGHUP', result: 'ignored', disposition: 'ignored' });
    expect(nohup.some((e) => e.kind === 'exit' && e.pid === nohupJob)).toBe(false);
  });
});
