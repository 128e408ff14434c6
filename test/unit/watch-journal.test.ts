/**
 * The journal: each line one write(2) on an O_APPEND fd, so two watchers
 * appending to the same file never tear a line; created 0600; a path that
 * cannot be written is one line and exit 2 before anything starts.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../src/watch/journal.js';
import { runCli } from '../helpers/cli.js';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dc-journal-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A node process that appends N lines of ~6 KB (more than a pipe's atomic PIPE_BUF) through the built journal. */
function writer(file: string, tag: string, n: number): Promise<number> {
  const script = `
    const { openJournal } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'watch', 'journal.js'))});
    const j = openJournal(${JSON.stringify(file)});
    const pad = ${JSON.stringify(tag)}.repeat(6000);
    for (let i = 0; i < ${n}; i++) j.append(JSON.stringify({ tag: ${JSON.stringify(tag)}, i, pad }) + '\\n');
    j.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
}

describe('the journal', () => {
  it('1,000 lines from each of two processes at once: 2,000 whole lines, none torn, each writer in order', async () => {
    const file = path.join(dir, 'two.jsonl');
    const codes = await Promise.all([writer(file, 'a', 1000), writer(file, 'b', 1000)]);
    expect(codes).toEqual([0, 0]);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2000);
    const parsed = lines.map((l) => JSON.parse(l) as { tag: string; i: number; pad: string });
    for (const tag of ['a', 'b']) {
      const mine = parsed.filter((p) => p.tag === tag);
      expect(mine.map((p) => p.i)).toEqual([...Array(1000).keys()]);
      expect(mine.every((p) => p.pad === tag.repeat(6000))).toBe(true);
    }
  });

  it('is created 0600 and appended to, never truncated', () => {
    const file = path.join(dir, 'mode.jsonl');
    const j = openJournal(file);
    j.append('{"a":1}\n');
    j.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const k = openJournal(file);
    k.append('{"a":2}\n');
    k.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
  });

  it('a path that cannot be written is one line and exit 2, before anything starts', async () => {
    const out = await runCli(['watch', String(process.pid), '--journal', path.join(dir, 'no', 'such', 'dir.jsonl')]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      `daemon-check: --journal ${path.join(dir, 'no', 'such', 'dir.jsonl')} cannot be written (ENOENT): give a file in a folder you can write to\n`,
    );
  });
});
