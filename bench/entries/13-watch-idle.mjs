// The watcher's own CPU on an idle watched process: `daemon-check watch PID
// --for 60` (as root: a tracefs instance and the proc connector) on a `sleep`
// that does nothing, node and the native helper together, as a share of one
// core over the whole watch.  Goal (issue 21): at most 0.5% of one core.
import { absolute } from '../lib/results.mjs';
import { pct, runWatch, startReady, watchCommand, watchPrecheck } from '../lib/watch.mjs';

const GOAL_PCT = 0.5;

export default {
  key: 'watch-idle',
  title: (c) => `watcher CPU, idle target, ${c.watchSeconds} s`,
  precheck: watchPrecheck,
  async run(ctx) {
    const seconds = ctx.o.counts.watchSeconds;
    // `sh -c 'echo ready; exec sleep'`: the subject says it runs, then is a plain sleep.
    const subject = await startReady(ctx, ['sh', '-c', 'echo ready; exec sleep 100000'], 'idle sleep');
    try {
      const w = await runWatch(ctx, subject.proc.pid, seconds);
      const share = pct(w.cpu / seconds);
      const notes = [
        `CPU of node + helper (getrusage of the CLI and the helper it reaps): ${w.cpu.toFixed(3)} s ` +
          `(user ${w.rusage.user.toFixed(3)}, sys ${w.rusage.sys.toFixed(3)}) over --for ${seconds} s, ${w.wall.toFixed(1)} s wall`,
        w.steady
          ? `steady share, without the start (from the helper reading trace_pipe, ${w.startup.toFixed(2)} s in, over ${w.steady.span.toFixed(1)} s): ${pct(w.steady.share).toFixed(3)}% of one core`
          : 'steady share: not sampled (the watch ended early)',
        `watch: mechanism ${w.summary.mechanism}, ${w.lines.length - 1} event lines, lost ${w.summary.lost}`,
        'one run (each takes the whole --for); the goal is absolute, % of one core',
      ];
      return absolute({
        unit: '%',
        b: watchCommand(subject.proc.pid, seconds),
        samples: [share],
        max: GOAL_PCT,
        notes,
        extra: { cpu: w.cpu, rusage: w.rusage, steady: w.steady, startup: w.startup, wall: w.wall },
      });
    } finally {
      await subject.stop();
    }
  },
};
