/**
 * The benchmark's swarms (bench/helpers/swarm.py) for live tests: SHAPE and
 * N as there. The helper holds the processes until its stdin closes, then
 * kills and reaps them all; endSwarms waits for that, by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { alive, waitFor } from './procs.js';

const SWARM = path.resolve(__dirname, '..', '..', 'bench', 'helpers', 'swarm.py');

export interface Swarm {
  child: ChildProcess;
  pids: number[];
  master: number | null;
}

/** Starts swarm.py SHAPE N and waits until every process exists. */
export async function startSwarm(shape: 'jobs' | 'workers' | 'unrelated', n: number): Promise<Swarm> {
  // Detached: the runner (jobs) leads a session of its own, as the bench starts it.
  const child = spawn('python3', [SWARM, shape, String(n)], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const line = await waitFor(
    `swarm.py ${shape} to start ${n} processes`,
    () => (out.includes('\n') ? out.slice(0, out.indexOf('\n')) : null),
    30_000,
  );
  const parsed = JSON.parse(line) as { pids?: number[]; master?: number | null; error?: string };
  if (!parsed.pids) throw new Error(`swarm.py ${shape}: ${parsed.error ?? line}`);
  return { child, pids: parsed.pids, master: parsed.master ?? null };
}

/** Closes each swarm's stdin and waits until all its processes are gone (SIGKILL by pid after 30 s). */
export async function endSwarms(swarms: readonly Swarm[]): Promise<void> {
  for (const s of swarms) s.child.stdin!.end();
  const all = swarms.flatMap((s) => [s.child.pid!, ...s.pids, ...(s.master ? [s.master] : [])]);
  await waitFor('the swarms to be gone', () => all.every((p) => !alive(p)), 30_000).catch(() => {
    for (const p of all) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}
