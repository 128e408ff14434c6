// The native watcher on real processes (root: tracefs and the proc
// connector). Each test starts its own processes and ends them by pid; the
// waits are on conditions (a line in the stream, a file), never fixed sleeps.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { helperPath } from '../../src/core/helper-path.js';
import type { ExitEvent, HelperLine, SignalEvent, StartEvent, WatchEvent } from '../../src/watch/events.js';
import { parseHelperLine } from '../../src/watch/events.js';
import { watchEvents } from '../../src/watch/reader.js';
import { waitFor } from '../helpers/procs.js';

const root = process.getuid?.() === 0;
const started: ChildProcess[] = [];
const INSTANCES = '/sys/kernel/tracing/instances';

afterEach(() => {
  for (const c of started.splice(0))
    if (c.pid && c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGKILL');
});

function start(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(c);
  return c;
}

/** The helper watching ARGS, its lines gathered as they come. */
function watcher(args: string[]): { child: ChildProcess; lines: HelperLine[]; closed: Promise<number | null> } {
  const child = start(helperPath(), ['watch', ...args]);
  const lines: HelperLine[] = [];
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    for (const p of parts) lines.push(parseHelperLine(p)!);
  });
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, lines, closed };
}

function instanceOf(lines: HelperLine[]): string {
  return (lines.find((l) => l.kind === 'start') as StartEvent).instance!;
}

const tracefsMounted = (): boolean =>
  readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[2] === 'tracefs');

describe.skipIf(!root)('daemon-check-helper watch (tracefs, live)', () => {
  it('names the sender of kill -TERM as it was when it sent it, and the fatal ending', async () => {
    const victim = start('sleep', ['300']);
    const events: WatchEvent[] = [];
    let killer: ChildProcess | undefined;
    for await (const e of watchEvents({ pids: [victim.pid!] })) {
      events.push(e);
      if (e.kind === 'watching') killer = start('/bin/kill', ['-TERM', String(victim.pid)]);
    }
    const sig = events.find((e) => e.kind === 'signal') as SignalEvent;
    expect(sig).toMatchObject({ pid: victim.pid, signal: 'SIGTERM', codeName: 'SI_USER', disposition: 'fatal' });
    expect(sig.sender).toEqual({ pid: killer!.pid, comm: 'kill' });
    expect(events.find((e) => e.kind === 'exit')).toMatchObject({ pid: victim.pid, signal: 'SIGTERM', status: 15 });
    expect(events.at(-1)).toMatchObject({ kind: 'end', reason: 'all-ended' });
  });

  it('gives the exit status of -- CMD (exit 3)', async () => {
    const events: WatchEvent[] = [];
    for await (const e of watchEvents({ command: ['sh', '-c', 'exit 3'] })) events.push(e);
    const startLine = events[0] as StartEvent;
    expect(startLine).toMatchObject({ kind: 'start', mechanism: 'tracefs', tree: true });
    const exit = events.find((e) => e.kind === 'exit' && e.pid === startLine.watched[0]) as ExitEvent;
    expect(exit).toMatchObject({ status: 0x300, exitCode: 3, signal: null });
  });

  it('removes the instance that a SIGKILLed watcher left', async () => {
    const victim = start('sleep', ['300']);
    const first = watcher([String(victim.pid)]);
    await waitFor('the first watch', () => first.lines.some((l) => l.kind === 'watching'));
    const stale = instanceOf(first.lines);
    first.child.kill('SIGKILL');
    await first.closed;
    expect(readdirSync(INSTANCES)).toContain(stale);
    const second = watcher(['--for', '0.2', String(victim.pid)]);
    expect(await second.closed).toBe(0);
    // Gone, or tracefs itself gone: the second watcher took over the mount the first one made.
    const left = existsSync(INSTANCES) ? readdirSync(INSTANCES) : [];
    expect(left.filter((n) => n === stale || n === instanceOf(second.lines))).toEqual([]);
  });

  it('leaves no instance and no mount of its own after SIGINT', async () => {
    const mountedBefore = tracefsMounted();
    const victim = start('sleep', ['300']);
    const w = watcher([String(victim.pid)]);
    await waitFor('the watch', () => w.lines.some((l) => l.kind === 'watching'));
    const name = instanceOf(w.lines);
    w.child.kill('SIGINT');
    expect(await w.closed).toBe(0);
    expect(w.lines.at(-1)).toMatchObject({ kind: 'end', reason: 'signal' });
    const start0 = w.lines[0] as StartEvent;
    if (start0.mounted) expect(tracefsMounted()).toBe(mountedBefore);
    else expect(existsSync(`${INSTANCES}/${name}`)).toBe(false);
  });

  it('counts the connector events lost to a small socket buffer (300 forks)', async () => {
    const w = watcher(['--rcvbuf', '4096', '--', 'sh', '-c', 'for i in $(seq 300); do /bin/true; done']);
    expect(await w.closed).toBe(0);
    const lost = w.lines.filter((l) => l.kind === 'lost' && l.source === 'connector');
    const total = lost.reduce((n, l) => n + (l.kind === 'lost' ? l.count : 0), 0);
    expect(total).toBeGreaterThan(0);
    // Every child still ends in the stream (the trace saw it), with or without its status.
    const forks = w.lines.filter((l) => l.kind === 'fork').length;
    const exits = w.lines.filter((l) => l.kind === 'exit').length;
    expect(forks).toBeGreaterThanOrEqual(300);
    expect(exits).toBe(forks + 1);
  });
});
