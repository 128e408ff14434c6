// Marginal cost of one more process to a scan, at 4,000 vs 1,000 extra ("jobs" shape).
// The formula is explained in bench/lib/linear.mjs.
import { linearity } from '../lib/linear.mjs';
import { fmtInt } from '../lib/results.mjs';

export default {
  key: 'scan-jobs-linear',
  title: (c) => `scan cost/proc, jobs ${fmtInt(c.linLarge)} vs ${fmtInt(c.linSmall)}`,
  run: (ctx) => linearity(ctx, 'jobs'),
};
