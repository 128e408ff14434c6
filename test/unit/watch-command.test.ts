/**
 * `daemon-check watch` over a recorded stream (the reader stood in for by
 * test/helpers/watch-stream.ts): what it prints and journals, the prediction
 * taken from a real audit when the watch begins, SIGINT stopping it cleanly,
 * and the one-line errors with their exit codes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runWatch } from '../../src/cli/watch-command.js';
import { CliError } from '../../src/cli/errors.js';
import type { WatchEvent } from '../../src/watch/events.js';
import type { WatchOptions } from '../../src/watch/reader.js';
import { runWatchSession, type WatchPlan } from '../../src/watch/session.js';
import type { Summary } from '../../src/watch/summary.js';
import { runCli } from '../helpers/cli.js';
import { FATE_EVENTS, type Fate } from '../../src/core/types.js';
import { playing, Stream } from '../helpers/watch-stream.js';

const BASH = { pid: 1234, comm: 'bash' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dc-watch-'));
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

function startSleep(): number {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  started.push(child);
  return child.pid!;
}

const fateAll = (outcome: 'lives' | 'dies'): Fate =>
  Object.fromEntries(FATE_EVENTS.map((e) => [e, { outcome, why: 'test' }])) as Fate;

function plan(watched: number[], predicted: number[] = []): WatchPlan {
  return {
    watched,
    known: new Map(watched.map((pid) => [pid, { pid, comm: 'sleep', sid: 1234, pgid: pid }])),
    fates: new Map(watched.map((pid) => [pid, fateAll('dies')])),
    predict: async (pid) => {
      predicted.push(pid);
      return { fate: fateAll('lives'), known: [{ pid, comm: 'child', sid: 1234, pgid: pid }] };
    },
  };
}

function sink(format: 'table' | 'json') {
  const out: string[] = [];
  const journal: string[] = [];
  return {
    out,
    journal,
    sink: {
      format,
      color: false,
      out: (t: string) => out.push(t),
      journal: { append: (l: string) => journal.push(l), close() {} },
    },
  };
}

const lastSummary = (lines: string[]): Summary => JSON.parse(lines[lines.length - 1]!) as Summary;

describe('a watch session', () => {
  const stream = () =>
    new Stream()
      .start([1300])
      .signal(1300, 'SIGTERM', 'SI_USER', BASH)
      .deliver(1300, 'SIGTERM', 'default')
      .exit(1300, 'sleep', { signal: 'SIGTERM' })
      .end('all-ended').events;

  it('prints a line per event as it comes and the summary; the journal gets the JSON lines', async () => {
    const t = sink('table');
    const outcome = await runWatchSession(playing(stream())({ pids: [1300] }), plan([1300]), t.sink, () => null);
    expect(outcome).toMatchObject({ error: null, started: true });
    expect(t.out).toHaveLength(4);
    expect(t.out[1]).toMatch(/ 1300 sleep +SIGTERM from bash \(1234\) SI_USER: fatal \(its default action\)\n$/);
    expect(t.out[3]).toContain('\nHow it ended\nsleep (1300): a signal from another process\n');
    expect(t.out[3]).toContain('predicted stop: dies; observed: killed by SIGTERM from bash (1234), sent with kill(2)');
    expect(t.journal.map((l) => JSON.parse(l).kind)).toEqual(['signal', 'exit', 'summary']);

    const j = sink('json');
    await runWatchSession(playing(stream())({ pids: [1300] }), plan([1300]), j.sink, () => null);
    expect(j.out.map((l) => JSON.parse(l).kind)).toEqual(['signal', 'exit', 'summary']);
    expect(lastSummary(j.out)).toMatchObject({ reason: 'all-ended', endings: [{ cause: 'killed', agrees: true }] });
    expect(j.journal.slice(0, 2)).toEqual(j.out.slice(0, 2));
  });

  it('a process that joins the watch (--tree, or -- CMD) gets its prediction when it joins', async () => {
    const events = new Stream().start([1300]).fork(1300, 1310, 'sh').events;
    events.push({ kind: 'watching', t: events[1]!.t, pid: 1310, comm: 'sh' });
    events.push(...new Stream().exit(1310, 'sh', { code: 0 }).end('timeout').events);
    const predicted: number[] = [];
    const j = sink('json');
    await runWatchSession(playing(events)({ pids: [1300] }), plan([1300], predicted), j.sink, () => null);
    expect(predicted).toEqual([1310]);
    expect(lastSummary(j.out).endings.map((e) => [e.pid, e.ended])).toEqual([
      [1300, 'alive'],
      [1310, 'exit'],
    ]);
  });
});

describe('daemon-check watch', () => {
  it('audits the watched pid when the watch begins and holds the ending against its prediction', async () => {
    const pid = startSleep();
    const journal = path.join(dir, 'kill.jsonl');
    const seen: WatchOptions[] = [];
    const events = new Stream()
      .start([pid])
      .signal(pid, 'SIGTERM', 'SI_USER', BASH)
      .exit(pid, 'sleep', { signal: 'SIGTERM' })
      .end().events;
    const code = await runWatch(
      [String(pid)],
      null,
      { format: 'json', journal, for: '5m', tree: true },
      playing(events, seen),
    );
    expect(code).toBe(0);
    expect(seen[0]).toMatchObject({ pids: [pid], tree: true, seconds: 300 });
    const summary = lastSummary(fs.readFileSync(journal, 'utf8').trim().split('\n'));
    // sleep keeps SIGTERM's default action: the fate model says a SIGTERM ends it.
    expect(summary.endings).toEqual([
      expect.objectContaining({
        pid,
        comm: 'sleep',
        cause: 'killed',
        predicted: { event: 'stop', outcome: 'dies' },
        agrees: true,
      }),
    ]);
  });

  it('SIGINT stops the watch cleanly: the reader is told, and what was seen is told', async () => {
    const pid = startSleep();
    const journal = path.join(dir, 'int.jsonl');
    const source = (o: WatchOptions): AsyncIterable<WatchEvent> =>
      (async function* () {
        yield* new Stream().start([pid]).events;
        await new Promise((resolve) => o.signal!.addEventListener('abort', resolve, { once: true }));
        yield* new Stream().end('signal').events;
      })();
    const before = process.listeners('SIGINT');
    const running = runWatch([String(pid)], null, { format: 'json', journal }, source);
    const added = await new Promise<NodeJS.SignalsListener>((resolve) => {
      const poll = () => {
        const mine = process.listeners('SIGINT').find((l) => !before.includes(l));
        if (mine) resolve(mine);
        else setImmediate(poll);
      };
      poll();
    });
    added('SIGINT');
    expect(await running).toBe(0);
    expect(process.listeners('SIGINT')).toEqual(before);
    const summary = lastSummary(fs.readFileSync(journal, 'utf8').trim().split('\n'));
    expect(summary).toMatchObject({ reason: 'signal', endings: [{ pid, ended: 'alive' }] });
    expect(summary.endings[0]!.story).toBe('still running when the watch was stopped');
  });

  it('a watch that cannot start (tracefs refused) is one line and exit 3', async () => {
    const pid = startSleep();
    const events = new Stream().end('error', 'tracefs is mounted but refused: permission denied').events;
    const run = runWatch([String(pid)], null, { format: 'table' }, playing(events));
    await expect(run).rejects.toThrow(new CliError('tracefs is mounted but refused: permission denied', 3));
    await expect(run).rejects.toMatchObject({ exitCode: 3 });
  });

  it('an unknown pid and a pidfile without a process are one line and exit 3', async () => {
    const gone = spawn('true');
    const pid = await new Promise<number>((resolve) => gone.on('close', () => resolve(gone.pid!)));
    const out = await runCli(['watch', String(pid)]);
    expect(out.code).toBe(3);
    expect(out.stderr).toBe(`daemon-check: no process with pid ${pid}; check the pid with 'ps -p ${pid}'\n`);
    const pidfile = path.join(dir, 'stale.pid');
    fs.writeFileSync(pidfile, `${pid}\n`);
    const stale = await runCli(['watch', '--pidfile', pidfile]);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/^daemon-check: pidfile .* is stale: it names pid \d+, which is not running; .*\n$/);
  });

  it('two kinds of target, or none, are one line and exit 2', async () => {
    expect(await runCli(['watch'])).toMatchObject({ code: 2 });
    const both = await runCli(['watch', '--name', 'x', '--', 'sleep', '1']);
    expect(both).toMatchObject({
      code: 2,
      stderr: 'daemon-check: give pids, --pidfile FILE, --name NAME or -- CMD, only one of them\n',
    });
  });
});
