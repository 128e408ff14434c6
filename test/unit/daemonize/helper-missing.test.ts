// What `run` gets when the native helper was never built (no C compiler at
// install time). The binary is hidden from helper.ts by mocking node:fs in
// this file only, so the real build used by the other test files is untouched.
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const hidden = (p: unknown) => String(p).endsWith('/native/build/daemon-check-helper');
  return {
    ...fs,
    existsSync: (p: import('node:fs').PathLike) => (hidden(p) ? false : fs.existsSync(p)),
  };
});

const { DaemonizeError, daemonize, helperAvailable } = await import('../../../src/daemonize/helper.js');

describe('without the native helper', () => {
  it('helperAvailable() names what is missing and the fix', () => {
    const h = helperAvailable();
    expect(h.ok).toBe(false);
    if (h.ok) return;
    expect(h.reason).toMatch(/native helper was not built .*daemon-check-helper is missing/);
    expect(h.fix).toMatch(/apt-get install gcc.*npm rebuild daemon-check/);
  });

  it('daemonize() rejects with HELPER_MISSING and starts nothing', async () => {
    const err: unknown = await daemonize({ command: ['sleep', '100'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonizeError);
    const e = err as InstanceType<typeof DaemonizeError>;
    expect(e.code).toBe('HELPER_MISSING');
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/^the native helper was not built .*; to fix: .*npm rebuild daemon-check/);
    expect(e.message).not.toContain('\n');
  });
});
