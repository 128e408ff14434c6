/**
 * The scan's table is drawn in blocks of rows (cli-table3 lays a table out
 * in time quadratic in its rows); joined, the blocks must be the very text
 * one table of all the rows gives.
 */
import { describe, expect, it } from 'vitest';
import { drawRows } from '../../src/report/scan-table.js';
import { makeChalk, tableChars } from '../../src/report/style.js';

const c = makeChalk(true);

function rowsOf(n: number): string[][] {
  return Array.from({ length: n }, (_, i) => [
    String(1000 + i),
    i % 3 === 0 ? c.red.bold('✗') : c.yellow('!'),
    i % 7 === 0 ? 'line one\nline two' : 'script-job',
    `sleep ${i} ${'x'.repeat(i % 40)}`,
    i % 5 === 0 ? '日本語 👍 café' : '-',
  ]);
}

describe('drawRows: the scan table in blocks', () => {
  for (const ascii of [false, true]) {
    const options = {
      head: ['pid', '', 'started as', 'command', 'problems'],
      style: { head: [], border: [], compact: true },
      colWidths: [8, 3, 18, 30, 16],
      chars: tableChars(ascii),
    };
    it.each([0, 1, 2, 5, 63, 64, 65, 130])(
      `${ascii ? 'ASCII' : 'box drawing'}: %i rows, in blocks of 1, 3 and 64, are one table's text`,
      (n) => {
        const rows = rowsOf(n);
        const whole = drawRows(options, rows, Number.POSITIVE_INFINITY);
        expect(whole.split('\n').length).toBeGreaterThanOrEqual(n + 3); // top, head, rows, bottom
        for (const perBlock of [1, 3, 64]) expect(drawRows(options, rows, perBlock)).toBe(whole);
      },
    );
  }

  it('a table without rows is its head between two borders', () => {
    const text = drawRows(
      {
        head: ['pid', 'command'],
        style: { head: [], border: [], compact: true },
        colWidths: [6, 10],
        chars: tableChars(true),
      },
      [],
    );
    expect(text).toBe(['+------+----------+', '| pid  | command  |', '+------+----------+'].join('\n'));
  });
});
