/** --for DURATION, read as timeout(1) reads it; garbage is one line and exit 2. */
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/watch/duration.js';
import { runCli } from '../helpers/cli.js';

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['5m', 300],
    ['2h', 7200],
    ['1d', 86400],
    ['1.5m', 90],
    ['.5', 0.5],
    [' 10s ', 10],
    ['0', 0],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'soon', '5x', '-5', '5 m s', '1e3', 'm', '5mm', '30000d'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('--for on the command line', () => {
  it('garbage is one line naming the forms, and exit 2, before anything is watched', async () => {
    const out = await runCli(['watch', String(process.pid), '--for', 'soon']);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      "daemon-check: --for 'soon' is not a duration: give seconds or a suffix as timeout(1) reads it (90, 90s, 5m, 2h)\n",
    );
  });
});
