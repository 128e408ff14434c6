// The default output, the table, against the JSON of the same scan ("jobs" shape).
import { CLI, NODE, SCAN, timedPair } from '../lib/commands.mjs';
import { fmtInt } from '../lib/results.mjs';
import { SHAPES } from '../lib/subjects.mjs';

const TABLE = {
  argv: [NODE, CLI, 'scan', '--all'],
  label: 'daemon-check scan --all (table)',
  ok: [0, 1],
  command: `${NODE} ${CLI} scan --all`,
};

export default {
  key: 'scan-table-json',
  title: (c) => `scan table vs JSON, ${fmtInt(c.swarm)} jobs`,
  swarm: (c) => ({ shape: 'jobs', n: c.swarm }),
  run: (ctx) =>
    timedPair(ctx, {
      A: SCAN,
      B: TABLE,
      goal: 1.1,
      notes: [`shape: ${SHAPES.jobs}; the table goes to a pipe, as the JSON does`],
    }),
};
