/**
 * Building a fate entry (docs/fate.md). The shape itself, FATE_EVENTS, Outcome,
 * FateEntry and Fate, is part of the report's and lives in src/core/types.ts.
 */
import type { FateEntry, Outcome } from '../core/types.js';

/** An entry with only the keys that are set (JSON has no `"by": undefined`). */
export function entry(outcome: Outcome, why: string, by?: string | null, unless?: string | null): FateEntry {
  const e: FateEntry = { outcome, why };
  if (by) e.by = by;
  if (unless) e.unless = unless;
  return e;
}

/** Joins the conditions that would each flip an outcome. */
export function eitherOf(...conds: Array<string | null | undefined | false>): string | null {
  const list = conds.filter((c): c is string => Boolean(c));
  return list.length ? list.join('; or ') : null;
}
