/**
 * Fuzzing the audit over mutated fixture trees: every captured scenario is
 * copied and broken in many ways (truncated, deleted, garbage and binary
 * content, huge numbers, odd fd names, hostile link targets and comms, errno
 * sidecars, a garbage meta.json), then audited
 *   - in-process through the library entry (auditProcess), for every tree:
 *     a Report or a DaemonCheckError, nothing else, and no check may pass
 *     on evidence that was deleted or garbled (helpers/fuzz.ts);
 *   - through the real CLI for a sample: exit 0, 1 or 3, the JSON report or
 *     one `daemon-check: ` line, never a stack trace or an internal error,
 *     and the same outcome as the in-process run of the CLI's own code.
 *
 * Deterministic: FUZZ_SEED picks another base seed, FUZZ_TREES the trees per
 * fixture. A failure prints the fixture, the tree's seed and its mutations.
 */
import { safeText } from '../../src/report/sanitize.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditProcess } from '../../src/audit.js';
import { auditTargets } from '../../src/api.js';
import { readPidfileFacts } from '../../src/host/pidfile.js';
import { hostFor } from '../../src/host/reader.js';
import { CliError } from '../../src/cli/errors.js';
import { toAuditOptions, type CommonOptions } from '../../src/cli/common.js';
import { checks } from '../../src/checks/index.js';
import { DaemonCheckError } from '../../src/errors.js';
import { readCaptureMeta } from '../../src/host/reader.js';
import { exitCodeFor } from '../../src/verdict.js';
import { openProcSource } from '../../src/proc/source.js';
import { pidFromPidfile } from '../../src/target.js';
import type { Report } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { Rand, copyTree, evidenceViolations, mutate, pidfileContent, treeSeed, type Tree } from '../helpers/fuzz.js';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 0xdc0fa22);
const TREES_PER_FIXTURE = Number(process.env.FUZZ_TREES ?? 60);
/** Every CLI_EVERY-th tree also goes through the real CLI. */
const CLI_EVERY = 4;
const CLI_PARALLEL = 4;

const fixtures = fs
  .readdirSync(FIXTURES)
  .filter((d) => fs.existsSync(path.join(FIXTURES, d, 'meta.json')))
  .sort()
  .map((name) => ({
    name,
    pid: (JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'meta.json'), 'utf8')) as { pid: number }).pid,
  }));

let tmp = '';
const cliQueue: Array<{ tree: Tree; seed: number }> = [];
const stats = {
  trees: 0,
  inProcess: new Map<string, number>(),
  cli: new Map<number, number>(),
  cliRuns: 0,
  inconclusiveExit3: 0,
  stderrWithEscapes: 0,
};

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function describeTree(t: Tree, seed: number): string {
  return `${t.fixture} (tree seed ${seed}${t.pidfile ? `, --pidfile ${JSON.stringify(fs.readFileSync(t.pidfile, 'latin1').slice(0, 40))}` : ''}):\n    ${t.log.join('\n    ')}`;
}

/**
 * A replay reads the pidfile a capture recorded, never the live file system:
 * record the (maybe garbage) pidfile in meta.json as `capture --pidfile` does.
 * A meta.json the mutation garbled stays garbled.
 */
function recordPidfile(t: Tree): void {
  const file = path.join(t.dir, 'meta.json');
  let meta: unknown;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return;
  fs.writeFileSync(file, JSON.stringify({ ...meta, pidfile: readPidfileFacts(t.pidfile!) }));
}

/** The library entry, as a program embedding daemon-check would call it. */
function auditInProcess(t: Tree): { report: Report } | { error: DaemonCheckError } {
  try {
    const source = openProcSource(t.dir);
    const host = hostFor(source, true);
    if (t.pidfile) {
      const pid = pidFromPidfile(t.pidfile, source, host);
      return { report: auditProcess(source, pid, { pidfile: t.pidfile }, { host }) };
    }
    return { report: auditProcess(source, t.pid, {}, { host }) };
  } catch (err) {
    if (err instanceof DaemonCheckError) return { error: err };
    throw err;
  }
}

