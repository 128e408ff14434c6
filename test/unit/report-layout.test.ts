/**
 * The audit's table, answer first (docs/checklist.md "Severity, status,
 * verdict", README "Reading the report"): the first screen is the process,
 * the verdict and its reason, what ends it and the operator's action;
 * `--brief` is that screen alone. A check whose risk the fate model rules out
 * warns instead of failing, so the rows, the verdict and "What ends it" speak
 * with one voice. Pure: buildReport on snapshots, renderTable on the report.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/audit.js';
import { checks } from '../../src/checks/index.js';
import { isAuthorAdvice } from '../../src/diagnose/remediation.js';
import { renderTable } from '../../src/report/table.js';
import { verdictReason } from '../../src/verdict.js';
import type { Report } from '../../src/audit-types.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { NO_MANAGER, SYSTEMD_HOST, nohupJob } from '../helpers/situations.js';
import { makeStatus } from '../helpers/snapshot.js';

const report = (snap: Snapshot): Report => buildReport(snap, {}, new Date(0));
const TIES = ['no-controlling-tty', 'own-session', 'detached-parent'] as const;
const statusOf = (r: Report, id: string) => r.checks.find((c) => c.id === id)!.status;

/** `nohup python3 app.py &` typed at a login's bash: SIGHUP ignored, output to nohup.out. */
const nohupApp = (where = NO_MANAGER) => nohupJob(['python3', 'app.py'], where);
/** `python3 app.py &`: the same job, SIGHUP at its default action. */
const plainJob = () =>
  nohupJob(['python3', 'app.py'], NO_MANAGER, { status: makeStatus({ umask: 0o022, sigIgn: 0n }) });

describe('one voice: a tie to the login whose risk the fate rules out warns', () => {
  it('a nohup job: the hangup and exit spare it, so the three ties warn and the verdict is daemon-with-warnings', () => {
    const r = report(nohupApp());
    expect(r.fate.hangup.outcome).toBe('lives');
    expect(r.fate['shell-exit'].outcome).toBe('lives');
    for (const id of TIES) expect(statusOf(r, id), id).toBe('warn');
    expect(r.verdict).toBe('daemon-with-warnings');
    expect(verdictReason(r)).toBe("it outlives the end of its login, but stays in the login's session (3 warnings)");
    // Each row states its fact and its remaining risk, never the fate's sentence again.
    for (const id of TIES) expect(r.checks.find((c) => c.id === id)!.detail).not.toMatch(/does not end it|ends it/);
  });

  it('the same job without nohup: the hangup ends it, so the ties fail and the reason names the hangup', () => {
    const r = report(plainJob());
    expect(r.fate.hangup.outcome).toBe('dies');
    for (const id of TIES) expect(statusOf(r, id), id).toBe('fail');
    expect(r.verdict).toBe('not-a-daemon');
    expect(verdictReason(r)).toMatch(
      /^a hangup of the login's terminal ends it \(.+\); no-controlling-tty, own-session, detached-parent failed$/,
    );
  });
});

describe('two kinds of advice', () => {
  it("the operator's action comes first; the checks' own fixes are the author's", () => {
    const r = report(nohupApp());
    expect(r.remediation[0]).toMatch(/Start it properly with: daemon-check run --chdir \/home\/app /);
    const author = r.remediation.filter(isAuthorAdvice);
    expect(author).toEqual(
      r.checks
        .filter((c) => c.status === 'fail' || c.status === 'warn')
        .map((c) => `${c.id}: ${checks.find((k) => k.id === c.id)!.fix}`)
        .filter((l) => r.remediation.includes(l)),
    );
    expect(author.length).toBeGreaterThan(0);
    // Operator lines first, then the author's: never mixed.
    const firstAuthor = r.remediation.findIndex(isAuthorAdvice);
    expect(r.remediation.slice(firstAuthor).every(isAuthorAdvice)).toBe(true);
  });

  it("under systemd, the unit's settings are the operator's, not the author's", () => {
    const r = report(nohupJob(['/usr/bin/myapp'], SYSTEMD_HOST, { status: makeStatus({ umask: 0o077, sigIgn: 1n }) }));
    expect(r.remediation).toContain('umask: UMask=0022 (or the mask it needs) in the unit');
    expect(isAuthorAdvice('umask: UMask=0022 (or the mask it needs) in the unit')).toBe(false);
  });
});

describe('the table: answer first', () => {
  const lines = (text: string) => text.replace(/\n$/, '').split('\n');
  const at = (text: string, re: RegExp) => lines(text).findIndex((l) => re.test(l));

  it('verdict, what ends it and what to do come before the evidence; the author advice is last', () => {
    const text = renderTable(report(nohupApp()), { width: 80 });
    const order = [
      /^pid 1000 {2}python3 app\.py$/,
      /^Verdict {2}DAEMON WITH WARNINGS: it outlives/,
      /^What ends it$/,
      /^What to do$/,
      /^Started as nohup-job: /,
      /^┌─ session 900 /,
      /^│ {3}│ check /,
      /^Findings$/,
      /^If you maintain the program$/,
    ].map((re) => at(text, re));
    expect(
      order.every((i) => i >= 0),
      text,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // At 80 columns the verdict is on the first screen, and so is the operator's action.
    expect(order[1]).toBeLessThan(6);
    expect(at(text, /daemon-check run --chdir/)).toBeLessThan(24 + 8);
  });

  it('no ✗ where nothing failed, and "does not end it" is not said again and again', () => {
    const text = renderTable(report(nohupApp()), { width: 80 });
    expect(text).not.toContain('✗');
    expect(text.split('does not end it').length - 1).toBeLessThanOrEqual(1);
  });

  it('--brief is the first screen alone, the same lines the full report starts with', () => {
    const r = report(nohupApp());
    for (const width of [80, 200, null]) {
      const full = renderTable(r, { width });
      const brief = renderTable(r, { width, brief: true });
      expect(full.startsWith(brief)).toBe(true);
      expect(brief).toMatch(/What to do\n {2}- /);
      expect(brief).not.toMatch(/Started as|┌|Findings|If you maintain the program/);
    }
  });
});
