// `watch --ptrace` on real processes: every signal seen at its delivery with
// its sender, re-injected so nothing is lost or changed (watch.md, "What
// ptrace changes in the watched program"). Each test starts its own
// processes and ends them by pid; the waits are on conditions.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { helperPath } from '../../src/core/helper-path.js';
import type { ExitEvent, HelperLine, SignalEvent, StartEvent, WatchEvent } from '../../src/watch/events.js';
import { parseHelperLine } from '../../src/watch/events.js';
import { watchEvents } from '../../src/watch/reader.js';
import { killPid, realPython, tempDir, waitFor, which } from '../helpers/procs.js';

const root = process.getuid?.() === 0;
const started: ChildProcess[] = [];

afterEach(() => {
  for (const c of started.splice(0)) if (c.pid && c.exitCode === null && c.signalCode === null) killPid(c.pid);
});

function start(cmd: string, args: string[], opts: { stdout?: 'pipe' | 'ignore' } = {}): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', opts.stdout ?? 'ignore', 'inherit'] });
  started.push(c);
  return c;
}

/** "S", "t", "T"... of /proc/PID/status, and its TracerPid. */
function stateOf(pid: number): { state: string; tracer: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { state: /^State:\s+(\S)/m.exec(text)![1]!, tracer: Number(/^TracerPid:\s+(\d+)/m.exec(text)![1]) };
}

/** The helper watching ARGS, its lines gathered as they come. */
function watcher(
  cmd: string,
  args: string[],
): { child: ChildProcess; lines: HelperLine[]; closed: Promise<number | null> } {
  const child = start(cmd, args, { stdout: 'pipe' });
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

/** Watches PID with --ptrace; ACT runs once it is watched and says, from the events so far, when to stop. */
async function watchWhile(pid: number, act: (events: WatchEvent[]) => Promise<void>): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const abort = new AbortController();
  let acting: Promise<void> | null = null;
  for await (const e of watchEvents({ pids: [pid], ptrace: true, signal: abort.signal, forwardSignals: false })) {
    events.push(e);
    if (e.kind === 'watching' && !acting) acting = act(events).finally(() => abort.abort());
  }
  await acting;
  return events;
}

const signals = (events: WatchEvent[], name: string): SignalEvent[] =>
  events.filter((e): e is SignalEvent => e.kind === 'signal' && e.signal === name);

