/**
 * The scan's table: one row per background process, fitted to the terminal:
 * pid, a short verdict mark, startedAs and the events of a login's end that
 * end it (`ends`) always; the command gets what is left, cut in the middle so
 * rows that differ only at their end (the usual case: the same program, other
 * arguments) stay apart; the user, the full verdict and the problems come
 * back as the width allows. The rows that die at the end of their login come
 * first, then those whose fate there cannot be told, each part worst verdict
 * first (the JSON keeps the scan's own order).
 */
import Table from 'cli-table3';
import type { ScanResult, ScanRow } from '../scan.js';
import type { FateEvent, Outcome, Verdict } from '../core/types.js';
import { fastTable } from './fast-rows.js';
import { wrap } from './layout.js';
import { ASCII_SYMBOLS, makeChalk, paintStatus, paintVerdict, SYMBOLS, tableChars } from './style.js';
import { safeDeep } from './sanitize.js';

/** Keeps both ends: "unshare --fork --pid … sleep 3013". ASCII output cuts with "~". */
function cutMiddle(s: string, n: number, more: string): string {
  const chars = [...s];
  if (chars.length <= n) return s;
  const head = Math.ceil((n - 1) * 0.45);
  return chars.slice(0, head).join('') + more + chars.slice(chars.length - (n - 1 - head)).join('');
}

function cut(s: string, n: number, more: string): string {
  const chars = [...s];
  return chars.length <= n ? s : chars.slice(0, Math.max(1, n - 1)).join('') + more;
}

const MARKS: Record<Verdict, string> = {
  'not-a-daemon': '✗',
  inconclusive: '?',
  'daemon-with-warnings': '!',
  daemon: '✓',
};
const ASCII_MARKS: Record<Verdict, string> = {
  'not-a-daemon': 'x',
  inconclusive: '?',
  'daemon-with-warnings': '!',
  daemon: '+',
};

/**
 * The events that end a login, each a letter in the `ends` cell where it
 * ends the process: h the hangup, e the shell's exit, l logind's logout; `?`
 * where it cannot be told, `.` where it lives through it.
 */
const LOGIN_ENDS: ReadonlyArray<[FateEvent, string]> = [
  ['hangup', 'h'],
  ['shell-exit', 'e'],
  ['logout', 'l'],
];

function endsCell(p: ScanRow, c: ReturnType<typeof makeChalk>): string {
  return LOGIN_ENDS.map(([ev, letter]) => {
    const o = p.fate[ev].outcome;
    return o === 'dies' ? c.red.bold(letter) : o === 'unknown' ? c.magenta('?') : c.dim('.');
  }).join('');
}

/** What the end of its login does to it: dies when any of its events ends it, unknown when one cannot be told. */
function loginEnd(p: ScanRow): Outcome {
  const outcomes = LOGIN_ENDS.map(([ev]) => p.fate[ev].outcome);
  return outcomes.includes('dies') ? 'dies' : outcomes.includes('unknown') ? 'unknown' : 'lives';
}

const END_RANK: Record<Outcome, number> = { dies: 0, unknown: 1, lives: 2 };

/** The rows that die at the end of their login first, then the unknown ones; a stable sort keeps the scan's order within. */
function byLoginEnd(rows: readonly ScanRow[]): ScanRow[] {
  return rows
    .map((p) => ({ p, rank: END_RANK[loginEnd(p)] }))
    .sort((a, b) => a.rank - b.rank)
    .map((x) => x.p);
}

interface Columns {
  user: boolean;
  verdict: boolean;
  problems: number;
  command: number;
}

/** Which columns fit: pid 8, mark 3, started as 18, ends 6, a border per column and one more; the command takes the rest. */
function columnsFor(width: number): Columns {
  const user = width >= 100;
  const verdict = width >= 120;
  const problemsShown = width >= 100;
  const count = 5 + (user ? 1 : 0) + (verdict ? 1 : 0) + (problemsShown ? 1 : 0);
  const rest = width - (8 + 3 + 18 + 6) - (user ? 11 : 0) - (verdict ? 23 : 0) - (count + 1);
  const problems = problemsShown ? Math.floor(rest * 0.4) : 0;
  return { user, verdict, problems, command: Math.max(12, rest - problems) };
}

/**
 * cli-table3 lays a table out in time quadratic in its rows (fillInTable
 * checks every cell against every cell above it, for spans). With fixed
 * column widths every block of rows is laid out alike, so the rows are drawn
 * ROWS_PER_BLOCK at a time and the blocks joined without the borders between
 * them, which is the text one table gives (test/unit/scan-table.test.ts). Every
 * block costs the same, so the drawing grows linearly with the rows; the
 * measurements are in docs/performance.md.
 */
const ROWS_PER_BLOCK = 64;

export function drawRows(options: Table.TableConstructorOptions, rows: string[][], perBlock = ROWS_PER_BLOCK): string {
  const blocks: string[][] = [];
  for (let i = 0; i === 0 || i < rows.length; i += perBlock) {
    const table = new Table(i === 0 ? options : { ...options, head: [] });
    table.push(...rows.slice(i, i + perBlock));
    blocks.push(table.toString().split('\n'));
  }
  return blocks
    .map((lines, i) => lines.slice(i === 0 ? 0 : 1, i === blocks.length - 1 ? lines.length : -1).join('\n'))
    .join('\n');
}

