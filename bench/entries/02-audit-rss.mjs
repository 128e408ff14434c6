// Peak memory of an audit against that of Node's own start.
import { NODE_E0, audit, progress } from '../lib/commands.mjs';
import { alternate, maxRssKiB } from '../lib/exec.mjs';
import { pair } from '../lib/results.mjs';
import { daemonSubject } from '../lib/subjects.mjs';

export default {
  key: 'audit-rss',
  title: () => 'peak RSS: audit vs node -e 0',
  usesSubject: true,
  async run(ctx) {
    const pid = await daemonSubject(ctx);
    const A = NODE_E0;
    const B = audit(pid);
    const samples = await alternate({
      runs: ctx.o.runs,
      warmup: ctx.o.warmup,
      sides: [() => maxRssKiB(ctx.python, A.argv, A.ok), () => maxRssKiB(ctx.python, B.argv, B.ok)],
      onRound: progress(ctx),
    });
    const notes = [
      `ru_maxrss of the only child of python3 -c '…subprocess.run(CMD)…' (RUSAGE_CHILDREN); subject: pid ${pid}`,
    ];
    return pair({ unit: 'KiB', a: A, b: B, samples, goal: 1.3, notes });
  },
};
