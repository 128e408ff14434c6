/**
 * `daemon-check PID [--json]` is parsed without commander
 * (src/cli/fast-audit.ts): the pid and options must be the ones commander
 * gives for the same argv, and every other argv must be left to commander.
 */
import { describe, expect, it } from 'vitest';
import { fastAuditArgs } from '../../src/cli/fast-audit.js';
import { buildProgram } from '../../src/cli/program.js';

async function viaCommander(argv: string[]): Promise<{ pid: unknown; opts: unknown }> {
  const program = buildProgram(argv);
  let got: { pid: unknown; opts: unknown } | null = null;
  program.action((pid: unknown, opts: unknown) => {
    got = { pid, opts };
  });
  await program.parseAsync(argv, { from: 'user' });
  return got!;
}

describe('fastAuditArgs', () => {
  it.each([['1234'], ['1234', '--json'], ['--json', '1234'], ['1'], ['4194304'], ['9999999999']])(
    '%j: the pid and options commander gives',
    async (...argv) => {
      const fast = fastAuditArgs(argv);
      expect(fast).not.toBeNull();
      const slow = await viaCommander(argv);
      expect(fast!.pid).toBe(slow.pid);
      expect(JSON.stringify(fast!.opts)).toBe(JSON.stringify(slow.opts)); // same keys, same order
    },
  );

  it.each([
    [],
    ['--json'],
    ['0'],
    ['01'],
    ['-5'],
    ['+5'],
    ['12345678901'],
    ['1e3'],
    ['12 '],
    ['1234', '--json', '--json'],
    ['1234', '5678'],
    ['1234', '--no-color'],
    ['1234', '--help'],
    ['scan'],
    ['help'],
    ['--pidfile', 'x'],
  ])('%j goes to commander', (...argv) => {
    expect(fastAuditArgs(argv)).toBeNull();
  });
});
