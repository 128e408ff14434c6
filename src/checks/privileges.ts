import { defineCheck, unknownBecause } from './check.js';

/** CAP_SYS_ADMIN: present in any "full" set, and the one that matters most. */
const CAP_SYS_ADMIN = 21n;

/** Bits set in a capability mask, 32 at a time (a BigInt shift per bit cost ~5 µs per process of a scan). */
function popcount(n: bigint): number {
  let c = 0;
  for (let rest = n; rest > 0n; rest >>= 32n) {
    let w = Number(rest & 0xffffffffn);
    w -= (w >>> 1) & 0x55555555;
    w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
    c += Math.imul((w + (w >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return c;
}

export const privileges = defineCheck({
  id: 'privileges',
  title: 'Runs without full root privileges',
  passWhen: 'not root with a full capability set',
  severity: 'info',
  rationale:
    "daemon(7) asks a daemon to drop privileges once it has done what needs them (binding a low port, opening a log). A bug in a daemon that keeps root with every capability is a bug with root's reach.",
  evidence: '/proc/PID/status Uid and CapEff.',
  fix: 'Switch to an unprivileged user after setup (initgroups, setgid, setuid), or start it with daemon-check run --user USER.',
  needs: ['status'],
  messages: {
    capEffUnreadable: 'root, and its CapEff line is missing or garbled: how much of root it keeps is unknown',
    fullRoot: 'runs as root with {{count}} effective capabilities, CAP_SYS_ADMIN among them',
    reducedRoot: 'root, but with a reduced capability set ({{count}})',
    nonRoot: 'runs as uid {{euid}}',
  },
  evaluate(snap) {
    const st = snap.status;
    if (!st || st.uid.length === 0) return unknownBecause(snap, 'status', 'non-root, or reduced capabilities');
    const euid = st.uid[1] ?? st.uid[0]!;
    if (euid === 0 && st.capEff === null) {
      return {
        status: 'unknown',
        observed: `uid ${st.uid.join('/')}, CapEff unreadable`,
        expected: 'non-root, or reduced capabilities',
        messageId: 'capEffUnreadable',
      };
    }
    const caps = st.capEff ?? 0n;
    const full = ((caps >> CAP_SYS_ADMIN) & 1n) === 1n;
    const observed = `uid ${st.uid.join('/')}, CapEff ${caps.toString(16).padStart(16, '0')}`;
    if (euid === 0 && full) {
      return {
        status: 'info',
        observed,
        expected: 'non-root, or reduced capabilities',
        messageId: 'fullRoot',
        data: { count: popcount(caps) },
      };
    }
    return {
      status: 'pass',
      observed,
      expected: 'non-root, or reduced capabilities',
      ...(euid === 0
        ? ({ messageId: 'reducedRoot', data: { count: popcount(caps) } } as const)
        : ({ messageId: 'nonRoot', data: { euid } } as const)),
    };
  },
});
