/**
 * Ends everything it starts, some of it in its own afterAll: the leak checks
 * must pass this file (they run after the file's own cleanup hooks).
 */
import { spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { killPid, trackProcesses, uniqueSeconds, waitFor, alive } from '../../helpers/procs.js';

const tracker = trackProcesses();
const mine: number[] = [];
afterAll(async () => {
  for (const pid of mine) killPid(pid);
  await waitFor('its processes to end', () => mine.every((p) => !alive(p)));
});

it('starts processes that its hooks end', async () => {
  const a = spawn('sleep', [String(uniqueSeconds())], { stdio: 'ignore', detached: true });
  tracker.track(a.pid!);
  const b = spawn('sleep', [String(uniqueSeconds())], { stdio: 'ignore', env: { PATH: process.env.PATH } });
  mine.push(b.pid!);
  await waitFor('both to run', () => alive(a.pid!) && alive(b.pid!));
  expect(mine).toHaveLength(1);
});
