// Reference row: Node starting the helper and parsing its records, nothing judged, against ps ("workers" shape).
import { join } from 'node:path';
import { NODE, PS, timedPair } from '../lib/commands.mjs';
import { shellWords } from '../lib/exec.mjs';
import { fmtInt } from '../lib/results.mjs';
import { HELPERS, SHAPES } from '../lib/subjects.mjs';

const argv = [NODE, join(HELPERS, 'floor.mjs')];

export default {
  key: 'floor-node-helper',
  title: (c) => `floor: node + helper, no judging vs ps, ${fmtInt(c.swarm)} workers`,
  swarm: (c) => ({ shape: 'workers', n: c.swarm }),
  run: (ctx) =>
    timedPair(ctx, {
      A: PS,
      B: { argv, label: 'node bench/helpers/floor.mjs', ok: [0], command: shellWords(argv) },
      perProcess: true,
      notes: [
        `shape: ${SHAPES.workers}`,
        'reference: the helper started from Node, its records parsed into stat, status and cmdline of every process (dist/ modules, ESM loader)',
      ],
    }),
};
