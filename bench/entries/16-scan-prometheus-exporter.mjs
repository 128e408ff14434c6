// scan --format prometheus against one scrape of Debian's prometheus-process-exporter
// with a group per process ("workers" shape).  The exporter runs for this entry only.
import { CLI, NODE, timedPair } from '../lib/commands.mjs';
import { EXPORTER_CONFIG, startExporter } from '../lib/exporter.mjs';
import { shellWords } from '../lib/exec.mjs';
import { fmtInt } from '../lib/results.mjs';
import { SHAPES } from '../lib/subjects.mjs';

export default {
  key: 'scan-prometheus-exporter',
  title: (c) => `scan --format prometheus vs process-exporter, ${fmtInt(c.swarm)} workers`,
  swarm: (c) => ({ shape: 'workers', n: c.swarm }),
  precheck: (ctx) => ctx.exporter(),
  async run(ctx) {
    const exporter = await startExporter(ctx);
    try {
      const scrape = ['curl', '-sf', '-o', '/dev/null', exporter.url];
      const A = {
        argv: scrape,
        label: 'one scrape of prometheus-process-exporter',
        ok: [0],
        command: shellWords(scrape),
      };
      const promArgv = [NODE, CLI, 'scan', '--all', '--format', 'prometheus'];
      const B = {
        argv: promArgv,
        label: 'daemon-check scan --all --format prometheus',
        ok: [0, 1],
        command: shellWords(promArgv),
      };
      const names = EXPORTER_CONFIG.match(/name: "(.*)"/)[1];
      return await timedPair(ctx, {
        A,
        B,
        goal: 0.6,
        notes: [
          `shape: ${SHAPES.workers}`,
          `exporter: its own defaults, groups named ${names} for every cmdline (config ${exporter.config}), on 127.0.0.1; A is curl's run, the exporter reads /proc at each scrape`,
        ],
      });
    } finally {
      await ctx.owned.release(exporter.item);
    }
  },
};
