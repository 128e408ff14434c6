/**
 * The scan table's rows written directly (src/report/fast-rows.ts) must be
 * the very text cli-table3 gives, and every table it is not sure of must be
 * left to cli-table3: generated rows with plain, coloured, wide, multi-line,
 * control and too-long cells, in both character sets.
 */
import { createRequire } from 'node:module';
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { fastTable, ONE_COLUMN } from '../../src/report/fast-rows.js';
import { makeChalk, tableChars } from '../../src/report/style.js';
import { Rand } from '../helpers/fuzz.js';

const c = makeChalk(true);

/** A seeded generator (mulberry32, test/helpers/fuzz.ts), so a failure can be replayed. */
function random(seed: number): () => number {
  const r = new Rand(seed);
  return () => r.next();
}

const PLAIN = ['sleep 1000', 'script-job', '-', 'nohup', 'x', '', 'a-b_c.d/e:f', '“quoted” – dash …', '→ ↓ │ ┼ ✓ ✗'];
const ODD = [
  '日本語',
  '👍',
  'café\u0301',
  'tab\there',
  'line one\nline two',
  '\u001b]8;;http://x\u0007link\u001b]8;;\u0007',
];
const PAINT = [
  (s: string) => c.red.bold(s),
  (s: string) => c.green(s),
  (s: string) => c.yellow(s),
  (s: string) => c.dim(s),
  (s: string) => c.bgBlue(s),
  (s: string) => c.underline.italic(s),
  (s: string) => `\u001b[31m${s}`, // left open: cli-table3 closes it
  (s: string) => `\u001b[1m${s}`,
  (s: string) => `\u001b[38;5;2m${s}\u001b[0m`,
  (s: string) => `\u001b[m${s}`,
];

function cell(next: () => number, width: number): string {
  const r = next();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  let text = r < 0.05 ? pick(ODD) : pick(PLAIN);
  if (next() < 0.3) text = text.repeat(1 + Math.floor(next() * 4)).slice(0, width - 2 + (next() < 0.1 ? 3 : 0));
  else if (next() < 0.05) text = 'y'.repeat(width - 1); // one column too many
  return next() < 0.25 ? pick(PAINT)(text) : text;
}

const whole = (options: Table.TableConstructorOptions, rows: string[][]) => {
  const t = new Table(options);
  t.push(...rows);
  return t.toString();
};

describe('fastTable: rows written as cli-table3 writes them', () => {
  for (const ascii of [false, true]) {
    it(`${ascii ? 'ASCII' : 'box drawing'}: 400 generated tables, the same text or left to cli-table3`, () => {
      const next = random(ascii ? 7 : 11);
      let fast = 0;
      let left = 0;
      for (let t = 0; t < 400; t++) {
        const widths = Array.from({ length: 2 + Math.floor(next() * 6) }, () => 3 + Math.floor(next() * 30));
        const options = {
          head: widths.map((_, i) => (i === 1 ? '' : `col ${i}`)),
          style: { head: [], border: [], compact: true },
          colWidths: widths,
          chars: tableChars(ascii),
        };
        const plain = next() < 0.5; // half the tables of plain cells only, most of which take the fast path
        const rows = Array.from({ length: 1 + Math.floor(next() * 20) }, () =>
          widths.map((w) => (plain ? PLAIN[Math.floor(next() * 5)]!.slice(0, w - 2) : cell(next, w))),
        );
        const text = fastTable(options, rows);
        if (text === null) left++;
        else {
          fast++;
          expect(text).toBe(whole(options, rows));
        }
      }
      expect(fast).toBeGreaterThan(150);
      expect(left).toBeGreaterThan(50);
    });
  }

  it('every cell of a table cli-table3 would change is left to it', () => {
    const options = {
      head: ['a', 'b'],
      style: { head: [], border: [], compact: true },
      colWidths: [8, 8],
      chars: tableChars(false),
    };
    for (const odd of [...ODD, 'toolong!', '\u001b[31mred', '\u001b[1mbold', '\u001b[44mbg'])
      expect(fastTable(options, [['ok', odd]])).toBeNull();
    for (const fine of [c.red.bold('✗'), c.green('ok'), '\u001b[38;5;2mok\u001b[0m', '123456'])
      expect(fastTable(options, [['ok', fine]])).toBe(whole(options, [['ok', fine]]));
  });

  it('tables of another kind are left to cli-table3', () => {
    const base = { head: ['a', 'b'], style: { head: [], border: [], compact: true }, colWidths: [8, 8] };
    const rows = [['x', 'y']];
    expect(fastTable(base, rows)).toBeNull(); // the default chars draw a line under the head
    const chars = tableChars(true);
    expect(fastTable({ ...base, chars }, rows)).toBe(whole({ ...base, chars }, rows));
    expect(fastTable({ ...base, chars }, [])).toBeNull();
    expect(fastTable({ ...base, chars, style: { ...base.style, border: ['grey'] } }, rows)).toBeNull();
    expect(fastTable({ ...base, chars, style: { ...base.style, compact: false } }, rows)).toBeNull();
    expect(fastTable({ ...base, chars, style: { ...base.style, 'padding-left': 2 } }, rows)).toBeNull();
    expect(fastTable({ ...base, chars, wordWrap: true }, rows)).toBeNull();
    expect(fastTable({ ...base, chars, colAligns: ['right', 'left'] }, rows)).toBeNull();
    expect(fastTable({ ...base, chars, head: [] }, rows)).toBeNull();
    expect(fastTable({ ...base, chars }, [['x']])).toBeNull();
  });

  it('measures the characters scripts/cell-width.cjs measures by length', () => {
    const require = createRequire(import.meta.url);
    const cellWidth = require('../../scripts/cell-width.cjs') as { ONE_COLUMN: RegExp };
    expect(ONE_COLUMN.source).toBe(cellWidth.ONE_COLUMN.source);
  });
});
