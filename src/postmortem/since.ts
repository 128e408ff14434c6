/**
 * --since TIME, as journalctl(1) and date(1) users write it (pure):
 * "@1796615403" (epoch seconds), an ISO 8601 date or date and time
 * ("2026-12-07", "2026-12-07T03:12", "2026-12-07 03:12:30", local time unless
 * it says Z or an offset), or a time ago as timeout(1) writes a duration:
 * "90s", "5m", "2h", "1d", with or without " ago".
 */
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** TEXT as epoch seconds, or null when it is none of the forms above. */
export function parseSince(text: string, now: number): number | null {
  const t = text.trim();
  const epoch = /^@(\d+(?:\.\d+)?)$/.exec(t);
  if (epoch) return Number(epoch[1]);
  const ago = /^(\d+(?:\.\d+)?)\s*([smhd])?(?:\s+ago)?$/.exec(t);
  if (ago) return now - Number(ago[1]) * UNIT_SECONDS[ago[2] ?? 's']!;
  if (!/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/.test(t)) return null;
  // A date alone is midnight local time, as date(1) reads it (Date.parse would take UTC).
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00` : t.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : ms / 1000;
}