describe('daemon-check-helper watch --ptrace (live)', () => {
  it('names the sender of kill -TERM and the fatal ending, and says the program is traced', async () => {
    const victim = start('sleep', ['300']);
    // A sender with a name of its own, still itself when the signal is delivered (ptrace reads the
    // sender's comm then, not when it was sent); it ends once its victim has.
    const killer = path.join(tempDir('dc-ptrace-'), 'killer');
    writeFileSync(killer, '#!/bin/sh\nkill -TERM "$1"\nwhile kill -0 "$1" 2>/dev/null; do sleep 0.05; done\n');
    chmodSync(killer, 0o755);
    const events: WatchEvent[] = [];
    let sender: ChildProcess | undefined;
    for await (const e of watchEvents({ pids: [victim.pid!], ptrace: true })) {
      events.push(e);
      if (e.kind === 'watching') sender = start(killer, [String(victim.pid)]);
    }
    const startLine = events[0] as StartEvent;
    expect(startLine).toMatchObject({ kind: 'start', mechanism: 'ptrace', instance: null });
    expect(startLine.notes[0]).toMatch(/being traced: strace and gdb cannot attach/);
    const [sig] = signals(events, 'SIGTERM');
    expect(sig).toMatchObject({ pid: victim.pid, codeName: 'SI_USER', result: 'delivered', disposition: 'fatal' });
    expect(sig!.sender).toEqual({ pid: sender!.pid, comm: 'killer' });
    expect(events.find((e) => e.kind === 'exit')).toMatchObject({ pid: victim.pid, signal: 'SIGTERM', status: 15 });
    expect(events.at(-1)).toMatchObject({ kind: 'end', reason: 'all-ended' });
  });

  it('re-injects the SIGHUP that a nohup job ignores: result ignored, and it lives on', async () => {
    const victim = start('nohup', ['sleep', '300']);
    await waitFor('nohup to exec sleep', () => readFileSync(`/proc/${victim.pid}/comm`, 'utf8').trim() === 'sleep');
    const events = await watchWhile(victim.pid!, async (seen) => {
      process.kill(victim.pid!, 'SIGHUP');
      await waitFor('the SIGHUP', () => signals(seen, 'SIGHUP').length > 0);
      await waitFor('the job running again', () => stateOf(victim.pid!).state === 'S');
    });
    expect(signals(events, 'SIGHUP')[0]).toMatchObject({
      pid: victim.pid,
      result: 'ignored',
      disposition: 'ignored',
      sender: { pid: process.pid },
    });
    expect(events.some((e) => e.kind === 'exit')).toBe(false);
    expect(stateOf(victim.pid!)).toEqual({ state: 'S', tracer: 0 });
  });

  it.skipIf(!realPython())('passes a caught SIGUSR1 on: the handler runs and the program goes on', async () => {
    const dir = tempDir('dc-ptrace-');
    const ran = path.join(dir, 'ran');
    const ready = path.join(dir, 'ready');
    const program = [
      'import signal, sys, time',
      'signal.signal(signal.SIGUSR1, lambda s, f: open(sys.argv[1], "w").write("ran"))',
      'open(sys.argv[2], "w").close()',
      'while True: time.sleep(1)',
    ].join('\n');
    const victim = start(realPython()!, ['-c', program, ran, ready]);
    await waitFor('the handler set', () => existsSync(ready));
    const events = await watchWhile(victim.pid!, async () => {
      process.kill(victim.pid!, 'SIGUSR1');
      await waitFor('the handler to run', () => existsSync(ran));
    });
    expect(readFileSync(ran, 'utf8')).toBe('ran');
    expect(signals(events, 'SIGUSR1')[0]).toMatchObject({ result: 'delivered', disposition: 'caught' });
    expect(events.some((e) => e.kind === 'exit')).toBe(false);
    expect(stateOf(victim.pid!).state).toBe('S');
  });

  it('lets SIGSTOP stop it as a group stop, and SIGCONT continue it', async () => {
    const victim = start('sleep', ['300']);
    const events = await watchWhile(victim.pid!, async () => {
      process.kill(victim.pid!, 'SIGSTOP');
      // Stopped, under a tracer: `t (tracing stop)`.
      await waitFor('the group stop', () => stateOf(victim.pid!).state === 't');
      process.kill(victim.pid!, 'SIGCONT');
      await waitFor('it running again', () => stateOf(victim.pid!).state === 'S');
    });
    expect(signals(events, 'SIGSTOP')[0]).toMatchObject({ result: 'delivered', disposition: 'stopped' });
    expect(signals(events, 'SIGCONT')[0]).toMatchObject({ pid: victim.pid });
    expect(stateOf(victim.pid!)).toEqual({ state: 'S', tracer: 0 });
  });

  it('leaves the tracee running, untraced and not stopped, when the watcher is SIGKILLed', async () => {
    const victim = start('sleep', ['300']);
    const w = watcher(helperPath(), ['watch', '--ptrace', String(victim.pid)]);
    await waitFor('the watch', () => w.lines.some((l) => l.kind === 'watching'));
    expect(stateOf(victim.pid!).tracer).toBe(w.child.pid);
    w.child.kill('SIGKILL');
    await w.closed;
    await waitFor('the tracer gone', () => stateOf(victim.pid!).tracer === 0);
    expect(stateOf(victim.pid!).state).toBe('S');
    // And it still takes its signals as before: SIGTERM ends it.
    process.kill(victim.pid!, 'SIGTERM');
    await waitFor('it ended', () => victim.signalCode === 'SIGTERM');
  });

  it('gives the exit status of watch --ptrace -- sh -c "exit 3"', async () => {
    const events: WatchEvent[] = [];
    for await (const e of watchEvents({ command: ['sh', '-c', 'exit 3'], ptrace: true })) events.push(e);
    const startLine = events[0] as StartEvent;
    expect(startLine).toMatchObject({ mechanism: 'ptrace', tree: true });
    const exit = events.find((e) => e.kind === 'exit' && e.pid === startLine.watched[0]) as ExitEvent;
    expect(exit).toMatchObject({ status: 0x300, exitCode: 3, signal: null });
  });

  it.skipIf(!root || !which('setpriv'))('works as nobody on its own child (-- CMD under setpriv)', async () => {
    const w = watcher('setpriv', [
      '--reuid',
      '65534',
      '--regid',
      '65534',
      '--clear-groups',
      helperPath(),
      'watch',
      '--ptrace',
      '--',
      'sh',
      '-c',
      'trap "" USR1; kill -USR1 $$; exit 3',
    ]);
    expect(await w.closed).toBe(0);
    const startLine = w.lines[0] as StartEvent;
    expect(startLine).toMatchObject({ kind: 'start', mechanism: 'ptrace' });
    const child = startLine.watched[0]!;
    const usr1 = w.lines.find((l) => l.kind === 'signal' && l.signal === 'SIGUSR1');
    expect(usr1).toMatchObject({ pid: child, result: 'ignored', sender: { pid: child, comm: 'sh' } });
    expect(w.lines.find((l) => l.kind === 'exit' && l.pid === child)).toMatchObject({ exitCode: 3 });
    expect(w.lines.at(-1)).toMatchObject({ kind: 'end', reason: 'all-ended' });
  });

  it.skipIf(!root || !which('setpriv') || !which('unshare'))(
    'as root where tracefs cannot be had (none mounted, no CAP_SYS_ADMIN to mount one), traces with ptrace and says why',
    async () => {
      // A private mount namespace without tracefs, and a root that may not mount it.
      const w = watcher('unshare', [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        'umount -l /sys/kernel/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null; exec "$@"',
        'sh',
        'setpriv',
        '--bounding-set',
        '-sys_admin',
        '--inh-caps',
        '-sys_admin',
        helperPath(),
        'watch',
        '--',
        'sh',
        '-c',
        'kill -TERM $$',
      ]);
      expect(await w.closed).toBe(0);
      const startLine = w.lines[0] as StartEvent;
      expect(startLine).toMatchObject({ kind: 'start', mechanism: 'ptrace', instance: null });
      expect(startLine.notes[0]).toMatch(
        /^tracefs could not be had \(Operation not permitted\): the processes are traced with ptrace instead$/,
      );
      const child = startLine.watched[0]!;
      expect(w.lines.find((l) => l.kind === 'signal' && l.pid === child && l.signal === 'SIGTERM')).toMatchObject({
        sender: { pid: child, comm: 'sh' },
      });
      expect(w.lines.find((l) => l.kind === 'exit' && l.pid === child)).toMatchObject({ signal: 'SIGTERM' });
      expect(w.lines.at(-1)).toMatchObject({ kind: 'end', reason: 'all-ended' });
    },
  );
});
