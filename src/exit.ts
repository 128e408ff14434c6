/** Reports -> exit code (interface.md "Exit codes"). */
import type { Report } from './types.js';

export type FailOn = 'fail' | 'warn';

export function exitCodeFor(reports: Report[], failOn: FailOn = 'fail'): number {
  let short = false;
  let inconclusive = false;
  for (const r of reports) {
    if (r.requireFailed.length) short = true;
    if (r.verdict === 'not-a-daemon') short = true;
    else if (r.verdict === 'inconclusive') inconclusive = true;
    else if (r.verdict === 'daemon-with-warnings' && failOn === 'warn') short = true;
  }
  if (short) return 1;
  if (inconclusive) return 3;
  return 0;
}
