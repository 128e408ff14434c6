/**
 * The terminal report, answer first: the first screen names the process, the
 * verdict with its one-line reason, what ends it, and what the operator does
 * about it (the one approach the diagnosis chose first); `--brief` prints
 * only that. The evidence follows: how it was started, the picture of its
 * session, one row per check (worst first, shaped like `systemd-analyze
 * security`), the findings, and last the advice for the program's author.
 * On a terminal every line fits its width (prose wraps at word boundaries
 * with a hanging indent, the table gives up room from its widest free-text
 * column first); piped, nothing wraps.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { statusRank, verdictReason } from '../verdict.js';
import { isAuthorAdvice } from '../diagnose/remediation.js';
import { FATE_EVENTS, type Outcome } from '../core/types.js';
import type { Report } from '../audit-types.js';
import { fastTable } from './fast-rows.js';
import { wrap } from './layout.js';
import { ASCII_SYMBOLS, makeChalk, paintStatus, paintVerdict, SYMBOLS, tableChars } from './style.js';
import { safeDeep } from './sanitize.js';
import { renderSessionTree } from './tree.js';

export interface TableOptions {
  color?: boolean;
  /** The terminal's width; null or absent: not a terminal, nothing is wrapped. */
  width?: number | null;
  ascii?: boolean;
  /** Only the first screen: the verdict, what ends it and what to do (--brief). */
  brief?: boolean;
}

/** Cut to n characters, ending in "…" ("~" for ASCII output). */
function cut(s: string, n: number, ascii = false): string {
  const chars = [...s];
  return chars.length <= n ? s : chars.slice(0, Math.max(1, n - 1)).join('') + (ascii ? '~' : '…');
}

const OUTCOME_MARK: Record<Outcome, string> = { lives: 'lives', dies: 'DIES', unknown: '?' };

/** One line per event of the fate model, with the condition that would flip it. */
function fateLines(c: ChalkInstance, r: Report, width: number | null): string[] {
  return FATE_EVENTS.flatMap((ev) => {
    const e = r.fate[ev];
    const mark = OUTCOME_MARK[e.outcome].padEnd(5);
    const painted = e.outcome === 'dies' ? c.red.bold(mark) : e.outcome === 'lives' ? c.green(mark) : c.magenta(mark);
    const text = `${e.why}${e.unless ? ` Unless ${e.unless}.` : ''}`;
    return wrap(text, width, `  ${ev.padEnd(10)} ${painted} `, ' '.repeat(19));
  });
}

function header(c: ChalkInstance, r: Report, width: number | null, ascii: boolean): string[] {
  const cmd = r.cmdline && r.cmdline.length ? r.cmdline.join(' ') : `[${r.comm}]`;
  const user = r.facts.uid === null ? 'unknown user' : `${r.user ?? 'uid'} (uid ${r.facts.uid})`;
  return [
    ...wrap(cut(cmd, 200, ascii), width, `${c.bold(`pid ${r.pid}`)}  `, '      '),
    ...wrap(`profile ${c.bold(r.profile)} (${r.profileReason})`, width, `user ${user}   `, '  '),
  ];
}

/** The check table: at a terminal's width, the 'seen' column gives up room first, then 'expected'. */
function checkTable(c: ChalkInstance, r: Report, width: number | null, ascii: boolean): string {
  const total = Math.max(60, Math.min(width ?? 100, 160));
  const fixed = 3 + 24 + 5; // symbol and id columns, and the borders
  const expW = Math.max(12, Math.min(30, Math.floor((total - fixed) * 0.4)));
  const obsW = Math.max(12, total - fixed - expW);
  const options = {
    head: ['', 'check', 'seen', 'expected'],
    style: { head: [], border: [], compact: true },
    colWidths: [3, 24, obsW, expW],
    wordWrap: false,
    chars: tableChars(ascii),
  };
  const symbols = ascii ? ASCII_SYMBOLS : SYMBOLS;
  const rows = [...r.checks]
    .sort((a, b) => statusRank(a.status) - statusRank(b.status))
    .map((row) => [
      paintStatus(c, row.status, symbols[row.status]),
      paintStatus(c, row.status, row.id),
      cut(row.observed, obsW - 2, ascii),
      c.dim(cut(row.expected, expW - 2, ascii)),
    ]);
  // The rows written directly where that gives cli-table3's bytes (src/report/fast-rows.ts): its per-cell option
  // merging was a tenth of an audit printed as a table.
  const fast = fastTable(options, rows);
  if (fast !== null) return fast;
  const table = new Table(options);
  table.push(...rows);
  return table.toString();
}

