/** TAP version 14: a plan and one line per check; a subtest per process when there are several. */
import { isShortfall, type FailOn } from '../verdict.js';
import type { CheckResult, Report } from '../audit-types.js';

function escapeDesc(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/#/g, '\\#')
    .replace(/[\r\n]+/g, ' ');
}

function line(n: number, row: CheckResult, failOn: FailOn, indent: string): string {
  const notOk = isShortfall(row, failOn);
  let directive = '';
  if (row.status === 'skip') directive = ` # SKIP ${escapeDesc(row.detail)}`;
  else if (row.status === 'info' || (row.status === 'unknown' && row.severity !== 'critical'))
    directive = ` # SKIP ${row.status}: ${escapeDesc(row.detail)}`;
  const head = `${indent}${notOk ? 'not ok' : 'ok'} ${n} - ${escapeDesc(row.id)}${directive}`;
  if (!notOk && row.status !== 'warn') return head;
  const yaml = [
    `${indent}  ---`,
    `${indent}  severity: ${row.severity}`,
    `${indent}  status: ${row.status}`,
    `${indent}  observed: ${JSON.stringify(row.observed)}`,
    `${indent}  expected: ${JSON.stringify(row.expected)}`,
    `${indent}  detail: ${JSON.stringify(row.detail)}`,
    `${indent}  ...`,
  ];
  return [head, ...yaml].join('\n');
}

function body(r: Report, failOn: FailOn, indent: string): string[] {
  const out = [
    `${indent}# pid ${r.pid} (${escapeDesc(r.comm)}): ${r.verdict}, started as ${r.startedAs.kind}`,
    `${indent}1..${r.checks.length}`,
  ];
  r.checks.forEach((row, i) => out.push(line(i + 1, row, failOn, indent)));
  return out;
}

export function renderTap(reports: Report[], failOn: FailOn = 'fail'): string {
  const out = ['TAP version 14'];
  if (reports.length === 1) {
    out.push(...body(reports[0]!, failOn, ''));
  } else {
    out.push(`1..${reports.length}`);
    reports.forEach((r, i) => {
      out.push(`# Subtest: pid ${r.pid} (${escapeDesc(r.comm)})`);
      out.push(...body(r, failOn, '    '));
      const bad = r.checks.some((row) => isShortfall(row, failOn));
      out.push(`${bad ? 'not ok' : 'ok'} ${i + 1} - pid ${r.pid} (${escapeDesc(r.comm)})`);
    });
  }
  return out.join('\n') + '\n';
}
