// scan --all against lsof -n -P, the other tool that reads every process's fds ("jobs" shape).
import { LSOF, SCAN, timedPair } from '../lib/commands.mjs';
import { fmtInt } from '../lib/results.mjs';
import { SHAPES } from '../lib/subjects.mjs';

export default {
  key: 'scan-jobs-lsof',
  title: (c) => `scan vs lsof, ${fmtInt(c.swarm)} jobs`,
  swarm: (c) => ({ shape: 'jobs', n: c.swarm }),
  precheck: (ctx) => ctx.lsof(),
  run: (ctx) => timedPair(ctx, { A: LSOF, B: SCAN, perProcess: true, goal: 0.75, notes: [`shape: ${SHAPES.jobs}`] }),
};