function cliOptions(t: Tree): CommonOptions {
  return {
    format: 'json',
    json: true,
    profile: 'auto',
    failOn: 'fail',
    procRoot: t.dir,
    hostRoot: '/',
    color: false,
    ...(t.pidfile ? { pidfile: t.pidfile } : {}),
  };
}

function cliArgs(t: Tree): string[] {
  return [...(t.pidfile ? ['--pidfile', t.pidfile] : [String(t.pid)]), '--proc-root', t.dir, '--json'];
}

/** What the CLI must do for a tree: the CLI's own code (auditTargets) run in-process. */
interface CliOutcome {
  code: number;
  reports?: Report[];
  message?: string;
}

async function expectedCli(t: Tree): Promise<CliOutcome> {
  try {
    const opts = cliOptions(t);
    const reports = await auditTargets(t.pidfile ? { pidfile: t.pidfile } : String(t.pid), toAuditOptions(opts), {
      excludeSelf: true,
    });
    return { code: exitCodeFor(reports, 'fail'), reports };
  } catch (err) {
    if (err instanceof DaemonCheckError || err instanceof CliError) return { code: err.exitCode, message: err.message };
    throw err;
  }
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dc-fuzz-'));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  const hist = (m: Map<string | number, number>) =>
    [...m.entries()]
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  console.log(
    `fuzz: ${stats.trees} mutated trees from ${fixtures.length} fixtures (base seed ${BASE_SEED}); in-process outcomes {${hist(stats.inProcess)}}; ` +
      `${stats.cliRuns} CLI runs, exit codes {${hist(stats.cli)}} (${stats.inconclusiveExit3} of the exit 3s are inconclusive reports); ` +
      `${stats.stderrWithEscapes} stderr lines carried control characters`,
  );
});

/** One fixture copied and broken in one chosen way, audited in-process. */
function directed(name: string, pid: number, label: string, breakIt: (proc: string) => void): Report {
  const t = copyTree(path.join(FIXTURES, name), path.join(tmp, `${name}-directed-${label}`), name, pid);
  breakIt(t.proc);
  const out = auditInProcess(t);
  if ('error' in out) throw new Error(`${name} ${label}: ${out.error.code} ${out.error.message}`);
  return out.report;
}

const statusOf = (r: Report, id: string) => r.checks.find((c) => c.id === id)!.status;
const audited = fixtures.filter((f) => fs.existsSync(path.join(FIXTURES, f.name, 'expected.json')));

describe('directed breakage: no check passes on evidence that is gone or garbled', () => {
  it.each(audited.map((f) => [f.name, f.pid] as const))('%s', (name, pid) => {
    // fd/ deleted entirely: every row that reads fds is unknown, and the verdict cannot be a daemon.
    const noFd = directed(name, pid, 'no-fd', (proc) =>
      fs.rmSync(path.join(proc, `${pid}/fd`), { recursive: true, force: true }),
    );
    for (const id of ['stdio-detached', 'no-leaked-fds', 'world-writable-files', 'single-instance'])
      expect(statusOf(noFd, id), id).toBe('unknown');
    expect(['inconclusive', 'not-a-daemon']).toContain(noFd.verdict);

    // status replaced with binary garbage: umask, signals and privileges are unknown.
    const garbled = directed(name, pid, 'status', (proc) =>
      fs.writeFileSync(path.join(proc, `${pid}/status`), Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x0a, 0x80])),
    );
    for (const id of ['umask', 'signal-mask', 'handles-sigterm', 'privileges'])
      expect(statusOf(garbled, id), id).toBe('unknown');

    // fd 0's link garbled: stdio-detached cannot pass (it still fails on a terminal elsewhere).
    const link = directed(name, pid, 'fd0', (proc) => {
      if (fs.existsSync(path.join(proc, `${pid}/fd`)))
        fs.writeFileSync(path.join(proc, `${pid}/fd/0.link`), 'a\nb\u001b[31m');
    });
    expect(['unknown', 'fail']).toContain(statusOf(link, 'stdio-detached'));

    // The session leader's stat garbled (not gone): own-session cannot call it "leader gone".
    const sid = Number(
      fs
        .readFileSync(path.join(FIXTURES, name, 'proc', String(pid), 'stat'), 'utf8')
        .split(') ')[1]!
        .split(' ')[3],
    );
    if (sid !== pid && fs.existsSync(path.join(FIXTURES, name, 'proc', String(sid), 'stat'))) {
      const leader = directed(name, pid, 'leader', (proc) =>
        fs.writeFileSync(path.join(proc, `${sid}/stat`), 'garbage'),
      );
      expect(statusOf(leader, 'own-session')).not.toBe('pass');
      const gone = directed(name, pid, 'leader-gone', (proc) =>
        fs.rmSync(path.join(proc, String(sid)), { recursive: true, force: true }),
      );
      expect(gone.facts.unreadable.sessionLeader).toBeUndefined();
    }
  });
});

