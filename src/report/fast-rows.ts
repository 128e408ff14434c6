/**
 * A table's body rows written directly, as cli-table3 would write them, when
 * that is easy to be sure of: fixed column widths, one-column padding on
 * each side, no border colours, no word wrap, no alignment, and every cell
 * one line of one-column text (ONE_COLUMN, the set scripts/cell-width.cjs
 * measures by length) that fits its width, whose colour codes cli-table3
 * would leave as they are. The top border, the head and the bottom border
 * are still cli-table3's, and any other table is drawn by it whole.
 *
 * What it buys: cli-table3 merges its options into every cell one option at
 * a time (setOption, mergeTableOptions), which made the scan's default table
 * 30-40% slower than its JSON; the figures are in docs/performance.md.
 * test/unit/fast-rows.test.ts compares this with cli-table3 on generated rows.
 */
import Table from 'cli-table3';

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
  const frame = new Table(options);
  const chars = (frame as unknown as { options: { chars: Record<string, string | undefined> } }).options.chars;
  // As cell.js setOption reads them: 'leftMid' before 'left-mid'.
  const char = (name: string) => chars[name.replace(/-(\w)/, (_, l: string) => l.toUpperCase())] ?? chars[name] ?? '';
  // The line between the head and the first row must be empty, which cli-table3 leaves out.
  if (['left-mid', 'mid', 'mid-mid', 'right-mid'].some((n) => char(n) !== '')) return null;
  const lines: string[] = [];
  for (const row of rows) {
    const line = rowLine(row, widths as number[], char('left'), char('middle'), char('right'));
    if (line === null) return null;
    lines.push(line);
  }
  // Without rows, cli-table3 draws the top border, the head and the bottom border.
  const outer = frame.toString().split('\n');
  if (outer.length !== 3) return null;
  return [outer[0], outer[1], ...lines, outer[2]].join('\n');
}
