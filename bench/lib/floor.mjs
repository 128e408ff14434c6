// Entries 21 and 22: the floor with every snapshot read (bench/helpers/floor.mjs snapshots), against ps.
import { join } from 'node:path';
import { NODE, PS, timedPair } from './commands.mjs';
import { shellWords } from './exec.mjs';
import { fmtInt } from './results.mjs';
import { HELPERS, SHAPES } from './subjects.mjs';

const argv = [NODE, join(HELPERS, 'floor.mjs'), 'snapshots'];

/** The entry for SHAPE ('jobs' or 'workers'). */
export function floorSnapshots(shape) {
  return {
    key: `floor-snapshots-${shape}`,
    title: (c) => `floor: every snapshot read, no judging vs ps, ${fmtInt(c.swarm)} ${shape}`,
    swarm: (c) => ({ shape, n: c.swarm }),
    run: (ctx) =>
      timedPair(ctx, {
        A: PS,
        B: { argv, label: 'node bench/helpers/floor.mjs snapshots', ok: [0], command: shellWords(argv) },
        perProcess: true,
        notes: [
          `shape: ${SHAPES[shape]}`,
          "reference: entry 18's pipeline, then every snapshot a scan judges read and assembled (plan scan-full), nothing judged or printed",
        ],
      }),
  };
}
