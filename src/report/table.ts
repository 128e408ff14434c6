/**
 * The terminal report, shaped like `systemd-analyze security`: a header, one
 * row per check (worst first), the findings, the verdict, how it was started
 * and what to do.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { statusRank } from '../verdict.js';
import { FATE_EVENTS, type Outcome, type Report } from '../types.js';
import { makeChalk, paintStatus, paintVerdict, SYMBOLS } from './style.js';
import { safeDeep } from './sanitize.js';

export interface TableOptions {
  color?: boolean;
  width?: number;
}

function cut(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, Math.max(1, n - 1)) + '…';
}

/** The ancestry line: init -> ... -> the audited process, with session and group marks. */
function ancestryLine(r: Report): string {
  const f = r.facts;
  const parts = f.ancestry.map((a) => {
    const marks: string[] = [];
    if (a.pid === a.sid) marks.push(`session leader${a.tty ? `, ${a.tty}` : ''}`);
    else if (a.pid === a.pgid) marks.push('group leader');
    return `${a.comm} ${a.pid}${marks.length ? ` [${marks.join(', ')}]` : ''}`;
  });
  const self: string[] = [];
  if (r.pid === f.sid) self.push(`session leader${f.tty ? `, ${f.tty}` : ''}`);
  else if (r.pid === f.pgid) self.push(`group leader${f.tty ? `, ${f.tty}` : ''}`);
  else if (f.tty) self.push(f.tty);
  if (f.sid !== r.pid && !f.ancestry.some((a) => a.pid === f.sid)) {
    const leader = f.sessionLeader ? ` led by ${f.sessionLeader.comm}` : f.unreadable.sessionLeader ? `, leader unreadable (${f.unreadable.sessionLeader})` : ', leader gone';
    self.push(`session ${f.sid}${leader}`);
  }
  parts.push(`${r.comm} ${r.pid}${self.length ? ` [${self.join(', ')}]` : ''} <- audited`);
  let line = parts.join(' -> ');
  if (f.children.length) {
    const kids = f.children.slice(0, 6).map((c) => `${c.comm} ${c.pid}${f.zombieChildren.some((z) => z.pid === c.pid) ? ' (zombie)' : ''}`);
    line += `\n    children: ${kids.join(', ')}${f.children.length > 6 ? `, +${f.children.length - 6}` : ''}`;
  }
  return line;
}

const OUTCOME_MARK: Record<Outcome, string> = { lives: 'lives', dies: 'DIES', unknown: '?' };

/** One line per event of the fate model, with the condition that would flip it. */
function fateLines(c: ChalkInstance, r: Report): string[] {
  return FATE_EVENTS.map((ev) => {
    const e = r.fate[ev];
    const mark = OUTCOME_MARK[e.outcome].padEnd(5);
    const painted = e.outcome === 'dies' ? c.red.bold(mark) : e.outcome === 'lives' ? c.green(mark) : c.magenta(mark);
    return `  ${ev.padEnd(10)} ${painted} ${e.why}${e.unless ? c.dim(` Unless ${e.unless}.`) : ''}`;
  });
}

function header(c: ChalkInstance, r: Report): string[] {
  const cmd = r.cmdline && r.cmdline.length ? r.cmdline.join(' ') : `[${r.comm}]`;
  const user = r.facts.uid === null ? 'unknown user' : `${r.user ?? 'uid'} (uid ${r.facts.uid})`;
  return [
    `${c.bold(`pid ${r.pid}`)}  ${cut(cmd, 200)}`,
    `user ${user}   profile ${c.bold(r.profile)} (${r.profileReason})`,
    `tree ${ancestryLine(r)}`,
  ];
}

export function renderTable(report: Report, opts: TableOptions = {}): string {
  const r = safeDeep(report);
  const c = makeChalk(opts.color);
  const width = Math.max(60, Math.min(opts.width ?? 100, 160));
  const rows = [...r.checks].sort((a, b) => statusRank(a.status) - statusRank(b.status));
  const obsW = Math.max(16, Math.floor((width - 32) * 0.6));
  const expW = Math.max(10, width - 32 - obsW);
  const table = new Table({
    head: ['', 'check', 'seen', 'expected'],
    style: { head: [], border: [], compact: true },
    colWidths: [3, 24, obsW, expW],
    wordWrap: false,
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) {
    table.push([
      paintStatus(c, row.status, SYMBOLS[row.status]),
      paintStatus(c, row.status, row.id),
      cut(row.observed, obsW - 2),
      c.dim(cut(row.expected, expW - 2)),
    ]);
  }
  const out: string[] = [...header(c, r), '', table.toString(), ''];
  const findings = rows.filter((x) => x.status !== 'pass' && x.status !== 'skip');
  if (findings.length) {
    out.push(c.bold('Findings'));
    for (const f of findings) out.push(`  ${paintStatus(c, f.status, SYMBOLS[f.status])} ${f.id}: ${f.detail}`);
    out.push('');
  }
  if (r.facts.limits.length) out.push(c.dim(`Limits: ${r.facts.limits.join('; ')}`), '');
  const denied = Object.entries(r.facts.unreadable).filter(([, e]) => e === 'EACCES' || e === 'EPERM').map(([k]) => k);
  if (denied.length && r.auditorUid !== null && r.auditorUid !== 0) {
    out.push(c.magenta(`Not readable as uid ${r.auditorUid}: ${denied.join(', ')}. Running as root (sudo daemon-check ${r.pid}) would add that evidence.`), '');
  }
  out.push(`${c.bold('Verdict')}   ${paintVerdict(c, r.verdict)}`);
  out.push(`${c.bold('Started as')} ${r.startedAs.kind}: ${r.startedAs.detail}`);
  out.push('', c.bold('What ends it'), ...fateLines(c, r));
  if (r.requireFailed.length) out.push(c.red(`Required checks not passed: ${r.requireFailed.join(', ')}`));
  if (r.remediation.length) {
    out.push('', c.bold('What to do'));
    for (const line of r.remediation) out.push(`  - ${line}`);
  }
  return out.join('\n') + '\n';
}
