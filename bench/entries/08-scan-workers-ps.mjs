// scan --all against ps with a detached master and its workers ("workers" shape).
import { PS, SCAN, timedPair } from '../lib/commands.mjs';
import { fmtInt } from '../lib/results.mjs';
import { SHAPES } from '../lib/subjects.mjs';

export default {
  key: 'scan-workers-ps',
  title: (c) => `scan vs ps, ${fmtInt(c.swarm)} workers`,
  swarm: (c) => ({ shape: 'workers', n: c.swarm }),
  run: (ctx) => timedPair(ctx, { A: PS, B: SCAN, perProcess: true, goal: 3.8, notes: [`shape: ${SHAPES.workers}`] }),
};
