/**
 * Races: audits of processes that exit while they are being read. Each
 * outcome is a valid report or the typed "exited" error; never a crash.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/api.js';
import { checks } from '../../src/checks/index.js';
import { runCli } from '../helpers/cli.js';
import { trackProcesses } from '../helpers/procs.js';
import { DaemonCheckError } from '../../src/core/errors.js';
import type { Report } from '../../src/audit-types.js';

const tracker = trackProcesses();

describe('processes that exit mid-audit', () => {
  it('400 in-process audits of processes timed to exit around the audit: a report or a typed error, nothing else', async () => {
    const outcomes = new Map<string, number>();
    const bump = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (let i = 0; i < 400; i++) {
      // Most live 5-25 ms, and the audit starts 0-30 ms after the spawn: some before exec,
      // some while it runs, some straddling its exit, some after it is gone. Every 20th
      // outlives its audit (killed after it) and every 20th is audited after its exit,
      // so both ends are seen however busy the machine is.
      const anchor = i % 20 === 0 ? 'lives' : i % 20 === 10 ? 'gone' : null;
      const child = spawn('sleep', [anchor === 'lives' ? '60' : (0.005 + Math.random() * 0.02).toFixed(3)], {
        stdio: 'ignore',
      });
      tracker.track(child.pid!);
      if (anchor === 'gone') await new Promise((r) => child.once('exit', r));
      else if (anchor === 'lives') await new Promise((r) => child.once('spawn', r));
      else await pause(Math.random() * 30);
      try {
        const r = (await audit(child.pid!)) as Report;
        expect(r.pid).toBe(child.pid);
        expect(r.checks).toHaveLength(checks.length);
        bump('report');
      } catch (err) {
        expect(anchor, `the audit of a process that had not exited failed: ${String(err)}`).not.toBe('lives');
        expect(err).toBeInstanceOf(DaemonCheckError);
        const code = (err as DaemonCheckError).code;
        expect(['EXITED_DURING_AUDIT', 'NO_SUCH_PROCESS', 'ZOMBIE']).toContain(code);
        bump(code);
      } finally {
        if (anchor === 'lives') child.kill('SIGKILL');
      }
    }
    console.log('races: in-process outcomes', Object.fromEntries(outcomes));
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(400);
    expect(outcomes.get('report') ?? 0).toBeGreaterThan(0);
    expect(400 - (outcomes.get('report') ?? 0)).toBeGreaterThan(0);
  }, 120_000);

  it('100 CLI audits racing exits: exit 0, 1 or 3; one line on stderr; valid JSON otherwise', async () => {
    const codes = new Map<number, number>();
    const batch = async (i: number) => {
      // Lifetimes of 0-270 ms, around a CLI audit's own run.
      const child = spawn('sh', ['-c', `sleep ${((i % 10) * 0.03).toFixed(2)}`], { stdio: 'ignore' });
      tracker.track(child.pid!);
      const r = await runCli([String(child.pid), '--json']);
      codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      expect([0, 1, 3]).toContain(r.code);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
      if (r.code === 3 && r.stdout === '') {
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(
          /^daemon-check: (no process with pid|pid \d+ .*(exited during the audit|is a zombie)|pid \d+ was reused)/,
        );
      } else {
        expect((JSON.parse(r.stdout) as Report).pid).toBe(child.pid);
        if (r.code !== 0) expect(r.stderr).toMatch(/^daemon-check: [^\n]*\n$/);
      }
    };
    for (let i = 0; i < 100; i += 4) await Promise.all([0, 1, 2, 3].map((k) => batch(i + k)));
    console.log('races: CLI exit codes', Object.fromEntries(codes));
  }, 120_000);
});
