/**
 * Fuzzing the audit over mutated fixture trees: every captured scenario is
 * copied and broken in many ways (truncated, deleted, garbage and binary
 * content, huge numbers, odd fd names, hostile link targets and comms, errno
 * sidecars, a garbage meta.json), then audited in-process through the library
 * entry (auditProcess), for every tree: a Report or a DaemonCheckError,
 * nothing else, and no check may pass on evidence that was deleted or garbled
 * (helpers/fuzz.ts). A sample of the same trees goes through the real CLI in
 * fuzz-cli.test.ts; one chosen breakage per fixture in fuzz-directed.test.ts.
 *
 * Deterministic: FUZZ_SEED picks another base seed, FUZZ_TREES the trees per
 * fixture. A failure prints the fixture, the tree's seed and its mutations.
 */
import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { checks } from '../../src/checks/index.js';
import { evidenceViolations } from '../helpers/fuzz.js';
import {
  BASE_SEED,
  TREES_PER_FIXTURE,
  auditInProcess,
  bump,
  hist,
  describeTree,
  fixtures,
  mutatedTree,
} from '../helpers/fuzz-run.js';
import { MEMORY_TMP, tempDir } from '../helpers/temp.js';

const tmp = tempDir('dc-fuzz-', MEMORY_TMP);
const stats = { trees: 0, inProcess: new Map<string, number>() };

afterAll(() => {
  console.log(
    `fuzz: ${stats.trees} mutated trees from ${fixtures.length} fixtures (base seed ${BASE_SEED}); in-process outcomes {${hist(stats.inProcess)}}`,
  );
});

describe('fuzzing the audit over mutated fixture trees', () => {
  it.each(fixtures.map((f, i) => [f.name, i] as const))(
    '%s: mutated trees give a Report or a DaemonCheckError, and no pass without evidence',
    (_name, index) => {
      const problems: string[] = [];
      for (let i = 0; i < TREES_PER_FIXTURE; i++) {
        const { tree: t, seed } = mutatedTree(tmp, index, i);
        stats.trees++;
        let outcome: ReturnType<typeof auditInProcess>;
        try {
          outcome = auditInProcess(t);
        } catch (err) {
          problems.push(
            `${describeTree(t, seed)}\n  threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
          );
          bump(stats.inProcess, 'other exception');
          continue;
        }
        if ('error' in outcome) {
          bump(stats.inProcess, outcome.error.code);
          if (outcome.error.exitCode !== 3)
            problems.push(
              `${describeTree(t, seed)}\n  ${outcome.error.code} has exit code ${outcome.error.exitCode}, not 3`,
            );
        } else {
          const rep = outcome.report;
          bump(stats.inProcess, rep.verdict);
          const bad: string[] = [];
          if (rep.checks.map((c) => c.id).join() !== checks.map((c) => c.id).join())
            bad.push(`checks are ${rep.checks.map((c) => c.id).join()}`);
          try {
            JSON.parse(JSON.stringify(rep));
          } catch (err) {
            bad.push(`the report does not serialise: ${(err as Error).message}`);
          }
          bad.push(...evidenceViolations(rep, t));
          if (bad.length) problems.push(`${describeTree(t, seed)}\n  ${bad.join('\n  ')}`);
        }
        // Removed once audited, so that no one hook has thousands of files to delete.
        fs.rmSync(t.dir, { recursive: true, force: true });
      }
      expect(problems.slice(0, 10), `${problems.length} of ${TREES_PER_FIXTURE} trees broke a rule`).toEqual([]);
    },
  );
});