describe('fuzzing the audit over mutated fixture trees', () => {
  it.each(fixtures.map((f, i) => [f.name, i, f.pid] as const))(
    '%s: mutated trees give a Report or a DaemonCheckError, and no pass without evidence',
    (name, index, pid) => {
      const problems: string[] = [];
      for (let i = 0; i < TREES_PER_FIXTURE; i++) {
        const seed = treeSeed(BASE_SEED, index, i);
        const r = new Rand(seed);
        const t = copyTree(path.join(FIXTURES, name), path.join(tmp, `${name}-${i}`), name, pid);
        mutate(t, r, r.int(1, 3));
        if (r.bool(0.15)) {
          t.pidfile = path.join(t.dir, 'app.pid');
          fs.writeFileSync(t.pidfile, pidfileContent(t, r));
          recordPidfile(t);
        }
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
        // A tree is removed once done with, so that no one hook has thousands of files to delete.
        if (i % CLI_EVERY === index % CLI_EVERY) cliQueue.push({ tree: t, seed });
        else fs.rmSync(t.dir, { recursive: true, force: true });
      }
      expect(problems.slice(0, 10), `${problems.length} of ${TREES_PER_FIXTURE} trees broke a rule`).toEqual([]);
    },
  );

  it('a sample through the real CLI: exit 0, 1 or 3, JSON or one stderr line, the same outcome as in-process', async () => {
    expect(cliQueue.length).toBeGreaterThan(0);
    const problems: string[] = [];
    const one = async ({ tree: t, seed }: { tree: Tree; seed: number }): Promise<void> => {
      const want: CliOutcome = await expectedCli(t).catch((err: unknown) => ({
        code: -1,
        message: `in-process run threw ${err instanceof Error ? err.stack : String(err)}`,
      }));
      const got = await runCli(cliArgs(t), { timeoutMs: 30_000 });
      stats.cliRuns++;
      bump(stats.cli, got.code);
      const bad: string[] = [];
      if (![0, 1, 3].includes(got.code)) bad.push(`exit ${got.code}`);
      if (/\n\s+at /.test(got.stderr)) bad.push('a stack trace on stderr');
      if (/internal error/.test(got.stderr)) bad.push(`internal error: ${got.stderr.trim()}`);
      if (want.code !== got.code)
        bad.push(
          `exit ${got.code}, the CLI's code in-process gives ${want.code}${want.message ? ` (${want.message})` : ''}`,
        );
      if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(got.stderr)) stats.stderrWithEscapes++;
      let report: Report | null = null;
      if (got.stdout !== '') {
        try {
          report = JSON.parse(got.stdout) as Report;
        } catch {
          bad.push(`stdout is not JSON: ${JSON.stringify(got.stdout.slice(0, 80))}`);
        }
      }
      if (got.code === 0 || got.code === 1 || (got.code === 3 && report !== null)) {
        if (!report) bad.push(`exit ${got.code} without a report on stdout`);
        else {
          if (report.checks?.length !== checks.length) bad.push(`${report.checks?.length} check rows`);
          if (got.code === 3) {
            // exit 3 with a report: the "inconclusive" verdict (docs/interface.md), and its one stderr line.
            stats.inconclusiveExit3++;
            if (report.verdict !== 'inconclusive') bad.push(`exit 3 with a ${report.verdict} report`);
            if (!/^daemon-check: [^\n]*\n$/.test(got.stderr))
              bad.push(`stderr ${JSON.stringify(got.stderr.slice(0, 200))}`);
          } else if (got.code === 1 && !/^daemon-check: [^\n]*\n$/.test(got.stderr))
            bad.push(`exit 1 stderr is not one line: ${JSON.stringify(got.stderr.slice(0, 200))}`);
          else if (got.code === 0 && got.stderr !== '')
            bad.push(`exit 0 with stderr ${JSON.stringify(got.stderr.slice(0, 200))}`);
          const w = want.reports?.[0];
          // Rows are compared when meta.json still parses: otherwise the host is the live one, and the
          // CLI leaves its own pid out of pipe holders, which may be a captured pid on this machine.
          if (w && readCaptureMeta(path.join(t.dir, 'proc'))) {
            if (report.verdict !== w.verdict) bad.push(`verdict ${report.verdict}, in-process ${w.verdict}`);
            const a = report.checks.map((c) => `${c.id}=${c.status}`).join(' ');
            const b = w.checks.map((c) => `${c.id}=${c.status}`).join(' ');
            if (a !== b) bad.push(`rows differ from in-process:\n    cli ${a}\n    lib ${b}`);
          }
        }
      } else if (got.code === 3) {
        if (!/^daemon-check: [^\n\r]*\n$/.test(got.stderr))
          bad.push(`exit 3 stderr is not one "daemon-check: " line: ${JSON.stringify(got.stderr.slice(0, 300))}`);
        if (want.message !== undefined && got.stderr !== `daemon-check: ${safeText(want.message)}\n`) {
          bad.push(
            `stderr ${JSON.stringify(got.stderr.slice(0, 200))}, in-process message ${JSON.stringify(want.message.slice(0, 200))}`,
          );
        }
      }
      if (bad.length) problems.push(`${describeTree(t, seed)}\n  ${bad.join('\n  ')}`);
      fs.rmSync(t.dir, { recursive: true, force: true });
    };
    for (let i = 0; i < cliQueue.length; i += CLI_PARALLEL) {
      await Promise.all(cliQueue.slice(i, i + CLI_PARALLEL).map(one));
    }
    expect(problems.slice(0, 10), `${problems.length} of ${cliQueue.length} CLI runs broke a rule`).toEqual([]);
  }, 120_000);
});

