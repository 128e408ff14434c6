/**
 * A table's body rows written directly, as cli-table3 would write them, when
 * that is easy to be sure of: fixed column widths, one-column padding on
 * each side, no border colours, no word wrap, no alignment, and every cell
 * one line of one-column text (ONE_COLUMN, the set scripts/cell-width.cjs
 * measures by length) that fits its width, whose colour codes cli-table3
 * would leave as they are. The borders and the head are drawn here too when
 * each border character is one column and the head is uncoloured cells of the
 * same kind; otherwise they are cli-table3's (a table of no rows drawn by it),
 * and any other table is drawn by cli-table3 whole.
 *
 * What it buys: cli-table3 merges its options into every cell one option at
 * a time (setOption, mergeTableOptions), which made the scan's default table
 * 30-40% slower than its JSON; the figures are in docs/performance.md.
 * test/unit/fast-rows.test.ts compares this with cli-table3 on generated rows.
 */
import Table from 'cli-table3';

/**
 * cli-table3's default characters (utils.js defaultOptions), which the
 * table's own `chars` override; test/unit/fast-rows.test.ts draws both ways.
 */
const DEFAULT_CHARS: Readonly<Record<string, string>> = {
  top: '─',
  'top-mid': '┬',
  'top-left': '┌',
  'top-right': '┐',
  bottom: '─',
  'bottom-mid': '┴',
  'bottom-left': '└',
  'bottom-right': '┘',
  left: '│',
  'left-mid': '├',
  mid: '─',
  'mid-mid': '┼',
  right: '│',
  'right-mid': '┤',
  middle: '│',
};

/** The characters one column wide each, as scripts/cell-width.cjs lists them (the test checks both agree). */
export const ONE_COLUMN = /^[\x20-\x7e\u2010-\u2027\u2190-\u2193\u2500-\u257f\u2713\u2717]*$/;

/** cli-table3's colour codes (utils.js codeRegex), with the parameters captured. */
const SGR = /\u001b\[((?:\d*;){0,5}\d*)m/g;

/** The attributes cli-table3 tracks by code (utils.js codeCache): [on, off]. */
const ATTRIBUTES: ReadonlyArray<readonly [number, number]> = [
  [1, 22],
  [3, 23],
  [4, 24],
  [7, 27],
  [9, 29],
];

/**
 * The cell's text without its colour codes, or null when cli-table3 would
 * add codes to the cell (utils.js colorizeLines closes what a line leaves
 * open: a foreground or background other than the default, or an attribute
 * it tracks), or when a code it does not strip is left.
 */
function plainText(cell: string): string | null {
  if (!cell.includes('\u001b')) return cell;
  let fg = '';
  let bg = '';
  const on = new Set<number>();
  SGR.lastIndex = 0;
  for (let m = SGR.exec(cell); m; m = SGR.exec(cell)) {
    const code = m[1] ? parseInt(m[1].split(';')[0]!, 10) : 0;
    if ((code >= 30 && code <= 39) || (code >= 90 && code <= 97)) fg = m[0];
    else if ((code >= 40 && code <= 49) || (code >= 100 && code <= 107)) bg = m[0];
    else if (code === 0) {
      fg = bg = '';
      on.clear();
    } else if (m[0] === `\u001b[${code}m`) {
      for (const [set, unset] of ATTRIBUTES) {
        if (code === set) on.add(set);
        else if (code === unset) on.delete(set);
      }
    }
  }
  if (on.size || (fg && fg !== '\u001b[39m') || (bg && bg !== '\u001b[49m')) return null;
  const text = cell.replace(SGR, '');
  return text.includes('\u001b') ? null : text;
}

/** The line cli-table3 draws for ROW, or null when it is not sure to be that. */
function rowLine(row: readonly unknown[], widths: readonly number[], left: string, middle: string, right: string) {
  if (row.length !== widths.length) return null;
  let line = '';
  for (let x = 0; x < row.length; x++) {
    const cell = row[x];
    if (typeof cell !== 'string') return null;
    const text = plainText(cell);
    const room = widths[x]! - 2;
    if (text === null || text.length > room || !ONE_COLUMN.test(text)) return null;
    line += (x === 0 ? left : middle) + ' ' + cell + ' '.repeat(room - text.length + 1);
  }
  return line + right;
}

/**
 * The text `new Table(options)` with ROWS pushed gives, with the rows written
 * here; null when a row or the options are not of the simple kind (see above).
 */
export function fastTable(
  options: Table.TableConstructorOptions,
  rows: readonly (readonly unknown[])[],
): string | null {
  const style = options.style ?? {};
  const widths = options.colWidths;
  if (
    !rows.length ||
    !widths ||
    widths.some((w) => typeof w !== 'number' || w < 2) ||
    (style.border && style.border.length) ||
    style['padding-left'] !== undefined ||
    style['padding-right'] !== undefined ||
    !style.compact ||
    options.wordWrap ||
    options.colAligns?.length ||
    options.rowHeights?.length ||
    !options.head?.length ||
    options.head.length !== widths.length
  )
    return null;
  const given = (options.chars ?? {}) as Record<string, string | undefined>;
  const char = (name: string): string => given[name] ?? DEFAULT_CHARS[name]!;
  // The line between the head and the first row must be empty, which cli-table3 leaves out.
  if (['left-mid', 'mid', 'mid-mid', 'right-mid'].some((n) => char(n) !== '')) return null;
  const lines: string[] = [];
  for (const row of rows) {
    const line = rowLine(row, widths as number[], char('left'), char('middle'), char('right'));
    if (line === null) return null;
    lines.push(line);
  }
  const [top, head, bottom] = frame(options, widths as number[], char) ?? [];
  if (bottom === undefined) return null;
  return [top, head, ...lines, bottom].join('\n');
}

/**
 * The top border, the head and the bottom border: drawn here when the head is
 * one uncoloured row of the simple kind and every border character is one
 * column (drawing a Table of no rows merges its options into every cell, the
 * cost this file avoids), else cli-table3's; null when those are not three lines.
 */
function frame(
  options: Table.TableConstructorOptions,
  widths: number[],
  char: (name: string) => string,
): string[] | null {
  const edge = (left: string, fill: string, joint: string, right: string): string | null => {
    if (![left, fill, joint, right].every((ch) => ch.length === 1 && ONE_COLUMN.test(ch))) return null;
    return left + widths.map((w) => fill.repeat(w)).join(joint) + right;
  };
  const headStyle = options.style?.head;
  const head =
    Array.isArray(headStyle) && headStyle.length === 0
      ? rowLine(options.head!, widths, char('left'), char('middle'), char('right'))
      : null;
  const top = edge(char('top-left'), char('top'), char('top-mid'), char('top-right'));
  const bottom = edge(char('bottom-left'), char('bottom'), char('bottom-mid'), char('bottom-right'));
  if (head !== null && top !== null && bottom !== null) return [top, head, bottom];
  // Without rows, cli-table3 draws the top border, the head and the bottom border.
  const drawn = new Table(options).toString().split('\n');
  return drawn.length === 3 ? drawn : null;
}
