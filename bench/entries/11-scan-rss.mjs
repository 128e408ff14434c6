// Peak memory of a scan of thousands of processes, against a fixed limit.
import { SCAN, progress } from '../lib/commands.mjs';
import { alternate, maxRssKiB } from '../lib/exec.mjs';
import { processCount } from '../lib/proc.mjs';
import { absolute, countRange, fmtInt } from '../lib/results.mjs';
import { SHAPES } from '../lib/subjects.mjs';

const LIMIT_KIB = 150 * 1024;
// Peak memory varies little from run to run, and each scan of thousands of
// processes takes seconds: at most this many measured runs.
const MAX_RUNS = 7;

export default {
  key: 'scan-rss',
  title: (c) => `peak RSS: scan, ${fmtInt(c.rssScan)} workers`,
  swarm: (c) => ({ shape: 'workers', n: c.rssScan }),
  async run(ctx) {
    const counts = [];
    const [samples] = await alternate({
      runs: Math.min(ctx.o.runs, MAX_RUNS),
      warmup: ctx.o.warmup,
      sides: [
        () => {
          counts.push(processCount());
          return maxRssKiB(ctx.python, SCAN.argv, SCAN.ok);
        },
      ],
      onRound: progress(ctx),
    });
    counts.splice(0, ctx.o.warmup);
    const notes = [
      `processes alive: ${countRange(counts)}; shape: ${SHAPES.workers}`,
      `ru_maxrss as in audit-rss; ${MAX_RUNS} runs at most; the goal is absolute, no A side`,
    ];
    return absolute({ unit: 'KiB', b: SCAN, samples, max: LIMIT_KIB, notes, extra: { processes: counts } });
  },
};
