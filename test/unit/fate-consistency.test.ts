/**
 * Every fixture's report tells one story: its checks, startedAs and remediation
 * never contradict its fate (the live subjects are checked where they are
 * audited: live.test.ts, ssh-login.test.ts, debian-daemons.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contradictions } from '../helpers/consistency.js';
import { makeSnapshot } from '../helpers/snapshot.js';
import { buildReport } from '../../src/audit.js';
import type { Report } from '../../src/audit-types.js';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');
const scenarios = fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(path.join(FIXTURES, d, 'expected.json')));

describe('no sentence contradicts the fate model', () => {
  it.each(scenarios)('%s', (name) => {
    const r = JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')) as Report;
    expect(contradictions(r)).toEqual([]);
  });

  it('the checker catches a contradiction (a hangup story where the fate says it lives)', () => {
    const r = buildReport(makeSnapshot());
    expect(r.fate.hangup.outcome).toBe('lives');
    r.checks[0]!.detail = 'controlling terminal /dev/pts/0: it gets SIGHUP when that terminal closes';
    expect(contradictions(r)).toEqual([expect.stringContaining('fate.hangup is lives')]);
  });
});
