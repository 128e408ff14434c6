import { describe, expect, it } from 'vitest';
import { computeVerdict, exitCodeFor } from '../../src/verdict.js';
import type { CheckResult, Report } from '../../src/audit-types.js';
import type { Severity, Status } from '../../src/core/types.js';

function r(severity: Severity, status: Status): CheckResult {
  return { id: 'umask', title: '', severity, status, observed: '', expected: '', detail: '' };
}

describe('verdict', () => {
  it.each([
    [[r('critical', 'pass'), r('warning', 'pass')], 'daemon'],
    [[r('critical', 'pass'), r('info', 'info')], 'daemon'],
    [[r('critical', 'pass'), r('warning', 'warn')], 'daemon-with-warnings'],
    [[r('critical', 'warn'), r('warning', 'pass')], 'daemon-with-warnings'],
    [[r('critical', 'unknown'), r('warning', 'warn')], 'inconclusive'],
    [[r('critical', 'fail'), r('critical', 'unknown')], 'not-a-daemon'],
    [[r('warning', 'unknown'), r('info', 'unknown')], 'daemon'],
    [[r('critical', 'skip')], 'daemon'],
  ])('%j -> %s', (rows, verdict) => {
    expect(computeVerdict(rows as CheckResult[])).toBe(verdict);
  });
});

describe('exit codes', () => {
  const rep = (verdict: Report['verdict'], requireFailed: string[] = []) =>
    ({ verdict, requireFailed }) as unknown as Report;
  it.each([
    ['daemon', 'fail', [], 0],
    ['daemon', 'warn', [], 0],
    ['daemon-with-warnings', 'fail', [], 0],
    ['daemon-with-warnings', 'warn', [], 1],
    ['not-a-daemon', 'fail', [], 1],
    ['inconclusive', 'fail', [], 3],
    ['daemon', 'fail', ['handles-sigterm'], 1],
  ] as const)('%s with --fail-on %s and required misses %j -> %i', (verdict, failOn, req, code) => {
    expect(exitCodeFor([rep(verdict, [...req])], failOn)).toBe(code);
  });
});
