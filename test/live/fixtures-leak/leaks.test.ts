/**
 * Leaves processes running (two of them on a pty) and a cgroup on the host, on purpose: the leak
 * checks must fail this file and the run, naming each. Writes what it made to
 * $LEAK_FIXTURE_OUT (JSON) for the test that runs it; makes the cgroup
 * $LEAK_FIXTURE_CGROUP.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { childOf, Tracker, uniqueSeconds, waitFor } from '../../helpers/procs.js';

function sleeper(args: string[], env?: NodeJS.ProcessEnv): { pid: number; secs: number } {
  const secs = uniqueSeconds();
  const child = spawn(args[0]!, [...args.slice(1), 'sleep', String(secs)], { stdio: 'ignore', env, detached: true });
  child.unref();
  return { pid: child.pid!, secs };
}

it('starts processes and never ends them', async () => {
  // Inherits the file's marker from process.env.
  const inherited = sleeper(['nice', '-n', '0']);
  // An environment of the test's own: the marker is added to it at spawn.
  const ownEnv = sleeper(['nice', '-n', '0'], { PATH: process.env.PATH });
  // A pty: pty-holder.py holds its master, the sleep in it the terminal side (Debian's python3, not a shim that may fork).
  const secs = uniqueSeconds();
  const holder = spawn('/usr/bin/python3', [path.join(__dirname, 'pty-holder.py'), 'sleep', String(secs)], {
    stdio: 'ignore',
    detached: true,
  });
  holder.unref();
  const pty = {
    pid: holder.pid!,
    secs,
    inner: await waitFor('the sleep on the pty', () => childOf(holder.pid!, 'sleep'), 20_000),
  };
  // A cleared environment, but its pid is tracked: a Tracker whose killAll is never called.
  const tracked = sleeper(['env', '-i']);
  new Tracker().track(tracked.pid);
  // A cleared environment and no Tracker: nothing can tell it is this file's.
  const escaped = sleeper(['env', '-i']);
  fs.mkdirSync(process.env.LEAK_FIXTURE_CGROUP!);
  fs.writeFileSync(process.env.LEAK_FIXTURE_OUT!, JSON.stringify({ inherited, ownEnv, pty, tracked, escaped }));
  expect(inherited.pid).toBeGreaterThan(1);
});
