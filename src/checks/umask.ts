import { defineCheck, unknownBecause } from './check.js';
import { formatMode } from '../core/mode.js';

/** Masks passed without --expect-umask: 0022, the default of systemd's UMask= and of most distributions, and 0, daemon(7)'s. */
const ACCEPTED = [0o022, 0];

const WHO: Array<[number, string]> = [
  [6, 'owner'],
  [3, 'group'],
  [0, 'others'],
];
const PERMS: Array<[number, string]> = [
  [4, 'read'],
  [2, 'write'],
  [1, 'execute'],
];

/** "read and execute to group and others": permissions grouped by who they concern. */
function phrase(pairs: Array<[string, string]>): string {
  const byPerm = new Map<string, string[]>();
  for (const [perm, who] of pairs) byPerm.set(perm, [...(byPerm.get(perm) ?? []), who]);
  const byWho = new Map<string, string[]>();
  for (const [perm, whos] of byPerm) byWho.set(whos.join(' and '), [...(byWho.get(whos.join(' and ')) ?? []), perm]);
  return [...byWho].map(([whos, perms]) => `${perms.join(' and ')} to ${whos}`).join(', ');
}

/** What a mask denies beyond 0022 (0077: read and execute to group and others) and allows beyond it (0002: write to group). */
function meaning(mask: number): string {
  const denies: Array<[string, string]> = [];
  const allows: Array<[string, string]> = [];
  for (const [perm, what] of PERMS) {
    for (const [shift, who] of WHO) {
      const masked = ((mask >> shift) & perm) !== 0;
      const usual = ((0o022 >> shift) & perm) !== 0;
      if (masked && !usual) denies.push([what, who]);
      if (!masked && usual) allows.push([what, who]);
    }
  }
  const parts: string[] = [];
  if (denies.length) parts.push(`it denies ${phrase(denies)}`);
  if (allows.length) parts.push(`it allows ${phrase(allows)}`);
  return parts.join('; ');
}

export const umaskCheck = defineCheck({
  id: 'umask',
  title: 'File creation mask reset',
  passWhen: 'umask 0022 or 0000 (or exactly `--expect-umask`)',
  severity: 'warning',
  rationale:
    "The umask is inherited: a daemon started from a user's shell creates its files with whatever mask that shell had (a 0077 that hides its logs from their readers, a 0002 that lets a group write them). 0022, the default of systemd's UMask= and of most distributions, and 0, which daemon(7) and APUE set so that the daemon's own modes decide, are deliberate choices; any other mask is a leftover or a special need, which --expect-umask states.",
  evidence: '/proc/PID/status "Umask:" (Linux 4.7 and later; absent for zombies).',
  fix: 'Set umask 0022 (or the mask you intend, checked with --expect-umask) when it starts; daemon-check run --umask MODE (0022 by default).',
  needs: ['status'],
  options: ['expectUmask'],
  messages: {
    noUmaskLine: 'status has no Umask line (a zombie, or a kernel older than 4.7)',
    zero: "umask 0000: its code's own modes decide",
    usual: 'umask 0022, the usual default',
    expected: 'umask {{got}}',
    inheritedMeaning: 'umask {{got}} was inherited or set: {{meaning}}; expected {{expected}}',
    inherited: 'umask {{got}} was inherited or set; expected {{expected}}',
  },
  evaluate(snap, ctx) {
    const want = ctx.options.expectUmask;
    const expected = want === undefined ? '0022 or 0000' : formatMode(want);
    if (!snap.status) return unknownBecause(snap, 'status', expected);
    const got = snap.status.umask;
    if (got === null) {
      return {
        status: 'unknown',
        observed: 'no Umask line',
        expected,
        messageId: 'noUmaskLine',
      };
    }
    const ok = want === undefined ? ACCEPTED.includes(got) : got === want;
    const observed = formatMode(got);
    if (ok) {
      if (want !== undefined)
        return { status: 'pass', observed, expected, messageId: 'expected', data: { got: observed } };
      return { status: 'pass', observed, expected, messageId: got === 0 ? 'zero' : 'usual' };
    }
    const what = want === undefined ? meaning(got) : '';
    if (what)
      return {
        status: 'warn',
        observed,
        expected,
        messageId: 'inheritedMeaning',
        data: { got: observed, meaning: what, expected },
      };
    return { status: 'warn', observed, expected, messageId: 'inherited', data: { got: observed, expected } };
  },
});
