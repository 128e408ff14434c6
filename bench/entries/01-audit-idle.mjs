// An audit of a daemon against Node's own start, with nothing else running.
import { NODE_E0, audit, timedPair } from '../lib/commands.mjs';
import { SHAPES, daemonSubject } from '../lib/subjects.mjs';

export default {
  key: 'audit-idle',
  title: () => 'audit vs node -e 0, idle',
  usesSubject: true,
  async run(ctx) {
    const pid = await daemonSubject(ctx);
    return timedPair(ctx, { A: NODE_E0, B: audit(pid), goal: 1.4, notes: [`subject: pid ${pid}, ${SHAPES.daemon}`] });
  },
};
