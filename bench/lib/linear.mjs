// Does a scan's cost grow linearly with the number of processes?
//
// The scan is timed at three sizes of one shape: the base machine (no extra
// process, N0 processes alive), 1,000 extra (N1) and 4,000 extra (N4), in
// rounds that alternate the order (base, 1k, 4k, then 4k, 1k, base, ...).
// With T0, T1, T4 the median times, the parabola through the three points is
//
//   T(N) = T0 + d01·(N − N0) + c·(N − N0)·(N − N1)
//   where d01 = (T1 − T0) / (N1 − N0),  d14 = (T4 − T1) / (N4 − N1),
//         c   = (d14 − d01) / (N4 − N0)
//
// and the marginal cost of one process at N is its slope,
//
//   T'(N) = d01 + c·(2N − N0 − N1).
//
// The figure judged is T'(N4) / T'(N1): the cost of one more process at
// 4,000 extra over its cost at 1,000 extra (goal ≤ 1.3).  A linear T gives
// 1 (then d01 = d14 = T' everywhere); T = a + b·N + k·N² gives
// (b + 2k·N4) / (b + 2k·N1) exactly.  The plain slopes d01 (first 1,000
// processes) and d14 (the 3,000 after them) are printed too.
import { alternate, median, timeOnce } from './exec.mjs';
import { SCAN, progress } from './commands.mjs';
import { processCount } from './proc.mjs';
import { countRange, fmtInt } from './results.mjs';
import { SHAPES } from './subjects.mjs';

export const LINEAR_FORMULA =
  "T'(N) = d01 + c·(2N − N0 − N1), d01 = (T1−T0)/(N1−N0), c = ((T4−T1)/(N4−N1) − d01)/(N4−N0): the slope of the parabola through (N0,T0), (N1,T1), (N4,T4)";

/** T'(N1), T'(N4) and the plain slopes, in ms per process, from medians T and counts N. */
export function marginalCosts([T0, T1, T4], [N0, N1, N4]) {
  const d01 = (T1 - T0) / (N1 - N0);
  const d14 = (T4 - T1) / (N4 - N1);
  const c = (d14 - d01) / (N4 - N0);
  const slope = (N) => d01 + c * (2 * N - N0 - N1);
  return { d01, d14, at1: slope(N1), at4: slope(N4) };
}

export async function linearity(ctx, shape) {
  const { linSmall, linLarge } = ctx.o.counts;
  const extras = [0, linSmall, linLarge];
  const counts = extras.map(() => []);
  const sides = extras.map((n, k) => async () => {
    await ctx.swarms.use(n ? { shape, n } : null);
    counts[k].push(processCount());
    return timeOnce(SCAN.argv, { ok: SCAN.ok }).ms;
  });
  ctx.log(
    `  ${shape}: scan with 0, ${fmtInt(linSmall)} and ${fmtInt(linLarge)} extra processes, restarted between sizes`,
  );
  const samples = await alternate({
    runs: ctx.o.runs,
    warmup: ctx.o.warmup,
    sides,
    snake: true,
    onRound: progress(ctx),
  });
  for (const c of counts) c.splice(0, ctx.o.warmup);
  const T = samples.map(median);
  const N = counts.map(median);
  const m = marginalCosts(T, N);
  const us = (x) => (x * 1000).toFixed(1);
  const side = (k, label, perProc) => ({
    label,
    command: SCAN.command,
    median: perProc * 1000,
    min: NaN,
    max: NaN,
    n: samples[k].length,
    samples: samples[k],
    scanMedianMs: T[k],
    processes: N[k],
  });
  const ratio = m.at4 / m.at1;
  const goal = 1.3;
  return {
    unit: 'µs/proc',
    a: side(1, `T'(N1), ${fmtInt(linSmall)} extra`, m.at1),
    b: side(2, `T'(N4), ${fmtInt(linLarge)} extra`, m.at4),
    ratio,
    goal: { max: goal, of: 'ratio' },
    pass: ratio <= goal,
    notes: [
      `shape: ${SHAPES[shape]}`,
      `scan medians: T0 ${T[0].toFixed(1)} ms at N0 ${fmtInt(N[0])}, T1 ${T[1].toFixed(1)} ms at N1 ${fmtInt(N[1])}, T4 ${T[2].toFixed(1)} ms at N4 ${fmtInt(N[2])} processes (ranges ${counts.map(countRange).join(', ')})`,
      `formula: ${LINEAR_FORMULA}`,
      `T'(N1) = ${us(m.at1)} µs, T'(N4) = ${us(m.at4)} µs, ratio ${ratio.toFixed(2)}; plain slopes: d01 ${us(m.d01)} µs (first ${fmtInt(linSmall)}), d14 ${us(m.d14)} µs (next ${fmtInt(linLarge - linSmall)})`,
    ],
    extra: { extras, medians: T, processes: N, marginal: m },
  };
}