function findingLines(c: ChalkInstance, r: Report, width: number | null, ascii: boolean): string[] {
  const symbols = ascii ? ASCII_SYMBOLS : SYMBOLS;
  // A detail that is word for word a fate entry's why was said under "What ends it": said once.
  const told = new Set(FATE_EVENTS.map((ev) => r.fate[ev].why));
  const findings = [...r.checks]
    .sort((a, b) => statusRank(a.status) - statusRank(b.status))
    .filter((x) => x.status !== 'pass' && x.status !== 'skip' && !told.has(x.detail));
  if (!findings.length) return [];
  return [
    c.bold('Findings'),
    ...findings.flatMap((f) =>
      wrap(`${f.id}: ${f.detail}`, width, `  ${paintStatus(c, f.status, symbols[f.status])} `, '    '),
    ),
    '',
  ];
}

/** Lines under a heading, each a '- ' item wrapped with a hanging indent; nothing when there are none. */
function advice(c: ChalkInstance, heading: string, lines: string[], width: number | null): string[] {
  if (!lines.length) return [];
  return ['', c.bold(heading), ...lines.flatMap((line) => wrap(line, width, '  - ', '    '))];
}

/** The answer: the process, the verdict and its reason, what ends it, and the operator's actions. */
function firstScreen(c: ChalkInstance, r: Report, width: number | null, ascii: boolean): string[] {
  const out = [
    ...header(c, r, width, ascii),
    '',
    ...wrap(verdictReason(r), width, `${c.bold('Verdict')}  ${paintVerdict(c, r.verdict)}: `, '  '),
  ];
  if (r.requireFailed.length) out.push(c.red(`Required checks not passed: ${r.requireFailed.join(', ')}`));
  out.push('', c.bold('What ends it'), ...fateLines(c, r, width));
  out.push(
    ...advice(
      c,
      'What to do',
      r.remediation.filter((l) => !isAuthorAdvice(l)),
      width,
    ),
  );
  return out;
}

/** Evidence the auditor could not read, and why. */
function limitLines(c: ChalkInstance, r: Report, width: number | null): string[] {
  const out: string[] = [];
  if (r.facts.limits.length) out.push(...wrap(r.facts.limits.join('; '), width, c.dim('Limits: '), '  '), '');
  const denied = Object.entries(r.facts.unreadable)
    .filter(([, e]) => e === 'EACCES' || e === 'EPERM')
    .map(([k]) => k);
  if (denied.length && r.auditorUid !== null && r.auditorUid !== 0) {
    out.push(
      ...wrap(
        c.magenta(
          `Not readable as uid ${r.auditorUid}: ${denied.join(', ')}. Running as root (sudo daemon-check ${r.pid}) would add that evidence.`,
        ),
        width,
      ),
      '',
    );
  }
  return out;
}

/** The evidence: how it was started, its session, the check table, the findings, and the author's advice. */
function evidence(c: ChalkInstance, r: Report, width: number | null, ascii: boolean): string[] {
  const out = [
    ...wrap(`${r.startedAs.kind}: ${r.startedAs.detail}`, width, `${c.bold('Started as')} `, '  '),
    '',
    ...renderSessionTree(r, { ascii, width, color: c.level > 0 }),
    '',
    checkTable(c, r, width, ascii),
    '',
    ...findingLines(c, r, width, ascii),
    ...limitLines(c, r, width),
  ];
  out.push(
    ...advice(
      c,
      'If you maintain the program',
      r.remediation.filter((l) => isAuthorAdvice(l)),
      width,
    ).slice(1),
  );
  while (out[out.length - 1] === '') out.pop();
  return out;
}

export function renderTable(report: Report, opts: TableOptions = {}): string {
  const r = safeDeep(report);
  const c = makeChalk(opts.color);
  const width = opts.width ?? null;
  const ascii = opts.ascii ?? false;
  const out = firstScreen(c, r, width, ascii);
  if (!opts.brief) out.push('', ...evidence(c, r, width, ascii));
  return out.join('\n') + '\n';
}
