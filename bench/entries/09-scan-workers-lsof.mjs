// scan --all against lsof -n -P, the other tool that reads every process's fds ("workers" shape).
import { LSOF, SCAN, timedPair } from '../lib/commands.mjs';
import { fmtInt } from '../lib/results.mjs';
import { SHAPES } from '../lib/subjects.mjs';

export default {
  key: 'scan-workers-lsof',
  title: (c) => `scan vs lsof, ${fmtInt(c.swarm)} workers`,
  swarm: (c) => ({ shape: 'workers', n: c.swarm }),
  precheck: (ctx) => ctx.lsof(),
  run: (ctx) => timedPair(ctx, { A: LSOF, B: SCAN, perProcess: true, goal: 0.75, notes: [`shape: ${SHAPES.workers}`] }),
};
