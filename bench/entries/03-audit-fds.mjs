// Does an audit's cost follow the target's fd count?  10,000 fds vs 10.
import { audit, timedPair } from '../lib/commands.mjs';
import { fmtInt } from '../lib/results.mjs';
import { startFdHolder } from '../lib/subjects.mjs';

export default {
  key: 'audit-fds',
  title: (c) => `audit: ${fmtInt(c.fdLarge)} fds vs ${fmtInt(c.fdSmall)} fds`,
  precheck(ctx) {
    const hard = ctx.machine.nofile?.hard;
    const need = ctx.o.counts.fdLarge + 16;
    if (hard && hard !== 'unlimited' && Number(hard) < need)
      return `the hard RLIMIT_NOFILE (ulimit -Hn) is ${hard}, below ${need}`;
    return null;
  },
  async run(ctx) {
    const { fdSmall, fdLarge } = ctx.o.counts;
    const small = await startFdHolder(ctx, fdSmall);
    try {
      const large = await startFdHolder(ctx, fdLarge);
      try {
        const res = await timedPair(ctx, {
          A: audit(small.pid, `daemon-check PID --json, ${small.fds} fds`),
          B: audit(large.pid, `daemon-check PID --json, ${fmtInt(large.fds)} fds`),
          goal: 2,
          notes: [`subjects: bench/helpers/fdholder.py, own session, cwd /, pids ${small.pid} and ${large.pid}`],
        });
        res.notes.push(
          `cost per extra fd: ${(((res.b.median - res.a.median) / (large.fds - small.fds)) * 1000).toFixed(1)} µs`,
        );
        return res;
      } finally {
        await ctx.owned.release(large.item);
      }
    } finally {
      await ctx.owned.release(small.item);
    }
  },
};
