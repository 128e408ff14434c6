/**
 * JUnit XML: one <testsuite> per audited process, one <testcase> per check.
 * `fail` rows are failures, `warn` rows only under --fail-on warn, `unknown`
 * rows are errors (the evidence was missing), `skip`/`info` are skipped.
 */
import { isShortfall, type FailOn } from '../verdict.js';
import type { CheckResult, Report } from '../audit-types.js';

function xmlEscape(s: string): string {
  // XML 1.0 cannot carry most control characters even escaped: drop them.
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

type Outcome = 'passed' | 'failure' | 'error' | 'skipped';

/** A shortfall is a failure, or an error when it is missing evidence; what does not count is skipped or passed. */
function outcome(row: CheckResult, failOn: FailOn): Outcome {
  if (isShortfall(row, failOn)) return row.status === 'unknown' ? 'error' : 'failure';
  return row.status === 'pass' || row.status === 'warn' ? 'passed' : 'skipped';
}

export function renderJunit(reports: Report[], failOn: FailOn = 'fail'): string {
  const suites: string[] = [];
  let tests = 0,
    failures = 0,
    errors = 0,
    skipped = 0;
  for (const r of reports) {
    const name = `daemon-check pid ${r.pid} (${r.comm})`;
    const cases: string[] = [];
    let f = 0,
      e = 0,
      s = 0;
    for (const row of r.checks) {
      const o = outcome(row, failOn);
      const msg = `${row.status}: ${row.detail} (seen: ${row.observed}; expected: ${row.expected})`;
      const open = `    <testcase classname="${xmlEscape(`daemon-check.${r.comm}.${r.pid}`)}" name="${xmlEscape(row.id)}" time="0">`;
      if (o === 'failure') {
        f++;
        cases.push(
          `${open}\n      <failure message="${xmlEscape(row.detail)}" type="${row.severity}">${xmlEscape(msg)}</failure>\n    </testcase>`,
        );
      } else if (o === 'error') {
        e++;
        cases.push(
          `${open}\n      <error message="${xmlEscape(row.detail)}" type="unknown">${xmlEscape(msg)}</error>\n    </testcase>`,
        );
      } else if (o === 'skipped') {
        s++;
        cases.push(`${open}\n      <skipped message="${xmlEscape(`${row.status}: ${row.detail}`)}"/>\n    </testcase>`);
      } else {
        cases.push(`${open}\n      <system-out>${xmlEscape(msg)}</system-out>\n    </testcase>`);
      }
    }
    tests += r.checks.length;
    failures += f;
    errors += e;
    skipped += s;
    const props = [
      ['verdict', r.verdict],
      ['profile', r.profile],
      ['startedAs', r.startedAs.kind],
      ['pid', String(r.pid)],
    ]
      .map(([k, v]) => `      <property name="${k}" value="${xmlEscape(v!)}"/>`)
      .join('\n');
    suites.push(
      `  <testsuite name="${xmlEscape(name)}" tests="${r.checks.length}" failures="${f}" errors="${e}" skipped="${s}" time="0" timestamp="${r.auditedAt.replace(/\.\d+Z$/, '')}">\n    <properties>\n${props}\n    </properties>\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="daemon-check" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
