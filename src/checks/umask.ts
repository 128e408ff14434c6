import { defineCheck, unknownBecause } from './check.js';
import { formatMode } from '../core/mode.js';

export const umaskCheck = defineCheck({
  id: 'umask',
  title: 'File creation mask reset',
  passWhen: 'umask 0 (or `--expect-umask`)',
  severity: 'warning',
  rationale:
    "The umask is inherited: a daemon started from a user's shell creates its files with that user's 022 or 077, not the modes its code asks for. Setting umask(0) (daemon(7), APUE) gives the daemon control of its own file permissions.",
  evidence: '/proc/PID/status "Umask:" (Linux 4.7 and later; absent for zombies).',
  fix: 'Call umask(0) (or the mask you intend, checked with --expect-umask) after forking; daemon-check run --umask MODE.',
  needs: ['status'],
  options: ['expectUmask'],
  messages: {
    noUmaskLine: 'status has no Umask line (a zombie, or a kernel older than 4.7)',
    managedDefault: 'umask {{got}}, the service manager default',
    expected: 'umask {{got}}',
    inherited: 'umask {{got}} was inherited or set; expected {{want}}',
  },
  evaluate(snap, ctx) {
    // A service manager sets the umask for its services (systemd's UMask= defaults to 0022).
    const managedDefault = ctx.profile === 'managed' && ctx.options.expectUmask === undefined;
    const want = ctx.options.expectUmask ?? 0;
    if (!snap.status) return unknownBecause(snap, 'status', formatMode(want));
    const got = snap.status.umask;
    if (got === null) {
      return {
        status: 'unknown',
        observed: 'no Umask line',
        expected: formatMode(want),
        messageId: 'noUmaskLine',
      };
    }
    if (managedDefault && got === 0o022) {
      return {
        status: 'pass',
        observed: formatMode(got),
        expected: '0000 or 0022',
        messageId: 'managedDefault',
        data: { got: formatMode(got) },
      };
    }
    if (got === want)
      return {
        status: 'pass',
        observed: formatMode(got),
        expected: formatMode(want),
        messageId: 'expected',
        data: { got: formatMode(got) },
      };
    return {
      status: 'warn',
      observed: formatMode(got),
      expected: formatMode(want),
      messageId: 'inherited',
      data: { got: formatMode(got), want: formatMode(want) },
    };
  },
});
