// native/protocol.h defines the facts the helper shares with TypeScript once;
// the TypeScript constants must say the same (a change to one side alone
// fails here).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HELPER_EXIT, STAGES } from '../../src/daemonize/failure.js';
import { FD_DETAIL_CAP, PLAIN_STDIO } from '../../src/proc/fd.js';
import { DEFAULT_READ_CAP } from '../../src/proc/source.js';
import { TRY_CGROUP_PREFIX, TRY_STAGES } from '../../src/try/helper.js';

const header = readFileSync(fileURLToPath(new URL('../../native/protocol.h', import.meta.url)), 'utf8');

/** The value of `#define NAME VALUE` (a decimal or a string literal). */
function define(name: string): number | string {
  const m = new RegExp(`^#define ${name} +(\\d+|"[^"]*")`, 'm').exec(header);
  if (!m) throw new Error(`native/protocol.h has no #define ${name}`);
  return m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : Number(m[1]);
}

describe('native/protocol.h and the TypeScript side agree', () => {
  it('on the exit codes', () => {
    expect({
      ok: define('HELPER_EXIT_OK'),
      failed: define('HELPER_EXIT_FAILED'),
      usage: define('HELPER_EXIT_USAGE'),
      locked: define('HELPER_EXIT_LOCKED'),
      noexec: define('HELPER_EXIT_NOEXEC'),
      notfound: define('HELPER_EXIT_NOTFOUND'),
    }).toEqual(HELPER_EXIT);
  });

  it('on the failure stages, each with a message', () => {
    const stages = [...header.matchAll(/^\s*X\([A-Z_]+, "([a-z-]+)"\)/gm)].map((m) => m[1]);
    expect(stages.length).toBeGreaterThan(40);
    expect(new Set(stages).size).toBe(stages.length);
    expect(Object.keys(STAGES).sort()).toEqual([...stages].sort());
  });

  it("on scan-read's read cap, fd cap and stdio rule", () => {
    expect(define('SCAN_READ_CAP')).toBe(DEFAULT_READ_CAP);
    expect(define('FD_DETAIL_CAP')).toBe(FD_DETAIL_CAP);
    expect(define('PLAIN_STDIO_MAX_FD')).toBe(PLAIN_STDIO.maxFd);
    expect(define('PLAIN_STDIO_NULL')).toBe(PLAIN_STDIO.nullTarget);
    expect([define('PLAIN_STDIO_PIPE_PREFIX'), define('PLAIN_STDIO_SOCKET_PREFIX')]).toEqual([...PLAIN_STDIO.prefixes]);
  });

  it("on try's failure stages and its cgroup leaf's name", () => {
    const defined = [...header.matchAll(/^#define TRY_STAGE_[A-Z_]+ +"([a-z-]+)"/gm)].map((m) => m[1]);
    expect(Object.values(TRY_STAGES).sort()).toEqual(defined.sort());
    expect(define('TRY_CGROUP_PREFIX')).toBe(TRY_CGROUP_PREFIX);
  });
});
