/**
 * The wording of every check's messages, in one golden file: the check tests
 * assert message ids and data, so this is where a change of English shows.
 * Each message is rendered with every field set to "<field>".
 * UPDATE_GOLDEN=1 rewrites test/golden/messages.json, for a change made on purpose.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMON_MESSAGES, defineCheck, renderDetail, type Said } from '../../../src/checks/check.js';
import { checks } from '../../../src/checks/index.js';

const GOLDEN = path.join(__dirname, '..', 'golden', 'messages.json');

function sampleData(template: string): Record<string, string> {
  return Object.fromEntries([...template.matchAll(/\{\{(\w+)\}\}/g)].map(([, f]) => [f!, `<${f}>`]));
}

function renderAll(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [owner, messages] of [
    ['(common)', COMMON_MESSAGES] as const,
    ...checks.map((c) => [c.id, c.messages] as const),
  ]) {
    out[owner] = Object.fromEntries(
      Object.entries(messages).map(([id, t]) => [id, renderDetail(messages, { messageId: id, data: sampleData(t) })]),
    );
  }
  return out;
}

describe('check messages', () => {
  it('render, with sample data, as test/golden/messages.json has them', () => {
    const rendered = renderAll();
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(GOLDEN, `${JSON.stringify(rendered, null, 1)}\n`);
    expect(rendered).toEqual(JSON.parse(fs.readFileSync(GOLDEN, 'utf8')));
  });

  it('every template names its fields as {{word}}, with no stray braces', () => {
    for (const c of checks)
      for (const [id, t] of Object.entries(c.messages))
        expect(t.replace(/\{\{\w+\}\}/g, ''), `${c.id} ${id}`).not.toMatch(/[{}]/);
  });

  it('no check redefines a common message id', () => {
    for (const c of checks)
      for (const id of Object.keys(COMMON_MESSAGES)) expect(Object.keys(c.messages), c.id).not.toContain(id);
  });

  it('renders a list of messages joined with "; ", and an empty list as nothing', () => {
    const messages = { list: 'a{{items}}b', item: '<{{n}}>' };
    const item = (n: number) => ({ messageId: 'item', data: { n } });
    expect(renderDetail(messages, { messageId: 'list', data: { items: [item(1), item(2)] } })).toBe('a<1>; <2>b');
    expect(renderDetail(messages, { messageId: 'list', data: { items: [] } })).toBe('ab');
  });

  it('throws on an id it does not know or a field without data', () => {
    expect(() => renderDetail({ a: 'x' }, { messageId: 'b' })).toThrow(/no message 'b'/);
    expect(() => renderDetail({ a: 'x {{y}}' }, { messageId: 'a', data: {} })).toThrow(/no data for \{\{y\}\}/);
  });

  it('makes an unknown id or a missing field a compile error (checked by tsc -p test/tsconfig.json)', () => {
    type M = { readonly one: 'one {{a}} {{b}}'; readonly two: 'two' };
    const ok: Said<M>[] = [{ messageId: 'one', data: { a: 1, b: 'x' } }, { messageId: 'two' }];
    // @ts-expect-error: 'three' is not one of the messages
    const unknownId: Said<M> = { messageId: 'three' };
    // @ts-expect-error: {{b}} has no data
    const missing: Said<M> = { messageId: 'one', data: { a: 1 } };
    const check = defineCheck({
      id: 'typed',
      title: '',
      passWhen: '',
      severity: 'info',
      rationale: '',
      evidence: '',
      fix: '',
      needs: [],
      messages: { fine: 'fine {{x}}' },
      // @ts-expect-error: evaluate reports an id its messages do not have
      evaluate: () => ({ status: 'pass', observed: '', expected: '', messageId: 'other' }),
    });
    expect([ok.length, unknownId.messageId, missing.messageId, check.id]).toEqual([2, 'three', 'one', 'typed']);
  });
});
