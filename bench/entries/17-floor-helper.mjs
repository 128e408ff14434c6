// Reference row: the native helper alone reading what a scan reads, against ps ("workers" shape).
import { join } from 'node:path';
import { PS, ROOT, timedPair } from '../lib/commands.mjs';
import { shellWords } from '../lib/exec.mjs';
import { fmtInt } from '../lib/results.mjs';
import { SHAPES } from '../lib/subjects.mjs';

const argv = [join(ROOT, 'native', 'build', 'daemon-check-helper'), 'scan-read', '/proc'];

export default {
  key: 'floor-helper',
  title: (c) => `floor: helper alone vs ps, ${fmtInt(c.swarm)} workers`,
  swarm: (c) => ({ shape: 'workers', n: c.swarm }),
  run: (ctx) =>
    timedPair(ctx, {
      A: PS,
      B: { argv, label: 'daemon-check-helper scan-read /proc', ok: [0], command: shellWords(argv) },
      perProcess: true,
      notes: [
        `shape: ${SHAPES.workers}`,
        'reference: every file a scan reads, read by the helper; its records go to a pipe',
      ],
    }),
};
