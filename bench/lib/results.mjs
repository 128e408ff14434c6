// What an entry returns, and how its figures are written.
//
// A result: { unit, a, b, ratio, goal, pass, notes, extra } where a and b are
// the two sides ({label, command, median, min, max, n, samples}; a is null for
// an absolute goal), ratio is b.median / a.median, and goal is
//   {max: R, of: 'ratio'}   B/A must be ≤ R,   or
//   {max: V, of: 'value'}   B itself must be ≤ V (in unit),   or null (information only).
import { summary } from './exec.mjs';

export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');

export function fmtValue(v, unit) {
  if (!Number.isFinite(v)) return '—';
  const digits = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));
  if (unit === 'ms') return `${digits(v)} ms`;
  if (unit === 'KiB') return `${(v / 1024).toFixed(1)} MiB`;
  if (unit === 'µs/proc') return `${digits(v)} µs/proc`;
  return `${digits(v)} ${unit}`;
}

export const fmtRatio = (r) => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}x` : '—');

export function fmtGoal(goal, unit) {
  if (!goal) return '—';
  return goal.of === 'ratio' ? `≤ ${goal.max.toFixed(2)}x` : `≤ ${fmtValue(goal.max, unit).replace(/\.0 /, ' ')}`;
}

/** A two-sided comparison from the samples of A and B. */
export function pair({ unit, a, b, samples: [sa, sb], goal = null, notes = [], extra = {} }) {
  const A = { ...a, ...summary(sa) };
  const B = { ...b, ...summary(sb) };
  const ratio = B.median / A.median;
  const res = {
    unit,
    a: A,
    b: B,
    ratio,
    goal: goal && { max: goal, of: 'ratio' },
    pass: goal ? ratio <= goal : null,
    notes,
    extra,
  };
  if (goal && !res.pass) {
    notes.push(
      `to pass, B ≤ ${fmtValue(A.median * goal, unit)} at this A: ${((1 - (A.median * goal) / B.median) * 100).toFixed(0)}% less than now`,
    );
  }
  return res;
}

/** One side against an absolute limit. */
export function absolute({ unit, b, samples, max, notes = [], extra = {} }) {
  const B = { ...b, ...summary(samples) };
  return { unit, a: null, b: B, ratio: null, goal: { max, of: 'value' }, pass: B.median <= max, notes, extra };
}

/** "1,234" or "1,200–1,260": the processes alive during a measurement. */
export function countRange(counts) {
  const s = summary(counts);
  return s.min === s.max ? fmtInt(s.min) : `${fmtInt(s.min)}–${fmtInt(s.max)}`;
}
