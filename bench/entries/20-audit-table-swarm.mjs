// Entry 19's audit (a table) with thousands of unrelated processes alive.
import { NODE_E0, auditTable, timedPair } from '../lib/commands.mjs';
import { fmtInt } from '../lib/results.mjs';
import { SHAPES, daemonSubject } from '../lib/subjects.mjs';

export default {
  key: 'audit-table-swarm',
  title: (c) => `audit table vs node -e 0, ${fmtInt(c.swarm)} procs`,
  usesSubject: true,
  swarm: (c) => ({ shape: 'unrelated', n: c.swarm }),
  async run(ctx) {
    const pid = await daemonSubject(ctx);
    const notes = [`subject: pid ${pid} (stdio on /dev/null: no pipe to look for); the others: ${SHAPES.unrelated}`];
    return timedPair(ctx, { A: NODE_E0, B: auditTable(pid), goal: 1.4, notes });
  },
};
