/**
 * What will end a process: one entry per event (docs/fate.md). `outcome` is
 * whether the process (for `crash`: a replacement) is running after the
 * event; `why` is the chain of cause in one sentence; `by` names the actor;
 * `unless` names a condition /proc cannot show that would flip the outcome.
 */
export const FATE_EVENTS = ['hangup', 'shell-exit', 'logout', 'stop', 'crash'] as const;
export type FateEvent = (typeof FATE_EVENTS)[number];

export const OUTCOMES = ['lives', 'dies', 'unknown'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface FateEntry {
  outcome: Outcome;
  why: string;
  /** The process or component that sends the signal or does the killing, when there is one. */
  by?: string;
  /** What /proc cannot show that would flip the outcome. */
  unless?: string;
}

export type Fate = Record<FateEvent, FateEntry>;

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