function scanTable(r: ScanResult, c: ReturnType<typeof makeChalk>, cols: Columns, ascii: boolean): string {
  const MARK = ascii ? ASCII_MARKS : MARKS;
  const symbols = ascii ? ASCII_SYMBOLS : SYMBOLS;
  const more = ascii ? '~' : '…';
  const head = [
    'pid',
    '',
    ...(cols.user ? ['user'] : []),
    'started as',
    'ends',
    ...(cols.verdict ? ['verdict'] : []),
    'command',
    ...(cols.problems ? ['problems'] : []),
  ];
  const widths = [
    8,
    3,
    ...(cols.user ? [11] : []),
    18,
    6,
    ...(cols.verdict ? [23] : []),
    cols.command,
    ...(cols.problems ? [cols.problems] : []),
  ];
  const rows = byLoginEnd(r.processes).map((p) => {
    const cmd = p.cmdline && p.cmdline.length ? p.cmdline.join(' ') : `[${p.comm}]`;
    const problems = p.problems.map((x) => `${symbols[x.status]}${ascii ? ':' : ''}${x.id}`).join(' ') || '-';
    const mark =
      p.verdict === 'not-a-daemon'
        ? c.red.bold(MARK[p.verdict])
        : p.verdict === 'daemon'
          ? c.green(MARK[p.verdict])
          : c.yellow(MARK[p.verdict]);
    return [
      String(p.pid),
      mark,
      ...(cols.user ? [cut(p.user ?? String(p.uid ?? '?'), 9, more)] : []),
      p.startedAs.kind,
      endsCell(p, c),
      ...(cols.verdict ? [paintVerdict(c, p.verdict)] : []),
      cutMiddle(cmd, cols.command - 2, more),
      ...(cols.problems
        ? [paintStatus(c, p.problems[0]?.status ?? 'pass', cut(problems, cols.problems - 2, more))]
        : []),
    ];
  });
  const options = { head, style: { head: [], border: [], compact: true }, colWidths: widths, chars: tableChars(ascii) };
  return fastTable(options, rows) ?? drawRows(options, rows);
}

export function renderScanTable(
  result: ScanResult,
  o: { color?: boolean; width?: number | null; ascii?: boolean; who: string },
): string {
  const ascii = o.ascii ?? false;
  const MARK = ascii ? ASCII_MARKS : MARKS;
  const r = safeDeep(result);
  const c = makeChalk(o.color);
  const width = o.width ?? null;
  const cols = columnsFor(Math.max(60, Math.min(width ?? 160, 240)));
  const counts = new Map<string, number>();
  for (const p of r.processes) counts.set(p.verdict, (counts.get(p.verdict) ?? 0) + 1);
  const s = r.skipped;
  const lines = [
    ...wrap(
      `(${[...counts].map(([v, n]) => `${n} ${v}`).join(', ') || 'none'})`,
      width,
      c.bold(`${r.processes.length} background processes of ${o.who} `),
      '  ',
    ),
    scanTable(r, c, cols, ascii),
  ];
  if (!cols.verdict)
    lines.push(
      c.dim(
        `${MARK['not-a-daemon']} not a daemon   ${MARK.inconclusive} inconclusive   ${MARK['daemon-with-warnings']} daemon with warnings   ${MARK.daemon} daemon`,
      ),
    );
  if (r.processes.length)
    lines.push(
      ...wrap(c.dim("ends: h hangup, e shell's exit, l logout ends it; ? cannot be told; . lives"), width, '', '  '),
    );
  const ancestors = s.scannerAncestors
    ? `, ${s.scannerAncestors} of this scan's own ancestors (its shell and terminal; --all lists them)`
    : '';
  lines.push(
    ...wrap(
      c.dim(
        `Not listed: ${s.kernelThreads} kernel threads, ${s.foreground} in a login terminal's foreground, ${s.zombies} zombies${s.otherUsers ? `, ${s.otherUsers} of other users (--all lists them)` : ''}${ancestors}${s.vanished ? `, ${s.vanished} exited while read` : ''}.`,
      ),
      width,
      '',
      '  ',
    ),
  );
  if (r.hidepid)
    lines.push(
      ...wrap(c.yellow(`/proc is mounted with ${r.hidepid}: other users' processes are hidden from this user.`), width),
    );
  const login = loginSentence(r.processes);
  if (login) lines.push(...wrap(login, width, '', '  '));
  return lines.join('\n') + '\n';
}

/**
 * How many rows will not survive the end of their login (the fate model says
 * `dies` for a hangup, the shell's exit or logind), and for how many more it
 * cannot be told (`unknown`): one sentence, or null when neither. Counted
 * from the fate model, not the verdict: a daemon in a login's scope dies at
 * logout too, and an unknown fate is never counted as a survivor.
 */
export function loginSentence(rows: readonly ScanRow[]): string | null {
  let dies = 0;
  let unknown = 0;
  for (const p of rows) {
    const end = loginEnd(p);
    if (end === 'dies') dies++;
    else if (end === 'unknown') unknown++;
  }
  const n = rows.length;
  if (dies && unknown)
    return `${dies} of the ${n} will not survive the end of their login (a hangup, the shell's exit, or logind), and for ${unknown} more it cannot be told from /proc; 'daemon-check <pid>' says why, or what it depends on, and how to start each one properly.`;
  if (dies)
    return `${dies} of the ${n} will not survive the end of their login (a hangup, the shell's exit, or logind); 'daemon-check <pid>' says why and how to start each one properly.`;
  if (unknown)
    return `Whether ${unknown} of the ${n} survive the end of their login cannot be told from /proc; 'daemon-check <pid>' says what it depends on.`;
  return null;
}
