// The native helper stays in small files, one concern each: no native/*.c or
// *.h grows past 300 lines (the limit ESLint sets for src/).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const native = fileURLToPath(new URL('../../native/', import.meta.url));
const files = readdirSync(native).filter((f) => f.endsWith('.c') || f.endsWith('.h'));

describe('native/ layout', () => {
  it('has the mode chooser and the shared protocol header', () => {
    expect(files).toContain('main.c');
    expect(files).toContain('protocol.h');
  });

  it.each(files)('%s has at most 300 lines', (file) => {
    const lines = readFileSync(join(native, file), 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    expect(lines.length).toBeLessThanOrEqual(300);
  });
});
