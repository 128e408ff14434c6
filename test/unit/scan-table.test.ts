/**
 * The scan's table is drawn in blocks of rows (cli-table3 lays a table out
 * in time quadratic in its rows); joined, the blocks must be the very text
 * one table of all the rows gives. Its `ends` column marks the events of a
 * login's end that end each process, and those rows come first.
 */
import { describe, expect, it } from 'vitest';
import { drawRows, loginSentence, renderScanTable } from '../../src/report/scan-table.js';
import type { ScanRow } from '../../src/scan.js';
import type { Outcome, Verdict } from '../../src/core/types.js';
import { makeChalk, tableChars } from '../../src/report/style.js';
import { loginFate, scanResultOf, scanRow } from '../helpers/scan-rows.js';

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

/** A shell job with the given verdict and the outcomes of hangup, the shell's exit and logout. */
function row(pid: number, verdict: Verdict, [hangup, exit, logout]: [Outcome, Outcome, Outcome]): ScanRow {
  const fate = loginFate(hangup, exit, logout, (o) => `${o}.`);
  return scanRow(pid, { cmdline: ['sleep', String(pid)], verdict, startedAs: { kind: 'shell-job', detail: '' }, fate });
}

describe("the scan table's ends column", () => {
  // In the scan's own order: worst verdict first, then by pid.
  const rows = [
    row(10, 'not-a-daemon', ['lives', 'lives', 'lives']),
    row(11, 'not-a-daemon', ['dies', 'lives', 'lives']),
    row(12, 'inconclusive', ['lives', 'lives', 'unknown']),
    row(13, 'daemon-with-warnings', ['lives', 'lives', 'dies']),
    row(14, 'daemon', ['dies', 'dies', 'dies']),
  ];
  /** The pid and ends cell of each row, in the order drawn. */
  const drawn = (text: string) =>
    text
      .split('\n')
      .map((l) => l.split('|').map((cell) => cell.trim()))
      .filter((cells) => /^\d+$/.test(cells[1] ?? ''))
      .map((cells) => [Number(cells[1]), cells[cells.indexOf('shell-job') + 1]]);

  for (const width of [80, 200, null]) {
    it(`at ${width ?? 'no'} columns${width ? '' : ' (piped)'}: the rows that die at the end of their login come first, then the unknown`, () => {
      const text = renderScanTable(scanResultOf(rows), { color: false, width, ascii: true, who: 'all users' });
      expect(drawn(text)).toEqual([
        [11, 'h..'],
        [13, '..l'],
        [14, 'hel'],
        [12, '..?'],
        [10, '...'],
      ]);
      expect(text.replace(/\n {2}/g, ' ')).toContain(
        "ends: h hangup, e shell's exit, l logout ends it; ? cannot be told; . lives",
      );
      if (width) expect(text.split('\n').filter((l) => [...l].length > width)).toEqual([]);
    });
  }

  it('counts the same rows in its closing sentence: 3 die, 1 cannot be told', () => {
    expect(loginSentence(rows)).toContain('3 of the 5 will not survive the end of their login');
    expect(loginSentence(rows)).toContain('for 1 more it cannot be told');
  });
});
