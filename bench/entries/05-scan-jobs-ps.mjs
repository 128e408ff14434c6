// scan --all against ps with one runner holding its jobs ("jobs" shape).
import { PS, SCAN, timedPair } from '../lib/commands.mjs';
import { fmtInt } from '../lib/results.mjs';
import { SHAPES } from '../lib/subjects.mjs';

export default {
  key: 'scan-jobs-ps',
  title: (c) => `scan vs ps, ${fmtInt(c.swarm)} jobs`,
  swarm: (c) => ({ shape: 'jobs', n: c.swarm }),
  run: (ctx) => timedPair(ctx, { A: PS, B: SCAN, perProcess: true, goal: 3.0, notes: [`shape: ${SHAPES.jobs}`] }),
};
