/**
 * The audit of one pid, `daemon-check PID` or `daemon-check PID --json` (in
 * either order), parsed without commander: loading and defining commander's
 * program costs ~1.5 ms of an audit that Node alone starts in ~27 ms
 * (docs/performance.md). The options are the ones commander gives for those
 * argv, defaults included (test/unit/fast-audit.test.ts compares them); any
 * other argv, help or an odd pid among them, goes through commander.
 */
import type { CommonOptions } from './common.js';

/** A pid as a user types one: no sign, no leading zero, at most 10 digits (its range is checked later). */
function isPlainPid(s: string): boolean {
  if (s.length === 0 || s.length > 10 || s.charCodeAt(0) === 0x30) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

export function fastAuditArgs(argv: readonly string[]): { pid: string; opts: CommonOptions } | null {
  let pid: string | null = null;
  let json = false;
  if (argv.length === 0 || argv.length > 2) return null;
  for (const a of argv) {
    if (a === '--json' && !json) json = true;
    else if (pid === null && isPlainPid(a)) pid = a;
    else return null;
  }
  if (pid === null) return null;
  // Commander's option values for these argv, in its order: the defaults, then --json.
  const opts = { format: 'table', profile: 'auto', failOn: 'fail', procRoot: '/proc', hostRoot: '/' } as CommonOptions;
  if (json) opts.json = true;
  return { pid, opts };
}
