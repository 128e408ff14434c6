/**
 * The checks as text, from the registry: what `explain` prints, the README's
 * table, and docs/checks.md. One source, so the three can never disagree.
 */
import type { Check } from '../checks/check.js';
import { checks } from '../checks/index.js';

/** "warning (sysv only)", "info (warning with --pidfile)". */
export function severityLabel(c: Check): string {
  const notes = [c.sysvOnly ? 'sysv only' : null, c.severityNote ?? null].filter(Boolean);
  return notes.length ? `${c.severity} (${notes.join('; ')})` : c.severity;
}

/** `explain`'s text for one check. */
export function explainLines(c: Check): string[] {
  return [
    `${c.id}  (${c.severity}${c.sysvOnly ? ', sysv profile only' : ''})`,
    `  ${c.title}`,
    `  Why:      ${c.rationale}`,
    `  Evidence: ${c.evidence}`,
    `  Fix:      ${c.fix}`,
  ];
}

/** explain --json: the metadata of each check. */
export function explainJson(list: readonly Check[]): unknown {
  return {
    schemaVersion: 1,
    checks: list.map((c) => ({
      id: c.id,
      title: c.title,
      severity: c.severity,
      sysvOnly: c.sysvOnly ?? false,
      rationale: c.rationale,
      evidence: c.evidence,
      fix: c.fix,
    })),
  };
}

export const README_TABLE_START = '<!-- checks table: generated from src/checks by `npm run docs` -->';
export const README_TABLE_END = '<!-- end of checks table -->';

/** The README's check table (between the two markers). */
export function readmeChecksTable(): string {
  const rows = checks.map((c) => `| \`${c.id}\` | ${severityLabel(c)} | ${c.passWhen} |`);
  return ['| id | severity | passes when |', '|---|---|---|', ...rows].join('\n');
}

/** docs/checks.md: every check with its rationale, evidence, fix, and the facts it reads. */
export function checksMarkdown(): string {
  const out = [
    '# The checks',
    '',
    'Generated from the check registry (`src/checks/`) by `npm run docs`; `daemon-check explain ID` prints the same text. Do not edit by hand: a test fails when this file and the registry disagree. The rules behind them are in [checklist.md](checklist.md).',
    '',
    '| id | severity | passes when |',
    '|---|---|---|',
    ...checks.map((c) => `| [\`${c.id}\`](#${c.id}) | ${severityLabel(c)} | ${c.passWhen} |`),
  ];
  for (const c of checks) {
    out.push(
      '',
      `## ${c.id}`,
      '',
      `**${c.title}.** Severity: ${severityLabel(c)}.`,
      '',
      `- **Why:** ${c.rationale}`,
      `- **Evidence:** ${c.evidence}`,
      `- **Fix:** ${c.fix}`,
      `- **Reads:** ${c.needs.join(', ')}${c.options?.length ? `; options: ${c.options.join(', ')}` : ''}`,
    );
  }
  return out.join('\n') + '\n';
}

/** The README with its check table replaced by the generated one; null when the markers are missing. */
export function withReadmeTable(readme: string): string | null {
  const a = readme.indexOf(README_TABLE_START);
  const b = readme.indexOf(README_TABLE_END);
  if (a < 0 || b < a) return null;
  return `${readme.slice(0, a + README_TABLE_START.length)}\n${readmeChecksTable()}\n${readme.slice(b)}`;
}
