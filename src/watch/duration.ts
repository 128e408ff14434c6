/**
 * `--for DURATION`, read as timeout(1) reads its duration: a number (a
 * decimal fraction allowed) with an optional suffix, s for seconds (the
 * default), m for minutes, h for hours, d for days. 0 means no limit, as for
 * timeout(1).
 */
const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** The longest watch: a timer in Node holds at most 2^31-1 ms (~24.8 days). */
const MAX_SECONDS = 2 ** 31 / 1000 - 1;

/** Seconds, or null when TEXT is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([smhd]?)\s*$/.exec(text);
  if (!m) return null;
  const seconds = Number(m[1]) * UNITS[m[2]!]!;
  return Number.isFinite(seconds) && seconds <= MAX_SECONDS ? seconds : null;
}
