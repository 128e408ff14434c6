/**
 * Every fixture replay, in every output format, is what it was when
 * test/unit/golden/replays.json was written: a refactoring that changes no
 * behaviour leaves each byte in place. Only the audit's clock is masked.
 * UPDATE_GOLDEN=1 rewrites the file, for a commit that changes output on purpose.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'fixtures');
const GOLDEN = path.join(__dirname, 'golden', 'replays.json');
const FORMATS = ['json', 'table', 'junit', 'tap'] as const;

const scenarios = fs
  .readdirSync(FIXTURES)
  .filter((d) => fs.existsSync(path.join(FIXTURES, d, 'meta.json')))
  .sort();

function pidOf(name: string): number {
  return (JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'meta.json'), 'utf8')) as { pid: number }).pid;
}

/**
 * The audit's own clock, and where the fixture lies in this checkout, are all
 * that may differ between two runs (the captures themselves hold paths of the
 * checkout they were made in, which stay as they are).
 */
function masked(text: string, name: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/time="[\d.]+"/g, 'time="<t>"')
    .replace(/timestamp="[^"]*"/g, 'timestamp="<time>"')
    .split(path.join(FIXTURES, name))
    .join('<fixture>');
}

async function render(name: string, format: string): Promise<string> {
  const r = await runCli(['--proc-root', path.join(FIXTURES, name), String(pidOf(name)), '--format', format], {
    env: { COLUMNS: '100', LANG: 'C.UTF-8' },
  });
  return `exit ${r.code}\n--- stdout\n${masked(r.stdout, name)}--- stderr\n${masked(r.stderr, name)}`;
}

describe('fixture replays are byte-identical to the golden file', () => {
  const golden: Record<string, string> = fs.existsSync(GOLDEN)
    ? (JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) as Record<string, string>)
    : {};
  const written: Record<string, string> = {};

  it('covers every scenario and format', () => {
    if (process.env.UPDATE_GOLDEN) return;
    expect(Object.keys(golden).sort()).toEqual(scenarios.flatMap((s) => FORMATS.map((f) => `${s} ${f}`)).sort());
  });

  for (const name of scenarios) {
    for (const format of FORMATS) {
      it(`${name} as ${format}`, async () => {
        const out = await render(name, format);
        if (process.env.UPDATE_GOLDEN) {
          written[`${name} ${format}`] = out;
          const all = fs.existsSync(GOLDEN) ? JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) : {};
          fs.writeFileSync(
            GOLDEN,
            JSON.stringify({ ...all, ...written }, Object.keys({ ...all, ...written }).sort(), 1),
          );
          return;
        }
        expect(out).toBe(golden[`${name} ${format}`]);
      });
    }
  }
});