/** Gaps the fuzzing found in the CLI layer, fixed there; these keep them fixed. */
describe('terminal safety and the stderr line of the CLI', () => {
  function hostileZombie(): Tree {
    const f = fixtures.find((x) => x.name === 'setsid-single-fork')!;
    const t = copyTree(path.join(FIXTURES, f.name), path.join(tmp, 'known-gap-comm'), f.name, f.pid);
    const file = path.join(t.proc, `${t.pid}/stat`);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${t.pid} (\u001b]0;pwned\u0007\u001b[2J) ${text.slice(text.lastIndexOf(')') + 2)}`);
    return t;
  }

  it('a comm with terminal escapes never reaches stderr raw (exit 3 line for a zombie)', async () => {
    const t = hostileZombie();
    const file = path.join(t.proc, `${t.pid}/stat`);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\) S /, ') Z '));
    const r = await runCli(cliArgs(t));
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  it('a comm with terminal escapes never reaches the table output raw', async () => {
    const r = await runCli([
      String(hostileZombie().pid),
      '--proc-root',
      path.join(tmp, 'known-gap-comm'),
      '--format',
      'table',
    ]);
    expect([0, 1, 3]).toContain(r.code);
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  it('an inconclusive verdict exits 3 with one stderr line, like every other exit 3', async () => {
    const f = fixtures.find((x) => x.name === 'unreadable-fds')!;
    const r = await runCli([String(f.pid), '--proc-root', path.join(FIXTURES, f.name), '--json']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^daemon-check: [^\n]*\n$/);
  });
});
